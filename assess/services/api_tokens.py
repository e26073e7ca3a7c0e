"""Personal API tokens: made and revoked on the account page, checked on every API request.

A token is shown to its person once, when it is made; only its SHA-256 hash is kept
(:mod:`assess.services.tokens`). It has a name, an expiry and a scope of organisations, chosen from
those its person belongs to. It acts as its person with their roles *at the time of each request*:
leaving an organisation, or losing a role, takes the token's access with it. Making and revoking a
token is recorded in the audit trail of each organisation in its scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from assess import audit, db
from assess.models import ApiToken, Organisation, User
from assess.services import ServiceError, organisations
from assess.services.tokens import new_token, token_hash

#: What every token starts with, so that secret scanners and people can recognise one.
PREFIX = "assess_"
#: The lifetimes a person may choose, in days.
LIFETIMES = (7, 30, 90, 180, 365)
#: The lifetime offered first.
DEFAULT_LIFETIME = 90
#: A person's live tokens at most (revoke one to make another).
MAX_LIVE = 20
#: How stale ``last_used_at`` may become before a request writes it again.
LAST_USED_PRECISION = timedelta(minutes=5)


def create(
    user: User, name: str, organisation_ids: Iterable[int], lifetime_days: int
) -> tuple[ApiToken, str]:
    """Make a token for ``user``: the stored record and the secret, which is shown once only."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("Give the token a name, so that you can tell it apart.", field="name")
    if len(name) > 100:
        raise ServiceError("A token's name can be at most 100 characters.", field="name")
    if lifetime_days not in LIFETIMES:
        raise ServiceError("Choose how long the token works.", field="lifetime")
    wanted = set(organisation_ids)
    if not wanted:
        raise ServiceError(
            "Choose at least one organisation the token may read.", field="organisations"
        )
    mine = {m.organisation_id: m.organisation for m in organisations.memberships_of(user.id)}
    if not wanted <= set(mine):
        # Offered only the person's own organisations: anything else was not on the form.
        raise ServiceError(
            "A token can only read organisations you belong to.", field="organisations"
        )
    if len(live_tokens(user)) >= MAX_LIVE:
        raise ServiceError(
            "You have as many tokens as you may. Revoke one you no longer use first.",
            field="name",
        )
    secret_part, _digest = new_token()
    secret = PREFIX + secret_part
    now = db.utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=token_hash(secret),
        prefix=secret[: len(PREFIX) + 4],
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
        organisations=[mine[org_id] for org_id in sorted(wanted)],
    )
    session = db.session()
    session.add(token)
    session.flush()
    for organisation in token.organisations:
        audit.record(
            audit.API_TOKEN_CREATED,
            organisation_id=organisation.id,
            actor=user,
            object_type="api_token",
            object_id=token.id,
            detail={"expires_at": token.expires_at.isoformat(), "lifetime_days": lifetime_days},
        )
    session.commit()
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """Every token of ``user``, newest first (revoked and expired ones too, for the record)."""
    return list(
        db.session().scalars(
            select(ApiToken)
            .options(selectinload(ApiToken.organisations))
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def live_tokens(user: User) -> list[ApiToken]:
    """The tokens of ``user`` that still work."""
    now = db.utcnow()
    return [t for t in tokens_of(user) if is_live(t, now)]


def is_live(token: ApiToken, now: datetime | None = None) -> bool:
    """Not revoked and not expired."""
    return token.revoked_at is None and token.expires_at > (now or db.utcnow())


def revoke(user: User, token_id: int) -> ApiToken:
    """Stop ``user``'s token ``token_id`` from working, at once. Someone else's token, or one
    that does not exist, is not found (nothing says whether it exists)."""
    token = db.session().get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise ServiceError("That token was not found.")
    if token.revoked_at is not None:
        return token
    token.revoked_at = db.utcnow()
    for organisation in token.organisations:
        audit.record(
            audit.API_TOKEN_REVOKED,
            organisation_id=organisation.id,
            actor=user,
            object_type="api_token",
            object_id=token.id,
        )
    db.session().commit()
    return token


def authenticate(secret: str) -> ApiToken | None:
    """The live token whose secret is ``secret``, or None (unknown, revoked or expired).

    Notes when it was used, at most every few minutes (so that reading does not write each time).
    """
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session().scalar(
        select(ApiToken)
        .options(selectinload(ApiToken.organisations), selectinload(ApiToken.user))
        .where(ApiToken.token_hash == token_hash(secret))
    )
    now = db.utcnow()
    if token is None or not is_live(token, now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
        db.session().commit()
    return token


def readable_organisations(token: ApiToken) -> list[Organisation]:
    """The organisations ``token`` may list: in its scope, and its person still a member."""
    member_of = {m.organisation_id for m in organisations.memberships_of(token.user_id)}
    return [org for org in token.organisations if org.id in member_of]
