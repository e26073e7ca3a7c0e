"""The audit trail in the browser: a filtered, paginated page, and the same as a CSV file."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from assess import access, audit, db, pagination, security
from assess.models import Organisation
from assess.services import audit_export, audit_trail
from assess.views.organisations import load_organisation

bp = Blueprint("audit", __name__, url_prefix="/organisations")

#: Query-string names of the filters, as the page's form sends them.
FILTER_ARGS = ("person", "questionnaire", "question", "action", "from", "to")


def _date(raw: str | None) -> tuple[date | None, str | None]:
    if not raw:
        return None, None
    try:
        return date.fromisoformat(raw.strip()), None
    except ValueError:
        return None, gettext("Enter dates as YYYY-MM-DD, for example 2026-11-29.")


def _filters(args: MultiDict[str, str]) -> tuple[audit_trail.Filters, list[str]]:
    """The filters in the query string, and problems with them (an unreadable one is ignored)."""
    problems = []
    date_from, problem_from = _date(args.get("from"))
    date_to, problem_to = _date(args.get("to"))
    problems += sorted({p for p in (problem_from, problem_to) if p})
    action = args.get("action") or None
    if action is not None and action not in audit.ACTION_LABELS:
        problems.append(gettext("Choose an action from the list."))
        action = None
    return (
        audit_trail.Filters(
            person=(args.get("person") or "").strip()[:16] or None,
            questionnaire=(args.get("questionnaire") or "").strip()[:64] or None,
            question=(args.get("question") or "").strip()[:64] or None,
            action=action,
            date_from=date_from,
            date_to=date_to,
        ),
        problems,
    )


@bp.get("/<int:org_id>/audit")
@access.requires("audit.view", load=load_organisation)
def trail(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Who changed what and when, newest first, narrowed by person, question, date or action."""
    filters, problems = _filters(request.args)
    try:
        page = audit_trail.page(
            organisation,
            filters,
            after=request.args.get("after") or None,
            before=request.args.get("before") or None,
        )
        status = 200
    except pagination.BadCursor:
        # A link changed by hand: say so, and show the newest page with the filters kept.
        problems.append(str(pagination.BadCursor.message))
        page = audit_trail.page(organisation, filters)
        status = 400
    kept = {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}
    return render_template(
        "audit/trail.html",
        organisation=organisation,
        page=page,
        filters=filters,
        problems=problems,
        people=audit_trail.people_in_trail(organisation),
        questionnaires=audit_trail.questions_in_trail(organisation),
        actions=audit.ACTION_LABELS,
        describe=audit_trail.describe,
        csv_url=url_for(".export", org_id=org_id, **kept),
        next_url=url_for(".trail", org_id=org_id, after=page.next_cursor, **kept)
        if page.next_cursor
        else None,
        previous_url=url_for(".trail", org_id=org_id, before=page.previous_cursor, **kept)
        if page.previous_cursor
        else None,
    ), status


@bp.get("/<int:org_id>/audit.csv")
@access.requires("audit.view", load=load_organisation)
def export(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """The filtered trail as a CSV file, oldest first."""
    filters, _problems = _filters(request.args)
    today = db.utcnow().astimezone(audit_trail.zone_of(organisation))
    response = Response(
        stream_with_context(audit_export.csv_lines(organisation, filters)), mimetype="text/csv"
    )
    return security.attachment(response, f"audit-trail-{organisation.id}-{today:%Y-%m-%d}.csv")
