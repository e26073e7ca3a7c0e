"""Downloading an export file from the web: an admin, their organisation's; an operator, the whole
instance's. The same file as ``assess export`` (docs/formats/), without password hashes.

The file is streamed as it is written, so a large instance never waits in memory. It ends with its
checksum: a download cut off on the way is refused by ``assess import`` ("the file ends too
soon"), never taken for a whole one.
"""

from __future__ import annotations

from flask import Blueprint, Response, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assess import access, db, security
from assess.models import Organisation
from assess.services import data_transfer
from assess.services.data_transfer import Scope
from assess.views.loaders import load_organisation

bp = Blueprint("data_export", __name__)


def _download(scope: Scope, stem: str) -> Response:
    data_transfer.record_export(scope, current_user, with_credentials=False, where="web")
    chunks = data_transfer.export_chunks(scope, with_credentials=False)
    response = Response(stream_with_context(chunks), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return security.attachment(response, f"{stem}-{db.utcnow():%Y-%m-%d}.json")


@bp.get("/organisations/<int:org_id>/export.json")
@access.requires("org.manage", load=load_organisation)
def organisation_export(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """The organisation's data as one export file (admins only)."""
    return _download(Scope(organisation_id=organisation.id), f"assess-export-organisation-{org_id}")


@bp.get("/operator/export.json")
@access.requires("instance.operate")
def instance_export() -> ResponseReturnValue:
    """The whole instance's data as one export file (operators only)."""
    return _download(Scope(), "assess-export-instance")
