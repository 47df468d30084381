"""The metric tables of docs/metrics.md, rendered from the contract (floorboard/metrics/names.py).

``python -m floorboard.dashboards.metrics_doc`` prints them; a test fails when the document differs.
"""

from __future__ import annotations

from collections.abc import Iterable

from floorboard.metrics.names import ADAPTERS, KPI, PIPELINE, Spec

HEAD = "| name | type | labels | meaning |\n|------|------|--------|---------|\n"


def table(specs: Iterable[Spec]) -> str:
    rows = []
    for spec in specs:
        labels = ", ".join(spec.labels) + (", le" if spec.kind.value == "histogram" else "")
        rows.append(f"| `{spec.name}` | {spec.kind.value} | {labels or '–'} | {spec.help} |")
    return HEAD + "\n".join(rows) + "\n"


def tables() -> dict[str, str]:
    """Section title → its table."""
    return {
        "KPI metrics": table(KPI),
        "Pipeline metrics": table(PIPELINE),
        "Adapter metrics": table(ADAPTERS),
    }


if __name__ == "__main__":
    for title, body in tables().items():
        print(f"## {title}\n\n{body}")
