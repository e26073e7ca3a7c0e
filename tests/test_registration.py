"""Registering reveals nothing about which addresses have accounts, and an account can act only
once its address is confirmed (by a confirmation, invitation or reset link)."""

from __future__ import annotations

from datetime import timedelta

from helpers import PASSWORD, login, post, register
from sqlalchemy import select, text, update

from assess import db, migrate
from assess.models import AuditEvent, AuditPerson, EmailVerification, Membership, User

FORM = {
    "name": "Mallory",
    "password": "another long passphrase",
    "confirm": "another long passphrase",
}


def _register(client, email: str, **fields: str):
    return post(client, "/register", {**FORM, "email": email, **fields})


def _user(app, email: str) -> User | None:
    with app.app_context():
        return db.session().scalar(select(User).where(User.email == email))


def test_registering_a_taken_address_answers_the_same_and_tells_its_owner(
    app, client, make_user, mailbox
):
    owner = make_user(email="ada@example.org", name="Ada")
    taken = _register(client, "ADA@example.org")
    new = _register(app.test_client(), "bob@example.org")
    assert taken.status_code == new.status_code == 200
    assert taken.get_data(as_text=True).replace("ADA@", "X@") == new.get_data(as_text=True).replace(
        "bob@", "X@"
    )
    assert "already exists" not in taken.get_data(as_text=True)
    warning, confirmation = mailbox()
    assert warning.to == "ada@example.org"
    assert "tried to register" in warning.subject
    assert "already has an account" in warning.text
    assert confirmation.to == "bob@example.org" and "Confirm" in confirmation.subject
    # Nothing about the owner's account changed; the warning's link lets them choose a password.
    assert _user(app, "ada@example.org").name == "Ada"
    login(app.test_client(), owner)
    link = warning.link()
    assert link.startswith("/password/reset/")
    new_password = "a brand new long passphrase"
    assert (
        post(client, link, {"password": new_password, "confirm": new_password}).status_code == 302
    )
    login(app.test_client(), owner, password=new_password)


def test_an_unconfirmed_account_cannot_sign_in_until_its_link_is_followed(app, client, mailbox):
    _register(client, "bob@example.org")
    bob = _user(app, "bob@example.org")
    assert bob.email_verified_at is None
    response = post(client, "/login", {"email": "bob@example.org", "password": FORM["password"]})
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Confirm your email address first" in page
    assert "/register/confirm" in page
    assert client.get("/account").status_code == 302  # not signed in
    # A wrong password still gets the usual refusal, so the page says nothing to a guesser.
    wrong = post(client, "/login", {"email": "bob@example.org", "password": "wrong password"})
    assert wrong.status_code == 401
    (confirmation,) = mailbox()
    response = post(client, confirmation.link())
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert _user(app, "bob@example.org").email_verified_at is not None


def test_a_confirmation_link_works_once_and_expires(app, client, mailbox):
    _register(client, "bob@example.org")
    link = mailbox()[0].link()
    assert post(app.test_client(), link).status_code == 302
    response = post(app.test_client(), link)
    assert response.status_code == 404
    assert "no longer works" in response.get_data(as_text=True)

    _register(client, "carol@example.org")
    link = mailbox()[-1].link()
    with app.app_context():
        db.session().execute(
            update(EmailVerification)
            .where(EmailVerification.used_at.is_(None))
            .values(expires_at=db.utcnow() - timedelta(seconds=1))
        )
        db.session().commit()
    assert app.test_client().get(link).status_code == 404
    assert post(app.test_client(), link).status_code == 404
    assert _user(app, "carol@example.org").email_verified_at is None


