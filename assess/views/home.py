"""The start page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from assess import access

bp = Blueprint("home", __name__)


@bp.get("/")
@access.public
def index() -> ResponseReturnValue:
    """What assess does and where to begin."""
    return render_template("home/index.html")
