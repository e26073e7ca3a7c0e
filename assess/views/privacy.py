"""Personal data in the browser: the privacy notice, a person's copy of their data, and deleting
their own account."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access, db, i18n, security, sessions
from assess.services import ServiceError, privacy
from assess.views import surveys, workshops
from assess.views.forms.accounts import DeleteAccountForm
from assess.views.util import apply_error

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
@access.public
def notice() -> ResponseReturnValue:
    """What assess stores about people, why, for how long, and whom to ask."""
    config = current_app.config
    return render_template(
        "privacy/notice.html",
        contact=config.get("PRIVACY_CONTACT") or config["MAIL_FROM"],
        grace_days=config["ORGANISATION_DELETION_GRACE_DAYS"],
        workshop_days=config["WORKSHOP_ANSWER_RETENTION_DAYS"],
        language_cookie=i18n.COOKIE,
        workshop_cookie=workshops.COOKIE.format(id="<n>"),
        workshop_cookie_days=workshops.COOKIE_MAX_AGE // 86400,
        survey_cookie=surveys.SEEN_COOKIE,
        survey_cookie_days=surveys.SEEN_MAX_AGE // 86400,
        idle_minutes=config["SESSION_IDLE_TIMEOUT"] // 60,
        absolute_hours=config["SESSION_ABSOLUTE_TIMEOUT"] // 3600,
    )


@bp.get("/account/data")
@access.login_required
def download() -> ResponseReturnValue:
    """The signed-in person's data as a JSON file."""
    data = privacy.personal_data(current_user)
    privacy.record_download(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = Response(body, mimetype="application/json")
    return security.attachment(response, f"assess-my-data-{db.utcnow():%Y-%m-%d}.json")


@bp.route("/account/delete", methods=["GET", "POST"])
@access.login_required
def delete_account() -> ResponseReturnValue:
    """Delete one's own account, after the password and a tick to confirm."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.erase_own_account(current_user, form.password.data)
        except ServiceError as error:
            apply_error(form, error)
        else:
            sessions.sign_out()
            flash(gettext("Your account has been deleted. Thank you for using assess."), "success")
            return redirect(url_for("home.index"))
    return render_template("privacy/delete_account.html", form=form)
