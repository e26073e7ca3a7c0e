"""Finalising: an admin confirms, the report is stored once, and every later download is the same
file, without rendering, across restarts; the answers can no longer change by any route."""

from __future__ import annotations

import hashlib
import io

import pikepdf
import pytest
from factories import org_factory, user_factory
from finalise_helpers import answered_draft, finalise
from helpers import login, post
from report_helpers import page_texts
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from assess import access, db
from assess.models import AnswerRecord, Assessment, StoredReport
from assess.questionnaire.answers import Answer
from assess.services import assessments, finalising, reports
from assess.services.assessments import AssessmentClosed, Submission


@pytest.fixture
def setup(app, make_user, make_org):
    """An organisation with an admin, a respondent and an auditor, and an answered draft."""
    return _answered_draft(app, make_user, make_org)


def _finalised(app):
    """:func:`setup`'s draft, finalised by the admin: the set-up and the stored report."""
    prepared = _answered_draft(app, user_factory(app), org_factory(app))
    return prepared, finalise(app, prepared["assessment_id"], prepared["admin"])


@pytest.fixture
def finalised(load_snapshot):
    """:func:`_finalised`, finalised once per worker and copied for each test."""
    return load_snapshot(_finalised)


def _answered_draft(app, make_user, make_org):
    admin = make_user(name="Ada Admin")
    respondent, auditor = make_user(name="Rhys Respondent"), make_user(name="Aud Itor")
    org = make_org(
        name="Testshire Council",
        members={admin: "admin", respondent: "respondent", auditor: "auditor"},
    )
    return {
        "org": org,
        "admin": admin,
        "respondent": respondent,
        "auditor": auditor,
        "assessment_id": answered_draft(app, org, admin),
    }


