"""schemathesis against the running app: the read API on 127.0.0.1 with the demo and a token,
fuzzed from its own OpenAPI document. No answer may be a 5xx, and none may fall outside the
document (status, media type, body schema, headers).

It runs in ``make test`` (and so in CI, on SQLite and on PostgreSQL) with a bounded number of
examples per operation and a time limit, and stops by itself; see ``docs/api.md``.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from assess import db
from assess.models import Organisation, User
from assess.services import api_tokens

#: Examples per operation and phase, and the most the whole run may take, in seconds.
MAX_EXAMPLES = 25
TIME_LIMIT = 420
#: What is checked on every answer.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)

pytestmark = pytest.mark.slow


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, in a thread, for the length of the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_the_api_keeps_to_its_openapi_document_under_schemathesis(
    app: Flask, runner, served: str, tmp_path: Path
) -> None:
    assert runner.invoke(args=["demo", "--quick"]).exit_code == 0
    with app.test_request_context():
        admin = db.session().scalar(select(User).where(User.email == "admin@demo.example"))
        organisation_ids = list(db.session().scalars(select(Organisation.id)))
        _token, secret = api_tokens.create(admin, "schemathesis", organisation_ids, 7)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{served}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {secret}",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20261130",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
    ]
    try:
        done = subprocess.run(
            command,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"schemathesis took more than {TIME_LIMIT}s:\n{expired.stdout}")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "No issues found" in output, output
    # It did test every operation (not one skipped for want of a token or a schema).
    assert "Tested: 8" in output, output
