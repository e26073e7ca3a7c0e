"""A new person's whole journey in a real browser, with the keyboard alone: register, set up the
organisation, answer all three questionnaires (signing out half-way through adoption and carrying
on after signing in again), choose a model and reach the results. axe-core checks every distinct
page on the way for WCAG 2.x A/AA violations; the recommendation and results pages of the demo
council are checked at desktop and phone widths. Every test runs in English and in Welsh
(``lang="cy"`` on every page it checks): Welsh pages are found and read by the Welsh of their
English messages, taken from the compiled catalogue (``tr``)."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_helpers import (
    LANGUAGES,
    assert_accessible,
    assert_language,
    tr,
    tr_pattern,
    use_language,
)

PASSWORD = "a long and memorable passphrase"
EMAIL = "new.person@example.org"
#: Sign out after this many adoption sections, then sign in and carry on.
SIGN_OUT_AFTER = 4


class Journey:
    """The browser tab, driven by the keyboard, with an axe check on each new page."""

    def __init__(self, page: Any, base: str, language: str = "en") -> None:
        self.page = page
        self.base = base
        self.language = language
        self.checked: list[str] = []

    def t(self, msgid: str, **params: object) -> str:
        """The page's words for the English ``msgid``, in the journey's language."""
        return tr(self.language, msgid, **params)

    def path(self) -> str:
        """The current page's path."""
        return urlsplit(self.page.url).path

    def check(self) -> None:
        """axe-core on this page, the first time each page is seen; every page is in the
        journey's language."""
        self.page.wait_for_load_state()
        assert_language(self.page, self.language)
        path = self.path()
        if path not in self.checked:
            assert_accessible(self.page)
            self.checked.append(path)

    def press(self, selector: str, key: str = "Enter") -> None:
        """Move the focus to ``selector`` and press ``key`` (Enter follows a link or presses a
        button; Space checks a box)."""
        self.page.locator(selector).first.focus()
        self.page.keyboard.press(key)

    def follow(self, selector: str) -> None:
        """Follow a link or press a button with Enter, and check the page it leads to."""
        with self.page.expect_navigation():
            self.press(selector)
        self.check()

    def type_into(self, selector: str, text: str) -> None:
        """Focus a text field and type ``text``."""
        self.page.locator(selector).first.focus()
        self.page.keyboard.type(text)

    def choose(self, selector: str, steps: int) -> None:
        """Pick an option of a closed select with the arrow keys."""
        self.page.locator(selector).first.focus()
        for _ in range(steps):
            self.page.keyboard.press("ArrowDown")

    def sign_in(self) -> None:
        """Sign in with the keyboard on the sign-in page."""
        self.type_into("#email", EMAIL)
        self.type_into("#password", PASSWORD)
        self.follow("main button[type=submit]")


def has_text(text: str) -> str:
    """A selector's ``:has-text()`` for ``text``, quoted whatever it holds (Welsh has
    apostrophes)."""
    return f":has-text({json.dumps(text)})"


def _wait_for_mail(mailbox: Any, timeout: float = 120) -> list[Any]:
    """The messages once there are any: sent during the request, or by a worker soon after."""
    deadline = time.monotonic() + timeout
    while not (messages := mailbox()):
        if time.monotonic() > deadline:
            pytest.fail("no email arrived")
        time.sleep(0.1)
    return messages


def _answer(journey: Journey, box: Any, n: int) -> None:
    """Answer one question (a ``[data-question]`` element) with the keyboard."""
    page = journey.page
    kind = box.get_attribute("class")
    qid = box.get_attribute("data-question")
    field = f"#q_{qid}"
    if "question--level" in kind:
        page.locator(field).focus()
        page.keyboard.press("Space")  # level 1
        for _ in range(n % 3):
            page.keyboard.press("ArrowDown")  # up to level 3
    elif "question--single" in kind or "question--multiple" in kind:
        page.locator(field).focus()
        page.keyboard.press("Space")
    elif "question--text" in kind:
        journey.type_into(field, "Residents, users of our services and our partners.")
        page.keyboard.press("Tab")
    elif "question--register" in kind:
        # The register is a summary: each group is rated on its own page, its ratings as radio
        # groups (Tab enters a group at its chosen radio, the arrow keys choose).
        for group, steps in (("residents", 1), ("businesses", 2), ("media", 3)):
            journey.follow(f"#change-{group}")
            for attribute in ("power", "legitimacy", "urgency", "interest", "affected"):
                page.locator(f"input[name={attribute}]:checked").focus()
                for _ in range(steps):
                    page.keyboard.press("ArrowUp")
            journey.follow("#group-form button[type=submit]")
            assert page.evaluate("document.activeElement.id") == f"change-{group}"


