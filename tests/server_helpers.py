"""The app under a real ``gunicorn -w N`` on 127.0.0.1, and a small cookie-keeping HTTP client, for
tests of what only holds across worker processes."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@contextmanager
def gunicorn(
    database_url: str, folder: Path, port: int, workers: int = 4, **settings: str
) -> Iterator[str]:
    """Serve the app on ``database_url`` (already migrated) with ``workers`` processes; yields its
    base URL. ``settings`` become ``ASSESS_<NAME>`` environment variables."""
    instance = folder / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    environ = {key: value for key, value in os.environ.items() if not key.startswith("ASSESS_")}
    environ.update(
        ASSESS_INSTANCE_PATH=str(instance),
        ASSESS_DATABASE_URL=database_url,
        ASSESS_SECRET_KEY="gunicorn-test-secret-key",
        **{f"ASSESS_{name}": str(value) for name, value in settings.items()},
    )
    log = (folder / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "5",
            "--no-control-socket",
            "assess.wsgi:app",
        ],
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base, process, folder / "gunicorn.log")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_serving(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    # Four workers importing the app on a busy machine can take a minute.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer in time:\n{log.read_text(errors='replace')}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Browser:
    """Keeps cookies, does not follow redirects, and posts forms with the session's CSRF token."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base
        self.headers = headers or {}
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.token: str | None = None

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=self.headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        if self.token is None:
            _status, page = self.request("/login")
            match = _CSRF.search(page)
            assert match, page
            self.token = match.group(1)
        return self.request(path, {"csrf_token": self.token, **data})
