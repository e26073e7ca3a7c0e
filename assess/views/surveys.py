"""Perception surveys in the browser.

Admins (``survey.manage``) open a survey on an assessment for groups of its register, see its
links and QR codes, print its paper version and close it. Staff (``survey.enter``) type in paper
responses through the same form people answer online, marked as paper. Anyone with ``report.view``
reads the results page and its CSV and JSON. The facilitator (``workshop.run``) can put the results
on the workshop room's screen.

Respondents need no account: the survey's link (and each group's own link) is public, declared with
:func:`assess.access.public_for`. The form works without JavaScript. Nothing about the respondent
is stored; a signed cookie remembers which surveys this browser answered, so that a second response
from it is marked as a possible duplicate (never refused: a library computer has many users).
"""

from __future__ import annotations

import json
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from assess import access, limits, security
from assess.i18n import current_locale, translate
from assess.models import Assessment, Survey, WorkshopSession
from assess.scoring.perception import DONT_KNOW, MIN_THRESHOLD, SCALE
from assess.services import ServiceError, packs, surveys, workshops
from assess.views.loaders import load_assessment
from assess.views.workshops import load_session, qr_svg

bp = Blueprint("surveys", __name__)

#: The cookie listing the surveys this browser answered (signed; ids only).
SEEN_COOKIE = "assess_surveys_answered"
SEEN_PATH = "/s/"
SEEN_MAX_AGE = 400 * 24 * 3600
#: The hidden field people never see; a form that fills it is a robot's.
HONEYPOT = "website"


# ---- loaders -------------------------------------------------------------------------------


def load_survey(survey_id: int, **_: object) -> access.Loaded | None:
    """The survey in the URL (its organisation is the assessment's)."""
    survey = surveys.get(survey_id)
    return access.Loaded(survey, survey.assessment.organisation_id) if survey else None


def load_public_survey(survey_token: str, **_: object) -> access.Loaded | None:
    """The survey a public link names, or None (the view says it is not found)."""
    survey = surveys.by_token(survey_token)
    return access.Loaded(survey, survey.assessment.organisation_id) if survey else None


# ---- helpers -------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="assess.survey-answered")


def _answered_here() -> list[int]:
    raw = request.cookies.get(SEEN_COOKIE)
    if not raw:
        return []
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return []
    return [int(v) for v in value if isinstance(v, int)] if isinstance(value, list) else []


def _links(survey: Survey) -> dict[str, object]:
    survey_url = url_for("surveys.respond", survey_token=survey.token, _external=True)
    groups = []
    labels = surveys.group_labels(survey, current_locale())
    for group in survey.groups:
        url = url_for(
            "surveys.respond_group",
            survey_token=survey.token,
            group_token=group.token,
            _external=True,
        )
        groups.append(
            {
                "group": group,
                "label": labels[group.id],
                "url": url,
                "qr": qr_svg(
                    url, gettext("QR code of the link for %(group)s", group=labels[group.id])
                ),
            }
        )
    return {
        "url": survey_url,
        "qr": qr_svg(survey_url, gettext("QR code of the survey's link")),
        "groups": groups,
    }


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _posted_answers(survey: Survey) -> dict[str, str]:
    return {
        s.id: request.form.get(f"s_{s.id}", "") for s in surveys.questionnaire(survey).statements()
    }


def _form_context(survey: Survey) -> dict[str, object]:
    perception = surveys.questionnaire(survey)
    locale = current_locale()
    return {
        "perception": perception,
        "statements": perception.statements(),
        "comment_question": surveys.comment_question(perception),
        "scale": [(str(p), perception.scale[p].get(locale)) for p in SCALE]
        if perception.scale
        else [],
        "dont_know": DONT_KNOW,
        "honeypot": HONEYPOT,
        "locale": locale,
        "group_labels": surveys.group_labels(survey, locale),
    }


@bp.app_template_global("latest_survey_results")
def latest_survey_results(assessment: Assessment) -> Survey | None:
    """For the overview's link: the newest survey with a group past its threshold."""
    return surveys.latest_with_results(assessment)


# ---- admin ---------------------------------------------------------------------------------


