"""The stakeholder register, one group at a time (the GOV.UK "add another" pattern).

The register's section page shows a summary of the groups (see :func:`summary`), each with a
"Change" link, a "Remove" link for the body's own groups (or "Clear" for a listed group's ratings),
and "Add a group". Each of those is a page here, which works without JavaScript, saves through
:mod:`assess.services.register` and returns to the summary, where a banner says what happened and
focus goes to the banner (after adding or removing) or back to the group's "Change" link.

Every page needs ``assessment.answer``: an auditor reads the register on the section page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access
from assess.i18n import current_locale, translate
from assess.models import Assessment
from assess.questionnaire.answers import Answer, RegisterRow
from assess.questionnaire.schema import ALL_RATING_ATTRIBUTES, RegisterAttribute, RegisterQuestion
from assess.questionnaire.validation import CUSTOM_LABEL_MAX_LENGTH
from assess.services import register
from assess.services.assessments import AssessmentClosed, StoredAnswer
from assess.services.register import Group, GroupConflict, GroupOutcome, RegisterPlace
from assess.templating import local_time
from assess.views.forms import kept as kept_forms
from assess.views.forms.register import (
    CONFLICT_SHOWN,
    RESOLVE_THEIRS,
    GroupForm,
    attributes_for,
    read_group,
)
from assess.views.loaders import load_assessment

bp = Blueprint("register", __name__)

#: Where the summary keeps what just happened, for its banner (one page view).
_BANNER = "register_banner"


@dataclass(frozen=True)
class Pages:
    """Where one register's pages are and what they extend: a member's pages on the
    assessment's register (here), or a workshop participant's on their own register answer
    (:mod:`assess.views.workshop_register`). Both use these pages and templates."""

    #: The template the group pages extend.
    layout: str
    #: The section page with the summary, at an anchor.
    summary: Callable[[str | None], str]
    change: Callable[[str], str]
    remove: Callable[[str], str]
    #: The page that adds a group (None when the register takes no groups of one's own).
    add: str | None
    #: A workshop participant's own answer (the pages say so, and that the room decides).
    participant: bool = False


def pages_for(assessment: Assessment, place: RegisterPlace) -> Pages:
    """A member's register pages on the assessment."""
    return Pages(
        layout="base.html",
        summary=lambda anchor: _summary_url(assessment, place, anchor),
        change=lambda segment_id: group_url(assessment, segment_id),
        remove=lambda segment_id: url_for(
            "register.remove", assessment_id=assessment.id, segment_id=segment_id
        ),
        add=url_for("register.add", assessment_id=assessment.id)
        if place.question.allow_custom_segments
        else None,
    )


# ---- helpers -------------------------------------------------------------------------------


def _place(assessment: Assessment) -> RegisterPlace:
    place = register.find(assessment)
    if place is None:
        abort(404)
    return place


def _stored_answer(assessment: Assessment, place: RegisterPlace) -> Answer | None:
    found = register.stored(assessment, place)
    return found.answer if found else None


def _summary_url(assessment: Assessment, place: RegisterPlace, anchor: str | None = None) -> str:
    return url_for(
        "assessments.section",
        assessment_id=assessment.id,
        questionnaire_id=place.questionnaire.id,
        section_id=place.section.id,
        _anchor=anchor,
    )


def group_url(assessment: Assessment, segment_id: str) -> str:
    """The page that changes one group."""
    return url_for("register.change", assessment_id=assessment.id, segment_id=segment_id)


def row_anchor(segment_id: str) -> str:
    """The id of a group's row in the summary (the results pages link to it)."""
    return f"register-group-{segment_id}"


def _closed() -> ResponseReturnValue:
    return render_template(
        "errors/error.html",
        code=409,
        title=gettext("This assessment can no longer be changed"),
        detail=gettext(
            "It has been finalised, so its answers are kept as they were. You can still read them."
        ),
    ), 409


def _done(pages: Pages, action: str, segment_id: str, label: str) -> ResponseReturnValue:
    """Back to the summary, with the banner saying what happened and where focus goes."""
    session[_BANNER] = {"action": action, "segment": segment_id, "label": label}
    anchor = (
        "register-banner" if action in ("added", "removed", "cleared") else f"change-{segment_id}"
    )
    return redirect(pages.summary(anchor))


def done(
    pages: Pages, segment_id: str, label: str, *, then: str | None = None
) -> ResponseReturnValue:
    """After one group was saved: on to the page ``then`` (the next group's, saying this one was
    saved), or back to the summary with its banner and focus on the group's "Change" link."""
    if then is not None:
        session[_BANNER] = {"action": "changed", "segment": segment_id, "label": label}
        return redirect(then)
    return _done(pages, "changed", segment_id, label)


