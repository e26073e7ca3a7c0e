"""Consultants in the browser: every client organisation on one page, and the consultancy's name
and logo for the reports of assessments where they ran a workshop."""

from __future__ import annotations

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
from flask_babel import lazy_gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField

from assess import access, security
from assess.services import ServiceError, consultancy
from assess.views.util import apply_error

bp = Blueprint("consultancy", __name__)

#: What a logo may be, by its name's ending: the declared type and the first bytes must match
#: (and Pillow must then read it as that format before it is re-encoded).
LOGO_TYPES = {
    ".png": security.UploadType("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": security.UploadType("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": security.UploadType("image/jpeg", b"\xff\xd8\xff"),
}


class BrandForm(FlaskForm):
    """The consultancy's name, and a logo to add or remove."""

    name = StringField(_("Name of your consultancy"))
    logo = FileField(_("Logo (optional)"))
    remove_logo = BooleanField(_("Remove the logo"))


@bp.get("/clients")
@access.login_required
def clients() -> ResponseReturnValue:
    """Every organisation the person facilitates for, with its assessments, their progress and
    workshop sessions: moving between clients needs no organisation switch."""
    return render_template(
        "consultancy/clients.html",
        clients=consultancy.clients_of(current_user),
        brand=consultancy.brand_of(current_user),
    )


@bp.route("/account/consultancy", methods=["GET", "POST"])
@access.login_required
def brand() -> ResponseReturnValue:
    """Name the consultancy and give its logo (PNG or JPEG, re-encoded before use)."""
    current = consultancy.brand_of(current_user)
    form = BrandForm(data={"name": current.name if current else ""})
    if request.method == "POST" and request.form.get("action") == "remove":
        if form.validate_on_submit():
            consultancy.remove_brand(current_user)
            flash(gettext("Your consultancy is no longer shown on new reports."), "success")
        return redirect(url_for("consultancy.brand"))
    status = 200
    if form.validate_on_submit():
        upload = form.logo.data
        data = None
        try:
            if upload is not None and getattr(upload, "filename", ""):
                data = security.read_upload(
                    upload, LOGO_TYPES, current_app.config["CONSULTANCY_LOGO_MAX_BYTES"]
                )
        except security.UploadRefused:
            form.logo.errors = [
                gettext(
                    "Choose a PNG or JPEG file of up to %(kb)s KB.",
                    kb=current_app.config["CONSULTANCY_LOGO_MAX_BYTES"] // 1024,
                )
            ]
            return render_template("consultancy/brand.html", form=form, brand=current), 400
        try:
            consultancy.save_brand(
                current_user, form.name.data or "", data, remove_logo=bool(form.remove_logo.data)
            )
        except ServiceError as error:
            apply_error(form, error)
            status = 400
        else:
            flash(gettext("Your consultancy's name and logo are saved."), "success")
            return redirect(url_for("consultancy.brand"))
    elif request.method == "POST":
        status = 400
    return render_template("consultancy/brand.html", form=form, brand=current), status


@bp.get("/account/consultancy/logo.png")
@access.login_required
def logo() -> ResponseReturnValue:
    """The stored logo (as re-encoded), for the person's own preview."""
    current = consultancy.brand_of(current_user)
    if current is None or not current.logo_png:
        abort(404)
    response = Response(current.logo_png, mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def _clients_link() -> dict[str, object]:
    """``has_clients()`` for the site's header: a facilitator gets a link to their clients."""
    return {
        "has_clients": lambda: (
            current_user.is_authenticated and consultancy.has_clients(current_user)
        )
    }
