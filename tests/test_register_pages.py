"""The stakeholder register, one group at a time: a summary on the section page, and a page to
add, change or remove each group (the GOV.UK "add another" pattern), without JavaScript."""

from __future__ import annotations

import re

import pytest
from answering import hidden_fields, section_url, start
from finalise_helpers import finalise
from helpers import login, post
from sqlalchemy import select

from assess import db
from assess.models import Assessment, AuditEvent, User
from assess.services import assessments, register

REGISTER = "stakeholder-register"


@pytest.fixture
def team(app, make_user, make_org):
    """A council with two colleagues who answer and an auditor, and a started assessment."""
    alice = make_user(name="Alice Adams")
    bob = make_user(name="Bob Brown")
    audrey = make_user(name="Audrey Auditor")
    org = make_org(members={alice: "admin", bob: "respondent", audrey: "auditor"})
    clients = {}
    for name, user in (("alice", alice), ("bob", bob), ("audrey", audrey)):
        clients[name] = app.test_client()
        login(clients[name], user)
    assessment_id = start(clients["alice"], org.id)
    return {
        **clients,
        "org": org,
        "users": {"alice": alice, "bob": bob, "audrey": audrey},
        "id": assessment_id,
        "summary": section_url(assessment_id, "definition", REGISTER),
        "base": f"/assessments/{assessment_id}/register",
    }


def _rows(app, assessment_id):
    with app.app_context():
        answer = assessments.answers(assessments.get(assessment_id), "definition").get("register")
        return {r.segment_id: r for r in (answer.value if answer else ())}


def _was(html: str) -> str:
    match = re.search(r'name="was" value="([^"]*)"', html)
    assert match, "the page carries no fingerprint of the group"
    return match.group(1)


def _checked(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)" checked', html)
    return match.group(1) if match else None


# ---- the summary ---------------------------------------------------------------------------


def test_the_section_page_shows_the_groups_in_brief_with_change_links_not_dropdowns(team):
    page = team["alice"].get(team["summary"]).get_data(as_text=True)
    assert "<select" not in page
    assert '<table class="table table--stack register-summary">' in page
    # A Change (or Rate) link per listed group, naming it for screen readers.
    assert (
        f'<a id="change-residents" href="{team["base"]}/groups/residents">Rate'
        '<span class="visually-hidden"> <bdi dir="auto">Residents</bdi></span></a>'
    ) in page
    assert page.count('id="change-') == 9
    assert f'href="{team["base"]}/add" id="add-group"' in page
    assert "0 of 9 groups have every rating." in page


# ---- adding --------------------------------------------------------------------------------


def test_adding_a_group_stores_it_and_lands_on_the_summary_with_a_banner_naming_it(app, team):
    client = team["alice"]
    form = client.get(f"{team['base']}/add").get_data(as_text=True)
    # One radio group per rating, each with a legend and a hint, and "Not rated yet".
    assert form.count('<fieldset class="fieldset"') == 9
    assert '<legend class="fieldset__legend">Power</legend>' in form
    assert 'id="rating-power-hint"' in form
    assert _checked(form, "power") == ""  # "Not rated yet" until the person chooses
    assert "Save and return to the register" in form

    added = post(
        client,
        f"{team['base']}/add",
        {
            "label": "  Council   tenants ",
            "power": "2",
            "legitimacy": "4",
            "engagement": "consult",
            "support": "yes",
            "was": "",
        },
    )
    assert added.status_code == 302
    assert added.headers["Location"] == f"{team['summary']}#register-banner"
    row = _rows(app, team["id"])["custom-group-1"]
    assert (row.label, row.power, row.legitimacy, row.engagement, row.support) == (
        "Council tenants",
        2,
        4,
        "consult",
        "yes",
    )
    assert row.urgency is None

    summary = client.get(team["summary"]).get_data(as_text=True)
    opening = summary[summary.index('<div class="notification-banner') :]
    opening = opening[: opening.index(">")]
    assert 'id="register-banner" tabindex="-1"' in opening
    assert 'role="alert"' in opening and "data-focus-on-load" in opening
    assert '“<bdi dir="auto">Council tenants</bdi>” has been added to the register.' in summary
    assert 'class="register-summary__row register-summary__row--done" ' in summary
    assert 'Remove<span class="visually-hidden"> <bdi dir="auto">Council tenants</bdi>' in (summary)
    # The banner is shown once.
    assert "has been added" not in client.get(team["summary"]).get_data(as_text=True)

    # The change is in the audit trail, as an answer change that names the group.
    with app.app_context():
        event = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.question_id == "register"))
            .all()[-1]
        )
        assert event.detail == {"register_group": "custom-group-1", "register_change": "added"}

    # The trail names the group and what happened to it.
    trail = client.get(f"/organisations/{team['org'].id}/audit").text
    assert 'Group added: <bdi dir="auto">Council tenants</bdi>' in trail

    # A second group gets the next id.
    post(client, f"{team['base']}/add", {"label": "Parish councils", "was": ""})
    assert list(_rows(app, team["id"])) == ["custom-group-1", "custom-group-2"]