def pop_banner() -> dict[str, str] | None:
    """What the last group page did (once), for the summary's banner."""
    found = session.pop(_BANNER, None)
    return found if isinstance(found, dict) else None


def _option_parts(attribute: RegisterAttribute, locale: str) -> list[dict[str, str]]:
    """Each option of a column as a radio: its label and, for the long choices ("Consult: we
    ask for views ..."), the part after the colon as its hint."""
    options = []
    for option in attribute.options:
        text = option.label.get(locale)
        hint = ""
        if attribute.id in ALL_RATING_ATTRIBUTES:
            text = f"{option.id} \N{EN DASH} {text}"
        elif ": " in text:
            text, hint = text.split(": ", 1)
            hint = hint[:1].upper() + hint[1:]
        options.append({"id": option.id, "label": text, "hint": hint})
    return options


def _brief(
    question: RegisterQuestion, row: RegisterRow | None, locale: str
) -> list[dict[str, str]]:
    """A group's ratings in brief, for the summary: (label, value) pairs in the columns' order."""
    if row is None:
        return []
    short = {
        "power": gettext("Power"),
        "legitimacy": gettext("Legitimacy"),
        "urgency": gettext("Urgency"),
        "interest": gettext("Interest"),
        "affected": gettext("Affected"),
        "conflict": gettext("Stands to gain"),
        "support": gettext("Extra support"),
        "regard": gettext("Regarded as"),
        "engagement": gettext("Involved today"),
    }
    pairs = []
    for attribute in question.attributes:
        value = getattr(row, attribute.id)
        if value is None:
            continue
        label = next(
            (o.label.get(locale) for o in attribute.options if o.id == str(value)), str(value)
        )
        shown = str(value) if attribute.id in ALL_RATING_ATTRIBUTES else label.split(":")[0]
        pairs.append(
            {"label": short.get(attribute.id, attribute.label.get(locale)), "value": shown}
        )
    return pairs


def brief_lines(question: RegisterQuestion, row: RegisterRow | None, locale: str) -> list[str]:
    """A group's ratings in brief as lines ("Power: 4"), to compare two versions of a group."""
    return [
        gettext("%(label)s: %(value)s", label=p["label"], value=p["value"])
        for p in _brief(question, row, locale)
    ]


def _rated(question: RegisterQuestion, group: Group) -> tuple[int, int]:
    """How many of the group's columns are rated, of how many it has. "Needs extra support" is
    a flag for the body's own groups: a listed group left without it is still fully rated."""
    columns = [a for a in attributes_for(question, group.kind) if group.custom or a.id != "support"]
    if group.row is None:
        return 0, len(columns)
    return sum(1 for a in columns if getattr(group.row, a.id) is not None), len(columns)


def summary(assessment: Assessment, answer: Answer | None, locale: str) -> dict[str, Any] | None:
    """What the section page shows of the register for a person who may change it: each group
    in brief with its links, how many are fully rated, and the banner of the last change."""
    place = register.find(assessment)
    if place is None:
        return None
    return summary_of(pages_for(assessment, place), place, answer, locale)


def summary_of(
    pages: Pages, place: RegisterPlace, answer: Answer | None, locale: str
) -> dict[str, Any]:
    """:func:`summary` of any register's pages (a member's, or a workshop participant's)."""
    rows = []
    complete = 0
    for group in register.groups(place, answer, locale):
        rated, columns = _rated(place.question, group)
        complete += rated == columns
        rows.append(
            {
                "group": group,
                "anchor": row_anchor(group.segment_id),
                "brief": _brief(place.question, group.row, locale),
                "rated": rated,
                "columns": columns,
                "change_url": pages.change(group.segment_id),
                "remove_url": pages.remove(group.segment_id)
                if group.custom or group.row is not None
                else None,
            }
        )
    return {"rows": rows, "complete": complete, "add_url": pages.add}


# ---- one group's page ----------------------------------------------------------------------


