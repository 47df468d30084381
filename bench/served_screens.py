"""What each browser screen costs a ``--serve`` server: textual-serve runs one wallboard process
per connected screen, and each process has its own Kafka consumer (group-less, assign only).

The script starts ``floorboard demo --serve`` on loopback (broker, worker and simulator publishing
live figures), or uses a running server given by ``--url`` and ``--pid``. It connects N screens
the way the page does, lets them read and draw, then samples each board process: resident and
proportional memory (PSS counts shared pages once, so it adds up) and CPU over a window. It
prints one JSON line per N and writes them to bench/results/served_screens.json.

    python -m bench.served_screens [--screens 1,4,8] [--url URL --pid SERVER_PID]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp

from bench.workload import RESULTS
from floorboard.streams.broker import free_port
from tests.wallboard.serving import Screen, open_screen

TICK = os.sysconf("SC_CLK_TCK")


def boards(server_pid: int) -> list[int]:
    """The server's child processes that run a wallboard."""
    pids: list[int] = []
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"wallboard" in cmdline:
                pids.append(int(child))
    return pids


def memory_kb(pid: int) -> tuple[int, int]:
    """RSS and PSS in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return fields["Rss"], fields["Pss"]


def cpu_ticks(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(stat[11]) + int(stat[12])  # utime + stime


async def measure(
    url: str, server: int, count: int, settle: float, window: float
) -> dict[str, object]:
    async with aiohttp.ClientSession() as http:
        screens: list[Screen] = [await open_screen(http, url) for _ in range(count)]
        for screen in screens:
            await screen.wait_for("FLOORBOARD")
        await asyncio.sleep(settle)
        pids = boards(server)
        before = {p: cpu_ticks(p) for p in pids}
        server_before = cpu_ticks(server)
        await asyncio.sleep(window)
        cpu = [(cpu_ticks(p) - before[p]) / TICK / window * 100 for p in pids]
        server_cpu = (cpu_ticks(server) - server_before) / TICK / window * 100
        mem = [memory_kb(p) for p in pids]
        server_mem = memory_kb(server)
        for screen in screens:
            await screen.socket.close()
    return {
        "screens": count,
        "board_processes": len(pids),
        "rss_mb_per_screen": round(sum(r for r, _ in mem) / len(mem) / 1024, 1),
        "pss_mb_per_screen": round(sum(p for _, p in mem) / len(mem) / 1024, 1),
        "cpu_pct_per_screen": round(sum(cpu) / len(cpu), 1),
        "server_rss_mb": round(server_mem[0] / 1024, 1),
        "server_cpu_pct": round(server_cpu, 1),
    }


@contextlib.contextmanager
def demo() -> Iterator[tuple[str, int]]:
    """``floorboard demo --serve`` on a free loopback port: its URL and pid."""
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "floorboard.cli", "demo", "--serve", url.removeprefix("http://")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/ping") as response:
                if response.status == 204:
                    break
            time.sleep(0.5)
        else:
            raise RuntimeError("the demo did not serve within 180 s")
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=None, help="a running server (default: start the demo)")
    parser.add_argument("--pid", type=int, default=None, help="that server's process id")
    parser.add_argument("--screens", default="1,4,8")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds before sampling")
    parser.add_argument("--window", type=float, default=30.0, help="seconds of CPU sampling")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        url, pid = (args.url, args.pid) if args.url else stack.enter_context(demo())
        results = []
        for count in (int(n) for n in args.screens.split(",")):
            started = time.monotonic()
            result = asyncio.run(measure(url, pid, count, args.settle, args.window))
            result["seconds"] = round(time.monotonic() - started, 1)
            print(json.dumps(result), flush=True)
            results.append(result)
            time.sleep(10)  # the previous screens' processes end
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "served_screens.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
