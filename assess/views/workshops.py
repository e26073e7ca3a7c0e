"""Facilitated workshops in the browser.

Facilitators (``workshop.run``) open a session on an assessment, show the room its join code and
QR code, open sections to answers, watch the live spread, present one question on the room's
screen, choose the model and close the session; recording what the room agrees is
:mod:`assess.views.consensus`. People with ``workshop.view`` (auditors too) can read the live view
and the consensus pages.

Participants have no account. They join with the code and a display name; their device keeps a
random token in a signed cookie (one per session, sent only to ``/workshop/``), and every
participant page is declared with :func:`assess.access.participant`, so a token reaches only its
own session and its own answers.
"""

from __future__ import annotations

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from assess import access, limits
from assess.i18n import current_locale, translate
from assess.models import Assessment, Participant, WorkshopSession
from assess.questionnaire.schema import Questionnaire, Section
from assess.questionnaire.validation import NOTE_MAX_LENGTH, visible_questions
from assess.services import assessments, participant_answers, workshops
from assess.services.assessments import AssessmentClosed, ChoiceError, StoredAnswer
from assess.services.workshops import LiveQuestion, LiveSummary, WorkshopError
from assess.templating import clock_time
from assess.views import agreement
from assess.views.forms import answers as answer_forms
from assess.views.forms import kept as kept_forms
from assess.views.forms.answers import BadPage
from assess.views.loaders import load_assessment
from assess.views.util import list_page

bp = Blueprint("workshops", __name__)

#: The cookie that holds a participant's token for one session.
COOKIE = "assess_workshop_{id}"
COOKIE_PATH = "/workshop/"
#: How long a device stays joined (long enough for a day's session and a break).
COOKIE_MAX_AGE = 2 * 24 * 3600
#: The Flask-session key under which a facilitator's browser keeps the codes it was shown.
CODES = "workshop_codes"
#: How often the live pages ask for fresh figures (milliseconds).
POLL_MS = 1500
_JOIN_SCOPE = "workshop-join"
_JOIN_LIMIT = "RATELIMIT_WORKSHOP_JOIN_FAILURES"


# ---- loaders -------------------------------------------------------------------------------


def load_session(session_id: int, **_: object) -> access.Loaded | None:
    """The workshop session in the URL (its organisation is the assessment's)."""
    workshop = workshops.get(session_id)
    return access.Loaded(workshop, workshop.assessment.organisation_id) if workshop else None


def live_question_or_404(
    workshop: WorkshopSession, questionnaire_id: str, question_id: str
) -> LiveQuestion:
    """The session's live spread of one question in its opened sections; 404 for any other."""
    try:
        return workshops.live_question(workshop, questionnaire_id, question_id)
    except KeyError:
        abort(404)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="assess.workshop-participant")


def _cookie_token(session_id: int) -> str | None:
    raw = request.cookies.get(COOKIE.format(id=session_id))
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def load_participant(session_id: int, **_: object) -> access.Loaded | None:
    """The participant of the session in the URL whose device holds their token, or None."""
    participant = workshops.participant_for(session_id, _cookie_token(session_id))
    if participant is None:
        return None
    return access.Loaded(participant, participant.workshop.assessment.organisation_id)


def load_by_code(**_: object) -> access.Loaded | None:
    """The open session whose join code the request carries, or None. A network that has used up
    its wrong codes learns nothing here either: the join view answers it with its wait."""
    code = (request.values.get("code") or "").strip()[:40]
    if not code or limits.failures_exhausted(_JOIN_LIMIT, _JOIN_SCOPE) is not None:
        return None
    workshop = workshops.find_open(code)
    return access.Loaded(workshop, workshop.assessment.organisation_id) if workshop else None


def join_first(**_: object) -> ResponseReturnValue:
    """What a device without a participant token for the session gets: the join page."""
    if access.wants_json():
        return jsonify(
            status="not_joined", errors=[gettext("Join the workshop again to save answers.")]
        ), 401
    flash(gettext("Join the workshop with its code first."), "info")
    return redirect(url_for("workshops.join"))


# ---- helpers -------------------------------------------------------------------------------


def _questionnaire(assessment: Assessment, questionnaire_id: str) -> Questionnaire:
    try:
        return workshops.questionnaire(assessment, questionnaire_id)
    except KeyError:
        abort(404)


def _section_of(questionnaire: Questionnaire, question_id: str) -> Section:
    for section, question in questionnaire.questions():
        if question.id == question_id:
            return section
    abort(404)


