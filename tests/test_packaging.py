"""A built wheel works outside the checkout, with its questionnaires, reports and static files."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    (built,) = out.glob("assess-*.whl")
    return built


def test_wheel_carries_the_data_folders(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("questionnaires", "reports", "static"):
        assert any(n.startswith(f"assess/_data/{folder}/") for n in names), folder
    assert "assess/migrations/env.py" in names
    assert "assess/data/common-passwords.txt" in names
    assert "assess/demo/demo.yaml" in names
    assert "assess/_data/static/js/assess.js" in names
    assert any(n.startswith("assess/migrations/versions/") for n in names)


def test_installed_wheel_runs_from_another_directory(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "ASSESS_INSTANCE_PATH": str(tmp_path / "inst")}
    env.pop("ASSESS_DATABASE_URL", None)
    result = subprocess.run(
        [str(target / "bin" / "assess"), "--help"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "db" in result.stdout
    located = subprocess.run(
        [
            sys.executable,
            "-c",
            "import assess.paths as p; print(p.PACKAGE_DIR); print(p.QUESTIONNAIRES_DIR);"
            "print(p.STATIC_DIR)",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(line.startswith(str(target)) for line in located), located
    upgraded = subprocess.run(
        [str(target / "bin" / "assess"), "db", "upgrade"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "inst" / "assess.sqlite3").exists()
