"""The baseline of ``benchmarks/autosave_baseline.py``: a bare Flask app whose one endpoint does one
INSERT per request, on the same database and with the same engine settings as assess
(``assess.db.make_engine``), served by the same gunicorn command.

    ASSESS_DATABASE_URL=... gunicorn -w 4 -b 127.0.0.1:<port> benchmarks.bare_insert_app:app
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert

from assess.db import make_engine

metadata = MetaData()
#: The one table the baseline writes to (created by the benchmark before it starts the server).
rows = Table(
    "bench_bare_insert",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("question_id", String(64)),
    Column("value", String(64)),
)

app = Flask(__name__)
_engines: list[Engine] = []


def engine() -> Engine:
    """The worker's engine, made on first use (after gunicorn forked the worker)."""
    if not _engines:
        _engines.append(make_engine(os.environ["ASSESS_DATABASE_URL"]))
    return _engines[0]


@app.post("/insert/<question_id>")
def insert_one(question_id: str):
    """Insert one row from the posted form, in its own transaction."""
    value = request.form.get("value", "")
    with engine().begin() as connection:
        new_id = connection.execute(
            insert(rows).values(question_id=question_id, value=value)
        ).inserted_primary_key[0]
    return jsonify(status="saved", id=new_id)


@app.get("/healthz")
def healthz():
    """Up."""
    return "ok"
