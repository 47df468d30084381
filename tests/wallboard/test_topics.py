"""Which topics a screen reads: a team screen never needs the agents topic."""

from __future__ import annotations

import argparse

from floorboard.config import RuntimeSettings
from floorboard.wallboard.cli import add_wallboard_arguments, topics_read

SETTINGS = RuntimeSettings(snapshots_topic="snap", agents_topic="agents")


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_wallboard_arguments(parser)
    return parser.parse_args(argv)


def test_a_team_screen_reads_team_records_only() -> None:
    assert topics_read(_args("--layout", "team", "--team", "red"), SETTINGS) == ["snap"]


def test_the_supervisor_and_rotating_screens_read_the_agents_topic_too() -> None:
    assert topics_read(_args(), SETTINGS) == ["snap", "agents"]
    assert topics_read(_args("--layout", "team", "--rotate", "30"), SETTINGS) == ["snap", "agents"]
