"""What bounds the engine's memory and read cost: memory per open contact, per distinct queue
name and per distinct team name, and the cost of a snapshot read as open contacts grow. The
settings that bound these are in docs/operations.md ("Bounding memory").

Measured in one process with tracemalloc (Python allocations only, so the figures exclude the
interpreter and libraries): each figure is the growth of traced memory divided by the count.

A read keeps live queues per queue as contacts enter and leave (engine/live.py); the same run
also times a read from scratch, the index rebuilt from every open contact first, which is what
a read cost before (each open contact visited).

    python -m bench.bounds [--contacts 20000,100000,300000,1000000] [--names 2000] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterable

from bench.workload import DAY_START_MS, RESULTS
from floorboard.config import Config, parse_config
from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.events.model import AgentState, ContactOffered, Event

T0 = DAY_START_MS + 9 * 3_600_000  # 09:00 on the benchmark day


def bench_config(unknown_queues: int = 20) -> Config:
    return parse_config({
        "sites": {"oslo": {"timezone": "Europe/Oslo",
                           "queues": {"billing": {"channels": ["voice"]}}}},
        "limits": {"max_unknown_queues": unknown_queues},
    })  # fmt: skip


def offered(i: int, queue: str = "billing") -> ContactOffered:
    # spread over ten minutes: the contacts stay open (waiting), none is too late
    return ContactOffered(v=1, id=f"o{i}", ts=T0 + i % 600_000, site="oslo",
                          contact_id=f"c{i}", queue=queue, channel="voice")  # fmt: skip


def team_state(i: int) -> AgentState:
    return AgentState(v=1, id=f"a{i}", ts=T0 + i % 600_000, site="oslo", agent=f"agent{i}",
                      team=f"team{i}", state="ready")  # fmt: skip


def traced_growth(engine: Engine, events: Iterable[Event]) -> int:
    """Bytes of Python allocations the engine keeps after applying ``events``."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    engine.apply_all(events)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before


def per_item(count: int, make: Callable[[int], Event], cfg: Config) -> float:
    engine = Engine(cfg)
    engine.apply_all([make(-1)])  # the site's first event sets up its fixed structures
    events = [make(i) for i in range(count)]
    return traced_growth(engine, events) / count


def read_cost(contacts: int, repeat: int) -> dict[str, float]:
    """Median seconds of one snapshot read of an engine holding ``contacts`` open contacts:
    as the worker reads, and from scratch (live queues rebuilt from every open contact)."""
    engine = Engine(bench_config())
    engine.apply_all(offered(i) for i in range(contacts))
    incremental, scratch = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        snapshot(engine, T0 + 600_000, "bench")
        incremental.append(time.perf_counter() - started)
        started = time.perf_counter()
        engine.live.rebuild(engine.state.tables)
        snapshot(engine, T0 + 600_000, "bench")
        scratch.append(time.perf_counter() - started)
    return {"read_s": statistics.median(incremental), "from_scratch_s": statistics.median(scratch)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", default="20000,100000,300000,1000000",
                        help="open contacts per read-cost step (comma-separated)")  # fmt: skip
    parser.add_argument("--names", type=int, default=2000, help="distinct names measured")
    parser.add_argument("--quick", action="store_true", help="small counts (the test suite)")
    args = parser.parse_args()
    steps = [1000, 3000] if args.quick else [int(n) for n in args.contacts.split(",")]
    names = 200 if args.quick else args.names
    reads = {str(n): read_cost(n, 1 if args.quick else 3) for n in steps}
    result: dict[str, object] = {
        "benchmark": "bounds",
        "bytes_per_open_contact": per_item(steps[0], offered, bench_config()),
        "bytes_per_queue_name": per_item(
            names, lambda i: offered(i, queue=f"q{i}"), bench_config(unknown_queues=names + 1)
        ),
        "bytes_per_team_name": per_item(names, team_state, bench_config()),
        "snapshot_read_s": reads,
    }
    for label, key in (("open contact", "bytes_per_open_contact"),
                       ("queue name", "bytes_per_queue_name"),
                       ("team name", "bytes_per_team_name")):  # fmt: skip
        print(f"memory per {label + ':':14} {result[key]:>8,.0f} B")
    for n, read in reads.items():
        print(f"snapshot read, {int(n):>9,} open contacts: {read['read_s'] * 1000:,.1f} ms"
              f" (from scratch: {read['from_scratch_s'] * 1000:,.1f} ms)")  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bounds.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