def test_what_was_typed_comes_back_with_an_error_summary_when_it_cannot_be_saved(app, team):
    client = team["alice"]
    url = f"{team['base']}/add"
    # No name: the ratings chosen are kept, the summary links to the field.
    missing = post(client, url, {"label": " ", "power": "3", "regard": "citizen"})
    assert missing.status_code == 400
    page = missing.get_data(as_text=True)
    assert "There is a problem" in page and 'href="#label">Enter the name of the group.' in page
    assert _checked(page, "power") == "3" and _checked(page, "regard") == "citizen"
    assert "<title>Error: Add a group to the register" in page

    # A name already in the register.
    same = post(client, url, {"label": "residents", "urgency": "4"})
    assert same.status_code == 400
    assert "There is already a group called “residents” in the register." in (
        same.get_data(as_text=True)
    )
    assert _checked(same.get_data(as_text=True), "urgency") == "4"

    # Too long a name is shown again whole, never cut.
    long_name = "Tenants " * 30
    long = post(client, url, {"label": long_name, "interest": "2"})
    assert long.status_code == 400
    assert f'value="{long_name.strip()}"' in long.get_data(as_text=True)
    assert "200 characters or fewer" in long.get_data(as_text=True)

    # A value the page never offered: a message, not an error page; the name is kept.
    odd = post(client, url, {"label": "Carers", "power": "9", "engagement": "<script>"})
    assert odd.status_code == 400
    text = odd.get_data(as_text=True)
    assert "Choose one of the answers offered for “Power”." in text
    assert "Choose one of the answers offered for “How we involve them today”." in text
    assert 'value="Carers"' in text and "<script>" not in text.split("<main", 1)[1]
    assert _rows(app, team["id"]) == {}


# ---- changing ------------------------------------------------------------------------------


def test_changing_a_group_keeps_the_others_and_returns_focus_to_its_change_link(app, team):
    client = team["alice"]
    post(client, f"{team['base']}/groups/staff", {"power": "1", "was": ""})
    page = client.get(f"{team['base']}/groups/residents").get_data(as_text=True)
    assert "<h1>Residents</h1>" in page
    assert "People who live in the area" in page  # the listed group's description
    assert 'name="label"' not in page  # a listed group keeps its name
    changed = post(
        client,
        f"{team['base']}/groups/residents",
        {"power": "3", "affected": "4", "regard": "citizen", "was": _was(page)},
    )
    assert changed.status_code == 302
    assert changed.headers["Location"] == f"{team['summary']}#change-residents"
    rows = _rows(app, team["id"])
    assert (rows["residents"].power, rows["residents"].affected) == (3, 4)
    assert rows["staff"].power == 1
    summary = client.get(team["summary"]).get_data(as_text=True)
    assert (
        f'<a id="change-residents" href="{team["base"]}/groups/residents" data-focus-on-load>Change'
    ) in summary
    assert 'The ratings of “<bdi dir="auto">Residents</bdi>” have been saved.' in summary
    assert 'role="status"' in summary

    # "Not rated yet" takes a rating back; a listed group with none left has no row.
    page = client.get(f"{team['base']}/groups/residents").get_data(as_text=True)
    assert _checked(page, "power") == "3"
    post(
        client,
        f"{team['base']}/groups/residents",
        {"power": "", "affected": "", "regard": "", "was": _was(page)},
    )
    assert "residents" not in _rows(app, team["id"])