def _remember_code(workshop: WorkshopSession, code: str) -> None:
    codes = dict(session.get(CODES, {}))
    codes[str(workshop.id)] = code
    session[CODES] = codes


def known_code(workshop: WorkshopSession) -> str | None:
    """The join code, if this browser was shown it and it is still the session's code."""
    code = session.get(CODES, {}).get(str(workshop.id))
    if code and workshop.is_open and workshops.code_matches(workshop, code):
        return str(code)
    return None


def join_url_for(code: str) -> str:
    return url_for("workshops.join", code=workshops.format_code(code), _external=True)


def qr_svg(data: str, label: str) -> Markup:
    """``data`` as an inline SVG QR code (no style attribute: the CSP allows none)."""
    svg = segno.make(data, error="m").svg_inline(
        scale=1, omitsize=True, svgclass="qr", lineclass="qr__modules", border=4
    )
    svg = svg.replace('stroke="#000"', 'stroke="currentColor"', 1)
    # segno's output is numbers and fixed markup; the one value put in is escaped.
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    return Markup(labelled)  # noqa: S704


def value_label(item: LiveQuestion, value: str | int) -> str:
    """An option's label, or a level with its name, for the spread's bars."""
    return agreement.value_label(item.question, item.questionnaire, value, current_locale())


def spread_statement(item: LiveQuestion) -> str | None:
    """The spread of ``item``'s answers in one sentence (ties stated)."""
    locale = current_locale()
    return agreement.register_statement(item.question, item.answers, locale) or agreement.statement(
        item.question, item.questionnaire, item.aggregate, locale
    )


def percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def _item_json(item: LiveQuestion) -> dict[str, object]:
    summary = item.aggregate
    return {
        "key": item.key,
        "responses": item.responses,
        "answered": summary.answered,
        "not_applicable": summary.not_applicable,
        "dont_know": summary.dont_know,
        "counts": [
            {
                "value": str(c.value),
                "count": c.count,
                "percent": percent(c.count, summary.answered),
            }
            for c in summary.counts
        ],
        "median": summary.median_level,
        "lowest": summary.lowest,
        "highest": summary.highest,
        "range": summary.range,
        "most_common_percent": (
            None if summary.most_common_share is None else round(summary.most_common_share * 100)
        ),
        "divergent": item.divergent,
        "consensus": item.consensus.how if item.consensus else None,
        "statement": spread_statement(item),
    }


def _summary_json(live: LiveSummary) -> dict[str, object]:
    return {
        "status": live.workshop.status,
        "participants": live.participants,
        "answers": live.answers,
        "divergent": len(live.divergent),
        "threshold": live.workshop.divergence_threshold,
        "updated": clock_time(live.generated_at),
        "questions": [_item_json(item) for item in live.questions],
    }


def _stored(participant: Participant, questionnaire_id: str) -> dict[str, StoredAnswer]:
    """The participant's answers shaped as the answer forms show stored answers."""
    return {
        qid: StoredAnswer(answer, 1, None, at, "workshop")
        for qid, (answer, at) in participant_answers.own_answers_with_times(
            participant, questionnaire_id
        ).items()
    }


# ---- facilitator: sessions of an assessment ------------------------------------------------


