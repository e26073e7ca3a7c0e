"""Choosing the language: the header's switch on every page, and the account page's setting.

Anyone may follow the switch's link (``GET /language/<language>?next=...``): it only sets the
``lang`` cookie and goes back to the page, so nobody needs a session cookie to read assess in
Welsh. A signed-in person's choice is kept in their account too, so the header gives them a small
form instead (``POST /language``, with its CSRF token like every form); a link alone never changes
an account. ``next`` must be a path on this site: anything else goes to the home page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access, i18n
from assess.services import ServiceError, language
from assess.views.auth import safe_next
from assess.views.forms.language import LanguageForm

bp = Blueprint("language", __name__)


def _back(target: str | None) -> str:
    return safe_next(target) or url_for("home.index")


@bp.get("/language/<language>")
@access.public
def choose(language: str) -> ResponseReturnValue:
    """Read assess in ``language`` from now on in this browser, back on the same page."""
    chosen = i18n.known(language)
    if chosen is None:
        abort(404)
    target = _back(request.args.get("next"))
    if current_user.is_authenticated and current_user.language != chosen:
        # A link cannot change an account (it carries no CSRF token): ask with the form.
        i18n.choose(chosen)
        form = LanguageForm(language=chosen, next=target)
        return render_template("language/confirm.html", form=form, chosen=chosen)
    i18n.choose(chosen)
    return i18n.remember(redirect(target), chosen)


@bp.post("/language")
@access.public
def save() -> ResponseReturnValue:
    """The switch's and the account page's form: the cookie, and a signed-in person's account."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400, gettext("Choose English or Welsh."))
    chosen = form.language.data
    i18n.choose(chosen)
    if current_user.is_authenticated:
        try:
            language.set_language(current_user, chosen)
        except ServiceError as error:  # pragma: no cover - the form allows only known languages
            abort(400, error.message)
        if request.form.get("from") == "account":
            flash(gettext("Your language has been saved."), "success")
    return i18n.remember(redirect(_back(form.next.data)), chosen)
