"""Panel specs and their builders on grafana-foundation-sdk, with the wallboard's colour rules.

A dashboard is a table of rows: each row a height and its panels left to right, each panel a small
frozen spec with its own width, so the grid positions follow from the table (``with_rows``).

Stat tiles are made for a TV across the room: the whole tile takes the status colour, the value
is centred with its series name, and there is no sparkline to squint at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from grafana_foundation_sdk.builders.common import ReduceDataOptions
from grafana_foundation_sdk.builders.dashboard import Dashboard, ThresholdsConfig
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.builders.stat import Panel as StatPanel
from grafana_foundation_sdk.builders.timeseries import Panel as TimeSeriesPanel
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

# The provisioned datasource's uid; panels and queries name the dashboard's datasource variable,
# so a dashboard imported elsewhere runs on whichever Prometheus the importer picks.
DATASOURCE_UID = "floorboard-prometheus"
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")


def query(expr: str, legend: str = "", instant: bool = False) -> Dataquery:
    q = Dataquery().expr(expr).legend_format(legend).ref_id("A").datasource(DATASOURCE)
    return q.instant() if instant else q.range()


def thresholds(kpi: str | None, limits: tuple[float, float] | None = None) -> ThresholdsConfig:
    """Red, amber, green from the default targets (warn = target, alert = red line), or from
    ``limits`` (amber, red; lower is better): the lines the pipeline alerts fire at."""
    config = ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE)
    target = DEFAULT_TARGETS.get(kpi) if kpi else None
    if limits is not None:
        return config.steps([
            Threshold(color="green", value=None),
            Threshold(color="orange", value=limits[0]),
            Threshold(color="red", value=limits[1]),
        ])  # fmt: skip
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


@dataclass(frozen=True, slots=True)
class Stat:
    """One figure per series, the tile coloured by the KPI's default target (blue without one)."""

    title: str
    expr: str
    unit: str = "none"
    kpi: str | None = None
    legend: str = "{{site}}"
    width: int = 6
    decimals: int = 1  # 0 for counts: nobody waits 2.0 customers
    limits: tuple[float, float] | None = None  # amber and red lines where no KPI target applies

    def build(self, pos: GridPos) -> StatPanel:
        return (
            StatPanel()
            .title(self.title)
            .description("")
            .datasource(DATASOURCE)
            .unit(self.unit)
            .decimals(self.decimals)
            .thresholds(thresholds(self.kpi, self.limits))
            .grid_pos(pos)
            .color_mode(BigValueColorMode.BACKGROUND)
            .graph_mode(BigValueGraphMode.NONE)
            .text_mode(BigValueTextMode.VALUE_AND_NAME)
            .justify_mode(BigValueJustifyMode.CENTER)
            .reduce_options(ReduceDataOptions().calcs(["lastNotNull"]).values(False))
            .no_value("–")
            .with_target(query(self.expr, self.legend, instant=True))
        )


@dataclass(frozen=True, slots=True)
class Interval:
    """Both ends of a 95 % interval, per site, in one neutral tile (a range has no status)."""

    title: str
    low: str
    high: str
    unit: str = "none"
    width: int = 6

    def build(self, pos: GridPos) -> StatPanel:
        panel = Stat(self.title, self.low, self.unit, legend="{{site}} low").build(pos)
        return panel.with_target(
            query(self.high, "{{site}} high", instant=True).ref_id("B")
        ).color_mode(BigValueColorMode.NONE)


@dataclass(frozen=True, slots=True)
class Series:
    """A time series of one or more ``(expr, legend)`` lines, queries A, B, C… in order."""

    title: str
    lines: tuple[tuple[str, str], ...]
    unit: str = "none"
    kpi: str | None = None
    description: str = ""
    width: int = 12

    def build(self, pos: GridPos) -> TimeSeriesPanel:
        panel = (
            TimeSeriesPanel()
            .title(self.title)
            .description(self.description)
            .datasource(DATASOURCE)
            .unit(self.unit)
            .thresholds(thresholds(self.kpi))
            .grid_pos(pos)
        )
        for i, (expr, legend) in enumerate(self.lines):
            panel = panel.with_target(query(expr, legend).ref_id(chr(ord("A") + i)))
        return panel


@dataclass(frozen=True, slots=True)
class Row:
    height: int
    panels: tuple[Stat | Interval | Series, ...]


def with_rows(board: Dashboard, rows: Iterable[Row]) -> Dashboard:
    """The rows top to bottom, each row's panels left to right at their widths."""
    y = 0
    for row in rows:
        x = 0
        for panel in row.panels:
            board = board.with_panel(panel.build(GridPos(x=x, y=y, w=panel.width, h=row.height)))
            x += panel.width
        y += row.height
    return board