@bp.get("/assessments/<int:assessment_id>/workshops")
@access.requires("workshop.view", load=load_assessment)
def index(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The assessment's workshop sessions, a page at a time, and a form to open one."""
    return _index_page(assessment, error=None, title_value="")


def _index_page(
    assessment: Assessment, *, error: str | None, title_value: str, status: int = 200
) -> ResponseReturnValue:
    page = list_page(
        lambda **cursor: workshops.sessions_page(assessment, **cursor),
        lambda **cursor: url_for("workshops.index", assessment_id=assessment.id, **cursor),
    )
    return render_template(
        "workshops/index.html",
        assessment=assessment,
        sessions=page.items,
        next_url=page.next_url,
        previous_url=page.previous_url,
        page_error=page.error,
        error=error,
        title_value=title_value,
    ), max(status, page.status)


@bp.post("/assessments/<int:assessment_id>/workshops")
@access.requires("workshop.run", load=load_assessment)
def open_session(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Open a session: a join code, a link and a QR code for the room."""
    title = request.form.get("title") or ""
    try:
        workshop, code = workshops.open_session(assessment, current_user, title)
    except AssessmentClosed:
        abort(409)
    except WorkshopError as error:
        return _index_page(assessment, error=translate(str(error)), title_value=title, status=400)
    _remember_code(workshop, code)
    flash(gettext("The session is open. Show the room the code or the QR code."), "success")
    return redirect(url_for("workshops.dashboard", session_id=workshop.id))


# ---- facilitator: the session --------------------------------------------------------------


@bp.get("/workshops/<int:session_id>")
@access.requires("workshop.view", load=load_session)
def dashboard(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """The join code, link and QR code, the sections open to answers, the divergence threshold,
    who has joined, the model choice and closing."""
    return _render_dashboard(workshop)


def _render_dashboard(
    workshop: WorkshopSession,
    *,
    chosen: list[str] | None = None,
    reason: str | None = None,
    choice_error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    assessment = workshop.assessment
    code = known_code(workshop)
    join_url = join_url_for(code) if code else None
    result = assessments.score(assessment, current_locale())
    model_fit = workshops.questionnaires_of(assessment)[1]
    recommended = list(result.fit.recommendation.model_ids) if result.fit else []
    return render_template(
        "workshops/dashboard.html",
        workshop=workshop,
        assessment=assessment,
        code=workshops.format_code(code) if code else None,
        join_url=join_url,
        qr=qr_svg(join_url, gettext("QR code of the join link")) if join_url else None,
        groups=_section_groups(workshop),
        participants=workshops.participant_names(workshop),
        models=model_fit.models or [],
        recommended=recommended,
        chosen=chosen if chosen is not None else list(assessment.chosen_models or recommended),
        reason=reason if reason is not None else (assessment.choice_reason or ""),
        reason_max=assessments.REASON_MAX_LENGTH,
        can_run=access.can("workshop.run", assessment.organisation_id),
        locale=current_locale(),
        choice_error=choice_error,
    ), status


def _section_groups(workshop: WorkshopSession) -> list[dict[str, object]]:
    groups: list[dict[str, object]] = []
    locale = current_locale()
    for questionnaire in workshops.questionnaires_of(workshop.assessment):
        groups.append(
            {
                "title": questionnaire.title.get(locale),
                "sections": [
                    {
                        "key": workshops.section_key(questionnaire.id, s.id),
                        "title": s.title.get(locale),
                        "open": workshops.section_key(questionnaire.id, s.id)
                        in workshop.opened_sections,
                    }
                    for s in questionnaire.sections
                ],
            }
        )
    return groups


@bp.post("/workshops/<int:session_id>/sections")
@access.requires("workshop.run", load=load_session)
def sections(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """Open the ticked sections to answers (and close the others)."""
    try:
        opened = workshops.set_sections(workshop, current_user, request.form.getlist("sections"))
    except WorkshopError as error:
        flash(translate(str(error)), "error")
    else:
        flash(
            ngettext(
                "%(num)d section is open to answers.",
                "%(num)d sections are open to answers.",
                len(opened),
            )
            if opened
            else gettext("No section is open to answers."),
            "success",
        )
    return redirect(url_for("workshops.dashboard", session_id=workshop.id))


@bp.post("/workshops/<int:session_id>/threshold")
@access.requires("workshop.run", load=load_session)
def threshold(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """Set how many levels apart answers must be for a level question to be divergent."""
    chosen = answer_forms.small_number(request.form.get("threshold"))
    try:
        workshops.set_threshold(workshop, current_user, chosen or 0)
    except WorkshopError as error:
        flash(translate(str(error)), "error")
    else:
        flash(gettext("The divergence threshold is saved."), "success")
    back = "workshops.live" if request.form.get("back") == "live" else "workshops.dashboard"
    return redirect(url_for(back, session_id=workshop.id))


@bp.post("/workshops/<int:session_id>/code")
@access.requires("workshop.run", load=load_session)
def renew_code(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """Show a new join code (the old one stops working; people already in stay in)."""
    try:
        code = workshops.renew_code(workshop, current_user)
    except WorkshopError as error:
        flash(translate(str(error)), "error")
    else:
        _remember_code(workshop, code)
        flash(gettext("A new join code is ready; the old one no longer works."), "success")
    return redirect(url_for("workshops.dashboard", session_id=workshop.id))


@bp.post("/workshops/<int:session_id>/choice")
@access.requires("workshop.run", load=load_session)
def choose(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """Record the model the room chose (with a reason when it differs from the recommendation)
    and open the adoption questions."""
    chosen = [m.strip() for m in request.form.getlist("models") if m.strip()]
    reason = answer_forms.clean_text(request.form.get("reason"))
    try:
        workshops.choose_models(workshop, current_user, chosen, reason)
    except (ChoiceError, WorkshopError) as error:
        # Shown again with what was typed, so a long reason is shortened rather than lost.
        return _render_dashboard(
            workshop,
            chosen=chosen,
            reason=reason,
            choice_error=translate(error.args[0]),
            status=400,
        )
    except AssessmentClosed:
        abort(409)
    flash(gettext("The model is recorded and the adoption questions are open."), "success")
    return redirect(url_for("workshops.dashboard", session_id=workshop.id) + "#model")


@bp.get("/workshops/<int:session_id>/close")
@access.requires("workshop.run", load=load_session)
def confirm_close(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """Ask before closing, and say what closing does (works without JavaScript)."""
    if not workshop.is_open:
        flash(gettext("This session is already closed."), "info")
        return redirect(url_for("workshops.dashboard", session_id=workshop.id))
    live = workshops.live_summary(workshop)
    agreed = sum(1 for item in live.questions if item.consensus is not None)
    return render_template(
        "workshops/close_confirm.html",
        workshop=workshop,
        assessment=workshop.assessment,
        live=live,
        agreed=agreed,
        open_questions=len(live.questions) - agreed,
        retention_days=current_app.config["WORKSHOP_ANSWER_RETENTION_DAYS"],
    )


@bp.post("/workshops/<int:session_id>/close")
@access.requires("workshop.run", load=load_session)
def close(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """Close the session once confirmed: nothing more can be answered; everything is kept."""
    if request.form.get("confirm") != "yes":
        return redirect(url_for("workshops.confirm_close", session_id=workshop.id))
    workshops.close_session(workshop, current_user)
    flash(gettext("The session is closed. Every answer and agreement is kept."), "success")
    return redirect(url_for("workshops.dashboard", session_id=workshop.id))


# ---- facilitator: live view, presentation, consensus ---------------------------------------


@bp.get("/workshops/<int:session_id>/live")
@access.requires("workshop.view", load=load_session)
def live(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """Per question: how many answered, the spread, and whether the room diverges; updated by
    the page's script every POLL_MS, or by the Refresh link without it."""
    divergent_first = request.args.get("sort") == "divergent"
    summary = workshops.live_summary(workshop)
    return render_template(
        "workshops/live.html",
        workshop=workshop,
        assessment=workshop.assessment,
        live=summary,
        items=summary.sorted(divergent_first),
        divergent_first=divergent_first,
        statement=spread_statement,
        value_label=value_label,
        percent=percent,
        poll_ms=POLL_MS,
        locale=current_locale(),
        can_run=access.can("workshop.run", workshop.assessment.organisation_id),
    )


@bp.get("/workshops/<int:session_id>/live.json")
@access.requires("workshop.view", load=load_session)
def live_data(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """The live figures as JSON for the live and presentation pages' script."""
    response = jsonify(_summary_json(workshops.live_summary(workshop)))
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- participants ----------------------------------------------------------------------------


@bp.route("/workshop/join", methods=["GET", "POST"])
@access.public_for(load=load_by_code)
def join() -> ResponseReturnValue:
    """Join a session with its code and a display name (no account)."""
    code = (request.values.get("code") or "").strip()[:40]
    name = (request.form.get("name") or "").strip()
    if request.method == "GET":
        return render_template("workshops/join.html", code=code, name="", errors={})
    wait = limits.failures_exhausted(_JOIN_LIMIT, _JOIN_SCOPE)
    if wait is not None:
        minutes = max(1, round(wait / 60))
        page = render_template(
            "errors/error.html",
            code=429,
            title=gettext("Too many wrong codes"),
            detail=gettext(
                "Too many wrong codes came from your network. Try again in %(n)s minutes, or "
                "use the link or QR code the facilitator shows.",
                n=minutes,
            ),
        )
        return page, 429, {"Retry-After": str(wait)}
    workshop = workshops.find_open(code)
    if workshop is None:
        limits.count_failure(_JOIN_LIMIT, _JOIN_SCOPE)
        errors = {
            "code": gettext("That code does not match an open workshop. Check it and try again.")
        }
        return render_template("workshops/join.html", code=code, name=name, errors=errors), 400
    # The same device joining again keeps its answers.
    existing = workshops.participant_for(workshop.id, _cookie_token(workshop.id))
    if existing is not None:
        flash(
            gettext(
                "Welcome back, %(name)s. Your answers are as you left them.",
                name=existing.display_name,
            ),
            "success",
        )
        return redirect(url_for("workshops.participant_home", session_id=workshop.id))
    try:
        joined = workshops.join(code, name)
    except WorkshopError as error:
        return render_template(
            "workshops/join.html", code=code, name=name, errors={"name": translate(str(error))}
        ), 400
    response = redirect(url_for("workshops.participant_home", session_id=workshop.id))
    response.set_cookie(
        COOKIE.format(id=workshop.id),
        _serializer().dumps(joined.token),
        max_age=COOKIE_MAX_AGE,
        path=COOKIE_PATH,
        secure=bool(current_app.config.get("HTTPS")),
        httponly=True,
        samesite="Lax",
    )
    return response


def _participant_context(participant: Participant) -> dict[str, object]:
    return {"participant": participant, "workshop": participant.workshop}


@bp.get("/workshop/<int:session_id>/")
@access.participant(load=load_participant, otherwise=join_first)
def participant_home(participant: Participant, session_id: int) -> ResponseReturnValue:
    """The sections the facilitator has opened, with how many of each this person answered."""
    workshop = participant.workshop
    locale = current_locale()
    opened = []
    for questionnaire, section in workshops.sections(workshop.assessment, workshop.opened_sections):
        mine = participant_answers.own_answers(participant, questionnaire.id)
        visible = visible_questions(questionnaire, mine)
        ids = [q.id for q in section.questions if q.id in visible]
        opened.append(
            {
                "url": url_for(
                    "workshops.participant_section",
                    session_id=workshop.id,
                    questionnaire_id=questionnaire.id,
                    section_id=section.id,
                ),
                "questionnaire": questionnaire.title.get(locale),
                "title": section.title.get(locale),
                "answered": sum(1 for qid in ids if answer_forms.is_done(mine.get(qid))),
                "total": len(ids),
            }
        )
    return render_template(
        "workshops/participant_home.html", opened=opened, **_participant_context(participant)
    )


def _render_participant_section(
    participant: Participant,
    questionnaire: Questionnaire,
    section: Section,
    *,
    parsed: answer_forms.ParsedPage | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    from assess.views import workshop_register  # it builds on this module's loaders

    workshop = participant.workshop
    stored = _stored(participant, questionnaire.id)
    answers = {qid: s.answer for qid, s in stored.items()}
    if parsed is not None:
        answers.update(parsed.answers())
    views = answer_forms.question_views(
        section,
        stored,
        visible_questions(questionnaire, answers),
        parsed=parsed,
        errors={
            qid: [answer_forms.clean_text(m) for m in found]
            for qid, found in (errors or {}).items()
        },
    )
    return render_template(
        "workshops/participant_section.html",
        questionnaire=questionnaire,
        section=section,
        views=views,
        note_max=NOTE_MAX_LENGTH,
        locale=current_locale(),
        autosave_url=lambda qid: url_for(
            "workshops.participant_autosave",
            session_id=workshop.id,
            questionnaire_id=questionnaire.id,
            question_id=qid,
        ),
        **workshop_register.section_context(participant, views),
        **_participant_context(participant),
    ), status


def _opened_section(
    participant: Participant, questionnaire_id: str, section_id: str
) -> tuple[Questionnaire, Section] | None:
    workshop = participant.workshop
    if workshops.section_key(questionnaire_id, section_id) not in workshop.opened_sections:
        return None
    questionnaire = _questionnaire(workshop.assessment, questionnaire_id)
    try:
        return questionnaire, questionnaire.section(section_id)
    except KeyError:
        return None


def not_open(participant: Participant) -> ResponseReturnValue:
    """The page for questions that are not (or no longer) open to the room."""
    closed = not participant.workshop.is_open
    return render_template(
        "workshops/not_open.html", closed=closed, **_participant_context(participant)
    ), 409 if closed else 403


@bp.get("/workshop/<int:session_id>/<questionnaire_id>/<section_id>")
@access.participant(load=load_participant, otherwise=join_first)
def participant_section(
    participant: Participant, session_id: int, questionnaire_id: str, section_id: str
) -> ResponseReturnValue:
    """One opened section's questions with this person's own answers."""
    found = _opened_section(participant, questionnaire_id, section_id)
    if found is None:
        return not_open(participant)
    return _render_participant_section(participant, *found)


@kept_forms.redisplay("workshops.participant_save")
def _show_kept_participant_answers(
    session_id: int, questionnaire_id: str, section_id: str
) -> ResponseReturnValue | None:
    """A participant's page whose form token was refused (open too long), shown again with what
    they chose and typed, to save with a fresh token (nothing stored)."""
    loaded = load_participant(session_id)
    if loaded is None or not loaded.obj.workshop.assessment.organisation.is_available:
        return None
    participant: Participant = loaded.obj
    found = _opened_section(participant, questionnaire_id, section_id)
    if found is None:
        return None
    try:
        parsed = answer_forms.parse_page(found[1], request.form)
    except BadPage:
        return None
    flash(
        gettext(
            "Your answers were not saved because the page had been open too long. We kept them: "
            "check them and save again."
        ),
        "info",
    )
    return _render_participant_section(participant, *found, parsed=parsed, errors=parsed.errors)


@bp.post("/workshop/<int:session_id>/<questionnaire_id>/<section_id>")
@access.participant(load=load_participant, otherwise=join_first)
def participant_save(
    participant: Participant, session_id: int, questionnaire_id: str, section_id: str
) -> ResponseReturnValue:
    """Store this person's answers to one opened section."""
    found = _opened_section(participant, questionnaire_id, section_id)
    if found is None:
        return not_open(participant)
    questionnaire, section = found
    try:
        parsed = answer_forms.parse_page(section, request.form)
    except BadPage as error:
        abort(400, str(error))
    if parsed.errors:
        return _render_participant_section(
            participant, questionnaire, section, parsed=parsed, errors=parsed.errors, status=400
        )
    answers = {qid: p.answer for qid, p in parsed.questions.items() if p.changed}
    try:
        errors = participant_answers.save_own_answers(
            participant.workshop, participant, questionnaire.id, section.id, answers
        ).errors
    except WorkshopError:
        return not_open(participant)
    if errors:
        return _render_participant_section(
            participant, questionnaire, section, parsed=parsed, errors=errors, status=400
        )
    if parsed.action == "add-segment":
        # A page from before the register had a page per group: add the group there.
        return redirect(url_for("workshop_register.add", session_id=session_id))
    flash(gettext("Your answers have been saved."), "success")
    return redirect(url_for("workshops.participant_home", session_id=session_id))


@bp.post("/workshop/<int:session_id>/<questionnaire_id>/answers/<question_id>")
@access.participant(load=load_participant, otherwise=join_first)
def participant_autosave(
    participant: Participant, session_id: int, questionnaire_id: str, question_id: str
) -> ResponseReturnValue:
    """Save one of this person's answers as they leave the question (the page's script)."""
    workshop = participant.workshop
    try:
        questionnaire = workshops.questionnaire(workshop.assessment, questionnaire_id)
        question = questionnaire.question(question_id)
    except KeyError:
        return jsonify(status="invalid", errors=[gettext("There is no such question.")]), 400
    section = _section_of(questionnaire, question_id)
    try:
        parsed = answer_forms.parse_question(question, request.form)
    except BadPage as error:
        return jsonify(status="invalid", errors=[str(error)]), 400
    if parsed.errors:
        return jsonify(status="invalid", errors=list(parsed.errors)), 400
    try:
        saved = participant_answers.save_own_answers(
            workshop, participant, questionnaire.id, section.id, {question.id: parsed.answer}
        )
    except WorkshopError as error:
        return jsonify(status="closed", message=str(error), errors=[str(error)]), 409
    if saved.errors:
        return jsonify(status="invalid", errors=saved.errors.get(question.id, [])), 400
    # What is stored now comes with the save: it read and wrote it in one transaction.
    mine = saved.answers
    return jsonify(
        status="saved",
        revision=1 if question.id in mine else None,
        was=answer_forms.fingerprint(mine.get(question.id)),
        message=gettext("Saved"),
        visible=sorted(visible_questions(questionnaire, mine)),
    )


@bp.app_context_processor
def _participation() -> dict[str, object]:
    return {
        "workshop_participation": lambda assessment: workshops.participation(
            assessment, current_locale()
        )
    }


@bp.after_request
def _no_store(response: Response) -> Response:
    """Participants' and facilitators' pages hold answers: never cache them."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response
