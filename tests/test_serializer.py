"""The serializer's per-record functions (what the read API and CSV reuse): each record is its
model's columns by name, values written by the shared rules, and reads back to the same values."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assess import db
from assess.data_format import schema, serializer, values
from assess.models import AnswerRecord, Assessment, Organisation, User


@pytest.fixture
def demo(app, runner):
    assert runner.invoke(args=["demo", "--quick"]).exit_code == 0


def _assessment() -> Assessment:
    return db.session().scalars(select(Assessment)).first()


def test_records_are_the_columns_with_times_in_utc(app, demo):
    with app.app_context():
        assessment = _assessment()
        data = serializer.assessment_record(assessment)
        assert set(data) == {c.key for c in Assessment.__table__.columns}
        assert data["created_at"] == assessment.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert schema.record_validator("assessments").is_valid(data)
        organisation = serializer.organisation_record(assessment.organisation)
        assert organisation["name"] == "Demo Borough Council"


def test_a_record_reads_back_to_the_same_column_values(app, demo):
    with app.app_context():
        for model, key in ((Assessment, "assessments"), (AnswerRecord, "answers")):
            obj = db.session().scalars(select(model)).first()
            row = serializer.from_record(key, serializer.record(obj))
            assert row == {c.key: getattr(obj, c.key) for c in model.__table__.columns}


def test_people_leave_out_the_password_hash_unless_asked(app, demo):
    with app.app_context():
        user = db.session().scalars(select(User)).first()
        assert "password_hash" not in serializer.person_record(user)
        assert serializer.person_record(user, with_credentials=True)["password_hash"].startswith(
            "$argon2"
        )
        assert (
            serializer.from_record("people", serializer.person_record(user))["password_hash"]
            == serializer.NO_PASSWORD
        )


def test_answers_register_and_choice_of_an_assessment(app, demo):
    with app.app_context():
        assessment = _assessment()
        answers = serializer.answer_records(assessment)
        stored = (
            db.session()
            .scalars(select(AnswerRecord).where(AnswerRecord.assessment_id == assessment.id))
            .all()
        )
        assert len(answers) == len(stored) > 0
        assert all(schema.record_validator("answers").is_valid(a) for a in answers)
        register = serializer.register_records(assessment)
        assert register, "the demo has a stakeholder register"
        assert {"segment_id", "power", "regard", "engagement", "position"} <= set(register[0])
        assert [r["position"] for r in register] == list(range(len(register)))
        choice = serializer.choice_record(assessment)
        assert choice["assessment_id"] == assessment.id
        assert choice["chosen_models"] == assessment.chosen_models


def test_the_report_data_writes_answers_and_times_by_the_same_rules(app, demo):
    from assess.reporting import report_json
    from assess.services import reports

    with app.test_request_context():
        assessment = _assessment()
        data = report_json(reports.report_input(assessment))
        record = next(
            a for a in serializer.answer_records(assessment) if a["questionnaire_id"] == "adoption"
        )
        adoption = next(q for q in data["questionnaires"] if q["id"] == "adoption")
        entry = adoption["answers"][record["question_id"]]
        assert {k: entry[k] for k in ("status", "value", "note")} == values.answer_fields(
            record["status"], record["value"], record["note"]
        )
        assert entry["answered_at"] == values.utc_text_short(values.parse_utc(record["updated_at"]))


def test_an_organisation_has_every_kind_in_the_schema():
    records = schema.load()["properties"]["records"]
    # Kinds added after files of format 1 were first written are described but not required.
    kinds = serializer.keys()
    assert list(records["required"]) == [
        kind for kind in kinds if kind not in serializer.LATER_KINDS
    ]
    assert sorted(records["properties"]) == sorted(kinds)
    assert Organisation in {kind.model for kind in serializer.KINDS}