def _answer_section(journey: Journey) -> None:
    """Answer every question the section shows (including any an answer reveals) and save.

    An answer can reveal a question at once (the page's own rule) and each save's reply can
    change what the page shows, so after answering, wait until no save is pending and look
    again: the section is done only when a settled page shows no unanswered question."""
    page = journey.page
    journey.check()
    start = journey.path()
    done: set[str] = set()
    for _round in range(10):
        # Let each answer's own save finish, so the page is settled and the page's save sees the
        # newest revisions.
        page.wait_for_function("!document.querySelector('.save-status--pending')")
        boxes = page.locator("[data-question]:not([hidden])")
        fresh = [
            boxes.nth(i)
            for i in range(boxes.count())
            if boxes.nth(i).get_attribute("data-question") not in done
        ]
        if not fresh:
            break
        for n, box in enumerate(fresh):
            _answer(journey, box, n)
            done.add(box.get_attribute("data-question"))
    else:
        pytest.fail(f"{start}: the questions shown never settled")
    assert not page.locator(".save-status--problem:not(:empty)").count(), "an answer was not saved"
    journey.follow(".button-group button[value=save]")
    assert journey.path() != start, f"{start} did not move on"


def _answer_questionnaire(journey: Journey, questionnaire: str, sections: int) -> None:
    for _ in range(sections):
        assert f"/{questionnaire}/" in journey.path(), journey.page.url
        _answer_section(journey)
    assert journey.path().endswith(f"/{questionnaire}/check"), journey.page.url


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_person_reaches_the_results_with_the_keyboard_alone(
    page, live_server, mailbox, language
):
    started = time.monotonic()
    journey = keyboard_journey(page, live_server.url, mailbox, language)
    elapsed = time.monotonic() - started
    print(f"journey: {len(journey.checked)} pages checked with axe in {elapsed:.1f} s")
    assert len(journey.checked) >= 25


