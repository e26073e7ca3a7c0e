"""The report downloads: a PDF and its JSON, for members and auditors of the organisation only."""

from __future__ import annotations

import io
import json

import pikepdf
import pytest
from helpers import login
from report_helpers import page_texts
from sqlalchemy import select

from assess import db
from assess.models import User
from assess.questionnaire.answers import Answer
from assess.reporting import data_fingerprint
from assess.services import assessments
from assess.services.questionnaires import current_questionnaires


@pytest.fixture
def answered(app, make_user, make_org):
    """A draft with a few answers, and its organisation's admin."""
    admin = make_user(name="Ada Admin")
    org = make_org(name="Testshire Council", members={admin: "admin"})
    with app.app_context():
        assessment = assessments.start(org.id, admin, "Annual check", current_questionnaires())
        qset = assessments.questionnaires_of(assessment)
        leadership = qset.adoption.section("leadership")
        assessments.save_answers(
            assessment,
            admin,
            "adoption",
            {
                q.id: assessments.Submission(Answer(q.id, value=3, note="<script>x</script>"))
                for q in leadership.questions
            },
        )
        return {"admin": admin, "org": org, "assessment_id": assessment.id}


def test_the_pdf_downloads_with_its_data_attached(app, client, answered):
    login(client, answered["admin"])
    response = client.get(f"/assessments/{answered['assessment_id']}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "testshire-council" in response.headers["Content-Disposition"]
    with pikepdf.open(io.BytesIO(response.data)) as pdf:
        embedded = pdf.attachments["assessment.json"].get_file().read_bytes()
    as_downloaded = client.get(f"/assessments/{answered['assessment_id']}/report.json")
    assert as_downloaded.status_code == 200
    assert as_downloaded.headers["Content-Disposition"].startswith("attachment;")
    assert json.loads(embedded) == json.loads(as_downloaded.data)
    assert embedded == as_downloaded.data
    data = json.loads(embedded)
    assert data["organisation"]["name"] == "Testshire Council"
    assert data["assessment"]["status"] == "draft"


def test_every_page_carries_the_fingerprint_of_the_embedded_data(app, client, answered):
    login(client, answered["admin"])
    body = client.get(f"/assessments/{answered['assessment_id']}/report.pdf").data
    with pikepdf.open(io.BytesIO(body)) as pdf:
        embedded = pdf.attachments["assessment.json"].get_file().read_bytes()
    fingerprint = data_fingerprint(json.loads(embedded))
    pages = page_texts(body)
    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        assert fingerprint[:16] in text.replace("\n", ""), f"page {number}"


def test_auditors_can_download_and_outsiders_cannot(app, make_user, add_member, answered):
    auditor, outsider = make_user(), make_user()
    add_member(auditor, answered["org"], "auditor")
    url = f"/assessments/{answered['assessment_id']}/report.json"
    reader = app.test_client()
    login(reader, auditor)
    assert reader.get(url).status_code == 200
    stranger = app.test_client()
    login(stranger, outsider)
    assert stranger.get(url).status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(url).status_code in (302, 401)


def test_the_report_command_writes_the_pdf(app, runner, answered, tmp_path):
    target = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", str(answered["assessment_id"]), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF-")
    assert "report.pdf" in result.output


def test_the_report_command_explains_an_unknown_assessment(runner, tmp_path):
    result = runner.invoke(args=["report", "999999", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "No assessment 999999" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_the_pdf_and_the_results_page_show_the_same_figures(app, runner):
    """The demo council's report and its results and recommendation pages agree."""
    assert runner.invoke(args=["demo", "--quick"]).exit_code == 0
    client = app.test_client()
    with app.app_context():
        auditor = db.session().scalar(select(User).where(User.email == "auditor@demo.example"))
        result = assessments.score(assessments.get(1))
    login(client, auditor, password="demo borough 2025")
    page = client.get("/assessments/1/results").get_data(as_text=True)
    pdf_text = " ".join(" ".join(page_texts(client.get("/assessments/1/report.pdf").data)).split())
    overall = f"{result.maturity.overall.level} ({result.maturity.overall.name})"
    assert overall in pdf_text
    assert f"Level {result.maturity.overall.level}" in page
    for dimension in result.maturity.dimensions:
        mean = f"{dimension.mean:.2f}"
        assert mean in page and mean in pdf_text, dimension.dimension_id
    recommendation = client.get("/assessments/1/choice").get_data(as_text=True)
    for model in result.fit.models:
        percent = f"{model.fit_percent:.1f}"
        assert percent in recommendation and percent in pdf_text, model.model_id
