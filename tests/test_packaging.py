"""The wheel holds one package with its data, and installed alone it runs from any directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The venv's own uv, pinned in uv.lock.
UV = str(Path(sys.executable).parent / "uv")
# Run from outside the repository, so nothing resolves against the source tree.
CLEAN_ENV = {
    k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "UV_PROJECT"}
}
CLEAN_ENV["UV_PYTHON_DOWNLOADS"] = "never"

# Data read at run time, each found through importlib.resources.
PACKAGE_DATA = (
    "floorboard/py.typed",
    "floorboard/config/example.yaml",
    "floorboard/wallboard/wallboard.tcss",
    "floorboard/dashboards/prometheus/alerts.rules.yml",
    "floorboard/dashboards/prometheus/recording.rules.yml",
    "floorboard/dashboards/alertmanager/alertmanager.yml",
    "floorboard/dashboards/grafana/generated/dashboards/floorboard-overview.json",
)


def uv(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [UV, *args], cwd=cwd, env=CLEAN_ENV, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    uv("build", "--wheel", "--python", sys.executable, "--out-dir", str(out), str(REPO), cwd=out)
    (found,) = out.glob("floorboard-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the locked runtime dependencies and the wheel; its bin directory."""
    root = tmp_path_factory.mktemp("installed")
    requirements = root / "requirements.txt"
    uv("export", "--frozen", "--no-dev", "--no-emit-project", "-o", str(requirements), cwd=REPO)
    uv("venv", "--python", sys.executable, str(root / "venv"), cwd=root)
    python = str(root / "venv" / "bin" / "python")
    uv("pip", "install", "--python", python, "--require-hashes", "-r", str(requirements), cwd=root)
    uv("pip", "install", "--python", python, "--no-deps", str(wheel), cwd=root)
    return root / "venv" / "bin"


def test_the_wheel_holds_only_floorboard_and_its_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert {n.split("/")[0] for n in names} == {"floorboard", f"floorboard-{version}.dist-info"}
    for path in PACKAGE_DATA:
        assert path in names


def test_the_bootstrap_uv_is_the_locked_uv() -> None:
    locked = tomllib.loads((REPO / "uv.lock").read_text())
    (uv_version,) = [p["version"] for p in locked["package"] if p["name"] == "uv"]
    bootstrap = (REPO / "requirements" / "uv.txt").read_text()
    assert re.search(rf"^uv=={re.escape(uv_version)} ", bootstrap, re.M), bootstrap[:200]


@pytest.mark.broker
def test_installed_from_the_wheel_the_demo_runs_anywhere(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import floorboard; print(floorboard.__file__)"],
        cwd=tmp_path, env=CLEAN_ENV, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(installed.parent)), where
    version = subprocess.run(
        [str(installed / "floorboard"), "--version"],
        cwd=tmp_path, env=CLEAN_ENV, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert version == f"floorboard {project['version']}\n"
    demo = subprocess.run(
        [str(installed / "floorboard"), "demo", "--headless", "--seconds", "30"],
        cwd=tmp_path, env=CLEAN_ENV, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stdout + demo.stderr
    production = re.search(r"production: offered (\d+), SL \d+%", demo.stdout)
    assert production and int(production.group(1)) > 0, demo.stdout
    assert "quality:" in demo.stdout
