"""Pages that stay cheap as data grows: the results page's statements do not grow with the register
or with the number of people who answered; the audit trail's CSV is complete, reads a constant
number of statements however long the trail, and never ends as if complete when it is not."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from helpers import login
from scoring_helpers import row
from sqlalchemy import event, func, select

from assess import audit, db
from assess.models import AuditEvent
from assess.questionnaire.answers import Answer
from assess.services import assessments, audit_export, audit_trail
from assess.services.assessments import Submission
from assess.services.questionnaires import current_questionnaires


@contextmanager
def counted(app) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    engine = db.engine(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _results_statements(app, make_user, make_org, groups: int, people: int) -> int:
    """Statements of one results page for an assessment whose register has ``groups`` groups of
    its own and whose adoption answers were given by ``people`` different people."""
    admin = make_user()
    others = [make_user() for _ in range(people - 1)]
    organisation = make_org(members={admin: "admin", **dict.fromkeys(others, "respondent")})
    with app.test_request_context():
        assessment = assessments.start(organisation.id, admin, "Plan", current_questionnaires())
        rows = tuple(
            row(f"custom-group-{n}", 2, 3, 2, 3, "consult", label=f"Group {n}")
            for n in range(groups)
        )
        outcome = assessments.save_answers(
            assessment,
            admin,
            "definition",
            {"register": Submission(Answer("register", value=rows))},
        )
        assert outcome.ok, outcome
        adoption = assessments.questionnaires_of(assessment).adoption
        levels = [q.id for _s, q in adoption.questions() if q.type == "level"]
        authors = [admin, *others]
        for n, question_id in enumerate(levels[: max(people, 3)]):
            author = authors[n % len(authors)]
            outcome = assessments.save_answers(
                assessment,
                author,
                "adoption",
                {question_id: Submission(Answer(question_id, value=2, note="Minutes"))},
            )
            assert outcome.ok, outcome
        assessment_id = assessment.id
    client = app.test_client()
    login(client, admin)
    url = f"/assessments/{assessment_id}/results"
    assert client.get(url).status_code == 200  # warm: questionnaires read once per worker
    with counted(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("Group ") >= groups
    return len(statements)


def test_the_results_page_does_not_query_per_group_or_per_person(app, make_user, make_org):
    small = _results_statements(app, make_user, make_org, groups=1, people=1)
    large = _results_statements(app, make_user, make_org, groups=25, people=6)
    assert large == small, (small, large)
    # A fixed number: the answers, marks, lowered targets, the survey, the action plan, carried
    # answers and the trend each cost a query or two, however many groups or people there are.
    assert small <= 30


# ---- the audit trail's CSV -------------------------------------------------------------------


def _record_events(app, organisation, actor, count: int) -> None:
    with app.test_request_context():
        for n in range(count):
            audit.record(
                audit.ANSWER_CHANGED,
                organisation_id=organisation.id,
                actor=actor,
                object_type="assessment",
                object_id=1,
                questionnaire_id="adoption",
                question_id=f"q-{n}",
                old=None,
                new={"status": "answered", "value": n % 5 + 1, "note": f"note {n}"},
            )
        db.session().commit()


def _export(client, organisation_id: int, **query: str) -> list[dict[str, str]]:
    response = client.get(f"/organisations/{organisation_id}/audit.csv", query_string=query)
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def _trail_size(app, organisation) -> int:
    with app.app_context():
        return db.session().scalar(
            select(func.count()).where(AuditEvent.organisation_id == organisation.id)
        )


def test_the_csv_holds_every_event_once_with_a_constant_number_of_statements(
    app, make_user, make_org, monkeypatch
):
    monkeypatch.setattr(audit_export, "EXPORT_BATCH", 7)
    admin = make_user(name="Ada Admin")
    organisation = make_org(members={admin: "admin"})
    client = app.test_client()
    login(client, admin)
    _record_events(app, organisation, admin, 5)
    with counted(app) as few:
        small = _export(client, organisation.id)
    _record_events(app, organisation, admin, 120)
    with counted(app) as many:
        large = _export(client, organisation.id)
    assert len(many) == len(few), (len(few), len(many))
    # Every event of the organisation and the admin's sign-in, each once, oldest first.
    assert len(large) == _trail_size(app, organisation) + 1
    questions = [r["question"] for r in large if r["action"] == audit.ANSWER_CHANGED]
    assert questions == [f"q-{n}" for n in range(5)] + [f"q-{n}" for n in range(120)]
    assert len(small) < len(large)
    assert all(r["person"] == "Ada Admin" for r in large)
    # The filters still apply.
    only = _export(client, organisation.id, question="q-7")
    assert [r["question"] for r in only] == ["q-7"]


def test_an_export_that_fails_part_way_ends_with_an_error_not_a_clean_end(
    app, make_user, make_org, monkeypatch
):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    _record_events(app, organisation, admin, 30)
    real_json = audit_export._json

    def failing(value):
        if isinstance(value, dict) and value.get("note") == "note 10":  # the 11th event
            raise RuntimeError("the database went away")
        return real_json(value)

    monkeypatch.setattr(audit_export, "_json", failing)
    monkeypatch.setattr(audit_export, "LINES_PER_CHUNK", 4)
    chunks = []
    with app.test_request_context(), pytest.raises(RuntimeError):
        for chunk in audit_export.csv_lines(organisation, audit_trail.Filters()):
            chunks.append(chunk)
    lines = "".join(chunks).splitlines()
    assert lines[-1].startswith("ERROR: the export stopped after 10 events and is incomplete")
    # The header, every event written before the failure, and the error: nothing held back.
    assert len(lines) == 1 + 10 + 1


# ---- lists a page at a time ------------------------------------------------------------------

_NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
_PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">')


def _walk(client, url: str, pattern: re.Pattern[str], found: re.Pattern[str]) -> list[list[str]]:
    """What ``found`` matches on every page from ``url``, following the ``pattern`` links."""
    pages = []
    while url:
        response = client.get(html.unescape(url))
        assert response.status_code == 200, response.status_code
        text = response.get_data(as_text=True)
        pages.append(found.findall(text))
        link = pattern.search(text)
        url = link.group(1) if link else ""
        assert len(pages) < 50
    return pages


def test_the_assessments_list_pages_without_losing_or_repeating_any(
    app, make_user, make_org, monkeypatch
):
    monkeypatch.setattr(assessments, "PER_PAGE", 4)
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    with app.test_request_context():
        same_moment = db.utcnow()
        for n in range(11):
            started = assessments.start(
                organisation.id, admin, f"Plan {n:02d}", current_questionnaires()
            )
            if n < 6:  # several started at the very same moment: the id breaks the tie
                started.created_at = same_moment
        db.session().commit()
    client = app.test_client()
    login(client, admin)
    url = f"/organisations/{organisation.id}/assessments"
    title = re.compile(r">(Plan \d\d)</a>")
    pages = _walk(client, url, _NEXT, title)
    shown = [t for page in pages for t in page]
    assert sorted(shown) == [f"Plan {n:02d}" for n in range(11)]
    assert len(set(shown)) == 11 and [len(p) for p in pages] == [4, 4, 3]
    assert shown[:5] == ["Plan 10", "Plan 09", "Plan 08", "Plan 07", "Plan 06"]
    # Back from the last page.
    last = client.get(html.unescape(url)).get_data(as_text=True)
    second = html.unescape(_NEXT.search(last).group(1))
    third = _NEXT.search(client.get(second).get_data(as_text=True)).group(1)
    back = _walk(client, third, _PREVIOUS, title)
    assert [t for page in reversed(back) for t in page] == shown
    # A link changed by hand: a message, the newest page, never a 500.
    for cursor in ("junk", "WyJ4IiwxXQ", "WzEsMl0", "W10"):
        response = client.get(url, query_string={"after": cursor})
        assert response.status_code == 400
        assert "This page link is not valid" in response.get_data(as_text=True)


def test_the_operators_list_pages_by_name_and_keeps_its_filter(
    app, make_user, make_org, monkeypatch
):
    from assess.services import organisations as organisation_service

    monkeypatch.setattr(organisation_service, "PER_PAGE", 3)
    operator = make_user(operator=True)
    for n in range(8):
        make_org(name=f"Council {n:02d}", status="pending" if n % 3 == 0 else "active")
    client = app.test_client()
    login(client, operator)
    name = re.compile(r'<tr id="org-\d+">\s*<td><bdi[^>]*>(Council \d\d)')
    pages = _walk(client, "/operator/organisations", _NEXT, name)
    shown = [t for page in pages for t in page]
    assert shown == [f"Council {n:02d}" for n in range(8)]
    first = client.get("/operator/organisations").get_data(as_text=True)
    assert "Waiting for approval" in first
    pending = _walk(client, "/operator/organisations?status=pending", _NEXT, name)
    assert [t for page in pending for t in page] == ["Council 00", "Council 03", "Council 06"]
    response = client.get("/operator/organisations", query_string={"before": "%%%"})
    assert response.status_code == 400
    assert "This page link is not valid" in response.get_data(as_text=True)
    assert client.get("/operator/organisations?status=nonsense").status_code == 400


def test_a_cursor_is_checked_against_the_columns_it_stands_for():
    from assess import pagination
    from assess.models import Assessment

    keys = [(Assessment.created_at, pagination.DESC), (Assessment.id, pagination.DESC)]
    good = pagination.encode([db.utcnow(), 7])
    assert pagination.decode(good, keys)[1] == 7
    for bad in (
        "",
        "x",
        pagination.encode([7, 7]),
        pagination.encode(["2026-01-01T00:00", 7]),
        pagination.encode([db.utcnow(), True]),
        pagination.encode([db.utcnow()]),
    ):
        with pytest.raises(pagination.BadCursor):
            pagination.decode(bad, keys)


def test_the_members_list_pages_by_name(app, make_user, make_org, add_member, monkeypatch):
    from assess.services import organisations as organisation_service

    monkeypatch.setattr(organisation_service, "MEMBERS_PER_PAGE", 3)
    admin = make_user(name="Aaron Admin")
    organisation = make_org(members={admin: "admin"})
    for n in range(6):
        add_member(make_user(name=f"Member {n}"), organisation, "respondent")
    # Two people with the same name: the account id keeps them apart.
    add_member(make_user(name="Member 3"), organisation, "respondent")
    client = app.test_client()
    login(client, admin)
    url = f"/organisations/{organisation.id}/members"
    name = re.compile(r"<td[^>]*><bdi[^>]*>((?:Aaron Admin|Member \d))</bdi>")
    pages = _walk(client, url, _NEXT, name)
    shown = [t for page in pages for t in page]
    assert shown == ["Aaron Admin", *[f"Member {n}" for n in range(4)], "Member 3", "Member 4",
                     "Member 5"]  # fmt: skip
    response = client.get(url, query_string={"after": "WzEsMl0"})
    assert response.status_code == 400
    assert "This page link is not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize("by_reference", [200, 0])
def test_members_sign_ins_are_in_the_trail_however_many_members(
    app, make_user, make_org, add_member, monkeypatch, by_reference
):
    """Named by reference for an ordinary membership, found by a look-up for a very large one:
    either way a member's sign-ins count from the day they joined, and only for their bodies."""
    monkeypatch.setattr(audit_trail, "_MEMBERS_BY_REFERENCE", by_reference)
    admin = make_user(name="Ada Admin")
    organisation = make_org(members={admin: "admin"})
    other_admin = make_user(name="Olu Other")
    other = make_org(members={other_admin: "admin"})
    client = app.test_client()
    login(client, admin)
    rows = _export(client, organisation.id)
    assert [r["action"] for r in rows if r["person"] == "Ada Admin"] == [audit.LOGIN_SUCCEEDED]
    other_client = app.test_client()
    login(other_client, other_admin)
    assert not [r for r in _export(other_client, other.id) if r["person"] == "Ada Admin"]
    add_member(admin, other, "respondent")  # joins after signing in: that sign-in stays out
    assert not [r for r in _export(other_client, other.id) if r["person"] == "Ada Admin"]


