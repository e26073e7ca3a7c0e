"""The report's input, and the plain, display-ready context the report template reads.

:class:`ReportInput` is what a caller (the download route, the ``assess report`` command, a test)
hands over: the questionnaires, the answers with who gave them and when, and the scoring result.
:func:`build_context` turns it into plain values only (strings, numbers, booleans, None, lists and
dicts), with every date, level name, option label and register row ready to print, so the template
never reaches back into a model object. The charts are the one exception: ``context["charts"]``
holds their SVG markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext

from assess.charts import fit_chart, power_interest_grid, radar_chart
from assess.figures import contradiction_rows, fit_rows, profile_rows
from assess.i18n import N_, join_words, translate
from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import (
    LevelQuestion,
    MultipleQuestion,
    Questionnaire,
    SingleQuestion,
)
from assess.reporting.answers import appendix, evidence_table, marks_table, option_label
from assess.reporting.board import board_summary, report_date, step_context
from assess.reporting.formatting import format_datetime, text_direction
from assess.reporting.stakeholders import (
    REGARD_IN_TEXT,
    REGARD_ONE,
    engagement_gaps,
    register_table,
    segment_rows,
)
from assess.reporting.workshop_sessions import workshop_sessions
from assess.scoring import AssessmentResult
from assess.trend_chart import trend_chart

#: The statuses an assessment can have, and how the report names them.
STATUSES = {"draft": N_("Draft"), "finalised": N_("Finalised"), "superseded": N_("Superseded")}
#: The word marked on every page of a report that must not be filed as final.
WATERMARKS = {"draft": N_("DRAFT"), "superseded": N_("SUPERSEDED")}
#: How many gaps the executive summary names.
SUMMARY_GAPS = 5

_GAP_STATUS = {
    "below_target": N_("Below target"),
    "at_target": N_("At target"),
    "above_target": N_("Above target"),
    "no_level": N_("No level (no answers)"),
    "no_target": N_("No target (no model chosen)"),
}


@dataclass(frozen=True)
class AnsweredBy:
    """One stored answer with who gave it (a display name) and when (an aware datetime)."""

    answer: Answer
    answered_by: str
    answered_at: datetime


@dataclass(frozen=True)
class ReportInput:
    """Everything the report shows, as plain inputs: no database objects.

    Answers are keyed by question id, one mapping per questionnaire. ``chosen_models`` is the
    body's own choice (empty when it accepted the recommendation) and ``choice_reason`` the reason
    it gave when that choice differs from the recommendation.
    """

    report_id: str
    organisation_name: str
    #: An IANA zone name such as ``Europe/London``: every date is shown in it, with its offset.
    organisation_timezone: str
    assessment_id: str
    assessment_title: str
    #: ``draft``, ``finalised`` or ``superseded``.
    status: str
    created_at: datetime
    updated_at: datetime
    finalised_at: datetime | None
    definition: Questionnaire
    model_fit: Questionnaire
    adoption: Questionnaire
    definition_answers: Mapping[str, AnsweredBy]
    model_fit_answers: Mapping[str, AnsweredBy]
    adoption_answers: Mapping[str, AnsweredBy]
    chosen_models: tuple[str, ...]
    choice_reason: str | None
    result: AssessmentResult
    locale: str = "en"
    #: The service or part of the body the assessment covers (None: the whole organisation).
    assessment_scope: str | None = None
    #: The instance's base URL or name, printed on the cover.
    instance: str = "assess"
    #: Shown on every page when set: a hash of the embedded data, for example.
    fingerprint: str | None = field(default=None)
    #: Workshop sessions on the assessment, as plain data (see
    #: :func:`assess.services.workshops.participation`); None or empty: no workshop section.
    workshop: Sequence[Mapping[str, Any]] | None = field(default=None)
    #: Who facilitated the workshops and their consultancies (name, and a re-encoded PNG logo as
    #: a ``data:`` URL), as :func:`assess.services.consultancy.prepared_by` gives it; None: no
    #: workshop, and nothing is shown.
    prepared_by: Mapping[str, Any] | None = field(default=None)
    #: The auditor's marks, as plain data: questionnaire_id, question_id, mark (verified or
    #: challenged), comment, by, at (an aware datetime) and changed (the answer changed since).
    marks: Sequence[Mapping[str, Any]] = field(default=())
    #: The stakeholders' perception survey, as :func:`assess.services.surveys.export` gives it
    #: (groups below the threshold carry no figure); None: no survey with results, no section.
    perception: Mapping[str, Any] | None = field(default=None)
    #: The organisation's action plan as it stands, as plain rows (see
    #: :func:`assess.services.action_plan.plan_rows`); None: no plan section.
    plan: Sequence[Mapping[str, Any]] | None = field(default=None)
    #: This assessment against the earlier finalised ones (see
    #: :func:`assess.services.trends.trend`); None: no trend section.
    trend: Mapping[str, Any] | None = field(default=None)
    #: Where the body stands against its sector and size band (see
    #: :func:`assess.services.benchmark.report_section`); None: no benchmark section.
    benchmark: Mapping[str, Any] | None = field(default=None)
    #: The scoring result and the survey section in English, for the embedded data when the
    #: report is in another language: the data are codes and figures, the same bytes in every
    #: language. None: ``result`` and ``perception`` are the data.
    data_result: AssessmentResult | None = field(default=None)
    data_perception: Mapping[str, Any] | None = field(default=None)
    #: Page 1, the summary for the board, in Welsh and English side by side (Welsh first); the
    #: rest of the report is in ``locale``. Needs ``data_result`` (the English figures' words)
    #: unless ``locale`` is English.
    bilingual_summary: bool = field(default=False)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {sorted(STATUSES)}")
        for name in ("created_at", "updated_at", "finalised_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime")
        ZoneInfo(self.organisation_timezone)  # ZoneInfoNotFoundError for an unknown zone

    def questionnaires(self) -> tuple[tuple[Questionnaire, Mapping[str, AnsweredBy]], ...]:
        """The three questionnaires with their answers, in the order they are answered."""
        return (
            (self.definition, self.definition_answers),
            (self.model_fit, self.model_fit_answers),
            (self.adoption, self.adoption_answers),
        )


class _Labels:
    """Names for ids, in the report's locale."""

    def __init__(self, report: ReportInput) -> None:
        self.locale = report.locale
        self.models = {m.id: m.name.get(report.locale) for m in report.model_fit.models or []}
        self.levels = {
            n: level.name.get(report.locale) for n, level in (report.adoption.levels or {}).items()
        }
        self.level_summaries = {
            n: level.summary.get(report.locale)
            for n, level in (report.adoption.levels or {}).items()
        }

    def level(self, level: int | None) -> str:
        if level is None:
            return _("no level")
        name = self.levels.get(level)
        return _("%(level)d (%(name)s)", level=level, name=name) if name else str(level)

    def model_list(self, model_ids: Sequence[str], *, in_sentence: bool = False) -> str:
        """``the Citizen model``, or a blend; ``in_sentence`` lowers each name's first letter."""
        names = [self.models.get(m, m) for m in model_ids]
        if in_sentence:
            names = [name[:1].lower() + name[1:] for name in names]
        # Whole phrases per number of models, so that each language can join them its own way
        # (Welsh: "cyfuniad o'r … a'r …", where pieces joined with "the" would not read).
        if len(names) == 2:
            return _("a blend of the %(first)s and the %(second)s", first=names[0], second=names[1])
        if len(names) == 3:
            return _(
                "a blend of the %(first)s, the %(second)s and the %(third)s",
                first=names[0],
                second=names[1],
                third=names[2],
            )
        if len(names) > 2:
            return _(
                "a blend of %(models)s and the %(last)s",
                models=", ".join(_("the %(model)s", model=n) for n in names[:-1]),
                last=names[-1],
            )
        return _("the %(model)s", model=names[0]) if names else _("no model")


