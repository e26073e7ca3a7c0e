"""The "being prepared" page in a real browser: it passes axe and reflows while the worker is busy,
announces itself through a status region, and its script shows the download once the job is done
(without anyone pressing anything). The queue is a fake Redis in this process."""

from __future__ import annotations

import fakeredis
from browser_helpers import assert_accessible
from finalise_helpers import answered_draft
from helpers import PASSWORD

from assess import jobs


def test_the_page_says_the_report_is_being_prepared_then_offers_it(
    app, live_server, page, make_user, make_org
):
    app.config["REDIS_URL"] = "redis://fake.invalid:6379/0"
    redis = fakeredis.FakeRedis()
    app.extensions["assess.redis"] = redis
    admin = make_user(email="ada@example.org")
    org = make_org(members={admin: "admin"})
    assessment_id = answered_draft(app, org, admin)

    page.goto(live_server.url + "/login")
    page.locator("#email").fill("ada@example.org")
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").press("Enter")

    page.goto(f"{live_server.url}/assessments/{assessment_id}/report.pdf")
    assert "/preparing/" in page.url
    status = page.locator("[role=status]")
    assert "Your report is being prepared." in status.inner_text()
    assert_accessible(page)

    jobs.run_worker(app, burst=True, connection_=redis)

    # The page's script notices and shows the outcome by itself.
    page.wait_for_selector("text=Your report is ready.", timeout=30_000)
    assert_accessible(page)
    link = page.locator("main a:has-text('Download the report (PDF)')")
    link.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".pdf")