def render_group(
    pages: Pages,
    place: RegisterPlace,
    answer: Answer | None,
    group: Group | None,
    form: GroupForm,
    *,
    conflict: GroupConflict | None = None,
    kept: bool = False,
    saved_before: dict[str, str] | None = None,
    status: int = 200,
    **context: Any,
) -> ResponseReturnValue:
    """One group's page (``group`` None: a new group); ``answer`` is the register as stored."""
    locale = current_locale()
    question = place.question
    custom = group is None or group.custom
    columns = attributes_for(question, group.kind if group else None)
    conflict_view = None
    if conflict is not None:
        yours = {p["label"]: p["value"] for p in _brief(question, conflict.yours, locale)}
        theirs = {p["label"]: p["value"] for p in _brief(question, conflict.theirs, locale)}
        labels = [*yours, *(k for k in theirs if k not in yours)]
        conflict_view = {
            "by": conflict.updated_by,
            "at": local_time(conflict.updated_at) if conflict.updated_at else None,
            # Each rating either side has, and whether the two differ (shown in bold).
            "lines": [
                {
                    "label": label,
                    "yours": yours.get(label),
                    "theirs": theirs.get(label),
                    "differs": yours.get(label) != theirs.get(label),
                }
                for label in labels
            ],
            "yours_label": (conflict.yours.label if conflict.yours and custom else None),
            "theirs_label": (conflict.theirs.label if conflict.theirs and custom else None),
            "removed": conflict.theirs is None,
        }
    return render_template(
        "register/group.html",
        layout=pages.layout,
        participant_register=pages.participant,
        questionnaire=place.questionnaire,
        section=place.section,
        question=question,
        group=group,
        custom=custom,
        form=form,
        columns=[{"attribute": a, "options": _option_parts(a, locale)} for a in columns],
        conflict=conflict_view,
        summary_url=pages.summary(f"change-{group.segment_id}" if group else "add-group"),
        action_url=pages.change(group.segment_id) if group else pages.add,
        name_max=CUSTOM_LABEL_MAX_LENGTH,
        kept=kept,
        saved_before=saved_before,
        next_group=_next_group(place, answer, group.segment_id) if group else None,
        locale=locale,
        **context,
    ), status


def _next_group(place: RegisterPlace, answer: Answer | None, segment_id: str) -> Group | None:
    """The group after ``segment_id`` in the register's order (None after the last)."""
    found = register.groups(place, answer, current_locale())
    ids = [g.segment_id for g in found]
    if segment_id not in ids or ids.index(segment_id) + 1 >= len(ids):
        return None
    return found[ids.index(segment_id) + 1]


def _render_group(
    assessment: Assessment,
    place: RegisterPlace,
    group: Group | None,
    form: GroupForm,
    **options: Any,
) -> ResponseReturnValue:
    return render_group(
        pages_for(assessment, place),
        place,
        _stored_answer(assessment, place),
        group,
        form,
        assessment=assessment,
        **options,
    )


def _group_or_404(assessment: Assessment, place: RegisterPlace, segment_id: str) -> Group:
    found = register.group(place, _stored_answer(assessment, place), segment_id, current_locale())
    if found is None:
        abort(404)
    return found


def _conflict_now(
    current: StoredAnswer | None, group: Group | None, form: GroupForm
) -> GroupConflict | None:
    """The conflict a page was asking about, shown again with the group as stored now (the page
    was sent without a choice, or with another problem)."""
    if group is None:
        return None
    theirs = register.rows_of(current.answer if current else None).get(group.segment_id)
    values = {k: v for k, v in form.values().items() if k != "label" or group.custom}
    try:
        yours = RegisterRow(segment_id=group.segment_id, **values)
    except TypeError:
        yours = None
    return GroupConflict(
        group.segment_id,
        yours,
        theirs,
        current.updated_by if current else None,
        current.updated_at if current else None,
    )


#: Stores one group: (segment id or None for a new group, the row's values, ``was``).
Saver = Callable[[str | None, dict[str, Any], str], GroupOutcome]


