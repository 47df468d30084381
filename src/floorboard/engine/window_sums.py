"""Window sums of bucket rows per group, kept between reads by difference.

A snapshot sums every window of every queue and team from the minute and quarter buckets (``read``
does this several times a second). Between two reads only a few buckets change, mostly the
current minute's, and the windows' spans move only at bucket boundaries. So ``WindowSums`` keeps
a copy of each bucket row as last read and the sums of those copies; a read compares each row with
its copy (a list comparison in C), adds the difference of the rows that changed (or were added or
removed) to the windows holding them, and sums afresh only the windows whose span moved. The sums
always equal those of the copies, so any sequence of reads gives the figures a fresh sum would:
nothing depends on which writes the engine made in between (a restore that replaces the tables
shows up as rows that changed).

What a read hands out is built anew only for the groups that changed: a group's dict and vectors
are handed out again, unchanged, while the group does not change, and never changed afterwards.
So a caller keeps them as long as it likes but must copy what it wants to change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from floorboard.engine.layout import Vector
from floorboard.engine.windows import Span, Tier, Window

Key = tuple[object, ...]  # (site, ..., bucket start)
Rows = Mapping[Key, Sequence[int]]
# The groups a bucket row counts in, from its key.
Groups = Callable[[Key], tuple[Hashable, ...]]
Sums = dict[Hashable, dict[str, Vector]]  # what a read hands out (a Window is a str)
_Kept = dict[Hashable, dict[Window, Vector]]
W = TypeVar("W", bound=Hashable)  # a window, or any key of a span


def _holds(span: Span, tier: Tier, bucket: int) -> bool:
    # Minute buckets not yet rolled up into their quarter count in quarter-tier windows too.
    return (span.tier is Tier.QUARTER or tier is Tier.MINUTE) and span.start <= bucket < span.end


class WindowSums:
    """The sums of one engine's rows of two tables (minute and quarter buckets) per group."""

    def __init__(self, groups: Groups, size: int) -> None:
        self._groups = groups
        self._size = size
        self._seen: dict[Tier, dict[Key, list[int]]] = {Tier.MINUTE: {}, Tier.QUARTER: {}}
        self._spans: dict[str, dict[Window, Span]] = {}
        self._sums: dict[str, _Kept] = defaultdict(lambda: defaultdict(dict))  # by site
        self._out: dict[str, Sums] = defaultdict(dict)  # by site: as last handed out
        self._changed: dict[str, set[Hashable]] = defaultdict(set)  # by site: groups changed since

    def read(self, tables: Mapping[Tier, Rows], spans: dict[str, dict[Window, Span]]) -> Sums:
        """Every group's window sums at ``spans``, all-zero windows left out (read-only)."""
        moved = {
            site: {w for w, span in by_window.items() if self._spans.get(site, {}).get(w) != span}
            for site, by_window in spans.items()
        }
        for tier, rows in tables.items():
            self._follow(tier, rows, spans, moved)
        for site, resum in moved.items():
            if resum:
                self._resum(site, {w: spans[site][w] for w in resum})
        self._spans = spans
        out: Sums = {}
        for site, by_window in spans.items():
            sums, shown = self._sums[site], self._out[site]
            for group in self._changed.pop(site, ()):
                windows = sums[group]
                # In the spans' order, whatever order the windows changed in.
                held: dict[str, Vector] = {
                    w: list(v) for w in by_window if (v := windows.get(w)) and any(v)
                }
                if held:
                    shown[group] = held
                else:
                    shown.pop(group, None)
                    if not windows:
                        del sums[group]  # its windows all moved past its buckets
            out.update(shown)
        return out

    def _follow(
        self,
        tier: Tier,
        rows: Rows,
        spans: dict[str, dict[Window, Span]],
        moved: dict[str, set[Window]],
    ) -> None:
        """Bring the copies of one table up to date, adding each change to the windows that
        hold its bucket and keep their span."""
        seen = self._seen[tier]
        changes: list[tuple[Key, list[tuple[int, int]]]] = []
        for key, row in rows.items():
            old = seen.get(key)
            if old is None:
                changes.append((key, [(i, v) for i, v in enumerate(row) if v]))
            elif old != row:
                pairs = enumerate(zip(row, old, strict=True))
                changes.append((key, [(i, v - o) for i, (v, o) in pairs if v != o]))
            else:
                continue
            seen[key] = list(row)
        for key in seen.keys() - rows.keys():
            changes.append((key, [(i, -o) for i, o in enumerate(seen.pop(key)) if o]))
        for key, delta in changes:
            site = str(key[0])
            if site not in spans:
                continue
            bucket = int(str(key[-1]))
            sums, changed = self._sums[site], self._changed[site]
            for window, span in spans[site].items():
                if window in moved[site] or not _holds(span, tier, bucket):
                    continue
                for group in self._groups(key):
                    changed.add(group)
                    target = sums[group].get(window)
                    if target is None:
                        target = sums[group][window] = [0] * self._size
                    for i, d in delta:
                        target[i] += d

    def _resum(self, site: str, spans: dict[Window, Span]) -> None:
        """Sum the windows in ``spans`` of one site afresh from the copies."""
        fresh = sum_windows(self._seen, {site: spans}, self._groups)
        sums, changed = self._sums[site], self._changed[site]
        for by_window in sums.values():
            for window in spans:
                by_window.pop(window, None)
        changed.update(sums)
        changed.update(fresh)
        for group, by_window in fresh.items():
            sums[group].update(by_window)


def sum_windows(
    tables: Mapping[Tier, Rows], spans: Mapping[str, Mapping[W, Span]], groups: Groups
) -> dict[Hashable, dict[W, Vector]]:
    """Each group's sum of its rows in each window's span, taken afresh. Rows of sites not in
    ``spans`` are left out; a window without rows is absent (one whose rows sum to zero is not)."""
    grouped: dict[tuple[str, Hashable], list[tuple[int, Tier, Sequence[int]]]] = defaultdict(list)
    for tier, rows in tables.items():
        for key, row in rows.items():
            site = str(key[0])
            if site in spans:
                bucket = int(str(key[-1]))
                for group in groups(key):
                    grouped[(site, group)].append((bucket, tier, row))
    out: dict[Hashable, dict[W, Vector]] = defaultdict(dict)
    for (site, group), buckets in grouped.items():
        for window, span in spans[site].items():
            # ``_holds`` inline: a comprehension per window, not a call per bucket and window.
            quarters = span.tier is Tier.QUARTER
            vectors = [
                row
                for bucket, tier, row in buckets
                if (quarters or tier is Tier.MINUTE) and span.start <= bucket < span.end
            ]
            if vectors:
                # Column sums in C: a window holds up to 60 minute or 100 quarter buckets.
                out[group][window] = list(map(sum, zip(*vectors, strict=True)))
    return out
