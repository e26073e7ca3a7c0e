"""Organisations in the browser: set one up, switch between them, members and invitations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user

from assess import access, context, sessions
from assess.i18n import current_locale, translate
from assess.models import Invitation, Membership, Organisation
from assess.permissions import ROLE_LABELS
from assess.services import ServiceError, accounts, assessments, organisations
from assess.views.forms.accounts import InviteForm, NewAccountForm, OrganisationForm, RoleForm
from assess.views.loaders import load_organisation
from assess.views.util import apply_error, list_page

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def load_membership(org_id: int, membership_id: int, **_: object) -> access.Loaded | None:
    """A membership of the organisation in the URL (another organisation's is not found)."""
    member = organisations.get_membership(membership_id)
    if member is None or member.organisation_id != org_id:
        return None
    return access.Loaded(member, member.organisation_id)


def load_invitation(org_id: int, invitation_id: int, **_: object) -> access.Loaded | None:
    """An invitation of the organisation in the URL."""
    invitation = organisations.get_invitation(invitation_id)
    if invitation is None or invitation.organisation_id != org_id:
        return None
    return access.Loaded(invitation, invitation.organisation_id)


def load_invitation_link(token: str, **_: object) -> access.Loaded | None:
    """The open invitation whose link is in the URL, or None."""
    invitation = organisations.invitation_for(token)
    return access.Loaded(invitation, invitation.organisation_id) if invitation else None


def _details(form: OrganisationForm) -> organisations.Details:
    return organisations.Details(
        name=form.name.data or "",
        sector=form.sector.data or "",
        size_band=form.size_band.data or "",
        country=form.country.data or "",
        time_zone=form.time_zone.data or "",
    )


@bp.get("")
@access.login_required
def index() -> ResponseReturnValue:
    """The organisations the person belongs to, to switch between them."""
    return render_template(
        "organisations/index.html",
        memberships=organisations.memberships_of(current_user.id),
        role_labels=ROLE_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@access.login_required
def create() -> ResponseReturnValue:
    """Set up an organisation; the person becomes its admin."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = organisations.create(current_user, _details(form))
        except ServiceError as error:
            apply_error(form, error)
        else:
            context.switch_to(organisation.id)
            if organisation.status == "pending":
                flash(
                    gettext(
                        "%(name)s is registered. An operator of this site will approve it; until "
                        "then it cannot be used.",
                        name=organisation.name,
                    ),
                    "info",
                )
                return redirect(url_for("organisations.index"))
            flash(
                gettext(
                    "%(name)s is set up. Start your first assessment, then invite your "
                    "colleagues to answer with you.",
                    name=organisation.name,
                ),
                "success",
            )
            return redirect(url_for("organisations.show", org_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=None)


@bp.get("/<int:org_id>")
@access.requires("org.view", load=load_organisation)
def show(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """An organisation's overview."""
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        membership=access.current_membership(),
        has_assessments=bool(assessments.for_organisation(organisation.id)),
        role_labels=ROLE_LABELS,
    )


@bp.post("/<int:org_id>/switch")
@access.requires("org.view", load=load_organisation)
def switch(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Work in this organisation from now on."""
    context.switch_to(organisation.id)
    flash(gettext("You are now working in %(name)s.", name=organisation.name), "success")
    return redirect(url_for("organisations.show", org_id=organisation.id))


@bp.route("/<int:org_id>/settings", methods=["GET", "POST"])
@access.requires("org.manage", load=load_organisation)
def settings(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Change the organisation's name, sector, size, country and time zone."""
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            organisations.update_details(organisation, _details(form), by=current_user)
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(gettext("The organisation's details have been saved."), "success")
            return redirect(url_for("organisations.show", org_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=organisation)


@bp.get("/<int:org_id>/members")
@access.requires("org.view_members", load=load_organisation)
def members(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Who belongs to the organisation, with which role, and open invitations."""
    invitations = organisations.open_invitations(organisation)
    page = list_page(
        lambda **cursor: organisations.members_page(organisation, **cursor),
        lambda **cursor: url_for("organisations.members", org_id=organisation.id, **cursor),
    )
    return render_template(
        "organisations/members.html",
        organisation=organisation,
        members=page.items,
        next_url=page.next_url,
        previous_url=page.previous_url,
        page_error=page.error,
        invitations=invitations,
        invitation_mail=organisations.invitation_mail(invitations),
        role_labels=ROLE_LABELS,
    ), page.status


@bp.post("/<int:org_id>/members/<int:membership_id>/role")
@access.requires("org.manage_members", load=load_membership)
def change_role(member: Membership, org_id: int, membership_id: int) -> ResponseReturnValue:
    """Give a member another role."""
    form = RoleForm()
    if form.validate_on_submit():
        try:
            organisations.change_role(member, form.role.data, by=current_user)
        except ServiceError as error:
            flash(translate(error.message), "error")
        else:
            flash(
                gettext(
                    "%(name)s is now %(role)s.",
                    name=member.user.name,
                    role=str(ROLE_LABELS[member.role]).lower(),
                ),
                "success",
            )
    else:
        flash(gettext("Choose a role from the list."), "error")
    return redirect(url_for("organisations.members", org_id=org_id))


@bp.get("/<int:org_id>/members/<int:membership_id>/remove")
@access.requires("org.manage_members", load=load_membership)
def confirm_remove_member(
    member: Membership, org_id: int, membership_id: int
) -> ResponseReturnValue:
    """Ask before taking someone out of the organisation, and say what it does."""
    refusal = organisations.removal_refused(member)
    return render_template(
        "organisations/remove_member.html",
        member=member,
        organisation=member.organisation,
        refusal=translate(refusal.message) if refusal else None,
        is_self=member.user_id == current_user.id,
        role_labels=ROLE_LABELS,
    )


@bp.post("/<int:org_id>/members/<int:membership_id>/remove")
@access.requires("org.manage_members", load=load_membership)
def remove_member(member: Membership, org_id: int, membership_id: int) -> ResponseReturnValue:
    """Take someone out of the organisation, once confirmed."""
    if request.form.get("confirm") != "yes":
        return redirect(
            url_for(
                "organisations.confirm_remove_member", org_id=org_id, membership_id=membership_id
            )
        )
    name = member.user.name
    is_self = member.user_id == current_user.id
    try:
        organisations.remove_member(member, by=current_user)
    except ServiceError as error:
        flash(translate(error.message), "error")
    else:
        flash(gettext("%(name)s is no longer a member.", name=name), "success")
        if is_self:
            return redirect(url_for("organisations.index"))
    return redirect(url_for("organisations.members", org_id=org_id))


@bp.route("/<int:org_id>/invitations/new", methods=["GET", "POST"])
@access.requires("org.manage_members", load=load_organisation)
def invite(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Invite a colleague by email."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation = organisations.invite(
                organisation, form.email.data, form.role.data, current_user
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            flash(
                gettext(
                    "The invitation to %(email)s is being sent. Its email's progress is shown "
                    "under Open invitations.",
                    email=invitation.email,
                ),
                "success",
            )
            return redirect(url_for("organisations.members", org_id=organisation.id))
    return render_template("organisations/invite.html", form=form, organisation=organisation)


@bp.post("/<int:org_id>/invitations/<int:invitation_id>/withdraw")
@access.requires("org.manage_members", load=load_invitation)
def withdraw_invitation(
    invitation: Invitation, org_id: int, invitation_id: int
) -> ResponseReturnValue:
    """Stop an invitation's link from working."""
    organisations.withdraw_invitation(invitation, by=current_user)
    flash(
        gettext("The invitation to %(email)s has been withdrawn.", email=invitation.email),
        "success",
    )
    return redirect(url_for("organisations.members", org_id=org_id))


@bp.post("/<int:org_id>/invitations/<int:invitation_id>/resend")
@access.requires("org.manage_members", load=load_invitation)
def resend_invitation(
    invitation: Invitation, org_id: int, invitation_id: int
) -> ResponseReturnValue:
    """Send an invitation's email again after it failed."""
    if organisations.resend_invitation(invitation):
        flash(
            gettext("The invitation to %(email)s is being sent again.", email=invitation.email),
            "success",
        )
    else:
        flash(gettext("This invitation's email has not failed, so it was not sent again."), "info")
    return redirect(url_for("organisations.members", org_id=org_id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@access.public_for(load=load_invitation_link)
def accept_invitation(token: str) -> ResponseReturnValue:
    """Join an organisation through an emailed invitation: signed in with the invited address,
    accept; with no account yet, create one; otherwise, sign in first."""
    invitation = organisations.invitation_for(token)
    if invitation is None:
        return render_template("organisations/invitation_invalid.html"), 404
    organisation = invitation.organisation
    if current_user.is_authenticated:
        if current_user.email != invitation.email:
            return render_template(
                "organisations/invitation_wrong_account.html", invitation=invitation
            ), 403
        if request.method == "POST":
            organisations.accept(invitation, current_user)
            context.switch_to(organisation.id)
            flash(gettext("Welcome to %(name)s.", name=organisation.name), "success")
            return redirect(url_for("organisations.show", org_id=organisation.id))
        return render_template(
            "organisations/accept.html", invitation=invitation, role_labels=ROLE_LABELS
        )
    existing = accounts.user_by_email(invitation.email)
    if existing is not None and existing.email_verified_at is not None:
        flash(
            gettext("Sign in as %(email)s to accept the invitation.", email=invitation.email),
            "info",
        )
        return redirect(url_for("auth.login", next=url_for(".accept_invitation", token=token)))
    form = NewAccountForm()
    if form.validate_on_submit():
        try:
            user = organisations.accept_as_new_account(
                invitation, form.name.data, form.password.data, language=current_locale()
            )
        except ServiceError as error:
            apply_error(form, error)
        else:
            sessions.sign_in(user)
            context.switch_to(organisation.id)
            flash(
                gettext("Your account is ready. Welcome to %(name)s.", name=organisation.name),
                "success",
            )
            return redirect(url_for("organisations.show", org_id=organisation.id))
    return render_template(
        "organisations/accept_new_account.html",
        invitation=invitation,
        form=form,
        role_labels=ROLE_LABELS,
    )