def _fit(report: ReportInput, labels: _Labels) -> dict[str, Any] | None:
    fit = report.result.fit
    if fit is None:
        return None
    locale = report.locale
    recommended = set(fit.recommendation.model_ids)
    chosen = set(report.result.chosen_models)
    rows = [
        {
            **row,
            "fit_text": _("no fit") if row["fit_percent"] is None else f"{row['fit_percent']:g}%",
        }
        for row in fit_rows(report.result)
    ]
    reasons = []
    for model in fit.models:
        for contribution in model.top_contributions:
            question = report.model_fit.question(contribution.question_id)
            assert isinstance(question, SingleQuestion | MultipleQuestion)
            reasons.append(
                {
                    "model": model.name,
                    "question_id": question.id,
                    "question": question.text.get(locale),
                    "answer": option_label(question, contribution.option_id, locale),
                    "weight": f"{contribution.weight:+d}",
                }
            )
    overridden = report.result.chosen_by == "body" and chosen != recommended
    return {
        "rows": rows,
        "reasons": reasons,
        "recommendation": (
            labels.model_list(fit.recommendation.model_ids)
            if fit.recommendation.model_ids
            else _("no recommendation")
        ),
        "recommended_ids": list(fit.recommendation.model_ids),
        "lead": fit.recommendation.lead,
        "completeness_percent": (
            None if fit.completeness is None else round(fit.completeness * 100)
        ),
        "chosen": labels.model_list(report.result.chosen_models),
        "chosen_by": report.result.chosen_by,
        "overridden": overridden,
        "choice_reason": report.choice_reason if overridden else None,
        "choice_reason_dir": text_direction(report.choice_reason),
        "models": [
            {"name": m.name.get(locale), "summary": m.summary.get(locale)}
            for m in report.model_fit.models or []
        ],
    }


