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
    assert "assess/data_format/schemas/assess-export-v1.schema.json" in names
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


#: Run inside the fresh environment: finalise the demo's assessment as its admin, the way the
#: finalise page does, and print the assessment's id. (There is no command for finalising: it is a
#: decision an admin takes on the finalise page.)
_FINALISE_THE_DEMO = """
from assess import create_app
from assess.db import session
from assess.models import Assessment, User
from assess.services import finalising
from sqlalchemy import select

app = create_app()
with app.app_context(), app.test_request_context():
    admin = session().scalars(select(User).where(User.email == "admin@demo.example")).one()
    assessment = session().scalars(select(Assessment).order_by(Assessment.id)).first()
    finalising.finalise(assessment, admin)
    print(assessment.id)
"""

#: The demo assessment's id, as the demo admin's pages would show it.
_DEMO_ASSESSMENT = """
from assess import create_app
from assess.db import session
from assess.models import Assessment
from sqlalchemy import select

with create_app().app_context():
    print(session().scalars(select(Assessment.id).order_by(Assessment.id)).first())
"""

#: Import every module of the installed package (Alembic's env.py and its versions are scripts
#: that Alembic runs, not modules, and sit in a folder that is not a package).
_IMPORT_EVERYTHING = """
import importlib, pkgutil, assess
names = [m.name for m in pkgutil.walk_packages(assess.__path__, "assess.")]
for name in names:
    importlib.import_module(name)
print(len(names), "modules")
print(assess.__file__)
"""


def test_the_wheel_without_extras_serves_renders_finalises_and_verifies(wheel: Path, tmp_path):
    """What a newcomer gets from ``pip install assess``: no development extra, a fresh virtual
    environment, used from a folder outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ASSESS_", "PYTHON", "VIRTUAL_ENV"))
    }
    env |= {"ASSESS_INSTANCE_PATH": str(tmp_path / "instance"), "ASSESS_MAIL_BACKEND": "file"}

    def run(*args: str) -> str:
        done = subprocess.run(
            args, cwd=elsewhere, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    assess = str(venv / "bin" / "assess")
    # No development package came with it.
    listed = run(str(python), "-m", "pip", "list", "--format=freeze").lower()
    for dev_only in ("pytest", "hypothesis", "playwright", "ruff"):
        assert f"{dev_only}==" not in listed, dev_only

    imported = run(str(python), "-c", _IMPORT_EVERYTHING)
    count, location = imported.split("\n")[:2]
    assert int(count.split()[0]) > 50, imported
    assert location.startswith(str(venv)), location

    run(assess, "db", "upgrade")
    assert "Demo Borough Council" in run(assess, "demo")
    assessment_id = run(str(python), "-c", _DEMO_ASSESSMENT).strip()
    draft = elsewhere / "draft.pdf"
    assert "Wrote" in run(assess, "report", assessment_id, "-o", str(draft))
    assert draft.read_bytes().startswith(b"%PDF-")

    assert run(str(python), "-c", _FINALISE_THE_DEMO).strip() == assessment_id
    final = elsewhere / "final.pdf"
    run(assess, "report", assessment_id, "-o", str(final))
    verdict = run(assess, "report", "verify", str(final))
    assert verdict.startswith("Verified"), verdict
    assert "Demo Borough Council" in verdict
