"""The worker's own cost per record, in one process and without Kafka: the same records applied
through ``PartitionState.apply_records`` (as the worker does: offsets, outcome and event-delay
counts, dead letters, the source check's last record) and by a bare decode-and-apply loop, for
one event per record and for arrays of 100, alternated and best of ``--repeat``. The difference
is what the worker adds to the engine per record; ``bench.worker_throughput`` adds Kafka and
Faust on top.

    python -m bench.record_path [--events 100000] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

from bench.workload import config, report, simulated
from floorboard.engine.engine import Engine
from floorboard.engine.gc_policy import tune_for_engine
from floorboard.events.codec import decode_record, encode, encode_batch
from floorboard.events.model import Event
from floorboard.streams.worker.histogram import DELAY_BOUNDS_S, Histogram
from floorboard.streams.worker.offsets import event_offset
from floorboard.streams.worker.partition import PartitionState, SourceRecord

FETCH = 500  # records handed over at once: the worker's default batch_max_records


def records_of(events: list[Event], batch: int) -> list[SourceRecord]:
    if batch == 1:
        return [SourceRecord(i, None, encode(event)) for i, event in enumerate(events)]
    return [
        SourceRecord(i, None, encode_batch(events[start : start + batch]))
        for i, start in enumerate(range(0, len(events), batch))
    ]


def bare(records: list[SourceRecord]) -> float:
    engine = Engine(config())
    began = time.process_time()
    for record in records:
        assert record.value is not None
        for index, event in enumerate(decode_record(record.value)[0]):
            engine.apply(event, event_offset(record.offset, index))
    return time.process_time() - began


def through_partition(records: list[SourceRecord]) -> float:
    state = PartitionState(Engine(config()), "events", 0, delay=Histogram(DELAY_BOUNDS_S))
    began = time.process_time()
    for start in range(0, len(records), FETCH):
        dead, position = state.apply_records(records[start : start + FETCH], 0.0)
        assert not dead and position == "ok"
    return time.process_time() - began


def timed(run: Callable[[list[SourceRecord]], float], records: list[SourceRecord]) -> float:
    seconds = run(records)
    gc.collect()  # the engine just dropped holds reference cycles: not the next run's cost
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a small run (the test suite)")
    args = parser.parse_args()
    total, repeat = (10_000, 1) if args.quick else (args.events, args.repeat)
    events = simulated(total)
    result: dict[str, object] = {"benchmark": "record_path", "events": len(events)}
    for label, batch in (("one_per_record", 1), ("arrays_of_100", 100)):
        records = records_of(events, batch)
        tune_for_engine()  # as the worker does; freezes the records built above
        times: dict[str, list[float]] = {"bare": [], "partition": []}
        for _ in range(repeat):  # alternated, so drift on the machine hits both alike
            times["bare"].append(timed(bare, records))
            times["partition"].append(timed(through_partition, records))
        bare_s, partition_s = min(times["bare"]), min(times["partition"])
        result[label] = {
            "records": len(records),
            "bare_events_per_cpu_s": round(len(events) / bare_s),
            "partition_events_per_cpu_s": round(len(events) / partition_s),
            # What the worker's bookkeeping adds to each record, beyond decoding and applying.
            "overhead_us_per_record": round((partition_s - bare_s) / len(records) * 1e6, 2),
            "partition_vs_bare": round(bare_s / partition_s, 3),
        }
    report(result)


if __name__ == "__main__":
    main()
