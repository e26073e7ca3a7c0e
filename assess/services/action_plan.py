"""The action plan: adopting the method's steps (or writing one's own) and tracking them.

An admin adopts a recommended step from the results (one per practice holding an area below its
target, see :mod:`assess.scoring.gaps`) or writes an action of their own for any practice. Each
action has the practice and area it serves, what "done" means (the next level's criteria by
default), an owner (a member, or a named role for someone without an account), a due date, a
status and its evidence. The plan stays editable after the assessment is finalised: the stored
report keeps the plan as it was when it was rendered.

Every change is recorded in the audit trail (object ``plan_action``) in the same transaction.
Events keep ids, statuses, dates and texts of the action, never a person's name: an owner who is a
member is the event's subject (a person reference); a named role is recorded only as "a role".

Reminders of due and overdue actions are :mod:`assess.services.plan_reminders`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assess import audit, db
from assess.models import (
    Assessment,
    Membership,
    Organisation,
    PlanAction,
    User,
)
from assess.models.progress import ACTION_STATUSES
from assess.questionnaire.schema import LevelQuestion
from assess.reporting.board import add_months, format_date
from assess.scoring.gaps import DimensionGap, Step, done_when
from assess.services import ServiceError, assessments

#: How each status is named.
STATUS_LABELS: dict[str, Any] = {
    "not_started": _("Not started"),
    "in_progress": _("In progress"),
    "done": _("Done"),
    "dropped": _("Dropped"),
}
#: The longest texts accepted.
TITLE_MAX = 1000
TEXT_MAX = 5000
ROLE_MAX = 120
REFERENCE_MAX = 500
#: The object type of the plan's events in the audit trail.
OBJECT_TYPE = "plan_action"


def organisation_today(organisation: Organisation, now: datetime | None = None) -> date:
    """Today in the organisation's time zone."""
    return (now or db.utcnow()).astimezone(ZoneInfo(organisation.time_zone)).date()


def get(action_id: int) -> PlanAction | None:
    """The action with ``action_id``, or None."""
    return db.session().get(PlanAction, action_id)


def owner_text(action: PlanAction) -> str:
    """Who owns it, as people read it: the member's name, or the named role."""
    if action.owner_user is not None:
        return action.owner_user.name
    return action.owner_role or str(_("No owner"))


# ---- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What to narrow the plan to; None means no restriction."""

    #: ``member:<user id>`` or ``role:<named role>``.
    owner: str | None = None
    status: str | None = None
    overdue: bool = False


def actions(assessment: Assessment, filters: Filters | None = None) -> list[PlanAction]:
    """The actions of ``assessment``'s plan, by due date, narrowed by ``filters``."""
    query = (
        select(PlanAction)
        .where(PlanAction.assessment_id == assessment.id)
        .order_by(PlanAction.due_on, PlanAction.id)
    )
    found = list(db.session().scalars(query))
    filters = filters or Filters()
    if filters.owner:
        found = [a for a in found if owner_key(a) == filters.owner]
    if filters.status:
        found = [a for a in found if a.status == filters.status]
    if filters.overdue:
        today = organisation_today(assessment.organisation)
        found = [a for a in found if a.is_overdue(today)]
    return found


def owner_key(action: PlanAction) -> str:
    """The owner as a filter value."""
    if action.owner_user_id is not None:
        return f"member:{action.owner_user_id}"
    return f"role:{action.owner_role or ''}"


def owners(assessment: Assessment) -> list[tuple[str, str]]:
    """Each owner of an action in the plan, as (filter value, name), by name."""
    seen = {owner_key(a): owner_text(a) for a in actions(assessment)}
    return sorted(seen.items(), key=lambda item: item[1].casefold())


def counts(assessment: Assessment) -> dict[str, int]:
    """How many actions have each status, and how many are overdue."""
    found = actions(assessment)
    today = organisation_today(assessment.organisation)
    result = dict.fromkeys(ACTION_STATUSES, 0)
    for action in found:
        result[action.status] += 1
    result["overdue"] = sum(1 for a in found if a.is_overdue(today))
    result["total"] = len(found)
    return result


def adopted_keys(assessment: Assessment) -> set[str]:
    """The step keys already in the plan."""
    return {
        key
        for key in db.session().scalars(
            select(PlanAction.step_key).where(PlanAction.assessment_id == assessment.id)
        )
        if key
    }


def step_key(step: Step) -> str:
    """The key of a recommended step: its practice and the level it reaches."""
    return f"{step.question_id}:{step.to_level}"


@dataclass(frozen=True)
class Recommended:
    """A recommended step of the assessment's results, and whether it is in the plan."""

    gap: DimensionGap
    step: Step
    key: str
    adopted: bool


