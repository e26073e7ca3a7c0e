"""People's accounts: registering, signing in, changing and resetting passwords, operators."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from assess import audit, db, i18n, mail, names, passwords
from assess.models import EmailVerification, PasswordReset, User
from assess.questionnaire.validation import Message
from assess.services import ServiceError, outbox, sessions
from assess.services.tokens import new_token, token_hash


def normalise_email(email: str) -> str:
    """``email`` checked for form and lower-cased, so that one address is one account.

    Raises ServiceError for an address that cannot be right.
    """
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ServiceError(
            Message(
                "Enter a real email address, in the form name@example.org (%(reason)s).",
                reason=str(error),
            ),
            field="email",
        ) from None
    return checked.normalized.lower()


def user_by_email(email: str) -> User | None:
    """The account with ``email`` (any case), if there is one."""
    return db.session().scalar(select(User).where(User.email == email.strip().lower()))


def _check_new_password(password: str, email: str, field: str = "password") -> None:
    found = passwords.problems(password, email)
    if found:
        raise ServiceError(found[0], field=field)


def _checked_name(name: str) -> str:
    """A person's name as stored, or ServiceError when it holds a control character or an
    invisible formatting mark (one rule for every kind of name: see assess.names)."""
    name = names.clean(name)
    refused = names.problem(name)
    if refused is not None:
        raise ServiceError(refused, field="name")
    return name


def create_user(
    name: str,
    email: str,
    password: str,
    *,
    is_operator: bool = False,
    verified: bool = True,
    language: str | None = None,
) -> User:
    """Add an account (not yet committed). Raises ServiceError for a taken address or a weak
    password.

    For trusted paths where the address is known to be the person's: the command line, the demo,
    an invitation link. People registering themselves go through :func:`register`, which leaves
    the address unconfirmed until they follow the emailed link.
    """
    name = _checked_name(name)
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise ServiceError(
            "An account with this email address already exists. Sign in, or reset your password "
            "if you have forgotten it.",
            field="email",
        )
    _check_new_password(password, email)
    user = User(
        name=name,
        email=email,
        password_hash=passwords.hash_password(password),
        is_operator=is_operator,
        email_verified_at=db.utcnow() if verified else None,
        language=i18n.known(language),
    )
    db.session().add(user)
    audit.person_for_user(user)
    return user


def create_confirmed_account(name: str, email: str, password: str) -> User:
    """Create an account whose address is known to be the person's (the demo), and commit it."""
    user = create_user(name, email, password)
    db.session().commit()
    return user


class Unconfirmed(ServiceError):
    """The password is right but the account's email address has not been confirmed yet."""


def register(name: str, email: str, password: str, *, language: str | None = None) -> None:
    """Register ``email``, answering the same way (and as fast) whether it has an account.

    A new account keeps ``language`` (the language the person registered in) as its own.

    A new address gets an unconfirmed account and a confirmation link; an address that already
    has an account gets an email saying that someone tried to register with it, with a link to
    choose a new password. Nothing tells the person registering which happened. Raises
    ServiceError only for what does not depend on the address (its form, a weak password).
    """
    name = _checked_name(name)
    email = normalise_email(email)
    _check_new_password(password, email)
    # Hashed in both cases, so that both take as long.
    password_hash = passwords.hash_password(password)
    session = db.session()
    existing = user_by_email(email)
    if existing is None:
        user = User(
            name=name,
            email=email,
            password_hash=password_hash,
            email_verified_at=None,
            language=i18n.known(language),
        )
        session.add(user)
        try:
            session.flush()
        except IntegrityError:  # registered at the same moment by another request
            session.rollback()
            existing = user_by_email(email)
            assert existing is not None
        else:
            audit.person_for_user(user)
            _queue_verification(user)
    if existing is not None:
        outbox.queue(
            existing.email,
            "registration_attempt",
            Message("Someone tried to register with your email address"),
            kind="registration_attempt",
            **_issue_reset(existing, cancel_earlier=False),
        )
    session.commit()


