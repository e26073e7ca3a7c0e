"""Answers as plain values, independent of how they are stored or entered.

The database keeps an answer's ``value`` as JSON (see :meth:`Answer.to_json`); the web forms, the
workshops and the demo build these objects; the scoring engine reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assess.questionnaire.schema import ALL_RATING_ATTRIBUTES


class Status(StrEnum):
    """What kind of answer a person gave."""

    #: A real answer: ``value`` holds it.
    ANSWERED = "answered"
    #: "Not applicable": excluded from scores and from completeness.
    NOT_APPLICABLE = "not_applicable"
    #: "Don't know": excluded from scores, but counted as unanswered in completeness.
    DONT_KNOW = "dont_know"


@dataclass(frozen=True)
class RegisterRow:
    """One segment's row in the stakeholder register."""

    #: A listed segment's id, or ``custom-...`` for a segment the body added.
    segment_id: str
    #: The body's own name for a custom segment (None for listed segments).
    label: str | None = None
    #: Ratings 1 to 4 (None: not rated yet).
    power: int | None = None
    legitimacy: int | None = None
    urgency: int | None = None
    interest: int | None = None
    #: How the body regards the segment: customer, citizen or stakeholder.
    regard: str | None = None
    #: The IAP2 level the segment gets today: none, inform, consult, involve, collaborate, empower.
    engagement: str | None = None
    #: How far the body's decisions affect the group, 1 to 4 (registers from method 2.0 on).
    affected: int | None = None
    #: none, commercial or regulatory: an interest in the outcome of decisions about itself.
    conflict: str | None = None
    #: For a group the body added: "yes" when it needs extra support to take part.
    support: str | None = None

    def rating(self, attribute: str) -> int | None:
        """The rating of ``attribute`` (power, legitimacy, urgency, interest or affected)."""
        if attribute not in ALL_RATING_ATTRIBUTES:
            raise KeyError(attribute)
        value: int | None = getattr(self, attribute)
        return value

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RegisterRow:
        """The inverse of :meth:`to_json`."""
        return cls(**data)


@dataclass(frozen=True)
class CriterionCheck:
    """A respondent's confirmation of one criterion of a level question: met or not met.

    ``level`` and ``number`` name the criterion: the ``number``-th (from 1) of level ``level`` in
    the question's ``criteria``. ``reference`` says where the record is (optional).
    """

    level: int
    number: int
    met: bool
    reference: str = ""

    @property
    def key(self) -> str:
        """``"3.1"``: level and number, as the pages and the report name a criterion."""
        return f"{self.level}.{self.number}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data: dict[str, Any] = {"level": self.level, "number": self.number, "met": self.met}
        if self.reference:
            data["reference"] = self.reference
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CriterionCheck:
        """The inverse of :meth:`to_json`."""
        return cls(
            level=int(data["level"]),
            number=int(data["number"]),
            met=bool(data["met"]),
            reference=str(data.get("reference") or ""),
        )


#: An answer's value: an option id (single), option ids (multiple), a level 1-5 (level),
#: text (text) or the register's rows (register).
Value = str | int | tuple[str, ...] | tuple[RegisterRow, ...] | None


@dataclass(frozen=True)
class Answer:
    """One person's (or a consensus) answer to one question."""

    question_id: str
    status: Status = Status.ANSWERED
    value: Value = None
    #: The free-text evidence note every question takes.
    note: str = field(default="")
    #: Level questions answered 3 or above: the criteria confirmed met or not met, in the
    #: question's order (see :meth:`assess.questionnaire.schema.LevelQuestion.criteria_up_to`).
    criteria: tuple[CriterionCheck, ...] = ()

    def check(self, level: int, number: int) -> CriterionCheck | None:
        """The confirmation of criterion ``level``.``number``, or None when none was given."""
        return next((c for c in self.criteria if (c.level, c.number) == (level, number)), None)

    def criteria_to_json(self) -> list[dict[str, Any]] | None:
        """The confirmations as JSON-ready data (None when there are none)."""
        return [c.to_json() for c in self.criteria] or None

    @staticmethod
    def criteria_from_json(data: Any) -> tuple[CriterionCheck, ...]:
        """The inverse of :meth:`criteria_to_json`."""
        return tuple(CriterionCheck.from_json(c) for c in data or [])

    @property
    def is_answered(self) -> bool:
        """True for a real answer (not "not applicable", not "don't know", not empty)."""
        return self.status is Status.ANSWERED and self.value not in (None, "", ())

    def value_to_json(self) -> Any:
        """``value`` as JSON-ready data."""
        if isinstance(self.value, tuple):
            return [v.to_json() if isinstance(v, RegisterRow) else v for v in self.value]
        return self.value

    @staticmethod
    def value_from_json(data: Any) -> Value:
        """The inverse of :meth:`value_to_json`."""
        if isinstance(data, list):
            return tuple(RegisterRow.from_json(v) if isinstance(v, dict) else v for v in data)
        return data  # type: ignore[no-any-return]