@bp.get("/assessments/<int:assessment_id>/surveys")
@access.requires("survey.manage", load=load_assessment)
def index(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The assessment's surveys, and the form to open one."""
    return _index_page(assessment, {}, {})


def _index_page(
    assessment: Assessment, errors: dict[str, str], values: dict[str, object]
) -> ResponseReturnValue:
    today = surveys.today_for_organisation(assessment.organisation)
    defaults = {
        "title": gettext("Stakeholder survey"),
        "groups": [],
        "opens_on": today.isoformat(),
        "closes_on": date.fromordinal(today.toordinal() + 28).isoformat(),
        # An instance setting below the floor is raised to it: no survey starts below 3.
        "threshold": max(MIN_THRESHOLD, int(current_app.config["SURVEY_THRESHOLD"])),
        "alert_per_hour": current_app.config["SURVEY_ALERT_PER_HOUR"],
    }
    return render_template(
        "surveys/index.html",
        assessment=assessment,
        surveys=[(s, surveys.state(s)) for s in surveys.for_assessment(assessment)],
        groups=surveys.register_groups(assessment, current_locale()),
        available=packs.perception_for(assessment.questionnaire_pack_id) is not None,
        errors=errors,
        values={**defaults, **values},
    ), (400 if errors else 200)


@bp.post("/assessments/<int:assessment_id>/surveys")
@access.requires("survey.manage", load=load_assessment)
def open_survey(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    values = {
        "title": request.form.get("title", ""),
        "groups": request.form.getlist("groups"),
        "opens_on": request.form.get("opens_on", ""),
        "closes_on": request.form.get("closes_on", ""),
        "threshold": request.form.get("threshold", ""),
        "alert_per_hour": request.form.get("alert_per_hour", ""),
    }
    try:
        survey = surveys.open_survey(
            assessment,
            current_user,
            title=str(values["title"]),
            segment_ids=list(values["groups"]),  # type: ignore[arg-type]
            opens_on=_date(str(values["opens_on"])),
            closes_on=_date(str(values["closes_on"])),
            threshold=values["threshold"],
            alert_per_hour=values["alert_per_hour"],
            perception=packs.perception_for(assessment.questionnaire_pack_id),
        )
    except ServiceError as refusal:
        errors = {refusal.field or "title": translate(refusal.message)}
        return _index_page(assessment, errors, values)
    flash(gettext("The survey is open. Share its links, QR codes or paper copies."), "success")
    return redirect(url_for("surveys.show", survey_id=survey.id))


@bp.get("/surveys/<int:survey_id>")
@access.requires("survey.manage", load=load_survey)
def show(survey: Survey, survey_id: int) -> ResponseReturnValue:
    """The survey's page: links and QR codes, progress, the rate alert, closing it."""
    data = surveys.export(survey, current_locale())
    return render_template(
        "surveys/show.html",
        survey=survey,
        state=surveys.state(survey),
        links=_links(survey),
        data=data,
        burst=surveys.busiest_hour(survey),
        deletion_due=surveys.deletion_due(survey),
    )


@bp.post("/surveys/<int:survey_id>/close")
@access.requires("survey.manage", load=load_survey)
def close(survey: Survey, survey_id: int) -> ResponseReturnValue:
    surveys.close(survey, current_user)
    flash(gettext("The survey is closed: it takes no more responses online."), "success")
    return redirect(url_for("surveys.show", survey_id=survey.id))


@bp.get("/surveys/<int:survey_id>/paper")
@access.requires("survey.manage", load=load_survey)
def paper(survey: Survey, survey_id: int) -> ResponseReturnValue:
    """The printable paper version: the same statements, boxes to tick, the link and QR code."""
    return render_template(
        "surveys/paper.html",
        survey=survey,
        links=_links(survey),
        **_form_context(survey),
    )


@bp.route("/surveys/<int:survey_id>/paper-entry", methods=["GET", "POST"])
@access.requires("survey.enter", load=load_survey)
def paper_entry(survey: Survey, survey_id: int) -> ResponseReturnValue:
    """Staff type in a paper response through the respondents' own form, marked as paper."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        group = next((g for g in survey.groups if str(g.id) == request.form.get("group", "")), None)
        try:
            surveys.submit(
                survey,
                group,
                _posted_answers(survey),
                request.form.get("comment", ""),
                source="paper",
                entered_by=current_user,
            )
        except ServiceError as refusal:
            errors[refusal.field or "form"] = translate(refusal.message)
        else:
            flash(gettext("The paper response is saved. Type in the next one."), "success")
            return redirect(url_for("surveys.paper_entry", survey_id=survey.id))
    return render_template(
        "surveys/paper_entry.html",
        survey=survey,
        errors=errors,
        posted=request.form if errors else {},
        chosen_group=None,
        action=url_for("surveys.paper_entry", survey_id=survey.id),
        **_form_context(survey),
    ), (400 if errors else 200)


@bp.get("/surveys/<int:survey_id>/results")
@access.requires("report.view", load=load_survey)
def results(survey: Survey, survey_id: int) -> ResponseReturnValue:
    return render_template(
        "surveys/results.html",
        survey=survey,
        data=surveys.export(survey, current_locale()),
    )


@bp.get("/surveys/<int:survey_id>/results.json")
@access.requires("report.view", load=load_survey)
def results_json(survey: Survey, survey_id: int) -> ResponseReturnValue:
    body = json.dumps(surveys.export(survey), ensure_ascii=False, indent=2, sort_keys=True)
    return security.attachment(
        Response(body, mimetype="application/json"), f"survey-{survey.id}-results.json"
    )


@bp.get("/surveys/<int:survey_id>/results.csv")
@access.requires("report.view", load=load_survey)
def results_csv(survey: Survey, survey_id: int) -> ResponseReturnValue:
    response = Response(surveys.csv_text(surveys.export(survey)), mimetype="text/csv")
    return security.attachment(response, f"survey-{survey.id}-results.csv")


@bp.get("/workshops/<int:session_id>/room/survey")
@access.requires("workshop.run", load=load_session)
def room(workshop: WorkshopSession, session_id: int) -> ResponseReturnValue:
    """The survey's results on the room's screen: groups past the threshold only."""
    from assess.views import workshop_room
    from assess.views.workshops import POLL_MS

    survey = surveys.latest_with_results(workshop.assessment)
    if survey is None:
        abort(404)
    here = url_for("surveys.room", session_id=workshop.id)
    return render_template(
        "surveys/room.html",
        workshop=workshop,
        survey=survey,
        data=surveys.export(survey, current_locale()),
        participants=workshops.participant_count(workshop),
        position=workshop_room.position(workshop, here),
        poll_ms=POLL_MS,
    )


# ---- respondents ---------------------------------------------------------------------------


def _respond(survey_token: str, group_token: str | None) -> ResponseReturnValue:
    survey = surveys.by_token(survey_token)
    if survey is None:
        abort(404)
    group = surveys.group_by_token(survey, group_token) if group_token else None
    if group_token and group is None:
        abort(404)
    state = surveys.state(survey)
    if state != surveys.OPEN:
        return render_template("surveys/not_open.html", survey=survey, state=state), 410 if (
            state == surveys.CLOSED
        ) else 200
    action = request.path
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.form.get(HONEYPOT):
            # A robot filled the field people never see: thank it and keep nothing.
            return redirect(url_for("surveys.thanks", survey_token=survey.token))
        chosen = group or next(
            (g for g in survey.groups if g.token == request.form.get("group", "")), None
        )
        seen = _answered_here()
        try:
            surveys.submit(
                survey,
                chosen,
                _posted_answers(survey),
                request.form.get("comment", ""),
                seen_before=survey.id in seen,
            )
        except ServiceError as refusal:
            errors[refusal.field or "form"] = translate(refusal.message)
        else:
            response = redirect(url_for("surveys.thanks", survey_token=survey.token))
            remembered = [*[s for s in seen if s != survey.id][-49:], survey.id]
            response.set_cookie(
                SEEN_COOKIE,
                _serializer().dumps(remembered),
                max_age=SEEN_MAX_AGE,
                path=SEEN_PATH,
                httponly=True,
                samesite="Lax",
                secure=bool(current_app.config.get("HTTPS")),
            )
            return response
    return render_template(
        "surveys/respond.html",
        survey=survey,
        chosen_group=group,
        errors=errors,
        posted=request.form if errors else {},
        action=action,
        **_form_context(survey),
    ), (400 if errors else 200)


@bp.route("/s/<survey_token>", methods=["GET", "POST"])
@access.public_for(load=load_public_survey)
@limits.per_address("RATELIMIT_SURVEY_SUBMIT")
def respond(survey_token: str) -> ResponseReturnValue:
    """The survey: the respondent says which group they belong to."""
    return _respond(survey_token, None)


@bp.route("/s/<survey_token>/<group_token>", methods=["GET", "POST"])
@access.public_for(load=load_public_survey)
@limits.per_address("RATELIMIT_SURVEY_SUBMIT")
def respond_group(survey_token: str, group_token: str) -> ResponseReturnValue:
    """The survey by a group's own link: the group is already known."""
    return _respond(survey_token, group_token)


@bp.get("/s/<survey_token>/thanks")
@access.public_for(load=load_public_survey)
def thanks(survey_token: str) -> ResponseReturnValue:
    survey = surveys.by_token(survey_token)
    if survey is None:
        abort(404)
    return render_template("surveys/thanks.html", survey=survey)


@bp.get("/s/<survey_token>/privacy")
@access.public_for(load=load_public_survey)
def privacy(survey_token: str) -> ResponseReturnValue:
    """The privacy notice written for respondents."""
    survey = surveys.by_token(survey_token)
    if survey is None:
        abort(404)
    return render_template(
        "surveys/privacy.html",
        survey=survey,
        retention_days=current_app.config["SURVEY_RESPONSE_RETENTION_DAYS"],
        contact=current_app.config.get("PRIVACY_CONTACT") or current_app.config.get("MAIL_FROM"),
    )
