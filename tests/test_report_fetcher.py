"""The report reads only its own files: anything else stops the rendering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assess.paths import REPORTS_DIR, STATIC_DIR
from assess.reporting import PdfMetadata, RefusedURLError, ReportFetcher, render_pdf
from assess.reporting.render import ReportResourceError

METADATA = PdfMetadata(
    title="t",
    author="a",
    subject="s",
    keywords=("k",),
    lang="en",
    created=datetime(2026, 1, 1, tzinfo=UTC),
    modified=datetime(2026, 1, 1, tzinfo=UTC),
)
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _html(src: str) -> str:
    return f'<html lang="en"><body><p>x</p><img src="{src}" alt="a picture"></body></html>'


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://example.org/logo.png",
        "ftp://example.org/logo.png",
        "file:///etc/passwd",
        (REPORTS_DIR / ".." / "pyproject.toml").as_uri(),
        "file://elsewhere.example.org" + str(REPORTS_DIR / "report.css"),
    ],
)
def test_the_fetcher_refuses_anything_outside_reports_and_static(url):
    with pytest.raises(RefusedURLError):
        ReportFetcher().fetch(url)


def test_the_fetcher_serves_the_reports_and_static_folders_and_data_urls():
    fetcher = ReportFetcher()
    css = fetcher.fetch((REPORTS_DIR / "report.css").as_uri())
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    assert fetcher.fetch((STATIC_DIR / "css" / "assess.css").as_uri()).read()
    assert fetcher.fetch(PIXEL).read().startswith(b"\x89PNG")


def test_a_missing_file_is_an_error_not_a_silent_gap():
    with pytest.raises(ReportResourceError, match="does not exist"):
        ReportFetcher().fetch((REPORTS_DIR / "missing.png").as_uri())


@pytest.mark.parametrize(
    "src", ["https://example.org/tracker.png", "file:///etc/hostname", "../pyproject.toml"]
)
def test_rendering_stops_when_the_html_refers_outside(src):
    with pytest.raises(RefusedURLError):
        render_pdf(_html(src), report_json={}, metadata=METADATA)


def test_rendering_accepts_a_data_url():
    assert render_pdf(_html(PIXEL), report_json={}, metadata=METADATA).startswith(b"%PDF-")
