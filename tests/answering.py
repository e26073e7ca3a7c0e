"""Helpers for the answering tests: start an assessment, read a page's hidden fields, and fill in
sections the way a person would."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from helpers import post

from assess.questionnaire.schema import (
    LevelQuestion,
    MultipleQuestion,
    Question,
    RegisterQuestion,
    SingleQuestion,
    TextQuestion,
)
from assess.services import assessments

_HIDDEN = re.compile(r'<input type="hidden" name="(q_[^"]+)" value="([^"]*)"')


def start(client: FlaskClient, org_id: int, title: str = "Stakeholders 2026") -> int:
    """Start an assessment through the form; returns its id."""
    response = post(client, f"/organisations/{org_id}/assessments", {"title": title})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.match(r"/assessments/(\d+)/", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def hidden_fields(html: str) -> dict[str, str]:
    """The revision and fingerprint fields a section page carries, by name."""
    return dict(_HIDDEN.findall(html))


def section_url(assessment_id: int, questionnaire_id: str, section_id: str) -> str:
    """The address of one section."""
    return f"/assessments/{assessment_id}/{questionnaire_id}/{section_id}"


def submit(
    client: FlaskClient, url: str, answers: dict[str, Any], action: str = "save", **kwargs: Any
):
    """Open the section at ``url`` and send it with ``answers`` (field name -> value), as a browser
    sends the page: with every hidden field it carries."""
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)
    data: dict[str, Any] = {**hidden_fields(page.get_data(as_text=True)), **answers}
    data["action"] = action
    return post(client, url, data, **kwargs)


def answer_for(question: Question, seed: int = 0) -> dict[str, Any]:
    """Form fields answering ``question`` plausibly (``seed`` varies the choice)."""
    name = f"q_{question.id}"
    if isinstance(question, SingleQuestion):
        return {name: question.options[seed % len(question.options)].id}
    if isinstance(question, MultipleQuestion):
        return {name: [question.options[seed % len(question.options)].id]}
    if isinstance(question, LevelQuestion):
        return {name: str(seed % 5 + 1), f"{name}__note": "Minutes of the senior team"}
    if isinstance(question, TextQuestion):
        return {name: "Residents, and in some teams customers."}
    assert isinstance(question, RegisterQuestion)
    fields: dict[str, Any] = {}
    for n, segment in enumerate(question.segments):
        for attribute in question.attributes:
            option = attribute.options[(n + seed) % len(attribute.options)]
            fields[f"{name}__{segment.id}__{attribute.id}"] = option.id
    return fields


def answer_section(
    app: Flask, client: FlaskClient, assessment_id: int, questionnaire_id: str, section_id: str
) -> Any:
    """Answer every question the page shows, saving until the page moves on; returns the last
    response (a redirect to the next page)."""
    url = section_url(assessment_id, questionnaire_id, section_id)
    with app.app_context():
        assessment = assessments.get(assessment_id)
        assert assessment is not None
        section = assessments.questionnaires_of(assessment).by_id(questionnaire_id)
        section = section.section(section_id)
    for _attempt in range(3):
        html = client.get(url).get_data(as_text=True)
        fields: dict[str, Any] = {}
        for question in section.questions:
            shown = f'id="question-{question.id}"' in html and not re.search(
                rf'id="question-{question.id}"[^>]*\shidden[>\s]', html
            )
            if shown:
                fields.update(answer_for(question, len(question.id)))
        response = submit(client, url, fields)
        assert response.status_code == 302, response.get_data(as_text=True)
        if not response.headers["Location"].startswith(url + "?new="):
            return response
    raise AssertionError(f"{url} kept showing new questions")
