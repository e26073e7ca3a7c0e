"""A workshop participant's own stakeholder register, one group at a time.

The same pages as a member's register (:mod:`assess.views.register`: a summary with "Change"
links, one group per page with its ratings as radios, "Add a group", a confirmation before
removing), on the participant's own answer to the register question. The facilitator sees the
room's ratings group by group on the consensus page, and the room agrees the register that is
recorded for the organisation (:func:`assess.services.consensus.record_consensus`).

Every page is declared with :func:`assess.access.participant`: a device's token reaches only its
own session and its own answers. The pages live under ``/workshop/`` so that the token's cookie
is sent to them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue

from assess import access
from assess.i18n import current_locale
from assess.models import Participant
from assess.questionnaire.answers import Answer
from assess.services import register
from assess.services.register import Group, RegisterPlace
from assess.services.workshops import WorkshopError
from assess.views import register as register_views
from assess.views.forms import kept as kept_forms
from assess.views.forms.register import CONFLICT_SHOWN, GroupForm
from assess.views.register import Pages
from assess.views.workshops import join_first, load_participant, not_open

bp = Blueprint("workshop_register", __name__)


def pages_for(participant: Participant, place: RegisterPlace) -> Pages:
    """The participant's register pages."""
    session_id = participant.workshop.id

    def summary(anchor: str | None) -> str:
        return url_for(
            "workshops.participant_section",
            session_id=session_id,
            questionnaire_id=place.questionnaire.id,
            section_id=place.section.id,
            _anchor=anchor,
        )

    return Pages(
        layout="workshops/_participant_base.html",
        summary=summary,
        change=lambda segment_id: url_for(
            "workshop_register.change", session_id=session_id, segment_id=segment_id
        ),
        remove=lambda segment_id: url_for(
            "workshop_register.remove", session_id=session_id, segment_id=segment_id
        ),
        add=url_for("workshop_register.add", session_id=session_id)
        if place.question.allow_custom_segments
        else None,
        participant=True,
    )


def section_context(participant: Participant, views: list[Any]) -> dict[str, Any]:
    """What a participant's section page needs to show its register question as the summary."""
    place = register.participant_place(participant)
    found = {}
    for view in views:
        if place is not None and view.type == "register" and view.id == place.question.id:
            found[view.id] = register_views.summary_of(
                pages_for(participant, place), place, view.answer, current_locale()
            )
    return {"register_summary": found, "register_banner": register_views.pop_banner()}


def _context(participant: Participant) -> dict[str, Any]:
    return {"participant": participant, "workshop": participant.workshop}


def _answer(participant: Participant, place: RegisterPlace) -> Answer | None:
    found = register.participant_stored(participant, place)
    return found.answer if found else None


def _place(participant: Participant) -> RegisterPlace | None:
    """The register, when the session is open and its section is opened to the room."""
    if not participant.workshop.is_open:
        return None
    return register.participant_place(participant)


def _render(
    participant: Participant,
    place: RegisterPlace,
    group: Group | None,
    form: GroupForm,
    **options: Any,
) -> ResponseReturnValue:
    return register_views.render_group(
        pages_for(participant, place),
        place,
        _answer(participant, place),
        group,
        form,
        **options,
        **_context(participant),
    )


def _save(
    participant: Participant, place: RegisterPlace, group: Group | None, segment_id: str | None
) -> ResponseReturnValue:
    try:
        return register_views.save_posted(
            pages_for(participant, place),
            place,
            lambda: register.participant_stored(participant, place),
            lambda target, values, was: register.save_own_group(
                participant, place, target, values, was=was
            ),
            group,
            segment_id,
            **_context(participant),
        )
    except WorkshopError:
        return not_open(participant)


@bp.get("/workshop/<int:session_id>/register/add")
@access.participant(load=load_participant, otherwise=join_first)
def add(participant: Participant, session_id: int) -> ResponseReturnValue:
    """A group the participant thinks is missing: its name and the same ratings."""
    place = _place(participant)
    if place is None:
        return not_open(participant)
    if not place.question.allow_custom_segments:
        abort(404)
    return _render(participant, place, None, GroupForm())


