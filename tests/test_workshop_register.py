"""A workshop participant's own stakeholder register, one group at a time (the same summary and
group pages as a member's), and the facilitator's view of the room's register ratings."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from helpers import post
from workshop_helpers import join, open_room

from assess.models import Participant
from assess.services import assessments, participant_answers, workshops

REGISTER = "definition/stakeholder-register"


@pytest.fixture
def room(app, make_user, make_org):
    return open_room(app, make_user, make_org, sections=(REGISTER,))


def _own_rows(app, session_id: int, name: str) -> dict:
    with app.app_context():
        from sqlalchemy import select

        from assess import db

        participant = db.session().scalar(
            select(Participant).where(
                Participant.session_id == session_id, Participant.display_name == name
            )
        )
        answer = participant_answers.own_answers(participant, "definition").get("register")
        return {r.segment_id: r for r in (answer.value if answer else ())}


def _was(html: str) -> str:
    match = re.search(r'name="was" value="([^"]*)"', html)
    assert match
    return match.group(1)


def test_the_participant_sees_a_summary_with_change_links_not_dropdowns(app, room):
    device = join(app, room.code, "Pat")
    page = device.get(f"/workshop/{room.session_id}/{REGISTER}").get_data(as_text=True)
    assert "<select" not in page
    assert "register-summary" in page
    base = f"/workshop/{room.session_id}/register"
    assert f'<a id="change-residents" href="{base}/groups/residents">Rate' in page
    assert f'href="{base}/add" id="add-group"' in page
    assert "0 of 9 groups have every rating." in page
    assert "You are <bdi" in page  # the participant's header, not a member's


def test_a_participant_adds_a_group_to_their_own_answer_not_the_assessment(app, room):
    device = join(app, room.code, "Pat")
    base = f"/workshop/{room.session_id}/register"
    form = device.get(f"{base}/add").get_data(as_text=True)
    assert "These are your own ratings. The facilitator sees how many people chose each" in form
    assert (
        'type="radio" id="rating-power-4" name="power" value="4"' in form.replace(" checked", "")
        or 'name="power" value="4"' in form
    )
    response = post(device, f"{base}/add", {"label": "Council tenants", "power": "4"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/workshop/{room.session_id}/{REGISTER}#register-banner"
    )
    summary = device.get(response.headers["Location"]).get_data(as_text=True)
    assert '“<bdi dir="auto">Council tenants</bdi>” has been added to the register.' in summary
    assert "data-focus-on-load" in summary
    rows = _own_rows(app, room.session_id, "Pat")
    assert rows["custom-group-1"].label == "Council tenants"
    assert rows["custom-group-1"].power == 4
    with app.app_context():
        stored = assessments.answers(assessments.get(room.assessment_id), "definition")
        assert "register" not in stored  # the organisation's register waits for the room


def test_changing_a_listed_group_keeps_focus_on_its_change_link_and_next_goes_on(app, room):
    device = join(app, room.code, "Pat")
    base = f"/workshop/{room.session_id}/register"
    page = device.get(f"{base}/groups/residents").get_data(as_text=True)
    assert "<h1>Residents</h1>" in page
    response = post(
        device,
        f"{base}/groups/residents",
        {"was": _was(page), "power": "3", "engagement": "consult", "then": "next"},
    )
    assert response.status_code == 302
    following = response.headers["Location"]
    assert following.startswith(f"{base}/groups/") and not following.endswith("/residents")
    shown = device.get(following).get_data(as_text=True)
    assert 'The ratings of “<bdi dir="auto">Residents</bdi>” have been saved.' in shown
    assert _own_rows(app, room.session_id, "Pat")["residents"].power == 3
    page = device.get(f"{base}/groups/residents").get_data(as_text=True)
    response = post(device, f"{base}/groups/residents", {"was": _was(page), "power": "2"})
    assert response.headers["Location"].endswith(f"{REGISTER}#change-residents")
    assert _own_rows(app, room.session_id, "Pat")["residents"].power == 2


def test_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(app, room):
    device = join(app, room.code, "Pat")
    base = f"/workshop/{room.session_id}/register"
    response = post(device, f"{base}/add", {"label": "Carers", "power": "9"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Choose one of the answers offered for “Power”." in page
    assert 'value="Carers"' in page
    response = post(device, f"{base}/add", {"label": "Residents", "power": "2"})
    assert response.status_code == 400
    assert "There is already a group called" in response.get_data(as_text=True)
    assert _own_rows(app, room.session_id, "Pat") == {}


def test_removing_asks_first_and_says_what_happens_to_the_participants_answer(app, room):
    device = join(app, room.code, "Pat")
    base = f"/workshop/{room.session_id}/register"
    post(device, f"{base}/add", {"label": "Carers", "power": "2"})
    ask = device.get(f"{base}/groups/custom-group-1/remove").get_data(as_text=True)
    assert "Remove “Carers” from the register?" in ask
    assert "taken out of your answers" in ask
    assert "out of the results" not in ask  # that is the organisation's register, not theirs
    assert _own_rows(app, room.session_id, "Pat")  # nothing removed by asking
    response = post(device, f"{base}/groups/custom-group-1/remove", {"was": _was(ask)})
    assert response.headers["Location"].endswith("#register-banner")
    assert _own_rows(app, room.session_id, "Pat") == {}


def test_each_device_reaches_only_its_own_register(app, room):
    pat, sam = join(app, room.code, "Pat"), join(app, room.code, "Sam")
    base = f"/workshop/{room.session_id}/register"
    post(pat, f"{base}/add", {"label": "Carers", "power": "2"})
    assert "Carers" not in sam.get(f"/workshop/{room.session_id}/{REGISTER}").get_data(as_text=True)
    assert sam.get(f"{base}/groups/custom-group-1").status_code == 404
    assert _own_rows(app, room.session_id, "Sam") == {}
    stranger = app.test_client()
    assert stranger.get(f"{base}/add").status_code == 302  # to the join page


def test_the_pages_refuse_once_the_section_or_session_is_closed(app, room):
    device = join(app, room.code, "Pat")
    base = f"/workshop/{room.session_id}/register"
    post(
        room.client, f"/workshops/{room.session_id}/sections", {"sections": ["adoption/leadership"]}
    )
    assert device.get(f"{base}/add").status_code == 403
    assert post(device, f"{base}/add", {"label": "Carers"}).status_code == 403
    assert _own_rows(app, room.session_id, "Pat") == {}


def test_the_facilitator_sees_the_rooms_register_ratings_and_records_the_agreed_register(app, room):
    for name, power in (("Pat", "4"), ("Sam", "2"), ("Kim", "4")):
        device = join(app, room.code, name)
        page = device.get(f"/workshop/{room.session_id}/register/groups/residents")
        post(
            device,
            f"/workshop/{room.session_id}/register/groups/residents",
            {"was": _was(page.get_data(as_text=True)), "power": power, "regard": "citizen"},
        )
    post(device, f"/workshop/{room.session_id}/register/add", {"label": " carers ", "power": "1"})
    url = f"/workshops/{room.session_id}/consensus/definition/register"
    page = room.client.get(url).get_data(as_text=True)
    assert "there is no aggregate to accept" in page
    assert "Accept the aggregate</button>" not in page
    residents = page[page.index(">Residents<") :]
    assert "Rated by 3 people." in residents
    assert "Power: 2 Some (1) and 4 Decisive (2)" in residents
    assert "People differ" in residents[: residents.index("</section>")]
    assert "carers" in page and "Added by a participant" in page
    # Recording the room's register still works, and writes the organisation's register.
    response = post(
        room.client,
        url,
        {
            "how": "agreed",
            "q_register__rev": "",
            "q_register__was": "",
            "q_register__residents__power": "4",
            "consensus_note": "Agreed after discussion",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        stored = assessments.answers(assessments.get(room.assessment_id), "definition")
        assert [(r.segment_id, r.power) for r in stored["register"].value] == [("residents", 4)]


def _rate_room(app, room, ratings):
    for name, power in ratings:
        device = join(app, room.code, name)
        page = device.get(f"/workshop/{room.session_id}/register/groups/residents")
        post(
            device,
            f"/workshop/{room.session_id}/register/groups/residents",
            {"was": _was(page.get_data(as_text=True)), "power": power, "regard": "citizen"},
        )


def _checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)" checked', html) or re.findall(
        rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*checked', html
    )


def _as_shown(html: str, **chosen: str) -> dict[str, str]:
    """What a browser sends from a group page: each column's checked radio, and ``chosen``."""
    fields = dict(re.findall(r'<input[^>]*name="(\w+)" value="([^"]*)" checked', html))
    fields.pop("csrf_token", None)
    return {**fields, **chosen}


