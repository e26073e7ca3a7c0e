"""Each role can do what it is for, and is refused the rest."""

from __future__ import annotations

import pytest
from helpers import login, post
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assess import db
from assess.models import Invitation, Membership, Organisation
from assess.permissions import (
    ADMIN,
    AUDITOR,
    FACILITATOR,
    ORGANISATION_PERMISSIONS,
    READ_ONLY,
    RESPONDENT,
    ROLE_PERMISSIONS,
    ROLES,
)

DETAILS = {
    "name": "Renamed",
    "sector": "health",
    "size_band": "under_250",
    "country": "GB",
    "time_zone": "Europe/London",
}

#: action -> (method, path template, form data, roles allowed)
ACTIONS = {
    "see the organisation": ("GET", "/organisations/{org}", None, set(ROLES)),
    "switch to it": ("POST", "/organisations/{org}/switch", {}, set(ROLES)),
    "see its members": ("GET", "/organisations/{org}/members", None, {ADMIN, AUDITOR}),
    "open its settings": ("GET", "/organisations/{org}/settings", None, {ADMIN}),
    "change its details": ("POST", "/organisations/{org}/settings", DETAILS, {ADMIN}),
    "open the invitation form": ("GET", "/organisations/{org}/invitations/new", None, {ADMIN}),
    "invite someone": (
        "POST",
        "/organisations/{org}/invitations/new",
        {"email": "new@example.org", "role": "respondent"},
        {ADMIN},
    ),
    "change a member's role": (
        "POST",
        "/organisations/{org}/members/{colleague}/role",
        {"role": "auditor"},
        {ADMIN},
    ),
    "remove a member": (
        "POST",
        "/organisations/{org}/members/{colleague}/remove",
        {"confirm": "yes"},
        {ADMIN},
    ),
    "withdraw an invitation": (
        "POST",
        "/organisations/{org}/invitations/{invitation}/withdraw",
        {},
        {ADMIN},
    ),
    "read the audit trail": ("GET", "/organisations/{org}/audit", None, {ADMIN, AUDITOR}),
    "export the audit trail": ("GET", "/organisations/{org}/audit.csv", None, {ADMIN, AUDITOR}),
    "approve an organisation": ("POST", "/operator/organisations/{org}/approve", {}, set()),
    "delete an organisation": (
        "POST",
        "/operator/organisations/{org}/delete",
        {"confirm_name": "Council 1"},
        set(),
    ),
    "cancel a deletion": ("POST", "/operator/organisations/{org}/cancel-deletion", {}, set()),
    "erase a person": (
        "POST",
        "/operator/people/erase",
        {"email": "open@example.org", "confirm_email": "open@example.org"},
        set(),
    ),
    "suspend an organisation": ("POST", "/operator/organisations/{org}/suspend", {}, set()),
    "list every organisation": ("GET", "/operator/organisations", None, set()),
}


@pytest.fixture
def world(app, make_user, make_org):
    """An organisation with an admin, a colleague to act on and an open invitation."""
    admin, colleague = make_user(), make_user()
    organisation = make_org(members={admin: ADMIN, colleague: RESPONDENT})
    with app.app_context():
        colleague_id = db.session().scalar(
            select(Membership.id).where(Membership.user_id == colleague.id)
        )
        db.session().add(
            Invitation(
                token_hash="0" * 64,
                organisation_id=organisation.id,
                email="open@example.org",
                role=RESPONDENT,
                expires_at=db.utcnow().replace(year=2100),
            )
        )
        db.session().commit()
        invitation_id = db.session().scalar(select(Invitation.id))
    return {"org": organisation.id, "colleague": colleague_id, "invitation": invitation_id}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_role_is_allowed_or_refused_each_action(
    app, make_user, add_member, world, role, action
):
    method, template, data, allowed = ACTIONS[action]
    person = make_user()
    with app.app_context():
        add_member(person, db.session().get(Organisation, world["org"]), role)
    client = app.test_client()
    login(client, person)
    url = template.format(**world)
    response = client.get(url) if method == "GET" else post(client, url, data)
    if role in allowed:
        assert response.status_code in (200, 302), response.get_data(as_text=True)
    else:
        assert response.status_code == 403


def test_an_instance_operator_approves_and_suspends_but_does_not_read_organisations(
    app, make_user, world
):
    operator = make_user(operator=True)
    client = app.test_client()
    login(client, operator)
    assert client.get("/operator/organisations").status_code == 200
    assert post(client, f"/operator/organisations/{world['org']}/suspend").status_code == 302
    assert post(client, f"/operator/organisations/{world['org']}/reactivate").status_code == 302
    # Operating the instance is not membership: the organisation's own pages stay closed.
    assert client.get(f"/organisations/{world['org']}").status_code == 404
    assert client.get(f"/organisations/{world['org']}/members").status_code == 404


def test_a_consultant_facilitates_several_clients_and_sees_only_those(client, make_user, make_org):
    consultant, stranger = make_user(), make_user()
    clients = [make_org(members={consultant: FACILITATOR}) for _ in range(3)]
    elsewhere = make_org(members={stranger: ADMIN})
    login(client, consultant)
    for organisation in clients:
        assert client.get(f"/organisations/{organisation.id}").status_code == 200
    assert client.get(f"/organisations/{elsewhere.id}").status_code == 404
    listing = client.get("/organisations").get_data(as_text=True)
    assert all(o.name in listing for o in clients)
    assert elsewhere.name not in listing


def test_an_auditor_has_exactly_the_read_permissions_and_marking_answers():
    assert ROLE_PERMISSIONS[AUDITOR] == READ_ONLY | {"answer.mark"}
    # Marking answers is the auditor's own: nobody else may verify or challenge an answer.
    assert [role for role, granted in ROLE_PERMISSIONS.items() if "answer.mark" in granted] == [
        AUDITOR
    ]
    assert all(name.endswith(".view") or name.startswith("org.view") for name in READ_ONLY)


def test_an_admin_has_every_organisation_permission_but_the_auditors_marks():
    # An auditor's verdict on an answer must come from the auditor, not from whoever runs it.
    assert ROLE_PERMISSIONS[ADMIN] == set(ORGANISATION_PERMISSIONS) - {"answer.mark"}


def test_respondents_answer_and_facilitators_run_workshops():
    assert "assessment.answer" in ROLE_PERMISSIONS[RESPONDENT]
    assert "assessment.finalise" not in ROLE_PERMISSIONS[RESPONDENT]
    assert "workshop.run" in ROLE_PERMISSIONS[FACILITATOR]
    assert "workshop.run" not in ROLE_PERMISSIONS[RESPONDENT]
    assert "org.manage_members" not in ROLE_PERMISSIONS[FACILITATOR]


def test_roles_are_enforced_by_the_database_too(app, make_user, make_org):
    user = make_user()
    organisation = make_org()
    with app.app_context():
        db.session().add(Membership(user_id=user.id, organisation_id=organisation.id, role="king"))
        with pytest.raises(IntegrityError):
            db.session().commit()
