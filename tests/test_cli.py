"""The ``floorboard`` command: version, help, and subcommands loaded only when they run."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from floorboard.cli import COMMANDS, Command, build_parser, main


def test_version_is_the_installed_distribution_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"floorboard {version('floorboard')}\n"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_loads_its_own_arguments(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: floorboard {name} ")


def test_help_lists_every_command_without_importing_any() -> None:
    modules = sorted({c.module for c in COMMANDS.values()})
    probe = (
        "import sys\n"
        "from floorboard.cli import build_parser\n"
        "print(build_parser().format_help())\n"
        f"print('loaded:', [m for m in {modules!r} if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    assert "loaded: []" in out
    for name, command in COMMANDS.items():
        assert name in out and command.help.split()[0] in out


def test_a_broken_command_breaks_only_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "floorboard_broken_command.py").write_text("raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(
        COMMANDS, "broken", Command("floorboard_broken_command", "configure", "always fails")
    )
    assert main(["broken"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("floorboard broken: cannot load floorboard_broken_command: ")
    assert "boom" in err and len(err.splitlines()) == 1
    # every other command still parses
    args = build_parser("replay").parse_args(["replay", "events.jsonl"])
    assert args.file == Path("events.jsonl") and callable(args.func)


@pytest.mark.parametrize("output", ["--json", "--csv=intervals", "--text"])
def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path, output: str) -> None:
    from floorboard.config import EXAMPLE_CONFIG

    events = tmp_path / "events.jsonl"
    events.write_text("")
    flags = [] if output == "--text" else [output]
    run = subprocess.Popen(
        [sys.executable, "-m", "floorboard.cli", "report", str(events),
         "--config", str(EXAMPLE_CONFIG), *flags],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert run.stdout is not None and run.stderr is not None
    run.stdout.close()  # as `| head` does once it has its lines
    err = run.stderr.read().decode()
    assert run.wait() == 1
    assert err == ""