def save_posted(
    pages: Pages,
    place: RegisterPlace,
    read: Callable[[], StoredAnswer | None],
    saver: Saver,
    group: Group | None,
    segment_id: str | None,
    **context: Any,
) -> ResponseReturnValue:
    """Read a posted group page and store it with ``saver`` (``segment_id`` None: a new group);
    ``read`` gives the register as stored now. The saver's own exceptions (the assessment or
    the session closed) are the caller's to answer."""
    custom = group is None or group.custom
    form = read_group(
        place.question, request.form, custom=custom, kind=group.kind if group else None
    )

    def again(**options: Any) -> ResponseReturnValue:
        current = read()
        answer = current.answer if current else None
        return render_group(pages, place, answer, group, form, **options, **context)

    if form.errors:
        conflict = _conflict_now(read(), group, form) if form.conflict else None
        return again(conflict=conflict, status=400)
    label = group.label if group and not custom else form.label
    if form.resolve == RESOLVE_THEIRS and group is not None:
        return _done(pages, "kept", group.segment_id, group.label)
    outcome = saver(segment_id, form.values(), form.was)
    if outcome.conflict is not None:
        # Show both; the page now carries the colleague's version, so saving again keeps mine.
        form.was = outcome.conflict.was
        form.conflict = True
        form.resolve = None
        return again(conflict=outcome.conflict, status=409)
    if outcome.errors:
        form.errors["label" if custom else "page"] = " ".join(translate(e) for e in outcome.errors)
        return again(status=400)
    assert outcome.segment_id is not None
    current = read()
    following = _next_group(place, current.answer if current else None, outcome.segment_id)
    if request.form.get("then") == "next" and segment_id is not None and following is not None:
        # Working through the groups in order: straight on to the next, saying this one saved.
        session[_BANNER] = {"action": "changed", "segment": outcome.segment_id, "label": label}
        return redirect(pages.change(following.segment_id))
    return _done(pages, "added" if segment_id is None else "changed", outcome.segment_id, label)


def _save(
    assessment: Assessment, place: RegisterPlace, group: Group | None, segment_id: str | None
) -> ResponseReturnValue:
    """A member's posted group page, stored in the assessment's register."""
    try:
        return save_posted(
            pages_for(assessment, place),
            place,
            lambda: register.stored(assessment, place),
            lambda target, values, was: register.save_group(
                assessment, current_user, place, target, values, was=was
            ),
            group,
            segment_id,
            assessment=assessment,
        )
    except AssessmentClosed:
        return _closed()


