"""Recording what a workshop room agrees, in the browser: one question's consensus page (the
room's spread, the engine's default agreed answer and the form to record the agreed one), and,
when the room's answer would replace a recorded one, both side by side with a reason to give.

The register question's consensus page is this one; its groups are recorded one at a time
(:mod:`assess.views.consensus_register`), through the same :func:`record_posted`. Facilitators
(``workshop.run``) record; people with ``workshop.view`` (auditors too) read.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access
from assess.i18n import current_locale, translate
from assess.models import WorkshopSession
from assess.questionnaire.answers import Answer
from assess.questionnaire.validation import NOTE_MAX_LENGTH
from assess.services import assessments, consensus, workshops
from assess.services.assessments import AssessmentClosed, StoredAnswer
from assess.services.workshops import LiveQuestion, WorkshopError
from assess.views import agreement
from assess.views.forms import answers as answer_forms
from assess.views.forms import kept as kept_forms
from assess.views.forms.answers import BadPage
from assess.views.workshops import (
    live_question_or_404,
    load_session,
    percent,
    spread_statement,
    value_label,
)

bp = Blueprint("consensus", __name__)


class Outcome(NamedTuple):
    """What recording the room's answer from a posted form came to: recorded (both None), a
    replacement to confirm (``replacement``, with ``error`` when the confirmation was not
    complete), or refused with ``error``. ``reason`` is the reason given, to show again."""

    replacement: consensus.Replacement | None = None
    error: str | None = None
    reason: str = ""


def record_posted(
    workshop: WorkshopSession,
    questionnaire_id: str,
    question_id: str,
    answer: Answer | None,
    note: str,
) -> Outcome:
    """Record ``answer`` (None: the aggregate) as the room's, with the confirmation the form
    posted (``replaces``: the revision shown as replaced; ``reason``)."""
    raw_replaces = request.form.get("replaces", "")
    replaces = int(raw_replaces) if raw_replaces.isdigit() else None
    reason = answer_forms.clean_text(request.form.get("reason"))
    try:
        consensus.record_consensus(
            workshop,
            current_user,
            questionnaire_id,
            question_id,
            answer,
            note,
            replaces=replaces,
            reason=reason,
        )
    except consensus.ConfirmReplacement as ask:
        error = agreement.replacement_error(ask.missing_reason, replaces is not None)
        return Outcome(ask.replacement, error, reason)
    except WorkshopError as error:
        return Outcome(error=translate(error.args[0] if error.args else str(error)), reason=reason)
    except AssessmentClosed:
        return Outcome(error=gettext("The assessment can no longer be changed."), reason=reason)
    return Outcome(reason=reason)


def _render_consensus(
    workshop: WorkshopSession,
    item: LiveQuestion,
    *,
    errors: list[str] | None = None,
    posted: answer_forms.ParsedQuestion | None = None,
    note: str = "",
    status: int = 200,
) -> ResponseReturnValue:
    from assess.views import consensus_register  # it records through record_posted, here

    locale, assessment = current_locale(), workshop.assessment
    stored = assessments.stored_answers(assessment, item.questionnaire.id)
    shown = {item.question.id: stored[item.question.id]} if item.question.id in stored else {}
    if agreement.tied(item.no_default):
        shown = {}  # a tie has no default pick, not even the answer recorded before
    if posted is None and not shown and item.proposal is not None:
        shown = {item.question.id: StoredAnswer(item.proposal, 0, None, workshop.created_at, "")}
    section = item.section
    views = answer_forms.question_views(
        section,
        shown,
        [q.id for q in section.questions],
        parsed=answer_forms.ParsedPage({posted.question_id: posted}) if posted else None,
    )
    view = next(v for v in views if v.id == item.question.id)
    view.errors = list(errors or [])
    current = stored.get(item.question.id)
    return render_template(
        "workshops/consensus.html",
        workshop=workshop,
        assessment=assessment,
        item=item,
        view=view,
        statement=spread_statement(item),
        no_default=agreement.no_default_text(item.no_default),
        **consensus_register.page_context(workshop, item),
        proposal_lines=answer_forms.describe(item.question, item.proposal, locale),
        current=current,
        current_lines=answer_forms.describe(item.question, current.answer, locale)
        if current
        else [],
        value_label=value_label,
        percent=percent,
        note=note,
        note_max=NOTE_MAX_LENGTH,
        locale=locale,
        level_names=item.questionnaire.levels,
        can_run=access.can("workshop.run", assessment.organisation_id) and workshop.is_open,
    ), status


def render_confirm(
    workshop: WorkshopSession,
    replacement: consensus.Replacement,
    *,
    current_lines: list[str],
    proposed_lines: list[str],
    carried: list[tuple[str, str]],
    reason: str = "",
    error: str | None = None,
    **page: Any,
) -> ResponseReturnValue:
    """Old and new side by side (``current_lines``, ``proposed_lines``), with a reason to give
    before the room's answer replaces the recorded one; the posted answer travels on in hidden
    fields (``carried``). ``page`` adds to the template's context (a register group's name, the
    form's address)."""
    return render_template(
        "workshops/consensus_confirm.html",
        workshop=workshop,
        item=replacement.item,
        replacement=replacement,
        current_lines=current_lines,
        proposed_lines=proposed_lines,
        carried=carried,
        reason=reason,
        reason_max=consensus.REASON_MAX_LENGTH,
        error=error,
        locale=current_locale(),
        **page,
    ), 400 if error else 200