def test_a_group_of_the_bodys_own_is_renamed_on_its_page(app, team):
    client = team["alice"]
    post(client, f"{team['base']}/add", {"label": "Tenants", "power": "2"})
    page = client.get(f"{team['base']}/groups/custom-group-1").get_data(as_text=True)
    assert 'value="Tenants"' in page and _checked(page, "power") == "2"
    post(
        client,
        f"{team['base']}/groups/custom-group-1",
        {"label": "Council tenants", "power": "2", "was": _was(page)},
    )
    assert _rows(app, team["id"])["custom-group-1"].label == "Council tenants"


def test_colleagues_changing_different_groups_at_once_keep_both_changes(app, team):
    alice_page = team["alice"].get(f"{team['base']}/groups/residents").get_data(as_text=True)
    bob_page = team["bob"].get(f"{team['base']}/groups/businesses").get_data(as_text=True)
    assert (
        post(
            team["bob"],
            f"{team['base']}/groups/businesses",
            {"power": "4", "was": _was(bob_page)},
        ).status_code
        == 302
    )
    assert (
        post(
            team["alice"],
            f"{team['base']}/groups/residents",
            {"power": "1", "was": _was(alice_page)},
        ).status_code
        == 302
    )
    rows = _rows(app, team["id"])
    assert (rows["residents"].power, rows["businesses"].power) == (1, 4)


def test_two_people_changing_the_same_group_see_a_conflict_and_choose(app, team):
    url = f"{team['base']}/groups/residents"
    alice_page = team["alice"].get(url).get_data(as_text=True)
    bob_page = team["bob"].get(url).get_data(as_text=True)
    post(team["bob"], url, {"power": "1", "interest": "2", "was": _was(bob_page)})

    late = post(team["alice"], url, {"power": "4", "urgency": "3", "was": _was(alice_page)})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "A colleague changed this group" in page
    assert "Bob Brown</bdi> changed this group on" in page
    assert "Keep my ratings (as in the fields below)" in page
    # Both versions side by side; what Alice chose is still in the fields.
    values = page[page.index('class="conflict__values"') :]
    values = values[: values.index("</dl>")]
    assert "<strong>Power: 4</strong>" in values and "<strong>Urgency: 3</strong>" in values
    assert "<strong>Power: 1</strong>" in values and "<strong>Interest: 2</strong>" in values
    assert _checked(page, "power") == "4" and _checked(page, "urgency") == "3"
    # Nothing of Alice's was stored over Bob's.
    assert _rows(app, team["id"])["residents"].power == 1

    # Saving without choosing asks again; choosing "mine" stores hers.
    unchosen = post(
        team["alice"], url, {"power": "4", "conflict_shown": "1", "was": _was(page)}
    ).get_data(as_text=True)
    assert 'href="#resolve">Choose which ratings to keep.' in unchosen
    # The choice is asked again, with both versions (the page still carries the marker).
    assert "Keep my ratings (as in the fields below)" in unchosen
    assert 'name="conflict_shown" value="1"' in unchosen
    assert "Bob Brown</bdi> changed this group on" in unchosen
    kept = post(
        team["alice"],
        url,
        {"power": "4", "urgency": "3", "conflict_shown": "1", "resolve": "mine", "was": _was(page)},
    )
    assert kept.status_code == 302
    row = _rows(app, team["id"])["residents"]
    assert (row.power, row.urgency, row.interest) == (4, 3, None)


