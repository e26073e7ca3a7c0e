"""Who may reach each route: one mechanism, declared on every view.

Every view function states what it needs with exactly one of these decorators, placed directly
under the route decorator:

``@access.public``
    Anyone, signed in or not (the start page, signing in, ``/healthz``).

``@access.login_required``
    Anyone signed in (their own account page, the list of their organisations).

``@access.requires(permission, load=loader)``
    A permission on the object the route is about. ``loader`` receives the route's URL arguments
    and returns ``Loaded(obj, organisation_id)``, or None when there is no such object. The view is
    then called with the object first, followed by the URL arguments::

        def load_assessment(assessment_id: int, **_: object) -> access.Loaded | None:
            assessment = assessments.get(assessment_id)
            return access.Loaded(assessment, assessment.organisation_id) if assessment else None

        @bp.post("/assessments/<int:assessment_id>/answers")
        @access.requires("assessment.answer", load=load_assessment)
        def save_answers(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
            ...

    The person must be signed in and a member of the object's organisation with a role that has
    the permission (:mod:`assess.permissions` holds the table). A person of another organisation
    gets 404, so that they cannot learn what exists; a member whose role lacks the permission gets
    403; a member of a pending or suspended organisation, or of one scheduled for deletion, is
    told so (403). An instance permission (``instance.operate``) needs an instance operator and may
    have a loader or not.

``@access.participant(load=loader, otherwise=fallback)``
    A workshop participant, who has no account: ``loader`` receives the route's URL arguments and
    returns ``Loaded(participant, organisation_id)`` for the participant whose device token (kept
    in a signed cookie) belongs to the session in the URL, or None. The view is called with the
    participant first; without one, ``fallback(**url_arguments)`` answers instead (the join
    page). A participant reaches only their own session's pages and their own answers.

``@access.api(permission, load=loader)``
    The read API (``/api/v1``): a personal API token in ``Authorization: Bearer ...``, never a
    browser session. The token's person must be a member of the object's organisation with a role
    that has the permission, exactly as for ``requires``, *and* the organisation must be in the
    token's scope; otherwise the object is not found (404), as for a person of another
    organisation. Without a valid token (none, unknown, expired or revoked): 401. With no
    permission and no loader, any valid token (the list of the token's organisations). The view is
    called with the token first (then the object, when there is a loader).

``@access.public_for(load=loader)``
    Anyone, without an account, acting on an organisation's object that the request names (a
    workshop found by its join code, an invitation found by its link). ``loader`` receives the
    route's URL arguments and returns ``Loaded(obj, organisation_id)`` or None; the view is called
    as for ``public`` and finds the object itself (None means the view says it is not found).

An organisation that is not available (pending approval, suspended, or scheduled for deletion) is
closed through every declaration but the instance operator's: its members, its workshop
participants and anyone holding one of its join codes or invitation links get a page that says
why (403; JSON for the pages' scripts), and nothing of it changes. The check is here, once.

The decorators enforce as well as declare: each records its rule on the view as ``__access__``.
:func:`undeclared_routes` lists every URL rule whose view has no rule and is not on
:data:`PUBLIC_ENDPOINTS`; the test suite fails on any, and at run time such a route answers 403.

A request for a signed-in page without a live session is sent to sign in and brought back after. A
form posted after the session ended is kept first (see :mod:`assess.sessions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from assess import sessions
from assess.models import Membership, Organisation
from assess.permissions import INSTANCE_PERMISSIONS, is_known, role_allows
from assess.services import organisations

#: Endpoints that are public without a declaration because they are not ours to decorate.
PUBLIC_ENDPOINTS: frozenset[str] = frozenset({"static"})

PUBLIC = "public"
LOGIN = "login"
PERMISSION = "permission"
PARTICIPANT = "participant"
API = "api"

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


class Loaded(NamedTuple):
    """What a loader found: the object, and the organisation it belongs to (None for objects of
    the instance, which only instance permissions may be declared on)."""

    obj: Any
    organisation_id: int | None


Loader = Callable[..., Loaded | None]


@dataclass(frozen=True)
class Rule:
    """A route's declared need: ``kind`` is public, login, permission or participant."""

    kind: str
    permission: str | None = None
    load: Loader | None = None


def public(view: View) -> View:
    """Declare ``view`` open to everyone."""
    view.__access__ = Rule(PUBLIC)  # type: ignore[attr-defined]
    return view


