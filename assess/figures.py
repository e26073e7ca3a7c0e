"""The scoring result's figures as plain rows: one list per table, and the chart beside it.

The web pages (results, recommendation) and the PDF report show the same tables and draw the same
charts (:mod:`assess.charts`) from these rows, so a figure cannot differ between them. The rows
hold numbers, ids and the engine's codes, never words for people: each medium adds its own
(translated on the web pages, English in the report).
"""

from __future__ import annotations

from typing import Any

from assess.questionnaire.schema import Questionnaire
from assess.scoring import CHOSEN_BY_BODY, AssessmentResult


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def profile_rows(result: AssessmentResult) -> list[dict[str, Any]]:
    """One row per dimension, in questionnaire order: floor, mean and completeness against the
    target of the chosen model(s). ``title``, ``floor``, ``target`` and ``mean`` are what
    :func:`assess.charts.radar_chart` draws."""
    gaps = {g.dimension_id: g for g in result.gaps}
    rows = []
    for dimension in result.maturity.dimensions:
        gap = gaps[dimension.dimension_id]
        rows.append(
            {
                "dimension_id": dimension.dimension_id,
                "title": dimension.title,
                "weight": dimension.weight,
                "floor": dimension.floor,
                "floor_name": dimension.floor_name,
                "mean": dimension.mean,
                "target": gap.target,
                "default_target": gap.default_target,
                "target_rule": gap.target_rule,
                "lowered_reason": gap.lowered_reason,
                "model_targets": {t.model_id: t.level for t in gap.targets},
                "gap": gap.gap,
                "above_by": gap.above_by,
                "priority": gap.priority,
                "rank": gap.rank,
                "status": gap.status,
                "completeness": dimension.completeness,
                "completeness_percent": _percent(dimension.completeness),
                "answered": dimension.answered,
                "applicable": dimension.applicable,
                "floor_question_ids": list(dimension.floor_question_ids),
                "claimed_floor": dimension.claimed_floor,
                "claimed_mean": dimension.claimed_mean,
                "not_evidenced_question_ids": list(dimension.not_evidenced_question_ids),
                "no_evidence_question_ids": list(dimension.no_evidence_question_ids),
            }
        )
    return rows


def evidence_rows(result: AssessmentResult) -> list[dict[str, Any]]:
    """One row per adoption answer whose evidence falls short: the level claimed is not
    evidenced, or a level of 3 or above names no evidence at all. In questionnaire order."""
    rows = []
    for dimension in result.maturity.dimensions:
        for q in dimension.levels:
            not_evidenced = q.level < q.claimed
            if not (not_evidenced or not q.evidence_given):
                continue
            rows.append(
                {
                    "dimension_id": dimension.dimension_id,
                    "area": dimension.title,
                    "question_id": q.question_id,
                    "claimed": q.claimed,
                    "evidenced": q.level,
                    "unconfirmed": list(q.unconfirmed),
                    "no_evidence": not q.evidence_given,
                }
            )
    return rows


def fit_rows(result: AssessmentResult) -> list[dict[str, Any]]:
    """One row per candidate model, in questionnaire order (empty without model-fit answers).
    ``name``, ``fit_percent``, ``recommended`` and ``chosen`` are what
    :func:`assess.charts.fit_chart` draws."""
    fit = result.fit
    if fit is None:
        return []
    recommended = set(fit.recommendation.model_ids)
    # Only the body's own choice is "chosen": scoring falls back to the recommendation for the
    # targets, but nothing is called chosen before someone has chosen.
    chosen = set(result.chosen_models) if result.chosen_by == CHOSEN_BY_BODY else set()
    return [
        {
            "model_id": m.model_id,
            "name": m.name,
            "fit_percent": m.fit_percent,
            "rank": m.rank,
            "total": m.total,
            "minimum": m.minimum,
            "maximum": m.maximum,
            "recommended": m.model_id in recommended,
            "chosen": m.model_id in chosen,
        }
        for m in fit.models
    ]


def segment_rows(result: AssessmentResult) -> list[dict[str, Any]]:
    """One row per register row, in the order given. ``label`` and ``quadrant`` are what
    :func:`assess.charts.power_interest_grid` draws."""
    return [
        {
            "question_id": s.question_id,
            "segment_id": s.segment_id,
            "label": s.label,
            "power": s.power,
            "legitimacy": s.legitimacy,
            "urgency": s.urgency,
            "interest": s.interest,
            "affected": s.affected,
            "regard": s.regard,
            "conflict": s.conflict,
            "extra_support": s.extra_support,
            "media": s.media,
            "regard_differs": s.regard_differs,
            "held": list(s.held),
            "salience": s.salience,
            "salience_type": s.salience_type,
            "quadrant": s.quadrant,
            "recommended": s.recommended,
            "reasons": list(s.reasons),
            "current": s.current,
            "status": s.status,
            "gap": s.gap,
            "above_by": s.above_by,
            "gap_rank": s.gap_rank,
            "gap_why": list(s.gap_why),
        }
        for s in result.segments
    ]


def contradiction_rows(
    result: AssessmentResult, definition: Questionnaire, adoption: Questionnaire, locale: str
) -> list[dict[str, Any]]:
    """Each contradiction with the two questions' texts and the answers given, for people."""
    rows = []
    for c in result.contradictions:
        left = definition.question(c.definition_question_id)
        right = adoption.question(c.adoption_question_id)
        labels = {o.id: o.label.get(locale) for o in getattr(left, "options", [])}
        described = getattr(right, "levels", {}).get(c.adoption_level)
        rows.append(
            {
                "rule_id": c.rule_id,
                "text": c.text,
                "definition_question_id": left.id,
                "definition_question": left.text.get(locale),
                "definition_answer": [labels.get(o, o) for o in c.definition_options],
                "adoption_question_id": right.id,
                "adoption_question": right.text.get(locale),
                "adoption_level": c.adoption_level,
                "adoption_answer": described.get(locale) if described else "",
            }
        )
    return rows
