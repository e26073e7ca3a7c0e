"""Hostile input at every form and endpoint the app has: always a 4xx with a message or a correct
save, never a 500, never markup echoed unescaped, never half a record.

The routes come from ``app.url_map``, so a route added later is attacked too. Each form's field
names are read from the page that shows it (as a browser would), then every field is filled with
each payload in turn.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from helpers import csrf_token, login
from sqlalchemy import func, select

from assess import access, db
from assess.models import Base
from assess.questionnaire.answers import Answer
from assess.services import assessments, workshops
from assess.services.questionnaires import current_questionnaires

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
#: Each payload goes into every field of every form, one payload at a time.
PAYLOADS = {
    "markup": SCRIPT,
    "formula": '=HYPERLINK("http://evil.example","click")',
    "sql": "'; DROP TABLE answer; -- \" OR 1=1",
    "welsh and right-to-left": "Gŵyl Tŷ'r Ffin: مرحبا بكم / שלום",
    "control characters": "a\x00b\x1bc\u202eevil\ufeff",
    "very long": "x" * 200_000,
    "number where text": "-1e309",
    "huge number": "9" * 4301,
    "digit that is not a number": "\u00b2",
}
#: Routes these tests do not post to, and why.
SKIPPED = {
    "/logout": "ends the test's session; tested in test_sessions.py",
}
#: Tables whose rows a refused request may legitimately add (records of the attempt itself).
ATTEMPT_TABLES = {"audit_event", "audit_person", "kept_form", "user_session"}


class _Fields(HTMLParser):
    """The names of the fields in a page's forms."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"input", "textarea", "select", "button"}:
            name = dict(attrs).get("name")
            if name and name != "csrf_token":
                self.names.add(name)


def _field_names(html: str) -> set[str]:
    parser = _Fields()
    parser.feed(html)
    return parser.names


def _counts() -> dict[str, int]:
    session = db.session()
    return {
        name: session.scalar(select(func.count()).select_from(table)) or 0
        for name, table in Base.metadata.tables.items()
        if name not in ATTEMPT_TABLES
    }


@pytest.fixture
def world(app, make_user, make_org):
    """An organisation with an admin, and a draft assessment with one answer."""
    admin = make_user(name="Ada Admin")
    organisation = make_org(members={admin: "admin"})
    with app.app_context():
        assessment = assessments.start(organisation.id, admin, "Hostile", current_questionnaires())
        assessments.save_answers(
            assessment,
            admin,
            "adoption",
            {"lead-commitment": assessments.Submission(Answer("lead-commitment", value=2))},
        )
        workshop, _code = workshops.open_session(assessment, admin, "Hostile workshop")
        values: dict[str, Any] = {
            "session_id": workshop.id,
            "org_id": organisation.id,
            "assessment_id": assessment.id,
            "questionnaire_id": "adoption",
            "section_id": "leadership",
            "question_id": "lead-commitment",
        }
    return {"admin": admin, "organisation": organisation, "values": values}


def _url(rule: Any, values: dict[str, Any]) -> str | None:
    """The rule filled with the world's objects; ids the world lacks get an unknown number."""
    arguments = {}
    for name in rule.arguments:
        if name in values:
            arguments[name] = values[name]
        elif name.endswith("_id"):
            arguments[name] = 987654
        else:
            arguments[name] = "not-a-token"
    try:
        return rule.build(arguments)[1]
    except Exception:  # a converter that refuses our stand-in: nothing to attack there
        return None


def _routes(app: Any, method: str) -> list[Any]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if method in rule.methods and rule.endpoint != "static"
        ),
        key=lambda rule: rule.rule,
    )