def test_keeping_the_colleagues_ratings_stores_nothing(app, team):
    url = f"{team['base']}/groups/media"
    alice_page = team["alice"].get(url).get_data(as_text=True)
    bob_page = team["bob"].get(url).get_data(as_text=True)
    post(team["bob"], url, {"power": "2", "was": _was(bob_page)})
    conflict = post(team["alice"], url, {"power": "4", "was": _was(alice_page)})
    theirs = post(
        team["alice"],
        url,
        {"power": "4", "conflict_shown": "1", "resolve": "theirs", "was": _was(conflict.text)},
    )
    assert theirs.status_code == 302
    assert _rows(app, team["id"])["media"].power == 2
    summary = team["alice"].get(team["summary"]).get_data(as_text=True)
    assert "as your colleague saved them" in summary


# ---- removing ------------------------------------------------------------------------------


def test_removing_a_group_asks_first_then_takes_it_out(app, team):
    client = team["alice"]
    post(client, f"{team['base']}/add", {"label": "Tenants", "power": "2"})
    post(client, f"{team['base']}/add", {"label": "Carers", "power": "3"})
    confirm = client.get(f"{team['base']}/groups/custom-group-1/remove")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "<h1>Remove “Tenants” from the register?</h1>" in page
    assert "Power: <strong>2</strong>" in page
    assert _rows(app, team["id"])["custom-group-1"].label == "Tenants"  # nothing yet

    removed = post(client, f"{team['base']}/groups/custom-group-1/remove", {"was": _was(page)})
    assert removed.status_code == 302
    assert removed.headers["Location"] == f"{team['summary']}#register-banner"
    assert list(_rows(app, team["id"])) == ["custom-group-2"]
    summary = client.get(team["summary"]).get_data(as_text=True)
    assert '“<bdi dir="auto">Tenants</bdi>” has been removed from the register.' in summary
    assert "change-custom-group-1" not in summary
    with app.app_context():
        event = (
            db.session()
            .scalars(select(AuditEvent).where(AuditEvent.question_id == "register"))
            .all()[-1]
        )
        assert event.detail["register_change"] == "removed"
    trail = client.get(f"/organisations/{team['org'].id}/audit").text
    assert 'Group removed or cleared: <bdi dir="auto">Tenants</bdi>' in trail


def test_a_listed_group_is_cleared_not_removed(app, team):
    client = team["alice"]
    post(client, f"{team['base']}/groups/lobbies", {"power": "3", "was": ""})
    page = client.get(f"{team['base']}/groups/lobbies/remove").get_data(as_text=True)
    assert "Clear the ratings of “Lobbies and pressure groups”?" in page
    post(client, f"{team['base']}/groups/lobbies/remove", {"was": _was(page)})
    assert "lobbies" not in _rows(app, team["id"])
    summary = client.get(team["summary"]).get_data(as_text=True)
    assert 'id="change-lobbies"' in summary  # still listed, to rate again
    # A listed group with nothing to clear offers no "Clear".
    assert f"{team['base']}/groups/lobbies/remove" not in summary


def test_a_group_changed_since_the_confirmation_page_is_not_removed(app, team):
    post(team["alice"], f"{team['base']}/add", {"label": "Tenants", "power": "2"})
    confirm = team["alice"].get(f"{team['base']}/groups/custom-group-1/remove").text
    change = team["bob"].get(f"{team['base']}/groups/custom-group-1").text
    post(
        team["bob"],
        f"{team['base']}/groups/custom-group-1",
        {"label": "Tenants", "power": "4", "was": _was(change)},
    )
    late = post(
        team["alice"], f"{team['base']}/groups/custom-group-1/remove", {"was": _was(confirm)}
    )
    assert late.status_code == 409
    assert "Bob Brown</bdi> changed its ratings on" in late.text
    assert "Power: <strong>4</strong>" in late.text  # the page shows the group as it is now
    assert _rows(app, team["id"])["custom-group-1"].power == 4
    # Confirming again, having seen the change, removes it.
    post(team["alice"], f"{team['base']}/groups/custom-group-1/remove", {"was": _was(late.text)})
    assert _rows(app, team["id"]) == {}


