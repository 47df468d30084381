"""Small panel builders on grafana-foundation-sdk, with the wallboard's colour rules.

Stat tiles are made for a TV across the room: the whole tile takes the status colour, the value
is centred with its series name, and there is no sparkline to squint at.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders.common import ReduceDataOptions
from grafana_foundation_sdk.builders.dashboard import ThresholdsConfig
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.builders.stat import Panel as Stat
from grafana_foundation_sdk.builders.timeseries import Panel as TimeSeries
from grafana_foundation_sdk.models.common import (
    BigValueColorMode,
    BigValueGraphMode,
    BigValueJustifyMode,
    BigValueTextMode,
)
from grafana_foundation_sdk.models.dashboard import (
    DataSourceRef,
    GridPos,
    Threshold,
    ThresholdsMode,
)

from floorboard.config import DEFAULT_TARGETS, Direction

DATASOURCE = DataSourceRef(type_val="prometheus", uid="floorboard-prometheus")


def query(expr: str, legend: str = "", instant: bool = False) -> Dataquery:
    q = Dataquery().expr(expr).legend_format(legend).ref_id("A").datasource(DATASOURCE)
    return q.instant() if instant else q.range()


def thresholds(kpi: str | None) -> ThresholdsConfig:
    """Red, amber, green from the default targets (warn = target, alert = red line)."""
    config = ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE)
    target = DEFAULT_TARGETS.get(kpi) if kpi else None
    if target is None:
        return config.steps([Threshold(color="blue", value=None)])
    if target.good is Direction.HIGHER:
        return config.steps([
            Threshold(color="red", value=None),
            Threshold(color="orange", value=target.alert),
            Threshold(color="green", value=target.warn),
        ])  # fmt: skip
    return config.steps([
        Threshold(color="green", value=None),
        Threshold(color="orange", value=target.warn),
        Threshold(color="red", value=target.alert),
    ])  # fmt: skip


def stat(title: str, expr: str, unit: str, kpi: str | None, pos: tuple[int, int, int, int],
         legend: str = "{{site}}", description: str = "") -> Stat:  # fmt: skip
    x, y, w, h = pos
    return (
        Stat()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .decimals(1)
        .thresholds(thresholds(kpi))
        .grid_pos(GridPos(x=x, y=y, w=w, h=h))
        .color_mode(BigValueColorMode.BACKGROUND)
        .graph_mode(BigValueGraphMode.NONE)
        .text_mode(BigValueTextMode.VALUE_AND_NAME)
        .justify_mode(BigValueJustifyMode.CENTER)
        .reduce_options(ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .no_value("–")
        .with_target(query(expr, legend, instant=True))
    )


def series(title: str, exprs: list[tuple[str, str]], unit: str, pos: tuple[int, int, int, int],
           kpi: str | None = None, description: str = "") -> TimeSeries:  # fmt: skip
    x, y, w, h = pos
    panel = (
        TimeSeries()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .thresholds(thresholds(kpi))
        .grid_pos(GridPos(x=x, y=y, w=w, h=h))
    )
    for i, (expr, legend) in enumerate(exprs):
        panel = panel.with_target(query(expr, legend).ref_id(chr(ord("A") + i)))
    return panel


def interval(title: str, low: str, high: str, unit: str, pos: tuple[int, int, int, int]) -> Stat:
    """Both ends of a 95 % interval, per site, in one neutral tile (a range has no status)."""
    panel = stat(title, low, unit, None, pos, legend="{{site}} low")
    return panel.with_target(query(high, "{{site}} high", instant=True).ref_id("B")).color_mode(
        BigValueColorMode.NONE
    )
