"""Helpers for the workshop tests: a facilitator with an assessment, opening a session through
the pages, and participants joining from their own devices (test clients)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from helpers import login, post

from assess.services import assessments
from assess.services.questionnaires import current_questionnaires

_CODE = re.compile(r"data-join-code>([0-9A-Z-]+)<")


@dataclass
class Room:
    """A facilitator signed in on ``client``, their assessment and an open session."""

    client: FlaskClient
    organisation_id: int
    assessment_id: int
    session_id: int
    code: str


def start_assessment(app: Flask, organisation_id: int, user) -> int:
    """A fresh assessment of the organisation; returns its id."""
    with app.test_request_context():
        return assessments.start(
            organisation_id, user, "Stakeholders 2026", current_questionnaires()
        ).id


def open_room(app: Flask, make_user, make_org, sections=("adoption/leadership",)) -> Room:
    """A facilitator opens a session through the pages and opens ``sections`` to answers."""
    facilitator = make_user(name="Fay Facilitator")
    organisation = make_org(members={facilitator: "facilitator"})
    assessment_id = start_assessment(app, organisation.id, facilitator)
    client = app.test_client()
    login(client, facilitator)
    response = post(client, f"/assessments/{assessment_id}/workshops", {"title": "Senior team"})
    assert response.status_code == 302, response.get_data(as_text=True)
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/workshops/{session_id}").get_data(as_text=True)
    match = _CODE.search(page)
    assert match, page
    if sections:
        opened = post(client, f"/workshops/{session_id}/sections", {"sections": list(sections)})
        assert opened.status_code == 302
    return Room(client, organisation.id, assessment_id, session_id, match.group(1))


def join(app: Flask, code: str, name: str) -> FlaskClient:
    """A participant's device that has joined with ``code`` as ``name``."""
    device = app.test_client()
    response = post(device, "/workshop/join", {"code": code, "name": name})
    assert response.status_code == 302, response.get_data(as_text=True)
    return device


def answer_level(device: FlaskClient, session_id: int, question_id: str, level: int):
    """Save one level answer the way the page's script does."""
    return post(
        device,
        f"/workshop/{session_id}/adoption/answers/{question_id}",
        {f"q_{question_id}": str(level)},
        headers={"Accept": "application/json"},
    )
