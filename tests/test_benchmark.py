"""The peer benchmark: who contributes, releases that a single join or opt-out cannot be
differenced against, the results page and the report, the participation setting, the operator's
counts and the threshold's start-up check.

Finalising renders the report's PDF; these tests replace the layout with a one-page PDF that
carries the same embedded data (the benchmark reads the figures from that data), so that a group
of organisations can be finalised quickly. The real PDF is rendered in one test."""

from __future__ import annotations

import re

import pytest
from benchmark_helpers import answered, finalise, peer_factory, render_quickly
from helpers import login, post
from sqlalchemy import select

from assess import create_app, db
from assess.config import ConfigError
from assess.models import Assessment, AuditEvent, BenchmarkRelease, Organisation, User
from assess.services import benchmark, finalising, organisations, reports


@pytest.fixture
def quick(monkeypatch):
    render_quickly(monkeypatch)


@pytest.fixture
def peers(app, quick, make_user, make_org):
    """``peers(levels, sector=..., size_band=..., start=...)``: organisations, each with a
    finalised assessment at one of ``levels``; [(organisation, admin, assessment id)]."""
    return peer_factory(app, make_user, make_org)


def refresh(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        return [(r.group_kind, r.group_value, r.contributor_count) for r in benchmark.refresh()]


def _results(client, assessment_id: int) -> str:
    response = client.get(f"/assessments/{assessment_id}/results")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _flat(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _raw_section(html: str) -> str:
    start = html.index('id="benchmark"')
    return html[start : html.index("</section>", start)]


def _section(html: str) -> str:
    return _flat(_raw_section(html))


# ---- contributions -----------------------------------------------------------------------


def test_each_organisation_contributes_its_latest_finalised_assessment_once(
    app, quick, make_user, make_org
):
    admin = make_user()
    org = make_org(members={admin: "admin"})
    first = answered(app, org, admin, 2, "2025")
    finalise(app, first, admin)
    second = answered(app, org, admin, 3, "2026")
    finalise(app, second, admin)
    answered(app, org, admin, 4, "2027 draft")  # a draft never counts
    with app.app_context():
        (found,) = benchmark.contributors()
        second_report = finalising.stored_report(db.session().get(Assessment, second))
        assert found.contribution.key == second_report.sha256
        assert found.contribution.figures["leadership"] == (2, 2.75)


def test_opted_out_suspended_and_unfinalised_organisations_do_not_contribute(app, peers, make_org):
    made = peers([2, 2, 3])
    make_org(name="Nothing finalised")
    with app.app_context():
        session = db.session()
        session.get(Organisation, made[0][0].id).benchmark_opt_out = True
        session.get(Organisation, made[1][0].id).status = "suspended"
        session.commit()
        assert [c.contribution.organisation_id for c in benchmark.contributors()] == [made[2][0].id]


# ---- releases and the results page -------------------------------------------------------


def test_the_results_page_shows_where_the_body_stands_against_its_sector_and_size_band(app, peers):
    made = peers([1, 2, 3, 3, 4])
    assert refresh(app) == [
        ("sector", "local_government", 5),
        ("size_band", "250_999", 5),
    ]
    _org, admin, assessment_id = made[3]
    client = app.test_client()
    login(client, admin)
    html = _results(client, assessment_id)
    text = _section(html)
    assert "Common Assessment Framework (CAF 2020)" in text
    assert "Your sector: Local government" in text and "Your size band: 250 to 999 staff" in text
    assert text.count("From 5 organisations") == 2
    # Leadership: lowest levels 1, 1, 2, 2, 3 (each body's first practice is one lower); the
    # quartiles are the 2nd, 3rd and 4th: 1, 2, 2. This body's lowest level is 2.
    table = _raw_section(html)
    table = table[table.index('id="benchmark-sector-table"') :]
    row = re.search(r'<tr data-area="leadership">(.*?)</tr>', table, re.S).group(1)
    assert "2 (1 to 2)" in _flat(row)
    assert "at the median" in _flat(row)
    # Scores: 1.0, 1.75, 2.75, 2.75, 3.75 shown as 1.0, 1.8, 2.8, 2.8, 3.8; this body 2.8.
    assert "2.8 (1.8 to 2.8)" in _flat(row)


def test_no_figures_below_the_threshold_and_a_plain_statement_why(app, peers):
    made = peers([1, 2, 3, 4])
    assert refresh(app) == []
    client = app.test_client()
    login(client, made[0][1])
    text = _section(_results(client, made[0][2]))
    assert text.count("There are no figures for this group yet") == 2
    assert "at least 5 organisations" in text
    assert "From " not in text


def test_the_threshold_is_configurable(app, peers):
    app.config["BENCHMARK_MIN_PEERS"] = 3
    peers([1, 2, 3])
    assert refresh(app) == [("sector", "local_government", 3), ("size_band", "250_999", 3)]
    # Raised again, the release of three is no longer shown.
    app.config["BENCHMARK_MIN_PEERS"] = 4
    with app.app_context():
        assert benchmark.shown_releases() == {}


@pytest.mark.parametrize("value", [2, "1", "-3", "few"])
def test_start_up_refuses_a_threshold_below_three(make_database, tmp_path, monkeypatch, value):
    from database_helpers import _base_config

    config = _base_config(make_database(), tmp_path / "instance")
    with pytest.raises(ConfigError, match="ASSESS_BENCHMARK_MIN_PEERS"):
        create_app({**config, "BENCHMARK_MIN_PEERS": value})
    monkeypatch.setenv("ASSESS_BENCHMARK_MIN_PEERS", str(value))
    with pytest.raises(ConfigError, match=r"at least 3|whole number"):
        create_app(config)


def test_one_more_organisation_joining_does_not_move_the_figures(app, peers):
    made = peers([1, 2, 3, 3, 4])
    refresh(app)
    client = app.test_client()
    login(client, made[0][1])
    before = _section(_results(client, made[0][2]))
    peers([5], start=9)  # a sixth joins: the group would differ from its release by one
    assert refresh(app) == []
    assert _section(_results(client, made[0][2])) == before
    # Four more join: ten differ from the five by five, and a new release is made.
    peers([1, 2, 4, 5], start=20)
    assert refresh(app) == [("sector", "local_government", 10), ("size_band", "250_999", 10)]
    assert "From 10 organisations" in _section(_results(client, made[0][2]))


def test_a_sector_that_is_the_size_band_but_one_is_not_shown_beside_it(app, peers):
    made = peers([1, 2, 3, 3, 4])
    peers([2], sector="health", start=9)  # same size band, another sector
    assert refresh(app) == [("sector", "local_government", 5)]
    client = app.test_client()
    login(client, made[0][1])
    text = _section(_results(client, made[0][2]))
    assert "From 5 organisations" in text
    assert "There are no figures for this group yet" in text


# ---- taking part -------------------------------------------------------------------------


def test_an_admin_opts_out_and_every_release_counting_it_stops_being_shown(app, peers):
    made = peers([1, 2, 3, 3, 4])
    refresh(app)
    org, admin, assessment_id = made[0]
    client = app.test_client()
    login(client, admin)
    page = client.get(f"/organisations/{org.id}/benchmark").get_data(as_text=True)
    assert 'name="take_part"' in page and "checked" in page
    response = post(client, f"/organisations/{org.id}/benchmark", {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session().get(Organisation, org.id).benchmark_opt_out
        event = db.session().scalar(
            select(AuditEvent).where(AuditEvent.action == "organisation.benchmark_changed")
        )
        assert (event.organisation_id, event.old_value, event.new_value) == (org.id, "in", "out")
    # Its own results say it does not take part and show no peers' figures.
    own = _section(_results(client, assessment_id))
    assert "does not take part in the peer benchmark" in own and "From " not in own
    # Another organisation no longer sees the release that counted it, nor a new one.
    other = app.test_client()
    login(other, made[1][1])
    assert refresh(app) == []
    text = _section(_results(other, made[1][2]))
    assert "From " not in text and "There are no figures for this group yet" in text
    # Back in: the release counting it is shown again (its figures did not change).
    post(client, f"/organisations/{org.id}/benchmark", {"take_part": "y"})
    assert "From 5 organisations" in _section(_results(other, made[1][2]))


def test_only_an_admin_changes_taking_part(app, peers, make_user, add_member):
    (org, _admin, _a), *_ = peers([2])
    respondent = make_user()
    add_member(respondent, org, "respondent")
    client = app.test_client()
    login(client, respondent)
    assert client.get(f"/organisations/{org.id}/benchmark").status_code == 403
    assert post(client, f"/organisations/{org.id}/benchmark", {}).status_code == 403
    with app.app_context():
        assert not db.session().get(Organisation, org.id).benchmark_opt_out


def test_taking_part_is_the_default_for_a_new_organisation(app, make_user):
    admin = make_user()
    with app.app_context():
        organisation = organisations.create(
            db.session().get(User, admin.id),
            organisations.Details(
                name="New body",
                sector="health",
                size_band="under_250",
                country="GB",
                time_zone="Europe/London",
            ),
        )
        assert organisation.benchmark_opt_out is False


# ---- the operator ------------------------------------------------------------------------


def test_the_operator_sees_how_many_contribute_per_group(app, peers, make_user):
    peers([1, 2, 3, 3, 4])
    peers([2], sector="health", start=9)
    operator = make_user(operator=True)
    client = app.test_client()
    login(client, operator)
    assert post(client, "/operator/benchmark/refresh", {}).status_code == 302
    html = client.get("/operator/benchmark").get_data(as_text=True)

    def row(kind, group):
        table = html[html.index(f'id="benchmark-{kind}"') :]
        return _flat(re.search(rf'<tr data-group="{group}">(.*?)</tr>', table, re.S).group(1))

    assert row("sector", "local_government").startswith("Local government 5 Shown 5 organisations")
    assert row("sector", "health").startswith("Health and social care 1 Not shown: too few")
    assert "6 Not shown: a new snapshot would differ" in row("size_band", "250_999")
    assert row("size_band", "under_250").startswith("Under 250 staff 0 Not shown: too few")


def test_only_the_operator_sees_the_counts(app, peers):
    (_org, admin, _a), *_ = peers([2])
    client = app.test_client()
    login(client, admin)
    assert client.get("/operator/benchmark").status_code == 403
    assert post(client, "/operator/benchmark/refresh", {}).status_code == 403
    with app.app_context():
        assert db.session().scalars(select(BenchmarkRelease)).all() == []


def test_the_daily_maintenance_makes_the_releases(app, peers, runner):
    peers([1, 2, 3, 3, 4])
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "peer benchmark" in result.output
    with app.app_context():
        assert len(db.session().scalars(select(BenchmarkRelease)).all()) == 2


# ---- the report --------------------------------------------------------------------------


def test_the_report_shows_where_the_body_stands_with_the_caution(app, peers):
    from assess.reporting import build_context, render_html

    made = peers([1, 2, 3, 3, 4])
    refresh(app)
    org, admin, _assessment_id = made[3]
    draft = answered(app, org, admin, 3, "Next")
    with app.app_context():
        report = reports.report_input(db.session().get(Assessment, draft))
        assert report.benchmark["groups"][0]["shown"]
        text = _flat(render_html(build_context(report)))
    assert "Against peers" in text
    assert "Common Assessment Framework (CAF 2020)" in text
    assert "From 5 organisations, as published on" in text
    assert "at the median" in text
