"""Answering an assessment in the browser: the organisation's assessments, the overview, one page
per section, checking answers, choosing a model, and the autosave the script uses. The results
pages are :mod:`assess.views.results`.

Each view reads the request (through :mod:`assess.views.forms.answers`), relies on its access
declaration, calls :mod:`assess.services.assessments` and renders. Reading needs
``assessment.view``; every change needs ``assessment.answer``, so an auditor sees the pages without
anything to answer with.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access, pagination
from assess.charts import fit_chart
from assess.figures import fit_rows
from assess.i18n import current_locale, translate
from assess.models import Assessment, Organisation
from assess.questionnaire import effort
from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import Questionnaire, Section
from assess.questionnaire.validation import NOTE_MAX_LENGTH, visible_questions
from assess.scoring.fit import Contribution
from assess.services import answer_marks, assessments, packs, resume
from assess.services.assessments import AssessmentClosed, ChoiceError, SaveOutcome
from assess.templating import clock_time, local_time
from assess.views import assessment_pages as pages
from assess.views import register as register_views
from assess.views.forms import answers as answer_forms
from assess.views.forms import kept as kept_forms
from assess.views.forms.answers import BadPage, ParsedPage
from assess.views.loaders import load_assessment, load_organisation

bp = Blueprint("assessments", __name__)

#: The longest assessment title accepted.
TITLE_MAX_LENGTH = 200


# ---- loaders -------------------------------------------------------------------------------


# ---- helpers -------------------------------------------------------------------------------


def _questionnaire(assessment: Assessment, questionnaire_id: str) -> Questionnaire:
    try:
        return assessments.questionnaires_of(assessment).by_id(questionnaire_id)
    except KeyError:
        abort(404)


def _after_check_url(assessment: Assessment, questionnaire: Questionnaire) -> tuple[str, str]:
    """Where "continue" goes after a questionnaire's check page, and what it says."""
    qset = assessments.questionnaires_of(assessment)
    if questionnaire.kind == "definition":
        return pages.section_url(assessment, qset.model_fit, qset.model_fit.sections[0]), gettext(
            "Continue to the model fit questions"
        )
    if questionnaire.kind == "model-fit":
        return url_for("assessments.choice", assessment_id=assessment.id), gettext(
            "Continue to the recommendation"
        )
    return url_for("results.index", assessment_id=assessment.id), gettext("See the results")


def step_url(assessment: Assessment, step: resume.NextStep) -> str:
    """The page of ``step``: a question on its section page, the model choice, or the results."""
    if step.kind == resume.CHOICE:
        return url_for("assessments.choice", assessment_id=assessment.id)
    if step.kind == resume.RESULTS:
        return url_for("results.index", assessment_id=assessment.id)
    questionnaire = assessments.questionnaires_of(assessment).by_id(step.questionnaire_id or "")
    first = questionnaire.sections[0]
    if step.section_id == first.id and step.question_id == first.questions[0].id:
        # The very start: the top of the page, where "Before you start" is.
        return pages.section_url(assessment, questionnaire, first)
    return url_for(
        "assessments.section",
        assessment_id=assessment.id,
        questionnaire_id=step.questionnaire_id,
        section_id=step.section_id,
        _anchor=f"question-{step.question_id}",
    )


def _resume_url(assessment: Assessment) -> str:
    """Where "Continue" leads the signed-in person: the next question to answer."""
    return step_url(assessment, resume.next_step(assessment, current_user))


def _closed(assessment: Assessment) -> ResponseReturnValue:
    return render_template(
        "errors/error.html",
        code=409,
        title=gettext("This assessment can no longer be changed"),
        detail=gettext(
            "It has been finalised, so its answers are kept as they were. You can still read them."
        ),
    ), 409


def _message(text: str) -> str:
    """A message of the checks, as a translated sentence."""
    text = translate(text).strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# ---- the organisation's assessments --------------------------------------------------------


