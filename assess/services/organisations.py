"""Organisations, their members and invitations, and the operator's approval and suspension."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import contains_eager, joinedload

from assess import audit, db, names, pagination
from assess.models import Invitation, Membership, Organisation, OutboxMessage, User
from assess.permissions import ADMIN, ROLES
from assess.questionnaire.validation import Message
from assess.reference import COUNTRIES, SECTORS, SIZE_BANDS, is_time_zone
from assess.services import ServiceError, accounts, outbox
from assess.services.accounts import normalise_email
from assess.services.tokens import new_token, token_hash


@dataclass(frozen=True)
class Details:
    """What describes an organisation; checked against the fixed lists by :meth:`check`."""

    name: str
    sector: str
    size_band: str
    country: str
    time_zone: str

    def check(self) -> None:
        """Raise ServiceError naming the first field that is not one of the allowed values."""
        if not self.name.strip():
            raise ServiceError("Enter the organisation's name.", field="name")
        refused = names.problem(names.clean(self.name))
        if refused is not None:
            raise ServiceError(refused, field="name")
        if self.sector not in SECTORS:
            raise ServiceError("Choose a sector from the list.", field="sector")
        if self.size_band not in SIZE_BANDS:
            raise ServiceError("Choose a size from the list.", field="size_band")
        if self.country not in COUNTRIES:
            raise ServiceError("Choose a country from the list.", field="country")
        if not is_time_zone(self.time_zone):
            raise ServiceError("Choose a time zone from the list.", field="time_zone")


def create(user: User, details: Details) -> Organisation:
    """Register an organisation with ``user`` as its admin.

    With open registration it is active at once; otherwise it waits for an operator's approval.
    """
    details.check()
    status = "active" if current_app.config["OPEN_REGISTRATION"] else "pending"
    organisation = Organisation(
        name=names.clean(details.name),
        sector=details.sector,
        size_band=details.size_band,
        country=details.country,
        time_zone=details.time_zone,
        status=status,
    )
    session = db.session()
    session.add(organisation)
    session.add(Membership(user=user, organisation=organisation, role=ADMIN))
    session.flush()
    audit.record(
        audit.ORGANISATION_CREATED,
        organisation_id=organisation.id,
        actor=user,
        object_type="organisation",
        object_id=organisation.id,
        new=_details_of(organisation),
    )
    session.commit()
    return organisation


def _details_of(organisation: Organisation) -> dict[str, str]:
    return {
        "name": organisation.name,
        "sector": organisation.sector,
        "size_band": organisation.size_band,
        "country": organisation.country,
        "time_zone": organisation.time_zone,
    }


def update_details(organisation: Organisation, details: Details, *, by: User | None = None) -> None:
    """Change an organisation's name, sector, size, country and time zone."""
    details.check()
    before = _details_of(organisation)
    organisation.name = names.clean(details.name)
    organisation.sector = details.sector
    organisation.size_band = details.size_band
    organisation.country = details.country
    organisation.time_zone = details.time_zone
    after = _details_of(organisation)
    if after != before:
        audit.record(
            audit.ORGANISATION_UPDATED,
            organisation_id=organisation.id,
            actor=by,
            object_type="organisation",
            object_id=organisation.id,
            old={k: v for k, v in before.items() if after[k] != v},
            new={k: v for k, v in after.items() if before[k] != v},
        )
    db.session().commit()


def get(organisation_id: int) -> Organisation | None:
    """The organisation with this id, if any."""
    return db.session().get(Organisation, organisation_id)


#: A person's membership of an organisation, with the organisation (every access check reads
#: whether it is available). Built once: every request that checks access runs it.
_MEMBERSHIP = (
    select(Membership)
    .options(joinedload(Membership.organisation))
    .where(
        Membership.user_id == bindparam("user_id"),
        Membership.organisation_id == bindparam("organisation_id"),
    )
)


