"""Method 2.0 for small and varied bodies: an assessment names its scope, and an admin may lower
an area's target with a reason (audited, shown on the results and printed in the report)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from audit_helpers import events
from helpers import login, post
from sqlalchemy import select

from assess import db
from assess.models import Assessment, TargetOverride, User
from assess.services import assessments, reports

PASSWORD = "demo borough 2025"


@pytest.fixture
def demo(app, load_demo):
    load_demo()
    with app.app_context():
        return db.session().scalar(select(Assessment.id))


def _signed_in(app, email: str):
    client = app.test_client()
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == email))
    login(client, user, PASSWORD)
    return client


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _lowered(app, demo):
    with app.app_context():
        return {
            (t.dimension_id, t.level, t.reason)
            for t in db.session().scalars(
                select(TargetOverride).where(TargetOverride.assessment_id == demo)
            )
        }


REASON = "A council of our size keeps one register, owned by the policy team."


def test_an_admin_lowers_a_target_with_a_reason_and_it_is_used_shown_and_audited(app, demo):
    admin = _signed_in(app, "admin@demo.example")
    page = admin.get(f"/assessments/{demo}/targets")
    assert page.status_code == 200
    response = post(
        admin,
        f"/assessments/{demo}/targets",
        {"dimension": "mapping", "level": "3", "reason": REASON, "action": "lower"},
    )
    assert response.status_code == 302
    assert _lowered(app, demo) == {("mapping", 3, REASON)}
    with app.app_context():
        gap = next(
            g for g in assessments.score(assessments.get(demo)).gaps if g.dimension_id == "mapping"
        )
        assert (gap.default_target, gap.target, gap.gap, gap.target_rule) == (4, 3, 1, "lowered")
    (event,) = events(app, "target.lowered")
    assert event.new_value == {"level": 3, "reason": REASON, "method_target": 4}
    results = admin.get(f"/assessments/{demo}/results").get_data(as_text=True)
    item = _text(results[results.index('data-lowered="mapping"') :].split("</li>")[0])
    assert "target 3 instead of the method\N{RIGHT SINGLE QUOTATION MARK}s 4" in item
    assert REASON in item
    area = admin.get(f"/assessments/{demo}/results/areas/mapping").get_data(as_text=True)
    lowered = _text(area[area.index("data-lowered") :].split("</span>")[0])
    assert (
        "lowered from the method\N{RIGHT SINGLE QUOTATION MARK}s 4" in lowered and REASON in lowered
    )
    strategy = admin.get(f"/assessments/{demo}/results/areas/strategy").get_data(as_text=True)
    assert "the fit-weighted mean, rounded up, of" in strategy


def test_the_report_prints_the_lowered_target_and_its_reason(app, demo):
    from assess.reporting import build_context

    with app.app_context():
        assessment = assessments.get(demo)
        admin = db.session().scalar(select(User).where(User.email == "admin@demo.example"))
        from assess.services import targets

        targets.lower(assessment, admin, "measurement", 2, "Proportionate for a small council.")
        report = reports.report_input(assessment)
        html = build_context(report)
    lowered = [row for row in html["profile"] if row["target_rule"] == "lowered"]
    assert [(r["dimension_id"], r["target"], r["default_target"]) for r in lowered] == [
        ("measurement", 2, 3)
    ]
    assert lowered[0]["lowered_reason"] == "Proportionate for a small council."


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"dimension": "mapping", "level": "3", "reason": "  "}, "reason", "Give the reason"),
        ({"dimension": "mapping", "level": "4", "reason": "x"}, "level", "can only be lowered"),
        ({"dimension": "mapping", "level": "5", "reason": "x"}, "level", "can only be lowered"),
        ({"dimension": "mapping", "level": "two", "reason": "x"}, "level", "from 1 to 5"),
        ({"dimension": "nowhere", "level": "1", "reason": "x"}, "dimension", "no such area"),
        ({"dimension": "mapping", "level": "1", "reason": "x" * 1001}, "reason", "1000"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(app, demo, form, field, message):
    admin = _signed_in(app, "admin@demo.example")
    response = post(admin, f"/assessments/{demo}/targets", {**form, "action": "lower"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in _text(html)
    assert f'href="#{field}"' in html and f'id="{field}" ' in html
    assert _lowered(app, demo) == set()
    assert events(app, "target.lowered") == []


def test_going_back_to_the_method_target_is_audited(app, demo):
    admin = _signed_in(app, "admin@demo.example")
    url = f"/assessments/{demo}/targets"
    post(admin, url, {"dimension": "mapping", "level": "2", "reason": REASON, "action": "lower"})
    response = post(admin, url, {"dimension": "mapping", "action": "restore"})
    assert response.status_code == 302
    assert _lowered(app, demo) == set()
    (event,) = events(app, "target.restored")
    assert event.old_value == {"level": 2, "reason": REASON}


@pytest.mark.parametrize("email", ["respondent@demo.example", "auditor@demo.example"])
def test_only_an_admin_may_lower_a_target(app, demo, email):
    client = _signed_in(app, email)
    assert client.get(f"/assessments/{demo}/targets").status_code == 403
    response = post(
        client,
        f"/assessments/{demo}/targets",
        {"dimension": "mapping", "level": "1", "reason": REASON, "action": "lower"},
    )
    assert response.status_code == 403
    assert _lowered(app, demo) == set()
    results = client.get(f"/assessments/{demo}/results").get_data(as_text=True)
    assert f"/assessments/{demo}/targets" not in results


def test_an_assessment_names_its_scope_when_started_and_shows_it(app, demo):
    admin = _signed_in(app, "admin@demo.example")
    with app.app_context():
        org_id = assessments.get(demo).organisation_id
    response = post(
        admin,
        f"/organisations/{org_id}/assessments",
        {"title": "Licensing review", "scope": "  Licensing   and   regulation "},
    )
    assert response.status_code == 302
    with app.app_context():
        started = db.session().scalar(
            select(Assessment).where(Assessment.title == "Licensing review")
        )
        assert started.scope == "Licensing and regulation"
        (event,) = [e for e in events(app, "assessment.started") if e.object_id == str(started.id)]
        assert event.new_value["scope"] == "Licensing and regulation"
        report = reports.report_input(started)
        assert report.assessment_scope == "Licensing and regulation"
    overview = admin.get(f"/assessments/{started.id}").get_data(as_text=True)
    assert "covers Licensing and regulation" in _text(overview)
    # The demo covers the whole council.
    assert "covers the whole organisation" in _text(
        admin.get(f"/assessments/{demo}").get_data(as_text=True)
    )


def test_a_scope_that_is_too_long_is_refused_and_nothing_is_started(app, demo):
    admin = _signed_in(app, "admin@demo.example")
    with app.app_context():
        org_id = assessments.get(demo).organisation_id
    response = post(
        admin, f"/organisations/{org_id}/assessments", {"title": "Too long", "scope": "x" * 201}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "What it covers must be 200 characters or fewer." in _text(html)
    assert 'href="#scope"' in html and 'aria-invalid="true"' in html
    assert 'value="Too long"' in html
    with app.app_context():
        assert db.session().scalar(select(Assessment).where(Assessment.title == "Too long")) is None
