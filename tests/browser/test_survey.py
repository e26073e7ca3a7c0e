"""The perception survey in a browser: answered on a phone (390 pixels) with the keyboard alone,
axe at zero and no sideways scroll at 320 pixels; and the admin's survey pages, the results and
the paper version pass axe at desktop and phone widths.

The respondent's side runs in English and in Welsh (``lang`` asserted and axe on each page): in
Welsh the respondent chooses "Cymraeg" in the survey page's header with the keyboard, or their
browser asks for Welsh (``Accept-Language: cy``). Welsh pages are read by the Welsh of their
English messages, from the compiled catalogue (``tr``)."""

from __future__ import annotations

import pytest
from browser_helpers import LANGUAGES, assert_accessible, assert_language, tr
from helpers import PASSWORD
from sqlalchemy import select
from survey_helpers import REGISTER, assessment_with_levels, everything, open_survey, respond

from assess import db
from assess.models import Survey, SurveyResponse
from assess.questionnaire.schema import RegisterQuestion
from assess.services.questionnaires import current_questionnaires

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def survey(app, make_user, make_org):
    setup = assessment_with_levels(app, make_user, make_org)
    survey_id = open_survey(app, setup)
    with app.app_context():
        return setup, survey_id, db.session().get(Survey, survey_id).token


def _focused(tab) -> dict:
    return tab.evaluate(
        "() => ({name: document.activeElement.name || '', id: document.activeElement.id || '',"
        " tag: document.activeElement.tagName.toLowerCase()})"
    )


def _respondent(browser, accept_language: str | None = None):
    """A respondent's phone; ``accept_language`` is the language its browser asks for."""
    headers = {"Accept-Language": accept_language} if accept_language else {}
    context = browser.new_context(bypass_csp=True, viewport=PHONE, extra_http_headers=headers)
    tab = context.new_page()
    return context, tab


def _follow(tab, selector: str) -> None:
    """With the keyboard: focus ``selector`` (a link) and follow it with Enter."""
    tab.locator(selector).focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def _tab_to(tab, name: str, presses: int = 60) -> None:
    """Press Tab until the element named ``name`` has the focus."""
    for _ in range(presses):
        tab.keyboard.press("Tab")
        if _focused(tab)["name"] == name:
            return
    pytest.fail(f"the keyboard never reached {name}")