def _profile(report: ReportInput, labels: _Labels) -> list[dict[str, Any]]:
    rows = []
    for row in profile_rows(report.result):
        if row["status"] == "below_target":
            status = _("Below target by %(gap)s", gap=row["gap"])
        elif row["status"] == "above_target":
            status = _("Above target by %(above)s", above=row["above_by"])
        else:
            status = _(_GAP_STATUS[row["status"]])
        target = row["target"]
        rows.append(
            {
                **row,
                "floor_text": labels.level(row["floor"]),
                "claimed_text": (
                    None
                    if row["claimed_floor"] == row["floor"]
                    else _("%(level)s as claimed", level=row["claimed_floor"])
                ),
                "mean_text": _("none") if row["mean"] is None else f"{row['mean']:.2f}",
                "target_text": labels.level(target) if target else _("none"),
                "status_text": status,
            }
        )
    return rows


def _actions(report: ReportInput, labels: _Labels) -> list[dict[str, Any]]:
    """Each ranked gap with a step for each practice holding it down, dated from the report."""
    day = report_date(report)
    return [
        {
            "rank": gap.rank,
            "dimension_id": gap.dimension_id,
            "title": gap.title,
            "current_text": labels.level(gap.current),
            "target_text": labels.level(gap.target),
            "priority": gap.priority,
            "steps": [step_context(step, day, gap.title, report.locale) for step in gap.steps],
        }
        for gap in report.result.gaps
        if gap.rank is not None
    ]


def _holding(report: ReportInput, labels: _Labels) -> list[dict[str, Any]]:
    """For every area with a level, the practices at its lowest level: what holds it there."""
    locale = report.locale
    gaps = {g.dimension_id: g for g in report.result.gaps}
    areas = []
    for dimension in report.result.maturity.dimensions:
        if dimension.floor is None:
            continue
        practices = []
        for question_id in dimension.floor_question_ids:
            question = report.adoption.question(question_id)
            assert isinstance(question, LevelQuestion)
            practices.append(
                {
                    "practice": question.text.get(locale),
                    "described": question.levels[dimension.floor].get(locale),
                }
            )
        gap = gaps[dimension.dimension_id]
        areas.append(
            {
                "title": dimension.title,
                "level_text": labels.level(dimension.floor),
                "status": gap.status,
                "target_text": labels.level(gap.target) if gap.target else None,
                "practices": practices,
            }
        )
    return areas


