"""Sending email: a plain-text and an HTML part rendered from templates/mail/<name>.txt and .html.

The backend is chosen by ``MAIL_BACKEND``:

- ``smtp``: through the server in ``SMTP_HOST``/``SMTP_PORT`` (STARTTLS by default, or TLS from the
  start with ``SMTP_SSL``), signing in with ``SMTP_USERNAME``/``SMTP_PASSWORD`` when set;
- ``file``: each message becomes an ``.eml`` file in ``MAIL_FILE_DIR`` (default ``instance/mail``),
  so invitations and password resets can be followed without a mail server;
- ``console``: each message is written to the application log.

Services do not send directly: they queue a message in the outbox (``assess.services.outbox``) in
the same transaction as the change that causes it. After a request that queued mail, a hook wakes
this process's sender thread, which sends what is due after the response has gone (with
``MAIL_SEND_IN_BACKGROUND`` off, as in the tests, it sends before the request ends instead). The
thread also retries failed messages every ``MAIL_RETRY_INTERVAL`` seconds. With ``REDIS_URL`` set,
the thread queues a job for ``assess worker`` instead of sending itself (``assess.jobs``).

Each email is written in its recipient's language: the one kept in the account of the address it
goes to, whoever's request (or job) sends it. An address whose language is not known (no account,
or an account that has none) gets the email in Welsh and then in English (:data:`BILINGUAL`), with
both subjects ("Welsh / English"), in the plain-text and the HTML part.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
import threading
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any, NamedTuple

from flask import Flask, current_app, render_template
from flask_babel import force_locale

from assess import i18n
from assess.db import utcnow
from assess.i18n import translate

BACKENDS = ("smtp", "file", "console")


_SENDER = "assess.mail_sender"


def init_app(app: Flask) -> None:
    """Refuse an unknown backend at start-up rather than at the first email; send queued email
    after each request that queued some."""
    if app.config["MAIL_BACKEND"] not in BACKENDS:
        raise ValueError(
            f"MAIL_BACKEND must be one of {', '.join(BACKENDS)}, not {app.config['MAIL_BACKEND']!r}"
        )
    app.extensions[_SENDER] = _Sender(app)
    app.teardown_request(_after_request)


def _after_request(_exc: BaseException | None) -> None:
    from assess.services import outbox

    if outbox.queued_in_this_request():
        sender: _Sender = current_app.extensions[_SENDER]
        sender.wake()


class _Sender:
    """This process's mail sender: a daemon thread woken after requests that queued mail, which
    also retries failures now and then. Started on first use, so each worker process has its own."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.event = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def wake(self) -> None:
        if not self.app.config["MAIL_SEND_IN_BACKGROUND"]:
            self.send_now()
            return
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="assess-mail-sender", daemon=True
                )
                self.thread.start()
        self.event.set()

    def send_now(self) -> None:
        from assess import jobs
        from assess.services import outbox

        with self.app.app_context():
            try:
                if jobs.enabled(self.app):
                    # Several servers: a worker sends (the outbox keeps the message until then).
                    jobs.request_mail()
                else:
                    outbox.send_due()
            except Exception:  # a broken database or queue must not end the request or thread
                self.app.logger.exception("sending queued email failed")

    def _run(self) -> None:
        while True:
            self.event.wait(timeout=self.app.config["MAIL_RETRY_INTERVAL"])
            self.event.clear()
            self.send_now()


def build_message(to: str, subject: str, text: str, html: str) -> EmailMessage:
    """A message with a plain-text part and an HTML alternative."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    sender_domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2]
    message["Message-ID"] = make_msgid(domain=sender_domain or "localhost")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


#: The languages of an email to someone whose language is not known, in order: Welsh first (the
#: Welsh Language Standards), then English.
BILINGUAL = ("cy", "en")

#: Between the languages of a bilingual plain-text email.
TEXT_SEPARATOR = "\n\n" + "-" * 40 + "\n\n"

#: ``language=`` for :func:`render_template_message`: look the recipient's language up.
LOOK_UP: Any = object()


class Part(NamedTuple):
    """An email written in one language."""

    language: str
    subject: str
    text: str
    #: The HTML body, already rendered (and escaped) from its template.
    html: str


def recipient_language(address: str) -> str | None:
    """The language kept in the account of ``address``, or None (no account, or none chosen)."""
    from assess.services.accounts import user_by_email

    try:
        user = user_by_email(address)
    except Exception:  # not an address an account could have
        return None
    return i18n.known(user.language) if user is not None else None


def languages_for(language: str | None) -> tuple[str, ...]:
    """The languages an email is written in: the recipient's, or both when it is not known."""
    known = i18n.known(language)
    return (known,) if known else BILINGUAL


def render_template_message(
    to: str, template: str, subject: Any, *, language: Any = LOOK_UP, **context: Any
) -> EmailMessage:
    """Render ``mail/<template>.txt`` and ``.html`` with ``context`` into a message to ``to``.

    The message is in ``language``, by default the one kept in the account of ``to``; when that
    is not known, in Welsh then English. The subject is translated here (give a
    :class:`~assess.questionnaire.validation.Message` to have its values filled in after
    translation), like the templates' text.
    """
    if language is LOOK_UP:
        language = recipient_language(to)
    parts = []
    for code in languages_for(language):
        with force_locale(code):
            translated = translate(subject)
            values = {"subject": translated, **context}
            parts.append(
                Part(
                    code,
                    translated,
                    render_template(f"mail/{template}.txt", **values).strip(),
                    render_template(f"mail/{template}.html", **values).strip(),
                )
            )
    subject_line = " / ".join(part.subject for part in parts)
    text = TEXT_SEPARATOR.join(part.text for part in parts) + "\n"
    html = render_template("mail/_document.html", subject=subject_line, parts=parts)
    return build_message(to, subject_line, text, html)


def send_template(to: str, template: str, subject: Any, **context: Any) -> EmailMessage:
    """Render a message (see :func:`render_template_message`) and send it now."""
    message = render_template_message(to, template, subject, **context)
    send(message)
    return message


def send(message: EmailMessage) -> None:
    """Hand ``message`` to the configured backend."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "file":
        _write_file(Path(config["MAIL_FILE_DIR"]), message)
    elif backend == "console":
        current_app.logger.info("email (console backend):\n%s", message.as_string())
    else:
        _send_smtp(message)


def _write_file(folder: Path, message: EmailMessage) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    # A sortable, unique name: the time, then a random part (several messages a second are fine).
    stamp = utcnow().strftime("%Y%m%dT%H%M%S.%f")
    fd, name = tempfile.mkstemp(dir=folder, prefix=f"{stamp}-", suffix=".eml")
    with os.fdopen(fd, "wb") as handle:
        handle.write(message.as_bytes())
    return Path(name)


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["SMTP_HOST"], int(config["SMTP_PORT"]), config["SMTP_TIMEOUT"]
    if not host:
        raise RuntimeError("MAIL_BACKEND is smtp but SMTP_HOST is not set")
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if config["SMTP_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config["SMTP_STARTTLS"] and not config["SMTP_SSL"]:
            smtp.starttls(context=context)
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)
