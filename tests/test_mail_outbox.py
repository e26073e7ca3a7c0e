"""Email goes through an outbox: queued with what causes it, sent after the response, retried, and
its state shown; a mail server that is down never makes a page fail or leaves half a change."""

from __future__ import annotations

from datetime import timedelta

from helpers import login, post
from smtp_helpers import closed_port, fake_smtp
from sqlalchemy import func, select, update

from assess import db
from assess.models import AuditEvent, Invitation, OutboxMessage, PasswordReset
from assess.services import outbox


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session().scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_invitation_while_the_mail_server_is_down_is_kept_and_can_be_resent(
    app, make_user, make_org
):
    with fake_smtp() as server:
        app.config.update(server.config(), SMTP_PORT=closed_port())
        admin = make_user()
        organisation = make_org(members={admin: "admin"})
        client = app.test_client()
        login(client, admin)
        response = post(
            client,
            f"/organisations/{organisation.id}/invitations/new",
            {"email": "bob@example.org", "role": "auditor"},
        )
        assert response.status_code == 302  # not a 500
        (record,) = _outbox(app)
        assert (record.state, record.attempts, record.recipient) == ("failed", 1, "bob@example.org")
        assert "ConnectionRefusedError" in record.last_error
        with app.app_context():
            invitation = db.session().scalar(select(Invitation))
            assert record.invitation_id == invitation.id
            assert db.session().scalar(
                select(func.count()).where(AuditEvent.action == "invitation.sent")
            )
        page = client.get(f"/organisations/{organisation.id}/members").get_data(as_text=True)
        assert "bob@example.org" in page and "Failed" in page
        assert f"/invitations/{invitation.id}/resend" in page

        # The mail server is back: the admin resends from the members page.
        app.config["SMTP_PORT"] = server.port
        response = post(
            client, f"/organisations/{organisation.id}/invitations/{invitation.id}/resend"
        )
        assert response.status_code == 302
        (message,) = server.received
        assert message["To"] == "bob@example.org"
        assert "/organisations/invitations/" in message.get_body(("plain",)).get_content()
        (record,) = _outbox(app)
        assert (record.state, record.attempts) == ("sent", 2)
        assert record.message is None  # the link it carried is not kept once sent
        page = client.get(f"/organisations/{organisation.id}/members").get_data(as_text=True)
        assert "Sent" in page and "/resend" not in page


def test_a_reset_asked_for_while_the_mail_server_is_down_is_sent_by_the_mail_command(
    app, make_user
):
    with fake_smtp() as server:
        app.config.update(server.config(), SMTP_PORT=closed_port())
        user = make_user(email="ada@example.org")
        client = app.test_client()
        response = post(client, "/password/forgot", {"email": "ada@example.org"})
        assert response.status_code == 200
        assert "Check your email" in response.get_data(as_text=True)
        (record,) = _outbox(app)
        assert record.state == "failed"
        with app.app_context():
            (reset,) = db.session().scalars(select(PasswordReset))
            assert reset.used_at is None  # the link it made still works
            # The retry is due (as it will be after the back-off).
            db.session().execute(update(OutboxMessage).values(next_attempt_at=db.utcnow()))
            db.session().commit()
        app.config["SMTP_PORT"] = server.port
        result = app.test_cli_runner().invoke(args=["mail", "send"])
        assert result.exit_code == 0, result.output
        assert "sent: 1, failed: 0" in result.output
        (message,) = server.received
        assert message["To"] == user.email
        link = message.get_body(("plain",)).get_content().split("http://localhost")[1].split()[0]
        assert client.get(link).status_code == 200


def test_maintenance_retries_failed_email_and_the_mail_command_reports_failures(app, make_user):
    app.config.update(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=closed_port(), SMTP_STARTTLS=False
    )
    make_user(email="ada@example.org")
    post(app.test_client(), "/password/forgot", {"email": "ada@example.org"})
    with app.app_context():
        db.session().execute(update(OutboxMessage).values(next_attempt_at=db.utcnow()))
        db.session().commit()
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 1
    assert "sent: 0, failed: 1" in result.output
    (record,) = _outbox(app)
    assert record.attempts == 2
    assert record.next_attempt_at > record.created_at  # backs off before the next try
    with fake_smtp() as server:
        app.config["SMTP_PORT"] = server.port
        with app.app_context():
            db.session().execute(update(OutboxMessage).values(next_attempt_at=db.utcnow()))
            db.session().commit()
        result = app.test_cli_runner().invoke(args=["maintenance", "purge"])
        assert result.exit_code == 0, result.output
        assert "email waiting in the outbox (sent now): 1" in result.output
        assert len(server.received) == 1


def test_a_failed_message_is_not_retried_beyond_the_maximum(app):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    with app.app_context():
        db.session().add(
            OutboxMessage(
                kind="password_reset",
                recipient="ada@example.org",
                subject="s",
                message="To: ada@example.org\r\n\r\nhello\r\n",
                state="failed",
                attempts=2,
            )
        )
        db.session().commit()
        assert outbox.due_ids() == []


def test_one_message_is_sent_once_even_by_two_senders(app, mailbox):
    with app.app_context():
        record = OutboxMessage(
            kind="password_reset",
            recipient="ada@example.org",
            subject="Hello",
            message="To: ada@example.org\r\nSubject: Hello\r\n\r\nhello\r\n",
        )
        db.session().add(record)
        db.session().commit()
        message_id = record.id
        # A sender took it a moment ago: another sender leaves it alone.
        db.session().execute(update(OutboxMessage).values(state="sending", claimed_at=db.utcnow()))
        db.session().commit()
        assert outbox.deliver(message_id) is None
        assert mailbox() == []
        # A claim left by a sender that died long ago is taken over.
        db.session().execute(
            update(OutboxMessage).values(claimed_at=db.utcnow() - outbox.STALE_CLAIM * 2)
        )
        db.session().commit()
        assert outbox.deliver(message_id) is True
        assert outbox.deliver(message_id) is None
    assert len(mailbox()) == 1


def test_a_refused_invitation_queues_no_email(client, make_user, make_org, mailbox, app):
    admin, bob = make_user(), make_user(email="bob@example.org")
    organisation = make_org(members={admin: "admin", bob: "respondent"})
    login(client, admin)
    response = post(
        client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": "bob@example.org", "role": "auditor"},
    )
    assert response.status_code == 200
    assert "already a member" in response.get_data(as_text=True)
    assert _outbox(app) == [] and mailbox() == []


def test_erasing_a_person_forgets_their_email_and_old_records_expire(app, make_user, runner):
    from assess.services import privacy

    user = make_user(email="ada@example.org")
    post(app.test_client(), "/password/forgot", {"email": "ada@example.org"})
    post(app.test_client(), "/password/forgot", {"email": "bob@example.org"})  # no account
    records = _outbox(app)
    assert [record.recipient for record in records] == ["ada@example.org"]  # unknown: no trace
    with app.test_request_context():
        privacy.erase_person(db.session().get(type(user), user.id))
    assert _outbox(app) == []

    make_user(email="carol@example.org")
    post(app.test_client(), "/password/forgot", {"email": "carol@example.org"})
    with app.app_context():
        db.session().execute(
            update(OutboxMessage).values(created_at=db.utcnow() - timedelta(days=31))
        )
        db.session().commit()
    result = runner.invoke(args=["maintenance", "purge"])
    assert "email records older than the outbox retention period: 1" in result.output
    assert _outbox(app) == []