# ---- the section page's own save -----------------------------------------------------------


def test_the_evidence_note_saves_on_the_summary_and_keeps_every_group(app, team):
    client = team["alice"]
    post(client, f"{team['base']}/add", {"label": "Tenants", "power": "2", "regard": "citizen"})
    post(client, f"{team['base']}/groups/residents", {"power": "3", "was": ""})
    page = client.get(team["summary"]).get_data(as_text=True)
    saved = post(
        client,
        team["summary"],
        {**hidden_fields(page), "q_register__note": "Workshop of 14 May", "action": "save"},
    )
    assert saved.status_code == 302
    with app.app_context():
        answer = assessments.answers(assessments.get(team["id"]), "definition")["register"]
    assert answer.note == "Workshop of 14 May"
    assert {r.segment_id: r.power for r in answer.value} == {"residents": 3, "custom-group-1": 2}
    # A group saved afterwards keeps the note.
    page = client.get(f"{team['base']}/groups/staff").text
    post(client, f"{team['base']}/groups/staff", {"power": "1", "was": _was(page)})
    with app.app_context():
        answer = assessments.answers(assessments.get(team["id"]), "definition")["register"]
    assert answer.note == "Workshop of 14 May" and len(answer.value) == 3


def test_the_results_link_each_group_to_its_row_in_the_register(app, team):
    post(team["alice"], f"{team['base']}/groups/lobbies", {"power": "3", "interest": "4"})
    results = team["alice"].get(f"/assessments/{team['id']}/results").text
    assert f'href="{team["summary"]}#register-group-lobbies"' in results
    assert 'id="register-group-lobbies"' in team["alice"].get(team["summary"]).text


# ---- who may ------------------------------------------------------------------------------


def _pages(team):
    base = team["base"]
    return [
        ("GET", f"{base}/add"),
        ("POST", f"{base}/add"),
        ("GET", f"{base}/groups/residents"),
        ("POST", f"{base}/groups/residents"),
        ("GET", f"{base}/groups/residents/remove"),
        ("POST", f"{base}/groups/residents/remove"),
    ]


def _send(client, method, url):
    if method == "GET":
        return client.get(url)
    return post(client, url, {"label": "Someone", "power": "4", "was": ""})


def test_an_auditor_reads_the_register_but_has_no_page_to_change_it(app, team):
    post(team["alice"], f"{team['base']}/groups/residents", {"power": "3", "was": ""})
    summary = team["audrey"].get(team["summary"]).text
    assert "Residents \N{EN DASH} Power: Considerable" in summary
    assert 'id="change-residents"' not in summary and "Add a group" not in summary
    for method, url in _pages(team):
        assert _send(team["audrey"], method, url).status_code == 403, (method, url)
    assert _rows(app, team["id"])["residents"].power == 3


def test_people_of_another_organisation_cannot_reach_the_register(app, team, make_user, make_org):
    stranger = make_user(name="Sam Stranger")
    make_org(members={stranger: "admin"}, name="Another council")
    client = app.test_client()
    login(client, stranger)
    for method, url in _pages(team):
        assert _send(client, method, url).status_code == 404, (method, url)
    assert _rows(app, team["id"]) == {}


def test_a_finalised_assessment_keeps_its_register(app, team):
    post(team["alice"], f"{team['base']}/groups/residents", {"power": "3", "was": ""})
    finalise(app, team["id"], team["users"]["alice"])
    for method, url in _pages(team):
        response = _send(team["alice"], method, url)
        assert response.status_code == 409, (method, url)
        assert "This assessment can no longer be changed" in response.text
    summary = team["alice"].get(team["summary"]).text
    assert 'id="change-residents"' not in summary
    assert "Residents \N{EN DASH} Power: Considerable" in summary
    assert _rows(app, team["id"])["residents"].power == 3


