"""The answering page's script in a real browser, where its timing matters.

Each answer is saved as the person leaves it, and each save's reply says which questions the
server shows. Replies can arrive out of order (a busy server, a slow network): one computed before
the person revealed a question must not hide it again, or the person moves on with that question
unanswered and the results stay provisional."""

from __future__ import annotations

import re

from browser_helpers import sign_in
from workshop_helpers import start_assessment


def test_a_late_reply_does_not_hide_a_question_the_person_has_just_revealed(
    app, page, live_server, make_user, make_org
):
    from playwright.sync_api import expect

    person = make_user(name="Nia Evans")
    organisation = make_org(members={person: "respondent"})
    assessment_id = start_assessment(app, organisation.id, person)
    sign_in(page, live_server.url, person.email)
    page.goto(f"{live_server.url}/assessments/{assessment_id}/definition/scope")

    own_words = page.locator('[data-question="def-own-words"]')
    written = page.locator('[data-question="def-written"]')
    where = page.locator('[data-question="def-where"]')
    expect(where).to_be_hidden()

    # The first answer's save is held in the network until the test lets it through.
    held = []
    autosave_url = live_server.url + own_words.get_attribute("data-autosave-url")
    page.route(autosave_url, lambda route: held.append(route))
    with page.expect_request(autosave_url):
        page.locator("#q_def-own-words").fill("Residents and the people who use our services.")
        page.locator("#q_def-own-words").press("Tab")
    expect(own_words.locator(".save-status--pending")).to_have_count(1)
    while not held:  # the route handler runs as Playwright dispatches the request's event
        page.wait_for_timeout(10)
    # It reaches the server now, before any conditional question is shown there ...
    stale = held[0].fetch()
    assert "def-where" not in stale.json()["visible"]

    # ... the person reveals a question, whose own save comes back at once ...
    written.locator("input[type=radio]").first.check()
    expect(where).to_be_visible()
    expect(written.locator("[data-save-status]")).to_contain_text("Saved")

    # ... and only then does the first reply arrive, saying what the server showed before.
    held[0].fulfill(response=stale)
    expect(own_words.locator("[data-save-status]")).to_contain_text("Saved")
    expect(where).to_be_visible()


def test_an_answer_chosen_before_the_script_ran_is_saved_when_it_runs(
    app, page, live_server, make_user, make_org
):
    """On a slow phone a person can tap an answer while the page is still loading, before the
    script listens for changes: the script saves it as soon as it runs."""
    from playwright.sync_api import expect

    from assess.services import assessments

    person = make_user(name="Nia Evans")
    organisation = make_org(members={person: "respondent"})
    assessment_id = start_assessment(app, organisation.id, person)
    sign_in(page, live_server.url, person.email)

    # The answering script is held in the network while the person answers.
    held = []
    page.route("**/static/js/answer.js*", lambda route: held.append(route))
    page.goto(
        f"{live_server.url}/assessments/{assessment_id}/definition/scope", wait_until="commit"
    )
    written = page.locator('[data-question="def-written"]')
    written.locator("input[type=radio]").first.check()
    status = written.locator("[data-save-status]")
    assert status.inner_text() == ""  # nothing listened: not saved yet
    while not held:  # the route handler runs as Playwright dispatches the request's event
        page.wait_for_timeout(10)
    held[0].continue_()

    expect(status).to_have_text(re.compile(r"^Saved"))
    chosen = written.locator("input[type=radio]").first.get_attribute("value")
    with app.app_context():
        stored = assessments.stored_answers(assessments.get(assessment_id), "definition")
        assert stored["def-written"].answer.value == chosen
