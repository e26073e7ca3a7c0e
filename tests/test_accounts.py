"""People register, sign in and out, change their password and reset a forgotten one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from helpers import PASSWORD, login, post
from sqlalchemy import select, update

from assess import db, passwords
from assess.models import PasswordReset, User, UserSession


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_a_person_registers_confirms_their_address_and_is_signed_in(client, app, mailbox):
    response = post(
        client,
        "/register",
        {"name": "Ada", "email": "Ada@Example.org", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert not _signed_in(client)
    (message,) = mailbox()
    assert message.to == "ada@example.org"
    link = message.link()
    assert client.get(link).status_code == 200  # a button, so a mail scanner uses nothing up
    response = post(client, link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations/new"
    assert _signed_in(client)
    with app.app_context():
        user = db.session().scalar(select(User))
        assert user.email == "ada@example.org"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "at least 12 characters"),
        ("password1234", "too common"),
        ("PassWord1234", "too common"),  # the list is checked case-insensitively
        ("Password!!2024", "too common"),  # a common word dressed up with digits and symbols
        ("abcabcabcabc", "repeats a short pattern"),
        ("x" * 257, "256 characters or fewer"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, password, message):
    response = post(
        client,
        "/register",
        {"name": "Ada", "email": "ada@example.org", "password": password, "confirm": password},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'href="#password"' in page  # the error summary links to the field


def test_long_passphrases_are_welcome(client):
    passphrase = "the quick brown fox jumps over the lazy dog beside a quiet river bank"
    assert len(passphrase) > 64
    response = post(
        client,
        "/register",
        {"name": "Ada", "email": "ada@example.org", "password": passphrase, "confirm": passphrase},
    )
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)


def test_the_common_password_list_ships_thousands_of_entries():
    common = passwords.common_passwords()
    assert len(common) > 3000
    assert {"password", "123456", "qwerty", "password1234"} <= common


def test_bad_input_to_register_is_an_error_message_not_a_crash(client):
    response = post(client, "/register", {"name": "", "email": "not an address", "password": ""})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Enter your name." in page
    assert "right format" in page


def test_sign_in_answers_the_same_for_an_unknown_address_and_a_wrong_password(
    client, make_user, monkeypatch
):
    make_user(email="ada@example.org")
    checked: list[str | None] = []
    real_verify = passwords.verify

    def spy(stored_hash, password):
        checked.append(stored_hash)
        return real_verify(stored_hash, password)

    monkeypatch.setattr(passwords, "verify", spy)
    wrong = post(client, "/login", {"email": "ada@example.org", "password": "not the password"})
    unknown = post(
        client, "/login", {"email": "nobody@example.org", "password": "not the password"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "The email address or password is not right." in wrong.get_data(as_text=True)

    def strip_token(response):
        text = response.get_data(as_text=True)
        return [line for line in text.splitlines() if "csrf" not in line and "value=" not in line]

    assert strip_token(wrong) == strip_token(unknown)
    # An unknown address still costs a hash check (against a dummy hash).
    assert len(checked) == 2 and checked[1] is None


def test_signing_in_starts_a_new_session_identifier(app, client, make_user):
    user = make_user()
    client.get("/login")
    before = client.get_cookie("session").value
    login(client, user)
    after = client.get_cookie("session").value
    assert before != after
    first = client.get_cookie("session").value
    post(client, "/logout")
    login(client, user)
    with app.app_context():
        records = db.session().scalars(select(UserSession)).all()
        assert len(records) == 2
        assert records[0].token_hash != records[1].token_hash
    assert client.get_cookie("session").value != first


def test_signing_out_ends_the_session_on_the_server(app, client, make_user):
    user = make_user()
    login(client, user)
    stolen = client.get_cookie("session").value
    response = post(client, "/logout")
    assert response.status_code == 302
    assert not _signed_in(client)
    # Replaying the old cookie does not bring the session back.
    client.set_cookie("session", stolen)
    assert not _signed_in(client)
    with app.app_context():
        record = db.session().scalar(select(UserSession))
        assert record.revoked_reason == "logout"


def test_signing_out_needs_a_post_with_a_token(client, make_user):
    login(client, make_user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert _signed_in(client)


def test_changing_the_password_signs_out_other_devices_only(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    new = "a different long passphrase"
    response = post(
        laptop,
        "/account/password",
        {"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(phone)
    login(phone, user, password=new)


def test_changing_the_password_needs_the_current_one(client, make_user):
    login(client, make_user())
    new = "a different long passphrase"
    response = post(
        client,
        "/account/password",
        {"current_password": "wrong", "new_password": new, "confirm": new},
    )
    assert response.status_code == 200
    assert "current password is not right" in response.get_data(as_text=True)


def test_a_forgotten_password_is_reset_through_the_emailed_link(app, client, make_user, mailbox):
    user = make_user(email="ada@example.org")
    other_device = app.test_client()
    login(other_device, user)
    response = post(client, "/password/forgot", {"email": "ada@example.org"})
    assert "Check your email" in response.get_data(as_text=True)
    (message,) = mailbox()
    assert message.to == "ada@example.org"
    assert "reset" in message.subject.lower()
    link = message.link()
    assert link in message.html.replace("&amp;", "&")
    new = "a brand new long passphrase"
    response = post(client, link, {"password": new, "confirm": new})
    assert response.status_code == 302
    assert not _signed_in(other_device)  # a reset signs out every session
    login(client, user, password=new)
    # The link works once.
    assert client.get(link).status_code == 404
    with app.app_context():
        assert db.session().scalar(select(PasswordReset)).token_hash not in link


def test_a_reset_link_expires(app, client, make_user, mailbox):
    make_user(email="ada@example.org")
    post(client, "/password/forgot", {"email": "ada@example.org"})
    link = mailbox()[0].link()
    with app.app_context():
        db.session().execute(
            update(PasswordReset).values(expires_at=db.utcnow() - timedelta(seconds=1))
        )
        db.session().commit()
    response = client.get(link)
    assert response.status_code == 404
    assert "no longer works" in response.get_data(as_text=True)
    new = "a brand new long passphrase"
    assert post(client, link, {"password": new, "confirm": new}).status_code == 404


def test_only_the_newest_reset_link_works(client, make_user, mailbox):
    make_user(email="ada@example.org")
    post(client, "/password/forgot", {"email": "ada@example.org"})
    post(client, "/password/forgot", {"email": "ada@example.org"})
    first, second = mailbox()
    assert client.get(first.link()).status_code == 404
    assert client.get(second.link()).status_code == 200


def test_asking_to_reset_an_unknown_address_looks_the_same_and_sends_nothing(
    client, make_user, mailbox
):
    make_user(email="ada@example.org")
    known = post(client, "/password/forgot", {"email": "ada@example.org"})
    unknown = post(client, "/password/forgot", {"email": "bob@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("ada@", "X@") == unknown.get_data(
        as_text=True
    ).replace("bob@", "X@")
    assert len(mailbox()) == 1


def test_passwords_are_hashed_with_argon2id_at_owasp_cost(make_app):
    app = make_app(
        PASSWORD_HASH_MEMORY_COST=19456, PASSWORD_HASH_TIME_COST=2, PASSWORD_HASH_PARALLELISM=1
    )
    with app.app_context():
        hashed = passwords.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PasswordHasher().verify(hashed, PASSWORD)


def test_a_hash_made_at_an_old_cost_is_upgraded_at_sign_in(app, client, make_user):
    user = make_user()
    old = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(PASSWORD)
    with app.app_context():
        db.session().execute(update(User).values(password_hash=old))
        db.session().commit()
    login(client, user)
    with app.app_context():
        assert db.session().get(User, user.id).password_hash != old
        assert "m=8,t=1,p=1" in db.session().get(User, user.id).password_hash


def test_the_account_page_shows_the_person_and_their_organisations(client, make_user, make_org):
    user = make_user(name="Ada Lovelace")
    make_org(name="Analytical Council", members={user: "respondent"})
    login(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert "Ada Lovelace" in page
    assert "Analytical Council" in page
    assert "Respondent" in page


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(client, make_user):
    user = make_user()
    response = post(client, "/login?next=/account", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account"
    post(client, "/logout")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = post(
            client, f"/login?next={target}", {"email": user.email, "password": PASSWORD}
        )
        assert response.headers["Location"] == "/start", target
        post(client, "/logout")


def test_operators_are_created_from_the_command_line(app, runner):
    result = runner.invoke(
        args=["users", "create-operator", "--email", "op@example.org", "--name", "Op"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "op@example.org is an instance operator" in result.output
    with app.app_context():
        user = db.session().scalar(select(User))
        assert user.is_operator and user.name == "Op"


def test_the_operator_command_refuses_a_weak_password(runner):
    result = runner.invoke(
        args=[
            "users",
            "create-operator",
            "--email",
            "op@example.org",
            "--name",
            "Op",
            "--password",
            "short",
        ],
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
