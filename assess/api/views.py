"""The read API's routes (``/api/v1``): thin, each declared with :func:`assess.access.api`.

Authentication is a personal API token only (``Authorization: Bearer ...``); a browser's session
cookie is never used here, so a page cannot make a signed-in visitor's browser read the API for
another site, and the API needs no CSRF token (the blueprint is exempt, and only reads).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, json, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from werkzeug.exceptions import BadRequest

from assess import access, limits, pagination
from assess.api import PREFIX, openapi, representations
from assess.i18n import current_locale
from assess.models import ApiToken, Assessment, Organisation
from assess.services import api_reads, assessments
from assess.services import organisations as organisation_service

bp = Blueprint("api", __name__, url_prefix=PREFIX)

#: Rows on a page when the request does not say (``limit``), and the most it may ask for.
DEFAULT_LIMIT = 50
MAX_LIMIT = pagination.MAX_SIZE
#: The largest id a URL may name (the database's integer); past it nothing is found.
MAX_ID = 2**31 - 1


# ---- loaders: the object a URL names, and its organisation -------------------------------------


def load_organisation(org_id: int, **_: object) -> access.Loaded | None:
    """The organisation in the URL, or None (404)."""
    organisation = organisation_service.get(org_id) if org_id <= MAX_ID else None
    return access.Loaded(organisation, organisation.id) if organisation else None


def load_assessment(assessment_id: int, **_: object) -> access.Loaded | None:
    """The assessment in the URL, or None (404)."""
    found = assessments.get(assessment_id) if assessment_id <= MAX_ID else None
    return access.Loaded(found, found.organisation_id) if found else None


# ---- responses -----------------------------------------------------------------------------------


def _json(data: Any) -> Response:
    """``data`` as JSON with a strong ETag over its bytes; 304 when the client has it already."""
    body = json.dumps(data, sort_keys=True, ensure_ascii=False)
    response = Response(body, mimetype="application/json")
    response.add_etag()
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Authorization")
    response.make_conditional(request)
    return response


def _page_arguments() -> tuple[str | None, str | None, int]:
    """``after``, ``before`` and ``limit`` from the query; 400 when one cannot be used."""
    raw = request.args.get("limit")
    limit = DEFAULT_LIMIT
    if raw is not None:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise BadRequest(
                gettext("limit must be a whole number from 1 to %(most)d.", most=MAX_LIMIT)
            )
        limit = int(raw)
    after, before = request.args.get("after") or None, request.args.get("before") or None
    if after and before:
        raise BadRequest(gettext("Give after or before, not both."))
    return after, before, limit


def _paged(listing: api_reads.Listing, show: Any, **url_args: Any) -> Response:
    """One page of ``listing`` as ``{"items": [...], "next_cursor", "previous_cursor"}``, with a
    ``Link`` header to the pages either side."""
    after, before, limit = _page_arguments()
    try:
        window = pagination.page(
            listing.query,
            listing.keys,
            after=after,
            before=before,
            size=limit,
            key_of=listing.key_of,
        )
    except pagination.BadCursor as error:
        raise BadRequest(str(error.message)) from None
    response = _json(
        {
            "items": [show(item) for item in window.items],
            "next_cursor": window.next_cursor,
            "previous_cursor": window.previous_cursor,
        }
    )
    links = []
    endpoint = request.endpoint or ""
    for cursor, name, rel in (
        (window.next_cursor, "after", "next"),
        (window.previous_cursor, "before", "prev"),
    ):
        if cursor:
            url = url_for(endpoint, _external=True, limit=limit, **{name: cursor}, **url_args)
            links.append(f'<{url}>; rel="{rel}"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


# ---- the routes ----------------------------------------------------------------------------------


@bp.get("/openapi.json")
@access.public
def openapi_document() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of this API."""
    return _json(openapi.document(server=request.host_url.rstrip("/") + PREFIX))


@bp.get("/organisations")
@access.api()
@limits.api
def list_organisations(token: ApiToken) -> ResponseReturnValue:
    """The organisations the token may read: in its scope, and its person still a member."""
    return _paged(
        api_reads.organisations(token),
        lambda row: representations.organisation(row[0], row[1]),
    )


@bp.get("/organisations/<int:org_id>")
@access.api("org.view", load=load_organisation)
@limits.api
def show_organisation(
    token: ApiToken, organisation: Organisation, org_id: int
) -> ResponseReturnValue:
    """One organisation."""
    return _json(representations.organisation(organisation, access.current_membership()))


@bp.get("/organisations/<int:org_id>/assessments")
@access.api("assessment.view", load=load_organisation)
@limits.api
def list_assessments(
    token: ApiToken, organisation: Organisation, org_id: int
) -> ResponseReturnValue:
    """The organisation's assessments, newest first."""
    return _paged(api_reads.assessments(organisation), representations.assessment, org_id=org_id)


@bp.get("/assessments/<int:assessment_id>")
@access.api("assessment.view", load=load_assessment)
@limits.api
def show_assessment(
    token: ApiToken, assessment: Assessment, assessment_id: int
) -> ResponseReturnValue:
    """One assessment."""
    return _json(representations.assessment(assessment))


@bp.get("/assessments/<int:assessment_id>/answers")
@access.api("assessment.view", load=load_assessment)
@limits.api
def list_answers(
    token: ApiToken, assessment: Assessment, assessment_id: int
) -> ResponseReturnValue:
    """The assessment's stored answers, in the order they were first given."""
    return _paged(
        api_reads.answers(assessment), representations.answer, assessment_id=assessment_id
    )


@bp.get("/assessments/<int:assessment_id>/results")
@access.api("assessment.view", load=load_assessment)
@limits.api
def show_results(
    token: ApiToken, assessment: Assessment, assessment_id: int
) -> ResponseReturnValue:
    """The scoring result, as the results page and the report show it."""
    result = assessments.score(assessment, locale=current_locale())
    return _json(representations.results(assessment, result))


@bp.get("/assessments/<int:assessment_id>/gaps")
@access.api("assessment.view", load=load_assessment)
@limits.api
def show_gaps(token: ApiToken, assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Every dimension against its target, ranked gaps first, with the steps to close them."""
    result = assessments.score(assessment, locale=current_locale())
    return _json(representations.gaps(assessment, result))


@bp.get("/assessments/<int:assessment_id>/action-plan")
@access.api("plan.view", load=load_assessment)
@limits.api
def list_actions(
    token: ApiToken, assessment: Assessment, assessment_id: int
) -> ResponseReturnValue:
    """The actions of the assessment's plan."""
    return _paged(
        api_reads.actions(assessment), representations.action, assessment_id=assessment_id
    )


def init_app(app: Flask) -> None:
    """Register the API and exempt it from CSRF (it takes no cookie, only a token header)."""
    from assess import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