def login_required(view: View) -> View:
    """Declare that ``view`` needs a signed-in person, and enforce it."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not current_user.is_authenticated:
            return _sign_in_first()
        return view(*args, **kwargs)

    guarded.__access__ = Rule(LOGIN)  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]


def requires(permission: str, load: Loader | None = None) -> Callable[[View], View]:
    """Declare that the view needs ``permission`` on the object ``load`` finds, and enforce it."""
    if not is_known(permission):
        raise ValueError(f"unknown permission {permission!r}: add it to assess.permissions")
    if permission not in INSTANCE_PERMISSIONS and load is None:
        raise ValueError(f"{permission!r} is checked on an organisation's object: give a loader")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if not current_user.is_authenticated:
                return _sign_in_first()
            loaded = load(**kwargs) if load else None
            if load and loaded is None:
                abort(404)
            if permission in INSTANCE_PERMISSIONS:
                if not current_user.is_operator:
                    abort(403)
            else:
                assert loaded is not None
                refusal = _check_member(permission, loaded.organisation_id)
                if refusal is not None:
                    return refusal
            if loaded is not None:
                return view(loaded.obj, *args, **kwargs)
            return view(*args, **kwargs)

        guarded.__access__ = Rule(PERMISSION, permission, load)  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def participant(
    load: Loader, otherwise: Callable[..., ResponseReturnValue]
) -> Callable[[View], View]:
    """Declare that the view is for the workshop participant ``load`` finds, and enforce it."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            loaded = load(**kwargs)
            if loaded is None:
                return otherwise(**kwargs)
            refusal = _refuse_if_closed(loaded.organisation_id, member=False)
            if refusal is not None:
                return refusal
            return view(loaded.obj, *args, **kwargs)

        guarded.__access__ = Rule(PARTICIPANT, None, load)  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def public_for(load: Loader) -> Callable[[View], View]:
    """Declare ``view`` open to everyone, on an object of an organisation that ``load`` finds from
    the request; refuse it while that organisation is not available."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            loaded = load(**kwargs)
            if loaded is not None:
                refusal = _refuse_if_closed(loaded.organisation_id, member=False)
                if refusal is not None:
                    return refusal
            return view(*args, **kwargs)

        guarded.__access__ = Rule(PUBLIC, None, load)  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def api(permission: str | None = None, load: Loader | None = None) -> Callable[[View], View]:
    """Declare that the view is the read API's, for a token with ``permission`` on the object
    ``load`` finds (see the module's docstring), and enforce it."""
    if permission is not None and not is_known(permission):
        raise ValueError(f"unknown permission {permission!r}: add it to assess.permissions")
    if (permission is None) != (load is None):
        raise ValueError("an API permission is checked on an object: give both or neither")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            from assess.services import api_tokens

            token = api_tokens.authenticate(_bearer_token() or "")
            if token is None:
                raise Unauthorized(www_authenticate=WWWAuthenticate("bearer", {"realm": "assess"}))
            g.api_token = token
            if load is None:
                return view(token, *args, **kwargs)
            loaded = load(**kwargs)
            if loaded is None or loaded.organisation_id not in token.organisation_ids:
                abort(404)
            assert permission is not None
            member = organisations.membership(token.user_id, loaded.organisation_id)
            if member is None:
                abort(404)
            if not member.organisation.is_available:
                abort(403, _closed_message(member.organisation))
            if not role_allows(member.role, permission):
                abort(403)
            g.access_membership = member
            return view(token, loaded.obj, *args, **kwargs)

        guarded.__access__ = Rule(API, permission, load)  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def _bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if the request has one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def rule_of(view: Callable[..., Any] | None) -> Rule | None:
    """The rule declared on ``view``, if any."""
    return getattr(view, "__access__", None)


def undeclared_routes(app: Flask) -> list[str]:
    """Every URL rule of ``app`` whose view declares no access rule, as "``/path`` (endpoint)"."""
    missing = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        if rule_of(app.view_functions.get(url_rule.endpoint)) is None:
            missing.append(f"{url_rule.rule} ({url_rule.endpoint})")
    return sorted(missing)


def can(permission: str, organisation_id: int | None) -> bool:
    """Whether the signed-in person has ``permission`` in ``organisation_id`` (for templates:
    show a button only to those who may use it). The route still checks for itself."""
    if not current_user.is_authenticated:
        return False
    if permission in INSTANCE_PERMISSIONS:
        return bool(current_user.is_operator)
    if organisation_id is None:
        return False
    member = organisations.membership(current_user.id, organisation_id)
    return (
        member is not None
        and member.organisation.is_available
        and role_allows(member.role, permission)
    )


def current_membership() -> Membership | None:
    """The membership of the request, once a permission check has passed."""
    return g.get("access_membership")


def init_app(app: Flask) -> None:
    """Refuse, at run time, any route that declares nothing; offer ``can`` to templates."""
    app.before_request(_refuse_undeclared)
    app.jinja_env.globals["can"] = can


def _refuse_undeclared() -> ResponseReturnValue | None:
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if rule_of(current_app.view_functions.get(endpoint)) is None:
        current_app.logger.error("refused %s: its view declares no access rule", endpoint)
        abort(403)
    return None


def _check_member(permission: str, organisation_id: int | None) -> ResponseReturnValue | None:
    member = organisations.membership(current_user.id, organisation_id) if organisation_id else None
    if member is None:
        abort(404)
    refusal = _closed_page(member.organisation, member=True)
    if refusal is not None:
        return refusal
    if not role_allows(member.role, permission):
        abort(403)
    g.access_membership = member
    return None


def _refuse_if_closed(organisation_id: int | None, *, member: bool) -> ResponseReturnValue | None:
    organisation = organisations.get(organisation_id) if organisation_id is not None else None
    if organisation is None:
        return None
    return _closed_page(organisation, member=member)


def _closed_page(organisation: Organisation, *, member: bool) -> ResponseReturnValue | None:
    """The refusal for an organisation that is not available (None when it is): its members are
    told why and what to do; people without an account (workshop participants, someone with a join
    code or an invitation link) are told that nothing is collected for it now."""
    if organisation.is_available:
        return None
    reason, message = _closed_reason(organisation)
    if wants_json():
        return jsonify(status="closed", reason=reason, message=message, errors=[message]), 403
    template = (
        "errors/organisation_unavailable.html" if member else "errors/organisation_closed.html"
    )
    return render_template(template, organisation=organisation, reason=reason), 403


def _closed_reason(organisation: Organisation) -> tuple[str, str]:
    """Why ``organisation`` is closed (deletion, pending or suspended), and the sentence."""
    if organisation.deletion_due_at is not None:
        return "deletion", gettext(
            "%(name)s is being deleted, so nothing more can be saved for it.",
            name=organisation.name,
        )
    if organisation.status == "pending":
        return "pending", gettext(
            "%(name)s is waiting for approval, so nothing can be saved for it yet.",
            name=organisation.name,
        )
    return "suspended", gettext(
        "%(name)s is suspended, so nothing can be saved for it for now.",
        name=organisation.name,
    )


def _closed_message(organisation: Organisation) -> str:
    """The API's sentence for a closed organisation: nothing of it is read through a token."""
    reason, _sentence = _closed_reason(organisation)
    if reason == "deletion":
        return gettext(
            "%(name)s is being deleted, so its data cannot be read through the API.",
            name=organisation.name,
        )
    if reason == "pending":
        return gettext(
            "%(name)s is waiting for approval, so its data cannot be read through the API yet.",
            name=organisation.name,
        )
    return gettext(
        "%(name)s is suspended, so its data cannot be read through the API for now.",
        name=organisation.name,
    )


def wants_json() -> bool:
    """Whether the request prefers JSON (the session script's requests) to a page."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def _sign_in_first() -> ResponseReturnValue:
    """Send the person to sign in and back; keep a form their ended session was posting."""
    reason = sessions.ended_reason()
    if wants_json():
        return jsonify(error="signed_out", reason=reason), 401
    target = request.full_path if request.query_string else request.path
    user_id = sessions.ended_user_id()
    posted = list(request.form.items(multi=True))
    if (
        request.method == "POST"
        and user_id is not None
        and sessions.keep_posted_form(user_id, target, posted)
    ):
        flash(
            gettext(
                "Your session ended, so we kept what you entered. Sign in again and you can "
                "submit it."
            ),
            "info",
        )
    elif reason in ("idle", "absolute"):
        flash(gettext("Your session ended, for your security. Sign in again to carry on."), "info")
    else:
        flash(gettext("Sign in to see that page."), "info")
    if request.method != "GET":
        # After signing in, go back to the page the form came from, not to a POST-only URL.
        target = _same_site_referrer() or url_for("home.index")
    return redirect(url_for("auth.login", next=target))


def _same_site_referrer() -> str | None:
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
