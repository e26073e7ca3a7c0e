"""The instance operator's pages: approve, suspend, reactivate and delete organisations; erase
a person."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access, pagination
from assess.i18n import translate
from assess.models import Organisation
from assess.reference import SECTORS, SIZE_BANDS
from assess.services import ServiceError, organisations, privacy
from assess.views.forms.accounts import DeleteOrganisationForm, ErasePersonForm
from assess.views.util import apply_error

bp = Blueprint("operator", __name__, url_prefix="/operator")


def load_any_organisation(org_id: int, **_: object) -> access.Loaded | None:
    """Any organisation: an operator acts on organisations they do not belong to."""
    organisation = organisations.get(org_id)
    return access.Loaded(organisation, organisation.id) if organisation else None


@bp.get("/organisations")
@access.requires("instance.operate")
def index() -> ResponseReturnValue:
    """The organisations on the instance by name, a page at a time, with those awaiting approval
    named first."""
    status = request.args.get("status") or None
    problems = []
    if status not in (None, "pending", "active", "suspended"):
        problems.append(gettext("Choose a status from the list."))
        status = None
    try:
        window = organisations.organisations_page(
            status, after=request.args.get("after"), before=request.args.get("before")
        )
    except pagination.BadCursor:
        problems.append(str(pagination.BadCursor.message))
        window = organisations.organisations_page(status)
    first_page = not window.previous_cursor
    return render_template(
        "operator/organisations.html",
        organisations=window.items,
        waiting=organisations.awaiting_approval() if status is None and first_page else [],
        status=status,
        problems=problems,
        next_url=url_for(".index", status=status, after=window.next_cursor)
        if window.next_cursor
        else None,
        previous_url=url_for(".index", status=status, before=window.previous_cursor)
        if window.previous_cursor
        else None,
        sectors=SECTORS,
        size_bands=SIZE_BANDS,
    ), (400 if problems else 200)


def _set(organisation: Organisation, status: str, done: str) -> ResponseReturnValue:
    """Set the status; ``done`` is a translated sentence with ``%(name)s`` for the organisation."""
    organisations.set_status(organisation, status, by=current_user)
    flash(done % {"name": organisation.name}, "success")
    return redirect(url_for("operator.index"))


@bp.post("/organisations/<int:org_id>/approve")
@access.requires("instance.operate", load=load_any_organisation)
def approve(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Let a pending organisation start work."""
    return _set(organisation, "active", gettext("%(name)s is approved."))


@bp.post("/organisations/<int:org_id>/suspend")
@access.requires("instance.operate", load=load_any_organisation)
def suspend(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Close an organisation to its members until it is reactivated."""
    return _set(organisation, "suspended", gettext("%(name)s is suspended."))


@bp.post("/organisations/<int:org_id>/reactivate")
@access.requires("instance.operate", load=load_any_organisation)
def reactivate(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Open a suspended organisation to its members again."""
    return _set(organisation, "active", gettext("%(name)s is active again."))


@bp.route("/organisations/<int:org_id>/delete", methods=["GET", "POST"])
@access.requires("instance.operate", load=load_any_organisation)
def delete(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Schedule an organisation's deletion, confirmed by typing its name; it closes at once and
    is deleted after the grace period."""
    form = DeleteOrganisationForm()
    if form.validate_on_submit():
        try:
            due = privacy.schedule_deletion(organisation, form.confirm_name.data, by=current_user)
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(
                gettext(
                    "%(name)s is closed and will be deleted on %(date)s (UTC). "
                    "You can cancel until then.",
                    name=organisation.name,
                    date=f"{due:%d %b %Y}",
                ),
                "success",
            )
            return redirect(url_for("operator.index"))
    return render_template(
        "operator/delete_organisation.html",
        organisation=organisation,
        form=form,
        grace_days=current_app.config["ORGANISATION_DELETION_GRACE_DAYS"],
    )


@bp.post("/organisations/<int:org_id>/cancel-deletion")
@access.requires("instance.operate", load=load_any_organisation)
def cancel_deletion(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Stop a scheduled deletion; the members can use the organisation again."""
    privacy.cancel_deletion(organisation, by=current_user)
    flash(gettext("%(name)s will not be deleted.", name=organisation.name), "success")
    return redirect(url_for("operator.index"))


@bp.route("/people/erase", methods=["GET", "POST"])
@access.requires("instance.operate")
def erase_person() -> ResponseReturnValue:
    """Erase a person by email address: their account goes, their name in the trail becomes a
    pseudonym."""
    form = ErasePersonForm()
    if form.validate_on_submit():
        try:
            done = privacy.erase_by_email(form.email.data, by=current_user)
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(translate(done), "success")
            return redirect(url_for("operator.index"))
    return render_template("operator/erase_person.html", form=form)
