"""Organisations: set up, invite colleagues by email, switch between them, approval, suspension."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from helpers import PASSWORD, login, post, register
from sqlalchemy import select, update

from assess import db
from assess.models import Invitation, Membership, Organisation
from assess.templating import local_time

DETAILS = {
    "name": "Northshire County Council",
    "sector": "local_government",
    "size_band": "1000_4999",
    "country": "GB",
    "time_zone": "Europe/London",
}


def test_a_person_sets_up_an_organisation_and_becomes_its_admin(app, client, make_user):
    user = make_user()
    login(client, user)
    response = post(client, "/organisations/new", DETAILS)
    assert response.status_code == 302
    with app.app_context():
        organisation = db.session().scalar(select(Organisation))
        assert organisation.status == "active"
        member = db.session().scalar(select(Membership))
        assert (member.user_id, member.role) == (user.id, "admin")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Northshire County Council" in page
    assert "1,000 to 4,999 staff" in page


def test_values_outside_the_fixed_lists_are_refused_with_a_message(client, make_user):
    login(client, make_user())
    bad = {**DETAILS, "sector": "pirates", "time_zone": "Mars/Olympus_Mons", "country": "XX"}
    response = post(client, "/organisations/new", bad)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="#sector"' in page
    assert 'href="#time_zone"' in page
    assert 'href="#country"' in page


def test_registration_through_to_an_invited_colleague(app, make_user, mailbox):
    """A person registers, sets up the organisation, invites a colleague, who follows the email."""
    founder = app.test_client()
    register(founder, mailbox, "ada@example.org")
    post(founder, "/organisations/new", DETAILS)
    with app.app_context():
        org_id = db.session().scalar(select(Organisation.id))
    response = post(
        founder,
        f"/organisations/{org_id}/invitations/new",
        {"email": "Bob@Example.org", "role": "respondent"},
    )
    assert response.status_code == 302
    _confirmation, invitation = mailbox()
    assert invitation.to == "bob@example.org"
    assert "Northshire County Council" in invitation.subject
    assert "Ada" in invitation.text and "respondent" in invitation.text
    link = invitation.link()
    assert "Join Northshire County Council" in invitation.html

    colleague = app.test_client()
    page = colleague.get(link).get_data(as_text=True)
    assert "bob@example.org" in page
    response = post(colleague, link, {"name": "Bob", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisations/{org_id}"
    assert "You are respondent" in colleague.get(f"/organisations/{org_id}").get_data(as_text=True)
    # The invitation works once.
    assert app.test_client().get(link).status_code == 404
    members = founder.get(f"/organisations/{org_id}/members").get_data(as_text=True)
    assert "Bob" in members and "bob@example.org" in members


def test_an_invited_person_with_an_account_signs_in_to_accept(app, make_user, make_org, mailbox):
    admin, bob = make_user(), make_user(email="bob@example.org")
    organisation = make_org(members={admin: "admin"})
    client = app.test_client()
    login(client, admin)
    post(
        client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": bob.email, "role": "auditor"},
    )
    link = mailbox()[0].link()
    visitor = app.test_client()
    response = visitor.get(link)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    response = post(
        visitor, response.headers["Location"], {"email": bob.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == link
    assert post(visitor, link).status_code == 302
    with app.app_context():
        member = db.session().scalar(select(Membership).where(Membership.user_id == bob.id))
        assert member.role == "auditor"


def test_an_invitation_cannot_be_accepted_by_another_account(app, make_user, make_org, mailbox):
    admin, mallory = make_user(), make_user()
    organisation = make_org(members={admin: "admin"})
    client = app.test_client()
    login(client, admin)
    post(
        client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": "bob@example.org", "role": "admin"},
    )
    link = mailbox()[0].link()
    other = app.test_client()
    login(other, mallory)
    assert other.get(link).status_code == 403
    assert post(other, link).status_code == 403
    with app.app_context():
        assert (
            db.session().scalar(select(Membership).where(Membership.user_id == mallory.id)) is None
        )


def test_invitations_expire_and_can_be_withdrawn(app, client, make_user, make_org, mailbox):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    for email in ("late@example.org", "withdrawn@example.org"):
        post(
            client,
            f"/organisations/{organisation.id}/invitations/new",
            {"email": email, "role": "respondent"},
        )
    late, withdrawn = mailbox()
    with app.app_context():
        db.session().execute(
            update(Invitation)
            .where(Invitation.email == "late@example.org")
            .values(expires_at=db.utcnow() - timedelta(seconds=1))
        )
        db.session().commit()
        withdrawn_id = db.session().scalar(
            select(Invitation.id).where(Invitation.email == "withdrawn@example.org")
        )
    post(client, f"/organisations/{organisation.id}/invitations/{withdrawn_id}/withdraw")
    visitor = app.test_client()
    assert visitor.get(late.link()).status_code == 404
    assert visitor.get(withdrawn.link()).status_code == 404


def test_inviting_an_existing_member_is_refused(client, make_user, make_org):
    admin, bob = make_user(), make_user()
    organisation = make_org(members={admin: "admin", bob: "respondent"})
    login(client, admin)
    response = post(
        client,
        f"/organisations/{organisation.id}/invitations/new",
        {"email": bob.email, "role": "admin"},
    )
    assert response.status_code == 200
    assert "already a member" in response.get_data(as_text=True)


def test_a_person_switches_between_their_organisations(client, make_user, make_org):
    consultant = make_user()
    first = make_org(name="Alpha Borough", members={consultant: "facilitator"})
    second = make_org(name="Beta City", members={consultant: "facilitator"})
    login(client, consultant)
    header = client.get("/").get_data(as_text=True)
    assert "Alpha Borough" in header  # the first, by name, until one is chosen
    response = post(client, f"/organisations/{second.id}/switch")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "You are working in" in page and "Beta City" in page
    listing = client.get("/organisations").get_data(as_text=True)
    assert 'Switch to <bdi dir="auto">Alpha Borough</bdi>' in listing
    assert "Switch to Beta City" not in listing
    assert first.id != second.id


def test_times_are_shown_in_the_organisations_zone_with_its_offset(app):
    moment = datetime(2026, 7, 1, 14, 4, tzinfo=UTC)
    with app.test_request_context():
        assert local_time(moment, "Europe/London") == "1 Jul 2026, 15:04 (UTC+01:00)"
        assert local_time(moment, "America/New_York") == "1 Jul 2026, 10:04 (UTC-04:00)"
        assert local_time(moment, "Asia/Kolkata") == "1 Jul 2026, 19:34 (UTC+05:30)"
        assert local_time(moment) == "1 Jul 2026, 14:04 (UTC+00:00)"


def test_closed_registration_waits_for_an_operator(make_app, make_user, mailbox):
    app = make_app(OPEN_REGISTRATION=False)
    person = app.test_client()
    register(person, mailbox, "ada@example.org")  # the same mail folder
    response = post(person, "/organisations/new", DETAILS)
    assert response.headers["Location"] == "/organisations"
    with app.app_context():
        organisation = db.session().scalar(select(Organisation))
        assert organisation.status == "pending"
    response = person.get(f"/organisations/{organisation.id}")
    assert response.status_code == 403
    assert "waiting for approval" in response.get_data(as_text=True)

    with app.test_request_context():
        from assess.services import accounts

        accounts.create_operator("Op", "op@example.org", PASSWORD)
    operator = app.test_client()
    post(operator, "/login", {"email": "op@example.org", "password": PASSWORD})
    listing = operator.get("/operator/organisations").get_data(as_text=True)
    assert "Northshire County Council" in listing and "Pending" in listing
    assert post(operator, f"/operator/organisations/{organisation.id}/approve").status_code == 302
    assert person.get(f"/organisations/{organisation.id}").status_code == 200


def test_a_suspended_organisation_is_closed_to_its_members_with_a_reason(
    app, client, make_user, make_org
):
    operator, member = make_user(operator=True), make_user()
    organisation = make_org(members={member: "admin"})
    staff = app.test_client()
    login(staff, operator)
    post(staff, f"/operator/organisations/{organisation.id}/suspend")
    login(client, member)
    response = client.get(f"/organisations/{organisation.id}")
    assert response.status_code == 403
    assert "suspended" in response.get_data(as_text=True)
    assert (
        post(
            client,
            f"/organisations/{organisation.id}/invitations/new",
            {"email": "x@example.org", "role": "admin"},
        ).status_code
        == 403
    )
    post(staff, f"/operator/organisations/{organisation.id}/reactivate")
    assert client.get(f"/organisations/{organisation.id}").status_code == 200


def test_an_organisation_always_keeps_an_admin(app, client, make_user, make_org):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    with app.app_context():
        membership_id = db.session().scalar(select(Membership.id))
    login(client, admin)
    response = post(
        client,
        f"/organisations/{organisation.id}/members/{membership_id}/role",
        {"role": "respondent"},
        follow_redirects=True,
    )
    assert "at least one admin" in response.get_data(as_text=True)
    response = post(
        client,
        f"/organisations/{organisation.id}/members/{membership_id}/remove",
        {"confirm": "yes"},
        follow_redirects=True,
    )
    assert "at least one admin" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(Membership, membership_id).role == "admin"


def test_an_admin_edits_the_organisations_details(app, client, make_user, make_org):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    form = client.get(f"/organisations/{organisation.id}/settings").get_data(as_text=True)
    assert '<option selected value="Europe/London">' in form
    response = post(
        client,
        f"/organisations/{organisation.id}/settings",
        {**DETAILS, "name": "Renamed Council", "time_zone": "Europe/Dublin", "country": "IE"},
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session().get(Organisation, organisation.id)
        assert (saved.name, saved.time_zone, saved.country) == (
            "Renamed Council",
            "Europe/Dublin",
            "IE",
        )


def test_removing_a_member_asks_first_and_says_what_happens(
    app, client, make_user, make_org, add_member
):
    admin, colleague = make_user(), make_user(name="Colin Colleague")
    organisation = make_org(name="Ask First Council", members={admin: "admin"})
    add_member(colleague, organisation, "respondent")
    with app.app_context():
        membership_id = db.session().scalar(
            select(Membership.id).where(Membership.user_id == colleague.id)
        )
    login(client, admin)
    base = f"/organisations/{organisation.id}/members"
    members = client.get(base).get_data(as_text=True)
    assert f'href="{base}/{membership_id}/remove"' in members
    page = client.get(f"{base}/{membership_id}/remove").get_data(as_text=True)
    assert "Remove Colin Colleague from Ask First Council?" in page
    assert "loses access to Ask First Council straight away" in page
    assert "Their account is not deleted" in page
    # A post without the confirmation (an old page, a forged link) only asks again.
    unconfirmed = post(client, f"{base}/{membership_id}/remove")
    assert unconfirmed.headers["Location"] == f"{base}/{membership_id}/remove"
    with app.app_context():
        assert db.session().get(Membership, membership_id) is not None
    done = post(client, f"{base}/{membership_id}/remove", {"confirm": "yes"})
    assert done.headers["Location"] == base
    with app.app_context():
        assert db.session().get(Membership, membership_id) is None


def test_the_last_admin_is_told_before_trying_to_remove_themselves(
    app, client, make_user, make_org
):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    with app.app_context():
        membership_id = db.session().scalar(select(Membership.id))
    login(client, admin)
    page = client.get(f"/organisations/{organisation.id}/members/{membership_id}/remove")
    text = page.get_data(as_text=True)
    assert "at least one admin" in text and 'name="confirm"' not in text


def test_the_invitation_form_offers_the_least_privilege_first_and_by_default(
    app, client, make_user, make_org, mailbox
):
    admin = make_user()
    organisation = make_org(members={admin: "admin"})
    login(client, admin)
    url = f"/organisations/{organisation.id}/invitations/new"
    page = client.get(url).get_data(as_text=True)
    checked = re.findall(
        r'<input class="radios__input" type="radio" id="[^"]+" name="role" '
        r'value="(\w+)"( checked)?',
        page,
    )
    assert [value for value, _ in checked] == ["respondent", "facilitator", "auditor", "admin"]
    assert [value for value, mark in checked if mark] == ["respondent"]
    assert "Answers the questionnaires" in page
    missing = post(client, url, {"email": "someone@example.org", "role": ""})
    assert missing.status_code == 200
    assert 'href="#role"' in missing.get_data(as_text=True) and 'id="role"' in missing.get_data(
        as_text=True
    )
    sent = post(client, url, {"email": "someone@example.org", "role": "respondent"})
    assert sent.status_code == 302
    with app.app_context():
        assert db.session().scalar(select(Invitation.role)) == "respondent"


def test_times_name_the_month_in_the_pages_language(app):
    moment = datetime(2026, 11, 29, 15, 4, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        assert local_time(moment, "Europe/London") == "29 Tach 2026, 15:04 (UTC+00:00)"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local_time(moment, "Europe/London") == "29 Nov 2026, 15:04 (UTC+00:00)"
