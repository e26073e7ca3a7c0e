"""Model fit: how well each candidate model suits the body, the recommendation and its reasons.

See ``docs/methodology.md`` ("Model fit") for the rules in plain English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import MultipleQuestion, Questionnaire, SingleQuestion
from assess.questionnaire.validation import visible_questions
from assess.scoring._common import (
    ANSWERED,
    DONT_KNOW,
    HIDDEN,
    NOT_APPLICABLE,
    PERCENT_DECIMALS,
    UNANSWERED,
    Result,
    classify,
    round_half_up,
    share,
)

#: Models whose fit is within this many percentage points of the best are recommended together.
BLEND_MARGIN = 10
#: How many of a model's strongest positive contributions are given as its reasons.
TOP_REASONS = 3

#: Recommendation kinds.
SINGLE = "single"
BLEND = "blend"


@dataclass(frozen=True)
class Contribution(Result):
    """One chosen option's pull on one model."""

    question_id: str
    option_id: str
    model_id: str
    #: The option's ``fit`` value for the model, -3 to 3.
    weight: int


@dataclass(frozen=True)
class ModelFit(Result):
    """One candidate model's fit."""

    model_id: str
    name: str
    #: The sum of the chosen options' weights for this model.
    total: int
    #: The lowest and highest totals the answered questions could have given this model.
    minimum: int
    maximum: int
    #: 100 x (total - minimum) / (maximum - minimum), rounded to PERCENT_DECIMALS; None when
    #: nothing is answered or the answered questions cannot move this model.
    fit_percent: float | None
    #: 1 for the best fit; ties are ranked in the questionnaire's model order.
    rank: int
    #: Every non-zero contribution, strongest first (ties in question order).
    contributions: tuple[Contribution, ...]
    #: Up to TOP_REASONS positive contributions: the answers that pulled most towards the model.
    top_contributions: tuple[Contribution, ...]


@dataclass(frozen=True)
class FitRecommendation(Result):
    """The recommended model, or blend of models."""

    #: The recommended models, best fit first (empty when nothing is answered).
    model_ids: tuple[str, ...]
    #: ``single``, ``blend`` or None.
    kind: str | None
    #: "Citizen model", or "a blend of Citizen model and Stakeholder model".
    text: str | None
    #: The best fit minus the fit of the first model left out, in percentage points (None when
    #: every model is in the recommendation or nothing is answered).
    lead: float | None
    #: The top contributions of each recommended model, in the order of ``model_ids``.
    reasons: tuple[Contribution, ...]


@dataclass(frozen=True)
class FitResult(Result):
    """Every model's fit in questionnaire order, and the recommendation."""

    models: tuple[ModelFit, ...]
    recommendation: FitRecommendation
    #: The questions that count (visible choice questions with a real answer).
    answered_question_ids: tuple[str, ...]
    dont_know_question_ids: tuple[str, ...]
    unanswered_question_ids: tuple[str, ...]
    not_applicable_question_ids: tuple[str, ...]
    hidden_question_ids: tuple[str, ...]
    #: answered / applicable over the model-fit questions, rounded to SHARE_DECIMALS.
    completeness: float | None

    def model(self, model_id: str) -> ModelFit:
        """The fit of ``model_id``; KeyError if there is none."""
        for model in self.models:
            if model.model_id == model_id:
                return model
        raise KeyError(model_id)


def question_range(question: SingleQuestion | MultipleQuestion, model_id: str) -> tuple[int, int]:
    """The lowest and highest total one question can give ``model_id``.

    A single question: the lowest and highest option weight. A multiple question with up to ``k``
    choices (``max_choices``, else every option): the highest is the sum of the positive weights
    among the ``k`` largest (or the largest weight, when none is positive, because one option
    must be chosen); the lowest likewise with the negative weights among the ``k`` smallest.
    """
    weights = [(option.fit or {}).get(model_id, 0) for option in question.options]
    if isinstance(question, SingleQuestion):
        return min(weights), max(weights)
    k = question.max_choices or len(weights)
    high = sorted(weights, reverse=True)
    low = sorted(weights)
    maximum = high[0] if high[0] <= 0 else sum(w for w in high[:k] if w > 0)
    minimum = low[0] if low[0] >= 0 else sum(w for w in low[:k] if w < 0)
    return minimum, maximum


def _chosen_options(question: SingleQuestion | MultipleQuestion, answer: Answer) -> list[str]:
    value = answer.value
    chosen = list(value) if isinstance(value, tuple) else [value]
    known = {option.id for option in question.options}
    for option_id in chosen:
        if option_id not in known:
            raise ValueError(f"question '{question.id}': '{option_id}' is not one of its options")
    if isinstance(question, SingleQuestion) and len(chosen) != 1:
        raise ValueError(f"question '{question.id}' takes one option, not {len(chosen)}")
    if isinstance(question, MultipleQuestion) and len(set(chosen)) > (
        question.max_choices or len(known)
    ):
        raise ValueError(f"question '{question.id}' takes at most {question.max_choices} options")
    # Options in questionnaire order, each once, so the trace reads like the form.
    return [option.id for option in question.options if option.id in chosen]


