"""The structure of a questionnaire file, as frozen pydantic models.

This module checks shape: which keys exist, their types and ranges, that display text is keyed by
locale. Checks that relate one part of a file to another (duplicate ids, ``show_if`` targets, model
ids in ``fit`` and ``targets``, recommendation steps) live in
:mod:`assess.questionnaire.references`.
The format is described for people in ``docs/questionnaire-format.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

#: Stable identifiers: lower-case ASCII, digits and hyphens, starting with a letter.
ID_PATTERN = r"^[a-z][a-z0-9-]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
#: Option ids may also start with a digit (the register's ratings are "1" to "4").
OptionId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
#: Locale codes such as ``en``, ``cy`` or ``pt-BR``.
LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
DEFAULT_LOCALE = "en"
#: The five maturity levels and answer levels.
Level = Annotated[int, Field(ge=1, le=5)]
#: A level written where an option id could also stand: strict, so that YAML's unquoted ``yes``
#: (read as ``true``) is not taken for level 1.
StrictLevel = Annotated[int, Field(strict=True, ge=1, le=5)]
#: Levels that carry criteria an auditor can check: 3, 4 and 5 (levels 1 and 2 need none).
CRITERIA_FROM = 3
CriterionLevel = Annotated[int, Field(ge=CRITERIA_FROM, le=5)]
#: How far one model-fit option moves one model.
FitWeight = Annotated[int, Field(strict=True, ge=-3, le=3)]

#: The register's columns are fixed because the scoring relies on them.
#: The four ratings every register has (salience and the power/interest grid).
RATING_ATTRIBUTES = ("power", "legitimacy", "urgency", "interest")
#: A rating that registers from method 2.0 on also have: how far the body's decisions affect the
#: group. Older registers lack it (the scoring then reads interest in its place).
AFFECTED_ATTRIBUTE = "affected"
#: Every rating column a register may have (all rated 1 to 4).
ALL_RATING_ATTRIBUTES = (*RATING_ATTRIBUTES, AFFECTED_ATTRIBUTE)
RATING_OPTIONS = ("1", "2", "3", "4")
#: Ratings at or above this count as "high" (power/interest/affected) or "held" (salience).
RATING_HIGH_FROM = 3
REGARD_OPTIONS = ("customer", "citizen", "stakeholder")
ENGAGEMENT_OPTIONS = ("none", "inform", "consult", "involve", "collaborate", "empower")
#: Whether the group has a commercial or regulatory interest in the outcome of the body's
#: decisions (a conflict of interest on decisions about itself).
CONFLICT_OPTIONS = ("none", "commercial", "regulatory")
#: Whether a group the body added itself needs extra support to take part.
SUPPORT_OPTIONS = ("no", "yes")
#: The columns every register must have.
REGISTER_ATTRIBUTES = (*RATING_ATTRIBUTES, "regard", "engagement")
#: Columns a register may have (method 2.0 registers have all three).
OPTIONAL_REGISTER_ATTRIBUTES = (AFFECTED_ATTRIBUTE, "conflict", "support")
#: The choice (not rating) columns.
CHOICE_ATTRIBUTES = ("regard", "engagement", "conflict", "support")
#: The option ids each register column must offer, exactly.
REGISTER_OPTIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(ALL_RATING_ATTRIBUTES, RATING_OPTIONS),
    "regard": REGARD_OPTIONS,
    "engagement": ENGAGEMENT_OPTIONS,
    "conflict": CONFLICT_OPTIONS,
    "support": SUPPORT_OPTIONS,
}
#: What a listed segment is, where the method treats it differently: ``media`` get a
#: media-relations plan instead of a participation level; ``extra-support`` are people who need
#: extra support to use services or take part, whose engagement gaps are ranked first.
SEGMENT_KINDS = ("media", "extra-support")
#: The ``type`` of each kind of question.
QUESTION_TYPES = ("single", "multiple", "level", "text", "register", "statement")
#: Perception only: the most statements a survey may ask (it must stay short).
MAX_STATEMENTS = 10
#: Perception only: how a statement asks whether people feel treated as customers or citizens.
TREATED_AS = ("customer", "citizen")


class _Strict(BaseModel):
    """Frozen, and unknown keys are errors (a misspelt key must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LocalText(RootModel[dict[str, str]]):
    """Display text keyed by locale; ``en`` is required, other locales fall back to it."""

    model_config = ConfigDict(frozen=True)

    @field_validator("root")
    @classmethod
    def _check(cls, value: dict[str, str]) -> dict[str, str]:
        import re

        if DEFAULT_LOCALE not in value:
            raise ValueError(f"display text needs an '{DEFAULT_LOCALE}' entry")
        for locale, text in value.items():
            if not re.match(LOCALE_PATTERN, locale):
                raise ValueError(f"'{locale}' is not a locale code such as 'en' or 'cy'")
            if not text.strip():
                raise ValueError(f"the '{locale}' text is empty")
        return value

    def get(self, locale: str = DEFAULT_LOCALE) -> str:
        """The text in ``locale``, or in English when there is no translation."""
        return self.root.get(locale) or self.root[DEFAULT_LOCALE]

    def __str__(self) -> str:
        return self.get()


class ShowIf(_Strict):
    """Ask a question only when an earlier question's answer is one of ``any_of``.

    For a multiple-choice question, any one chosen option that is in ``any_of`` is enough.
    """

    #: The id of an earlier question in the same file.
    question: Id
    #: Option ids, or levels (integers) for a level question.
    any_of: list[StrictLevel | OptionId] = Field(min_length=1)


class Option(_Strict):
    """One answer a person can choose."""

    id: OptionId
    label: LocalText
    #: Model-fit only: how choosing this option moves each candidate model.
    fit: dict[Id, FitWeight] | None = None


class _QuestionBase(_Strict):
    id: Id
    text: LocalText
    guidance: LocalText | None = None
    #: Offer "Not applicable": excluded from scores, not counted as zero.
    allow_na: bool = False
    #: Offer "Don't know": excluded from scores and lowers completeness.
    allow_dont_know: bool = True
    show_if: ShowIf | None = None


class SingleQuestion(_QuestionBase):
    """Choose one option."""

    type: Literal["single"]
    options: list[Option] = Field(min_length=2)


class MultipleQuestion(_QuestionBase):
    """Choose any number of options (at most ``max_choices`` when set)."""

    type: Literal["multiple"]
    options: list[Option] = Field(min_length=2)
    max_choices: int | None = Field(default=None, ge=1)


class LevelQuestion(_QuestionBase):
    """Pick the one of five descriptions of practice that matches the organisation."""

    type: Literal["level"]
    #: Exactly levels 1 to 5, each an observable practice.
    levels: dict[Level, LocalText]
    #: Levels 3, 4 and 5: the records that show each level is in place. A respondent who
    #: chooses level 3 or above confirms each criterion of that level and of the levels below
    #: it from 3 (met or not met); the evidenced level counts only confirmed criteria. Every
    #: questionnaire file needs all three levels (see :mod:`assess.questionnaire.references`).
    criteria: dict[CriterionLevel, list[LocalText]] | None = None
    #: Before method 2.0: what had to be true before a 4 or a 5 was given. Kept only so that
    #: questionnaire versions stored before 2.0 can still be read; a file may not use it.
    quality_criteria: list[LocalText] | None = None

    @field_validator("levels")
    @classmethod
    def _all_five(cls, value: dict[int, LocalText]) -> dict[int, LocalText]:
        missing = [n for n in range(1, 6) if n not in value]
        if missing:
            raise ValueError(f"levels 1 to 5 are all needed; missing {missing}")
        return value

    @field_validator("criteria")
    @classmethod
    def _criteria_not_empty(
        cls, value: dict[int, list[LocalText]] | None
    ) -> dict[int, list[LocalText]] | None:
        for level, items in (value or {}).items():
            if not items:
                raise ValueError(f"level {level} needs at least one criterion")
        return value

    def criteria_for(self, level: int) -> list[LocalText]:
        """The criteria of ``level`` (none for levels 1 and 2, nor in versions before 2.0)."""
        return list((self.criteria or {}).get(level, []))

    def criteria_up_to(self, level: int) -> list[tuple[int, int, LocalText]]:
        """(level, number, text) of every criterion from level 3 up to ``level``, in order.

        Numbers start at 1 within each level: criterion ``(4, 2)`` is level 4's second.
        """
        return [
            (n, i, text)
            for n in range(CRITERIA_FROM, level + 1)
            for i, text in enumerate(self.criteria_for(n), start=1)
        ]


class TextQuestion(_QuestionBase):
    """A short answer in the person's own words."""

    type: Literal["text"]
    allow_dont_know: bool = False
    max_length: int = Field(default=2000, ge=1, le=10000)


class Segment(_Strict):
    """A row of the stakeholder register."""

    id: Id
    label: LocalText
    description: LocalText | None = None
    #: ``media`` or ``extra-support`` (see SEGMENT_KINDS); None for any other group.
    kind: Literal["media", "extra-support"] | None = None


class RegisterAttribute(_Strict):
    """A column of the stakeholder register."""

    id: Literal[
        "power",
        "legitimacy",
        "urgency",
        "interest",
        "affected",
        "regard",
        "engagement",
        "conflict",
        "support",
    ]
    label: LocalText
    help: LocalText | None = None
    options: list[Option] = Field(min_length=2)


class RegisterQuestion(_QuestionBase):
    """The stakeholder register: segments as rows, the fixed attributes as columns."""

    type: Literal["register"]
    allow_dont_know: bool = False
    allow_custom_segments: bool = True
    segments: list[Segment] = Field(min_length=1)
    attributes: list[RegisterAttribute]

    def attribute(self, attribute_id: str) -> RegisterAttribute:
        """The column ``attribute_id``."""
        return next(a for a in self.attributes if a.id == attribute_id)

    def has_attribute(self, attribute_id: str) -> bool:
        """Whether this register has the column ``attribute_id`` (older ones lack some)."""
        return any(a.id == attribute_id for a in self.attributes)


class StatementQuestion(_QuestionBase):
    """Perception only: a statement people agree or disagree with on the file's ``scale``.

    ``area`` is the id of the adoption dimension the statement speaks to, so that the answers can
    be set beside the body's own level there. ``treated_as`` marks a statement that asks whether
    people feel treated as customers or as citizens.
    """

    type: Literal["statement"]
    area: Id
    treated_as: Literal["customer", "citizen"] | None = None


Question = Annotated[
    SingleQuestion
    | MultipleQuestion
    | LevelQuestion
    | TextQuestion
    | RegisterQuestion
    | StatementQuestion,
    Field(discriminator="type"),
]
ChoiceQuestion = SingleQuestion | MultipleQuestion


class Recommendation(_Strict):
    """One step up for one practice: what to do to move a level question up by one level.

    What counts as done is not written here: it is the next level of the question itself (its
    criteria for that level where it has them, else the level's description), so a step and the
    answer that shows it done can never drift apart.
    """

    #: The id of a level question in the same dimension.
    question: Id
    from_level: Annotated[int, Field(ge=1, le=4, alias="from")]
    to_level: Annotated[int, Field(ge=2, le=5, alias="to")]
    action: LocalText
    #: Who would normally own the step: a role every kind of public body has.
    owner: LocalText
    #: How long the step should take, in months from the report.
    months: int = Field(strict=True, ge=1, le=36)
    #: Why the step matters, when the action does not say it already.
    rationale: LocalText | None = None


class Section(_Strict):
    """One page of questions; in the adoption questionnaire, one dimension."""

    id: Id
    title: LocalText
    intro: LocalText | None = None
    questions: list[Question] = Field(min_length=1)
    #: Adoption only: 1 to 3, how much the dimension counts when gaps are ranked.
    weight: int | None = Field(default=None, ge=1, le=3, strict=True)
    #: Adoption only: the level each candidate model needs in this dimension.
    targets: dict[Id, Level] | None = None
    #: Adoption only: for each level question, one step for each of 1->2, 2->3, 3->4 and 4->5.
    recommendations: list[Recommendation] | None = None

    def recommendation(self, question_id: str, from_level: int) -> Recommendation | None:
        """The step that moves question ``question_id`` from ``from_level`` to the next level."""
        return next(
            (
                r
                for r in self.recommendations or []
                if r.question == question_id and r.from_level == from_level
            ),
            None,
        )


class CandidateModel(_Strict):
    """A way of managing the people the body serves (model-fit only)."""

    id: Id
    name: LocalText
    summary: LocalText


class LevelName(_Strict):
    """The name and short meaning of a maturity level (adoption only)."""

    name: LocalText
    summary: LocalText


Kind = Literal["definition", "model-fit", "adoption", "perception"]


class CarryOver(_Strict):
    """How answers to earlier versions' questions carry over to this version's (the next
    assessment pre-fills from the last one). One question renamed or split: ``from`` one id,
    ``to`` one or more; merged: ``from`` several ids, which cannot carry over and are listed for
    the person to answer. A question whose id persists needs no entry."""

    from_: list[Id] = Field(alias="from", min_length=1)
    to: list[Id] = Field(min_length=1)
    #: Why, for the people answering and for the change log.
    note: LocalText | None = None


class Questionnaire(_Strict):
    """A whole questionnaire file."""

    id: Id
    version: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z.+-]+$")]
    kind: Kind
    title: LocalText
    description: LocalText | None = None
    sections: list[Section] = Field(min_length=1)
    #: Model-fit only: the candidate models.
    models: list[CandidateModel] | None = None
    #: Adoption only: names of maturity levels 1 to 5.
    levels: dict[Level, LevelName] | None = None
    #: Perception only: the agreement scale, 1 (strongly disagree) to 5 (strongly agree).
    scale: dict[Level, LocalText] | None = None
    #: Renamed, split or merged questions since earlier versions (see :class:`CarryOver`).
    carry_over: list[CarryOver] | None = None

    def carried_to(self, old_question_id: str) -> tuple[list[str], int] | None:
        """Where an earlier version's question carries to under :attr:`carry_over`: the new ids
        and how many old questions share the entry (more than 1: merged); None without one."""
        for entry in self.carry_over or ():
            if old_question_id in entry.from_:
                return list(entry.to), len(entry.from_)
        return None

    def questions(self) -> Iterator[tuple[Section, Question]]:
        """Every question in order, with its section."""
        for section in self.sections:
            for question in section.questions:
                yield section, question

    def question(self, question_id: str) -> Question:
        """The question ``question_id``; KeyError if there is none."""
        for _section, question in self.questions():
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def section(self, section_id: str) -> Section:
        """The section ``section_id``; KeyError if there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def statements(self) -> list[StatementQuestion]:
        """The statements, in file order (perception only)."""
        return [q for _s, q in self.questions() if isinstance(q, StatementQuestion)]

    @property
    def model_ids(self) -> list[str]:
        """The candidate models' ids, in file order (model-fit only)."""
        return [m.id for m in self.models or []]
