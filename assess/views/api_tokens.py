"""Personal API tokens on the account page: list, make (the token is shown once) and revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from wtforms import SelectChoice

from assess import access
from assess.services import ServiceError, api_tokens, organisations
from assess.views.forms.api_tokens import ApiTokenForm
from assess.views.util import apply_error

bp = Blueprint("api_tokens", __name__)


def _form(*, blank: bool = False) -> ApiTokenForm:
    """The form, read from the request (or ``blank``, for a fresh one after a token is made)."""
    form = ApiTokenForm(formdata=None) if blank else ApiTokenForm()
    form.organisations.choices = [
        SelectChoice(m.organisation_id, m.organisation.name)
        for m in organisations.memberships_of(current_user.id)
    ]
    return form


def _page(form: ApiTokenForm, secret: str | None = None, status: int = 200) -> ResponseReturnValue:
    response = make_response(
        render_template(
            "api_tokens/index.html",
            form=form,
            tokens=api_tokens.tokens_of(current_user),
            secret=secret,
            is_live=api_tokens.is_live,
        ),
        status,
    )
    # The page may hold a token: never keep it in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account/api-tokens")
@access.login_required
def index() -> ResponseReturnValue:
    """The person's tokens, and the form for a new one."""
    return _page(_form())


@bp.post("/account/api-tokens")
@access.login_required
def create() -> ResponseReturnValue:
    """Make a token and show it, this once."""
    form = _form()
    if form.validate_on_submit():
        try:
            _token, secret = api_tokens.create(
                current_user,
                form.name.data or "",
                form.organisations.data or [],
                int(form.lifetime.data or 0),
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            return _page(_form(blank=True), secret=secret)
    return _page(form, status=400)


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@access.login_required
def revoke(token_id: int) -> ResponseReturnValue:
    """Stop a token from working, at once."""
    try:
        token = api_tokens.revoke(current_user, token_id)
    except ServiceError:
        abort(404)  # someone else's token, or none: not found either way
    flash(gettext("The token %(name)s is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