def _choose(tab, name: str, index: int) -> None:
    """With the keyboard: move into the radio group ``name`` and choose its ``index``-th option
    (Space on the first; arrow keys move to and choose the others)."""
    _tab_to(tab, name)
    if index == 0:
        tab.keyboard.press("Space")
    for _ in range(index):
        tab.keyboard.press("ArrowDown")
    checked = tab.evaluate(
        "(name) => Array.from(document.getElementsByName(name)).findIndex((r) => r.checked)",
        name,
    )
    assert checked == index, (name, checked)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_person_answers_on_a_phone_with_the_keyboard_alone(
    app, browser, live_server, survey, language
):
    _setup, survey_id, token = survey
    context, tab = _respondent(browser)
    try:
        tab.goto(f"{live_server.url}/s/{token}")
        if language != "en":
            # The link (or QR code) opens the page in English; the header's switch, reached
            # with Tab, comes back to the same survey in Welsh.
            assert_language(tab, "en")
            for _ in range(20):
                tab.keyboard.press("Tab")
                if tab.evaluate("document.activeElement.matches('.language-switch__link')"):
                    break
            else:
                pytest.fail("the keyboard never reached the language switch")
            with tab.expect_navigation():
                tab.keyboard.press("Enter")
            assert tab.url == f"{live_server.url}/s/{token}"
        assert_language(tab, language)
        # The groups are named in the respondent's language.
        definition = current_questionnaires(app).definition
        register = next(q for _s, q in definition.questions() if isinstance(q, RegisterQuestion))
        names = {s.id: s.label.get(language) for s in register.segments}
        shown = tab.locator("label[for^=group-]").all_inner_texts()
        assert shown == [names[segment] for segment in REGISTER]
        assert_accessible(tab)  # axe at zero; no sideways scroll at 390 or 320 pixels
        _choose(tab, "group", 1)  # the second group: service users
        statements = [s.id for s in current_questionnaires(app).perception.statements()]
        # Strongly disagree ... strongly agree are options 0 to 4; "don't know" is 5.
        wanted = [3, 1, 2, 4, 5, 0, 2, 3, 1]
        for statement, index in zip(statements, wanted, strict=True):
            _choose(tab, f"s_{statement}", index)
        _tab_to(tab, "comment")
        tab.keyboard.type("Call me on 07700 900123 please.")
        tab.keyboard.press("Tab")
        assert _focused(tab)["tag"] == "button"  # the hidden trap field is skipped
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
        assert tab.url.endswith(f"/s/{token}/thanks")
        assert_language(tab, language)
        assert tab.locator("h1").inner_text() == tr(language, "Thank you")
        assert_accessible(tab)
        # The privacy notice the footer links to, in the same language.
        _follow(tab, f"footer a[href='/s/{token}/privacy']")
        assert_language(tab, language)
        assert_accessible(tab)
    finally:
        context.close()
    with app.app_context():
        (response,) = db.session().scalars(
            select(SurveyResponse).where(SurveyResponse.survey_id == survey_id)
        )
        assert response.group.segment_id == "service-users"
        assert response.answers == {
            "know-needs": 4,
            "told-back": 2,
            "treated-fairly": 3,
            "easy-to-reach": 5,
            "honest": "dont_know",
            "clear-aims": 1,
            "loud-voices": 3,
            "happy-with-service": 4,
            "real-say": 2,
        }
        assert response.comment == "Call me on [phone number removed] please."


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_response_is_announced_and_reachable_by_keyboard(
    browser, live_server, survey, language
):
    _setup, _survey_id, token = survey
    context, tab = _respondent(browser, accept_language=language)
    try:
        tab.goto(f"{live_server.url}/s/{token}")
        assert_language(tab, language)
        _tab_to(tab, "s_know-needs")
        tab.keyboard.press("Space")
        _tab_to(tab, "comment")
        tab.keyboard.press("Tab")
        with tab.expect_navigation():
            tab.keyboard.press("Enter")
        assert_language(tab, language)
        summary = tab.locator(".error-summary")
        assert tr(language, "Choose the group you belong to.") in summary.inner_text()
        assert tab.locator("#s_know-needs-1").is_checked()  # what was entered is kept
        assert_accessible(tab)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_admins_survey_pages_pass_axe(app, browser, live_server, survey, width):
    setup, survey_id, token = survey
    respond(app, survey_id, "residents", 5, everything(2), comment="A comment")
    respond(app, survey_id, "businesses", 5, everything(4))
    with app.app_context():
        from assess.models import Assessment, User
        from assess.services import workshops

        workshop, _code = workshops.open_session(
            db.session().get(Assessment, setup.assessment_id),
            db.session().get(User, setup.admin.id),
            "Board away day",
        )
        room = f"/workshops/{workshop.id}/room/survey"
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(f"{live_server.url}/login")
        tab.locator("#email").fill(setup.admin.email)
        tab.locator("#password").fill(PASSWORD)
        with tab.expect_navigation():
            tab.locator("main button[type=submit]").press("Enter")
        for path in (
            f"/assessments/{setup.assessment_id}/surveys",
            f"/surveys/{survey_id}",
            f"/surveys/{survey_id}/results",
            f"/surveys/{survey_id}/paper",
            f"/surveys/{survey_id}/paper-entry",
            f"/s/{token}/privacy",
            room,
        ):
            tab.goto(live_server.url + path)
            assert tab.locator("h1").count() >= 1, path
            assert_accessible(tab)
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_groups_own_link_and_a_closed_survey_in_the_respondents_language(
    app, browser, live_server, survey, language
):
    """By a group's own link (its QR code) the page says which group the respondent answers
    for, named in their language; once the survey closes, the same link says so. The browser
    asks for the language (``Accept-Language``); axe at zero on both pages."""
    setup, survey_id, token = survey
    with app.app_context():
        stored = db.session().get(Survey, survey_id)
        group = next(g for g in stored.groups if g.segment_id == "service-users")
        link = f"{live_server.url}/s/{token}/{group.token}"
    definition = current_questionnaires(app).definition
    register = next(q for _s, q in definition.questions() if isinstance(q, RegisterQuestion))
    name = next(s for s in register.segments if s.id == "service-users").label.get(language)
    context, tab = _respondent(browser, accept_language=language)
    try:
        tab.goto(link)
        assert_language(tab, language)
        said = tr(language, "You are answering as one of: %(group)s.", group=name)
        assert tab.locator(".survey-form__group").inner_text() == said
        assert tab.locator("input[name=group]").count() == 0
        assert_accessible(tab)
        with app.test_request_context():
            from assess.models import User
            from assess.services import surveys

            surveys.close(
                db.session().get(Survey, survey_id), db.session().get(User, setup.admin.id)
            )
            db.session().commit()
        tab.goto(link)
        assert_language(tab, language)
        assert tab.locator("h1").inner_text() == tr(language, "This survey has closed")
        assert_accessible(tab)
    finally:
        context.close()
