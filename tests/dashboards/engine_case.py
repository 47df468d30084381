"""A day of contacts run through the real engine and the real collectors, for rule tests.

Two engines stand for two workers (contacts routed by the streaming layer's partition key); each
is scraped through its own KpiCollectors, as Prometheus would scrape two workers.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from floorboard.config import Config, parse_config
from floorboard.engine.engine import Engine
from floorboard.engine.kpis import Figure
from floorboard.engine.read import snapshot
from floorboard.engine.views import Views, figures, merge
from floorboard.engine.views import site_figures as views_site_figures
from floorboard.engine.views import team_figures as views_team_figures
from floorboard.events.model import Event, partition_key
from floorboard.metrics import KpiCollectors
from tests.factory import MINUTE, SECOND, T0, contact, event

NOW = T0 + 2 * 60 * MINUTE
WORKERS = 2
# Every SL variant on some queue × channel, and a queue the configuration does not know.
CONFIG: Config = parse_config(
    {
        "sites": {
            "oslo": {
                "timezone": "Europe/Oslo",
                "queues": {
                    "billing": {
                        "channels": ["voice", "chat", "email"],
                        "overrides": {
                            "chat": {"sl_threshold_s": 45,
                                     "sl_variant": "answered_of_answered_abandoned"},
                        },
                    },
                    "support": {
                        "channels": ["voice", "messaging"],
                        "overrides": {
                            "voice": {"sl_threshold_s": 60,
                                      "sl_variant": "answered_of_answered_long_abandoned"},
                            "messaging": {"sl_variant": "answered_or_abandoned_of_offered"},
                        },
                    },
                },
            }
        },
        "engine": {"min_responses": 3},
    }
)  # fmt: skip
QUEUES = (
    ("billing", "voice"),
    ("billing", "chat"),
    ("billing", "email"),
    ("support", "voice"),
    ("support", "messaging"),
    ("returns", "voice"),  # not configured: no threshold gauge
)
WAITS = (1, 4, 5, 6, 19, 20, 21, 29, 30, 31, 44, 45, 46, 59, 60, 61, 200, 3599, 3600, 3700)


AGENT_STATES = ("ready", "busy", "acw", "not_ready")


def events(seed: int = 3) -> Iterator[Event]:
    rng = random.Random(seed)
    # Resolutions and agent states draw from their own generator, so the contacts stay as they were.
    extra = random.Random(seed + 1)
    for team in ("red", "blue"):
        for a in range(2):
            for k in range(12):
                state = extra.choice(AGENT_STATES)
                yield event("agent.state", T0 + (k * 9 + a) * MINUTE, agent=f"{team}{a}",
                            team=team, state=state,
                            reason="training" if state == "not_ready" else None)  # fmt: skip
    for q, (queue, channel) in enumerate(QUEUES):
        for i in range(40):
            cid = f"c{q}-{i}"
            start = T0 + rng.randrange(60 * 60) * SECOND
            outcome = rng.choice(("answered", "answered", "abandoned", "waiting"))
            team = rng.choice(("red", "blue"))
            # Only red answers returns, so the two teams' service levels cover different queues.
            team = "red" if queue == "returns" else team
            yield from contact(
                cid, start, queue=queue, channel=channel, team=team,
                wait_s=rng.choice(WAITS) if outcome == "answered" else None,
                abandon_s=rng.choice(WAITS[:12]) if outcome == "abandoned" else None,
                talk_s=rng.randrange(30, 600), hold_s=rng.choice((0, 0, 30)),
                acw_s=rng.choice((None, 15, 60)),
            )  # fmt: skip
            if outcome == "answered" and channel in ("email", "messaging") and extra.random() < 0.6:
                yield event("contact.resolved", start + extra.randrange(60, 3000) * SECOND,
                            contact_id=cid, queue=queue, channel=channel, agent="a1",
                            team=extra.choice(("red", "blue")), received_ts=start)  # fmt: skip
            if outcome == "answered" and rng.random() < 0.7:
                yield event("survey.response", start + 20 * MINUTE, contact_id=cid,
                            csat=rng.randint(1, 5), nps=rng.randint(0, 10),
                            fcr=rng.random() < 0.75)  # fmt: skip
            if outcome == "answered" and rng.random() < 0.3:
                yield event("qa.evaluation", start + 30 * MINUTE, contact_id=cid,
                            score=rng.randint(5, 10), max_score=10)  # fmt: skip


@dataclass(frozen=True)
class Sample:
    kind: str  # the family's type: counter, gauge, histogram
    name: str
    labels: dict[str, str]
    value: float


@dataclass
class Case:
    samples: list[Sample]  # both workers' scrapes, each with its instance label
    views: Views  # the engine's merged view of every partition


def run(seed: int = 3) -> Case:
    engines = [Engine(CONFIG) for _ in range(WORKERS)]
    # In time order, as a feed delivers them (the engine drops what is later than allowed).
    for ev in sorted(events(seed), key=lambda e: e.ts):
        engines[zlib.crc32(partition_key(ev).encode()) % WORKERS].apply(ev)
    samples, records = [], []
    for i, engine in enumerate(engines):
        mine = snapshot(engine, NOW, f"floorboard.events/{i}")
        records += mine
        registry = CollectorRegistry()
        registry.register(KpiCollectors(lambda mine=mine: mine, CONFIG))  # type: ignore[misc]
        for family in text_string_to_metric_families(generate_latest(registry).decode()):
            for s in family.samples:
                samples.append(
                    Sample(family.type, s.name, {**s.labels, "instance": f"w{i}"}, s.value)
                )
    return Case(samples, merge(records))


def queue_figures(views: Views) -> dict[tuple[str, str, str], dict[str, Figure]]:
    layout = Engine(CONFIG).layout
    return {
        key: figures(view.windows.get("today"), CONFIG, layout, key)
        for key, view in views.queues.items()
        if key[1]  # the unattributed cell (queue "") has no contacts of its own
    }


def site_figures(views: Views, site: str) -> dict[str, Figure]:
    return views_site_figures(views, site, "today", CONFIG, Engine(CONFIG).layout)


def team_figures(views: Views) -> dict[tuple[str, str], dict[str, Figure]]:
    layout = Engine(CONFIG).layout
    return {key: views_team_figures(views, *key, "today", CONFIG, layout) for key in views.teams}