def _targets(report: ReportInput, labels: _Labels) -> dict[str, Any]:
    """Each model's target in each area, and the target this report uses."""
    models = report.model_fit.models or []
    chosen = set(report.result.chosen_models)
    gaps = {g.dimension_id: g for g in report.result.gaps}
    return {
        "models": [{"name": m.name.get(report.locale), "chosen": m.id in chosen} for m in models],
        "rows": [
            {
                "title": section.title.get(report.locale),
                "levels": [(section.targets or {}).get(m.id) for m in models],
                "used": gaps[section.id].target,
            }
            for section in report.adoption.sections
        ],
        "blend": len(chosen) > 1,
    }


def _definition(report: ReportInput) -> dict[str, Any]:
    """What the definition answers show, and the answers that contradict each other."""
    status_text = {
        "not_applicable": _("Not applicable."),
        "dont_know": _("Not known."),
        "unanswered": _("Not answered."),
    }
    items = [
        {
            "question_id": item.question_id,
            "question": item.question,
            "answer": "; ".join(item.answer) if item.answer else status_text[item.status],
        }
        for item in report.result.definition_summary
        if item.status != "hidden"
    ]
    contradictions = []
    for row in contradiction_rows(report.result, report.definition, report.adoption, report.locale):
        if row["rule_id"] == "register-listed-but-none-kept":
            count = int(row["definition_answer"][0])
            given = ngettext("%(num)d group rated", "%(num)d groups rated", count)
        else:
            given = "; ".join(row["definition_answer"])
        if row["adoption_answer"]:
            level = _(
                "level %(level)s: %(answer)s",
                level=row["adoption_level"],
                answer=row["adoption_answer"],
            )
        else:
            level = _("level %(level)s", level=row["adoption_level"])
        contradictions.append(
            {
                "text": translate(row["text"]),
                "definition": f"{row['definition_question']} {given}",
                "adoption": f"{row['adoption_question']} {level}",
            }
        )
    differs = [s.label for s in report.result.segments if s.regard_differs]
    return {"answers": items, "contradictions": contradictions, "regard_differs": differs}


