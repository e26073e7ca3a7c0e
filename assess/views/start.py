"""The signed-in person's start page: their organisations and open assessments, each with one
button to carry on where the work stands."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from assess import access
from assess.permissions import ROLE_LABELS, role_allows
from assess.services import resume
from assess.views.assessments import step_url

bp = Blueprint("start", __name__)


@bp.get("/start")
@access.login_required
def index() -> ResponseReturnValue:
    """Each organisation with its open assessments, their progress and where "Continue" leads."""
    return render_template(
        "start/index.html",
        work=resume.start_page(current_user),
        step_url=step_url,
        role_labels=ROLE_LABELS,
        role_allows=role_allows,
    )