def _render_confirm_replacement(
    workshop: WorkshopSession,
    replacement: consensus.Replacement,
    *,
    reason: str = "",
    error: str | None = None,
) -> ResponseReturnValue:
    """The confirmation for one question's answer, with everything the form posted for it."""
    locale = current_locale()
    item = replacement.item
    prefix = answer_forms.field_name(item.question.id)
    carried = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name == "how" or name == "consensus_note" or name.startswith(prefix)
    ]
    return render_confirm(
        workshop,
        replacement,
        current_lines=answer_forms.describe(item.question, replacement.current.answer, locale),
        proposed_lines=answer_forms.describe(item.question, replacement.proposed, locale),
        carried=carried,
        reason=reason,
        error=error,
    )


@kept_forms.redisplay("consensus.record")
def _show_kept_consensus(
    session_id: int, questionnaire_id: str, question_id: str
) -> ResponseReturnValue | None:
    """The consensus form whose token was refused, shown again with what was entered (nothing
    recorded); None when the person may not record it now (it is then kept for after sign-in)."""
    if not current_user.is_authenticated:
        return None
    loaded = load_session(session_id)
    if loaded is None or not access.can("workshop.run", loaded.organisation_id):
        return None
    workshop: WorkshopSession = loaded.obj
    try:
        item = workshops.live_question(workshop, questionnaire_id, question_id)
        posted = (
            answer_forms.parse_question(item.question, request.form)
            if request.form.get("how") == "agreed"
            else None
        )
    except (KeyError, BadPage):
        return None
    flash(
        gettext(
            "Nothing was recorded: the page had been open too long, or since before you last "
            "signed in. We kept what you entered: check it and record it again."
        ),
        "info",
    )
    note = answer_forms.clean_text(request.form.get("consensus_note"))
    return _render_consensus(workshop, item, posted=posted, note=note)


@bp.get("/workshops/<int:session_id>/consensus/<questionnaire_id>/<question_id>")
@access.requires("workshop.view", load=load_session)
def question(
    workshop: WorkshopSession, session_id: int, questionnaire_id: str, question_id: str
) -> ResponseReturnValue:
    """One question's spread, the engine's default agreed answer, and the form to record what the
    room agreed."""
    item = live_question_or_404(workshop, questionnaire_id, question_id)
    return _render_consensus(workshop, item, note=item.consensus.note if item.consensus else "")


@bp.post("/workshops/<int:session_id>/consensus/<questionnaire_id>/<question_id>")
@access.requires("workshop.run", load=load_session)
def record(
    workshop: WorkshopSession, session_id: int, questionnaire_id: str, question_id: str
) -> ResponseReturnValue:
    """Record the agreed answer (or accept the aggregate) with the room's note."""
    item = live_question_or_404(workshop, questionnaire_id, question_id)
    how = request.form.get("how")
    note = answer_forms.clean_text(request.form.get("consensus_note"))
    posted = None
    answer = None
    if how == "agreed":
        try:
            posted = answer_forms.parse_question(item.question, request.form)
        except BadPage as error:
            abort(400, str(error))
        if posted.errors or posted.answer is None:
            problems = list(posted.errors) or [gettext("Give the answer the room agreed.")]
            return _render_consensus(workshop, item, errors=problems, posted=posted, status=400)
        answer = posted.answer
        note = note or posted.answer.note
    elif how != "aggregate":
        abort(400)
    outcome = record_posted(workshop, questionnaire_id, question_id, answer, note)
    if outcome.replacement is not None:
        return _render_confirm_replacement(
            workshop, outcome.replacement, reason=outcome.reason, error=outcome.error
        )
    if outcome.error is not None:
        return _render_consensus(
            workshop, item, errors=[outcome.error], posted=posted, note=note, status=400
        )
    flash(gettext("The agreed answer is recorded."), "success")
    return redirect(url_for("workshops.live", session_id=workshop.id) + f"#q-{item.question.id}")
