"""Shared fixtures: an app on a fresh, migrated database per test, its client and CLI runner.

The suite runs on SQLite by default. When ``ASSESS_DATABASE_URL`` names a PostgreSQL server (as
``.ci/run`` sets it), each test gets its own database on that server instead, copied from a template
that was migrated once.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from database_helpers import (
    ON_POSTGRES,
    _base_config,
    _database_url,
    _run_admin,
)
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from helpers import PASSWORD, Mail
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from assess import create_app, db, migrate
from assess.models import Membership, Organisation, User
from assess.services import accounts


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


@pytest.fixture
def make_app(make_database: Callable[[], str], tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on a fresh database; keyword arguments override configuration."""
    apps: list[Flask] = []

    def factory(**overrides: object) -> Flask:
        config = _base_config(make_database(), tmp_path / "instance")
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        db.engine(app).dispose()


@pytest.fixture(scope="session")
def demo_template(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], tuple[str, str]]:
    """The whole demo (``assess demo``, as ``make run`` loads it), loaded once per worker into a
    database of its own when a test first asks: its URL and what the command printed.

    Loading it renders and stores six finalised reports in three languages each (about a
    minute and a half), so the tests that only need it loaded copy this database instead; the
    command itself is tested in ``tests/test_demo.py`` and by CI's newcomer stage.
    """
    made: dict[str, str] = {}

    def get() -> tuple[str, str]:
        if not made:
            url = make_database()
            app = create_app(_base_config(url, tmp_path_factory.mktemp("demo-instance")))
            result = app.test_cli_runner().invoke(args=["demo"])
            assert result.exit_code == 0, result.output
            _ready_to_copy(app)
            made.update(url=url, output=result.output)
        return made["url"], made["output"]

    return get


@pytest.fixture
def load_demo(app: Flask, demo_template: Callable[[], tuple[str, str]]) -> Callable[[], str]:
    """``load_demo()`` puts the whole demo into ``app``'s database (which must hold nothing yet)
    as ``assess demo`` would, from :func:`demo_template`; it returns what the command printed."""

    def load() -> str:
        template_url, output = demo_template()
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
        return output

    return load


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
    counter = iter(range(1, 10_000))

    def factory(
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        operator: bool = False,
        language: str | None = None,
    ) -> User:
        n = next(counter)
        with app.test_request_context():
            user = accounts.create_user(
                name or f"Person {n}",
                email or f"person{n}@example.org",
                password,
                is_operator=operator,
                language=language,
            )
            db.session().commit()
            return user

    return factory


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Organisation]:
    """Create an organisation: ``make_org(name=..., members={user: role}, status="active")``."""
    counter = iter(range(1, 10_000))

    def factory(
        name: str | None = None,
        members: dict[User, str] | None = None,
        status: str = "active",
        time_zone: str = "Europe/London",
        **fields: str,
    ) -> Organisation:
        with app.app_context():
            organisation = Organisation(
                name=name or f"Council {next(counter)}",
                sector=fields.get("sector", "local_government"),
                size_band=fields.get("size_band", "250_999"),
                country=fields.get("country", "GB"),
                time_zone=time_zone,
                status=status,
            )
            session = db.session()
            session.add(organisation)
            for user, role in (members or {}).items():
                session.add(Membership(user_id=user.id, organisation=organisation, role=role))
            session.commit()
            return organisation

    return factory


@pytest.fixture
def add_member(app: Flask) -> Callable[[User, Organisation, str], None]:
    """Give ``user`` ``role`` in ``organisation``."""

    def factory(user: User, organisation: Organisation, role: str) -> None:
        with app.app_context():
            db.session().add(
                Membership(user_id=user.id, organisation_id=organisation.id, role=role)
            )
            db.session().commit()

    return factory


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
