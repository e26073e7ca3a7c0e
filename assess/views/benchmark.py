"""The peer benchmark's pages: an organisation's participation (admins), the operator's counts
per group, and the section of the results page (``benchmark/_results.html``, which asks
:func:`benchmark_state` for its figures). See :mod:`assess.services.benchmark`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, gettext, ngettext
from flask_login import current_user

from assess import access
from assess.i18n import current_locale
from assess.models import Assessment, Organisation
from assess.scoring import AssessmentResult
from assess.services import benchmark
from assess.views.forms.benchmark import ParticipationForm, RefreshForm
from assess.views.loaders import load_organisation

bp = Blueprint("benchmark", __name__)


@bp.app_context_processor
def _benchmark_helpers() -> dict[str, object]:
    def benchmark_state(
        assessment: Assessment, result: AssessmentResult | None = None
    ) -> dict[str, object]:
        cache = g.setdefault("benchmark_state", {})
        if assessment.id not in cache:
            cache[assessment.id] = benchmark.standing(assessment, current_locale(), result)
        return cache[assessment.id]

    return {"benchmark_state": benchmark_state}


@bp.app_template_filter("benchmark_date")
def benchmark_date(moment: datetime, time_zone: str) -> str:
    """The day of ``moment`` in ``time_zone``, written out in the page's language."""
    return format_date(moment.astimezone(ZoneInfo(time_zone)).date(), format="d MMMM y")


@bp.route("/organisations/<int:org_id>/benchmark", methods=["GET", "POST"])
@access.requires("org.manage", load=load_organisation)
def participation(organisation: Organisation, org_id: int) -> ResponseReturnValue:
    """Opt the organisation out of the peer benchmark, or back in."""
    form = ParticipationForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.take_part.data = not organisation.benchmark_opt_out
    elif form.validate_on_submit():
        take_part = bool(form.take_part.data)
        benchmark.set_participation(organisation, current_user, take_part)
        flash(
            gettext("Your organisation takes part in the peer benchmark.")
            if take_part
            else gettext(
                "Your organisation's figures are out of the peer benchmark, and its results no "
                "longer show it."
            ),
            "success",
        )
        return redirect(url_for("benchmark.participation", org_id=organisation.id))
    return render_template(
        "benchmark/participation.html",
        organisation=organisation,
        form=form,
        min_peers=benchmark.min_peers(),
    ), (400 if form.errors else 200)


@bp.get("/operator/benchmark")
@access.requires("instance.operate")
def operator() -> ResponseReturnValue:
    """How many organisations contribute to each group, and what each group shows."""
    return render_template(
        "benchmark/operator.html",
        rows=benchmark.operator_summary(),
        min_peers=benchmark.min_peers(),
        form=RefreshForm(),
    )


@bp.post("/operator/benchmark/refresh")
@access.requires("instance.operate")
def refresh() -> ResponseReturnValue:
    """Make the releases now rather than at the next daily maintenance."""
    form = RefreshForm()
    if form.validate_on_submit():
        made = benchmark.refresh()
        flash(
            ngettext(
                "%(num)d group has new figures.", "%(num)d groups have new figures.", len(made)
            )
            if made
            else gettext("No group has new figures: nothing changed that the rules let through."),
            "success" if made else "info",
        )
    return redirect(url_for("benchmark.operator"))