def test_an_unknown_group_is_not_found(team):
    base = team["base"]
    assert team["alice"].get(f"{base}/groups/nobody").status_code == 404
    assert team["alice"].get(f"{base}/groups/custom-group-7").status_code == 404
    assert post(team["alice"], f"{base}/groups/nobody", {"power": "1"}).status_code == 404


def test_the_service_gives_each_added_group_the_next_number(app, team):
    with app.app_context():
        assessment = db.session().get(Assessment, team["id"])
        alice = db.session().get(User, team["users"]["alice"].id)
        place = register.find(assessment)
        first = register.save_group(assessment, alice, place, None, {"label": "A"}, was="")
        second = register.save_group(assessment, alice, place, None, {"label": "B"}, was="")
        assert (first.segment_id, second.segment_id) == ("custom-group-1", "custom-group-2")
        assert first.saved and second.saved


def test_a_group_page_left_open_past_its_token_shows_what_was_chosen_again(app, team):
    """A refused form token (the page was open too long) loses nothing: the page comes back
    with the name and ratings chosen, to save with a fresh token; nothing is stored."""
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    client = team["alice"]
    client.get(f"{team['base']}/add")
    with client.session_transaction() as session:
        raw = session["csrf_token"]

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 13 * 3600

    old = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=LongAgo
    ).dumps(raw)
    response = client.post(
        f"{team['base']}/add",
        data={"csrf_token": old, "label": "Allotment holders", "urgency": "2"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 200
    assert "We kept your ratings" in response.text
    assert 'value="Allotment holders"' in response.text
    assert _checked(response.text, "urgency") == "2"
    assert _rows(app, team["id"]) == {}


def test_a_workshop_participant_gets_the_summary_and_a_page_from_before_still_saves(
    app, make_user, make_org
):
    """Participants (no account) get the same summary (tests/test_workshop_register.py has their
    group pages); a section page open from before, with the register's grid, still saves, and
    their ratings are their own and do not touch the organisation's register."""
    from workshop_helpers import join, open_room

    from assess.services import participant_answers

    room = open_room(app, make_user, make_org, sections=(f"definition/{REGISTER}",))
    device = join(app, room.code, "Pat")
    url = f"/workshop/{room.session_id}/definition/{REGISTER}"
    page = device.get(url)
    assert page.status_code == 200
    assert 'name="q_register__residents__power"' not in page.text
    assert f'href="/workshop/{room.session_id}/register/groups/residents"' in page.text
    saved = post(
        device,
        url,
        {"q_register__residents__power": "3", "q_register__residents__regard": "citizen"},
    )
    assert saved.status_code == 302, saved.text
    from assess.models import Participant, ParticipantAnswer

    with app.app_context():
        record = db.session().scalar(select(ParticipantAnswer))
        participant = db.session().get(Participant, record.participant_id)
        answer = participant_answers.own_answers(participant, "definition")["register"]
        assert [(r.segment_id, r.power, r.regard) for r in answer.value] == [
            ("residents", 3, "citizen")
        ]
    assert _rows(app, room.assessment_id) == {}


def test_saving_one_group_can_go_straight_on_to_the_next(app, team):
    client = team["alice"]
    page = client.get(f"{team['base']}/groups/residents").text
    assert 'name="then" value="next">Save and rate the next group' in page
    assert '<span class="visually-hidden">: <bdi dir="auto">Service users</bdi></span>' in page
    moved = post(
        client,
        f"{team['base']}/groups/residents",
        {"power": "2", "was": _was(page), "then": "next"},
    )
    assert moved.status_code == 302
    assert moved.headers["Location"] == f"{team['base']}/groups/service-users"
    following = client.get(moved.headers["Location"]).text
    assert "<h1>Service users</h1>" in following
    assert 'The ratings of “<bdi dir="auto">Residents</bdi>” have been saved.' in following
    assert _rows(app, team["id"])["residents"].power == 2
    # The last group offers only the way back to the register.
    last = client.get(f"{team['base']}/groups/staff").text
    assert 'value="next"' not in last