def test_a_new_link_can_be_asked_for_and_replaces_the_old_one(app, client, make_user, mailbox):
    make_user(email="ada@example.org")  # confirmed already
    _register(client, "bob@example.org")
    first = mailbox()[0].link()
    pages = [
        post(app.test_client(), "/register/confirm", {"email": address})
        for address in ("bob@example.org", "ada@example.org", "nobody@example.org")
    ]
    assert {page.status_code for page in pages} == {200}
    texts = [
        page.get_data(as_text=True).replace(address, "X")
        for page, address in zip(
            pages, ("bob@example.org", "ada@example.org", "nobody@example.org"), strict=True
        )
    ]
    assert texts[0] == texts[1] == texts[2]
    # Only the unconfirmed account got a new link; the first one stopped working.
    messages = mailbox()
    assert [message.to for message in messages] == ["bob@example.org", "bob@example.org"]
    assert client.get(first).status_code == 404
    assert post(client, messages[1].link()).status_code == 302


def test_a_reset_link_confirms_the_address(app, client, mailbox):
    _register(client, "bob@example.org")
    post(client, "/password/forgot", {"email": "bob@example.org"})
    reset = mailbox()[-1]
    assert reset.link().startswith("/password/reset/")
    new = "a brand new long passphrase"
    assert post(client, reset.link(), {"password": new, "confirm": new}).status_code == 302
    assert _user(app, "bob@example.org").email_verified_at is not None
    assert post(client, "/login", {"email": "bob@example.org", "password": new}).status_code == 302


def test_registering_an_invited_address_first_does_not_take_over_the_invitation(
    app, make_user, make_org, mailbox
):
    admin = make_user(name="Ada")
    organisation = make_org(members={admin: "admin"})
    admin_client = app.test_client()
    login(admin_client, admin)
    post(
        admin_client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": "bob@example.org", "role": "respondent"},
    )
    (invitation,) = mailbox()
    # Someone else registers the invited address before Bob follows his link.
    attacker = app.test_client()
    _register(attacker, "bob@example.org", name="Not Bob")
    assert (
        post(
            attacker, "/login", {"email": "bob@example.org", "password": FORM["password"]}
        ).status_code
        == 403
    )
    # Bob follows the invitation: it offers him his own account, since the link proves the address.
    bob = app.test_client()
    page = bob.get(invitation.link()).get_data(as_text=True)
    assert "Sign in as" not in page
    response = post(
        bob, invitation.link(), {"name": "Bob", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 302
    user = _user(app, "bob@example.org")
    assert user.name == "Bob" and user.email_verified_at is not None
    with app.app_context():
        member = db.session().scalar(select(Membership).where(Membership.user_id == user.id))
        assert member.organisation_id == organisation.id
        event = db.session().scalar(
            select(AuditEvent).where(AuditEvent.action == "invitation.accepted")
        )
        actor = db.session().scalar(select(AuditPerson).where(AuditPerson.ref == event.actor_ref))
        assert (actor.user_id, actor.display_name) == (user.id, "Bob")
    # The other person's password no longer opens the account.
    refused = post(
        app.test_client(), "/login", {"email": "bob@example.org", "password": FORM["password"]}
    )
    assert refused.status_code == 401
    # And the confirmation link they were hoping Bob would click is spent.
    confirmation = next(m for m in mailbox() if "Confirm" in m.subject)
    assert post(app.test_client(), confirmation.link()).status_code == 404


def test_operators_and_the_demo_accounts_are_confirmed(app, runner):
    result = runner.invoke(
        args=["users", "create-operator", "--email", "op@example.org", "--name", "Op"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert _user(app, "op@example.org").email_verified_at is not None
    assert runner.invoke(args=["demo", "--quick"]).exit_code == 0
    with app.app_context():
        users = list(db.session().scalars(select(User)))
    assert len(users) > 1
    assert all(user.email_verified_at is not None for user in users)


def test_accounts_from_before_confirmation_count_as_confirmed(app):
    migrate.downgrade(app, "2b94338a5be9")
    with db.engine(app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account (email, name, password_hash, is_operator, created_at,"
                " password_changed_at) VALUES ('old@example.org', 'Old', 'x', false,"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    migrate.upgrade(app)
    assert _user(app, "old@example.org").email_verified_at is not None


def test_registering_and_confirming_end_to_end(app, client, mailbox):
    response = register(client, mailbox, "dora@example.org", name="Dora")
    assert response.headers["Location"] == "/organisations/new"
