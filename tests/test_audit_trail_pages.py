"""Admins and auditors read the trail, filter it, and export it as CSV; nobody else does."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from audit_helpers import answer, ref_of, start_assessment
from helpers import login, post
from sqlalchemy import select

from assess import access, audit, db, spreadsheet
from assess.models import AuditEvent, Organisation
from assess.permissions import INSTANCE_PERMISSIONS, READ_ONLY
from assess.services import audit_export, audit_trail


@pytest.fixture
def trail(app, make_user, make_org):
    """An organisation in Auckland with an admin, a respondent and an auditor, and some history."""
    admin = make_user(name="Alice Admin")
    respondent = make_user(name='=HYPERLINK("http://evil.example","Rob")')
    auditor = make_user(name="Audrey Auditor")
    organisation = make_org(
        members={admin: "admin", respondent: "respondent", auditor: "auditor"},
        time_zone="Pacific/Auckland",
    )
    assessment_id = start_assessment(app, organisation.id, admin)
    answer(app, assessment_id, admin, 2, note="-2 + 3, see the board's minutes")
    answer(app, assessment_id, respondent, 3, base=1)
    answer(app, assessment_id, respondent, 1, question="lead-accountability", note="@ops")
    return {
        "org": organisation,
        "admin": admin,
        "respondent": respondent,
        "auditor": auditor,
        "assessment_id": assessment_id,
    }


def _signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _csv(response):
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_admins_and_auditors_read_the_trail_others_do_not(app, trail, make_user, add_member):
    url = f"/organisations/{trail['org'].id}/audit"
    for person in ("admin", "auditor"):
        page = _signed_in(app, trail[person]).get(url)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Answer changed" in text and "Alice Admin" in text
        assert "Adoption: How does the governing body oversee the way" in text
    assert _signed_in(app, trail["respondent"]).get(url).status_code == 403
    assert _signed_in(app, trail["respondent"]).get(url + ".csv").status_code == 403
    facilitator = make_user()
    add_member(facilitator, trail["org"], "facilitator")
    assert _signed_in(app, facilitator).get(url).status_code == 403


def test_an_auditor_is_refused_every_change(app, trail):
    """Every route that needs a permission an auditor lacks answers 403, whatever the method."""
    client = _signed_in(app, trail["auditor"])
    checked = 0
    for rule in app.url_map.iter_rules():
        declared = access.rule_of(app.view_functions.get(rule.endpoint))
        if declared is None or declared.kind != access.PERMISSION:
            continue
        if declared.permission in READ_ONLY or declared.permission in INSTANCE_PERMISSIONS:
            continue
        values = dict.fromkeys(rule.arguments, trail["org"].id)
        if set(rule.arguments) - {"org_id"}:
            continue  # object routes are covered by the role matrix in test_roles.py
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.get(url) if method == "GET" else post(client, url, {})
            assert response.status_code == 403, (method, rule.rule)
            checked += 1
    assert checked >= 3
    assert "audit.view" in READ_ONLY


def test_another_organisations_people_cannot_see_the_trail(app, trail, make_user, make_org):
    stranger = make_user()
    make_org(members={stranger: "admin"})
    client = _signed_in(app, stranger)
    assert client.get(f"/organisations/{trail['org'].id}/audit").status_code == 404
    assert client.get(f"/organisations/{trail['org'].id}/audit.csv").status_code == 404


def test_filters_narrow_by_person_question_and_action(app, trail):
    client = _signed_in(app, trail["admin"])
    url = f"/organisations/{trail['org'].id}/audit.csv"
    respondent_ref = ref_of(app, trail["respondent"])
    by_person = _csv(client.get(url, query_string={"person": respondent_ref}))
    assert {r["person_ref"] for r in by_person} == {respondent_ref}
    assert len(by_person) == 2  # their two answers
    by_question = _csv(client.get(url, query_string={"question": "lead-accountability"}))
    assert [r["question"] for r in by_question] == ["lead-accountability"]
    by_action = _csv(client.get(url, query_string={"action": "assessment.started"}))
    assert [r["action"] for r in by_action] == ["assessment.started"]
    page = client.get(
        f"/organisations/{trail['org'].id}/audit", query_string={"action": "not.an.action"}
    )
    assert "Choose an action from the list." in page.get_data(as_text=True)


def test_dates_are_whole_days_in_the_organisations_time_zone(app, trail):
    # Events take the database's time, so the test picks a zone whose date differs from UTC's
    # now: Kiritimati (UTC+14) is a day ahead from 10:00 UTC, Etc/GMT+12 (UTC-12) a day behind
    # until 12:00 UTC.
    with app.app_context():
        audit.record_now(
            audit.REPORT_DOWNLOADED,
            organisation_id=trail["org"].id,
            actor=trail["admin"],
            object_type="assessment",
            object_id=trail["assessment_id"],
        )
        event = db.session().scalar(
            select(AuditEvent).where(AuditEvent.action == audit.REPORT_DOWNLOADED)
        )
        zone = "Pacific/Kiritimati" if event.occurred_at.hour >= 10 else "Etc/GMT+12"
        db.session().get(Organisation, trail["org"].id).time_zone = zone
        db.session().commit()
    local = event.occurred_at.astimezone(ZoneInfo(zone))
    utc_day = event.occurred_at.date().isoformat()
    local_day = local.date().isoformat()
    assert local_day != utc_day
    client = _signed_in(app, trail["admin"])
    url = f"/organisations/{trail['org'].id}/audit.csv"
    on_the_local_day = _csv(client.get(url, query_string={"from": local_day, "to": local_day}))
    assert local.isoformat(timespec="seconds") in [r["time"] for r in on_the_local_day]
    on_the_utc_day = _csv(client.get(url, query_string={"from": utc_day, "to": utc_day}))
    assert on_the_utc_day == []
    page = client.get(
        f"/organisations/{trail['org'].id}/audit",
        query_string={"from": local_day, "to": local_day},
    ).get_data(as_text=True)
    offset = local.strftime("%z")
    assert f"{local.day} {local:%b %Y, %H:%M} (UTC{offset[:3]}:{offset[3:]})" in page
    bad = client.get(f"/organisations/{trail['org'].id}/audit", query_string={"from": "2nd Jan"})
    assert "YYYY-MM-DD" in bad.get_data(as_text=True)


def test_the_csv_is_an_excel_safe_download_with_offsets(app, trail):
    response = _signed_in(app, trail["auditor"]).get(f"/organisations/{trail['org'].id}/audit.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    assert response.headers["Cache-Control"] == "no-store"
    rows = _csv(response)
    assert list(rows[0]) == list(audit_export.CSV_COLUMNS)
    for row in rows:
        parsed = datetime.fromisoformat(row["time"])
        assert parsed.utcoffset() is not None and row["time"][-6] in "+-"
        for cell in row.values():
            assert not cell.startswith(spreadsheet.FORMULA_STARTS), cell
    by_rob = [r for r in rows if r["person"].startswith("'=HYPERLINK")]
    assert by_rob, "the formula-like name is kept, defused"
    notes = [r["new_value"] for r in rows if r["action"] == audit.ANSWER_CHANGED]
    assert any('"note": "-2 + 3, see the board\'s minutes"' in n for n in notes)
    # Oldest first: the assessment was started before any answer.
    actions = [r["action"] for r in rows if r["action"] != audit.LOGIN_SUCCEEDED]
    assert actions[0] == audit.ASSESSMENT_STARTED


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+41 22", "'+41 22"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain, with comma", "plain, with comma"),
        ("", ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_defused(cell, safe):
    assert spreadsheet.defuse(cell) == safe


def test_members_sign_ins_show_from_the_day_they_joined_only(app, make_user, make_org, add_member):
    person = make_user(name="Pat Consultant")
    first = make_org(members={person: "facilitator"})
    client = _signed_in(app, person)  # signs in while a member of the first only
    second_admin = make_user()
    second = make_org(members={second_admin: "admin"})
    add_member(person, second, "respondent")
    admin_of_first = make_user()
    add_member(admin_of_first, first, "admin")
    first_csv = _csv(_signed_in(app, admin_of_first).get(f"/organisations/{first.id}/audit.csv"))
    assert any(r["person"] == "Pat Consultant" for r in first_csv)
    second_csv = _csv(_signed_in(app, second_admin).get(f"/organisations/{second.id}/audit.csv"))
    assert not any(r["person"] == "Pat Consultant" for r in second_csv)
    del client


_NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
_PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">')
_EVENT_ROW = re.compile(r'<td class="audit__when"')


def _follow(client, url: str, pattern: re.Pattern[str]) -> list[str]:
    """Every page from ``url`` on, following the link ``pattern`` finds."""
    pages = []
    while url:
        response = client.get(html.unescape(url))
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        pages.append(text)
        found = pattern.search(text)
        url = found.group(1) if found else ""
        assert len(pages) < 100
    return pages


def test_the_trail_pages_through_long_histories(app, trail, monkeypatch):
    """Every event once, across pages, forwards and back; the filters stay on every link."""
    monkeypatch.setattr(audit_trail, "PER_PAGE", 2)
    client = _signed_in(app, trail["admin"])
    url = f"/organisations/{trail['org'].id}/audit"
    everything = _csv(client.get(url + ".csv"))
    pages = _follow(client, url, _NEXT)
    assert len(pages) == -(-len(everything) // 2) and len(pages) > 2
    assert "Older events" in pages[0] and "Newer events" not in pages[0]
    assert "Newer events" in pages[-1] and "Older events" not in pages[-1]
    times = [re.findall(r'<td class="audit__when"[^>]*>([^<]+)<', p) for p in pages]
    assert sum(len(t) for t in times) == len(everything)
    # Back from the last page: the same pages in reverse.
    last_url = html.unescape(_NEXT.findall(pages[-2])[0])
    back = _follow(client, last_url, _PREVIOUS)
    assert [len(_EVENT_ROW.findall(p)) for p in back] == [
        len(_EVENT_ROW.findall(p)) for p in reversed(pages)
    ]
    # The filters are kept from page to page.
    filtered = _follow(client, url + "?questionnaire=adoption", _NEXT)
    assert sum(len(_EVENT_ROW.findall(p)) for p in filtered) == 3
    assert all("questionnaire=adoption" in link for p in filtered for link in _NEXT.findall(p))


def test_a_page_link_changed_by_hand_gets_a_message_not_an_error(app, trail):
    client = _signed_in(app, trail["admin"])
    url = f"/organisations/{trail['org'].id}/audit"
    for cursor in ("not-a-cursor", "WzEsMl0", "WyJ4Il0", "%%%", "W251bGxd"):
        response = client.get(url, query_string={"after": cursor, "questionnaire": "adoption"})
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "This page link is not valid" in text
        assert '<option value="adoption" selected>' in text


def test_values_are_described_in_words():
    describe = audit_trail.describe
    assert describe({"status": "answered", "value": 3, "note": "Minutes"}) == "3 (note: Minutes)"
    assert describe({"status": "dont_know", "value": None, "note": ""}) == "Don't know"
    assert describe({"models": ["citizen", "customer"], "reason": None}) == (
        "Models: Citizen model, Customer model"
    )
    assert describe(None) == ""


def test_action_plan_and_evidenced_level_values_read_as_words_not_field_names(app):
    """No "status: not_started; dropped_reason: " or "criteria: level: 3; number: 1; met: True"."""
    from assess.services.questionnaires import current_questionnaires

    describe = audit_trail.describe
    assert describe(
        {"status": "not_started", "dropped_reason": "", "owner": "role", "due_on": "2026-12-30"}
    ) == ("Status: Not started; Owner: A named role; Due: 2026-12-30")
    answer = {
        "status": "answered",
        "value": 3,
        "note": "Plans",
        "criteria": [
            {"level": 3, "number": 1, "met": True, "reference": "Plans 2024/25"},
            {"level": 3, "number": 2, "met": False, "reference": ""},
        ],
    }
    with app.test_request_context():
        shown = describe(answer)
        single = next(
            q
            for questionnaire in current_questionnaires()
            for _s, q in questionnaire.questions()
            if q.type == "single"
        )
        option = single.options[1]
        chosen = describe({"status": "answered", "value": option.id, "note": ""}, single)
        level = next(
            q
            for questionnaire in current_questionnaires()
            for _s, q in questionnaire.questions()
            if q.type == "level"
        )
        assert describe({"status": "answered", "value": 2, "note": ""}, level) == "Level 2"
    assert chosen == option.label.get("en") and chosen != option.id
    assert shown == (
        "3 (note: Plans). Records: Level 3, record 1: met (Plans 2024/25); "
        "Level 3, record 2: not met"
    )


BOARD = "How does the governing body oversee the way the organisation manages its relationships"


def test_the_trail_reads_as_words_not_ids(app, trail):
    """Question text instead of ids, the assessment by its title, never "account 6"."""
    client = _signed_in(app, trail["auditor"])
    text = client.get(f"/organisations/{trail['org'].id}/audit").get_data(as_text=True)
    assert BOARD in text
    assert "adoption / lead-board-oversight" not in text
    assert "Assessment “Stakeholders 2026”" in text
    assert not re.search(r"\b(account|assessment|membership) \d+\b", text)


def test_the_filter_offers_questionnaires_and_questions_as_lists(app, trail):
    client = _signed_in(app, trail["admin"])
    url = f"/organisations/{trail['org'].id}/audit"
    page = client.get(url).get_data(as_text=True)
    assert "Question id" not in page
    assert '<select class="select" id="questionnaire" name="questionnaire">' in page
    assert '<option value="adoption">Adoption</option>' in page
    assert '<optgroup label="Adoption">' in page
    assert re.search(r'<option value="lead-accountability">Who is accountable for', page)
    # The board question comes before the accountability question, as in the questionnaire.
    assert page.index('value="lead-board-oversight"') < page.index('value="lead-accountability"')
    chosen = client.get(
        url, query_string={"questionnaire": "adoption", "question": "lead-accountability"}
    )
    text = chosen.get_data(as_text=True)
    assert '<option value="lead-accountability" selected>' in text
    assert len(_EVENT_ROW.findall(text)) == 1
    assert _csv(client.get(url + ".csv", query_string={"questionnaire": "definition"})) == []
    rows = _csv(client.get(url + ".csv", query_string={"questionnaire": "adoption"}))
    assert len(rows) == 3
    assert rows[0]["question_text"].startswith("How does the governing body")


def test_an_erased_person_is_named_as_such(app, trail):
    from assess.services import privacy

    with app.app_context():
        respondent = db.session().get(type(trail["respondent"]), trail["respondent"].id)
        admin = db.session().get(type(trail["admin"]), trail["admin"].id)
        privacy.erase_person(respondent, by=admin)
    text = (
        _signed_in(app, trail["auditor"])
        .get(f"/organisations/{trail['org'].id}/audit")
        .get_data(as_text=True)
    )
    assert "HYPERLINK" not in text
    assert "Former member" in text


def test_the_filter_lists_come_from_the_questionnaires_and_the_organisations_people(
    app, trail, make_user, add_member
):
    """The lists are read without the trail: every question of the questionnaires in use (one
    with no events shows an empty result, said in words), and the organisation's people, former
    members among them."""
    from assess.models import Membership
    from assess.services import organisations

    leaver = make_user(name="Lee Leaver")
    add_member(leaver, trail["org"], "respondent")
    with app.app_context():
        admin = db.session().get(type(trail["admin"]), trail["admin"].id)
        membership = db.session().scalar(
            select(Membership).where(
                Membership.user_id == leaver.id, Membership.organisation_id == trail["org"].id
            )
        )
        organisations.remove_member(membership, by=admin)
        db.session().commit()
    client = _signed_in(app, trail["admin"])
    url = f"/organisations/{trail['org'].id}/audit"
    page = client.get(url).get_data(as_text=True)
    people = re.findall(r'<option value="(p-[0-9a-f]+)"[^>]*>([^<]*)<', page)
    names = [html.unescape(name) for _ref, name in people]
    assert "Lee Leaver" in names  # no longer a member, but named by the removal
    assert {"Alice Admin", "Audrey Auditor"} <= set(names)
    assert names == sorted(names, key=str.lower)
    # A question nobody has answered is offered too; choosing it shows no events, in words.
    assert '<optgroup label="Definition">' in page
    with app.app_context():
        unanswered = next(
            q.id
            for _s, q in next(iter(audit_trail.current_questionnaires())).questions()
            if q.id not in ("lead-board-oversight", "lead-accountability")
        )
    assert f'<option value="{unanswered}">' in page
    empty = client.get(url, query_string={"question": unanswered}).get_data(as_text=True)
    assert f'<option value="{unanswered}" selected>' in empty
    assert "No events match." in empty and not _EVENT_ROW.search(empty)
    # The removed member's own events can be chosen by their reference.
    leaver_ref = ref_of(app, leaver)
    assert (leaver_ref, "Lee Leaver") in people
    theirs = _csv(client.get(url + ".csv", query_string={"person": leaver_ref}))
    assert [r["action"] for r in theirs] == [audit.MEMBER_REMOVED]
    assert theirs[0]["about"] == "Lee Leaver"


def test_the_csv_writes_awkward_values_exactly_as_the_csv_module_would(app, trail):
    """Values that need quoting, a value that starts like a formula, accents and line breaks:
    the file reads back, through the csv module, to each value as JSON, defused."""
    awkward = {"note": 'Siân said "no", then\r\nyes', "reason": "=1+1", "value": -3}
    with app.app_context():
        for new in (-3, awkward, "=cmd|' /C calc'!A0", [1, "a,b"]):
            audit.record(
                audit.ANSWER_CHANGED,
                organisation_id=trail["org"].id,
                actor=None,
                object_type="assessment",
                object_id="-1",
                source="system",
                old=None,
                new=new,
                detail={"é": 1, "a": [None, True]},
            )
        db.session().commit()
    response = _signed_in(app, trail["admin"]).get(f"/organisations/{trail['org'].id}/audit.csv")
    rows = _csv(response)
    written = [r for r in rows if r["object_id"] == "'-1"]
    expected = [
        "'-3",
        '{"note": "Siân said \\"no\\", then\\r\\nyes", "reason": "=1+1", "value": -3}',
        "\"=cmd|' /C calc'!A0\"",  # JSON text: starts with a quote, not a formula
        '[1, "a,b"]',
    ]
    assert [r["new_value"] for r in written] == expected
    assert all(r["old_value"] == "" for r in written)
    assert all(r["detail"] == '{"a": [null, true], "é": 1}' for r in written)
    assert all(r["person"] == "System" and r["person_ref"] == "" for r in written)
    # Every line ends CRLF, and the file reads back to as many rows as it has lines.
    text = response.get_data(as_text=True)
    assert text.count("\r\n") == len(rows) + 1  # and the header; JSON escapes its line breaks


@pytest.mark.parametrize(
    "zone",
    ["Europe/London", "Pacific/Auckland", "Asia/Kathmandu", "America/St_Johns",
     "Australia/Lord_Howe", "Etc/GMT+12"],
)  # fmt: skip
def test_export_times_match_the_zones_own_conversion_across_changes_of_offset(zone):
    """Times are converted once per UTC minute: the same as converting each, on either side of
    a change to or from summer time, and for a zone whose old offset had seconds."""
    from datetime import UTC, timedelta

    times = audit_export._Times(ZoneInfo(zone))
    starts = [
        datetime(2026, 3, 29, 0, 58, tzinfo=UTC),  # London, Europe's spring change
        datetime(2026, 10, 25, 0, 58, tzinfo=UTC),  # and its autumn one
        datetime(2026, 4, 4, 12, 58, tzinfo=UTC),  # Auckland's autumn change
        datetime(2026, 9, 26, 12, 58, tzinfo=UTC),  # and its spring one
        datetime(2026, 4, 4, 14, 28, tzinfo=UTC),  # Lord Howe: half an hour
        datetime(1840, 1, 1, 0, 0, tzinfo=UTC),  # local mean time, offsets with seconds
    ]
    for start in starts:
        for seconds in range(0, 5 * 60, 7):
            moment = start + timedelta(seconds=seconds, microseconds=123456)
            stored = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
            expected = moment.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
            assert times.local(stored) == expected, (zone, stored)
    london = audit_export._Times(ZoneInfo("Europe/London"))
    assert london.local("2026-03-29 00:59:59.999999") == "2026-03-29T00:59:59+00:00"
    assert london.local("2026-03-29 01:00:00.000000") == "2026-03-29T02:00:00+01:00"
    assert london.local("2026-10-25 00:30:00.000000") == "2026-10-25T01:30:00+01:00"
    assert london.local("2026-10-25 01:30:00.000000") == "2026-10-25T01:30:00+00:00"
