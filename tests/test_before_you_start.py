"""Say how long it takes, and count honestly: a "before you start" panel on each questionnaire's
first page with an estimate worked out from the words and answers, progress that follows autosave,
and one name for each questionnaire on every page."""

from __future__ import annotations

import re

import pytest
from answering import hidden_fields, section_url, start
from helpers import login, post

from assess.questionnaire import effort
from assess.questionnaire.schema import Questionnaire
from assess.services.questionnaires import current_questionnaires


def _tiny(**question: object) -> Questionnaire:
    return Questionnaire.model_validate(
        {
            "id": "tiny",
            "version": "1",
            "kind": "model-fit",
            "title": {"en": "Two words"},
            "description": {"en": "three more words"},
            "sections": [
                {
                    "id": "one",
                    "title": {"en": "Section"},
                    "questions": [
                        {
                            "id": "q1",
                            "type": "single",
                            "text": {"en": "Is it so?"},
                            "options": [
                                {"id": "yes", "label": {"en": "Yes"}},
                                {"id": "no", "label": {"en": "No it isn't"}},
                            ],
                            **question,
                        }
                    ],
                }
            ],
        }
    )


def test_the_estimate_counts_the_words_read_and_the_answers_given():
    tiny = _tiny(guidance={"en": "Think about last year."})
    estimate = effort.estimate(tiny)
    # description 3 + section title 1 + question 3 + guidance 4 + options 1 + 3 ("isn't" is one)
    assert estimate.words == 15
    assert (estimate.questions, estimate.answers, estimate.evidence_notes) == (1, 1, 0)
    assert estimate.minutes == 5  # never less than 5


def test_the_shipped_questionnaires_take_what_their_words_and_answers_add_up_to(app):
    with app.app_context():
        qset = current_questionnaires()
    for questionnaire in qset:
        found = effort.estimate(questionnaire)
        exact = found.words / 200 + (found.answers * 20 + found.evidence_notes * 30) / 60
        assert found.minutes >= exact and found.minutes - exact < 5
        assert found.minutes % 5 == 0
    adoption = effort.estimate(qset.adoption)
    # Adoption is by far the longest: 36 level questions, each with five descriptions to read.
    assert adoption.evidence_notes == adoption.questions
    assert adoption.minutes > effort.estimate(qset.definition).minutes
    register = effort.estimate(qset.definition)
    assert register.answers > register.questions  # one answer per group and rating


@pytest.fixture
def draft(app, client, make_user, make_org):
    alice = make_user(name="Alice Adams")
    org = make_org(members={alice: "admin"})
    login(client, alice)
    return start(client, org.id)


def test_the_first_page_of_each_questionnaire_says_before_you_start(app, client, draft):
    with app.app_context():
        qset = current_questionnaires()
    for questionnaire, kind in ((qset.definition, "definition"), (qset.adoption, "adoption")):
        first = questionnaire.sections[0].id
        page = client.get(section_url(draft, kind, first)).get_data(as_text=True)
        minutes = effort.estimate(questionnaire).minutes
        assert "Before you start" in page
        assert f"It takes about {minutes} minutes." in page
        assert f"There are {effort.estimate(questionnaire).words:,} words to read" in page
        assert "Who should answer" in page and "What to have at hand" in page
        second = client.get(section_url(draft, kind, questionnaire.sections[1].id))
        assert "Before you start" not in second.get_data(as_text=True)
    overview = client.get(f"/assessments/{draft}").get_data(as_text=True)
    for questionnaire in qset:
        assert f"About {effort.estimate(questionnaire).minutes} minutes." in overview


def test_autosave_returns_the_new_count(app, client, draft):
    with app.app_context():
        scope = current_questionnaires().definition.sections[0]
        question = next(q for q in scope.questions if q.type == "single")
        option = question.options[0].id
    page = client.get(section_url(draft, "definition", scope.id)).get_data(as_text=True)
    before = re.search(r"(\d+) of (\d+) questions answered in this questionnaire", page)
    assert before.group(1) == "0"
    fields = hidden_fields(page)
    response = post(
        client,
        f"/assessments/{draft}/definition/answers/{question.id}",
        {
            f"q_{question.id}": option,
            **{k: v for k, v in fields.items() if k.startswith(f"q_{question.id}__")},
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["answered"] == 1
    assert body["total"] >= int(before.group(2))
    assert 'data-msg-progress="{answered} of {total} questions answered' in page


def test_each_questionnaire_has_one_name_on_every_page(app, client, draft):
    with app.app_context():
        qset = current_questionnaires()
    names = {"definition": "Definition", "model-fit": "Model fit", "adoption": "Adoption"}
    overview = client.get(f"/assessments/{draft}").get_data(as_text=True)
    start_page = client.get("/start").get_data(as_text=True)
    for questionnaire in qset:
        name = names[questionnaire.kind]
        section = client.get(
            section_url(draft, questionnaire.id, questionnaire.sections[0].id)
        ).get_data(as_text=True)
        check = client.get(f"/assessments/{draft}/{questionnaire.id}/check").get_data(as_text=True)
        for page in (section, check):
            caption = re.search(r'<p class="caption">(.*?)</p>', page, re.S).group(1)
            assert caption.rstrip().endswith(name), caption
            assert f"\N{EN DASH} {name} \N{EN DASH} assess</title>" in page
        assert f">{name}</a></h2>" in overview
        assert f"<span>{name}</span>" in start_page


def test_the_format_documentation_quotes_the_estimates_of_the_shipped_files(app):
    """docs/questionnaire-format.md gives each file's estimate: it must match the files."""
    from pathlib import Path

    text = " ".join(
        (Path(__file__).parent.parent / "docs" / "questionnaire-format.md").read_text().split()
    )
    with app.app_context():
        qset = current_questionnaires()
    for name, questionnaire in (
        ("definition", qset.definition),
        ("model fit", qset.model_fit),
        ("adoption", qset.adoption),
    ):
        found = effort.estimate(questionnaire)
        assert f"{name} about {found.minutes}" in text, name
        assert f"{found.words:,} words" in text, name