def _issue_verification(user: User) -> dict[str, Any]:
    """A new confirmation link for ``user``'s address (earlier ones stop working), as the
    context of its email; not committed."""
    now = db.utcnow()
    session = db.session()
    session.execute(
        update(EmailVerification)
        .where(EmailVerification.user_id == user.id, EmailVerification.used_at.is_(None))
        .values(used_at=now)
    )
    token, digest = new_token()
    ttl = timedelta(seconds=current_app.config["EMAIL_VERIFICATION_TTL"])
    session.add(EmailVerification(token_hash=digest, user=user, expires_at=now + ttl))
    return {
        "user": user,
        "link": url_for("auth.confirm_email", token=token, _external=True),
        "hours": max(1, int(ttl.total_seconds() // 3600)),
    }


VERIFICATION_SUBJECT = Message("Confirm your email address for assess")


def _queue_verification(user: User) -> None:
    """Queue a confirmation link for ``user``, in the caller's transaction."""
    outbox.queue(
        user.email,
        "confirm_email",
        VERIFICATION_SUBJECT,
        kind="email_verification",
        **_issue_verification(user),
    )


def _queue_request_for(email: str, kind: str) -> None:
    """Queue ``kind`` for ``email`` (nothing for an address that cannot be one): the account is
    looked up and the email written after the response, so every address is answered alike."""
    try:
        address = normalise_email(email)
    except ServiceError:
        return
    outbox.queue_request(kind, address)
    db.session().commit()


def resend_verification(email: str) -> None:
    """Queue a new confirmation link if ``email`` has an unconfirmed account; the caller answers
    the same way whatever happened (the work is done after the response)."""
    _queue_request_for(email, "email_verification_request")


@outbox.request_handler("email_verification_request")
def _verification_for(address: str) -> EmailMessage | None:
    user = user_by_email(address)
    if user is None or user.email_verified_at is not None:
        return None
    return mail.render_template_message(
        user.email, "confirm_email", VERIFICATION_SUBJECT, **_issue_verification(user)
    )


def valid_verification(token: str) -> EmailVerification | None:
    """The unused, unexpired confirmation that ``token`` belongs to, if any."""
    found = db.session().scalar(
        select(EmailVerification).where(EmailVerification.token_hash == token_hash(token))
    )
    if found is None or found.used_at is not None or found.expires_at <= db.utcnow():
        return None
    return found


def confirm_email(token: str) -> User:
    """Confirm an account's address through its link, which then stops working."""
    found = valid_verification(token)
    if found is None:
        raise ServiceError("This link has expired or has already been used. Ask for a new one.")
    now = db.utcnow()
    session = db.session()
    # One use only, even for two clicks at the same moment: the first update wins.
    taken = session.execute(
        update(EmailVerification)
        .where(EmailVerification.id == found.id, EmailVerification.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        session.rollback()
        raise ServiceError("This link has expired or has already been used. Ask for a new one.")
    user = found.user
    if user.email_verified_at is None:
        user.email_verified_at = now
    session.commit()
    return user


def register_through_invitation(
    name: str, email: str, password: str, *, language: str | None = None
) -> User:
    """Create the account of an invited address (the invitation link proves it is theirs), or
    take over an unconfirmed account of that address, which nobody had proved was theirs; it
    keeps ``language``, the language the person registered in."""
    email = normalise_email(email)
    existing = user_by_email(email)
    if existing is None:
        user = create_user(name, email, password, language=language)
    elif existing.email_verified_at is None:
        _check_new_password(password, email)
        existing.name = _checked_name(name)
        _set_password(existing, password)
        existing.email_verified_at = db.utcnow()
        existing.language = i18n.known(language) or existing.language
        # Confirmation links of the registration this replaces stop working.
        db.session().execute(
            update(EmailVerification)
            .where(EmailVerification.user_id == existing.id, EmailVerification.used_at.is_(None))
            .values(used_at=existing.email_verified_at)
        )
        sessions.revoke_all(existing.id, reason="password")
        user = existing
    else:
        raise ServiceError(
            "An account with this email address already exists. Sign in to accept the invitation."
        )
    db.session().flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account if ``email`` and ``password`` match, else None.

    Takes as long for an unknown address as for a wrong password (a dummy hash is checked), and
    upgrades the stored hash when the configured cost has changed.

    Both outcomes go into the audit trail. A failed attempt on an address without an account is
    recorded without the address: it may be someone's mistyped, real address.
    """
    user = user_by_email(email)
    if not passwords.verify(user.password_hash if user else None, password):
        audit.record_now(
            audit.LOGIN_FAILED,
            organisation_id=None,
            actor=None,
            subject=user,
            object_type="account",
            object_id=user.id if user else None,
            detail=None if user else {"known_account": False},
        )
        return None
    assert user is not None
    if user.email_verified_at is None:
        audit.record_now(
            audit.LOGIN_FAILED,
            organisation_id=None,
            actor=None,
            subject=user,
            object_type="account",
            object_id=user.id,
            detail={"unconfirmed": True},
        )
        raise Unconfirmed("Confirm your email address before you sign in.")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    audit.record_now(
        audit.LOGIN_SUCCEEDED,
        organisation_id=None,
        actor=user,
        object_type="account",
        object_id=user.id,
    )
    return user


def _set_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = db.utcnow()


def change_password(user: User, current: str, new: str, keep_session_token: str | None) -> None:
    """Replace the password after checking the current one; every other session is signed out."""
    if not passwords.verify(user.password_hash, current):
        raise ServiceError("Your current password is not right.", field="current_password")
    _check_new_password(new, user.email, field="new_password")
    _set_password(user, new)
    sessions.revoke_all(user.id, reason="password", keep_token=keep_session_token)
    db.session().commit()


def request_password_reset(email: str) -> None:
    """Email a single-use reset link to ``email`` if it has an account; do nothing otherwise.

    The caller answers the same way in both cases, and as fast: the request only queues the
    address; the account is looked up, earlier links are cancelled and the email is written after
    the response (see ``outbox.queue_request``).
    """
    _queue_request_for(email, "password_reset_request")


@outbox.request_handler("password_reset_request")
def _reset_for(address: str) -> EmailMessage | None:
    user = user_by_email(address)
    if user is None:
        return None
    return mail.render_template_message(
        user.email,
        "password_reset",
        Message("Reset your assess password"),
        **_issue_reset(user, cancel_earlier=True),
    )


def _issue_reset(user: User, *, cancel_earlier: bool) -> dict[str, Any]:
    """A new reset link for ``user``, as the context of its email; not committed. With
    ``cancel_earlier``, the account's earlier links stop working."""
    now = db.utcnow()
    session = db.session()
    if cancel_earlier:
        session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
        )
    token, digest = new_token()
    ttl = timedelta(seconds=current_app.config["PASSWORD_RESET_TTL"])
    session.add(PasswordReset(token_hash=digest, user_id=user.id, expires_at=now + ttl))
    return {
        "user": user,
        "link": url_for("auth.reset_password", token=token, _external=True),
        "minutes": int(ttl.total_seconds() // 60),
    }


def valid_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset that ``token`` belongs to, if any."""
    reset = db.session().scalar(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= db.utcnow():
        return None
    return reset


#: What a reset link that cannot be used (any more) answers.
_RESET_USED = Message("This link has expired or has already been used. Ask for a new one.")


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link, which then stops working; signs out every
    session of the account."""
    reset = valid_reset(token)
    if reset is None:
        raise ServiceError(_RESET_USED)
    user = reset.user
    _check_new_password(password, user.email)
    # Claim the link before anything else is written: of two uses at the same moment, only the
    # one whose claim changes the row goes on (the other waits for it, then finds it used).
    now = db.utcnow()
    session = db.session()
    claimed = session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ServiceError(_RESET_USED)
    _set_password(user, password)
    # The link came to the address, so the address is the person's.
    if user.email_verified_at is None:
        user.email_verified_at = now
    sessions.revoke_all(user.id, reason="password")
    session.commit()
    return user


def create_operator(name: str, email: str, password: str) -> User:
    """Create an instance operator's account, or make an existing account an operator (its
    password is then left alone)."""
    existing = user_by_email(normalise_email(email))
    if existing is not None:
        existing.is_operator = True
        # Whoever runs the command vouches for the address.
        if existing.email_verified_at is None:
            existing.email_verified_at = db.utcnow()
        db.session().commit()
        return existing
    user = create_user(name, email, password, is_operator=True)
    db.session().commit()
    return user


def delete_user(user: User) -> None:
    """Delete an account with its memberships and sessions; what it answered stays, unsigned."""
    session = db.session()
    session.delete(user)
    session.commit()
