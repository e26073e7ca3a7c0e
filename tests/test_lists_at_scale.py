"""Pages that stay cheap as data grows: the results page's statements do not grow with the register
or with the number of people who answered; the audit trail's CSV is complete, reads a constant
number of statements however long the trail, and never ends as if complete when it is not."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from helpers import login
from scoring_helpers import row
from sqlalchemy import event, func, select

from assess import audit, db
from assess.models import AuditEvent
from assess.questionnaire.answers import Answer
from assess.services import assessments, audit_trail
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
    assert small <= 20


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
    monkeypatch.setattr(audit_trail, "EXPORT_BATCH", 7)
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
    calls = {"n": 0}
    real_json = audit_trail._json

    def failing(value):
        calls["n"] += 1
        if calls["n"] > 30:
            raise RuntimeError("the database went away")
        return real_json(value)

    monkeypatch.setattr(audit_trail, "_json", failing)
    lines = []
    with app.test_request_context(), pytest.raises(RuntimeError):
        for line in audit_trail.csv_lines(organisation, audit_trail.Filters()):
            lines.append(line)
    assert lines[-1].startswith("ERROR: the export stopped after 10 events and is incomplete")
    assert len(lines) == 1 + 10 + 1
