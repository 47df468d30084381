"""Window sums kept between reads by difference equal sums taken afresh, whatever the rows did in
between: changed, added, removed, rolled up from minutes into a quarter, or read at an earlier
time than before."""

from __future__ import annotations

import copy
from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from floorboard.engine.window_sums import Key, Sums, WindowSums
from floorboard.engine.windows import (
    MINUTE_MS,
    QUARTER_MS,
    WINDOWS,
    Span,
    Tier,
    Window,
    window_span,
)
from tests.factory import T0, config

SIZE = 4
SITES = tuple(config().sites)
ZONES = {site: cfg.zone for site, cfg in config().sites.items()}
Tables = dict[Tier, dict[Key, list[int]]]


def groups(key: Key) -> tuple[Hashable, ...]:
    site, queue, team = key[:3]
    return ((site, queue), (site, "team", team))


def spans_at(now: int) -> dict[str, dict[Window, Span]]:
    return {site: {w: window_span(w, now, zone) for w in WINDOWS} for site, zone in ZONES.items()}


def fresh(tables: Tables, now: int) -> Sums:
    """The sums by their definition: every row in every window's span, all-zero windows left
    out; minute rows count in quarter windows too."""
    out: Sums = {}
    for tier, rows in tables.items():
        for key, row in rows.items():
            for window, span in spans_at(now)[str(key[0])].items():
                bucket = int(str(key[-1]))
                if (span.tier is Tier.QUARTER or tier is Tier.MINUTE) and (
                    span.start <= bucket < span.end
                ):
                    for group in groups(key):
                        total = out.setdefault(group, {}).setdefault(window, [0] * SIZE)
                        for i, value in enumerate(row):
                            total[i] += value
    held = {g: {w: v for w, v in ws.items() if any(v)} for g, ws in out.items()}
    return {g: ws for g, ws in held.items() if ws}


row = st.lists(st.integers(-3, 5), min_size=SIZE, max_size=SIZE)
cell = st.tuples(st.sampled_from(SITES), st.sampled_from("ab"), st.sampled_from("xy"))
# Minutes on and next to the starts of rolling windows, quarters and half hours.
minute = st.sampled_from((-75, -61, -60, -46, -45, -31, -30, -16, -15, -1, 0, 1, 14, 15, 29)).map(
    lambda m: T0 + m * MINUTE_MS
)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_sums_kept_between_reads_equal_fresh_sums(data: st.DataObject) -> None:
    tables: Tables = {Tier.MINUTE: {}, Tier.QUARTER: {}}
    kept = WindowSums(groups, SIZE)
    for _ in range(data.draw(st.integers(1, 30))):
        action = data.draw(st.sampled_from(("set", "set", "drop", "roll", "read")))
        minutes = tables[Tier.MINUTE]
        if action == "set":
            at = data.draw(minute)
            minutes[(*data.draw(cell), at)] = data.draw(row)
        elif action in ("drop", "roll") and minutes:
            key = data.draw(st.sampled_from(sorted(minutes, key=repr)))
            moved = minutes.pop(key)
            if action == "roll":  # the minute row moves into its quarter, as the engine rolls up
                at = int(str(key[-1]))
                quarter = (*key[:-1], at - at % QUARTER_MS)
                total = tables[Tier.QUARTER].setdefault(quarter, [0] * SIZE)
                total[:] = [a + b for a, b in zip(total, moved, strict=True)]
        elif action == "read":
            # Reads move forward and back, across minute, quarter and half-hour starts.
            now = data.draw(minute) + 17_000
            read = kept.read(tables, spans_at(now))
            assert read == fresh(tables, now)
            for group, windows in read.items():  # in window order, whatever changed first
                assert list(windows) == [w for w in WINDOWS if w in windows], group
    assert kept.read(tables, spans_at(T0)) == fresh(tables, T0)


def test_what_a_read_handed_out_never_changes() -> None:
    key = (SITES[0], "a", "x", T0)
    tables: Tables = {Tier.MINUTE: {key: [1, 0, 0, 0]}, Tier.QUARTER: {}}
    kept = WindowSums(groups, SIZE)
    first = kept.read(tables, spans_at(T0))
    before = copy.deepcopy(first)
    tables[Tier.MINUTE][key][0] = 5
    tables[Tier.MINUTE][(SITES[0], "b", "x", T0)] = [2, 0, 0, 0]
    assert kept.read(tables, spans_at(T0)) == fresh(tables, T0)
    assert kept.read(tables, spans_at(T0 + 15 * MINUTE_MS)) == fresh(tables, T0 + 15 * MINUTE_MS)
    assert first == before