@bp.get("/organisations/<int:org_id>/assessments")
@access.requires("assessment.view", load=load_organisation)
def index(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """The organisation's assessments, newest first a page at a time, and a form to start one."""
    return _render_index(organisation, None, "")


def _render_index(
    organisation: Organisation,
    title_error: str | None,
    title_value: str,
    status: int = 200,
    *,
    error_field: str = "title",
    scope_value: str = "",
) -> ResponseReturnValue:
    page_error = None
    try:
        window = assessments.organisation_page(
            organisation.id, after=request.args.get("after"), before=request.args.get("before")
        )
    except pagination.BadCursor:
        page_error = str(pagination.BadCursor.message)
        window = assessments.organisation_page(organisation.id)
        status = 400

    def link(**cursor: str) -> str:
        return url_for("assessments.index", org_id=organisation.id, **cursor)

    return render_template(
        "assessments/index.html",
        organisation=organisation,
        assessments=window.items,
        next_url=link(after=window.next_cursor) if window.next_cursor else None,
        previous_url=link(before=window.previous_cursor) if window.previous_cursor else None,
        page_error=page_error,
        title_error=title_error,
        error_field=error_field,
        title_value=title_value,
        scope_value=scope_value,
        questionnaire_pack=packs.label(packs.pack_of(organisation.id), current_locale()),
    ), status


@bp.post("/organisations/<int:org_id>/assessments")
@access.requires("assessment.answer", load=load_organisation)
def start(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Start an assessment on the current questionnaires."""
    title = (request.form.get("title") or "").strip()
    scope = " ".join((request.form.get("scope") or "").split())
    error, error_field = None, "title"
    if not title:
        error = gettext("Enter a name for the assessment.")
    elif len(title) > TITLE_MAX_LENGTH:
        error = gettext(
            "The name of the assessment must be %(most)d characters or fewer.",
            most=TITLE_MAX_LENGTH,
        )
    elif len(scope) > TITLE_MAX_LENGTH:
        error, error_field = (
            gettext("What it covers must be %(most)d characters or fewer.", most=TITLE_MAX_LENGTH),
            "scope",
        )
    if error:
        return _render_index(
            organisation, error, title, 400, error_field=error_field, scope_value=scope
        )
    assessment = assessments.start(
        organisation.id,
        current_user,
        title,
        packs.questionnaires_for(organisation.id),
        scope=scope or None,
    )
    flash(
        gettext("“%(title)s” has started. Answer the first questions below.", title=title),
        "success",
    )
    return redirect(_resume_url(assessment))


# ---- overview ------------------------------------------------------------------------------


@bp.get("/assessments/<int:assessment_id>")
@access.requires("assessment.view", load=load_assessment)
def overview(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The three questionnaires with their progress, and where to carry on."""
    standing = resume.standing(assessment, current_user)
    steps = list(standing.questionnaires)
    first_sections = {
        s.questionnaire.id: pages.section_url(
            assessment, s.questionnaire, s.questionnaire.sections[0]
        )
        for s in steps
    }
    return render_template(
        "assessments/overview.html",
        assessment=assessment,
        steps=steps,
        first_sections=first_sections,
        check_urls={
            s.questionnaire.id: pages.check_url(assessment, s.questionnaire) for s in steps
        },
        standing=standing,
        resume_url=step_url(assessment, standing.next) if pages.can_answer(assessment) else None,
        can_answer=pages.can_answer(assessment),
        model_names=pages.model_names(assessment),
        efforts={
            s.questionnaire.id: effort.estimate(s.questionnaire, current_locale()) for s in steps
        },
    )


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {"models_text": pages.models_text}


# ---- one section per page ------------------------------------------------------------------


def _render_section(
    assessment: Assessment,
    questionnaire: Questionnaire,
    section: Section,
    *,
    parsed: ParsedPage | None = None,
    outcome: SaveOutcome | None = None,
    errors: Mapping[str, list[str]] | None = None,
    notice: str | None = None,
    extra_rows: int = 0,
    new_ids: frozenset[str] = frozenset(),
    register_banner: Mapping[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    stored = assessments.stored_answers(assessment, questionnaire.id)
    answers: dict[str, Answer] = {qid: s.answer for qid, s in stored.items()}
    if parsed is not None:
        answers.update(parsed.answers())
    visible = visible_questions(questionnaire, answers)
    messages = {qid: [_message(m) for m in found] for qid, found in (errors or {}).items()}
    views = answer_forms.question_views(
        section,
        stored,
        visible,
        parsed=parsed,
        errors=messages,
        conflicts=outcome.conflicts if outcome else (),
    )
    for view in views:
        if view.type == "register":
            view.extra_rows = extra_rows
        view.new = view.id in new_ids
    index = questionnaire.sections.index(section)
    previous = questionnaire.sections[index - 1] if index else None
    stored_answers = {qid: s.answer for qid, s in stored.items()}
    answered, total = answer_forms.count_progress(
        questionnaire, stored_answers, visible_questions(questionnaire, stored_answers)
    )
    locale = current_locale()
    conflicts = [
        {
            "view": view,
            "yours": answer_forms.describe(view.question, view.conflict.yours, locale),
            "theirs": answer_forms.describe(
                view.question, view.conflict.theirs.answer if view.conflict.theirs else None, locale
            ),
            "by": view.conflict.theirs.updated_by if view.conflict.theirs else None,
            "at": local_time(view.conflict.theirs.updated_at) if view.conflict.theirs else None,
        }
        for view in views
        if view.conflict is not None
    ]
    return render_template(
        "assessments/section.html",
        assessment=assessment,
        questionnaire=questionnaire,
        section=section,
        number=index + 1,
        count=len(questionnaire.sections),
        views=views,
        previous_url=pages.section_url(assessment, questionnaire, previous)
        if previous
        else _before_questionnaire_url(assessment, questionnaire),
        answered=answered,
        total=total,
        can_answer=pages.can_answer(assessment),
        notice=notice,
        conflicts=conflicts,
        note_max=NOTE_MAX_LENGTH,
        locale=locale,
        describe=answer_forms.describe,
        status_label=answer_forms.status_label,
        most=_question_count(questionnaire),
        # The register as a summary of its groups, each changed on its own page.
        register_summary={
            view.id: register_views.summary(assessment, view.answer, locale)
            for view in views
            if view.type == "register" and pages.can_answer(assessment)
        },
        register_banner=register_banner,
        **_effort_context(questionnaire, locale),
    ), status


def _before_questionnaire_url(assessment: Assessment, questionnaire: Questionnaire) -> str:
    """The page before a questionnaire's first section in the flow: the previous questionnaire's
    check page, the model choice before adoption, the overview before the definition."""
    qset = assessments.questionnaires_of(assessment)
    if questionnaire.kind == "model-fit":
        return pages.check_url(assessment, qset.definition)
    if questionnaire.kind == "adoption":
        return url_for("assessments.choice", assessment_id=assessment.id)
    return url_for("assessments.overview", assessment_id=assessment.id)


def _question_count(questionnaire: Questionnaire) -> int:
    """Every question, shown or not: the most a person can be asked."""
    return sum(1 for _ in questionnaire.questions())


def _effort_context(questionnaire: Questionnaire, locale: str) -> dict[str, object]:
    """What the "before you start" panel shows: the estimate and the rates it was made with."""
    return {
        "effort": effort.estimate(questionnaire, locale),
        "reading_speed": effort.READING_WORDS_PER_MINUTE,
        "seconds_per_answer": effort.SECONDS_PER_ANSWER,
        "seconds_per_note": effort.SECONDS_PER_EVIDENCE_NOTE,
    }


@bp.get("/assessments/<int:assessment_id>/<questionnaire_id>/<section_id>")
@access.requires("assessment.view", load=load_assessment)
def section(
    assessment: Assessment, assessment_id: int, questionnaire_id: str, section_id: str
) -> ResponseReturnValue:
    """One section's questions, with the answers stored so far."""
    questionnaire = _questionnaire(assessment, questionnaire_id)
    found = pages.section_or_404(questionnaire, section_id)
    pages.record_step(assessment, questionnaire.id, found.id)
    extra_rows = answer_forms.extra_rows(request.args.get("rows"))
    new_ids = frozenset(request.args.getlist("new"))
    return _render_section(
        assessment,
        questionnaire,
        found,
        extra_rows=extra_rows,
        new_ids=new_ids,
        register_banner=register_views.pop_banner(),
    )


@bp.post("/assessments/<int:assessment_id>/<questionnaire_id>/<section_id>")
@access.requires("assessment.answer", load=load_assessment)
def save_section(
    assessment: Assessment, assessment_id: int, questionnaire_id: str, section_id: str
) -> ResponseReturnValue:
    """Store a page of answers, then go on (or show the page again: problems, conflicts, new
    questions, or a row added to the register)."""
    questionnaire = _questionnaire(assessment, questionnaire_id)
    found = pages.section_or_404(questionnaire, section_id)
    if not assessment.is_draft:
        return _closed(assessment)
    try:
        parsed = answer_forms.parse_page(found, request.form)
    except BadPage as error:
        abort(400, str(error))
    extra_rows = _posted_rows()
    if parsed.errors:
        return _render_section(
            assessment,
            questionnaire,
            found,
            parsed=parsed,
            errors=parsed.errors,
            extra_rows=extra_rows,
            status=400,
        )
    try:
        outcome = assessments.save_answers(
            assessment, current_user, questionnaire.id, parsed.submissions()
        )
    except AssessmentClosed:
        return _closed(assessment)
    if outcome.errors:
        return _render_section(
            assessment,
            questionnaire,
            found,
            parsed=parsed,
            errors=outcome.errors,
            extra_rows=extra_rows,
            status=400,
        )
    if outcome.conflicts:
        return _render_section(
            assessment,
            questionnaire,
            found,
            parsed=parsed,
            outcome=outcome,
            extra_rows=extra_rows,
            status=409,
        )
    here = pages.section_url(assessment, questionnaire, found)
    if parsed.action == "add-segment":
        return redirect(f"{here}?rows={extra_rows + 1}#add-group")
    if parsed.removed_segment:
        flash(gettext("The group has been removed."), "success")
        return redirect(f"{here}?rows={extra_rows}#add-group" if extra_rows else here)
    before = visible_questions(questionnaire, outcome.previous)
    stored = outcome.answers
    after = visible_questions(questionnaire, stored)
    new = [
        q.id
        for q in found.questions
        if q.id in after and q.id not in before and not answer_forms.is_done(stored.get(q.id))
    ]
    if new:
        flash(
            gettext("New questions appeared because of your answers. Answer them, or carry on."),
            "info",
        )
        query = "&".join(f"new={qid}" for qid in new)
        return redirect(f"{here}?{query}#question-{new[0]}")
    if parsed.action == "save-exit":
        # Autosave may have stored every answer already: say so whether or not this post changed
        # anything, and show where "Continue" will bring the person back.
        flash(
            gettext(
                "Your answers to “%(title)s” have been saved. You can come back at any time: "
                "sign in and choose Continue.",
                title=assessment.title,
            ),
            "success",
        )
        return redirect(url_for("start.index"))
    if outcome.saved:
        flash(gettext("Your answers have been saved."), "success")
    index = questionnaire.sections.index(found)
    if index + 1 < len(questionnaire.sections):
        return redirect(
            pages.section_url(assessment, questionnaire, questionnaire.sections[index + 1])
        )
    return redirect(pages.check_url(assessment, questionnaire))


def _posted_rows() -> int:
    return answer_forms.extra_rows(request.form.get("extra_rows"))


@kept_forms.redisplay("assessments.save_section")
def _show_kept_answers(
    assessment_id: int, questionnaire_id: str, section_id: str
) -> ResponseReturnValue | None:
    """A page of answers whose form token was refused, shown again with what was typed, to save
    with a fresh token (nothing stored). None when the person may not answer it now: the form is
    then kept for them like any other (see :mod:`assess.views.forms.kept`)."""
    if not current_user.is_authenticated:
        return None
    loaded = load_assessment(assessment_id)
    if loaded is None or not access.can("assessment.answer", loaded.organisation_id):
        return None
    assessment: Assessment = loaded.obj
    try:
        questionnaire = assessments.questionnaires_of(assessment).by_id(questionnaire_id)
        found = questionnaire.section(section_id)
        parsed = answer_forms.parse_page(found, request.form)
    except (KeyError, BadPage):
        return None
    return _render_section(
        assessment,
        questionnaire,
        found,
        parsed=parsed,
        errors=parsed.errors,
        extra_rows=_posted_rows(),
        notice="kept",
    )


# ---- autosave ------------------------------------------------------------------------------


@bp.post("/assessments/<int:assessment_id>/<questionnaire_id>/answers/<question_id>")
@access.requires("assessment.answer", load=load_assessment)
def autosave(
    assessment: Assessment, assessment_id: int, questionnaire_id: str, question_id: str
) -> ResponseReturnValue:
    """Save one question as the person leaves it (the script sends the question's fields).

    200 with the new revision; 409 with the colleague's answer when the page's revision is older
    than the stored one; 400 with the problem for anything that cannot be stored.
    """
    try:
        questionnaire = assessments.questionnaires_of(assessment).by_id(questionnaire_id)
        question = questionnaire.question(question_id)
    except KeyError:
        return jsonify(
            status="invalid",
            errors=[gettext("There is no such question in this assessment.")],
        ), 400
    if not assessment.is_draft:
        return jsonify(
            status="closed", errors=[gettext("This assessment has been finalised.")]
        ), 409
    try:
        parsed = answer_forms.parse_question(question, request.form)
    except BadPage as error:
        return jsonify(status="invalid", errors=[str(error)]), 400
    if parsed.errors:
        return jsonify(status="invalid", errors=[_message(m) for m in parsed.errors]), 400
    try:
        outcome = assessments.save_answers(
            assessment, current_user, questionnaire.id, {question.id: parsed.submission}
        )
    except AssessmentClosed:
        return jsonify(
            status="closed", errors=[gettext("This assessment has been finalised.")]
        ), 409
    if outcome.errors:
        found = [_message(m) for m in outcome.errors.get(question.id, [])]
        return jsonify(status="invalid", errors=found), 400
    locale = current_locale()
    if outcome.conflicts:
        theirs = outcome.conflicts[0].theirs
        by = theirs.updated_by if theirs and theirs.updated_by else gettext("A colleague")
        at = local_time(theirs.updated_at) if theirs else ""
        return jsonify(
            status="conflict",
            message=gettext(
                "Not saved: %(name)s changed this answer on %(when)s. Save the page to choose "
                "which answer to keep.",
                name=by,
                when=at,
            ),
            theirs=answer_forms.describe(question, theirs.answer if theirs else None, locale),
            updated_by=by,
            updated_at=at,
        ), 409
    # What is stored now comes with the outcome: the save read and wrote it in its transaction.
    answers = outcome.answers
    revision, updated_at = outcome.revisions.get(question.id, (None, None))
    visible = visible_questions(questionnaire, answers)
    answered, total = answer_forms.count_progress(questionnaire, answers, visible)
    return jsonify(
        answered=answered,
        total=total,
        status="saved" if outcome.saved else "unchanged",
        revision=revision,
        was=answer_forms.fingerprint(answers.get(question.id)),
        message=gettext(
            "Saved at %(time)s", time=clock_time(updated_at, assessment.organisation.time_zone)
        )
        if updated_at is not None
        else gettext("Saved"),
        visible=sorted(visible),
    )


# ---- check your answers --------------------------------------------------------------------


@bp.get("/assessments/<int:assessment_id>/<questionnaire_id>/check")
@access.requires("assessment.view", load=load_assessment)
def check(assessment: Assessment, assessment_id: int, questionnaire_id: str) -> ResponseReturnValue:
    """Every answer of one questionnaire, with a link back to change each."""
    questionnaire = _questionnaire(assessment, questionnaire_id)
    pages.record_step(assessment, questionnaire.id, None)
    stored = assessments.stored_answers(assessment, questionnaire.id)
    answers = {qid: s.answer for qid, s in stored.items()}
    visible = visible_questions(questionnaire, answers)
    answered, total = answer_forms.count_progress(questionnaire, answers, visible)
    next_url, next_label = _after_check_url(assessment, questionnaire)
    return render_template(
        "assessments/check.html",
        assessment=assessment,
        questionnaire=questionnaire,
        stored=stored,
        visible=visible,
        answered=answered,
        total=total,
        most=_question_count(questionnaire),
        section_url=lambda s: pages.section_url(assessment, questionnaire, s),
        next_url=next_url,
        next_label=next_label,
        can_answer=pages.can_answer(assessment),
        can_mark=pages.can_mark(assessment),
        marks=answer_marks.marks_for(assessment),
        locale=current_locale(),
        describe=answer_forms.describe,
    )


# ---- the model choice ----------------------------------------------------------------------


def _contribution_view(
    assessment: Assessment, model_fit: Questionnaire, contribution: Contribution, locale: str
) -> dict[str, object]:
    question = model_fit.question(contribution.question_id)
    # The one option behind this contribution, in full (a multiple-choice answer contributes
    # once for each option chosen).
    options = getattr(question, "options", None) or []
    label = next((o.label.get(locale) for o in options if o.id == contribution.option_id), None)
    return {
        "question": question.text.get(locale),
        "answer": label or contribution.option_id,
        "model_id": contribution.model_id,
        "weight": contribution.weight,
        "url": pages.answer_url(assessment, model_fit, question.id),
    }


def _render_choice(
    assessment: Assessment, chosen: list[str], reason: str, error: str | None, status: int = 200
) -> ResponseReturnValue:
    locale = current_locale()
    result = assessments.score(assessment, locale)
    model_fit = assessments.questionnaires_of(assessment).model_fit
    names = pages.model_names(assessment)
    fit = result.fit
    reasons = [
        _contribution_view(assessment, model_fit, c, locale)
        for c in (fit.recommendation.reasons if fit else ())
    ]
    rows = fit_rows(result)
    breakdown = {
        m.model_id: [_contribution_view(assessment, model_fit, c, locale) for c in m.contributions]
        for m in (fit.models if fit else ())
    }
    return render_template(
        "assessments/choice.html",
        reasons=reasons,
        model_names=names,
        error_field="reason" if chosen and set(chosen) <= set(model_fit.model_ids) else "models",
        assessment=assessment,
        fit=fit,
        fit_rows=rows,
        fit_chart=fit_chart(rows, id_prefix="fit-chart") if fit else None,
        breakdown=breakdown,
        answers_url=pages.check_url(assessment, model_fit),
        models=model_fit.models or [],
        chosen=chosen,
        reason=reason,
        error=error,
        reason_max=assessments.REASON_MAX_LENGTH,
        can_answer=pages.can_answer(assessment),
        locale=locale,
        model_fit=model_fit,
        adoption_url=pages.section_url(
            assessment,
            assessments.questionnaires_of(assessment).adoption,
            assessments.questionnaires_of(assessment).adoption.sections[0],
        ),
    ), status


@bp.get("/assessments/<int:assessment_id>/choice")
@access.requires("assessment.view", load=load_assessment)
def choice(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The recommendation, each model's fit, and the body's choice of model or blend."""
    pages.record_step(assessment, "choice", None)
    # Nothing is ticked until the organisation has chosen: the recommendation is advice.
    chosen = list(assessment.chosen_models or [])
    return _render_choice(assessment, chosen, assessment.choice_reason or "", None)


@bp.post("/assessments/<int:assessment_id>/choice")
@access.requires("assessment.answer", load=load_assessment)
def choose(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Record the chosen model or blend, and why when it differs from the recommendation."""
    chosen = [m.strip() for m in request.form.getlist("models") if m.strip()]
    reason = answer_forms.clean_text(request.form.get("reason"))
    try:
        assessments.choose_models(assessment, current_user, chosen, reason)
    except AssessmentClosed:
        return _closed(assessment)
    except ChoiceError as error:
        return _render_choice(assessment, chosen, reason, translate(error.args[0]), 400)
    flash(gettext("Your choice has been saved."), "success")
    qset = assessments.questionnaires_of(assessment)
    return redirect(pages.section_url(assessment, qset.adoption, qset.adoption.sections[0]))
