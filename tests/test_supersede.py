"""Corrections: a finalised assessment is corrected by a new version with its answers copied;
finalising it supersedes the old one, whose report stays downloadable, verifiable and marked."""

from __future__ import annotations

import pytest
from factories import org_factory, user_factory
from finalise_helpers import answered_draft, correct, finalise
from helpers import login, post
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from assess import db
from assess.models import AnswerRecord, Assessment, StoredReport
from assess.questionnaire.answers import Answer
from assess.services import assessments, finalising, organisations
from assess.services.assessments import Submission


def _first(app):
    """Version 1, finalised, of an assessment of "Testshire Council"."""
    make_user, make_org = user_factory(app), org_factory(app)
    admin, respondent, auditor = make_user(name="Ada Admin"), make_user(), make_user()
    org = make_org(
        name="Testshire Council",
        members={admin: "admin", respondent: "respondent", auditor: "auditor"},
    )
    assessment_id = answered_draft(app, org, admin)
    with app.app_context():
        assessment = db.session().get(Assessment, assessment_id)
        assessments.choose_models(assessment, admin, ["citizen"], "Our statutory duties")
    report = finalise(app, assessment_id, admin)
    return {
        "org": org,
        "admin": admin,
        "respondent": respondent,
        "auditor": auditor,
        "assessment_id": assessment_id,
        "report": report,
    }


@pytest.fixture
def first(load_snapshot):
    """:func:`_first`, finalised once per worker and copied for each test."""
    return load_snapshot(_first)


def _records(app, assessment_id):
    with app.app_context():
        return {
            (r.questionnaire_id, r.question_id): r
            for r in db.session().scalars(
                select(AnswerRecord).where(AnswerRecord.assessment_id == assessment_id)
            )
        }


def test_an_admin_opens_a_correction_prefilled_with_every_answer(app, first):
    client = app.test_client()
    login(client, first["admin"])
    response = post(client, f"/assessments/{first['assessment_id']}/correction")
    assert response.status_code == 302
    with app.app_context():
        old = db.session().get(Assessment, first["assessment_id"])
        new = finalising.open_correction_of(old)
        assert new.status == "draft"
        assert new.version == 2
        assert new.supersedes_id == old.id
        assert new.title == old.title
        assert new.chosen_models == ["citizen"]
        assert new.choice_reason == "Our statutory duties"
        assert (new.adoption_version_id, new.definition_version_id) == (
            old.adoption_version_id,
            old.definition_version_id,
        )
        assert old.status == "finalised"  # until the correction is finalised
    old_records, new_records = _records(app, first["assessment_id"]), _records(app, new.id)
    assert set(old_records) == set(new_records)
    for key, record in new_records.items():
        assert record.source == "copied"
        assert (record.status, record.value, record.note) == (
            old_records[key].status,
            old_records[key].value,
            old_records[key].note,
        )
        assert record.updated_by_id == old_records[key].updated_by_id


def test_there_is_only_one_open_correction(app, first):
    one = correct(app, first["assessment_id"], first["admin"])
    two = correct(app, first["assessment_id"], first["admin"])
    assert one == two
    with app.app_context(), db.engine(app).connect() as connection:
        # The database agrees: a second version 2 of the same assessment is refused.
        with pytest.raises(DatabaseError):
            connection.execute(
                text(
                    "INSERT INTO assessment (organisation_id, title, status, version,"
                    " supersedes_id, definition_version_id, model_fit_version_id,"
                    " adoption_version_id, created_at, updated_at)"
                    " SELECT organisation_id, title, 'draft', 2, id, definition_version_id,"
                    " model_fit_version_id, adoption_version_id, created_at, updated_at"
                    " FROM assessment WHERE id = :id"
                ),
                {"id": first["assessment_id"]},
            )
        connection.rollback()


def test_a_draft_cannot_be_corrected(app, first):
    draft_id = correct(app, first["assessment_id"], first["admin"])
    with app.app_context():
        draft = db.session().get(Assessment, draft_id)
        with pytest.raises(finalising.CorrectionError):
            finalising.open_correction(draft, first["admin"])


@pytest.mark.parametrize("role", ["respondent", "auditor"])
def test_only_admins_may_open_a_correction(app, first, role):
    client = app.test_client()
    login(client, first[role])
    assert post(client, f"/assessments/{first['assessment_id']}/correction").status_code == 403
    with app.app_context():
        old = db.session().get(Assessment, first["assessment_id"])
        assert finalising.open_correction_of(old) is None


