"""Workshop pages: who may reach them, joining and rejoining, answering privately, the live
figures, consensus, closing, and the results page and report showing participation."""

from __future__ import annotations

import re

from helpers import PASSWORD, login, post
from workshop_helpers import answer_level, join, open_room, start_assessment

from assess import access, db
from assess.models import Membership, Organisation
from assess.reporting import build_context, render_html
from assess.services import accounts, assessments, reports


def test_participant_routes_declare_the_participant_rule(app):
    rules = {
        rule.endpoint: access.rule_of(app.view_functions[rule.endpoint])
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/workshop/<")
    }
    assert len(rules) == 10  # home, section, save, autosave; the register's six
    assert all(r is not None and r.kind == access.PARTICIPANT for r in rules.values())


def test_the_facilitator_sees_the_code_the_link_and_an_inline_svg_qr_code(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    page = room.client.get(f"/workshops/{room.session_id}").get_data(as_text=True)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", room.code)
    assert f"/workshop/join?code={room.code}" in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'class="qr"' in svg and "style=" not in svg and 'role="img"' in svg


def test_another_browser_of_the_organisation_does_not_see_the_code(
    app, make_user, make_org, add_member
):
    room = open_room(app, make_user, make_org)
    colleague = make_user()
    with app.app_context():
        organisation = db.session().get(Organisation, room.organisation_id)
    add_member(colleague, organisation, "facilitator")
    other = app.test_client()
    login(other, colleague)
    page = other.get(f"/workshops/{room.session_id}").get_data(as_text=True)
    assert room.code not in page
    renewed = post(other, f"/workshops/{room.session_id}/code")
    assert renewed.status_code == 302
    # The old code no longer lets anyone in.
    device = app.test_client()
    response = post(device, "/workshop/join", {"code": room.code, "name": "Late"})
    assert response.status_code == 400


def test_a_respondent_cannot_run_a_workshop_and_an_auditor_only_watches(
    app, make_user, make_org, add_member
):
    room = open_room(app, make_user, make_org)
    with app.app_context():
        organisation = db.session().get(Organisation, room.organisation_id)
    respondent, auditor = make_user(), make_user()
    add_member(respondent, organisation, "respondent")
    add_member(auditor, organisation, "auditor")
    as_respondent = app.test_client()
    login(as_respondent, respondent)
    assert as_respondent.get(f"/workshops/{room.session_id}/live").status_code == 403
    response = post(as_respondent, f"/assessments/{room.assessment_id}/workshops", {"title": "X"})
    assert response.status_code == 403
    as_auditor = app.test_client()
    login(as_auditor, auditor)
    assert as_auditor.get(f"/workshops/{room.session_id}/live").status_code == 200
    assert post(as_auditor, f"/workshops/{room.session_id}/close").status_code == 403


def test_people_of_another_organisation_cannot_see_a_session(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    stranger = make_user()
    make_org(members={stranger: "facilitator"})
    client = app.test_client()
    login(client, stranger)
    assert client.get(f"/workshops/{room.session_id}").status_code == 404
    assert client.get(f"/workshops/{room.session_id}/live.json").status_code == 404


def test_joining_needs_no_account_and_rejoining_on_the_same_device_keeps_the_answers(
    app, make_user, make_org
):
    room = open_room(app, make_user, make_org)
    device = join(app, room.code.lower(), "Sam")
    assert answer_level(device, room.session_id, "lead-commitment", 4).status_code == 200
    page = device.get(f"/workshop/{room.session_id}/").get_data(as_text=True)
    assert 'You are <bdi dir="auto">Sam</bdi>' in page and "1 of 4 answered" in page
    # Scanning the code again on the same device: the same participant, answers as they were.
    again = post(device, "/workshop/join", {"code": room.code, "name": "Sam again"})
    assert again.status_code == 302
    section = device.get(f"/workshop/{room.session_id}/adoption/leadership").get_data(as_text=True)
    assert re.search(r'value="4" checked', section)
    live = room.client.get(f"/workshops/{room.session_id}/live.json").get_json()
    assert live["participants"] == 1


def test_a_device_without_a_token_is_sent_to_join(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    device = app.test_client()
    response = device.get(f"/workshop/{room.session_id}/adoption/leadership")
    assert response.status_code == 302 and response.headers["Location"] == "/workshop/join"
    assert answer_level(device, room.session_id, "lead-commitment", 3).status_code == 401


def test_a_token_does_not_open_another_session(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    device = join(app, room.code, "Sam")
    second = post(room.client, f"/assessments/{room.assessment_id}/workshops", {"title": "Two"})
    other_id = int(second.headers["Location"].rsplit("/", 1)[1])
    post(room.client, f"/workshops/{other_id}/sections", {"sections": ["adoption/leadership"]})
    # The device's cookie, renamed for the other session, is still refused.
    cookie = device.get_cookie(f"assess_workshop_{room.session_id}", path="/workshop/")
    device.set_cookie(f"assess_workshop_{other_id}", cookie.value, path="/workshop/")
    assert device.get(f"/workshop/{other_id}/").status_code == 302
    assert answer_level(device, other_id, "lead-commitment", 3).status_code == 401


def test_participants_never_see_each_others_answers(app, make_user, make_org):
    room = open_room(app, make_user, make_org, sections=("definition/scope",))
    alice, bob = join(app, room.code, "Alice"), join(app, room.code, "Bob")
    url = f"/workshop/{room.session_id}/definition/scope"
    response = post(alice, url, {"q_def-own-words": "Words only Alice wrote"})
    assert response.status_code == 302
    assert "Words only Alice wrote" not in bob.get(url).get_data(as_text=True)
    assert "Alice" not in bob.get(f"/workshop/{room.session_id}/").get_data(as_text=True)
    assert "Words only Alice wrote" in alice.get(url).get_data(as_text=True)


def test_a_section_that_is_not_open_cannot_be_answered(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    device = join(app, room.code, "Sam")
    assert device.get(f"/workshop/{room.session_id}/adoption/strategy").status_code == 403
    response = post(
        device,
        f"/workshop/{room.session_id}/adoption/answers/strat-definition",
        {"q_strat-definition": "3"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409


def _factories(app):
    """make_user and make_org for an app of the test's own (the fixtures serve ``app``)."""

    def make_user(name="Fay Facilitator"):
        with app.test_request_context():
            user = accounts.create_user(name, "fay@example.org", PASSWORD)
            db.session().commit()
            return user

    def make_org(members):
        with app.app_context():
            organisation = Organisation(
                name="Council",
                sector="local_government",
                size_band="250_999",
                country="GB",
                time_zone="Europe/London",
                status="active",
            )
            db.session().add(organisation)
            for user, role in members.items():
                db.session().add(Membership(user_id=user.id, organisation=organisation, role=role))
            db.session().commit()
            return organisation

    return make_user, make_org


def test_failed_joins_are_limited_per_address_but_right_codes_and_answers_are_not(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_WORKSHOP_JOIN_FAILURES="3 per 10 minutes")
    room = open_room(app, *_factories(app))
    # A room behind one address: many right joins and answers, never throttled.
    devices = [join(app, room.code, f"Person {n}") for n in range(12)]
    for device in devices:
        for _ in range(3):
            assert answer_level(device, room.session_id, "lead-commitment", 2).status_code == 200
    guesser = app.test_client()
    wrong = {"code": "AAAA-AAAA-AA", "name": "G"}
    for _ in range(3):
        assert post(guesser, "/workshop/join", wrong).status_code == 400
    refused = post(guesser, "/workshop/join", wrong)
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_the_live_figures_change_as_people_answer(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    url = f"/workshops/{room.session_id}/live.json"
    before = room.client.get(url).get_json()
    assert before["participants"] == 0 and before["questions"][0]["responses"] == 0
    for n, level in enumerate([1, 2, 4]):
        answer_level(join(app, room.code, f"P{n}"), room.session_id, "lead-commitment", level)
    after = room.client.get(url).get_json()
    first = after["questions"][0]
    assert after["participants"] == 3
    assert (first["responses"], first["median"], first["range"], first["divergent"]) == (
        3,
        2,
        3,
        True,
    )
    assert [c["count"] for c in first["counts"]] == [1, 1, 0, 1, 0]
    page = room.client.get(f"/workshops/{room.session_id}/live?sort=divergent").get_data(
        as_text=True
    )
    assert page.index("lead-commitment") < page.index("lead-board-oversight")
    assert 'width="33"' in page  # one answer of three: a third of the bar


def test_the_room_view_shows_how_to_join_then_each_spread_and_no_names(
    app, make_user, make_org, add_member
):
    room = open_room(app, make_user, make_org)
    for n, level in enumerate([1, 2, 3, 4]):
        answer_level(
            join(app, room.code, f"Zebedee {n}"), room.session_id, "lead-commitment", level
        )
    base = f"/workshops/{room.session_id}/room"
    first = room.client.get(base)
    assert first.status_code == 200
    text = first.get_data(as_text=True)
    assert f"data-join-code>{room.code}<" in text and 'class="qr"' in text
    assert "<strong data-participants>4</strong> people have joined" in text
    assert "/<wbr>workshop/<wbr>join</p>" in text and "Zebedee" not in text
    assert 'class="site-header' not in text  # nothing but the room's slide
    assert f'href="{base}/adoption/lead-commitment" rel="next"' in text
    assert 'rel="prev"' not in text

    slide = room.client.get(f"{base}/adoption/lead-commitment").get_data(as_text=True)
    assert "Zebedee" not in slide
    assert "Question 1 of " in slide
    assert "No agreement: 1 each for Level 1 (Initial), Level 2 (Managed)" in slide
    assert "Level 4 (Measured)" in slide
    assert f'href="{base}" rel="prev"' in slide and 'rel="next"' in slide
    assert 'src="/static/js/room.js"' in slide

    # Shown to the room by the facilitator only: an auditor of the organisation cannot open it.
    auditor = make_user()
    with app.app_context():
        add_member(auditor, db.session().get(Organisation, room.organisation_id), "auditor")
    as_auditor = app.test_client()
    login(as_auditor, auditor)
    assert as_auditor.get(base).status_code == 403
    assert room.client.get(f"{base}/adoption/no-such-question").status_code == 404


def test_the_live_figures_state_the_spread_in_words(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    for n, level in enumerate([2, 2, 3]):
        answer_level(join(app, room.code, f"P{n}"), room.session_id, "lead-commitment", level)
    data = room.client.get(f"/workshops/{room.session_id}/live.json").get_json()
    first = data["questions"][0]
    assert first["statement"] == "Most chose Level 2 (Managed): 2 of 3 answers."
    page = room.client.get(f"/workshops/{room.session_id}/live").get_data(as_text=True)
    assert "Most chose Level 2 (Managed): 2 of 3 answers." in page


def test_consensus_close_results_and_report_show_the_workshop(app, make_user, make_org):
    room = open_room(app, make_user, make_org)
    for n, level in enumerate([1, 3, 5]):
        answer_level(join(app, room.code, f"P{n}"), room.session_id, "lead-commitment", level)
    for n, level in enumerate([2, 2]):
        answer_level(join(app, room.code, f"Q{n}"), room.session_id, "lead-resources", level)
    base = f"/workshops/{room.session_id}/consensus/adoption"
    form = room.client.get(f"{base}/lead-commitment").get_data(as_text=True)
    # Three people, three levels: a tie, stated, and no aggregate to accept.
    assert "No agreement: 1 each for Level 1 (Initial), Level 3 (Defined) and Level 5" in form
    assert 'value="aggregate"' not in form and "the method does not pick for a tie" in form
    tied = post(room.client, f"{base}/lead-commitment", {"how": "aggregate"})
    assert tied.status_code == 400
    assert "The room is tied" in tied.get_data(as_text=True)
    agreed = post(
        room.client,
        f"{base}/lead-commitment",
        {"how": "agreed", "q_lead-commitment": "2", "consensus_note": "Only in two teams"},
    )
    assert agreed.status_code == 302
    accepted = post(room.client, f"{base}/lead-resources", {"how": "aggregate"})
    assert accepted.status_code == 302
    nothing = post(room.client, f"{base}/lead-accountability", {"how": "aggregate"})
    assert nothing.status_code == 400
    close_url = f"/workshops/{room.session_id}/close"
    asked = room.client.get(close_url).get_data(as_text=True)
    assert "Close the session?" in asked and "The 5 people who joined" in asked
    assert re.search(r"\d+ questions opened in this session have no agreed answer yet", asked)
    assert post(room.client, close_url, {"confirm": "yes"}).status_code == 302

    late = post(app.test_client(), "/workshop/join", {"code": room.code, "name": "Late"})
    assert late.status_code == 400

    results = room.client.get(f"/assessments/{room.assessment_id}/results").get_data(as_text=True)
    assert "Workshop participation" in results
    assert "5 people took part and gave 5 individual answers" in results
    assert "Discussion: agreed answer" in results and "Only in two teams" in results

    with app.test_request_context():
        assessment = assessments.get(room.assessment_id)
        stored = assessments.stored_answers(assessment, "adoption")
        assert stored["lead-commitment"].answer.value == 2
        assert stored["lead-commitment"].source == "workshop"
        assert stored["lead-resources"].answer.value == 2
        html = render_html(build_context(reports.report_input(assessment)))
    assert 'id="workshop"' in html and "Discussed and agreed" in html
    assert "Only in two teams" in html and "answers 4 levels apart" in html


def test_a_report_without_workshops_has_no_workshop_section(app, make_user, make_org):
    user = make_user()
    organisation = make_org(members={user: "admin"})
    assessment_id = start_assessment(app, organisation.id, user)
    with app.test_request_context():
        html = render_html(build_context(reports.report_input(assessments.get(assessment_id))))
    assert 'id="workshop"' not in html


def test_consensus_that_changes_a_recorded_answer_shows_both_and_needs_a_reason(
    app, make_user, make_org, add_member
):
    room = open_room(app, make_user, make_org)
    online = post(
        room.client,
        f"/assessments/{room.assessment_id}/adoption/answers/lead-commitment",
        {"q_lead-commitment": "4"},
        headers={"Accept": "application/json"},
    )
    assert online.status_code == 200, online.get_data(as_text=True)
    for n, level in enumerate([1, 2, 2, 3]):
        answer_level(join(app, room.code, f"P{n}"), room.session_id, "lead-commitment", level)
    url = f"/workshops/{room.session_id}/consensus/adoption/lead-commitment"
    page = room.client.get(url).get_data(as_text=True)
    assert "Recorded in the assessment now" in page and "Most chose Level 2 (Managed)" in page

    asked = post(room.client, url, {"how": "aggregate", "consensus_note": "Two teams only"})
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "Replace the recorded answer?" in text
    current = text[text.index('data-compare="current"') : text.index('data-compare="proposed"')]
    start = text.index('data-compare="proposed"')
    proposed = text[start : text.index("<form", start)]
    assert "Level 4" in current and "Level 2" in proposed
    assert 'name="replaces" value="1"' in text and 'name="how" value="aggregate"' in text

    fields = {"how": "aggregate", "consensus_note": "Two teams only", "replaces": "1"}
    refused = post(room.client, url, {**fields, "reason": "  "})
    assert refused.status_code == 400
    assert "Say why the room" in refused.get_data(as_text=True)
    with app.test_request_context():
        stored = assessments.stored_answers(assessments.get(room.assessment_id), "adoption")
        assert stored["lead-commitment"].answer.value == 4

    done = post(room.client, url, {**fields, "reason": "Only two teams plan this"})
    assert done.status_code == 302
    with app.test_request_context():
        stored = assessments.stored_answers(assessments.get(room.assessment_id), "adoption")
        assert stored["lead-commitment"].answer.value == 2
    admin = make_user()
    with app.app_context():
        add_member(admin, db.session().get(Organisation, room.organisation_id), "admin")
    reader = app.test_client()
    login(reader, admin)
    trail = reader.get(f"/organisations/{room.organisation_id}/audit").get_data(as_text=True)
    assert "Reason: Only two teams plan this" in trail


def test_closing_asks_first_and_a_post_without_confirmation_changes_nothing(
    app, make_user, make_org
):
    room = open_room(app, make_user, make_org)
    dashboard = room.client.get(f"/workshops/{room.session_id}").get_data(as_text=True)
    assert f'href="/workshops/{room.session_id}/close"' in dashboard
    unconfirmed = post(room.client, f"/workshops/{room.session_id}/close")
    assert unconfirmed.status_code == 302
    assert unconfirmed.headers["Location"] == f"/workshops/{room.session_id}/close"
    device = join(app, room.code, "Still in")
    assert device.get(f"/workshop/{room.session_id}/").status_code == 200
    page = room.client.get(f"/workshops/{room.session_id}/close").get_data(as_text=True)
    assert "The join code stops working at once" in page and "The 1 person who joined" in page
    assert "cannot be opened again" in page and "Keep it open" in page


def test_a_tied_room_gets_no_answer_ticked_for_it_not_even_the_recorded_one(
    app, make_user, make_org
):
    """Four people, four levels: the form to record the room's answer starts with nothing
    ticked, so pressing the button without choosing cannot record the earlier answer as the
    room's."""
    room = open_room(app, make_user, make_org)
    post(
        room.client,
        f"/assessments/{room.assessment_id}/adoption/answers/lead-commitment",
        {"q_lead-commitment": "4"},
        headers={"Accept": "application/json"},
    )
    for n, level in enumerate([1, 2, 3, 4]):
        answer_level(join(app, room.code, f"P{n}"), room.session_id, "lead-commitment", level)
    url = f"/workshops/{room.session_id}/consensus/adoption/lead-commitment"
    page = room.client.get(url).get_data(as_text=True)
    assert "No agreement: 1 each for" in page
    form = page[page.index('id="record-title"') :]
    assert 'name="q_lead-commitment"' in form
    assert not re.search(r'name="q_lead-commitment" value="[^"]*" checked', form)
    assert "Recorded in the assessment now" in page  # the recorded answer is still shown above
    # A room that is not tied still starts from the answer recorded.
    join_level = answer_level(join(app, room.code, "P9"), room.session_id, "lead-commitment", 4)
    assert join_level.status_code == 200
    page = room.client.get(url).get_data(as_text=True)
    form = page[page.index('id="record-title"') :]
    assert re.search(r'name="q_lead-commitment" value="4" checked', form)


def test_counts_keep_the_thousands_separator(app, make_user, make_org, monkeypatch):
    from assess.services import workshops

    room = open_room(app, make_user, make_org)
    monkeypatch.setattr(workshops, "participant_count", lambda workshop: 1234)
    live = room.client.get(f"/workshops/{room.session_id}/live").get_data(as_text=True)
    assert "<strong data-participants>1,234</strong>" in live
    slide = room.client.get(f"/workshops/{room.session_id}/room").get_data(as_text=True)
    assert "<strong data-participants>1,234</strong> people have joined" in slide
