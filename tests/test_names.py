"""One rule for names (a person's, an organisation's, a workshop display name): control characters
and invisible direction marks are refused with a message, never silently changed; emoji, flags and
every script are kept exactly; right-to-left names are isolated from the text around them."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, login, post, register
from report_helpers import make_report_input, page_texts
from sqlalchemy import select
from workshop_helpers import open_room

from assess import db, names
from assess.models import Organisation, Participant, User
from assess.reporting import build_context, render_html, render_report

REFUSED = {
    "a NUL": "Ann\x00Smith",
    "an escape": "Ann\x1b[31mSmith",
    "a line break inside": "Ann\nSmith",
    "a right-to-left override": "Ann \u202egnp.exe",
    "an unpaired direction mark": "Ann\u200f Smith",
    "a byte order mark": "\ufeffAnn",
    "a stray tag character": "Ann\U000e0041",
}
KEPT = {
    "accents": "Siân Gwenllïan",
    "an emoji joined with ZWJ": "Team \U0001f469\u200d\U0001f469\u200d\U0001f467",
    "a country flag": "\U0001f1ec\U0001f1e7 Cabinet Office",
    "the Welsh flag (a tag sequence)": "Cyngor \U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c"
    "\U000e0073\U000e007f",
    "Arabic": "بلدية دبي",
    "Persian with a zero-width non-joiner": "می\u200cخواهم",  # noqa: RUF001
}
MESSAGE = "The name contains a control character or an invisible formatting mark"


def _refused(response):
    """Refused with a message (NUL is refused for every field before any rule is applied)."""
    text = response.get_data(as_text=True)
    return response.status_code in (200, 400) and (MESSAGE in text or "NUL character" in text)


@pytest.mark.parametrize("name", KEPT.values(), ids=KEPT.keys())
def test_the_rule_keeps_every_real_name_exactly(name):
    assert names.problem(names.clean(name)) is None
    assert names.clean(f"  {name}  ") == name


@pytest.mark.parametrize("name", REFUSED.values(), ids=REFUSED.keys())
def test_the_rule_refuses_invisible_and_control_characters(name):
    assert names.problem(names.clean(name)) is not None


@pytest.mark.parametrize("name", REFUSED.values(), ids=REFUSED.keys())
def test_every_kind_of_name_refuses_them_with_the_same_message(app, make_user, make_org, name):
    # A person's name, when registering.
    client = app.test_client()
    response = post(
        client,
        "/register",
        {"name": name, "email": "new@example.org", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert _refused(response)
    # An organisation's name.
    admin = make_user()
    login(client, admin)
    details = {"sector": "housing", "size_band": "5000_plus", "country": "GB"}
    response = post(
        client,
        "/organisations/new",
        {**details, "name": f"Council {name}", "time_zone": "Europe/London"},
    )
    assert _refused(response)
    # A workshop display name: refused, not silently altered as before.
    room = open_room(app, make_user, make_org)
    response = post(app.test_client(), "/workshop/join", {"code": room.code, "name": name})
    assert response.status_code == 400 and _refused(response)
    with app.app_context():
        session = db.session()
        assert session.scalar(select(User).where(User.email == "new@example.org")) is None
        assert session.scalar(select(Organisation).where(Organisation.name.like("Council %"))) in (
            None,
            session.get(Organisation, room.organisation_id),
        )
        assert session.scalar(select(Participant)) is None


@pytest.mark.parametrize("name", KEPT.values(), ids=KEPT.keys())
def test_every_kind_of_name_keeps_emoji_flags_and_scripts_intact(
    app, make_user, make_org, mailbox, name
):
    client = app.test_client()
    # Registering and confirming the address by its emailed link signs the person in.
    assert register(client, mailbox, "new@example.org", name=name).status_code == 302
    response = post(
        client,
        "/organisations/new",
        {
            "name": name,
            "sector": "housing",
            "size_band": "5000_plus",
            "country": "GB",
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 302
    room = open_room(app, make_user, make_org)
    assert (
        post(app.test_client(), "/workshop/join", {"code": room.code, "name": name}).status_code
        == 302
    )
    with app.app_context():
        session = db.session()
        assert session.scalar(select(User).where(User.email == "new@example.org")).name == name
        assert session.scalar(select(Organisation).where(Organisation.name == name)) is not None
        assert session.scalar(select(Participant)).display_name == name


def test_right_to_left_names_are_isolated_in_pages(app, make_user, make_org):
    arabic = KEPT["Arabic"]
    admin = make_user(name="مريم الحسن")
    organisation = make_org(name=arabic, members={admin: "admin"})
    client = app.test_client()
    login(client, admin)
    show = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert f'<h1><bdi dir="auto">{arabic}</bdi></h1>' in show
    members = client.get(f"/organisations/{organisation.id}/members").get_data(as_text=True)
    assert '<td data-label="Name"><bdi dir="auto">مريم الحسن</bdi></td>' in members
    assert f'Members of <bdi dir="auto">{arabic}</bdi>' in members
    # Fields that take names guess their direction from what is typed.
    settings = client.get(f"/organisations/{organisation.id}/settings").get_data(as_text=True)
    assert 'dir="auto"' in settings.split('id="name"')[0].rsplit("<input", 1)[1] or (
        'dir="auto"' in settings.split('id="name"')[1].split(">")[0]
    )
    room = open_room(app, make_user, make_org)
    post(app.test_client(), "/workshop/join", {"code": room.code, "name": "דנה כהן"})
    dashboard = room.client.get(f"/workshops/{room.session_id}").get_data(as_text=True)
    assert '<li><bdi dir="auto">דנה כהן</bdi></li>' in dashboard


def test_right_to_left_names_are_isolated_in_the_pdf():
    arabic = KEPT["Arabic"]
    report = make_report_input(organisation_name=arabic)
    html = render_html(build_context(report))
    assert f'<p class="cover-org"><bdi dir="auto">\u2068{arabic}\u2069</bdi></p>' in html
    cover = page_texts(render_report(report))[0]
    # Printed whole, in its own order, on a line of its own on the cover.
    assert arabic in cover