def _summary(report: ReportInput, labels: _Labels, profile: list[dict[str, Any]]) -> dict:
    result = report.result
    overall = result.maturity.overall
    sentences = []
    if overall.level is not None:
        sentences.append(
            _(
                "Overall, %(organisation)s is at maturity level %(level)d of 5, %(name)s: "
                "%(summary)s.",
                organisation=report.organisation_name,
                level=overall.level,
                name=labels.levels.get(overall.level, ""),
                summary=labels.level_summaries.get(overall.level, "").rstrip("."),
            )
        )
        sentences.append(
            _(
                "This is the weighted average of the lowest level reached in each of the "
                "%(areas)d areas (%(mean)s), rounded down. The weakest area is at level "
                "%(lowest)s.",
                areas=len(result.maturity.dimensions),
                mean=f"{overall.weighted_mean:.2f}",
                lowest=overall.lowest_floor,
            )
        )
    else:
        sentences.append(_("No adoption question has been answered yet, so there is no level."))
    fit = result.fit
    if fit is not None and fit.recommendation.model_ids:
        best = fit.model(fit.recommendation.model_ids[0])
        sentences.append(
            _(
                "The answers about the organisation's setting point to %(models)s (best fit "
                "%(percent)s%%).",
                models=labels.model_list(fit.recommendation.model_ids, in_sentence=True),
                percent=f"{best.fit_percent:g}",
            )
            if best.fit_percent is not None
            else ""
        )
    if result.chosen_by == "body" and set(result.chosen_models) != set(
        fit.recommendation.model_ids if fit else ()
    ):
        reason = " ".join((report.choice_reason or "").split())
        chosen = labels.model_list(result.chosen_models)
        if reason:
            sentences.append(
                _(
                    "The organisation chose %(models)s instead, giving this reason: "
                    "\u201c%(reason)s\u201d. The targets in this report are those of its choice.",
                    models=chosen,
                    reason=reason.rstrip("."),
                )
            )
        else:
            sentences.append(
                _(
                    "The organisation chose %(models)s instead. The targets in this report are "
                    "those of its choice.",
                    models=chosen,
                )
            )
    elif result.chosen_models:
        sentences.append(
            _(
                "The targets in this report are those of %(models)s.",
                models=labels.model_list(result.chosen_models),
            )
        )
    below = [r for r in profile if r["status"] == "below_target"]
    above = [r for r in profile if r["status"] == "above_target"]
    at = [r for r in profile if r["status"] == "at_target"]
    if result.chosen_models:
        sentences.append(
            ngettext(
                "%(num)d area is below target, %(at)d at target and %(above)d above it.",
                "%(num)d areas are below target, %(at)d at target and %(above)d above it.",
                len(below),
                at=len(at),
                above=len(above),
            )
        )
    ranked = sorted((r for r in below), key=lambda r: r["rank"])[:SUMMARY_GAPS]
    gaps = [
        ngettext(
            "%(area)s: at level %(floor)s, needs %(target)s; %(num)d level to close.",
            "%(area)s: at level %(floor)s, needs %(target)s; %(num)d levels to close.",
            r["gap"],
            area=r["title"],
            floor=r["floor_text"],
            target=r["target_text"],
        )
        for r in ranked
    ]
    short = sorted(
        (s for s in result.segments if s.status == "below_needed"), key=lambda s: s.gap_rank or 0
    )
    if result.segments:
        if short:
            first = ngettext(
                "%(num)d stakeholder group is involved less than the method recommends: "
                "%(groups)s, most pressing first.",
                "%(num)d stakeholder groups are involved less than the method recommends: "
                "%(groups)s, most pressing first.",
                len(short),
                groups=join_words([s.label for s in short]),
            )
        else:
            first = _("No stakeholder group is involved less than the method recommends.")
        sentences_after = [first]
        support = [s.label for s in short if s.extra_support]
        if support:
            sentences_after.append(
                ngettext(
                    "%(groups)s needs extra support to take part, so closing that gap comes first.",
                    "%(groups)s need extra support to take part, so closing that gap comes first.",
                    len(support),
                    groups=join_words(support),
                )
            )
    else:
        sentences_after = []
    recommended = fit.recommendation.model_ids if fit else ()
    return {
        "level": overall.level,
        "level_name": overall.name,
        "sentences": [s for s in sentences if s],
        "gaps": gaps,
        "gap_count": len(below),
        "after": sentences_after,
        "chosen": labels.model_list(result.chosen_models),
        "recommended": labels.model_list(recommended) if recommended else None,
    }


def _around(sentence: str, *names: str) -> list[str]:
    """``sentence`` cut at its placeholders ``names`` (in that order): the text before, between
    and after them, for the running footer (CSS counters cannot sit inside a message)."""
    marks = {name: f"\x00{index}\x00" for index, name in enumerate(names)}
    filled = sentence % marks
    parts = filled
    pieces = []
    for name in names:
        before, _mark, parts = parts.partition(marks[name])
        pieces.append(before)
    return [*pieces, parts]


def _footer(report: ReportInput) -> dict[str, Any]:
    """The running footer's words: ``Report R-… · data …`` and ``Page 3 of 42``."""
    page = _around(_("Page %(page)s of %(pages)s"), "page", "pages")
    report_word = _around(_("Report %(report_id)s"), "report_id")[0]
    fingerprint = (
        " \u00b7 " + _("data %(fingerprint)s", fingerprint=report.fingerprint)
        if report.fingerprint
        else ""
    )
    return {"page": page, "report": report_word, "fingerprint": fingerprint}


