"""Agents' privacy: records every screen reads name nobody, quality keys resist the roster,
works-council mode shows only the day's pseudonyms."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from pydantic import SecretStr

from floorboard.config import Config
from floorboard.engine.engine import Engine
from floorboard.engine.pseudonyms import QUALITY, local_day, pseudonym
from floorboard.engine.read import snapshot
from floorboard.engine.snapshot import AgentRoster, TeamSnapshot, encode
from floorboard.engine.views import merge
from floorboard.events import model as m
from floorboard.metrics import KpiCollectors
from floorboard.wallboard.board import BoardBuilder
from tests.engine.helpers import quality_key, run
from tests.simulator.helpers import HOUR, MONDAY_7, day, example

AT = MONDAY_7 + 6 * HOUR  # 13:00 in Oslo, six hours into the simulated day


def _day_engine(cfg: Config) -> tuple[Engine, set[str]]:
    events = [e for e in day("normal", seed=5, hours=6) if e.ts < AT]
    roster = {e.agent for e in events if isinstance(e, m.AgentState)}
    return run(cfg, events), roster


def _with_privacy(**privacy: object) -> Config:
    cfg = example()
    return cfg.model_copy(update={"privacy": cfg.privacy.model_copy(update=privacy)})


def test_the_roster_does_not_re_identify_the_quality_keys() -> None:
    cfg = example()
    engine, roster = _day_engine(cfg)
    records = snapshot(engine, AT, "p0")
    teams = [r for r in records if isinstance(r, TeamSnapshot)]
    published = {name for t in teams for name in t.agent_quality}
    assert len(roster) >= 30 and len(published) >= 20  # a real day, most agents surveyed
    site = "oslo"
    today = local_day(AT, cfg.sites[site].zone)
    guesses = set()
    for agent in roster:
        # what anyone holding the roster can compute: the old unkeyed hash, keyless HMACs,
        # the HMAC under a wrong key, the right key on another day
        old = hashlib.sha256(f"floorboard-agent|{site}|{agent}".encode()).hexdigest()
        guesses |= {old[:10], old[:16], hashlib.sha256(agent.encode()).hexdigest()[:16]}
        for key in ("", "floorboard", agent, site):
            guesses.add(pseudonym(SecretStr(key), QUALITY, site, agent, today))
        yesterday = today - dt.timedelta(days=1)
        guesses.add(pseudonym(cfg.privacy.agent_key, QUALITY, site, agent, yesterday))
    assert not published & guesses
    # …while the holder of the key does link every one of them (so the check above can fail)
    assert published <= {quality_key(cfg, site, a, AT) for a in roster}


def test_records_every_screen_reads_carry_no_agent_id() -> None:
    engine, roster = _day_engine(example())
    records = snapshot(engine, AT, "p0")
    shared = b"".join(encode(r) for r in records if not isinstance(r, AgentRoster))
    named = [a for a in roster if a.encode() in shared]
    assert named == []
    rosters = [r for r in records if isinstance(r, AgentRoster)]
    assert rosters and any(a.agent in roster for r in rosters for a in r.agents)


def test_metrics_have_no_agent_label() -> None:
    cfg = example()
    engine, roster = _day_engine(cfg)
    records = snapshot(engine, AT, "p0")
    families = list(KpiCollectors(lambda: records, cfg, lambda: AT).collect())
    assert families
    for family in families:
        for sample in family.samples:
            assert "agent" not in sample.labels
            assert not roster & set(sample.labels.values())


def test_quality_keys_rotate_at_local_midnight() -> None:
    cfg = example()
    zone = cfg.sites["oslo"].zone
    before = int(dt.datetime(2026, 3, 28, 23, 59, tzinfo=zone).timestamp() * 1000)
    after = int(dt.datetime(2026, 3, 29, 0, 1, tzinfo=zone).timestamp() * 1000)
    assert quality_key(cfg, "oslo", "a1", before) != quality_key(cfg, "oslo", "a1", after)
    assert quality_key(cfg, "oslo", "a1", after) == quality_key(cfg, "oslo", "a1", after + HOUR)


def test_works_council_mode_shows_pseudonyms_and_states_only() -> None:
    cfg = _with_privacy(works_council=True)
    engine, roster = _day_engine(cfg)
    records = snapshot(engine, AT, "p0")
    shown = [a for r in records if isinstance(r, AgentRoster) for a in r.agents]
    assert shown and all(a.agent.startswith("agent-") for a in shown)
    assert all((a.reason, a.since, a.queues) == ("", 0, ()) for a in shown)
    encoded = b"".join(encode(r) for r in records)
    assert [a for a in roster if a.encode() in encoded] == []
    # the board lists states under the day's pseudonyms, without time in state
    board = BoardBuilder(cfg, engine.layout).supervisor(merge(records), "today", "oslo", None)
    assert board.agents and {row.time_in_state for row in board.agents} == {"–"}
    assert not {row.agent for row in board.agents} & roster
    # team spreads stay: the quality keys are still there for them
    assert any(r.agent_quality for r in records if isinstance(r, TeamSnapshot))


def test_an_agent_key_file_is_used_and_an_unreadable_one_is_a_config_error(
    tmp_path: Path,
) -> None:
    from floorboard.config import ConfigError, parse_config

    key = tmp_path / "agent.key"
    key.write_text("site-secret\n")
    site = {"oslo": {"timezone": "Europe/Oslo"}}
    cfg = parse_config({"sites": site, "privacy": {"agent_key_file": str(key)}})
    assert cfg.privacy.agent_key.get_secret_value() == "site-secret"
    assert "site-secret" not in repr(cfg.privacy.agent_key)
    missing = {"sites": site, "privacy": {"agent_key_file": str(tmp_path / "nope")}}
    with pytest.raises(ConfigError, match=r"privacy\.agent_key_file: cannot read"):
        parse_config(missing)
