"""The instance operator's pages: approve, suspend and reactivate organisations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assess import access
from assess.models import Organisation
from assess.reference import SECTORS, SIZE_BANDS
from assess.services import organisations

bp = Blueprint("operator", __name__, url_prefix="/operator")


def load_any_organisation(org_id: int, **_: object) -> access.Loaded | None:
    """Any organisation: an operator acts on organisations they do not belong to."""
    organisation = organisations.get(org_id)
    return access.Loaded(organisation, organisation.id) if organisation else None


@bp.get("/organisations")
@access.requires("instance.operate")
def index() -> ResponseReturnValue:
    """Every organisation on the instance, those awaiting approval first."""
    return render_template(
        "operator/organisations.html",
        organisations=organisations.all_organisations(),
        sectors=SECTORS,
        size_bands=SIZE_BANDS,
    )


def _set(organisation: Organisation, status: str, done: str) -> ResponseReturnValue:
    organisations.set_status(organisation, status, by=current_user)
    flash(f"{organisation.name} {done}.", "success")
    return redirect(url_for("operator.index"))


@bp.post("/organisations/<int:org_id>/approve")
@access.requires("instance.operate", load=load_any_organisation)
def approve(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Let a pending organisation start work."""
    return _set(organisation, "active", "is approved")


@bp.post("/organisations/<int:org_id>/suspend")
@access.requires("instance.operate", load=load_any_organisation)
def suspend(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Close an organisation to its members until it is reactivated."""
    return _set(organisation, "suspended", "is suspended")


@bp.post("/organisations/<int:org_id>/reactivate")
@access.requires("instance.operate", load=load_any_organisation)
def reactivate(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Open a suspended organisation to its members again."""
    return _set(organisation, "active", "is active again")
