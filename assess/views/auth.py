"""Accounts in the browser: register, sign in and out, passwords, and the session itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from flask_login import current_user

from assess import access, limits, sessions
from assess.i18n import current_locale
from assess.services import ServiceError, accounts, organisations
from assess.services import sessions as session_service
from assess.views.forms.accounts import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from assess.views.forms.language import LanguageForm
from assess.views.util import apply_error

bp = Blueprint("auth", __name__)

#: One answer for an unknown address and a wrong password, so that neither is revealed.
LOGIN_REFUSED = _("The email address or password is not right.")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host), else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):  # browsers drop tabs and newlines
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _after_sign_in(default: str) -> ResponseReturnValue:
    if session.get(sessions.KEPT):
        return redirect(url_for("auth.kept_form"))
    return redirect(safe_next(request.args.get("next")) or default)


@bp.route("/register", methods=["GET", "POST"])
@access.public
@limits.attempts
def register() -> ResponseReturnValue:
    """Create an account, then set up an organisation or wait for an invitation."""
    if current_user.is_authenticated:
        return redirect(url_for("start.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            accounts.register(
                form.name.data, form.email.data, form.password.data, language=current_locale()
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            # The same page whether or not the address had an account (the email differs).
            return render_template("auth/register_sent.html", email=form.email.data)
    return render_template("auth/register.html", form=form)


@bp.route("/register/confirm", methods=["GET", "POST"])
@access.public
@limits.attempts
def resend_confirmation() -> ResponseReturnValue:
    """Ask for a new link confirming a new account's address; the answer is the same for any
    address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.resend_verification(form.email.data)
        return render_template("auth/register_sent.html", email=form.email.data)
    return render_template("auth/resend_confirmation.html", form=form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@access.public
@limits.attempts
def confirm_email(token: str) -> ResponseReturnValue:
    """Confirm a new account's address through its emailed link (a button, so that a mail
    scanner opening the link does not use it up), then sign in."""
    found = accounts.valid_verification(token)
    if found is None:
        return render_template("auth/confirm_invalid.html"), 404
    if request.method == "POST":
        try:
            user = accounts.confirm_email(token)
        except ServiceError:
            return render_template("auth/confirm_invalid.html"), 404
        if current_user.is_authenticated:
            sessions.sign_out()
        sessions.sign_in(user)
        flash(
            gettext(
                "Your email address is confirmed and your account is ready. Set up your "
                "organisation, or ask a colleague to invite you."
            ),
            "success",
        )
        return redirect(url_for("organisations.create"))
    return render_template("auth/confirm_email.html", email=found.user.email)


@bp.route("/login", methods=["GET", "POST"])
@access.public
def login() -> ResponseReturnValue:
    """Sign in. A wrong password and an unknown address get the same answer.

    Wrong passwords are limited per account and address (see ``assess.limits``), so one person's
    guesses do not lock the account's owner out elsewhere."""
    form = LoginForm()
    refused = False
    if form.validate_on_submit():
        wait = limits.login_attempt(form.email.data)
        if wait is not None:
            return limits.too_many(wait)
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except accounts.Unconfirmed:
            return render_template(
                "auth/unconfirmed.html", email=form.email.data.strip().lower()
            ), 403
        if user is not None:
            sessions.sign_in(user)
            return _after_sign_in(url_for("start.index"))
        limits.count_login_failure(form.email.data)
        refused = True
    return render_template(
        "auth/login.html", form=form, refused=refused, refusal=str(LOGIN_REFUSED)
    ), (401 if refused else 200)


@bp.post("/logout")
@access.login_required
def logout() -> ResponseReturnValue:
    """Sign out: the session ends on the server too."""
    sessions.sign_out()
    flash(gettext("You have signed out."), "success")
    return redirect(url_for("home.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@access.public
@limits.attempts
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link; the answer does not reveal whether the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@access.public
@limits.attempts
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password through an emailed link that works once, until it expires."""
    if accounts.valid_reset(token) is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            if current_user.is_authenticated:
                sessions.sign_out()
            flash(
                gettext("Your password has been changed. Sign in with your new password."),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.get("/account")
@access.login_required
def account() -> ResponseReturnValue:
    """The person's own details and organisations."""
    language = LanguageForm(
        language=current_user.language or current_locale(), next=url_for("auth.account")
    )
    return render_template(
        "auth/account.html",
        memberships=organisations.memberships_of(current_user.id),
        form=language,
    )


@bp.route("/account/password", methods=["GET", "POST"])
@access.login_required
def change_password() -> ResponseReturnValue:
    """Change the password; every other signed-in browser is signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                keep_session_token=sessions.current_token(),
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(
                gettext("Your password has been changed. Other devices have been signed out."),
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.post("/session/extend")
@access.login_required
def extend_session() -> ResponseReturnValue:
    """Count as activity, so that the idle timeout starts again (the page's "stay signed in")."""
    record = sessions.current_record()
    if record is None:  # pragma: no cover - login_required has made sure there is one
        abort(401)
    expires = session_service.extend(record)
    if access.wants_json():
        return jsonify(expires_at=expires.isoformat())
    flash(gettext("You are still signed in."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))


@bp.get("/session/kept")
@access.login_required
def kept_form() -> ResponseReturnValue:
    """What was kept from a form sent after the session ended, with a button to send it now.

    Shown once: the page carries the fields itself, so the server's copy is forgotten here.
    """
    kept = session_service.kept_form(session.pop(sessions.KEPT, None), current_user.id)
    if kept is None:
        flash(gettext("There is no kept form any more."), "info")
        return redirect(url_for("start.index"))
    path, fields = kept.path, kept.fields
    session_service.discard_kept_form(kept)
    return render_template("auth/kept_form.html", path=safe_next(path) or "/", fields=fields)
