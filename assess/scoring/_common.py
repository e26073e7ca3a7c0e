"""Rounding, answer classification and the plain-value result base shared by the scoring modules.

Figures are computed exactly (integers and :class:`fractions.Fraction`) and rounded only when they
are put into a result, so that a figure never depends on floating-point error.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from assess.questionnaire.answers import Answer, Status

#: Decimals kept for mean levels (1.00 to 5.00).
LEVEL_DECIMALS = 2
#: Decimals kept for shares between 0 and 1 (completeness, the share of the most common option).
SHARE_DECIMALS = 2
#: Decimals kept for percentages (model fit, 0.0 to 100.0).
PERCENT_DECIMALS = 1

#: How a question stands for scoring (see ``classify``).
ANSWERED = "answered"
NOT_APPLICABLE = "not_applicable"
DONT_KNOW = "dont_know"
UNANSWERED = "unanswered"
HIDDEN = "hidden"


def round_half_up(value: Fraction | int, decimals: int) -> float:
    """``value`` rounded to ``decimals`` places, halves away from zero (as done by hand)."""
    exact = Fraction(value)
    scaled = Decimal(exact.numerator) / Decimal(exact.denominator)
    return float(scaled.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def share(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to :data:`SHARE_DECIMALS`; None when ``whole`` is zero."""
    if whole == 0:
        return None
    return round_half_up(Fraction(part, whole), SHARE_DECIMALS)


def classify(answer: Answer | None) -> str:
    """How one answer counts: answered, not applicable, don't know or unanswered.

    A missing answer, or an "answered" one with an empty value, counts as unanswered.
    """
    if answer is None:
        return UNANSWERED
    if answer.status is Status.NOT_APPLICABLE:
        return NOT_APPLICABLE
    if answer.status is Status.DONT_KNOW:
        return DONT_KNOW
    return ANSWERED if answer.is_answered else UNANSWERED


def to_plain(value: Any) -> Any:
    """Dataclasses to dicts and tuples to lists, recursively: ready for ``json.dumps``."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


class Result:
    """Base of every scoring result: frozen dataclasses of plain values with ``to_dict``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as nested dicts, lists and plain values, ready for JSON."""
        plain: dict[str, Any] = to_plain(self)
        return plain