@bp.post("/workshop/<int:session_id>/register/add")
@access.participant(load=load_participant, otherwise=join_first)
def save_new(participant: Participant, session_id: int) -> ResponseReturnValue:
    """Add the group to the participant's answer, then back to the summary."""
    place = _place(participant)
    if place is None:
        return not_open(participant)
    if not place.question.allow_custom_segments:
        abort(404)
    return _save(participant, place, None, None)


@bp.get("/workshop/<int:session_id>/register/groups/<segment_id>")
@access.participant(load=load_participant, otherwise=join_first)
def change(participant: Participant, session_id: int, segment_id: str) -> ResponseReturnValue:
    """One group's ratings, each as a radio group."""
    place = _place(participant)
    if place is None:
        return not_open(participant)
    group = register.group(place, _answer(participant, place), segment_id, current_locale())
    if group is None:
        abort(404)
    return _render(
        participant,
        place,
        group,
        GroupForm.from_row(group.row, group.fingerprint),
        saved_before=register_views.pop_banner(),
    )


@bp.post("/workshop/<int:session_id>/register/groups/<segment_id>")
@access.participant(load=load_participant, otherwise=join_first)
def save(participant: Participant, session_id: int, segment_id: str) -> ResponseReturnValue:
    """Store one group's ratings, then back to the summary (focus on its "Change" link)."""
    place = _place(participant)
    if place is None:
        return not_open(participant)
    group = register.group(place, _answer(participant, place), segment_id, current_locale())
    if group is None:
        if register.custom_number(segment_id) is None or not (
            request.form.get("was") or request.form.get(CONFLICT_SHOWN)
        ):
            abort(404)
        # Removed on another of the participant's tabs while this page was open: a conflict,
        # and saving again puts it back.
        group = Group(segment_id, request.form.get("label") or "", None, True, None, None)
    return _save(participant, place, group, segment_id)


def _show_kept(session_id: int, segment_id: str | None) -> ResponseReturnValue | None:
    """A group page whose form token was refused (open too long), shown again with what was
    chosen and typed, to save with a fresh token; None when it cannot be shown now."""
    loaded = load_participant(session_id)
    if loaded is None or not loaded.obj.workshop.assessment.organisation.is_available:
        return None
    participant: Participant = loaded.obj
    place = _place(participant)
    if place is None:
        return None
    kept = register_views.read_kept(place, lambda: _answer(participant, place), segment_id)
    if kept is None:
        return None
    group, form = kept
    return _render(participant, place, group, form, kept=True)


@kept_forms.redisplay("workshop_register.save_new")
def _show_kept_new(session_id: int) -> ResponseReturnValue | None:
    return _show_kept(session_id, None)


@kept_forms.redisplay("workshop_register.save")
def _show_kept_group(session_id: int, segment_id: str) -> ResponseReturnValue | None:
    return _show_kept(session_id, segment_id)


@bp.get("/workshop/<int:session_id>/register/groups/<segment_id>/remove")
@access.participant(load=load_participant, otherwise=join_first)
def remove(participant: Participant, session_id: int, segment_id: str) -> ResponseReturnValue:
    """Ask before taking a group (or one's ratings of a listed group) out of one's answer."""
    place = _place(participant)
    if place is None:
        return not_open(participant)
    pages = pages_for(participant, place)
    group = register.group(place, _answer(participant, place), segment_id, current_locale())
    if group is None:
        abort(404)
    if group.row is None:
        return redirect(pages.summary(f"change-{segment_id}"))
    return register_views.render_remove(pages, place, group, **_context(participant))


@bp.post("/workshop/<int:session_id>/register/groups/<segment_id>/remove")
@access.participant(load=load_participant, otherwise=join_first)
def confirm_remove(
    participant: Participant, session_id: int, segment_id: str
) -> ResponseReturnValue:
    """Remove it unless it changed since the confirmation page showed it."""
    place = _place(participant)
    if place is None:
        return not_open(participant)
    try:
        return register_views.remove_posted(
            pages_for(participant, place),
            place,
            lambda: register.participant_stored(participant, place),
            lambda target, was: register.remove_own_group(participant, place, target, was=was),
            segment_id,
            **_context(participant),
        )
    except WorkshopError:
        return not_open(participant)
