"""CI's first stage, the README's first command as a newcomer meets it.

Waits for the server that ``make run`` is starting (in a fresh clone) to answer, then checks what
the README promises: ``/healthz`` and ``/`` answer 200, and the demo admin can sign in with the
README's password and see the demo assessment's results. Standard library only: it runs before
anything is installed.

    python3 .ci/newcomer.py --url http://127.0.0.1:PORT --pid PID [--timeout SECONDS]

Exits 0 when every check passes; otherwise prints what failed and exits 1. It gives up when the
server process ends or the time runs out (every request is bounded too).
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

DEMO_ADMIN = "admin@demo.example"
DEMO_PASSWORD = "demo borough 2025"  # noqa: S105 - the demo password the README publishes
REQUEST_TIMEOUT = 30


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str]:
    try:
        with opener.open(url, timeout=REQUEST_TIMEOUT) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def wait_until_up(base: str, pid: int, deadline: float) -> None:
    """Poll /healthz until it answers 200, while the server process lives and time remains."""
    plain = urllib.request.build_opener()
    last = "no answer yet"
    while time.monotonic() < deadline:
        if not _alive(pid):
            sys.exit(f"newcomer: make run ended before the app answered ({last})")
        try:
            status, _ = _get(plain, base + "/healthz")
            if status == 200:
                return
            last = f"/healthz answered {status}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last = f"/healthz: {error}"
        time.sleep(1)  # polling interval while make run installs and starts; not a fixed wait
    sys.exit(f"newcomer: the app did not answer in time ({last})")


def check(base: str) -> list[str]:
    """The README's promises; returns what failed."""
    failures = []
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for path in ("/healthz", "/"):
        status, _ = _get(browser, base + path)
        print(f"newcomer: GET {path} -> {status}")
        if status != 200:
            failures.append(f"GET {path} answered {status}")

    status, page = _get(browser, base + "/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    if status != 200 or token is None:
        return [*failures, f"the sign-in page answered {status} without a form token"]
    form = urllib.parse.urlencode(
        {
            "csrf_token": html.unescape(token.group(1)),
            "email": DEMO_ADMIN,
            "password": DEMO_PASSWORD,
        }
    ).encode()
    try:
        with browser.open(base + "/login", data=form, timeout=REQUEST_TIMEOUT) as response:
            signed_in = response.status == 200 and "Sign out" in response.read().decode()
    except urllib.error.HTTPError as error:
        signed_in = False
        failures.append(f"signing in as {DEMO_ADMIN} answered {error.code}")
    print(f"newcomer: sign in as {DEMO_ADMIN} -> {'signed in' if signed_in else 'refused'}")
    if not signed_in:
        return [*failures, f"could not sign in as {DEMO_ADMIN} with the README's password"]

    # A fresh database holds the demo's assessment only, so it is the first one.
    status, page = _get(browser, base + "/assessments/1/results")
    print(f"newcomer: GET /assessments/1/results -> {status}")
    if status != 200:
        failures.append(f"the demo's results page answered {status}")
    else:
        for words in ("Demo Borough Council", "Overall level"):
            if words not in page:
                failures.append(f"the demo's results page does not say {words!r}")
        if "provisional" in page.lower():
            failures.append("the demo's results are marked provisional")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    started = time.monotonic()
    wait_until_up(args.url, args.pid, started + args.timeout)
    print(f"newcomer: make run served the app after {time.monotonic() - started:.0f} s of set-up")
    failures = check(args.url)
    for failure in failures:
        print(f"newcomer: FAILED: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