def membership(user_id: int, organisation_id: int) -> Membership | None:
    """``user_id``'s membership of ``organisation_id``, if they are a member."""
    return db.session().scalar(
        _MEMBERSHIP, {"user_id": user_id, "organisation_id": organisation_id}
    )


#: Members on one page of an organisation's list.
MEMBERS_PER_PAGE = 50


def members_page(
    organisation: Organisation, *, after: str | None = None, before: str | None = None
) -> pagination.Window[Membership]:
    """A page of the organisation's members by name; keyset on (name, account id), with the
    account read in the same query. Raises :class:`pagination.BadCursor`."""
    return pagination.page(
        select(Membership)
        .join(Membership.user)
        .options(contains_eager(Membership.user))
        .where(Membership.organisation_id == organisation.id),
        [(User.name, pagination.ASC), (User.id, pagination.ASC)],
        after=after,
        before=before,
        size=MEMBERS_PER_PAGE,
        key_of=lambda member: (member.user.name, member.user.id),
    )


def memberships_of(user_id: int) -> list[Membership]:
    """Every organisation ``user_id`` belongs to, by organisation name."""
    return list(
        db.session().scalars(
            select(Membership)
            .join(Membership.organisation)
            .where(Membership.user_id == user_id)
            .order_by(Organisation.name, Organisation.id)
        )
    )


def members(organisation: Organisation) -> list[Membership]:
    """The organisation's members, by name."""
    return list(
        db.session().scalars(
            select(Membership)
            .join(Membership.user)
            .where(Membership.organisation_id == organisation.id)
            .order_by(User.name, User.id)
        )
    )


def get_membership(membership_id: int) -> Membership | None:
    """The membership with this id, if any."""
    return db.session().get(Membership, membership_id)


def _admin_count(organisation_id: int) -> int:
    return (
        db.session().scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == organisation_id, Membership.role == ADMIN)
        )
        or 0
    )


def change_role(member: Membership, role: str, *, by: User | None = None) -> None:
    """Give ``member`` another role; an organisation always keeps at least one admin."""
    if role not in ROLES:
        raise ServiceError("Choose a role from the list.", field="role")
    if member.role == ADMIN and role != ADMIN and _admin_count(member.organisation_id) == 1:
        raise ServiceError(
            "An organisation needs at least one admin. Make someone else admin first."
        )
    if role != member.role:
        audit.record(
            audit.MEMBER_ROLE_CHANGED,
            organisation_id=member.organisation_id,
            actor=by,
            subject=member.user,
            object_type="membership",
            object_id=member.id,
            old=member.role,
            new=role,
        )
    member.role = role
    db.session().commit()


def removal_refused(member: Membership) -> ServiceError | None:
    """Why ``member`` cannot be removed (the last admin), or None when they can be."""
    if member.role == ADMIN and _admin_count(member.organisation_id) == 1:
        return ServiceError(
            "An organisation needs at least one admin. Make someone else admin first."
        )
    return None


def remove_member(member: Membership, *, by: User | None = None) -> None:
    """Take ``member`` out of their organisation; the last admin cannot be removed."""
    refusal = removal_refused(member)
    if refusal is not None:
        raise refusal
    audit.record(
        audit.MEMBER_REMOVED,
        organisation_id=member.organisation_id,
        actor=by,
        subject=member.user,
        object_type="membership",
        object_id=member.id,
        old=member.role,
    )
    db.session().delete(member)
    db.session().commit()