def _assert_safe(response: Any, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if not response.mimetype.startswith(("text/", "application/json")):
        return  # a download (PDF): its contents are checked in the report tests
    body = response.get_data(as_text=True)
    assert "Traceback" not in body, where
    assert SCRIPT not in body, f"{where}: markup came back unescaped"
    assert "<script>alert" not in body, f"{where}: markup came back unescaped"


def test_every_page_survives_hostile_query_strings(app, world):
    client = app.test_client()
    login(client, world["admin"])
    checked = 0
    for rule in _routes(app, "GET"):
        url = _url(rule, world["values"])
        if url is None or url in SKIPPED:
            continue
        for label, payload in PAYLOADS.items():
            response = client.get(
                url,
                query_string={"q": payload, "page": payload, "next": payload, "rows": payload},
            )
            _assert_safe(response, f"GET {url} ({label})")
            checked += 1
    assert checked > 50


def test_every_form_survives_hostile_values_and_stores_nothing_partial(app, world):
    client = app.test_client()
    login(client, world["admin"])
    attacked = 0
    for rule in _routes(app, "POST"):
        url = _url(rule, world["values"])
        if url is None or url in SKIPPED:
            continue
        fields: set[str] = set()
        if "GET" in rule.methods:
            page = client.get(url)
            if page.status_code == 200 and page.mimetype == "text/html":
                fields = _field_names(page.get_data(as_text=True))
        fields |= {"name", "email", "note", "title", "reason"}
        for label, payload in PAYLOADS.items():
            with app.app_context():
                before = _counts()
            data = dict.fromkeys(fields, payload)
            data["csrf_token"] = csrf_token(client)
            response = client.post(url, data=data)
            where = f"POST {url} ({label})"
            _assert_safe(response, where)
            if response.status_code >= 400:
                with app.app_context():
                    assert _counts() == before, f"{where}: refused, but something was stored"
            attacked += 1
        # The admin may have been signed out by a hostile post (a password change, say).
        login(client, world["admin"])
    assert attacked > 50


def test_wrongly_typed_and_repeated_fields_are_refused_cleanly(app, world):
    client = app.test_client()
    login(client, world["admin"])
    values = world["values"]
    url = f"/assessments/{values['assessment_id']}/adoption/leadership"
    token = csrf_token(client)
    for data in (
        {"q_lead-commitment": ["1", "5"], "csrf_token": token},
        {"q_lead-commitment": "3.5", "csrf_token": token},
        {"q_lead-commitment__rev": "abc", "q_lead-commitment": "3", "csrf_token": token},
        {"q_no-such-question": "3", "csrf_token": token},
    ):
        with app.app_context():
            before = _counts()
        response = client.post(url, data=data)
        _assert_safe(response, f"POST {url} {sorted(data)}")
        # Refused as bad input, or shown as a conflict with the stored answer: never applied.
        assert response.status_code in (400, 409)
        with app.app_context():
            assert _counts() == before
            stored = assessments.stored_answers(
                assessments.get(values["assessment_id"]), "adoption"
            )
            assert stored["lead-commitment"].answer.value == 2


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b'{"status": 5}', b'{"value": {"$gt": ""}}', b"\xff\xfe", b"x" * 100_000],
)
def test_json_endpoints_refuse_malformed_bodies(app, world, body):
    client = app.test_client()
    login(client, world["admin"])
    token = csrf_token(client)
    for rule in _routes(app, "POST"):
        if "/answers/" not in rule.rule:  # the autosave endpoints take JSON
            continue
        url = _url(rule, world["values"])
        response = client.post(
            url,
            data=body,
            headers={"X-CSRFToken": token, "Content-Type": "application/json"},
        )
        _assert_safe(response, f"POST {url} JSON")
        declared = access.rule_of(app.view_functions[rule.endpoint])
        if declared is not None and declared.kind == "participant":
            # No participant token in this client: refused or sent to the join page.
            assert response.status_code in (302, 401)
        else:
            assert response.status_code in (400, 409, 415, 422)


def test_oversized_requests_are_refused_with_a_message(app, world):
    client = app.test_client()
    login(client, world["admin"])
    values = world["values"]
    url = f"/assessments/{values['assessment_id']}/adoption/leadership"
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client), "q_lead-commitment__note": "x" * (3 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert re.search(r"too large", response.get_data(as_text=True), re.IGNORECASE)


@pytest.mark.parametrize("number", ["9" * 4301, "9" * 20, "\u00b2", "\u0663", "-1"])
def test_huge_and_odd_numbers_get_a_clear_answer_never_a_500(app, world, number):
    """``?rows=``, the divergence threshold, a revision and the register's extra rows: a number
    Python cannot read, or a digit that is not a number, is refused with a message or read as the
    nearest sensible value; nothing stored changes."""
    client = app.test_client()
    login(client, world["admin"])
    values = world["values"]
    section = f"/assessments/{values['assessment_id']}/definition/stakeholder-register"
    shown = client.get(section, query_string={"rows": number})
    assert shown.status_code == 200
    with app.app_context():
        before = _counts()  # after the page, which records where the person is
    token = csrf_token(client)
    threshold = client.post(
        f"/workshops/{values['session_id']}/threshold",
        data={"csrf_token": token, "threshold": number},
        follow_redirects=True,
    )
    assert threshold.status_code == 200
    assert "Choose a number of levels from 1 to 4." in threshold.get_data(as_text=True)
    revision = client.post(
        f"/assessments/{values['assessment_id']}/adoption/leadership",
        data={"csrf_token": token, "q_lead-commitment": "4", "q_lead-commitment__rev": number},
    )
    assert revision.status_code == 400
    assert "unreadable revision number" in revision.get_data(as_text=True)
    autosave = client.post(
        f"/assessments/{values['assessment_id']}/adoption/answers/lead-commitment",
        data={"q_lead-commitment": "4", "q_lead-commitment__rev": number},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert autosave.status_code == 400
    assert "unreadable revision number" in autosave.get_json()["errors"][0]
    rows = client.post(
        section,
        data={"csrf_token": token, "extra_rows": number, "action": "add-segment"},
    )
    assert rows.status_code in (302, 400)
    _assert_safe(rows, "extra_rows")
    with app.app_context():
        assert _counts() == before
        stored = assessments.stored_answers(assessments.get(values["assessment_id"]), "adoption")
        assert stored["lead-commitment"].answer.value == 2
