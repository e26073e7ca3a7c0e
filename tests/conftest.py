"""Shared fixtures: an app on a fresh, migrated database per test, its client and CLI runner.

The suite runs on SQLite by default. When ``ASSESS_DATABASE_URL`` names a PostgreSQL server (as
``.ci/run`` sets it), each test gets its own database on that server instead, copied from a template
that was migrated once.
"""

from __future__ import annotations

import os
import pickle
import shutil
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from database_helpers import (
    ON_POSTGRES,
    _base_config,
    _database_url,
    _run_admin,
)
from factories import member_adder, org_factory, user_factory
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from helpers import Mail
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from assess import create_app, db, migrate
from assess.models import Organisation, User


def _ready_to_copy(app: Flask) -> None:
    """Close ``app``'s connections so its database can serve as a template: on PostgreSQL one
    with open connections cannot; on SQLite the write-ahead log is folded into the file so that
    a plain copy is complete."""
    db.engine(app).dispose()
    if not ON_POSTGRES:
        engine = create_engine(str(app.config["DATABASE_URL"]))
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()


@pytest.fixture(scope="session")
def make_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """A factory of fresh databases, each already at the newest migration."""
    worker = uuid.uuid4().hex[:8]
    template_dir = tmp_path_factory.mktemp("template")
    if ON_POSTGRES:
        template = f"assess_template_{worker}"
        _run_admin(f'CREATE DATABASE "{template}"')
        template_url = _database_url(template)
    else:
        template_file = template_dir / "template.sqlite3"
        template_url = f"sqlite:///{template_file}"
    app = create_app(_base_config(template_url, template_dir))
    with app.app_context():
        migrate.upgrade(app)
    _ready_to_copy(app)

    created: list[str] = []

    def factory() -> str:
        if ON_POSTGRES:
            name = f"assess_test_{worker}_{len(created)}"
            _run_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            created.append(name)
            return _database_url(name)
        target = tmp_path_factory.mktemp("db") / "assess.sqlite3"
        shutil.copyfile(template_file, target)
        return f"sqlite:///{target}"

    yield factory

    # .ci/run throws its whole PostgreSQL cluster away afterwards and says so; dropping hundreds of
    # databases one by one would only add minutes.
    if ON_POSTGRES and not os.environ.get("ASSESS_TEST_CLUSTER_IS_DISPOSABLE"):
        for name in created:
            _run_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _run_admin(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


#: The configuration each app of :func:`make_app` was given beyond the suite's own, so that
#: :func:`load_snapshot` prepares its state in an app configured the same way.
_OVERRIDES: weakref.WeakKeyDictionary[Flask, dict[str, object]] = weakref.WeakKeyDictionary()


@pytest.fixture
def make_app(make_database: Callable[[], str], tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on a fresh database; keyword arguments override configuration."""
    apps: list[Flask] = []

    def factory(**overrides: object) -> Flask:
        config = _base_config(make_database(), tmp_path / "instance")
        config.update(overrides)
        app = create_app(config)
        _OVERRIDES[app] = dict(overrides)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        db.engine(app).dispose()


def copy_database(template_url: str, app: Flask) -> None:
    """Make ``app``'s database a copy of the one at ``template_url`` (made ready by
    :func:`_ready_to_copy`): ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a file copy on
    SQLite. Whatever ``app``'s database held is gone."""
    db.engine(app).dispose()
    target = make_url(str(app.config["DATABASE_URL"])).database
    template = make_url(template_url).database
    assert target and template
    if ON_POSTGRES:
        _run_admin(f'DROP DATABASE "{target}" WITH (FORCE)')
        _run_admin(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
    else:
        for suffix in ("-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
        shutil.copyfile(template, target)


@dataclass(frozen=True)
class Snapshot:
    """State prepared once for many tests: its database, the instance folder of the app that
    prepared it (the mail it wrote) and what the preparing function returned, pickled."""

    url: str
    instance: Path
    result: bytes


@pytest.fixture(scope="session")
def snapshots(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., Snapshot]:
    """``snapshots(prepare, **config)``: the state ``prepare(app)`` leaves in an app on a fresh
    database (configured with ``config`` beyond the suite's own), made once per worker when a
    test first asks. Tests use it through :func:`load_snapshot`, each on a copy of its own."""
    made: dict[tuple[str, str], Snapshot] = {}

    def get(prepare: Callable[[Flask], object], **config: object) -> Snapshot:
        key = (f"{prepare.__module__}.{prepare.__qualname__}", repr(sorted(config.items())))
        if key not in made:
            url = make_database()
            instance = tmp_path_factory.mktemp("snapshot") / "instance"
            app = create_app({**_base_config(url, instance), **config})
            result = prepare(app)
            _ready_to_copy(app)
            made[key] = Snapshot(url=url, instance=instance, result=pickle.dumps(result))
        return made[key]

    return get


@pytest.fixture
def load_snapshot(app: Flask, snapshots: Callable[..., Snapshot]) -> Callable[..., Any]:
    """``load_snapshot(prepare)`` puts into ``app``'s database (which must hold nothing yet) the
    state ``prepare(app)`` leaves, and returns a fresh copy of what ``prepare`` returned (its
    ORM objects detached, as a fixture's are): the same as calling ``prepare(app)``, but done
    once per worker (see :func:`snapshots`), for set-ups too slow to repeat for every test, such
    as finalising (three PDFs rendered). ``prepare`` runs in an app configured as ``app`` was
    by :func:`make_app`, and the mail it wrote is copied into ``app``'s instance folder too.
    Each test still starts from an identical fresh database of its own, and may change it."""

    def load(prepare: Callable[[Flask], object]) -> Any:
        snapshot = snapshots(prepare, **_OVERRIDES.get(app, {}))
        copy_database(snapshot.url, app)
        if snapshot.instance.exists():
            shutil.copytree(snapshot.instance, app.instance_path, dirs_exist_ok=True)
        return pickle.loads(snapshot.result)

    return load


def _whole_demo(app: Flask) -> str:
    """Run ``assess demo`` in ``app``; what it printed."""
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def load_demo(load_snapshot: Callable[..., Any]) -> Callable[[], str]:
    """``load_demo()`` puts the whole demo (``assess demo``, as ``make run`` loads it) into
    ``app``'s database (which must hold nothing yet); it returns what the command printed.

    Loading it renders and stores six finalised reports in three languages each (about a
    minute and a half), so it is loaded once per worker (:func:`load_snapshot`) and each test
    that only needs it loaded gets a copy; the command itself is tested in
    ``tests/test_demo.py`` and by CI's newcomer stage.
    """
    return lambda: load_snapshot(_whole_demo)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The application on a fresh, migrated database."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs ``assess`` commands against ``app``."""
    return app.test_cli_runner()


# ---- accounts: factories and helpers --------------------------------------------------------


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create an account: ``make_user(email=..., name=..., password=..., operator=False,
    language=None)``."""
    return user_factory(app)


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Organisation]:
    """Create an organisation: ``make_org(name=..., members={user: role}, status="active")``."""
    return org_factory(app)


@pytest.fixture
def add_member(app: Flask) -> Callable[[User, Organisation, str], None]:
    """Give ``user`` ``role`` in ``organisation``."""
    return member_adder(app)


@pytest.fixture
def mailbox(app: Flask) -> Callable[[], list[Mail]]:
    """The messages written so far, oldest first."""

    def read() -> list[Mail]:
        folder = Path(app.config["MAIL_FILE_DIR"])
        messages = []
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            text = message.get_body(preferencelist=("plain",))
            html = message.get_body(preferencelist=("html",))
            messages.append(
                Mail(
                    to=str(message["To"]),
                    subject=str(message["Subject"]),
                    text=text.get_content() if text else "",
                    html=html.get_content() if html else "",
                )
            )
        return messages

    return read
