"""Cell vectors in their time buckets: the tables CELL_MINUTES and CELL_QUARTERS.

Events update minute buckets; a minute bucket is added into its quarter bucket when it leaves the
minute tier (``Engine._roll_up``), and reads sum both tiers, so every contribution counts exactly
once whichever bucket holds it.
"""

from __future__ import annotations

from floorboard.engine.expiry import ExpiryIndex
from floorboard.engine.layout import Layout, Vector
from floorboard.engine.marked import MarkedRows
from floorboard.engine.state import Key, KeyedState
from floorboard.engine.tables import CELL_MINUTES, CELL_QUARTERS
from floorboard.engine.windows import MINUTE_MS, TIER_MS, Tier


class CellBuckets:
    def __init__(
        self,
        state: KeyedState,
        expiry: ExpiryIndex,
        layout: Layout,
        kept: dict[str, tuple[int, int]],
    ) -> None:
        self._expiry = expiry
        self._zero = layout.zero
        # The engine's own dict, updated in place: per site, the first minute and quarter bucket
        # still kept (Engine._bounds).
        self._kept = kept
        self._tiers: dict[Tier, tuple[str, int, dict[Key, Vector], set[Key]]] = {
            tier: (table, TIER_MS[tier], state.tables[table], state.dirty[table])
            for tier, table in ((Tier.MINUTE, CELL_MINUTES), (Tier.QUARTER, CELL_QUARTERS))
        }
        self._minutes = MarkedRows(state, expiry, CELL_MINUTES, layout.zero)

    def vector(
        self, site: str, queue: str, channel: str, team: str, ts: int, tier: Tier = Tier.MINUTE
    ) -> Vector:
        """The cell's bucket vector for ``ts`` in ``tier``, created when missing."""
        table, size, rows, dirty = self._tiers[tier]
        key = (site, queue, channel, team, ts - ts % size)
        dirty.add(key)
        vector = rows.get(key)
        if vector is None:
            vector = rows[key] = self._zero()
            self._expiry.add(table, key)
        return vector

    def minute_vector(self, site: str, queue: str, channel: str, team: str, ts: int) -> Vector:
        """``vector`` in the minute tier, for event handlers.

        Accepted events are within the allowed lateness, so their minute is always still kept.
        """
        return self._minutes.row((site, queue, channel, team, ts - ts % MINUTE_MS))

    def forget_marks(self) -> None:
        """Mark minute vectors changed again from here (marked.py)."""
        self._minutes.forget()

    def tier_for(self, site: str, ts: int) -> Tier | None:
        """Where a contribution at ``ts`` lives now: its minute, its quarter, or nowhere (gone).

        Decided by the bounds roll-up and eviction use, as agent time is, so a later subtraction
        finds exactly what an addition put in. The bounds are bucket starts, so comparing ``ts``
        compares its bucket.
        """
        minute_lo, quarter_lo = self._kept[site]
        if ts >= minute_lo:
            return Tier.MINUTE
        return Tier.QUARTER if ts >= quarter_lo else None
