"""Hypothesis strategies: a random but valid contact-centre stream, and arrival orders of it.

The stream mixes every event type: voice and chat contacts of every fate (including transfers
back to the queue they came from), email and messaging items, surveys and QA evaluations that
land before or long after their contact (some never meet one), agent state changes (some at the
same time), team pulse figures that tie on time and value, and exact duplicates.
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from floorboard.events.model import AGENT_STATES, ContactAnswered, Event
from tests.factory import SECOND, T0, contact, event

QUEUE_CHANNELS: dict[str, tuple[str, ...]] = {
    "billing": ("voice", "chat", "email"),
    "support": ("voice", "messaging", "email"),
}
# Agents never change team: agent events are partitioned by team (see partition_key).
AGENT_TEAM: dict[str, str] = {"a1": "red", "a2": "red", "a3": "blue", "a4": "blue"}
SPAN_S = 3 * 3600  # three hours: minute buckets roll up into quarters while the stream runs
# No event is later than this after T0 (09:00 Oslo): contacts start within SPAN_S, last at most
# half an hour (two legs) or 2.5 h (email reply and resolve), and feedback follows within 2 h.
LATEST_S = SPAN_S + 3 * 3600


def _leg(draw: st.DrawFn, cid: str, start: int, queue: str, channel: str, fate: str) -> list[Event]:
    """One pass of a synchronous contact through one queue."""
    agent = draw(st.sampled_from(sorted(AGENT_TEAM)))
    wait = draw(st.integers(0, 90))  # crosses the 5 s short-abandon and 20/30 s SL bounds
    answered = fate in ("answer", "transfer")
    events = contact(
        cid, start, queue=queue, channel=channel, agent=agent, team=AGENT_TEAM[agent],
        wait_s=wait if answered else None,
        abandon_s=wait if fate == "abandon" else None,
        talk_s=draw(st.integers(1, 600)) if answered else 0,
        hold_s=draw(st.integers(0, 60)),
        acw_s=draw(st.none() | st.integers(0, 120)),
    )  # fmt: skip
    if fate == "callback":
        events.append(
            event("contact.callback_requested", start + wait * SECOND, contact_id=cid,
                  queue=queue, channel=channel, wait_s=wait)
        )  # fmt: skip
    return events


@st.composite
def contact_events(draw: st.DrawFn, cid: str) -> list[Event]:
    start = T0 + draw(st.integers(0, SPAN_S)) * SECOND
    queue = draw(st.sampled_from(sorted(QUEUE_CHANNELS)))
    channel = draw(st.sampled_from(QUEUE_CHANNELS[queue]))
    common = {"contact_id": cid, "queue": queue, "channel": channel}
    if channel in ("email", "messaging"):
        out = [event("contact.offered", start, **common)]
        agent = draw(st.sampled_from(sorted(AGENT_TEAM)))
        who = {"agent": agent, "team": AGENT_TEAM[agent], "received_ts": start}
        reply = start + draw(st.integers(0, 90 * 60)) * SECOND
        if draw(st.booleans()):
            out.append(event("contact.first_response", reply, **who, **common))
            if draw(st.booleans()):
                done = reply + draw(st.integers(0, 3600)) * SECOND
                out.append(event("contact.resolved", done, **who, **common))
        return out
    fate = draw(st.sampled_from(["answer", "abandon", "wait", "callback", "transfer"]))
    out = _leg(draw, cid, start, queue, channel, fate)
    if fate == "transfer":
        # Answered, then transferred (possibly back into the same queue) and queued again there.
        last = out[-1]
        to_queue = draw(st.sampled_from(sorted(QUEUE_CHANNELS)))
        answer = out[1]
        assert isinstance(answer, ContactAnswered)
        agent = answer.agent
        out.append(
            event("contact.transferred", last.ts, contact_id=cid, queue=queue, channel=channel,
                  agent=agent, team=answer.team, to_queue=to_queue)
        )  # fmt: skip
        second = draw(st.sampled_from(["answer", "abandon", "wait"]))
        out += _leg(draw, cid, last.ts + SECOND, to_queue, "voice", second)
    return out


@st.composite
def feedback(draw: st.DrawFn, cid: str, near: int) -> list[Event]:
    """A survey and/or QA evaluation for ``cid``, seconds to two hours after ``near``."""
    out: list[Event] = []
    delay = st.integers(-30, 120) | st.integers(120, 2 * 3600)
    if draw(st.booleans()):
        answers = {
            "csat": draw(st.none() | st.integers(1, 5)),
            "nps": draw(st.none() | st.integers(0, 10)),
            "fcr": draw(st.none() | st.booleans()),
            "ces": draw(st.none() | st.integers(1, 7)),
        }
        if all(v is None for v in answers.values()):
            answers["csat"] = draw(st.integers(1, 5))
        present = {k: v for k, v in answers.items() if v is not None}
        ts = max(T0, near + draw(delay) * SECOND)
        out.append(event("survey.response", ts, contact_id=cid, **present))
    if draw(st.booleans()):
        ts = max(T0, near + draw(delay) * SECOND)
        top = draw(st.sampled_from([10, 20]))
        out.append(
            event("qa.evaluation", ts, contact_id=cid, score=draw(st.integers(0, top)),
                  max_score=top, items_passed=draw(st.integers(0, 5)))
        )  # fmt: skip
    return out


@st.composite
def agent_events(draw: st.DrawFn) -> list[Event]:
    out: list[Event] = []
    for agent, team in AGENT_TEAM.items():
        for _ in range(draw(st.integers(0, 5))):
            state = draw(st.sampled_from(AGENT_STATES))
            # A few shared times, so an agent's transitions tie on time too.
            ts = T0 + draw(st.integers(0, SPAN_S) | st.sampled_from([600, 3600])) * SECOND
            queues = draw(st.lists(st.sampled_from(sorted(QUEUE_CHANNELS)), unique=True))
            reason = draw(st.sampled_from(["break", "training"])) if state == "not_ready" else None
            out.append(
                event("agent.state", ts, agent=agent, team=team, state=state, queues=queues,
                      reason=reason)
            )  # fmt: skip
    return out


@st.composite
def pulse_events(draw: st.DrawFn) -> list[Event]:
    # Few distinct times and values, so ties on (ts, value) with different respondents happen.
    out: list[Event] = []
    for _ in range(draw(st.integers(0, 4))):
        metric = draw(st.sampled_from(["employee_satisfaction", "sick_leave_rate"]))
        value = draw(st.sampled_from([0.05, 0.5] if metric == "sick_leave_rate" else [3.5, 4.0]))
        out.append(
            event("team.pulse", T0 + draw(st.sampled_from([0, 60])) * 60 * SECOND,
                  team=draw(st.sampled_from(["red", "blue"])), metric=metric, value=value,
                  respondents=draw(st.sampled_from([0, 7, 9])))
        )  # fmt: skip
    return out


@st.composite
def centre_events(draw: st.DrawFn, max_contacts: int = 12) -> list[Event]:
    out: list[Event] = []
    for i in range(draw(st.integers(1, max_contacts))):
        cid = f"c{i}"
        legs = draw(contact_events(cid))
        out += legs
        out += draw(feedback(cid, legs[-1].ts))
    for i in range(draw(st.integers(0, 2))):  # feedback whose contact never arrives
        out += draw(feedback(f"ghost{i}", T0 + draw(st.integers(0, SPAN_S)) * SECOND))
    out += draw(agent_events())
    out += draw(pulse_events())
    out += draw(st.lists(st.sampled_from(out), max_size=3))  # exact re-deliveries
    return out


def by_event_time(events: list[Event]) -> list[Event]:
    return sorted(events, key=lambda e: e.ts)


def reversed_within(events: list[Event], lateness_ms: int) -> list[Event]:
    """The most shuffled valid order: blocks of ``lateness_ms`` in time order, each reversed.

    Within a block no two events are more than the lateness apart; ties are reversed too.
    """
    indexed = list(enumerate(events))
    indexed.sort(key=lambda p: (p[1].ts // lateness_ms, -p[1].ts, -p[0]))
    return [e for _, e in indexed]


def arrival_order(events: list[Event], rnd: random.Random, lateness_ms: int) -> list[Event]:
    """A random arrival order in which no event is more than ``lateness_ms`` behind the newest.

    Each event arrives at its time plus a delay in [0, lateness]: if f arrives before e, then
    f.ts ≤ e.ts + lateness, so e is never too late. Any such delays give a valid order.
    """
    keyed = [(e.ts + rnd.randint(0, lateness_ms), rnd.random(), e) for e in events]
    return [e for _, _, e in sorted(keyed, key=lambda k: (k[0], k[1]))]
