"""Trends: each area against the previous finalised assessment (arrows and words), the chart over
all finalised assessments with their method versions, "not comparable" areas, and the PDF."""

from __future__ import annotations

import re

import pytest
from factories import org_factory, user_factory
from finalise_helpers import finalise
from helpers import login
from plan_helpers import assessment_with_gaps
from report_helpers import page_texts

from assess import db
from assess.models import User
from assess.questionnaire.answers import Answer, CriterionCheck
from assess.scoring import METHOD_VERSION
from assess.services import assessments, next_assessment, trends
from assess.services import questionnaires as questionnaire_service
from assess.services.questionnaires import current_questionnaires
from assess.trend_chart import trend_chart


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _raise_leadership(app, assessment_id, admin_id):
    """Answer every leadership practice at level 3, with its records confirmed."""
    with app.app_context():
        assessment = assessments.get(assessment_id)
        admin = db.session().get(User, admin_id)
        section = assessments.questionnaires_of(assessment).adoption.section("leadership")
        stored = assessments.stored_answers(assessment, "adoption")
        page = {}
        for q in section.questions:
            checks = tuple(
                CriterionCheck(3, n, True, "Cabinet minutes")
                for n in range(1, len(q.criteria_for(3)) + 1)
            )
            answer = Answer(q.id, value=3, note="Minutes", criteria=checks)
            page[q.id] = assessments.Submission(answer, stored[q.id].revision)
        assert assessments.save_answers(assessment, admin, "adoption", page).ok


def _two(app):
    """A finalised assessment and the next one, a draft with leadership raised to level 3."""
    admin = user_factory(app)()
    org = org_factory(app)(members={admin: "admin"})
    first = assessment_with_gaps(app, org, admin, title="Check 2025")
    finalise(app, first, admin)
    with app.app_context():
        started = next_assessment.start_next(
            assessments.get(first),
            db.session().get(User, admin.id),
            "Check 2026",
            current_questionnaires(),
        )
        second = started.assessment.id
    _raise_leadership(app, second, admin.id)
    return {"first": first, "second": second, "admin": admin}


@pytest.fixture
def two(app, load_snapshot):
    """:func:`_two` (made once per worker and copied for each test), with its admin signed in."""
    prepared = load_snapshot(_two)
    client = app.test_client()
    login(client, prepared["admin"])
    return {**prepared, "client": client}


def test_each_area_is_compared_with_the_last_finalised_assessment(app, two):
    with app.app_context():
        found = trends.trend(assessments.get(two["second"]))
        first_result = assessments.score(assessments.get(two["first"]))
    rows = {r["dimension_id"]: r for r in found["rows"]}
    assert rows["leadership"]["previous_floor"] == 2 and rows["leadership"]["current_floor"] == 3
    assert rows["leadership"]["floor_change"]["direction"] == "up"
    assert rows["leadership"]["floor_change"]["text"] == "up 1"
    others = [r for key, r in rows.items() if key != "leadership"]
    assert others and all(r["floor_change"]["direction"] == "same" for r in others)
    assert found["previous"]["title"] == "Check 2025"
    assert found["overall"]["previous_score"] == first_result.maturity.overall.maturity_score
    assert [p["label"].endswith("(draft)") for p in found["points"]] == [False, True]
    assert not found["method_changed"] and not found["not_comparable"]
    page = two["client"].get(f"/assessments/{two['second']}/results").get_data(as_text=True)
    row = re.search(
        r'<tr data-dimension="leadership">(.*?)</tr>', page.split('id="trend"')[1], re.S
    )
    cell = _text(row.group(1))
    assert "▲ up 1" in cell  # an arrow and words, not colour alone
    assert '<span aria-hidden="true">▲ </span>' in row.group(1)
    assert 'aria-labelledby="trend-chart-title trend-chart-desc"' in page
    assert f"method {METHOD_VERSION}" in page
    # The first assessment has nothing before it: no trend section.
    first_page = two["client"].get(f"/assessments/{two['first']}/results").get_data(as_text=True)
    assert 'id="trend"' not in first_page


def test_the_finalised_report_shows_the_trend(app, two):
    stored = finalise(app, two["second"], two["admin"])
    text = " ".join(" ".join(page_texts(stored.pdf)).split())
    assert "Since the last assessment" in text
    assert "up 1" in text
    assert (
        "Maturity over time" in stored.pdf.decode("latin-1") or f"method {METHOD_VERSION}" in text
    )
    # Once finalised, its results page still compares it with the one before.
    with app.app_context():
        found = trends.trend(assessments.get(two["second"]))
    assert found["previous"]["title"] == "Check 2025"
    assert [p["label"].endswith("(draft)") for p in found["points"]] == [False, False]


def test_an_area_whose_questions_changed_meaning_is_not_comparable(app, two):
    with app.app_context():
        second = assessments.get(two["second"])
        adoption = current_questionnaires().adoption
        section = adoption.section("leadership")
        question = section.questions[0]
        levels = dict(question.levels)
        levels[3] = levels[3].model_copy(update={"root": {"en": "A different practice"}})
        changed_question = question.model_copy(update={"levels": levels})
        changed_section = section.model_copy(
            update={"questions": [changed_question, *section.questions[1:]]}
        )
        changed = adoption.model_copy(
            update={
                "version": adoption.version + "-changed",
                "sections": [
                    changed_section if s.id == "leadership" else s for s in adoption.sections
                ],
            }
        )
        row = questionnaire_service.ensure_stored([changed])[changed.id]
        db.session().flush()
        second.adoption_version_id = row.id
        db.session().commit()
        found = trends.trend(assessments.get(two["second"]))
    rows = {r["dimension_id"]: r for r in found["rows"]}
    assert not rows["leadership"]["comparable"]
    assert rows["leadership"]["floor_change"]["text"] == "not comparable"
    assert found["not_comparable"] == [rows["leadership"]["title"]]
    assert all(r["comparable"] for key, r in rows.items() if key != "leadership")


def test_the_chart_marks_a_change_of_method():
    points = [
        {"label": "1 Nov 2024", "method_version": "1.0", "level": 2, "score": 2.4},
        {"label": "1 Nov 2025", "method_version": "2.0", "level": 2, "score": 2.1},
        {"label": "1 Nov 2026", "method_version": "2.0", "level": 3, "score": 3.0},
    ]
    svg = str(trend_chart(points, id_prefix="t"))
    assert svg.count("Method 2.0 from here") == 1
    assert "method 1.0</text>" in svg and svg.count("method 2.0</text>") == 2
    assert "the method changed to 2.0 at 1 Nov 2025" in svg
    assert 'role="img"' in svg and "<polyline" in svg
    same = str(trend_chart(points[1:], id_prefix="t"))
    assert "from here" not in same
