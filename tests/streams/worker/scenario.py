"""A scripted contact-centre hour: 3 queues × 2 channels, three teams, surveys, QA, agent states,
team pulse and some duplicates. Deterministic for a seed; every event is valid."""

from __future__ import annotations

import random
from typing import Any

from floorboard.config import Config, parse_config
from floorboard.events.model import Event
from tests.factory import MINUTE, SECOND, T0, contact, event

QUEUES = ("billing", "support", "sales")
CHANNELS = ("voice", "chat")
TEAMS = {"billing": "red", "support": "blue", "sales": "green"}
AGENTS = {team: [f"{team}-{n}" for n in range(1, 4)] for team in TEAMS.values()}

CONFIG_DATA: dict[str, Any] = {
    "sites": {
        "oslo": {
            "timezone": "Europe/Oslo",
            "queues": {q: {"channels": list(CHANNELS)} for q in QUEUES},
        }
    },
    "engine": {"allowed_lateness_s": 600, "min_responses": 3},
}


def scenario_config() -> Config:
    return parse_config(CONFIG_DATA)


def scenario(contacts: int = 300, seed: int = 7, start: int = T0, tag: str = "s") -> list[Event]:
    """Events in production order (by event time), ending about ``contacts * 8`` s after start."""
    rnd = random.Random(seed)
    out: list[Event] = []
    for team, agents in AGENTS.items():
        for agent in agents:
            out.append(_state(start - MINUTE, agent, team, "logged_in"))
            out.append(_state(start - MINUTE + SECOND, agent, team, "ready"))
    for i in range(contacts):
        t = start + i * 8 * SECOND + rnd.randint(0, 5) * SECOND
        queue = rnd.choice(QUEUES)
        channel = rnd.choice(CHANNELS)
        team = TEAMS[queue]
        agent = rnd.choice(AGENTS[team])
        cid = f"{tag}-c{i}"
        fate = rnd.random()
        if fate < 0.8:
            events = contact(
                cid, t, queue=queue, channel=channel, wait_s=rnd.randint(0, 60),
                agent=agent, team=team, talk_s=rnd.randint(30, 400), hold_s=rnd.randint(0, 30),
                acw_s=rnd.randint(5, 60),
            )  # fmt: skip
            out += events
            end = events[-1].ts
            if rnd.random() < 0.3:
                answers = {"csat": rnd.randint(1, 5), "nps": rnd.randint(0, 10),
                           "fcr": rnd.random() < 0.8}  # fmt: skip
                survey_ts = end + rnd.randint(60, 300) * SECOND
                out.append(event("survey.response", survey_ts, contact_id=cid, **answers))
            if rnd.random() < 0.1:
                qa_ts = end + 90 * SECOND
                score = rnd.randint(5, 10)
                out.append(event("qa.evaluation", qa_ts, contact_id=cid, score=score, max_score=10))
            if rnd.random() < 0.2:
                out.append(_state(t + 30 * SECOND, agent, team, "busy", [queue]))
                out.append(_state(end, agent, team, "ready", [queue]))
        elif fate < 0.95:
            out += contact(cid, t, queue=queue, channel=channel, abandon_s=rnd.randint(1, 90))
        else:
            out += contact(cid, t, queue=queue, channel=channel)  # still waiting
        if i % 50 == 25:
            who = rnd.choice(AGENTS[team])
            out.append(_state(t, who, team, "not_ready", reason="break"))
            out.append(_state(t + 5 * MINUTE, who, team, "ready"))
    for team in AGENTS:
        out.append(event("team.pulse", start + 10 * MINUTE, team=team,
                         metric="employee_satisfaction", value=round(rnd.uniform(3, 5), 1),
                         respondents=rnd.randint(5, 20)))  # fmt: skip
        out.append(event("team.pulse", start + 11 * MINUTE, team=team,
                         metric="sick_leave_rate", value=round(rnd.uniform(0, 0.1), 3)))  # fmt: skip
    out.sort(key=lambda e: e.ts)
    dupes = rnd.sample(out, 10)
    for dupe in dupes:  # redelivered by a producer a little later
        out.insert(min(len(out), out.index(dupe) + rnd.randint(1, 40)), dupe)
    return out


def _state(
    ts: int,
    agent: str,
    team: str,
    state: str,
    queues: list[str] | None = None,
    reason: str | None = None,
) -> Event:
    fields: dict[str, Any] = {"agent": agent, "team": team, "state": state}
    if queues:
        fields["queues"] = queues
    if reason is not None:
        fields["reason"] = reason
    return event("agent.state", ts, **fields)
