"""Email goes out through SMTP in production and into files (or the log) in development."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import ClassVar

import pytest

from assess import create_app, mail


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what assess asked of it."""

    sent: ClassVar[list] = []
    calls: ClassVar[list] = []

    def __init__(self, host, port, timeout=None, **_):
        FakeSMTP.calls.append(("connect", host, port))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        FakeSMTP.calls.append(("quit",))

    def starttls(self, context=None):
        FakeSMTP.calls.append(("starttls",))

    def login(self, user, password):
        FakeSMTP.calls.append(("login", user, password))

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def _send(app):
    with app.test_request_context():
        return mail.send_template(
            "bob@example.org",
            "invitation",
            "Join us",
            invitation=type("I", (), {"role": "auditor"}),
            organisation=type("O", (), {"name": "Test Council"}),
            invited_by=type("U", (), {"name": "Ada", "email": "ada@example.org"}),
            link="http://localhost/organisations/invitations/abc",
            days=7,
            language="en",
        )


def test_the_file_backend_writes_a_message_with_text_and_html_parts(app, mailbox):
    _send(app)
    (message,) = mailbox()
    assert message.to == "bob@example.org"
    assert message.subject == "Join us"
    assert "Test Council" in message.text and "<strong>Test Council</strong>" in message.html
    files = list(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"))
    assert len(files) == 1
    assert files[0].parent == Path(app.instance_path) / "mail"


def test_the_console_backend_writes_to_the_log(make_app, caplog):
    app = make_app(MAIL_BACKEND="console")
    with caplog.at_level(logging.INFO):
        _send(app)
    assert "bob@example.org" in caplog.text
    assert not Path(app.config["MAIL_FILE_DIR"]).exists()


def test_smtp_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("ASSESS_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("ASSESS_SMTP_PORT", "2525")
    monkeypatch.setenv("ASSESS_SMTP_USERNAME", "assess")
    monkeypatch.setenv("ASSESS_SMTP_PASSWORD", "from-the-environment")
    monkeypatch.setenv("ASSESS_MAIL_FROM", "Assess <noreply@example.org>")
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.calls = [], []
    app = create_app(
        {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k", "PASSWORD_HASH_MEMORY_COST": 8}
    )
    assert app.config["MAIL_BACKEND"] == "smtp"
    message = _send(app)
    assert FakeSMTP.calls == [
        ("connect", "mail.example.org", 2525),
        ("starttls",),
        ("login", "assess", "from-the-environment"),
        ("quit",),
    ]
    assert FakeSMTP.sent == [message]
    assert message["From"] == "Assess <noreply@example.org>"
    assert message.is_multipart()
    assert {part.get_content_type() for part in message.iter_parts()} == {
        "text/plain",
        "text/html",
    }


def test_an_unknown_backend_is_refused_at_start_up(make_app):
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        make_app(MAIL_BACKEND="pigeon")
