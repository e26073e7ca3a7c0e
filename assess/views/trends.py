"""Trends on the results page: the comparison with the previous finalised assessment and the
chart over all of them (see :mod:`assess.services.trends`). No routes: the results page includes
``trends/_results.html``, which asks :func:`trend_state` for its figures."""

from __future__ import annotations

from flask import Blueprint, g

from assess.i18n import current_locale
from assess.models import Assessment
from assess.services import trends
from assess.trend_chart import trend_chart

bp = Blueprint("trends", __name__)


@bp.app_context_processor
def _trend_helpers() -> dict[str, object]:
    def trend_state(assessment: Assessment) -> dict[str, object] | None:
        cache = g.setdefault("trend_state", {})
        if assessment.id not in cache:
            found = trends.trend(assessment, current_locale())
            if found is not None:
                found["chart"] = trend_chart(found["points"], id_prefix="trend-chart")
            cache[assessment.id] = found
        return cache[assessment.id]

    return {"trend_state": trend_state}