def test_finalising_a_correction_supersedes_the_old_report_which_stays_verifiable(
    app, client, first
):
    new_id = correct(app, first["assessment_id"], first["admin"])
    with app.app_context():
        new = db.session().get(Assessment, new_id)
        qid = assessments.questionnaires_of(new).adoption.section("leadership").questions[0].id
        assert assessments.save_answers(
            new, first["admin"], "adoption", {qid: Submission(Answer(qid, value=5), 1)}
        ).ok
    login(client, first["admin"])
    response = post(client, f"/assessments/{new_id}/finalise")
    assert response.status_code == 302
    with app.app_context():
        old = db.session().get(Assessment, first["assessment_id"])
        old_report = finalising.stored_report(old)
        new_report = finalising.stored_report(db.session().get(Assessment, new_id))
        assert old.status == "superseded"
        assert old_report.superseded_by_id == new_report.id
        assert old_report.superseded_at is not None
        assert old_report.pdf == first["report"].pdf  # never re-rendered, never deleted
        # The old one's answers are as they were; the correction's changed.
        assert _records(app, old.id)[("adoption", qid)].value == 3
        assert _records(app, new_id)[("adoption", qid)].value == 5

    # The old file still verifies, and says by which report it was superseded.
    with app.app_context():
        result = finalising.verify(first["report"].pdf)
    assert result.verified
    assert result.outcome == "superseded"
    assert result.superseded_by == new_report.report_id
    assert result.version == 1
    assert "superseded by report " + new_report.report_id in result.summary()

    # It is still downloadable, byte for byte, and the list marks it.
    auditor = app.test_client()
    login(auditor, first["auditor"])
    old_download = auditor.get(f"/assessments/{first['assessment_id']}/report.pdf")
    assert old_download.status_code == 200
    assert old_download.data == first["report"].pdf
    listing = auditor.get(f"/organisations/{first['org'].id}/reports").get_data(as_text=True)
    assert f"Superseded by {new_report.report_id}" in listing
    assert listing.count("Current") >= 1
    assert first["report"].report_id in listing and new_report.report_id in listing


def test_the_verify_command_says_superseded_and_still_exits_0(app, first, tmp_path):
    new_id = correct(app, first["assessment_id"], first["admin"])
    new_report = finalise(app, new_id, first["admin"])
    path = tmp_path / "old.pdf"
    path.write_bytes(first["report"].pdf)
    result = app.test_cli_runner().invoke(args=["report", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert f"It has been superseded by report {new_report.report_id}." in result.output
    assert "superseded:   by report" in result.output


def test_a_superseded_assessment_cannot_be_corrected_again_and_the_current_one_can(app, first):
    new_id = correct(app, first["assessment_id"], first["admin"])
    finalise(app, new_id, first["admin"])
    with app.app_context():
        old = db.session().get(Assessment, first["assessment_id"])
        # Its correction exists already: asking again gives that one, never a second version 2.
        assert finalising.open_correction(old, first["admin"]).id == new_id
    third = correct(app, new_id, first["admin"])
    with app.app_context():
        assert db.session().get(Assessment, third).version == 3


def test_the_database_keeps_a_superseded_report_superseded(app, first):
    new_id = correct(app, first["assessment_id"], first["admin"])
    finalise(app, new_id, first["admin"])
    with app.app_context(), db.engine(app).connect() as connection:
        with pytest.raises(DatabaseError, match="stored report cannot change"):
            connection.execute(
                text("UPDATE stored_report SET superseded_at = NULL, superseded_by_id = NULL")
            )
        connection.rollback()
        with pytest.raises(DatabaseError, match="cannot change"):
            connection.execute(
                text("UPDATE assessment SET status = 'finalised' WHERE id = :id"),
                {"id": first["assessment_id"]},
            )
        connection.rollback()
    with app.app_context():
        assert (
            db.session()
            .scalar(
                select(StoredReport).where(StoredReport.assessment_id == first["assessment_id"])
            )
            .is_superseded
        )


def test_an_organisation_with_finalised_reports_keeps_them(app, first):
    with app.app_context():
        organisation = organisations.get(first["org"].id)
        with pytest.raises(DatabaseError):
            organisations.delete(organisation)
        db.session().rollback()
        assert db.session().scalar(select(StoredReport)).pdf == first["report"].pdf
