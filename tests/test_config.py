"""Configuration comes from defaults, the instance folder, then the environment."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assess import create_app
from assess.config import instance_secret_key


def test_environment_overrides_instance_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "config.py").write_text("MAX_CONTENT_LENGTH = 1234\nDATABASE_ECHO = True\n")
    monkeypatch.setenv("ASSESS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ASSESS_MAX_CONTENT_LENGTH", "999")
    monkeypatch.setenv("ASSESS_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.sqlite3"))
    app = create_app()
    assert app.config["MAX_CONTENT_LENGTH"] == 999  # environment beats the instance file
    assert app.config["DATABASE_ECHO"] is True  # the instance file beats the defaults
    assert app.config["DATABASE_URL"].endswith("x.sqlite3")


def test_default_database_is_sqlite_in_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("ASSESS_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k"})
    assert app.config["DATABASE_URL"] == "sqlite:///" + str(tmp_path / "assess.sqlite3")


def test_postgresql_urls_use_psycopg(tmp_path: Path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "k",
            "DATABASE_URL": "postgresql://u@127.0.0.1:1/d",
        }
    )
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@127.0.0.1:1/d"


def test_secret_key_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ASSESS_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": None})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": None})
    key = first.config["SECRET_KEY"]
    assert len(key) >= 48
    assert second.config["SECRET_KEY"] == key
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_workers_starting_together_share_one_key(tmp_path: Path):
    keys: list[str] = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        keys.append(instance_secret_key(tmp_path))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_environment_secret_key_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSESS_SECRET_KEY", "from-the-environment")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
