"""The model is the organisation's choice: the choice page ticks nothing before a choice exists,
the chart never calls a model chosen before then, and the page says what is recommended and why."""

from __future__ import annotations

import re

import pytest
from answering import answer_section, start
from helpers import login, post

from assess.figures import fit_rows
from assess.services import assessments
from assess.services.questionnaires import current_questionnaires


@pytest.fixture
def answered(app, client, make_user, make_org):
    """An assessment whose definition and model-fit questions are answered, no model chosen."""
    alice = make_user(name="Alice Adams")
    org = make_org(members={alice: "admin"})
    login(client, alice)
    assessment_id = start(client, org.id)
    with app.app_context():
        qset = current_questionnaires()
    for kind, questionnaire in (("definition", qset.definition), ("model-fit", qset.model_fit)):
        for section in questionnaire.sections:
            answer_section(app, client, assessment_id, kind, section.id)
    with app.app_context():
        result = assessments.score(assessments.get(assessment_id))
        recommended = list(result.fit.recommendation.model_ids)
        names = {m.model_id: m.name for m in result.fit.models}
    return {"id": assessment_id, "recommended": recommended, "names": names}


def _chart_text(page: str) -> str:
    chart = page.split('id="fit-chart-title"', 1)[1].split("</svg>", 1)[0]
    return " ".join(re.findall(r">([^<>]+)</text>", chart))


def test_nothing_is_ticked_and_nothing_called_chosen_before_a_choice(client, answered):
    page = client.get(f"/assessments/{answered['id']}/choice").get_data(as_text=True)
    assert 'name="models"' in page
    assert not re.search(r'name="models" value="[^"]+" checked', page)
    assert "chosen" not in _chart_text(page)
    assert "recommended" in _chart_text(page)
    assert "Nothing is chosen yet" in page
    first = answered["names"][answered["recommended"][0]]
    assert f"Recommended from your answers: {first}" in page
    # Why: the answers that weighed most are listed.
    assert "The answers that weighed most" in page


def test_saving_without_choosing_asks_for_a_choice(client, answered):
    response = post(client, f"/assessments/{answered['id']}/choice", {})
    assert response.status_code == 400
    assert "Select the model the organisation will work to" in response.get_data(as_text=True)


def test_after_choosing_the_choice_is_ticked_and_charted(app, client, answered):
    response = post(
        client, f"/assessments/{answered['id']}/choice", {"models": answered["recommended"]}
    )
    assert response.status_code == 302
    page = client.get(f"/assessments/{answered['id']}/choice").get_data(as_text=True)
    for model_id in answered["recommended"]:
        assert f'value="{model_id}" checked' in page
    assert "recommended, chosen" in _chart_text(page)
    assert "Nothing is chosen yet" not in page


def test_fit_rows_call_a_model_chosen_only_when_the_body_chose_it(app, answered):
    with app.app_context():
        result = assessments.score(assessments.get(answered["id"]))
        assert result.chosen_models  # scoring still sets targets from the recommendation
        assert not any(row["chosen"] for row in fit_rows(result))