def keyboard_journey(page: Any, base: str, mailbox: Any, language: str = "en") -> Journey:
    """Register, set up an organisation, answer everything with the keyboard and reach the
    results (on the server at ``base``; ``mailbox()`` reads the email it sent). Ends on the
    results page. Also run through the reverse proxy of docs/deploy.md (test_deployment.py).

    In Welsh (``language="cy"``) the person arrives on the English home page and chooses
    "Cymraeg" in the header with the keyboard; the account they register keeps Welsh, so every
    page after, signed in again too, is in Welsh."""
    journey = Journey(page, base, language)
    t = journey.t
    page.goto(base + "/")
    if language != "en":
        assert_language(page, "en")
        switch = page.locator(f".language-switch__link[lang={language}]")
        assert switch.get_attribute("hreflang") == language
        with page.expect_navigation():
            journey.press(f".language-switch__link[lang={language}]")
        assert journey.path() == "/"
    journey.check()

    # Register, then set up the organisation.
    journey.follow("main a[href='/register']")
    journey.type_into("#name", "Nia Evans")
    journey.type_into("#email", EMAIL)
    journey.type_into("#password", PASSWORD)
    journey.type_into("#confirm", PASSWORD)
    journey.follow("main button[type=submit]")
    assert t("Check your email") in page.locator("main h1").inner_text()
    # Confirm the address through the emailed link (the test server writes mail to files).
    (confirmation,) = _wait_for_mail(mailbox)
    link = re.search(r"https?://[^/\s]+(/\S+)", confirmation.text)
    assert link, confirmation.text
    page.goto(base + link.group(1))
    journey.check()
    journey.follow("main button[type=submit]")
    assert journey.path() == "/organisations/new"
    journey.type_into("#name", "Riverside District Council")
    journey.choose("#sector", 1)
    journey.choose("#size_band", 2)
    journey.choose("#country", 1)
    journey.follow("main button[type=submit]")
    assert "Riverside District Council" in page.content()

    # Start an assessment: offered first, before inviting colleagues.
    journey.follow("main a.button" + has_text(t("Start your first assessment")))
    journey.type_into("#title", "Stakeholder management 2026")
    journey.follow("main button[type=submit]")
    assert journey.path().endswith("/definition/scope")

    # Definition (with the register) and model fit, each followed by its check page.
    _answer_questionnaire(journey, "definition", 4)
    journey.follow("main a.button")
    _answer_questionnaire(journey, "model-fit", 3)
    journey.follow("main a.button")

    # The recommendation: nothing is ticked until the person chooses; tick the recommended
    # model with the keyboard and carry on.
    assert journey.path().endswith("/choice")
    assert page.locator("#fit-chart-title").count() == 1
    assert page.locator("input[name=models]:checked").count() == 0
    journey.press(".checkboxes__item:has(.tag) input[name=models]", "Space")
    assert page.locator("input[name=models]:checked").count() == 1
    journey.follow("main form button[type=submit]")

    # Adoption: half-way, sign out.
    for _ in range(SIGN_OUT_AFTER):
        _answer_section(journey)
    resume_at = journey.path()
    journey.follow(".button-group button[value=save-exit]")  # Save and come back later
    assert journey.path() == "/start"
    saved = tr_pattern(
        language,
        "Your answers to “%(title)s” have been saved. You can come back at any time: sign in "
        "and choose Continue.",
    )
    assert saved.search(page.locator(".notices").inner_text())
    journey.follow("header button" + has_text(t("Sign out")))

    # Sign in again: the start page shows the assessment's progress, and one "Continue"
    # leads to the next unanswered question, where the person left off.
    journey.follow("header a[href='/login']")
    journey.sign_in()
    assert journey.path() == "/start"
    card = page.locator("main .card")
    assert card.count() == 1
    assert "Stakeholder management 2026" in card.inner_text()
    answered = tr_pattern(language, "%(answered)s of %(total)s questions answered so far")
    assert answered.search(card.inner_text())
    journey.follow("main .card a.button" + has_text(t("Continue")))
    assert journey.path() == resume_at
    assert urlsplit(page.url).fragment.startswith("question-")
    _answer_questionnaire(journey, "adoption", 8 - SIGN_OUT_AFTER)

    # The results.
    journey.follow("main a.button")
    assert journey.path().endswith("/results")
    text = page.locator("main").inner_text()
    provisional = t(
        "Some questions are not answered yet, so these results are provisional. They change as "
        "answers are added."
    )
    if provisional in text:  # say which questionnaire is short of answers
        page.goto(page.url.rsplit("/results", 1)[0])
        pytest.fail("results are provisional:\n" + page.locator("main").inner_text())
    assert t("Overall level") in text
    assert page.locator("#radar-chart-title").count() == 1
    assert page.locator("#grid-chart-title").count() == 1
    return journey


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", [1280, 390])
def test_the_demo_councils_recommendation_and_results_pass_axe(
    browser, live_server, load_demo, width, language
):
    load_demo()
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    tab = context.new_page()
    try:
        use_language(tab, live_server.url, language)
        tab.goto(live_server.url + "/login")
        tab.locator("#email").fill("auditor@demo.example")
        tab.locator("#password").fill("demo borough 2025")
        with tab.expect_navigation():
            tab.locator("main button[type=submit]").press("Enter")
        for path in (
            "/assessments/1/choice",
            "/assessments/1/results",
            "/assessments/1/results/areas/organised-interests",
            "/method",
        ):
            tab.goto(live_server.url + path)
            assert_language(tab, language)
            assert tab.locator("main h1").count() == 1, path
            assert_accessible(tab)
            width_used = tab.evaluate("document.documentElement.scrollWidth")
            assert width_used <= width, f"{path} is {width_used}px wide at {width}px"
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_answering_pages_reflow_at_320_pixels_and_pass_axe(browser, live_server, runner, language):
    """WCAG 1.4.10: the pages work at 320 CSS pixels (a 1280-pixel screen at 400% zoom), in
    English and in Welsh, whose longer words and sentences must wrap too."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    tab = context.new_page()
    try:
        use_language(tab, live_server.url, language)
        tab.goto(live_server.url + "/login")
        tab.locator("#email").fill("admin@demo.example")
        tab.locator("#password").fill("demo borough 2025")
        with tab.expect_navigation():
            tab.locator("main button[type=submit]").press("Enter")
        for path in (
            "/assessments/1",
            "/assessments/1/definition/register",
            "/assessments/1/definition/stakeholder-register",
            "/assessments/1/targets",
            "/organisations/1/assessments",
            "/assessments/1/adoption/leadership",
            "/assessments/1/adoption/check",
            "/assessments/1/finalise",
            "/assessments/1/workshops",
        ):
            tab.goto(live_server.url + path)
            assert_language(tab, language)
            assert_accessible(tab)
            width_used = tab.evaluate("document.documentElement.scrollWidth")
            assert width_used <= 320, f"{path} is {width_used}px wide at 320px"
    finally:
        context.close()
