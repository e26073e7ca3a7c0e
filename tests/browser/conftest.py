"""Browser tests: the app served on 127.0.0.1 in a thread, driven by Playwright in Chromium.

No browser is downloaded: Playwright drives ``/usr/bin/chromium`` (``chromium`` from Debian's
packages; ``.ci/run`` installs it). Without it these tests skip with the reason shown, except under
CI (``CI`` set), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("ASSESS_CHROMIUM", "/usr/bin/chromium")
#: Flags that keep Chromium quiet on a machine without a network (no background connections).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The longest a browser test waits for what a page does (an element, a navigation, a saved
#: answer, a live count) before it fails, for every tab and every ``expect``. The waits end as
#: soon as the page is ready; this is only how long a busy machine may take. On CI's machine,
#: busy with the whole suite, two tests once failed at the old 5 s (``expect``) and 10 s (a
#: file chooser) limits and passed alone, so it is generous.
WAIT_MS = 30_000


def _browser_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        new_context = chromium.new_context

        def watched_context(*args: Any, **kwargs: Any) -> Any:
            context = new_context(*args, **kwargs)
            context.set_default_timeout(WAIT_MS)
            context.on("page", watch_reflow)
            return context

        chromium.new_context = watched_context
        chromium.unwatched_context = new_context
        yield chromium
        chromium.close()


#: Every page the current test loaded, as it was when it loaded: (address, the page with its
#: styles inlined), for the check at 320 px at the end of the test (WCAG 1.4.10).
LOADED: list[tuple[str, str]] = []

#: The page as loaded, with every style sheet's rules inlined and no scripts, so that it can be
#: laid out again at 320 px in another tab without asking the server again (a GET can have
#: effects, such as a banner shown once) and without resizing the test's own tab.
_SNAPSHOT = """() => {
  if (document.contentType !== 'text/html') return null;
  const rules = [];
  for (const sheet of document.styleSheets) {
    try { for (const rule of sheet.cssRules) rules.push(rule.cssText); } catch (e) {}
  }
  const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll('script, link[rel=stylesheet]').forEach((el) => el.remove());
  const style = document.createElement('style');
  style.textContent = rules.join('\\n');
  (copy.querySelector('head') || copy).appendChild(style);
  return '<!doctype html>' + copy.outerHTML;
}"""


def watch_reflow(tab: Any) -> None:
    """Keep every page ``tab`` loads, whatever the test does with it, to check it for sideways
    scroll at 320 px when the test ends (:func:`_every_page_reflows`). Every tab of a browser
    test is watched: they all come from :func:`browser`'s contexts. Taking the copy only reads
    the page, so it cannot disturb what the test is doing at that moment."""
    from playwright.sync_api import Error

    def loaded(_tab: Any) -> None:
        try:
            html = tab.evaluate(_SNAPSHOT)
        except Error:
            return  # the tab moved on or closed before the copy was taken
        if html and (tab.url, html) not in LOADED:
            LOADED.append((tab.url.split("#")[0], html))

    tab.on("load", loaded)


def reflow_problems(browser: Any) -> dict[str, str]:
    """Lay out each page kept by :func:`watch_reflow` at 320 px; what scrolled sideways, by
    address. The kept pages are forgotten."""
    from browser_helpers import REFLOW_WIDTH, sideways_scroll

    found: dict[str, str] = {}
    pages, LOADED[:] = list(LOADED), []
    if not pages:
        return found
    context = browser.unwatched_context(viewport={"width": REFLOW_WIDTH, "height": 900})
    try:
        tab = context.new_page()
        for url, html in pages:
            tab.set_content(html)
            problem = sideways_scroll(tab, REFLOW_WIDTH)
            if problem and url not in found:
                found[url] = problem.replace("about:blank", url, 1)
    finally:
        context.close()
    return found


@pytest.fixture(autouse=True)
def _every_page_reflows(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a browser test when any page it loaded scrolls sideways at 320 px."""
    LOADED.clear()
    yield
    if not LOADED:
        return
    found = reflow_problems(request.getfixturevalue("browser"))
    if found:
        pytest.fail("Pages that scroll sideways at 320 px:\n" + "\n".join(found.values()))


class LiveServer:
    """The app served over HTTP on 127.0.0.1 in a background thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        """Begin serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """``app`` served on a free port of 127.0.0.1 for the length of one test."""
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser tab at desktop size. The CSP is bypassed only so that axe can be injected."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()
