"""The report's first page: a one-page summary a board can act on.

It says where the organisation stands (the overall level, and the maturity score when the scoring
result has one), which model it follows and why, the three actions to take first with an owner and
a date, how complete and how evidenced the answers are, and the decision the board is asked to
take. Plain, display-ready values only, like the rest of :mod:`assess.reporting.context`.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from assess.i18n import translate
from assess.questionnaire.answers import Status
from assess.questionnaire.validation import visible_questions
from assess.scoring.gaps import Step, first_steps

if TYPE_CHECKING:
    from assess.reporting.context import ReportInput, _Labels

#: How many actions the first page names.
FIRST_ACTIONS = 3
#: A reason for the choice of model longer than this is shortened on the first page (it is
#: printed in full in the model-fit chapter).
REASON_CHARACTERS = 200
#: The cycle of self-assessment the decision asks for, in years (the method's level 3 for
#: reviewing stakeholder management: at least every two years).
REVIEW_YEARS = 2


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def format_date(day: date, locale: str = "en") -> str:
    """``5 March 2026``; in Welsh (``locale`` ``cy``) ``5 Mawrth 2026``."""
    return babel_format_date(day, "d MMMM y", locale=locale)


def report_date(report: ReportInput) -> date:
    """The day the report speaks for, in the organisation's zone: finalised, else last changed."""
    moment: datetime = report.finalised_at or report.updated_at
    return moment.astimezone(ZoneInfo(report.organisation_timezone)).date()


def months_text(months: int) -> str:
    """``within 1 month``, ``within 6 months``, in the language being rendered."""
    return ngettext("within %(num)d month", "within %(num)d months", months)


def step_context(step: Step, day: date, area: str, locale: str = "en") -> dict[str, Any]:
    """One step as the report prints it, dated from ``day``."""
    return {
        "area": area,
        "dimension_id": step.dimension_id,
        "practice": step.question_text,
        "from_level": step.from_level,
        "to_level": step.to_level,
        "action": step.action,
        "rationale": step.rationale,
        "owner": step.owner,
        "months": step.months,
        "months_text": months_text(step.months),
        "due": format_date(add_months(day, step.months), locale),
        "due_date": add_months(day, step.months).isoformat(),
        "done_when": list(step.done_when),
        "done_when_is_criteria": step.done_when_source == "criteria",
    }


def _shorten(text: str, limit: int) -> tuple[str, bool]:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "\u2026", True


def _answers(report: ReportInput) -> dict[str, Any]:
    """How complete the three questionnaires are, and how many adoption answers give evidence."""
    shown = answered = dont_know = not_applicable = 0
    for questionnaire, given in report.questionnaires():
        visible = visible_questions(questionnaire, {k: v.answer for k, v in given.items()})
        for _section, question in questionnaire.questions():
            if question.id not in visible:
                continue
            entry = given.get(question.id)
            answer = entry.answer if entry else None
            if answer is not None and answer.status is Status.NOT_APPLICABLE:
                not_applicable += 1
                continue
            shown += 1
            if answer is not None and answer.status is Status.DONT_KNOW:
                dont_know += 1
            elif answer is not None and answer.is_answered:
                answered += 1
    levels = [
        entry.answer
        for entry in report.adoption_answers.values()
        if entry.answer.status is Status.ANSWERED and entry.answer.is_answered
    ]
    with_note = sum(1 for a in levels if a.note and a.note.strip())
    high = [a for a in levels if isinstance(a.value, int) and a.value >= 3]
    high_without = sum(1 for a in high if not (a.note and a.note.strip()))
    return {
        "answered": answered,
        "applicable": shown,
        "percent": round(100 * answered / shown) if shown else None,
        "dont_know": dont_know,
        "not_applicable": not_applicable,
        "levels_given": len(levels),
        "with_evidence": with_note,
        "evidence_percent": round(100 * with_note / len(levels)) if levels else None,
        "high_without_evidence": high_without,
    }


def _model(report: ReportInput, labels: _Labels) -> dict[str, Any]:
    result, fit = report.result, report.result.fit
    chosen = labels.model_list(result.chosen_models)
    recommended = set(fit.recommendation.model_ids) if fit else set()
    if not result.chosen_models:
        return {
            "name": None,
            "why": _(
                "Not enough of the model-fit questions has been answered to recommend a model, "
                "so no area has a target yet."
            ),
            "reason": None,
            "shortened": False,
        }
    best = fit.model(fit.recommendation.model_ids[0]) if fit and recommended else None
    fit_text = ""
    if best is not None and best.fit_percent is not None:
        lead = fit.recommendation.lead if fit else None
        name = labels.models.get(best.model_id, best.name)
        percent = f"{best.fit_percent:g}"
        fit_text = (
            _(
                "the answers about the organisation's setting fit the %(model)s best "
                "(%(percent)s%%, %(lead)s points ahead of the next)",
                model=name,
                percent=percent,
                lead=f"{lead:g}",
            )
            if lead
            else _(
                "the answers about the organisation's setting fit the %(model)s best "
                "(%(percent)s%%)",
                model=name,
                percent=percent,
            )
        )
    if result.chosen_by == "body" and set(result.chosen_models) != recommended:
        reason, shortened = _shorten(report.choice_reason or "", REASON_CHARACTERS)
        if fit_text:
            why = (
                _("Chosen by the organisation although %(fit)s, for this reason:", fit=fit_text)
                if reason
                else _("Chosen by the organisation although %(fit)s.", fit=fit_text)
            )
        else:
            why = (
                _("Chosen by the organisation, for this reason:")
                if reason
                else _("Chosen by the organisation.")
            )
        return {"name": chosen, "why": why, "reason": reason or None, "shortened": shortened}
    if result.chosen_by == "body":
        why = (
            _("Chosen by the organisation: %(fit)s.", fit=fit_text)
            if fit_text
            else _("Chosen by the organisation.")
        )
    else:
        why = _("Recommended: %(fit)s.", fit=fit_text) if fit_text else _("Recommended.")
        why += " " + _("The organisation has not yet recorded its own choice.")
    return {"name": chosen, "why": why, "reason": None, "shortened": False}


