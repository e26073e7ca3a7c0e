"""The survey's group names follow the respondent's language: a listed group (residents, service
users ...) is named in the language the respondent reads, on the survey page, by a group's own
link, and on the paper version; a group the organisation named itself keeps its own name."""

from __future__ import annotations

import pytest
from helpers import login
from survey_helpers import assessment_with_levels, open_survey

from assess import db
from assess.models import Survey

WELSH = {"Accept-Language": "cy"}


@pytest.fixture
def survey(app, make_user, make_org):
    setup = assessment_with_levels(app, make_user, make_org)
    survey_id = open_survey(app, setup, segments=("residents", "service-users", "businesses"))
    with app.app_context():
        stored = db.session().get(Survey, survey_id)
        # The organisation calls its businesses group by a name of its own.
        stored.groups[2].label = "Harbour traders"
        db.session().commit()
        groups = {g.segment_id: g.token for g in stored.groups}
        return setup, survey_id, stored.token, groups


def test_the_survey_names_listed_groups_in_the_respondents_language(client, survey):
    _setup, _survey_id, token, _groups = survey
    english = client.get(f"/s/{token}").get_data(as_text=True)
    assert "Residents" in english and "Service users" in english
    welsh = client.get(f"/s/{token}", headers=WELSH).get_data(as_text=True)
    assert 'lang="cy"' in welsh
    assert "Trigolion" in welsh and "Defnyddwyr gwasanaeth" in welsh
    assert "Residents" not in welsh and "Service users" not in welsh
    # A name the organisation chose is theirs, in both languages.
    assert "Harbour traders" in english and "Harbour traders" in welsh


def test_a_groups_own_link_says_the_group_in_the_respondents_language(client, survey):
    _setup, _survey_id, token, groups = survey
    welsh = client.get(f"/s/{token}/{groups['service-users']}", headers=WELSH)
    text = welsh.get_data(as_text=True)
    assert welsh.status_code == 200
    assert "Defnyddwyr gwasanaeth" in text and "Service users" not in text


def test_the_paper_version_names_the_groups_in_the_readers_language(client, survey):
    setup, survey_id, _token, _groups = survey
    login(client, setup.admin)
    text = client.get(f"/surveys/{survey_id}/paper", headers=WELSH).get_data(as_text=True)
    assert "Trigolion" in text and "Residents" not in text
    assert "Harbour traders" in text


def test_the_admins_survey_page_and_results_name_the_groups_in_the_readers_language(
    app, client, survey
):
    from survey_helpers import everything, respond

    setup, survey_id, _token, _groups = survey
    respond(app, survey_id, "residents", 5, everything(2))
    login(client, setup.admin)
    shown = client.get(f"/surveys/{survey_id}", headers=WELSH).get_data(as_text=True)
    assert "Defnyddwyr gwasanaeth" in shown and "Service users" not in shown
    results = client.get(f"/surveys/{survey_id}/results", headers=WELSH).get_data(as_text=True)
    assert "Trigolion" in results and "Residents" not in results
    english = client.get(f"/surveys/{survey_id}/results").get_data(as_text=True)
    assert "Residents" in english and "Trigolion" not in english
    data = client.get(f"/surveys/{survey_id}/results.json").get_json()
    assert "Residents" in {g["label"] for g in data["groups"]}