def recommended(assessment: Assessment, locale: str = "en") -> list[Recommended]:
    """Every recommended step of the results, ranked gap by ranked gap."""
    result = assessments.score(assessment, locale)
    taken = adopted_keys(assessment)
    found = []
    for gap in result.gaps:
        if gap.rank is None:
            continue
        for step in gap.steps:
            found.append(Recommended(gap, step, step_key(step), step_key(step) in taken))
    return found


def practices(assessment: Assessment, locale: str = "en") -> list[tuple[str, str, str]]:
    """Every practice (level question) of the adoption questionnaire: (question id, area title,
    practice text), in questionnaire order: what an own action can serve."""
    adoption = assessments.questionnaires_of(assessment).adoption
    return [
        (question.id, section.title.get(locale), question.text.get(locale))
        for section, question in adoption.questions()
        if isinstance(question, LevelQuestion)
    ]


# ---- changing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """Who owns an action: a member (by user id) or a named role; exactly one."""

    user_id: int | None = None
    role: str | None = None


def _check_owner(organisation: Organisation, owner: Owner) -> Owner:
    role = (owner.role or "").strip()
    if owner.user_id is not None and role:
        raise ServiceError("Choose a member or name a role, not both.", field="owner_role")
    if owner.user_id is None and not role:
        raise ServiceError(
            "Choose the member who owns this action, or name the role that does.", field="owner"
        )
    if owner.user_id is not None:
        member = db.session().scalar(
            select(Membership).where(
                Membership.user_id == owner.user_id,
                Membership.organisation_id == organisation.id,
            )
        )
        if member is None:
            raise ServiceError("Choose one of the organisation's members.", field="owner")
        return Owner(user_id=owner.user_id)
    if len(role) > ROLE_MAX:
        raise ServiceError("The role must be 120 characters or fewer.", field="owner_role")
    return Owner(role=role)


