"""The scoring engine: pure functions from questionnaires and answers to a traceable result.

Nothing here touches the database or Flask. Every figure keeps the ids of the questions behind it,
and every rule is written out for people in ``docs/methodology.md``; ``METHOD_VERSION`` names the
edition of that method a result was computed with.

    result = score_assessment(
        adoption=adoption, adoption_answers=answers_by_question_id,
        model_fit=model_fit, model_fit_answers=...,
        definition=definition, definition_answers=...,
    )
    result.to_dict()   # plain JSON-ready values
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import Questionnaire
from assess.scoring._common import Result
from assess.scoring.aggregate import (
    QuestionAggregate,
    aggregate,
    aggregate_question,
    consensus_answer,
    no_default_reason,
)
from assess.scoring.definition import (
    Contradiction,
    DefinitionItem,
    find_contradictions,
    summarise_definition,
)
from assess.scoring.engagement import SegmentEngagement, score_register
from assess.scoring.fit import FitResult, fit_weights, score_fit
from assess.scoring.gaps import DimensionGap, rank_gaps
from assess.scoring.maturity import MaturityProfile, score_maturity

#: The edition of docs/methodology.md that this code implements.
METHOD_VERSION = "2.1"

#: Where the models that set the targets came from.
CHOSEN_BY_BODY = "body"
CHOSEN_BY_RECOMMENDATION = "recommendation"

__all__ = [
    "METHOD_VERSION",
    "AssessmentResult",
    "Contradiction",
    "DefinitionItem",
    "DimensionGap",
    "FitResult",
    "MaturityProfile",
    "QuestionAggregate",
    "QuestionnaireVersion",
    "SegmentEngagement",
    "aggregate",
    "aggregate_question",
    "consensus_answer",
    "no_default_reason",
    "score_assessment",
    "score_fit",
    "score_maturity",
    "score_register",
]


@dataclass(frozen=True)
class QuestionnaireVersion(Result):
    """Which questionnaire, in which version, a result was computed from."""

    questionnaire_id: str
    version: str


@dataclass(frozen=True)
class AssessmentResult(Result):
    """Everything the engine works out for one assessment."""

    method_version: str
    questionnaires: tuple[QuestionnaireVersion, ...]
    #: Per dimension: floor, mean and completeness; and the overall level.
    maturity: MaturityProfile
    #: Each model's fit and the recommendation (None without model-fit answers).
    fit: FitResult | None
    #: The models whose targets apply: the body's choice, else the recommendation.
    chosen_models: tuple[str, ...]
    #: ``body``, ``recommendation`` or None (no model: gaps have no target).
    chosen_by: str | None
    #: Every register row, in the order given (empty without the definition questionnaire).
    segments: tuple[SegmentEngagement, ...]
    #: Every dimension against its target: ranked gaps first, then the rest in file order.
    gaps: tuple[DimensionGap, ...]
    #: The definition questionnaire's choice questions with their answers (empty without it).
    definition_summary: tuple[DefinitionItem, ...] = ()
    #: Definition and adoption answers that cannot both be true (empty without the definition).
    contradictions: tuple[Contradiction, ...] = ()


def score_assessment(
    *,
    adoption: Questionnaire,
    adoption_answers: Mapping[str, Answer],
    model_fit: Questionnaire | None = None,
    model_fit_answers: Mapping[str, Answer] | None = None,
    definition: Questionnaire | None = None,
    definition_answers: Mapping[str, Answer] | None = None,
    chosen_models: Sequence[str] | None = None,
    locale: str = "en",
    lowered_targets: Mapping[str, tuple[int, str]] | None = None,
) -> AssessmentResult:
    """Score one assessment: maturity, model fit, segments and ranked gaps.

    Answers are keyed by question id, one mapping per questionnaire. ``chosen_models`` is the
    body's own choice of model (one id, or several for a blend); without it the recommendation
    is used. Display texts (titles, names, recommended steps) are taken in ``locale``.
    ``lowered_targets`` maps a dimension id to (a lower target, the reason) set by an admin.
    """
    maturity = score_maturity(adoption, adoption_answers, locale)
    fit = score_fit(model_fit, model_fit_answers or {}, locale) if model_fit else None
    if chosen_models and model_fit:
        unknown = [m for m in chosen_models if m not in model_fit.model_ids]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; the models are {model_fit.model_ids}")
    if chosen_models:
        models, chosen_by = tuple(chosen_models), CHOSEN_BY_BODY
    elif fit and fit.recommendation.model_ids:
        models, chosen_by = fit.recommendation.model_ids, CHOSEN_BY_RECOMMENDATION
    else:
        models, chosen_by = (), None
    segments = (
        score_register(definition, definition_answers or {}, models, locale) if definition else ()
    )
    used = [q for q in (definition, model_fit, adoption) if q is not None]
    return AssessmentResult(
        method_version=METHOD_VERSION,
        questionnaires=tuple(QuestionnaireVersion(q.id, q.version) for q in used),
        maturity=maturity,
        fit=fit,
        chosen_models=models,
        chosen_by=chosen_by,
        segments=segments,
        gaps=rank_gaps(
            adoption,
            maturity,
            models,
            locale,
            weights=fit_weights(fit),
            lowered=lowered_targets,
        ),
        definition_summary=(
            summarise_definition(definition, definition_answers or {}, locale) if definition else ()
        ),
        contradictions=(
            find_contradictions(definition, definition_answers or {}, adoption, adoption_answers)
            if definition
            else ()
        ),
    )
