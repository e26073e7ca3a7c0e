"""People's accounts: registering, signing in, changing and resetting passwords, operators."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from sqlalchemy import select, update

from assess import audit, db, mail, names, passwords
from assess.models import PasswordReset, User
from assess.questionnaire.validation import Message
from assess.services import ServiceError, sessions
from assess.services.tokens import new_token, token_hash


def normalise_email(email: str) -> str:
    """``email`` checked for form and lower-cased, so that one address is one account.

    Raises ServiceError for an address that cannot be right.
    """
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ServiceError(f"Enter a real email address: {error}", field="email") from None
    return checked.normalized.lower()


def user_by_email(email: str) -> User | None:
    """The account with ``email`` (any case), if there is one."""
    return db.session().scalar(select(User).where(User.email == email.strip().lower()))


def _check_new_password(password: str, email: str, field: str = "password") -> None:
    found = passwords.problems(password, email)
    if found:
        raise ServiceError(found[0], field=field)


def create_user(name: str, email: str, password: str, *, is_operator: bool = False) -> User:
    """Add an account (not yet committed). Raises ServiceError for a taken address or a weak
    password."""
    name = names.clean(name)
    refused = names.problem(name)
    if refused is not None:
        raise ServiceError(refused, field="name")
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
    )
    db.session().add(user)
    audit.person_for_user(user)
    return user


def register(name: str, email: str, password: str) -> User:
    """Create an account and commit it."""
    user = create_user(name, email, password)
    db.session().commit()
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

    The caller answers the same way in both cases. Earlier links of the account stop working.
    """
    try:
        user = user_by_email(normalise_email(email))
    except ServiceError:
        return
    if user is None:
        return
    now = db.utcnow()
    session = db.session()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token, digest = new_token()
    ttl = timedelta(seconds=current_app.config["PASSWORD_RESET_TTL"])
    session.add(PasswordReset(token_hash=digest, user_id=user.id, expires_at=now + ttl))
    session.commit()
    mail.send_template(
        user.email,
        "password_reset",
        Message("Reset your assess password"),
        user=user,
        link=url_for("auth.reset_password", token=token, _external=True),
        minutes=int(ttl.total_seconds() // 60),
    )


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
    sessions.revoke_all(user.id, reason="password")
    session.commit()
    return user


def create_operator(name: str, email: str, password: str) -> User:
    """Create an instance operator's account, or make an existing account an operator (its
    password is then left alone)."""
    existing = user_by_email(normalise_email(email))
    if existing is not None:
        existing.is_operator = True
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