@bp.get("/assessments/<int:assessment_id>/register/add")
@access.requires("assessment.answer", load=load_assessment)
def add(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """A new group of the body's own: its name and the same ratings."""
    place = _place(assessment)
    if not assessment.is_draft:
        return _closed()
    if not place.question.allow_custom_segments:
        abort(404)
    return _render_group(assessment, place, None, GroupForm())


@bp.post("/assessments/<int:assessment_id>/register/add")
@access.requires("assessment.answer", load=load_assessment)
def save_new(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Add the group, then back to the summary with a banner naming it."""
    place = _place(assessment)
    if not assessment.is_draft:
        return _closed()
    if not place.question.allow_custom_segments:
        abort(404)
    return _save(assessment, place, None, None)


@bp.get("/assessments/<int:assessment_id>/register/groups/<segment_id>")
@access.requires("assessment.answer", load=load_assessment)
def change(assessment: Assessment, assessment_id: int, segment_id: str) -> ResponseReturnValue:
    """One group's ratings, each as a radio group."""
    place = _place(assessment)
    if not assessment.is_draft:
        return _closed()
    group = _group_or_404(assessment, place, segment_id)
    return _render_group(
        assessment,
        place,
        group,
        GroupForm.from_row(group.row, group.fingerprint),
        saved_before=pop_banner(),
    )


@bp.post("/assessments/<int:assessment_id>/register/groups/<segment_id>")
@access.requires("assessment.answer", load=load_assessment)
def save(assessment: Assessment, assessment_id: int, segment_id: str) -> ResponseReturnValue:
    """Store one group's ratings, then back to the summary (focus on its "Change" link)."""
    place = _place(assessment)
    if not assessment.is_draft:
        return _closed()
    group = register.group(place, _stored_answer(assessment, place), segment_id, current_locale())
    if group is None:
        if register.custom_number(segment_id) is None or not (
            request.form.get("was") or request.form.get(CONFLICT_SHOWN)
        ):
            abort(404)
        # A colleague removed this group of the body's own while the page was open: the
        # service reports it as a conflict, and saving again puts it back.
        group = Group(segment_id, request.form.get("label") or "", None, True, None, None)
    return _save(assessment, place, group, segment_id)


def _show_kept(assessment_id: int, segment_id: str | None) -> ResponseReturnValue | None:
    """A group page whose form token was refused (open too long), shown again with what was
    chosen and typed, to save with a fresh token; None when the person may not change it now."""
    if not current_user.is_authenticated:
        return None
    loaded = load_assessment(assessment_id)
    if loaded is None or not access.can("assessment.answer", loaded.organisation_id):
        return None
    assessment: Assessment = loaded.obj
    place = register.find(assessment)
    if place is None or not assessment.is_draft:
        return None
    kept = read_kept(place, lambda: _stored_answer(assessment, place), segment_id)
    if kept is None:
        return None
    group, form = kept
    return _render_group(assessment, place, group, form, kept=True)


def read_kept(
    place: RegisterPlace, read: Callable[[], StoredAnswer | None], segment_id: str | None
) -> tuple[Group | None, GroupForm] | None:
    """What a group page whose form token was refused had chosen and typed, with the group it
    was for (None for a new group); None when that group is no longer there. ``read`` gives the
    stored register answer (a person's, or a workshop participant's own)."""
    group = None
    if segment_id is not None:
        group = register.group(place, read(), segment_id, current_locale())
        if group is None:
            return None
    form = read_group(
        place.question,
        request.form,
        custom=group is None or group.custom,
        kind=group.kind if group else None,
    )
    return group, form


@kept_forms.redisplay("register.save_new")
def _show_kept_new(assessment_id: int) -> ResponseReturnValue | None:
    return _show_kept(assessment_id, None)


@kept_forms.redisplay("register.save")
def _show_kept_group(assessment_id: int, segment_id: str) -> ResponseReturnValue | None:
    return _show_kept(assessment_id, segment_id)


# ---- removing ------------------------------------------------------------------------------


def render_remove(
    pages: Pages,
    place: RegisterPlace,
    group: Group,
    *,
    conflict: GroupConflict | None = None,
    error: str | None = None,
    status: int = 200,
    **context: Any,
) -> ResponseReturnValue:
    """The page that asks before removing a group (or clearing a listed group's ratings)."""
    locale = current_locale()
    return render_template(
        "register/remove.html",
        layout=pages.layout,
        participant_register=pages.participant,
        questionnaire=place.questionnaire,
        group=group,
        brief=_brief(place.question, group.row, locale),
        conflict=conflict,
        changed_by=conflict.updated_by if conflict else None,
        changed_at=local_time(conflict.updated_at) if conflict and conflict.updated_at else None,
        error=error,
        summary_url=pages.summary(f"change-{group.segment_id}"),
        action_url=pages.remove(group.segment_id),
        locale=locale,
        **context,
    ), status


def remove_posted(
    pages: Pages,
    place: RegisterPlace,
    read: Callable[[], StoredAnswer | None],
    remover: Callable[[str, str], GroupOutcome],
    segment_id: str,
    **context: Any,
) -> ResponseReturnValue:
    """Remove the group (or clear its ratings) with ``remover`` (segment id, ``was``) unless it
    changed since the confirmation page showed it."""
    locale = current_locale()
    current = read()
    group = register.group(place, current.answer if current else None, segment_id, locale)
    if group is None or group.row is None:
        return redirect(pages.summary("register-banner"))
    outcome = remover(segment_id, (request.form.get("was") or "").strip()[:64])
    if outcome.conflict is not None:
        now = read()
        fresh = register.group(place, now.answer if now else None, segment_id, locale)
        return render_remove(
            pages, place, fresh or group, conflict=outcome.conflict, status=409, **context
        )
    if outcome.errors:
        error = " ".join(translate(e) for e in outcome.errors)
        return render_remove(pages, place, group, error=error, status=409, **context)
    return _done(pages, "removed" if group.custom else "cleared", segment_id, group.label)


@bp.get("/assessments/<int:assessment_id>/register/groups/<segment_id>/remove")
@access.requires("assessment.answer", load=load_assessment)
def remove(assessment: Assessment, assessment_id: int, segment_id: str) -> ResponseReturnValue:
    """Ask before removing a group of the body's own, or clearing a listed group's ratings."""
    place = _place(assessment)
    if not assessment.is_draft:
        return _closed()
    group = _group_or_404(assessment, place, segment_id)
    if group.row is None:
        # A listed group with nothing to clear.
        return redirect(_summary_url(assessment, place, f"change-{group.segment_id}"))
    return render_remove(pages_for(assessment, place), place, group, assessment=assessment)


@bp.post("/assessments/<int:assessment_id>/register/groups/<segment_id>/remove")
@access.requires("assessment.answer", load=load_assessment)
def confirm_remove(
    assessment: Assessment, assessment_id: int, segment_id: str
) -> ResponseReturnValue:
    """Remove the group (or clear its ratings) unless a colleague changed it since the page."""
    place = _place(assessment)
    if not assessment.is_draft:
        return _closed()
    try:
        return remove_posted(
            pages_for(assessment, place),
            place,
            lambda: register.stored(assessment, place),
            lambda target, was: register.remove_group(
                assessment, current_user, place, target, was=was
            ),
            segment_id,
            assessment=assessment,
        )
    except AssessmentClosed:
        return _closed()