def test_a_link_past_the_end_shows_the_first_page(app, make_user, make_org):
    from assess import pagination

    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    with app.test_request_context():
        assessments.start(organisation.id, admin, "Only plan", current_questionnaires())
        past = pagination.encode([db.utcnow().replace(year=2000), 1])
        for cursor in ({"after": past}, {"before": pagination.encode([db.utcnow(), 10**9])}):
            window = assessments.organisation_page(organisation.id, **cursor)
            assert [a.title for a in window.items] == ["Only plan"]
            assert window.next_cursor is None and window.previous_cursor is None


def test_the_reports_list_pages_newest_first(app, make_user, make_org, monkeypatch):
    """Each stored report once, newest first, a page at a time (rows written directly: the list
    reads the stored details, never the PDF)."""
    import hashlib
    from datetime import timedelta

    from assess.models import StoredReport
    from assess.services import finalising

    monkeypatch.setattr(finalising, "REPORTS_PER_PAGE", 3)
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    other = make_org()
    with app.test_request_context():
        start = db.utcnow()
        for owner, count in ((organisation, 7), (other, 2)):
            for n in range(count):
                assessment = assessments.start(
                    owner.id, admin, f"Year {n:02d}", current_questionnaires()
                )
                assessment.status = "finalised"
                assessment.finalised_at = start
                pdf = f"%PDF-1.7 report {owner.id}-{n}".encode()
                db.session().add(
                    StoredReport(
                        assessment=assessment,
                        report_id=f"R-{owner.id}-{n:02d}",
                        sha256=hashlib.sha256(pdf).hexdigest(),
                        data_sha256=hashlib.sha256(pdf + b"data").hexdigest(),
                        pdf=pdf,
                        size=len(pdf),
                        # Two finalised at the very same moment: the id breaks the tie.
                        created_at=start + timedelta(minutes=min(n, 5)),
                    )
                )
        db.session().commit()
    client = app.test_client()
    login(client, admin)
    url = f"/organisations/{organisation.id}/reports"
    report = re.compile(r">Report (R-\d+-\d\d)</h2>")
    pages = _walk(client, url, _NEXT, report)
    shown = [r for page in pages for r in page]
    ours = [f"R-{organisation.id}-{n:02d}" for n in range(7)]
    assert sorted(shown) == ours and len(set(shown)) == 7
    assert [len(p) for p in pages] == [3, 3, 1]
    assert shown[0] == ours[6] and shown[-1] == ours[0]
    second = _NEXT.search(client.get(url).get_data(as_text=True)).group(1)
    last = _NEXT.search(client.get(html.unescape(second)).get_data(as_text=True)).group(1)
    back = _walk(client, last, _PREVIOUS, report)
    assert [r for page in reversed(back) for r in page] == shown
    response = client.get(url, query_string={"after": "W10"})
    assert response.status_code == 400
    assert "This page link is not valid" in response.get_data(as_text=True)


def test_the_workshops_list_pages_newest_first(app, make_user, make_org, monkeypatch):
    from assess.services import workshops

    monkeypatch.setattr(workshops, "SESSIONS_PER_PAGE", 2)
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    with app.test_request_context():
        assessment = assessments.start(organisation.id, admin, "Plan", current_questionnaires())
        for n in range(5):
            workshops.open_session(assessment, admin, f"Room {n}")
        assessment_id = assessment.id
    client = app.test_client()
    login(client, admin)
    url = f"/assessments/{assessment_id}/workshops"
    room = re.compile(r">(Room \d)</a></th>")
    pages = _walk(client, url, _NEXT, room)
    assert pages == [["Room 4", "Room 3"], ["Room 2", "Room 1"], ["Room 0"]]
    response = client.get(url, query_string={"before": "%%%"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "This page link is not valid" in text and "Room 4" in text
    # A refused name keeps the list and the message about the name.
    token = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)
    refused = client.post(url, data={"csrf_token": token, "title": "   "})
    assert refused.status_code == 400
    assert "Room 4" in refused.get_data(as_text=True)