def invite(organisation: Organisation, email: str, role: str, invited_by: User) -> Invitation:
    """Invite ``email`` to join ``organisation`` as ``role`` and email them the link.

    An earlier open invitation of the same address to the same organisation is withdrawn.
    """
    email = normalise_email(email)
    if role not in ROLES:
        raise ServiceError("Choose a role from the list.", field="role")
    session = db.session()
    existing_member = session.scalar(
        select(Membership)
        .join(Membership.user)
        .where(Membership.organisation_id == organisation.id, User.email == email)
    )
    if existing_member is not None:
        raise ServiceError(
            Message(
                "%(email)s is already a member of %(organisation)s.",
                email=email,
                organisation=organisation.name,
            ),
            field="email",
        )
    now = db.utcnow()
    for earlier in open_invitations(organisation):
        if earlier.email == email:
            earlier.revoked_at = now
    token, digest = new_token()
    ttl = timedelta(seconds=current_app.config["INVITATION_TTL"])
    invitation = Invitation(
        token_hash=digest,
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=now + ttl,
    )
    session.add(invitation)
    session.flush()
    audit.record(
        audit.INVITATION_SENT,
        organisation_id=organisation.id,
        actor=invited_by,
        subject=audit.person_ref_for_email(email),
        object_type="invitation",
        object_id=invitation.id,
        new=role,
    )
    # Queued in the same transaction: the invitation, its audit event and its email are saved
    # together; the email goes out after the response (its state shows on the members page).
    outbox.queue(
        email,
        "invitation",
        Message(
            "%(name)s invites you to %(organisation)s on assess",
            name=invited_by.name,
            organisation=organisation.name,
        ),
        kind="invitation",
        for_invitation=invitation,
        invitation=invitation,
        organisation=organisation,
        invited_by=invited_by,
        link=url_for("organisations.accept_invitation", token=token, _external=True),
        days=max(1, int(ttl.total_seconds() // 86400)),
    )
    session.commit()
    return invitation


def open_invitations(organisation: Organisation) -> list[Invitation]:
    """Invitations of ``organisation`` not yet accepted, withdrawn or expired, newest first."""
    return list(
        db.session().scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > db.utcnow(),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def invitation_mail(invitations: list[Invitation]) -> dict[int, OutboxMessage]:
    """The newest email of each invitation (its delivery state), by invitation id."""
    return outbox.latest_for_invitations([invitation.id for invitation in invitations])


def resend_invitation(invitation: Invitation) -> bool:
    """Send an invitation's failed email again; False if there is nothing to resend."""
    record = outbox.latest_for_invitations([invitation.id]).get(invitation.id)
    if record is None or record.state != "failed" or record.message is None:
        return False
    outbox.resend(record)
    return True


def get_invitation(invitation_id: int) -> Invitation | None:
    """The invitation with this id, if any."""
    return db.session().get(Invitation, invitation_id)


def invitation_for(token: str) -> Invitation | None:
    """The open invitation ``token`` belongs to, if it has not expired, been used or withdrawn."""
    invitation = db.session().scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= db.utcnow()
    ):
        return None
    return invitation


def accept(invitation: Invitation, user: User) -> Membership:
    """Make ``user`` a member with the invited role. Only the invited address may accept."""
    if user.email != invitation.email:
        raise ServiceError(
            Message(
                "This invitation is for %(email)s. Sign in with that address to accept it.",
                email=invitation.email,
            )
        )
    invitation.accepted_at = db.utcnow()
    member = membership(user.id, invitation.organisation_id)
    if member is None:
        member = Membership(user=user, organisation=invitation.organisation, role=invitation.role)
        db.session().add(member)
    audit.record(
        audit.INVITATION_ACCEPTED,
        organisation_id=invitation.organisation_id,
        actor=user,
        object_type="invitation",
        object_id=invitation.id,
        new=member.role,
    )
    db.session().commit()
    return member


def accept_as_new_account(
    invitation: Invitation, name: str, password: str, *, language: str | None = None
) -> User:
    """Create the invited person's account (keeping ``language``, the one they registered in)
    and make them a member, in one transaction.

    The invitation link proves the address, so the account is confirmed; an unconfirmed account
    someone else registered with the address is taken over (see
    ``accounts.register_through_invitation``).
    """
    user = accounts.register_through_invitation(name, invitation.email, password, language=language)
    accept(invitation, user)
    return user


def add_member(organisation: Organisation, user: User, role: str) -> Membership:
    """Make an existing account a member with ``role`` without an invitation.

    For setting up from the command line (the demo organisation); people join through
    invitations. Raises ServiceError for an unknown role or a person who is already a member.
    """
    if role not in ROLES:
        raise ServiceError("Choose a role from the list.", field="role")
    if membership(user.id, organisation.id) is not None:
        raise ServiceError(
            Message(
                "%(email)s is already a member of %(organisation)s.",
                email=user.email,
                organisation=organisation.name,
            )
        )
    member = Membership(user=user, organisation=organisation, role=role)
    db.session().add(member)
    db.session().commit()
    return member


def delete(organisation: Organisation) -> None:
    """Delete an organisation with its members' roles, invitations, assessments and answers.

    The people's accounts are kept. Used to recreate the demo organisation.
    """
    session = db.session()
    session.delete(organisation)
    session.commit()


def withdraw_invitation(invitation: Invitation, *, by: User | None = None) -> None:
    """Stop an invitation's link from working."""
    if invitation.revoked_at is None:
        invitation.revoked_at = db.utcnow()
        audit.record(
            audit.INVITATION_WITHDRAWN,
            organisation_id=invitation.organisation_id,
            actor=by,
            subject=audit.person_ref_for_email(invitation.email),
            object_type="invitation",
            object_id=invitation.id,
        )
        db.session().commit()


def all_organisations() -> list[Organisation]:
    """Every organisation on the instance, pending ones first, then by name (for operators)."""
    pending_first = (Organisation.status != "pending").asc()
    return list(
        db.session().scalars(select(Organisation).order_by(pending_first, Organisation.name))
    )


#: Organisations on one page of the operator's list.
PER_PAGE = 50
#: Organisations awaiting approval named at the top of the operator's first page.
PENDING_SHOWN = 10


def organisations_page(
    status: str | None = None, *, after: str | None = None, before: str | None = None
) -> pagination.Window[Organisation]:
    """A page of the instance's organisations by name (optionally of one ``status``), for the
    operator; keyset on (name, id). Raises :class:`pagination.BadCursor`."""
    query = select(Organisation)
    if status is not None:
        query = query.where(Organisation.status == status)
    return pagination.page(
        query,
        [(Organisation.name, pagination.ASC), (Organisation.id, pagination.ASC)],
        after=after,
        before=before,
        size=PER_PAGE,
    )


def awaiting_approval(limit: int = PENDING_SHOWN) -> list[Organisation]:
    """The first ``limit`` organisations waiting for the operator's approval, by name."""
    return list(
        db.session().scalars(
            select(Organisation)
            .where(Organisation.status == "pending")
            .order_by(Organisation.name, Organisation.id)
            .limit(limit)
        )
    )


def set_status(organisation: Organisation, status: str, *, by: User | None = None) -> None:
    """Approve (active), suspend or reactivate (active) an organisation."""
    if status not in ("active", "suspended"):
        raise ServiceError("Unknown status.")
    if status != organisation.status:
        audit.record(
            audit.ORGANISATION_STATUS_CHANGED,
            organisation_id=organisation.id,
            actor=by,
            object_type="organisation",
            object_id=organisation.id,
            old=organisation.status,
            new=status,
        )
    organisation.status = status
    organisation.status_changed_at = db.utcnow()
    db.session().commit()


def retire(organisation: Organisation, name: str) -> None:
    """Keep an organisation whose finalised reports cannot be deleted, out of the way: renamed,
    suspended and without members (recreating the demo uses it). Its reports stay verifiable."""
    session = db.session()
    audit.record(
        audit.ORGANISATION_STATUS_CHANGED,
        organisation_id=organisation.id,
        actor=None,
        object_type="organisation",
        object_id=organisation.id,
        old=organisation.status,
        new="suspended",
        detail={"retired": True},
    )
    organisation.name = name[:200]
    organisation.status = "suspended"
    organisation.status_changed_at = db.utcnow()
    for member in list(organisation.memberships):
        session.delete(member)
    session.commit()
