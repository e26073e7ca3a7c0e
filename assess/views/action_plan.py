"""The action plan's pages: the plan with its filters and CSV, each action, adopting a recommended
step, writing an own action, and the organisation's reminders switch.

Reading needs ``plan.view`` (every role); changing needs ``plan.manage`` (admins). The plan stays
editable after the assessment is finalised: it is a living document.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, gettext
from flask_login import current_user
from wtforms import SelectChoice

from assess import access, audit
from assess.i18n import current_locale, translate
from assess.models import Assessment, Organisation, PlanAction
from assess.models.progress import ACTION_STATUSES
from assess.services import ServiceError, action_plan, organisations, plan_reminders
from assess.services.audit_trail import describe
from assess.views.forms.plan import ActionForm, AdoptForm, OwnActionForm, RemindersForm, parsed_date
from assess.views.loaders import load_assessment, load_organisation
from assess.views.util import apply_error

bp = Blueprint("action_plan", __name__)


def load_action(action_id: int, **_: object) -> access.Loaded | None:
    """The action in the URL, or None (a 404)."""
    action = action_plan.get(action_id)
    return access.Loaded(action, action.organisation_id) if action else None


def _members(organisation: Organisation) -> list[tuple[int, str]]:
    return [(m.user_id, m.user.name) for m in organisations.members(organisation)]


def _filters() -> action_plan.Filters:
    status = request.args.get("status") or None
    return action_plan.Filters(
        owner=request.args.get("owner") or None,
        status=status if status in ACTION_STATUSES else None,
        overdue=request.args.get("overdue") == "1",
    )


def plan_url(assessment: Assessment) -> str:
    """The plan page of ``assessment``."""
    return url_for("action_plan.plan", assessment_id=assessment.id)


@bp.get("/assessments/<int:assessment_id>/plan")
@access.requires("plan.view", load=load_assessment)
def plan(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The plan: its actions (filtered by owner, status, overdue), and the steps to adopt."""
    filters = _filters()
    can_manage = access.can("plan.manage", assessment.organisation_id)
    return render_template(
        "action_plan/plan.html",
        assessment=assessment,
        actions=action_plan.actions(assessment, filters),
        filters=filters,
        filtered=filters != action_plan.Filters(),
        owners=action_plan.owners(assessment),
        counts=action_plan.counts(assessment),
        today=action_plan.organisation_today(assessment.organisation),
        statuses=action_plan.STATUS_LABELS,
        recommended=action_plan.recommended(assessment, current_locale()),
        moved_out=action_plan.moved_out(assessment),
        owner_text=action_plan.owner_text,
        can_manage=can_manage,
        adopt_form=AdoptForm(),
    )


