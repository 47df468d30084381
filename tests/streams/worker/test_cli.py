from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import yaml

from floorboard.cli import build_parser, main
from floorboard.streams.broker import free_port
from floorboard.streams.worker import cli
from tests.streams.worker.scenario import CONFIG_DATA


def parse(argv: list[str]) -> argparse.Namespace:
    return build_parser(argv[0]).parse_args(argv)


def test_options_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOORBOARD_WORKER_APP_ID", "from-env")
    args = parse(["worker", "--config", "x.yaml", "--app-id", "from-flag", "--read-at", "5"])
    assert (args.app_id, args.read_at, args.web_port, args.broker) == ("from-flag", 5, None, None)
    assert args.func is cli.run


def test_an_unreachable_broker_is_one_line_and_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "floorboard.yaml"
    config.write_text(yaml.safe_dump(CONFIG_DATA), encoding="utf-8")
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    assert cli.run(parse(["worker", "--config", str(config), "--broker", address])) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"floorboard worker: broker {address}: ") and len(err.splitlines()) == 1


def test_a_bad_worker_variable_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "floorboard.yaml"
    config.write_text(yaml.safe_dump(CONFIG_DATA), encoding="utf-8")
    monkeypatch.setenv("FLOORBOARD_WORKER_DAY_RECORDS_INTERVAL_S", "20")
    assert main(["worker", "--config", str(config), "--broker", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("floorboard: invalid configuration: environment: "
                          "FLOORBOARD_WORKER_DAY_RECORDS_INTERVAL_S: ")  # fmt: skip
    assert len(err.splitlines()) == 1