def test_the_facilitator_records_the_agreed_register_one_group_at_a_time(app, room):
    _rate_room(app, room, (("Pat", "4"), ("Sam", "2"), ("Kim", "4")))
    url = f"/workshops/{room.session_id}/consensus/definition/register"
    page = room.client.get(url).get_data(as_text=True)
    # The consensus page lists the groups with a link each, not a grid of dropdowns.
    assert "<select" not in page
    group_url = f"{url}/groups/residents"
    assert f'href="{group_url}"' in page
    row = page[page.index('id="register-group-residents"') :]
    assert (
        "The room: rated by 3 people. <strong>People differ</strong>" in row[: row.index("</tr>")]
    )
    assert "Recorded for the organisation</th>" in page
    form = room.client.get(group_url).get_data(as_text=True)
    assert "<select" not in form
    power = form[form.index('data-room="power"') :]
    assert "2 Some (1) and 4 Decisive (2)" in power[: power.index("</dl>")]
    assert "People differ" in power[: power.index("</dl>")]
    # Split: nothing chosen for power; unanimous: the room's choice for "regarded as".
    assert _checked(form, "power") == []
    assert _checked(form, "regard") == ["citizen"]
    assert _checked(form, "legitimacy") == [""]  # nobody rated it: as recorded (not rated)
    # Sent without choosing the split column: a message, nothing recorded.
    response = post(room.client, group_url, _as_shown(form))
    assert response.status_code == 400
    assert "Choose the rating the room agreed for" in response.get_data(as_text=True)
    with app.app_context():
        stored = assessments.answers(assessments.get(room.assessment_id), "definition")
        assert "register" not in stored
    # Chosen: recorded in the organisation's register, as the room's agreed answer.
    response = post(room.client, group_url, _as_shown(form, power="4", then="next"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{url}/groups/")
    following = room.client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'The ratings of “<bdi dir="auto">Residents</bdi>” have been saved.' in following
    with app.app_context():
        stored = assessments.answers(assessments.get(room.assessment_id), "definition")
        rows = [(r.segment_id, r.power, r.regard) for r in stored["register"].value]
        assert rows == [("residents", 4, "citizen")]
        record = workshops.consensus_records(workshops.get(room.session_id))
        assert record[("definition", "register")].how == "agreed"
    form = room.client.get(group_url).get_data(as_text=True)
    recorded = form[form.index('data-room="power"') :]
    assert "Decisive" in recorded[recorded.index("Recorded now") : recorded.index("</dl>")]


def test_changing_a_recorded_group_shows_old_and_new_and_asks_for_a_reason(app, room):
    from assess.models import AuditEvent

    _rate_room(app, room, (("Pat", "4"), ("Sam", "2")))
    url = f"/workshops/{room.session_id}/consensus/definition/register/groups/residents"
    form = room.client.get(url).get_data(as_text=True)
    first = post(room.client, url, _as_shown(form, power="4"))
    assert first.headers["Location"].endswith("/consensus/definition/register#change-residents")
    summary = room.client.get(first.headers["Location"]).get_data(as_text=True)
    assert 'The ratings of “<bdi dir="auto">Residents</bdi>” have been saved.' in summary
    assert 'id="change-residents" href="' in summary and "data-focus-on-load" in summary
    response = post(room.client, url, _as_shown(form, power="2"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Replace the recorded answer?" in page
    now = page[page.index('data-compare="current"') : page.index('data-compare="proposed"')]
    new = page[page.index('data-compare="proposed"') :]
    assert "Power: 4" in now and "Power: 2" in new[: new.index("</section>")]
    assert f'action="{url}"' in page
    revision = re.search(r'name="replaces" value="(\d+)"', page).group(1)
    # Without a reason: asked again, nothing changed.
    again = post(room.client, url, _as_shown(form, power="2", replaces=revision))
    assert again.status_code == 400
    assert "Say why the room" in again.get_data(as_text=True)
    with app.app_context():
        stored = assessments.answers(assessments.get(room.assessment_id), "definition")
        assert stored["register"].value[0].power == 4
    done = post(
        room.client,
        url,
        _as_shown(form, power="2", replaces=revision, reason="Seen the evidence"),
    )
    assert done.status_code == 302
    with app.app_context():
        from sqlalchemy import select

        from assess import db

        stored = assessments.answers(assessments.get(room.assessment_id), "definition")
        assert stored["register"].value[0].power == 2
        events = db.session().scalars(select(AuditEvent)).all()
        reasons = [e for e in events if (e.detail or {}).get("reason") == "Seen the evidence"]
        # The answer's change and the consensus both keep the reason, with the old ratings.
        assert {e.action for e in reasons} >= {"answer.changed"}, [e.action for e in reasons]
        assert any(
            (e.detail or {}).get("replaced", {}).get("value", [{}])[0].get("power") == 4
            for e in reasons
        )


def test_only_a_facilitator_who_runs_the_session_records_a_group(app, room):
    url = f"/workshops/{room.session_id}/consensus/definition/register/groups/residents"
    device = join(app, room.code, "Pat")
    assert device.get(url).status_code in (302, 403, 404)
    assert room.client.get(f"{url[: url.rindex('/')]}/nobody").status_code == 404
    other = f"/workshops/{room.session_id}/consensus/definition/register-x/groups/residents"
    assert room.client.get(other).status_code == 404


class _Table(HTMLParser):
    """A table's column headings, and its rows as each row heading's text with its cells'
    (text, class) pairs; visually hidden text included, as a screen reader reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.rows: list[tuple[str, list[tuple[str, str]]]] = []
        self._in_head = False
        self._cell: list[str] | None = None
        self._class = ""

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.rows.append(("", []))
        elif tag in ("th", "td"):
            self._cell, self._class = [], dict(attrs).get("class") or ""
        elif tag == "span" and self._cell:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = re.sub(r"[ \t\n]+", " ", "".join(self._cell)).strip()  # keeps no-break spaces
            if self._in_head:
                self.headings.append(text)
            elif tag == "th":
                self.rows[-1] = (text, self.rows[-1][1])
            else:
                self.rows[-1][1].append((text, self._class))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _room_table(html: str) -> _Table:
    table = _Table()
    table.feed(html[html.index("data-register-spread") : html.index("</table>")])
    return table


def test_the_room_view_shows_the_register_as_a_table_a_group_a_row_without_names(app, room):
    _rate_room(app, room, (("Pat", "4"), ("Sam", "2"), ("Kim", "4")))
    device = join(app, room.code, "Lee")  # rates another group, and only its power
    page = device.get(f"/workshop/{room.session_id}/register/groups/businesses")
    post(
        device,
        f"/workshop/{room.session_id}/register/groups/businesses",
        {"was": _was(page.get_data(as_text=True)), "power": "3"},
    )
    slide = room.client.get(f"/workshops/{room.session_id}/room/definition/register")
    html = slide.get_data(as_text=True)
    assert slide.status_code == 200
    table = _room_table(html)
    # Only the columns someone rated, in the questionnaire's order.
    assert table.headings == ["Group", "Power", "How we regard them"]
    # Only the groups someone rated, in the register's order.
    assert [heading for heading, _cells in table.rows] == [
        "Residents Rated by 3 people",
        "Businesses Rated by 1 person",
    ]
    (residents, businesses) = (cells for _heading, cells in table.rows)
    # A rating is its figure and how many chose it; a split column is marked, in words too.
    assert residents[0] == (
        "2\u00a0(1) 4\u00a0(2) Views differ",
        "room-ratings__rating room-ratings__cell--differ",
    )
    assert residents[1] == ("As citizens\u00a0(3)", "room-ratings__words")
    assert businesses == [
        ("3\u00a0(1)", "room-ratings__rating"),
        ("\u2013 Not rated", "room-ratings__words"),  # a dash, read as "Not rated"
    ]
    assert "“4 (2)”: two people chose 4" in html
    for name in ("Pat", "Sam", "Kim", "Lee"):
        assert name not in html


def test_ratings_added_to_the_recorded_register_need_no_confirmation(app, room):
    """Rating a group (or a column) the recorded register has nothing for replaces nothing."""
    _rate_room(app, room, (("Pat", "4"), ("Sam", "4")))
    url = f"/workshops/{room.session_id}/consensus/definition/register/groups"
    for group, extra in (("residents", {}), ("businesses", {"power": "2"})):
        form = room.client.get(f"{url}/{group}").get_data(as_text=True)
        done = post(room.client, f"{url}/{group}", _as_shown(form, **extra))
        assert done.status_code == 302, done.get_data(as_text=True)[:500]
    form = room.client.get(f"{url}/residents").get_data(as_text=True)
    done = post(room.client, f"{url}/residents", _as_shown(form, legitimacy="3"))
    assert done.status_code == 302
    with app.app_context():
        stored = assessments.answers(assessments.get(room.assessment_id), "definition")
        rows = [(r.segment_id, r.power, r.legitimacy) for r in stored["register"].value]
        assert rows == [("residents", 4, 3), ("businesses", 2, None)]
    # Clearing a recorded rating replaces it: both shown, and a reason asked.
    asked = post(room.client, f"{url}/residents", _as_shown(form, legitimacy=""))
    assert "Replace the recorded answer?" in asked.get_data(as_text=True)


def _live_statement(room) -> tuple[str, object]:
    """The register's sentence on the live view (as the page shows it) and in its JSON."""
    html = room.client.get(f"/workshops/{room.session_id}/live").get_data(as_text=True)
    item = html[html.index('data-key="definition/register"') :]
    item = item[: item.index("</li>")]
    assert "Written answers" not in item  # the register is ratings, not written answers
    shown = re.search(
        r"<p class=\"live-item__statement\" data-statement( hidden)?>([^<]*)</p>", item
    )
    assert shown, item
    data = room.client.get(f"/workshops/{room.session_id}/live.json").get_json()
    (question,) = [q for q in data["questions"] if q["key"] == "definition/register"]
    return ("hidden" if shown.group(1) else shown.group(2)), question["statement"]


def test_the_live_view_sums_up_the_rooms_register_in_a_sentence(app, room):
    # Nobody has rated a group: nothing to say yet (the element waits, hidden, for the script).
    assert _live_statement(room) == ("hidden", None)

    # One group, rated the same by everyone who rated it.
    _rate_room(app, room, (("Pat", "4"), ("Sam", "4")))
    agreed = "1 group rated; everyone who rated it chose the same ratings."
    assert _live_statement(room) == (agreed, agreed)

    # People differ on the residents' power; the businesses are rated by one person.
    _rate_room(app, room, (("Kim", "2"),))
    device = join(app, room.code, "Lee")
    page = device.get(f"/workshop/{room.session_id}/register/groups/businesses")
    post(
        device,
        f"/workshop/{room.session_id}/register/groups/businesses",
        {"was": _was(page.get_data(as_text=True)), "power": "3"},
    )
    differ = "2 groups rated; views differ on 1 of them."
    assert _live_statement(room) == (differ, differ)
    # The room view and the consensus page say the same.
    for url in ("room/definition/register", "consensus/definition/register"):
        html = room.client.get(f"/workshops/{room.session_id}/{url}").get_data(as_text=True)
        assert f"data-statement>{differ}</p>" in html, url
