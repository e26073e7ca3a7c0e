"""``GET /healthz``: is the application up, and can it reach its database?"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from assess import access, db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@access.public
def healthz() -> ResponseReturnValue:
    """200 with the database round-trip time, or 503 when the database cannot be reached."""
    started = time.perf_counter()
    try:
        db.ping()
    except SQLAlchemyError as error:
        current_app.logger.warning("health check: database unreachable: %s", error)
        return jsonify(status="unavailable", database={"ok": False}), 503
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    dialect = db.engine().dialect.name
    return jsonify(status="ok", database={"ok": True, "dialect": dialect, "ms": elapsed_ms})
