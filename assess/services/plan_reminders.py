"""Reminders of the action plan (:func:`send_reminders`, a step of ``assess maintenance purge``,
which runs daily): the owner who is a member gets an email a week before the due date and on it,
and the organisation's admins get a weekly digest of overdue actions. Each is recorded in
``plan_reminder`` under a key of the action (or organisation), the kind and the date, so none is
ever queued twice; nothing is sent for an organisation that switched reminders off
(:func:`set_reminders`), or that is not available.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_date as babel_format_date
from sqlalchemy import select

from assess import audit, db
from assess.models import Membership, Organisation, PlanAction, PlanReminder, User
from assess.models.progress import OPEN_STATUSES
from assess.questionnaire.validation import Message
from assess.services import maintenance, outbox
from assess.services.action_plan import organisation_today, owner_text

#: A reminder goes to the owner this many days before the due date, and on it.
DAYS_BEFORE = 7


def set_reminders(organisation: Organisation, user: User, on: bool) -> bool:
    """Switch the organisation's action reminders on or off; False when it already was."""
    if organisation.action_reminders == on:
        return False
    session = db.session()
    old = organisation.action_reminders
    organisation.action_reminders = on
    audit.record(
        audit.ACTION_REMINDERS_CHANGED,
        organisation_id=organisation.id,
        actor=user,
        object_type="organisation",
        object_id=organisation.id,
        old=old,
        new=on,
    )
    session.commit()
    return True


class _MailDate:
    """A date in an email, written in the language the email is being written in when it is
    shown ("5 Mar 2027"): a bilingual email has it in Welsh, then in English."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __str__(self) -> str:
        return babel_format_date(self.day, format="d MMM y")


def _mail_date(day: date) -> _MailDate:
    """A date in an email, in the language the email is written in."""
    return _MailDate(day)


def _base_url() -> str | None:
    configured = current_app.config.get("BASE_URL")
    return str(configured).rstrip("/") if configured else None


def _claim(key: str, **fields: Any) -> PlanReminder | None:
    """Record the reminder ``key``; None when it was already recorded (queued before)."""
    session = db.session()
    if session.scalar(select(PlanReminder.id).where(PlanReminder.event_key == key)) is not None:
        return None
    reminder = PlanReminder(event_key=key, queued_at=db.utcnow(), messages=0, **fields)
    session.add(reminder)
    return reminder


def _admins(organisation: Organisation) -> list[User]:
    return list(
        db.session().scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation.id, Membership.role == "admin")
            .order_by(User.id)
        )
    )


def _is_member(user_id: int, organisation_id: int) -> bool:
    return (
        db.session().scalar(
            select(Membership.id).where(
                Membership.user_id == user_id, Membership.organisation_id == organisation_id
            )
        )
        is not None
    )


def _action_url(action: PlanAction) -> str | None:
    base = _base_url()
    return f"{base}/plan/actions/{action.id}" if base else None


def _plan_url(organisation: Organisation, actions_: Sequence[PlanAction]) -> str | None:
    base = _base_url()
    if not base or not actions_:
        return None
    return f"{base}/assessments/{actions_[0].assessment_id}/plan?overdue=1"


def reminders_for(organisation: Organisation, now: datetime) -> int:
    """Queue the reminders due for ``organisation`` today (committed); how many messages."""
    if not organisation.action_reminders or not organisation.is_available:
        return 0
    today = organisation_today(organisation, now)
    open_actions = list(
        db.session().scalars(
            select(PlanAction)
            .where(
                PlanAction.organisation_id == organisation.id,
                PlanAction.status.in_(OPEN_STATUSES),
            )
            .order_by(PlanAction.due_on, PlanAction.id)
        )
    )
    queued = 0
    for action in open_actions:
        owner = action.owner_user
        if owner is None or not _is_member(owner.id, organisation.id):
            continue
        if action.due_on == today:
            kind = "due"
        elif today < action.due_on <= today + timedelta(days=DAYS_BEFORE):
            kind = "week_before"
        else:
            continue
        key = f"action:{action.id}:{kind}:{action.due_on.isoformat()}"
        reminder = _claim(
            key,
            organisation_id=organisation.id,
            action_id=action.id,
            kind=kind,
            on_date=action.due_on,
        )
        if reminder is None:
            continue
        subject = (
            Message("Due today: %(action)s", action=action.title[:80])
            if kind == "due"
            else Message(
                "Due on %(date)s: %(action)s",
                date=_mail_date(action.due_on),
                action=action.title[:80],
            )
        )
        outbox.queue(
            owner.email,
            "action_reminder",
            subject,
            kind="action_reminder",
            action=action,
            organisation=organisation,
            due=_mail_date(action.due_on),
            due_today=kind == "due",
            link=_action_url(action),
        )
        reminder.messages = 1
        queued += 1
    overdue = [a for a in open_actions if a.is_overdue(today)]
    if overdue:
        monday = today - timedelta(days=today.weekday())
        reminder = _claim(
            f"digest:{organisation.id}:{monday.isoformat()}",
            organisation_id=organisation.id,
            action_id=None,
            kind="overdue_digest",
            on_date=monday,
        )
        if reminder is not None:
            base = _base_url()
            for admin in _admins(organisation):
                outbox.queue(
                    admin.email,
                    "overdue_digest",
                    Message(
                        "%(count)s overdue actions in the plan of %(organisation)s",
                        count=len(overdue),
                        organisation=organisation.name,
                    ),
                    kind="overdue_digest",
                    organisation=organisation,
                    link=_plan_url(organisation, overdue),
                    rows=[
                        {
                            "title": a.title,
                            "owner": owner_text(a),
                            "due": _mail_date(a.due_on),
                            "days": (today - a.due_on).days,
                            "link": f"{base}/plan/actions/{a.id}" if base else None,
                        }
                        for a in overdue
                    ],
                )
                reminder.messages += 1
                queued += 1
    db.session().commit()
    return queued


@maintenance.purge_step("action-plan reminders and the weekly digest of overdue actions")
def send_reminders(now: datetime) -> int:
    """Queue every organisation's reminders due today, then send them; how many were queued."""
    organisation_ids = list(
        db.session().scalars(
            select(PlanAction.organisation_id)
            .where(PlanAction.status.in_(OPEN_STATUSES))
            .distinct()
        )
    )
    queued = 0
    for organisation_id in organisation_ids:
        organisation = db.session().get(Organisation, organisation_id)
        if organisation is not None:
            queued += reminders_for(organisation, now)
    if queued:
        outbox.send_due()
    return queued