def _check_text(value: str, field: str, most: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        if field == "title":
            raise ServiceError("Say what is to be done.", field=field)
        raise ServiceError("Say what “done” means for this action.", field=field)
    if len(value) > most:
        raise ServiceError("This text is too long.", field=field)
    return value


def _done_when_lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


def _snapshot(action: PlanAction) -> dict[str, Any]:
    """What the audit trail keeps of an action (no person's name)."""
    return {
        "title": action.title,
        "done_when": list(action.done_when),
        "owner": "member" if action.owner_user_id is not None else "role",
        "due_on": action.due_on.isoformat(),
        "status": action.status,
        "dropped_reason": action.dropped_reason,
        "evidence_note": action.evidence_note,
        "evidence_reference": action.evidence_reference,
    }


def _owner_changed(before: PlanAction | None, after: PlanAction) -> bool:
    if before is None:
        return True
    return (before.owner_user_id, before.owner_role) != (after.owner_user_id, after.owner_role)


def _record(
    action: PlanAction,
    what: str,
    user: User,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    detail: dict[str, Any],
) -> None:
    audit.record(
        what,
        organisation_id=action.organisation_id,
        actor=user,
        subject=action.owner_user if action.owner_user is not None else None,
        object_type=OBJECT_TYPE,
        object_id=action.id,
        old=old,
        new=new,
        detail=detail,
    )


def _add(assessment: Assessment, user: User, checked: Owner, **fields: Any) -> PlanAction:
    """Store a new action of ``assessment``'s plan: not started, no evidence yet, revision 1,
    owned by ``checked``; ``fields`` are what differs between a recommended step and the body's
    own action (source, practice, levels, title, "done when", due date)."""
    now = db.utcnow()
    action = PlanAction(
        organisation_id=assessment.organisation_id,
        assessment_id=assessment.id,
        origin_assessment_id=assessment.id,
        owner_user_id=checked.user_id,
        owner_role=checked.role,
        status="not_started",
        evidence_note="",
        evidence_reference="",
        revision=1,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    session = db.session()
    try:
        session.add(action)
        session.flush()
        _record(
            action,
            audit.PLAN_ACTION_ADDED,
            user,
            None,
            _snapshot(action),
            {
                "assessment_id": action.assessment_id,
                "question_id": action.question_id,
                "source": action.source,
            },
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ServiceError("This step is already in the plan.") from None
    except Exception:
        session.rollback()
        raise
    return action


def adopt(
    assessment: Assessment,
    user: User,
    key: str,
    *,
    owner: Owner | None = None,
    due_on: date | None = None,
    locale: str = "en",
) -> PlanAction:
    """Adopt the recommended step ``key`` (see :func:`step_key`) into the plan.

    Without an owner, the step's own (a named role, such as "Head of Policy"); without a due date,
    today plus the months the step takes.
    """
    found = next((r for r in recommended(assessment, locale) if r.key == key), None)
    if found is None:
        raise ServiceError(
            "That step is no longer recommended: the answers changed. Choose from the steps "
            "listed now."
        )
    if found.adopted:
        raise ServiceError("This step is already in the plan.")
    step = found.step
    checked = _check_owner(assessment.organisation, owner or Owner(role=step.owner))
    today = organisation_today(assessment.organisation)
    return _add(
        assessment,
        user,
        checked,
        source="recommended",
        step_key=key,
        dimension_id=step.dimension_id,
        question_id=step.question_id,
        area_title=found.gap.title,
        practice_text=step.question_text,
        from_level=step.from_level,
        to_level=step.to_level,
        title=step.action,
        done_when=list(step.done_when),
        due_on=due_on or add_months(today, step.months),
    )


@dataclass(frozen=True)
class OwnAction:
    """An action the body writes itself."""

    question_id: str
    title: str
    done_when: str
    owner: Owner
    due_on: date | None


def add_own(assessment: Assessment, user: User, given: OwnAction, locale: str = "en") -> PlanAction:
    """Add an action of the body's own for one practice. Without a "done when", the practice's
    next level (its criteria, else its description) above the level the answers give it now."""
    adoption = assessments.questionnaires_of(assessment).adoption
    section = question = None
    for candidate_section, candidate in adoption.questions():
        if candidate.id == given.question_id and isinstance(candidate, LevelQuestion):
            section, question = candidate_section, candidate
    if section is None or question is None:
        raise ServiceError("Choose the practice this action serves.", field="question_id")
    title = _check_text(given.title, "title", TITLE_MAX, required=True)
    done_text = _check_text(given.done_when, "done_when", TEXT_MAX)
    checked = _check_owner(assessment.organisation, given.owner)
    if given.due_on is None:
        raise ServiceError("Enter the date it is due, as year, month and day.", field="due_on")
    result = assessments.score(assessment, locale)
    level = next(
        (
            q.level
            for d in result.maturity.dimensions
            for q in d.levels
            if q.question_id == question.id
        ),
        None,
    )
    to_level = None if level is None or level >= 5 else level + 1
    if done_text:
        lines = _done_when_lines(done_text)
    elif to_level is not None:
        lines = list(done_when(question, to_level, locale)[0])
    else:
        raise ServiceError(
            "Say what “done” means: this practice has no next level to take it from.",
            field="done_when",
        )
    return _add(
        assessment,
        user,
        checked,
        source="own",
        step_key=None,
        dimension_id=section.id,
        question_id=question.id,
        area_title=section.title.get(locale),
        practice_text=question.text.get(locale),
        from_level=level,
        to_level=to_level,
        title=title,
        done_when=lines,
        due_on=given.due_on,
    )


@dataclass(frozen=True)
class Changes:
    """An edit of an action, as submitted, with the revision the form showed."""

    title: str
    done_when: str
    owner: Owner
    due_on: date | None
    status: str
    dropped_reason: str
    evidence_note: str
    evidence_reference: str
    base_revision: int


class Conflict(ServiceError):
    """Someone else changed the action since the form was shown."""


def update(action: PlanAction, user: User, changes: Changes) -> bool:
    """Apply ``changes``; False when nothing changed. Raises ServiceError for bad input (nothing
    is saved) and :class:`Conflict` when the action changed since the form was shown."""
    if changes.base_revision != action.revision:
        raise Conflict(
            "Someone changed this action while you were editing it. Their version is shown "
            "below: make your change again."
        )
    title = _check_text(changes.title, "title", TITLE_MAX, required=True)
    done_text = _check_text(changes.done_when, "done_when", TEXT_MAX, required=True)
    checked = _check_owner(action.assessment.organisation, changes.owner)
    if changes.due_on is None:
        raise ServiceError("Enter the date it is due, as year, month and day.", field="due_on")
    if changes.status not in ACTION_STATUSES:
        raise ServiceError("Choose a status.", field="status")
    reason = _check_text(changes.dropped_reason, "dropped_reason", TEXT_MAX)
    if changes.status == "dropped" and not reason:
        raise ServiceError(
            "Say why the action is dropped: the plan keeps the reason.", field="dropped_reason"
        )
    note = _check_text(changes.evidence_note, "evidence_note", TEXT_MAX)
    reference = _check_text(changes.evidence_reference, "evidence_reference", REFERENCE_MAX)
    before = _snapshot(action)
    before_owner = (action.owner_user_id, action.owner_role)
    session = db.session()
    action.title = title
    action.done_when = _done_when_lines(done_text)
    action.owner_user_id, action.owner_role = checked.user_id, checked.role
    action.due_on = changes.due_on
    action.status = changes.status
    action.dropped_reason = reason if changes.status == "dropped" else None
    action.evidence_note = note
    action.evidence_reference = reference
    after = _snapshot(action)
    owner_changed = before_owner != (action.owner_user_id, action.owner_role)
    if after == before and not owner_changed:
        session.rollback()
        return False
    action.revision += 1
    action.updated_at = db.utcnow()
    try:
        session.flush()
        session.refresh(action, ["owner_user"])
        old = {k: v for k, v in before.items() if after[k] != v}
        new = {k: v for k, v in after.items() if before[k] != v}
        if owner_changed:
            old.setdefault("owner", before["owner"])
            new.setdefault("owner", after["owner"])
        _record(action, audit.PLAN_ACTION_CHANGED, user, old, new, {"revision": action.revision})
        session.commit()
    except Exception:
        session.rollback()
        raise
    return True


def set_status(action: PlanAction, user: User, status: str, note: str = "") -> bool:
    """Set an action's status at a progress review (not committed: part of the review); a note
    on a dropped action is its reason, on any other its evidence. False when nothing changed."""
    before = _snapshot(action)
    action.status = status
    if status == "dropped":
        action.dropped_reason = note or action.dropped_reason
    else:
        action.dropped_reason = None
        if note:
            action.evidence_note = note
    after = _snapshot(action)
    if after == before:
        return False
    action.revision += 1
    action.updated_at = db.utcnow()
    db.session().flush()
    _record(
        action,
        audit.PLAN_ACTION_CHANGED,
        user,
        {k: v for k, v in before.items() if after[k] != v},
        {k: v for k, v in after.items() if before[k] != v},
        {"revision": action.revision, "review": True},
    )
    return True


def move_open_actions(earlier: Assessment, later: Assessment, user: User) -> int:
    """Move the open actions of ``earlier``'s plan to ``later``'s (not committed: part of
    starting the next assessment). The same rows move, so their history goes with them."""
    moved = 0
    now = db.utcnow()
    for action in actions(earlier):
        if not action.is_open:
            continue
        action.assessment_id = later.id
        action.moved_at = now
        moved += 1
        db.session().flush()
        _record(
            action,
            audit.PLAN_ACTION_MOVED,
            user,
            {"assessment_id": earlier.id},
            {"assessment_id": later.id},
            {"status": action.status},
        )
    return moved


def moved_out(assessment: Assessment) -> list[PlanAction]:
    """Actions first adopted in ``assessment`` that now sit in a later plan."""
    return list(
        db.session().scalars(
            select(PlanAction)
            .where(
                PlanAction.origin_assessment_id == assessment.id,
                PlanAction.assessment_id != assessment.id,
            )
            .order_by(PlanAction.due_on, PlanAction.id)
        )
    )


def history(action: PlanAction) -> list[Any]:
    """The action's events in the audit trail, oldest first."""
    from assess.models import AuditEvent

    return list(
        db.session().scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == OBJECT_TYPE, AuditEvent.object_id == str(action.id))
            .order_by(AuditEvent.id)
        )
    )


# ---- the plan as plain values (the PDF) and as CSV --------------------------------------------


def plan_rows(assessment: Assessment, locale: str = "en") -> list[dict[str, Any]]:
    """The plan as plain, display-ready values, for the report (dates in ``locale``)."""
    today = organisation_today(assessment.organisation)
    return [
        {
            "area": a.area_title,
            "practice": a.practice_text,
            "action": a.title,
            "owner": owner_text(a),
            "due": format_date(a.due_on, locale),
            "due_date": a.due_on.isoformat(),
            "status": a.status,
            "status_text": str(STATUS_LABELS[a.status]),
            "overdue": a.is_overdue(today),
            "dropped_reason": a.dropped_reason,
            "done_when": list(a.done_when),
        }
        for a in actions(assessment)
    ]


CSV_COLUMNS = (
    "area",
    "practice",
    "action",
    "done_when",
    "owner",
    "due_on",
    "status",
    "overdue",
    "dropped_reason",
    "evidence_note",
    "evidence_reference",
    "source",
    "updated_at",
)


def csv_lines(assessment: Assessment, filters: Filters | None = None) -> Iterator[str]:
    """The plan as CSV: UTF-8 with a byte-order mark, dates in ISO 8601, every cell defused."""
    from assess.spreadsheet import BOM, line_writer

    line = line_writer()
    today = organisation_today(assessment.organisation)
    yield BOM + line(CSV_COLUMNS)
    for a in actions(assessment, filters):
        yield line(
            [
                a.area_title,
                a.practice_text,
                a.title,
                "\n".join(a.done_when),
                owner_text(a),
                a.due_on.isoformat(),
                a.status,
                "yes" if a.is_overdue(today) else "no",
                a.dropped_reason or "",
                a.evidence_note,
                a.evidence_reference,
                a.source,
                a.updated_at.isoformat(timespec="seconds"),
            ]
        )