@bp.get("/assessments/<int:assessment_id>/plan.csv")
@access.requires("plan.view", load=load_assessment)
def plan_csv(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """The plan (with the page's filters) as CSV."""
    return Response(
        "".join(action_plan.csv_lines(assessment, _filters())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="action-plan-{assessment.id}.csv"'},
    )


@bp.post("/assessments/<int:assessment_id>/plan/adopt")
@access.requires("plan.manage", load=load_assessment)
def adopt(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Adopt a recommended step: its owner and months as the method gives them, then edit."""
    form = AdoptForm()
    back = request.form.get("back") == "results"
    if not form.validate_on_submit():
        flash(gettext("The request could not be accepted. Try again."), "error")
        return redirect(plan_url(assessment))
    try:
        action = action_plan.adopt(assessment, current_user, form.key.data, locale=current_locale())
    except ServiceError as refusal:
        flash(translate(refusal.message), "error")
        if back:
            return redirect(url_for("results.index", assessment_id=assessment.id))
        return redirect(plan_url(assessment))
    flash(
        gettext(
            "Added to the plan: “%(title)s”. Check its owner and due date.", title=action.title
        ),
        "success",
    )
    return redirect(url_for("action_plan.action", action_id=action.id))


@bp.route("/assessments/<int:assessment_id>/plan/new", methods=["GET", "POST"])
@access.requires("plan.manage", load=load_assessment)
def new(assessment: Assessment, assessment_id: int) -> ResponseReturnValue:
    """Write an action of the body's own, for one practice."""
    form = OwnActionForm()
    form.set_members(_members(assessment.organisation))
    form.question_id.choices = [
        SelectChoice("", gettext("Choose a practice")),
        *(
            SelectChoice(qid, f"{area}: {text}")
            for qid, area, text in action_plan.practices(assessment, current_locale())
        ),
    ]
    if request.method == "GET" and request.args.get("practice"):
        form.question_id.data = request.args["practice"]
    if form.validate_on_submit():
        try:
            action = action_plan.add_own(
                assessment,
                current_user,
                action_plan.OwnAction(
                    question_id=form.question_id.data or "",
                    title=form.title.data or "",
                    done_when=form.done_when.data or "",
                    owner=form.owner_value(),
                    due_on=parsed_date(form.due_on),
                ),
                current_locale(),
            )
        except ServiceError as refusal:
            apply_error(form, refusal)
        else:
            flash(gettext("Added to the plan: “%(title)s”.", title=action.title), "success")
            return redirect(url_for("action_plan.action", action_id=action.id))
    return render_template("action_plan/new.html", assessment=assessment, form=form), (
        400 if request.method == "POST" else 200
    )


def _render_action(
    action: PlanAction, form: ActionForm | None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "action_plan/action.html",
        action=action,
        assessment=action.assessment,
        form=form,
        owner=action_plan.owner_text(action),
        statuses=action_plan.STATUS_LABELS,
        today=action_plan.organisation_today(action.assessment.organisation),
        history=action_plan.history(action),
        describe=describe,
    ), status


def _form_for(action: PlanAction, form: ActionForm | None = None) -> ActionForm:
    if form is None:
        form = ActionForm(
            formdata=None,
            title=action.title,
            done_when="\n".join(action.done_when),
            owner=str(action.owner_user_id) if action.owner_user_id else "",
            owner_role=action.owner_role or "",
            due_on=action.due_on.isoformat(),
            status=action.status,
            dropped_reason=action.dropped_reason or "",
            evidence_note=action.evidence_note,
            evidence_reference=action.evidence_reference,
            revision=action.revision,
        )
    form.set_members(_members(action.assessment.organisation))
    return form


@bp.get("/plan/actions/<int:action_id>")
@access.requires("plan.view", load=load_action)
def action(action: PlanAction, action_id: int) -> ResponseReturnValue:
    """One action: what it serves, its facts and history; the edit form for admins."""
    can_manage = access.can("plan.manage", action.organisation_id)
    return _render_action(action, _form_for(action) if can_manage else None)


@bp.post("/plan/actions/<int:action_id>")
@access.requires("plan.manage", load=load_action)
def update(action: PlanAction, action_id: int) -> ResponseReturnValue:
    """Save an edit of the action: status (dropping needs a reason), owner, due date, evidence."""
    form = _form_for(action, ActionForm())
    if not form.validate_on_submit():
        return _render_action(action, form, 400)
    try:
        changed = action_plan.update(
            action,
            current_user,
            action_plan.Changes(
                title=form.title.data or "",
                done_when=form.done_when.data or "",
                owner=form.owner_value(),
                due_on=parsed_date(form.due_on),
                status=form.status.data or "",
                dropped_reason=form.dropped_reason.data or "",
                evidence_note=form.evidence_note.data or "",
                evidence_reference=form.evidence_reference.data or "",
                base_revision=form.revision.data or 0,
            ),
        )
    except action_plan.Conflict as conflict:
        fresh = _form_for(action)
        fresh.form_errors.append(translate(conflict.message))
        return _render_action(action, fresh, 409)
    except ServiceError as refusal:
        apply_error(form, refusal)
        return _render_action(action, form, 400)
    if changed:
        flash(gettext("The action is saved."), "success")
    else:
        flash(gettext("Nothing was changed."), "info")
    return redirect(url_for("action_plan.action", action_id=action.id))


@bp.route("/organisations/<int:org_id>/plan-reminders", methods=["GET", "POST"])
@access.requires("org.manage", load=load_organisation)
def reminders(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Switch the action plan's reminder emails on or off for the organisation."""
    form = RemindersForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.reminders.data = organisation.action_reminders
    elif form.validate_on_submit():
        on = bool(form.reminders.data)
        plan_reminders.set_reminders(organisation, current_user, on)
        flash(
            gettext("Reminders of the action plan are on.")
            if on
            else gettext("Reminders of the action plan are off."),
            "success",
        )
        return redirect(url_for("action_plan.reminders", org_id=organisation.id))
    return render_template("action_plan/reminders.html", organisation=organisation, form=form)


@bp.app_template_filter("plan_date")
def plan_date(day: date) -> str:
    """A due date as people read it in their language, such as "5 Mar 2027"."""
    return format_date(day, format="d MMM y")


@bp.app_template_filter("audit_action_label")
def audit_action_label(action: str) -> str:
    """An audit action's label, translated."""
    label = audit.ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _earlier_plan(assessment: Assessment) -> dict[str, object] | None:
    """While this assessment's plan is empty: the latest finalised assessment's plan, if it has
    open actions (the plan the organisation is working to until it adopts a new one)."""
    from assess.services import trends

    if action_plan.actions(assessment):
        return None
    earlier = trends.previous_finalised(assessment)
    if earlier is None:
        return None
    counts = action_plan.counts(earlier)
    if not counts["not_started"] + counts["in_progress"]:
        return None
    return {"assessment": earlier, "counts": counts, "url": plan_url(earlier)}


@bp.app_context_processor
def _plan_helpers() -> dict[str, object]:
    """For the results page's steps: whether a step is in the plan, and the form to adopt it."""

    def plan_state(assessment: Assessment) -> dict[str, object]:
        cache = g.setdefault("plan_state", {})
        if assessment.id not in cache:
            cache[assessment.id] = {
                "adopted": action_plan.adopted_keys(assessment),
                "counts": action_plan.counts(assessment),
                "can_manage": access.can("plan.manage", assessment.organisation_id),
                "can_view": access.can("plan.view", assessment.organisation_id),
                "url": plan_url(assessment),
                "earlier": _earlier_plan(assessment),
            }
        return cache[assessment.id]

    return {"plan_state": plan_state, "plan_step_key": action_plan.step_key}