def _decision(report: ReportInput, model: dict[str, Any], actions: list[dict]) -> list[str]:
    result = report.result
    items = []
    if model["name"] and result.chosen_by == "body":
        items.append(
            _(
                "Confirm %(model)s as the way the organisation manages its relationships with "
                "the people it serves, and the targets it sets for each area.",
                model=model["name"],
            )
        )
    elif model["name"]:
        items.append(
            _(
                "Choose the model the organisation will follow: the answers point to %(model)s, "
                "whose targets this report uses until a choice is recorded.",
                model=model["name"],
            )
        )
    else:
        items.append(
            _("Ask for the model-fit questions to be answered, so that targets can be set.")
        )
    if actions:
        approve = {
            1: _(
                "Approve the action above, with the owner and date shown, and name the senior "
                "officer who will report on it."
            ),
            2: _(
                "Approve the two actions above, with the owners and dates shown, and name the "
                "senior officer who will report on them."
            ),
        }
        items.append(
            approve.get(
                len(actions),
                _(
                    "Approve the three actions above, with the owners and dates shown, and name "
                    "the senior officer who will report on them."
                ),
            )
        )
        latest = max(actions, key=lambda a: a["due_date"])
        items.append(
            _(
                "Ask for a progress report by %(date)s, and for the next self-assessment within "
                "%(years)d years to show whether the areas have moved up.",
                date=latest["due"],
                years=REVIEW_YEARS,
            )
        )
    else:
        items.append(
            _(
                "Note that no area is below the target of the chosen model, and ask for the next "
                "self-assessment within %(years)d years.",
                years=REVIEW_YEARS,
            )
        )
    return items


def _evidenced(overall: Any, labels: _Labels) -> dict[str, Any]:
    """The level and score as claimed, and how many answers claim more than their records show.

    The overall level and the score count only the evidenced levels; the board sees beside them
    what the answers claimed, so that a difference is never hidden.
    """
    claimed = getattr(overall, "claimed_level", None)
    claimed_score = getattr(overall, "claimed_maturity_score", None)
    return {
        "claimed_level": claimed,
        "claimed_level_text": labels.level(claimed) if claimed is not None else None,
        "claimed_score": None if claimed_score is None else f"{claimed_score:.1f}",
        "not_evidenced": getattr(overall, "not_evidenced", 0),
        "no_evidence": getattr(overall, "no_evidence", 0),
    }


def board_summary(report: ReportInput, labels: _Labels) -> dict[str, Any]:
    """The first page's content (see the module docstring)."""
    result = report.result
    overall = result.maturity.overall
    day = report_date(report)
    titles = {g.dimension_id: g.title for g in result.gaps}
    actions = [
        {"number": n, **step_context(step, day, titles[step.dimension_id], report.locale)}
        for n, step in enumerate(first_steps(result.gaps, FIRST_ACTIONS), start=1)
    ]
    below = [g for g in result.gaps if g.rank is not None]
    # The maturity score and the reason for the level come with method 2.0's maturity rules;
    # a result without them still gets the weighted mean and a plain reason.
    score = getattr(overall, "maturity_score", None)
    reason = getattr(overall, "level_reason", None)
    # The reason is a Message (a str subclass), translated here.
    reason = translate(reason) if isinstance(reason, str) and reason.strip() else None
    if overall.level is not None and reason is None:
        reason = _(
            "The lowest level reached in each of the %(areas)d areas, averaged by weight, is "
            "%(mean)s; a level counts only once it is reached, so it is rounded down. The "
            "weakest area is at level %(lowest)s.",
            areas=len(result.maturity.dimensions),
            mean=f"{overall.weighted_mean:.2f}",
            lowest=overall.lowest_floor,
        )
    model = _model(report, labels)
    return {
        "date": format_date(day, report.locale),
        "level": overall.level,
        "level_text": labels.level(overall.level) if overall.level is not None else None,
        "level_summary": labels.level_summaries.get(overall.level) if overall.level else None,
        "score": None if score is None else f"{score:.1f}",
        "reason": reason,
        **_evidenced(overall, labels),
        "model": model,
        "areas": len(result.maturity.dimensions),
        "below": len(below),
        "actions": actions,
        "answers": _answers(report),
        "decision": _decision(report, model, actions),
        "draft": report.status == "draft",
    }
