"""``ingest asterisk`` throughput: queue_log lines → canonical events in JSONL, end to end
(reading, parsing, mapping, agent states, encoding, writing), target ≥ 100,000 lines/s.

The log: a busy day's mix of 40 agents in 4 queues — per call ENTERQUEUE, a RINGNOANSWER on
one call in three, CONNECT and COMPLETE*, or ABANDON; a transfer on one call in twenty; pauses
and DID lines now and then.

    python -m bench.ingest_asterisk [--lines 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from bench.workload import report
from floorboard.sources.asterisk import AsteriskMapper, AsteriskOptions
from floorboard.sources.output import IngestCounts, JsonlOutput
from floorboard.sources.run import ingest_file

START_S = 1795503600  # 2026-11-24 08:00 Europe/Oslo
QUEUES = ("billing", "support", "sales", "claims")
AGENTS = [f"PJSIP/{200 + i}" for i in range(40)]


def queue_log(lines: int, seed: int = 1) -> bytes:
    rnd = random.Random(seed)
    out: list[str] = [f"{START_S}|NONE|NONE|NONE|QUEUESTART|"]
    out += [f"{START_S}|MANAGER|{QUEUES[i % 4]}|{a}|ADDMEMBER|" for i, a in enumerate(AGENTS)]
    t, n = START_S, 0
    while len(out) < lines:
        t += rnd.randint(0, 2)
        n += 1
        call, queue, agent = f"{t}.{n}", rnd.choice(QUEUES), rnd.choice(AGENTS)
        wait = rnd.randint(0, 90)
        if rnd.random() < 0.1:
            out.append(f"{t}|{call}|{queue}|NONE|DID|2233{n % 10000:04d}")
        out.append(f"{t}|{call}|{queue}|NONE|ENTERQUEUE||47{n:08d}|1")
        if rnd.random() < 0.33:
            out.append(f"{t + 5}|{call}|{queue}|{agent}|RINGNOANSWER|5000")
        if rnd.random() < 0.1:
            out.append(f"{t + wait}|{call}|{queue}|NONE|ABANDON|1|1|{wait}")
            continue
        talk = rnd.randint(30, 600)
        out.append(f"{t + wait}|{call}|{queue}|{agent}|CONNECT|{wait}|{call}1|4")
        end = "BLINDTRANSFER|2001|from-queue|" if rnd.random() < 0.05 else "COMPLETECALLER|"
        out.append(f"{t + wait + talk}|{call}|{queue}|{agent}|{end}{wait}|{talk}|1")
        if rnd.random() < 0.02:
            out.append(f"{t + wait + talk}|NONE|NONE|{agent}|PAUSEALL|Break")
            out.append(f"{t + wait + talk + 600}|NONE|NONE|{agent}|UNPAUSEALL|")
    return ("\n".join(out[:lines]) + "\n").encode()


async def convert(log: Path, out: Path) -> IngestCounts:
    mapper = AsteriskMapper(AsteriskOptions("oslo", wrapup_s=15))
    output = JsonlOutput.open(out, None, "asterisk", append=False)
    counts = IngestCounts()
    try:
        await ingest_file("asterisk", log, mapper, output, counts)
    finally:
        await output.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 lines")
    args = parser.parse_args()
    lines = 20_000 if args.quick else args.lines
    workdir = Path(tempfile.mkdtemp(prefix="floorboard-ingest-"))
    log, out = workdir / "queue_log", workdir / "events.jsonl"
    log.write_bytes(queue_log(lines))
    began, began_cpu = time.perf_counter(), time.process_time()
    counts = asyncio.run(convert(log, out))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    events = len(out.read_bytes().splitlines())
    result = {
        "benchmark": "ingest_asterisk",
        "lines": lines,
        "events": events,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "lines_per_s": round(lines / elapsed),
        # CPU time: the figure that holds when other processes share the cores.
        "lines_per_cpu_s": round(lines / cpu),
        "events_per_s": round(events / elapsed),
        "outcomes": counts.summary(),
        "target_lines_per_s": 100_000,
    }
    report(result)


if __name__ == "__main__":
    main()
