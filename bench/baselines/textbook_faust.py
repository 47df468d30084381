"""The textbook Faust implementation the worker is compared against.

One windowed table per KPI, updated for every event: offered, answered within T, abandoned and
the wait sum, per queue, over 15-minute tumbling windows. This is how Faust's documentation
builds windowed aggregates; it is not used by Floorboard. Run as a process:

    python -m bench.baselines.textbook_faust --broker HOST:PORT --topic T --expected N

It prints ``ready`` once it owns partitions and ``done <seconds>`` once it has applied N events
(timed from its first event), then exits.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from typing import Any

import faust
import orjson

from floorboard.streams.broker import free_port

SL_THRESHOLD_S = 20.0


def build(args: argparse.Namespace) -> faust.App:
    app = faust.App(
        f"textbook-{os.getpid()}",
        broker=f"kafka://{args.broker}",
        store="memory://",
        topic_partitions=args.partitions,
        broker_session_timeout=10,
        producer_enable_idempotence=False,  # not supported by the embedded broker
        web_port=free_port(),
        web_enabled=False,
        datadir=tempfile.mkdtemp(prefix="textbook-"),
    )
    topic = app.topic(args.topic, value_serializer="raw", key_serializer="raw")
    window = 15 * 60

    def table(name: str, default: type) -> Any:
        return app.Table(name, default=default, partitions=args.partitions).tumbling(
            window, expires=3600
        )

    offered, within, abandoned, wait_sum = (
        table("offered", int),
        table("within", int),
        table("abandoned", int),
        table("wait_sum", float),
    )
    state = {"count": 0, "first": 0.0}

    @app.agent(topic)
    async def kpis(stream: Any) -> None:
        async for raw in stream:
            body = orjson.loads(raw)
            for event in body if isinstance(body, list) else [body]:
                queue = f"{event.get('site')}/{event.get('queue')}"
                kind = event.get("type")
                if kind == "contact.offered":
                    offered[queue] += 1
                elif kind == "contact.answered":
                    within[queue] += int(event["wait_s"] <= SL_THRESHOLD_S)
                    wait_sum[queue] += event["wait_s"]
                elif kind == "contact.abandoned":
                    abandoned[queue] += 1
                if not state["count"]:
                    state["first"] = time.perf_counter()
                state["count"] += 1
                if state["count"] == args.expected:
                    print(f"done {time.perf_counter() - state['first']:.3f}", flush=True)
                    os._exit(0)

    @app.task  # type: ignore[untyped-decorator]  # faust is untyped
    async def announce() -> None:
        print("ready", flush=True)

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--expected", type=int, required=True)
    args = parser.parse_args()
    app = build(args)
    sys.argv = [sys.argv[0], "worker", "--loglevel", "warn"]
    app.main()


if __name__ == "__main__":
    main()


def run(bootstrap: str, topic: str, partitions: int, expected: int, timeout: float = 1800) -> float:
    """Seconds the textbook app takes for ``expected`` events, from its first event."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.baselines.textbook_faust", "--broker", bootstrap,
         "--topic", topic, "--partitions", str(partitions), "--expected", str(expected)],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    # Faust sends prints through its logger, so the line may be on either stream.
    found = re.search(r"done (\d+\.\d+)", done.stdout + done.stderr)
    if found is None:
        raise RuntimeError(f"textbook baseline failed:\n{done.stderr[-2000:]}")
    return float(found.group(1))
