"""The facilitator records the register the room agreed, one group at a time.

The consensus page of a register question (:func:`assess.views.consensus.question`) lists the
organisation's register as the member's summary does (:func:`assess.views.register.summary_of`),
each group with the room's ratings and a link to its page. A group's page is the member's group
page (``register/group.html`` through :func:`assess.views.register.render_group`) with, beside
each column's radios, how the room rated it and what the organisation has recorded now. A column
everyone in the room rated the same is chosen for the facilitator; where the room is split nothing
is chosen, and the facilitator must pick what the room agreed.

Saving records the organisation's register with that group changed as the room's agreed answer
(:func:`assess.services.consensus.record_consensus`): when it changes a recorded answer the
facilitator sees the group's old and new ratings side by side and confirms with a reason, kept in
the audit trail, as on the consensus page itself.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from assess import access
from assess.i18n import current_locale
from assess.models import WorkshopSession
from assess.questionnaire.schema import RegisterQuestion
from assess.services import consensus, register
from assess.services.register import Group, RegisterPlace
from assess.services.workshops import LiveQuestion
from assess.views import agreement
from assess.views import register as register_views
from assess.views.consensus import record_posted, render_confirm
from assess.views.forms.register import GroupForm, attributes_for, read_group
from assess.views.register import Pages
from assess.views.workshops import live_question_or_404, load_session

bp = Blueprint("consensus_register", __name__)


def _consensus_url(workshop: WorkshopSession, item: LiveQuestion, anchor: str | None) -> str:
    return url_for(
        "consensus.question",
        session_id=workshop.id,
        questionnaire_id=item.questionnaire.id,
        question_id=item.question.id,
        _anchor=anchor,
    )


def _pages(workshop: WorkshopSession, item: LiveQuestion) -> Pages:
    def change(segment_id: str) -> str:
        return url_for(
            "consensus_register.change",
            session_id=workshop.id,
            questionnaire_id=item.questionnaire.id,
            question_id=item.question.id,
            segment_id=segment_id,
        )

    return Pages(
        layout="base.html",
        summary=lambda anchor: _consensus_url(workshop, item, anchor),
        change=change,
        remove=change,  # not offered: the summary below drops the links
        add=None,
    )


def _place(item: LiveQuestion) -> RegisterPlace:
    assert isinstance(item.question, RegisterQuestion)
    return RegisterPlace(item.questionnaire, item.section, item.question)


def _room(item: LiveQuestion, group: Group, locale: str) -> dict[str, Any]:
    """The room's ratings of the group (a group of the body's own matched by its name)."""
    assert isinstance(item.question, RegisterQuestion)
    key = group.segment_id
    if group.custom:
        key = "own:" + " ".join(group.label.split()).casefold()
    return agreement.register_group_spread(item.question, item.answers, key, locale)


def page_context(workshop: WorkshopSession, item: LiveQuestion) -> dict[str, Any]:
    """What the consensus page needs for a register question: the room's ratings group by group
    and the organisation's register as a summary whose links record the room's ratings."""
    locale = current_locale()
    found: dict[str, Any] = {
        "register_groups": agreement.register_groups(item.question, item.answers, locale),
        "register_banner": register_views.pop_banner(),
    }
    if not isinstance(item.question, RegisterQuestion):
        return found
    place = _place(item)
    current = register.stored(workshop.assessment, place)
    answer = current.answer if current else None
    summary = register_views.summary_of(_pages(workshop, item), place, answer, locale)
    for row in summary["rows"]:
        row["remove_url"] = None
        room = _room(item, row["group"], locale)
        row["room_rated_by"] = room["rated_by"]
        row["room_differ"] = any(c["differ"] for c in room["columns"].values())
    summary["ratings_heading"] = gettext("Recorded for the organisation")
    found["register_summary"] = summary
    return found


def _item(workshop: WorkshopSession, questionnaire_id: str, question_id: str) -> LiveQuestion:
    item = live_question_or_404(workshop, questionnaire_id, question_id)
    if not isinstance(item.question, RegisterQuestion):
        abort(404)
    return item


def _group(workshop: WorkshopSession, item: LiveQuestion, segment_id: str) -> Group:
    place = _place(item)
    current = register.stored(workshop.assessment, place)
    found = register.group(place, current.answer if current else None, segment_id, current_locale())
    if found is None:
        abort(404)
    return found


def _render(
    workshop: WorkshopSession,
    item: LiveQuestion,
    group: Group,
    form: GroupForm,
    status: int = 200,
    saved_before: dict[str, str] | None = None,
) -> ResponseReturnValue:
    locale = current_locale()
    place = _place(item)
    current = register.stored(workshop.assessment, place)
    room = _room(item, group, locale)
    recorded = {
        a.id: value
        for a in place.question.attributes
        for value in [getattr(group.row, a.id) if group.row else None]
    }
    recorded_text = {}
    for attribute in place.question.attributes:
        value = recorded[attribute.id]
        if value is not None:
            label = next(
                (o.label.get(locale) for o in attribute.options if o.id == str(value)), str(value)
            )
            recorded_text[attribute.id] = label.split(": ")[0]
    return register_views.render_group(
        _pages(workshop, item),
        place,
        current.answer if current else None,
        group,
        form,
        status=status,
        saved_before=saved_before,
        workshop=workshop,
        consensus={"room": room, "recorded": recorded_text},
    )


def _preselected(item: LiveQuestion, group: Group) -> GroupForm:
    """The organisation's recorded ratings, overridden where the room rated the column: the one
    rating everybody chose, or nothing where the room is split."""
    form = GroupForm.from_row(group.row, group.fingerprint)
    room = _room(item, group, current_locale())
    for attribute, column in room["columns"].items():
        form.chosen[attribute] = column["agreed"]
    return form


@bp.get(
    "/workshops/<int:session_id>/consensus/<questionnaire_id>/<question_id>/groups/<segment_id>"
)
@access.requires("workshop.run", load=load_session)
def change(
    workshop: WorkshopSession,
    session_id: int,
    questionnaire_id: str,
    question_id: str,
    segment_id: str,
) -> ResponseReturnValue:
    """One group's radios, with the room's ratings and the recorded ones beside each column."""
    item = _item(workshop, questionnaire_id, question_id)
    if not workshop.is_open:
        return redirect(_consensus_url(workshop, item, None))
    group = _group(workshop, item, segment_id)
    return _render(
        workshop, item, group, _preselected(item, group), saved_before=register_views.pop_banner()
    )


@bp.post(
    "/workshops/<int:session_id>/consensus/<questionnaire_id>/<question_id>/groups/<segment_id>"
)
@access.requires("workshop.run", load=load_session)
def save(
    workshop: WorkshopSession,
    session_id: int,
    questionnaire_id: str,
    question_id: str,
    segment_id: str,
) -> ResponseReturnValue:
    """Record the room's ratings of the group as part of the organisation's agreed register."""
    item = _item(workshop, questionnaire_id, question_id)
    group = _group(workshop, item, segment_id)
    place = _place(item)
    locale = current_locale()
    form = read_group(place.question, request.form, custom=False, kind=group.kind)
    form.label = group.label
    for attribute in attributes_for(place.question, group.kind):
        if attribute.id not in request.form and attribute.id not in form.errors:
            form.chosen[attribute.id] = None  # type: ignore[assignment]
            form.errors[attribute.id] = gettext(
                "Choose the rating the room agreed for “%(name)s”, or “Not rated yet”.",
                name=attribute.label.get(locale),
            )
    if form.errors:
        return _render(workshop, item, group, form, status=400)
    current = register.stored(workshop.assessment, place)
    answer = register.with_group(place, current, segment_id, form.values())
    if answer is None:
        form.errors["page"] = gettext(
            "The register would be left empty. Give at least one rating the room agreed."
        )
        return _render(workshop, item, group, form, status=400)
    outcome = record_posted(workshop, questionnaire_id, question_id, answer, "")
    if outcome.replacement is not None:
        return _confirm(workshop, item, group, outcome.replacement, outcome.reason, outcome.error)
    if outcome.error is not None:
        form.errors["page"] = outcome.error
        return _render(workshop, item, group, form, status=400)
    pages = _pages(workshop, item)
    stored = register.stored(workshop.assessment, place)
    found = register.groups(place, stored.answer if stored else None, locale)
    ids = [g.segment_id for g in found]
    then = None
    if request.form.get("then") == "next" and segment_id in ids:
        position = ids.index(segment_id) + 1
        if position < len(ids):
            then = pages.change(ids[position])
    return register_views.done(pages, segment_id, group.label, then=then)


def _confirm(
    workshop: WorkshopSession,
    item: LiveQuestion,
    group: Group,
    replacement: consensus.Replacement,
    reason: str,
    error: str | None,
) -> ResponseReturnValue:
    """The consensus page's confirmation, for one group: its recorded and agreed ratings side by
    side, and a reason. The posted ratings travel on in hidden fields."""
    locale = current_locale()
    place = _place(item)
    before = register.rows_of(replacement.current.answer).get(group.segment_id)
    after = register.rows_of(replacement.proposed).get(group.segment_id)
    names = {a.id for a in place.question.attributes} | {"then"}
    carried = [(k, v) for k, v in request.form.items(multi=True) if k in names]
    change = _pages(workshop, item).change(group.segment_id)
    return render_confirm(
        workshop,
        replacement,
        current_lines=register_views.brief_lines(place.question, before, locale),
        proposed_lines=register_views.brief_lines(place.question, after, locale),
        carried=carried,
        reason=reason,
        error=error,
        group_label=group.label,
        action=change,
        back=change,
    )
