"""An autosave costs little: one connection, a handful of statements, and no re-reading of the
stored questionnaires or of the answers it has just written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from helpers import login
from sqlalchemy import event
from workshop_helpers import answer_level, join, open_room

from assess import db
from assess.services import assessments
from assess.services.questionnaires import current_questionnaires

_META = re.compile(r'name="csrf-token" content="([^"]+)"')


@contextmanager
def _counted(engine) -> Iterator[tuple[list[str], list[object]]]:
    """The SQL statements ``engine`` runs, and the connections it checks out, while open."""
    statements: list[str] = []
    checkouts: list[object] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    def checkout(*_args) -> None:
        checkouts.append(1)

    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "checkout", checkout)
    try:
        yield statements, checkouts
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "checkout", checkout)


def test_an_autosave_checks_out_once_and_runs_few_statements(app, make_user, make_org):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    with app.test_request_context():
        assessment = assessments.start(organisation.id, admin, "Plan", current_questionnaires())
        adoption = assessments.questionnaires_of(assessment).adoption
        questions = [q.id for _s, q in adoption.questions() if q.type == "level"][:3]
        assessment_id = assessment.id
    client = app.test_client()
    login(client, admin)
    token = _META.search(client.get("/").get_data(as_text=True)).group(1)
    revisions: dict[str, str] = {}

    def save(question_id: str, level: int):
        response = client.post(
            f"/assessments/{assessment_id}/adoption/answers/{question_id}",
            data={
                f"q_{question_id}": str(level),
                f"q_{question_id}__rev": revisions.get(question_id, ""),
            },
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        revisions[question_id] = str(body["revision"])
        return body

    save(questions[0], 1)  # the first save of a worker reads the questionnaires once
    engine = db.engine(app)
    with _counted(engine) as (statements, checkouts):
        first = save(questions[1], 2)  # a first answer: an INSERT
        changed = save(questions[0], 2)  # a changed answer: an UPDATE on its revision
    assert first["status"] == "saved" and first["revision"] == 1
    assert changed["status"] == "saved" and changed["revision"] == 2
    assert changed["answered"] == 2 and questions[0] in changed["visible"]
    assert changed["message"].startswith("Saved at ")
    assert len(checkouts) == 2, "one connection per request"
    assert not any("questionnaire_versions" in s for s in statements)
    # session + account, assessment, membership + organisation, the answers, the person, the
    # write, the assessment's time, the chain's lock, the event: 9 each; on PostgreSQL one more,
    # the assessment row's lock that keeps two processes saving at once from deadlocking.
    per_save = 10 if engine.dialect.name == "postgresql" else 9
    assert len(statements) <= 2 * per_save, statements


def test_a_participants_save_reads_once_and_does_not_read_back(app, make_user, make_org):
    """A workshop participant's save: the participant comes with their workshop, its assessment
    and the organisation in one query; the save reads the participant's answers once and the
    page's reply (visible questions, what was stored) comes from that read, not a second one."""
    room = open_room(app, make_user, make_org)
    device = join(app, room.code, "Pat")
    with app.test_request_context():
        assessment = assessments.get(room.assessment_id)
        leadership = assessments.questionnaires_of(assessment).adoption.section("leadership")
        questions = [q.id for q in leadership.questions if q.type == "level"][:2]
    first = answer_level(device, room.session_id, questions[0], 1)
    assert first.status_code == 200, first.get_data(as_text=True)
    engine = db.engine(app)
    with _counted(engine) as (statements, checkouts):
        new = answer_level(device, room.session_id, questions[1], 3)  # an INSERT
        changed = answer_level(device, room.session_id, questions[0], 2)  # an UPDATE
    assert new.status_code == 200 and changed.status_code == 200
    assert new.get_json()["status"] == "saved" and changed.get_json()["status"] == "saved"
    assert set(questions) <= set(changed.get_json()["visible"])
    assert len(checkouts) == 2, "one connection per request"
    # The participant with their workshop, assessment and organisation; their answers; the
    # write: three each (before: the organisation and the answers again after the commit).
    assert len(statements) == 6, statements
    assert sum(s.startswith("SELECT workshop_participant.") for s in statements) == 2
    assert sum("FROM workshop_answer" in s for s in statements) == 2
