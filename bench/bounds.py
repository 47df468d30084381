"""What bounds the engine's memory and read cost: memory per open contact, per distinct queue
name and per distinct team name, the cost of a snapshot read as open contacts grow, and what the
week table ("last week at this time") holds after nine days of the example floor. The
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

from bench.workload import DAY_MS, DAY_START_MS, RESULTS, centre
from bench.workload import config as example_config
from floorboard.config import Config, parse_config
from floorboard.engine.engine import Engine
from floorboard.engine.read import snapshot
from floorboard.engine.tables import CELL_QUARTERS, WEEK_QUARTERS
from floorboard.events.model import AgentState, ContactOffered, Event
from floorboard.simulator import generate

T0 = DAY_START_MS + 9 * 3_600_000  # 09:00 on the benchmark day


def bench_config(unknown_queues: int = 20, teams: int = 200) -> Config:
    return parse_config({
        "sites": {"oslo": {"timezone": "Europe/Oslo",
                           "queues": {"billing": {"channels": ["voice"]}}}},
        "limits": {"max_unknown_queues": unknown_queues, "max_teams_per_site": teams},
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


def table_bytes(engine: Engine, table: str) -> int:
    """Traced bytes freed by emptying ``table`` (tracemalloc must have run since the start)."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    engine.state.tables[table].clear()
    gc.collect()
    return before - tracemalloc.get_traced_memory()[0]


def week_table(days: int, repeat: int) -> dict[str, float]:
    """The example floor (39 agents, normal day) for ``days`` days, read at noon of the last:
    the week table's and the quarter table's memory and keys, and a snapshot read's time with
    and without the week table (the windows never scan it)."""
    cfg = example_config()
    engine = Engine(cfg, clock=lambda: (DAY_START_MS + days * DAY_MS) / 1000)
    now = DAY_START_MS + (days - 1) * DAY_MS + 12 * 3_600_000
    tracemalloc.start()
    engine.apply_all(generate(cfg, centre(39), DAY_START_MS, now - DAY_START_MS, seed=1))
    keys = {t: len(engine.state.tables[t]) for t in (WEEK_QUARTERS, CELL_QUARTERS)}

    def read_ms() -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            snapshot(engine, now, "bench")
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    with_week = read_ms()
    week = table_bytes(engine, WEEK_QUARTERS)
    without_week = read_ms()
    quarters = table_bytes(engine, CELL_QUARTERS)
    tracemalloc.stop()
    return {
        "days": days,
        "week_quarters_keys": keys[WEEK_QUARTERS],
        "week_quarters_bytes": week,
        "cell_quarters_keys": keys[CELL_QUARTERS],
        "cell_quarters_bytes": quarters,
        "snapshot_ms_with_week": round(with_week, 2),
        "snapshot_ms_without_week": round(without_week, 2),
    }


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
    week = week_table(2 if args.quick else 9, 1 if args.quick else 11)
    result: dict[str, object] = {
        "benchmark": "bounds",
        "bytes_per_open_contact": per_item(steps[0], offered, bench_config()),
        "bytes_per_queue_name": per_item(
            names, lambda i: offered(i, queue=f"q{i}"), bench_config(unknown_queues=names + 1)
        ),
        "bytes_per_team_name": per_item(names, team_state, bench_config(teams=names + 1)),
        "snapshot_read_s": reads,
        "week_table": week,
    }
    for label, key in (("open contact", "bytes_per_open_contact"),
                       ("queue name", "bytes_per_queue_name"),
                       ("team name", "bytes_per_team_name")):  # fmt: skip
        print(f"memory per {label + ':':14} {result[key]:>8,.0f} B")
    for n, read in reads.items():
        print(f"snapshot read, {int(n):>9,} open contacts: {read['read_s'] * 1000:,.1f} ms"
              f" (from scratch: {read['from_scratch_s'] * 1000:,.1f} ms)")  # fmt: skip
    for key, value in week.items():
        print(f"week table, {key + ':':26} {value:>12,}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bounds.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