def _no_rendering(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a finalised report must be served as stored, not rendered")

    monkeypatch.setattr(reports, "render", refuse)
    monkeypatch.setattr(reports, "render_report", refuse)


def _answers(app, assessment_id):
    with app.app_context():
        records = db.session().scalars(
            select(AnswerRecord).where(AnswerRecord.assessment_id == assessment_id)
        )
        return sorted(
            (r.questionnaire_id, r.question_id, r.status, repr(r.value), r.note, r.revision)
            for r in records
        )


# ---- the confirmation -------------------------------------------------------------------------


def test_the_confirmation_lists_what_is_unanswered_with_links_back(client, setup):
    login(client, setup["admin"])
    page = client.get(f"/assessments/{setup['assessment_id']}/finalise")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Once finalised, answers cannot change." in html
    assert "To correct it later you open a correction, which becomes a new version." in html
    # Only the leadership section is answered: the rest of adoption, and the other two
    # questionnaires, are listed, each with a link back to its section.
    assert "Definition" in html or "definition" in html
    assert f'href="/assessments/{setup["assessment_id"]}/adoption/strategy"' in html
    assert f'href="/assessments/{setup["assessment_id"]}/adoption/leadership"' not in html
    assert f'href="/assessments/{setup["assessment_id"]}/adoption/check"' in html


def test_unanswered_names_each_open_question_and_skips_answered_ones(app, setup):
    with app.app_context():
        assessment = db.session().get(Assessment, setup["assessment_id"])
        groups = {g.questionnaire_id: g for g in finalising.unanswered(assessment)}
        qset = assessments.questionnaires_of(assessment)
    assert set(groups) == {"definition", "model-fit", "adoption"}
    adoption_open = {q.question_id for q in groups["adoption"].questions}
    leadership = {q.id for q in qset.adoption.section("leadership").questions}
    assert not adoption_open & leadership
    assert adoption_open
    assert all(q.text and q.section_title for q in groups["adoption"].questions)


@pytest.mark.parametrize("role", ["respondent", "auditor"])
def test_only_admins_may_finalise(app, setup, role):
    client = app.test_client()
    login(client, setup[role])
    url = f"/assessments/{setup['assessment_id']}/finalise"
    assert client.get(url).status_code == 403
    assert post(client, url).status_code == 403
    with app.app_context():
        assert db.session().get(Assessment, setup["assessment_id"]).status == "draft"
        assert db.session().scalar(select(StoredReport)) is None


def test_finalising_needs_the_form_token(client, setup):
    login(client, setup["admin"])
    response = client.post(f"/assessments/{setup['assessment_id']}/finalise")
    assert response.status_code == 400
    assert _assessment_status(client.application, setup["assessment_id"]) == "draft"


def _assessment_status(app, assessment_id):
    with app.app_context():
        return db.session().get(Assessment, assessment_id).status


# ---- finalising and downloading --------------------------------------------------------------


def test_an_admin_finalises_and_the_report_is_stored_with_its_hash(app, client, setup):
    login(client, setup["admin"])
    response = post(client, f"/assessments/{setup['assessment_id']}/finalise")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisations/{setup['org'].id}/reports"
    with app.app_context():
        assessment = db.session().get(Assessment, setup["assessment_id"])
        stored = finalising.stored_report(assessment)
        assert assessment.status == "finalised"
        assert assessment.finalised_at is not None
        assert assessment.finalised_by_id == setup["admin"].id
        assert stored.report_id == f"R-{assessment.finalised_at:%Y}-{assessment.id:06d}"
        assert stored.sha256 == hashlib.sha256(stored.pdf).hexdigest()
        assert stored.size == len(stored.pdf)
        with pikepdf.open(io.BytesIO(stored.pdf)) as pdf:
            data = pdf.attachments["assessment.json"].get_file().read_bytes()
        assert stored.data_sha256 == hashlib.sha256(data).hexdigest()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert stored.report_id in page
    assert stored.sha256 in page
    assert "Current" in page


def test_downloads_are_identical_bytes_served_without_rendering_even_after_a_restart(
    app, make_app, finalised, monkeypatch
):
    setup, stored = finalised
    _no_rendering(monkeypatch)
    url = f"/assessments/{setup['assessment_id']}/report.pdf"
    client = app.test_client()
    login(client, setup["admin"])
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == stored.pdf
    assert first.headers["ETag"] == f'"{stored.sha256}"'
    assert first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"].startswith("attachment;")

    # A "restart": a new application object on the same database, with a new client.
    restarted = make_app(DATABASE_URL=app.config["DATABASE_URL"])
    other = restarted.test_client()
    login(other, setup["auditor"])
    after = other.get(url)
    assert after.status_code == 200
    assert after.data == stored.pdf
    assert hashlib.sha256(after.data).hexdigest() == stored.sha256


def test_the_data_download_is_the_json_inside_the_stored_pdf(app, client, finalised, monkeypatch):
    setup, stored = finalised
    _no_rendering(monkeypatch)
    monkeypatch.setattr(reports, "data", lambda *_: b"rendered, not stored")
    login(client, setup["auditor"])
    body = client.get(f"/assessments/{setup['assessment_id']}/report.json").data
    with pikepdf.open(io.BytesIO(stored.pdf)) as pdf:
        assert body == pdf.attachments["assessment.json"].get_file().read_bytes()
    assert hashlib.sha256(body).hexdigest() == stored.data_sha256


def test_the_report_says_finalised_with_its_id_and_data_fingerprint(app, finalised):
    _setup, stored = finalised
    pages = page_texts(stored.pdf)
    for number, page in enumerate(pages, start=1):
        flat = page.replace("\n", "")
        assert stored.report_id in flat, f"page {number}"
        assert stored.data_sha256[:16] in flat, f"page {number}"
        assert "DRAFT" not in page, f"page {number}"


def test_the_command_writes_the_stored_file(app, runner, finalised, tmp_path, monkeypatch):
    setup, stored = finalised
    _no_rendering(monkeypatch)
    target = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", str(setup["assessment_id"]), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == stored.pdf
    assert stored.report_id in result.output


def test_if_rendering_fails_nothing_changes(app, setup, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(reports, "render_report", broken)
    with app.app_context():
        assessment = db.session().get(Assessment, setup["assessment_id"])
        with pytest.raises(RuntimeError):
            finalising.finalise(assessment, setup["admin"])
    with app.app_context():
        assert db.session().get(Assessment, setup["assessment_id"]).status == "draft"
        assert db.session().scalar(select(StoredReport)) is None


def test_answers_saved_while_the_report_was_rendered_stop_the_finalising(app, setup, monkeypatch):
    real_render = reports.render

    def render_while_a_colleague_saves(assessment, **kwargs):
        rendered = real_render(assessment, **kwargs)
        with app.app_context():  # the colleague's own request
            theirs = db.session().get(Assessment, assessment.id)
            question = assessments.questionnaires_of(theirs).adoption.section("strategy")
            first = question.questions[0].id
            assert assessments.save_answers(
                theirs, setup["respondent"], "adoption", {first: Submission(Answer(first, value=2))}
            ).ok
        return rendered

    monkeypatch.setattr(reports, "render", render_while_a_colleague_saves)
    with app.app_context():
        assessment = db.session().get(Assessment, setup["assessment_id"])
        with pytest.raises(finalising.FinaliseError, match="changed while"):
            finalising.finalise(assessment, setup["admin"])
    with app.app_context():
        assert db.session().get(Assessment, setup["assessment_id"]).status == "draft"
        assert db.session().scalar(select(StoredReport)) is None


def test_finalising_twice_is_refused(app, finalised):
    setup, _stored = finalised
    with app.app_context():
        assessment = db.session().get(Assessment, setup["assessment_id"])
        with pytest.raises(AssessmentClosed):
            finalising.finalise(assessment, setup["admin"])
    client = app.test_client()
    login(client, setup["admin"])
    response = post(client, f"/assessments/{setup['assessment_id']}/finalise")
    assert response.status_code == 302
    with app.app_context():
        assert len(db.session().scalars(select(StoredReport)).all()) == 1


# ---- answers cannot change -------------------------------------------------------------------


def test_the_service_refuses_to_change_a_finalised_assessments_answers(app, finalised):
    setup, _stored = finalised
    before = _answers(app, setup["assessment_id"])
    with app.app_context():
        assessment = db.session().get(Assessment, setup["assessment_id"])
        first = assessments.questionnaires_of(assessment).adoption.section("leadership")
        qid = first.questions[0].id
        with pytest.raises(AssessmentClosed):
            assessments.save_answers(
                assessment, setup["admin"], "adoption", {qid: Submission(None, base_revision=1)}
            )
        with pytest.raises(AssessmentClosed):
            assessments.choose_models(assessment, setup["admin"], ["citizen"], "because")
    assert _answers(app, setup["assessment_id"]) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE answer SET note = 'changed later' WHERE assessment_id = :id",
        "DELETE FROM answer WHERE assessment_id = :id",
        "INSERT INTO answer (assessment_id, questionnaire_id, question_id, status, note, revision,"
        " source, updated_at) VALUES (:id, 'adoption', 'extra', 'answered', '', 1, 'online',"
        " CURRENT_TIMESTAMP)",
        "UPDATE assessment SET status = 'draft' WHERE id = :id",
        "UPDATE assessment SET chosen_models = NULL, title = 'Renamed' WHERE id = :id",
    ],
)
def test_the_database_refuses_to_change_a_finalised_assessment(app, finalised, statement):
    setup, _stored = finalised
    before = _answers(app, setup["assessment_id"])
    with app.app_context(), db.engine(app).connect() as connection:
        with pytest.raises(DatabaseError, match="cannot change"):
            connection.execute(text(statement), {"id": setup["assessment_id"]})
        connection.rollback()
    assert _answers(app, setup["assessment_id"]) == before
    assert _assessment_status(app, setup["assessment_id"]) == "finalised"


