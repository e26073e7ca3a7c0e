"""Each email reaches its recipient in the language of their account, whoever sends it and in
whatever language the sender's page was; an address whose language is not known gets the email in
Welsh and then in English, subject, text and HTML alike. Jobs outside a request do the same.

Welsh is told from English with a throwaway catalogue (``welsh_helpers``): every Welsh message
starts with "Cy:", whatever the real translation will say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import login, post
from plan_helpers import assessment_with_gaps
from sqlalchemy import select
from welsh_helpers import MARK, compile_welsh_catalogue, welsh

from assess import db, mail
from assess.models import PlanAction, User
from assess.services import action_plan, plan_reminders

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_welsh_catalogue(tmp_path_factory.mktemp("translations"))


@pytest.fixture
def app(make_app: Callable[..., Flask], catalogue: Path) -> Flask:
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(catalogue))


def _only(mailbox, to: str):
    found = [m for m in mailbox() if m.to == to]
    assert len(found) == 1, [(m.to, m.subject) for m in mailbox()]
    return found[0]


def assert_in_one_language(message, language: str, english_line: str) -> None:
    """The whole message is in ``language``: subject, text and HTML, and nothing in the other."""
    assert " / " not in message.subject
    assert message.subject.startswith(MARK) == (language == "cy")
    lines = [line for line in message.text.splitlines() if line.strip()]
    expected = welsh(english_line) if language == "cy" else english_line
    assert expected in lines
    if language == "cy":
        assert english_line not in lines
    else:
        assert MARK not in message.text
    assert mail.TEXT_SEPARATOR.strip() not in message.text
    assert f'<html lang="{language}">' in message.html
    assert "<div lang=" not in message.html
    assert expected in message.html


def assert_bilingual(message, english_line: str) -> None:
    """Welsh first, then English: the subject ("Welsh / English"), the text and the HTML (each
    half marked with its language)."""
    welsh_subject, english_subject = message.subject.split(" / ")
    assert welsh_subject.startswith(MARK) and not english_subject.startswith(MARK)
    assert welsh_subject.removeprefix(MARK).split()[0] == english_subject.split()[0]
    welsh_text, english_text = message.text.split(mail.TEXT_SEPARATOR.strip())
    assert welsh(english_line) in welsh_text and MARK not in english_text
    assert english_line in english_text.splitlines()
    assert '<html lang="cy">' in message.html
    halves = re.findall(r'<div lang="(\w+)">(.*?)</div>\s*(?:<hr|</body>)', message.html, re.S)
    assert [lang for lang, _ in halves] == ["cy", "en"]
    assert welsh(english_line) in halves[0][1] and MARK not in halves[1][1]
    assert english_line in halves[1][1]


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        found = db.session().scalar(select(User).where(User.email == email))
        assert found is not None
        return found


# ---- invitations --------------------------------------------------------------------------------


@pytest.fixture
def admin_in_welsh(app: Flask, make_user, make_org):
    """An admin whose pages are in Welsh, signed in."""
    admin = make_user(name="Ada Admin", language="cy")
    organisation = make_org(members={admin: "admin"})
    client = app.test_client()
    login(client, admin)
    return client, organisation


def _invite(client: FlaskClient, organisation, email: str) -> None:
    response = post(
        client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": email, "role": "auditor"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_an_invitation_to_an_address_without_an_account_is_bilingual_welsh_first(
    admin_in_welsh, mailbox
):
    client, organisation = admin_in_welsh
    _invite(client, organisation, "new@example.org")
    assert_bilingual(_only(mailbox, "new@example.org"), "Hello,")


def test_an_invitation_is_in_the_invited_accounts_language_not_the_senders(
    app: Flask, admin_in_welsh, make_user, mailbox
):
    client, organisation = admin_in_welsh
    make_user(email="english@example.org", language="en")
    make_user(email="welsh@example.org", language="cy")
    make_user(email="unknown@example.org")
    for address in ("english@example.org", "welsh@example.org", "unknown@example.org"):
        _invite(client, organisation, address)
    assert_in_one_language(_only(mailbox, "english@example.org"), "en", "Hello,")
    assert_in_one_language(_only(mailbox, "welsh@example.org"), "cy", "Hello,")
    assert_bilingual(_only(mailbox, "unknown@example.org"), "Hello,")


# ---- registration -------------------------------------------------------------------------------


def _register(client: FlaskClient, email: str, name: str = "Nia") -> None:
    response = post(
        client,
        "/register",
        {"name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def test_the_confirmation_link_is_in_the_language_the_person_registered_in(app: Flask, mailbox):
    welsh_browser = app.test_client()
    welsh_browser.set_cookie("lang", "cy")
    _register(welsh_browser, "nia@example.org")
    _register(app.test_client(), "ann@example.org", name="Ann")
    confirmation = _only(mailbox, "nia@example.org")
    assert_in_one_language(confirmation, "cy", "Hello Nia,")
    assert_in_one_language(_only(mailbox, "ann@example.org"), "en", "Hello Ann,")


def test_a_registration_attempt_with_a_taken_address_follows_the_accounts_language(
    app: Flask, make_user, mailbox
):
    make_user(email="known@example.org", name="Known", language="cy")
    make_user(email="unknown@example.org", name="Unknown")
    # Tried from an English page: the holder of the account reads their own language.
    _register(app.test_client(), "known@example.org")
    _register(app.test_client(), "unknown@example.org")
    assert_in_one_language(_only(mailbox, "known@example.org"), "cy", "Hello Known,")
    assert_bilingual(_only(mailbox, "unknown@example.org"), "Hello Unknown,")


def test_a_new_confirmation_link_asked_for_later_keeps_the_accounts_language(app: Flask, mailbox):
    browser = app.test_client()
    browser.set_cookie("lang", "cy")
    _register(browser, "nia@example.org")
    # Asked for again from an English browser, sent after the response.
    post(app.test_client(), "/register/confirm", {"email": "nia@example.org"})
    messages = [m for m in mailbox() if m.to == "nia@example.org"]
    assert len(messages) == 2
    for message in messages:
        assert_in_one_language(message, "cy", "Hello Nia,")


# ---- password resets (written after the response, outside the person's request) ----------------


def test_a_password_reset_is_in_the_accounts_language_or_bilingual(app: Flask, make_user, mailbox):
    make_user(email="cy@example.org", name="Cai", language="cy")
    make_user(email="en@example.org", name="Eve", language="en")
    make_user(email="none@example.org", name="Nel")
    browser = app.test_client()
    browser.set_cookie("lang", "cy")  # the page's language does not matter
    for address in ("cy@example.org", "en@example.org", "none@example.org"):
        post(browser, "/password/forgot", {"email": address})
    assert_in_one_language(_only(mailbox, "cy@example.org"), "cy", "Hello Cai,")
    assert_in_one_language(_only(mailbox, "en@example.org"), "en", "Hello Eve,")
    assert_bilingual(_only(mailbox, "none@example.org"), "Hello Nel,")


def test_a_language_chosen_later_is_used_for_the_next_email(app: Flask, make_user, mailbox):
    user = make_user(email="later@example.org", name="Lee")
    client = app.test_client()
    login(client, user)
    post(client, "/language", {"language": "cy", "next": "/account"})
    assert _user(app, "later@example.org").language == "cy"
    post(app.test_client(), "/password/forgot", {"email": "later@example.org"})
    assert_in_one_language(_only(mailbox, "later@example.org"), "cy", "Hello Lee,")


# ---- jobs outside a request: action reminders and the overdue digest ----------------------------


@pytest.fixture
def plan(app: Flask, make_user, make_org, add_member):
    """An admin (language not known) and an action owner who reads Welsh, with one action."""
    admin = make_user(name="Ada Admin", email="admin@example.org")
    owner = make_user(name="Owen Owner", email="owner@example.org", language="cy")
    organisation = make_org(members={admin: "admin"})
    add_member(owner, organisation, "respondent")
    assessment_id = assessment_with_gaps(app, organisation, admin)
    client = app.test_client()
    login(client, admin)
    with app.app_context():
        key = action_plan.recommended(action_plan.assessments.get(assessment_id))[0].key
    assert post(client, f"/assessments/{assessment_id}/plan/adopt", {"key": key}).status_code == 302
    with app.app_context():
        action = db.session().scalar(select(PlanAction).where(PlanAction.step_key == key))
        action.owner_user_id = owner.id
        db.session().commit()
        return action.id


def _due_in(app: Flask, action_id: int, days: int) -> None:
    with app.app_context():
        action = db.session().get(PlanAction, action_id)
        action.due_on = date.today() + timedelta(days=days)
        db.session().commit()


def test_an_action_reminder_from_the_maintenance_job_is_in_the_owners_language(
    app: Flask, plan: int, mailbox, runner
):
    _due_in(app, plan, 0)
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    reminder = _only(mailbox, "owner@example.org")
    assert_in_one_language(reminder, "cy", "Hello,")
    assert reminder.subject.startswith(welsh("Due today: %(action)s").split("%")[0])


def test_the_overdue_digest_to_an_admin_whose_language_is_not_known_is_bilingual(
    app: Flask, plan: int, mailbox, runner
):
    _due_in(app, plan, -40)
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    digest = _only(mailbox, "admin@example.org")
    assert_bilingual(digest, "Hello,")
    # The due date is written in each half's language (Welsh month names, then English ones).
    due = date.today() - timedelta(days=40)
    from babel.dates import format_date

    welsh_half, english_half = digest.text.split(mail.TEXT_SEPARATOR.strip())
    assert format_date(due, format="d MMM y", locale="cy") in welsh_half
    assert format_date(due, format="d MMM y", locale="en") in english_half


def test_reminders_sent_from_a_request_do_not_take_the_requests_language(
    app: Flask, plan: int, mailbox
):
    _due_in(app, plan, 0)
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert plan_reminders.send_reminders(datetime.now(UTC)) >= 1
        db.session().commit()
    with app.app_context():
        from assess.services import outbox

        outbox.send_due()
    assert_in_one_language(_only(mailbox, "owner@example.org"), "cy", "Hello,")