def build_context(report: ReportInput) -> dict[str, Any]:
    """The report's template context: plain, display-ready values (and the charts' SVG).

    Everything except ``context["charts"]`` is JSON-serialisable.
    """
    labels = _Labels(report)
    zone = report.organisation_timezone
    result = report.result
    profile = _profile(report, labels)
    register = register_table(report)
    fit = _fit(report, labels)
    segments = segment_rows(report)
    target_label = (
        _("Target of %(models)s", models=labels.model_list(result.chosen_models))
        if result.chosen_models
        else _("Target")
    )
    charts = {
        "radar": radar_chart(profile, target_label=target_label, id_prefix="chart-radar"),
        "fit": fit_chart(fit["rows"], id_prefix="chart-fit") if fit else None,
        "grid": power_interest_grid(register["rows"], id_prefix="chart-grid"),
    }
    if report.trend and len(report.trend["points"]) > 1:
        charts["trend"] = trend_chart(report.trend["points"], id_prefix="chart-trend")
    overall = result.maturity.overall
    return {
        "lang": report.locale,
        "report_id": report.report_id,
        "fingerprint": report.fingerprint,
        "instance": report.instance,
        "organisation": report.organisation_name,
        "prepared_by": report.prepared_by,
        "time_zone": zone,
        "assessment": {
            "id": report.assessment_id,
            "title": report.assessment_title,
            "scope": report.assessment_scope,
        },
        "status": report.status,
        "status_label": _(STATUSES[report.status]),
        "watermark": _(WATERMARKS[report.status]) if report.status in WATERMARKS else None,
        "dates": {
            "created": format_datetime(report.created_at, zone, report.locale),
            "updated": format_datetime(report.updated_at, zone, report.locale),
            "finalised": format_datetime(report.finalised_at, zone, report.locale),
        },
        "questionnaires": [
            {"id": q.id, "version": q.version, "title": q.title.get(report.locale)}
            for q, _answers in report.questionnaires()
        ],
        "summary": _summary(report, labels, profile),
        "overall": {
            "level": overall.level,
            "name": overall.name,
            "level_text": labels.level(overall.level),
            "weighted_mean": overall.weighted_mean,
            "lowest_floor": overall.lowest_floor,
            "maturity_score": overall.maturity_score,
            "score_text": None
            if overall.maturity_score is None
            else f"{overall.maturity_score:.1f}",
            "level_reason": translate(overall.level_reason) if overall.level_reason else None,
            "claimed_level": overall.claimed_level,
            "claimed_score_text": None
            if overall.claimed_maturity_score is None
            else f"{overall.claimed_maturity_score:.1f}",
            "not_evidenced": overall.not_evidenced,
            "no_evidence": overall.no_evidence,
            "completeness_percent": (
                None if overall.completeness is None else round(overall.completeness * 100)
            ),
        },
        "levels": [
            {"level": n, "name": labels.levels[n], "summary": labels.level_summaries[n]}
            for n in sorted(labels.levels)
        ],
        "register": register,
        "fit": fit,
        "profile": profile,
        "actions": _actions(report, labels),
        "holding": _holding(report, labels),
        "targets": _targets(report, labels),
        "board": board_summary(report, labels),
        "segments": segments,
        "engagement_gaps": engagement_gaps(segments),
        "definition": _definition(report),
        "appendix": appendix(report, labels),
        "evidence": evidence_table(report),
        "marks": marks_table(report),
        "workshop": workshop_sessions(report),
        "perception": report.perception,
        "regard_names": {code: _(text) for code, text in REGARD_ONE.items()},
        "regard_plural": {code: _(text) for code, text in REGARD_IN_TEXT.items()},
        "method": {"version": result.method_version},
        "plan": None if report.plan is None else [dict(row) for row in report.plan],
        "trend": None if report.trend is None else dict(report.trend),
        "benchmark": None if report.benchmark is None else dict(report.benchmark),
        "charts": charts,
        "footer": _footer(report),
        # The bilingual summary's two columns (see assess.reporting.render), else None.
        "board_columns": None,
        # Page 1 alone (the bilingual summary, laid out to go before the Welsh report's pages).
        "board_only": False,
    }