def test_the_database_still_lets_a_draft_change(app, setup):
    with app.app_context(), db.engine(app).begin() as connection:
        changed = connection.execute(
            text("UPDATE answer SET note = 'still a draft' WHERE assessment_id = :id"),
            {"id": setup["assessment_id"]},
        )
        assert changed.rowcount > 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE stored_report SET pdf = :junk",
        "UPDATE stored_report SET sha256 = 'f00'",
        "DELETE FROM stored_report",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_stored_report(app, finalised, statement):
    _setup, stored = finalised
    with app.app_context(), db.engine(app).connect() as connection:
        with pytest.raises(DatabaseError, match="stored report cannot change"):
            connection.execute(text(statement), {"junk": b"%PDF-junk"})
        connection.rollback()
    with app.app_context():
        assert db.session().scalar(select(StoredReport)).pdf == stored.pdf


def test_no_route_changes_an_answer_of_a_finalised_assessment(
    app, finalised, make_user, add_member
):
    """Every POST route about an assessment, now and later ones, tried by an admin."""
    setup, _stored = finalised
    before = _answers(app, setup["assessment_id"])
    with app.app_context():
        assessment = db.session().get(Assessment, setup["assessment_id"])
        qset = assessments.questionnaires_of(assessment)
        leadership = qset.adoption.section("leadership")
    values = {
        "assessment_id": setup["assessment_id"],
        "org_id": setup["org"].id,
        "questionnaire_id": "adoption",
        "section_id": "leadership",
        "question_id": leadership.questions[0].id,
        "segment_id": "residents",
    }
    # Whatever an answering form might send: a new level, "not applicable", a note, an empty
    # value that would clear the answer.
    payload = {"level": "1", "value": "1", "status": "not_applicable", "note": "changed"}
    for question in leadership.questions:
        payload |= {f"q_{question.id}": "1", f"note_{question.id}": "changed", question.id: "1"}
        payload |= {f"q_{question.id}-value": "1", f"q_{question.id}-note": "changed"}
    client = app.test_client()
    login(client, setup["admin"])
    tried = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or "assessment_id" not in rule.arguments:
            continue
        declared = access.rule_of(app.view_functions[rule.endpoint])
        assert declared is not None and declared.kind == access.PERMISSION, rule.rule
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: give this test a value for {sorted(missing)}"
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        response = post(client, url, payload)
        assert response.status_code < 500, (rule.rule, response.status_code)
        tried.append(rule.endpoint)
        assert _answers(app, setup["assessment_id"]) == before, rule.rule
        with app.app_context():
            still = db.session().get(Assessment, setup["assessment_id"])
            assert still.status == "finalised", rule.rule
    assert {"finalising.finalise", "finalising.correction"} <= set(tried)


def test_the_overview_offers_admins_the_finalise_page(app, setup):
    from helpers import login

    client = app.test_client()
    login(client, setup["admin"])
    url = f"/assessments/{setup['assessment_id']}"
    assert f"{url}/finalise" in client.get(url).get_data(as_text=True)
    respondent = app.test_client()
    login(respondent, setup["respondent"])
    assert f"{url}/finalise" not in respondent.get(url).get_data(as_text=True)
