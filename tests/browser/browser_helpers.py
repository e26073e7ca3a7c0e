"""Helpers for the browser tests: accessibility checks with axe-core, and reflow (WCAG 1.4.10)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.support import NullTranslations, Translations

#: The axe-core rule tags that make up WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: WCAG 1.4.10: content reflows at 320 CSS pixels (1280 pixels at 400 % zoom).
REFLOW_WIDTH = 320

#: The elements that reach past the right edge of the window, to name in a failure.
_OVERFLOWING = """(width) => Array.from(document.querySelectorAll('main *, header *, footer *'))
  .filter((el) => el.getBoundingClientRect().right > width + 1 && el.getClientRects().length)
  .filter((el) => !Array.from(el.querySelectorAll('*')).some(
      (child) => child.getBoundingClientRect().right > width + 1))
  .slice(0, 5)
  .map((el) => {
    const classes = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    const id = el.id ? '#' + el.id : '';
    return `${el.tagName.toLowerCase()}${id}${classes} reaches `
      + `${Math.round(el.getBoundingClientRect().right)}px`;
  })"""


#: The interface languages the browser journeys run in.
LANGUAGES = ("en", "cy")
_CATALOGUES = Path(__file__).resolve().parents[2] / "assess" / "translations"


@cache
def _catalogue(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    catalogue = Translations.load(str(_CATALOGUES), [language])
    assert isinstance(catalogue, Translations), f"no compiled catalogue for {language}"
    return catalogue


def tr(language: str, msgid: str, **params: object) -> str:
    """What the interface shows for the English ``msgid`` in ``language``, from the compiled
    catalogue (the .mo the app itself uses), filled in with ``params``: tests select and check
    Welsh pages by these names rather than by Welsh written into the tests. A message the
    catalogue lacks fails the test instead of quietly matching the English."""
    text = _catalogue(language).gettext(msgid)
    if language != "en" and text == msgid:
        pytest.fail(f"no {language} translation of {msgid!r} in the compiled catalogue")
    return text % params if params else text


def tr_pattern(language: str, msgid: str) -> re.Pattern[str]:
    """A pattern matching the message ``msgid`` in ``language`` whatever its placeholders
    (``%(name)s``) are filled in with."""
    text = tr(language, msgid)
    parts = re.split(r"%\(\w+\)[sd]", text)
    return re.compile(".+?".join(re.escape(part) for part in parts))


def use_language(page: Any, base: str, language: str) -> None:
    """Read the site in ``language`` in this tab's browser, as a visitor does with the header's
    switch (its link only sets the ``lang`` cookie), and check that the page says so."""
    page.goto(f"{base}/language/{language}?next=/")
    assert page.get_attribute("html", "lang") == language


def assert_language(page: Any, language: str) -> None:
    """Fail unless the page declares ``language`` (``<html lang>``)."""
    lang = page.get_attribute("html", "lang")
    assert lang == language, f"{page.url} has lang={lang!r}, not {language!r}"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (bundled by axe-playwright-python) on the page; WCAG 2.x A and AA rules."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}, "resultTypes": ["violations"]},
    )
    return list(results.response["violations"])


def sideways_scroll(page: Any, width: int) -> str | None:
    """A description of what makes the page wider than ``width`` pixels at that window width, or
    None when nothing scrolls sideways. The window is put back as it was."""
    original = page.viewport_size or {"width": 1280, "height": 900}
    if original["width"] != width:
        page.set_viewport_size({"width": width, "height": original["height"]})
    try:
        used = page.evaluate("document.documentElement.scrollWidth")
        if used <= width:
            return None
        culprits = page.evaluate(_OVERFLOWING, width)
        return f"{page.url} is {used}px wide at {width}px: " + "; ".join(culprits)
    finally:
        if original["width"] != width:
            page.set_viewport_size(original)


def assert_reflows(page: Any) -> None:
    """Fail when the page scrolls sideways at its own width or at 320 pixels (WCAG 1.4.10)."""
    width = (page.viewport_size or {"width": 1280})["width"]
    for at in dict.fromkeys((width, REFLOW_WIDTH)):
        problem = sideways_scroll(page, at)
        if problem:
            pytest.fail(problem)


def assert_accessible(page: Any) -> None:
    """Fail with a readable list when axe finds any WCAG A/AA violation on the page, or when the
    page scrolls sideways at its width or at 320 pixels: every page a browser test checks is
    checked for reflow too. It waits for the page's load event first: until the style sheet has
    arrived, a busy machine can lay the page out without it (links crowded, panels pushed
    down), which is not the page anyone sees."""
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    if violations:
        lines = [f"{page.url}: {len(violations)} accessibility violation(s)"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1]}")
        pytest.fail("\n".join(lines))
    assert_reflows(page)


def open_workshop(tab: Any, base: str, facilitator: Any, assessment_id: int, title: str) -> None:
    """Sign ``facilitator`` in through the form (their password is the tests' PASSWORD) and open
    a workshop session called ``title`` on the assessment; the tab is left on the session's
    dashboard."""
    from helpers import PASSWORD

    tab.goto(f"{base}/login")
    tab.get_by_label("Email address").fill(facilitator.email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.goto(f"{base}/assessments/{assessment_id}/workshops")
    tab.get_by_label("Name of the session").fill(title)
    tab.get_by_role("button", name="Open the session").click()


def choose_file(tab: Any, path: Path) -> None:
    """Open the focused file field's chooser with Space, as a keyboard user does, and pick
    ``path`` there. Chromium raises the chooser from the key press itself; on a busy machine it
    has taken more than 10 s to do so, hence the longer wait."""
    assert tab.evaluate("document.activeElement.matches('input[type=file]')"), (
        "Space opens a file chooser only from a focused file field"
    )
    with tab.expect_file_chooser(timeout=60_000) as chooser:
        tab.keyboard.press("Space")
    chooser.value.set_files(str(path))


def sign_in(tab: Any, url: str, email: str, password: str | None = None) -> None:
    """Sign in on ``url``'s login page as ``email``, with the suite's password unless told."""
    from helpers import PASSWORD

    tab.goto(url + "/login")
    tab.locator("#email").fill(email)
    tab.locator("#password").fill(password or PASSWORD)
    with tab.expect_navigation():
        tab.locator("main button[type=submit]").press("Enter")
