"""What a mapping makes of one source record: canonical events and an outcome with its reason.

Every source record is counted exactly once as ``mapped`` (it produced events), ``ignored`` (it
carries no KPI; the reason says why) or ``rejected`` (it could not be read; it goes to the
dead-letter topic with its original bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from floorboard.events.model import Event

OutcomeKind = Literal["mapped", "ignored", "rejected"]


@dataclass(slots=True)  # not frozen: one per source record, and frozen init costs
class Mapped:
    """The result of one source record. ``reason`` is the source event for mapped records."""

    outcome: OutcomeKind
    reason: str
    events: list[Event] = field(default_factory=list)
    message: str = ""


def rejected(reason: str, message: str) -> Mapped:
    return Mapped("rejected", reason, [], message)


def ignored(reason: str) -> Mapped:
    return Mapped("ignored", reason)