def _fit_percent(total: int, minimum: int, maximum: int) -> Fraction | None:
    if maximum == minimum:
        return None
    return Fraction(100 * (total - minimum), maximum - minimum)


def _display_name(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return "a blend of " + ", ".join(names[:-1]) + " and " + names[-1]


def score_fit(
    model_fit: Questionnaire, answers: Mapping[str, Answer], locale: str = "en"
) -> FitResult:
    """Score ``answers`` to the model-fit questionnaire: each model's fit and the recommendation."""
    visible = visible_questions(model_fit, answers)
    model_ids = model_fit.model_ids
    totals = dict.fromkeys(model_ids, 0)
    minima = dict.fromkeys(model_ids, 0)
    maxima = dict.fromkeys(model_ids, 0)
    contributions: dict[str, list[tuple[int, Contribution]]] = {m: [] for m in model_ids}
    groups: dict[str, list[str]] = {
        ANSWERED: [],
        DONT_KNOW: [],
        UNANSWERED: [],
        NOT_APPLICABLE: [],
        HIDDEN: [],
    }
    order = 0
    for _section, question in model_fit.questions():
        if not isinstance(question, SingleQuestion | MultipleQuestion):
            continue
        if question.id not in visible:
            groups[HIDDEN].append(question.id)
            continue
        answer = answers.get(question.id)
        kind = classify(answer)
        groups[kind].append(question.id)
        if kind != ANSWERED:
            continue
        assert answer is not None
        for model_id in model_ids:
            low, high = question_range(question, model_id)
            minima[model_id] += low
            maxima[model_id] += high
        by_id = {option.id: option for option in question.options}
        for option_id in _chosen_options(question, answer):
            for model_id in model_ids:
                weight = (by_id[option_id].fit or {}).get(model_id, 0)
                totals[model_id] += weight
                if weight:
                    contribution = Contribution(question.id, option_id, model_id, weight)
                    contributions[model_id].append((order, contribution))
                order += 1

    exact = {m: _fit_percent(totals[m], minima[m], maxima[m]) for m in model_ids}
    ranked = sorted(
        model_ids, key=lambda m: (exact[m] is None, -(exact[m] or 0), model_ids.index(m))
    )
    names = {m.id: m.name.get(locale) for m in model_fit.models or []}
    fits = []
    for model_id in model_ids:
        strongest = [
            c for _o, c in sorted(contributions[model_id], key=lambda p: (-p[1].weight, p[0]))
        ]
        percent = exact[model_id]
        fits.append(
            ModelFit(
                model_id=model_id,
                name=names[model_id],
                total=totals[model_id],
                minimum=minima[model_id],
                maximum=maxima[model_id],
                fit_percent=None if percent is None else round_half_up(percent, PERCENT_DECIMALS),
                rank=ranked.index(model_id) + 1,
                contributions=tuple(sorted(strongest, key=lambda c: -abs(c.weight))),
                top_contributions=tuple(c for c in strongest if c.weight > 0)[:TOP_REASONS],
            )
        )
    by_model = {f.model_id: f for f in fits}
    applicable = len(groups[ANSWERED]) + len(groups[DONT_KNOW]) + len(groups[UNANSWERED])
    return FitResult(
        models=tuple(fits),
        recommendation=recommend(ranked, exact, by_model),
        answered_question_ids=tuple(groups[ANSWERED]),
        dont_know_question_ids=tuple(groups[DONT_KNOW]),
        unanswered_question_ids=tuple(groups[UNANSWERED]),
        not_applicable_question_ids=tuple(groups[NOT_APPLICABLE]),
        hidden_question_ids=tuple(groups[HIDDEN]),
        completeness=share(len(groups[ANSWERED]), applicable),
    )


def recommend(
    ranked: Sequence[str], exact: Mapping[str, Fraction | None], fits: Mapping[str, ModelFit]
) -> FitRecommendation:
    """The blend rule: every model within BLEND_MARGIN points of the best fit is recommended."""
    scored = [m for m in ranked if exact[m] is not None]
    if not scored:
        return FitRecommendation((), None, None, None, ())
    best = exact[scored[0]]
    assert best is not None
    chosen = tuple(m for m in scored if best - (exact[m] or 0) <= BLEND_MARGIN)
    left_out = [m for m in scored if m not in chosen]
    lead = round_half_up(best - (exact[left_out[0]] or 0), PERCENT_DECIMALS) if left_out else None
    return FitRecommendation(
        model_ids=chosen,
        kind=SINGLE if len(chosen) == 1 else BLEND,
        text=_display_name([fits[m].name for m in chosen]),
        lead=lead,
        reasons=tuple(c for m in chosen for c in fits[m].top_contributions),
    )


def fit_weights(fit: FitResult | None) -> dict[str, Fraction]:
    """Each model's exact fit (0 to 100), for weighting a blend's targets; models without a fit
    are left out."""
    if fit is None:
        return {}
    weights = {}
    for model in fit.models:
        exact = _fit_percent(model.total, model.minimum, model.maximum)
        if exact is not None:
            weights[model.model_id] = exact
    return weights
