"""What the definition questionnaire shows, and where it contradicts the adoption answers.

Two pure readings of answers the body already gave (method 2.0, "Use what is already asked"):

* :func:`summarise_definition`: each choice question of the definition questionnaire with the
  answer given, in plain words, for the results page and the report;
* :func:`find_contradictions`: pairs of answers that cannot both be true, such as "a named senior
  manager answers for stakeholder management" in the definition questionnaire and "nobody is named
  as responsible" (level 1) in the adoption questionnaire. Each rule is written out in
  ``docs/methodology.md`` ("Contradictions between the questionnaires").

A contradiction changes no figure: it is shown so that the body, or its auditor, can check which
answer is right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assess.questionnaire.answers import Answer
from assess.questionnaire.schema import (
    LevelQuestion,
    MultipleQuestion,
    Questionnaire,
    RegisterQuestion,
    SingleQuestion,
)
from assess.questionnaire.validation import Message, visible_questions
from assess.scoring._common import ANSWERED, Result, classify


@dataclass(frozen=True)
class Rule:
    """Two answers that cannot both be true.

    The definition answer is one of ``options`` of ``definition_question``; the adoption answer is
    a level between ``lowest`` and ``highest`` of ``adoption_question``.
    """

    id: str
    definition_question: str
    options: tuple[str, ...]
    adoption_question: str
    lowest: int
    highest: int
    #: Why the two cannot both hold, in plain English (the report and the method print it).
    text: str


#: The rules, in the order the report lists them. Each pairs a definition answer with the
#: adoption levels that describe the opposite practice (see the level texts in adoption.yaml).
RULES: tuple[Rule, ...] = (
    Rule(
        "written-statement-but-no-definition",
        "def-written",
        ("yes-corporate",),
        "strat-definition",
        1,
        2,
        Message(
            "One agreed statement of who the stakeholders are is said to cover the whole "
            "organisation, yet the adoption answer says there is no single written definition."
        ),
    ),
    Rule(
        "no-statement-but-agreed-definition",
        "def-written",
        ("no",),
        "strat-definition",
        3,
        5,
        Message(
            "No written statement of who the stakeholders are is said to exist, yet the adoption "
            "answer describes an agreed, published definition."
        ),
    ),
    Rule(
        "senior-owner-but-nobody-accountable",
        "def-owner",
        ("senior-named",),
        "lead-accountability",
        1,
        1,
        Message(
            "A named senior manager is said to answer for stakeholder management, yet the adoption "
            "answer says nobody is named as responsible."
        ),
    ),
    Rule(
        "nobody-owns-but-accountability-written",
        "def-owner",
        ("each-service", "nobody"),
        "lead-accountability",
        3,
        5,
        Message(
            "No one is said to look across the organisation, yet the adoption answer names an "
            "accountable director written into their job description."
        ),
    ),
    Rule(
        "corporate-segments-but-none-shared",
        "def-segmentation",
        ("yes-corporate",),
        "map-segmentation",
        1,
        2,
        Message(
            "One agreed set of groups is said to be used across the organisation, yet the adoption "
            "answer says groupings are not shared, or that people are treated as one population."
        ),
    ),
    Rule(
        "no-segments-but-corporate-set",
        "def-segmentation",
        ("no",),
        "map-segmentation",
        3,
        5,
        Message(
            "The same service is said to be offered to everyone, yet the adoption answer describes "
            "an agreed corporate set of segments."
        ),
    ),
    Rule(
        "published-priority-but-case-by-case",
        "def-priority",
        ("overt-need",),
        "fair-prioritisation",
        1,
        2,
        Message(
            "Priority is said to follow published, need-based rules, yet the adoption answer says "
            "priorities are set case by case or that the rules are not published."
        ),
    ),
    Rule(
        "priority-by-pressure-but-written-criteria",
        "def-priority",
        ("staff-judgement", "pressure"),
        "fair-prioritisation",
        3,
        5,
        Message(
            "Priority is said to go by staff judgement or to those who press hardest, yet the "
            "adoption answer describes written, published, need-based criteria in every service."
        ),
    ),
    Rule(
        "lobbies-recorded-but-no-record",
        "def-lobbies",
        ("planned",),
        "org-contact-record",
        1,
        1,
        Message(
            "The lobbies and pressure groups are said to be listed with their contacts recorded, "
            "yet the adoption answer says no record of contacts is kept."
        ),
    ),
    Rule(
        "lobbies-rule-but-no-policy",
        "def-lobbies",
        ("planned",),
        "org-policy",
        1,
        1,
        Message(
            "A stated rule for weighing the views of lobbies is said to exist, yet the adoption "
            "answer says there is no policy on dealing with organised interests."
        ),
    ),
    Rule(
        "media-planned-but-handled-ad-hoc",
        "def-media",
        ("planned",),
        "org-media",
        1,
        1,
        Message(
            "Media work is said to be planned alongside major decisions, yet the adoption answer "
            "says media enquiries are answered by whoever picks them up."
        ),
    ),
    Rule(
        "media-ad-hoc-but-written-protocol",
        "def-media",
        ("ad-hoc",),
        "org-media",
        3,
        5,
        Message(
            "Media enquiries are said to be answered by whoever is available, yet the adoption "
            "answer describes a written media protocol."
        ),
    ),
)


#: The register rule: a register filled in here, with the adoption answer that there is none.
REGISTER_RULE = Rule(
    "register-listed-but-none-kept",
    "register",
    (),
    "map-register",
    1,
    1,
    Message(
        "The stakeholder register in this assessment rates groups, yet the adoption answer says "
        "the organisation keeps no register: check whether this list is kept and used anywhere."
    ),
)


@dataclass(frozen=True)
class Contradiction(Result):
    """Two answers that cannot both be true: which, and why."""

    rule_id: str
    definition_question_id: str
    #: The option(s) chosen in the definition questionnaire that the rule matched (for the
    #: register rule: the number of rated groups, as text).
    definition_options: tuple[str, ...]
    adoption_question_id: str
    adoption_level: int
    text: str


@dataclass(frozen=True)
class DefinitionItem(Result):
    """One choice question of the definition questionnaire and what was answered."""

    question_id: str
    question: str
    #: answered, not_applicable, dont_know, unanswered or hidden.
    status: str
    #: The chosen options' ids and labels, in questionnaire order (empty unless answered).
    option_ids: tuple[str, ...]
    answer: tuple[str, ...]


def _chosen(answer: Answer) -> tuple[str, ...]:
    value = answer.value
    return tuple(str(v) for v in value) if isinstance(value, tuple) else (str(value),)


def summarise_definition(
    definition: Questionnaire, answers: Mapping[str, Answer], locale: str = "en"
) -> tuple[DefinitionItem, ...]:
    """Every single- and multiple-choice question of ``definition`` with its answer, in order."""
    visible = visible_questions(definition, answers)
    items = []
    for _section, question in definition.questions():
        if not isinstance(question, SingleQuestion | MultipleQuestion):
            continue
        answer = answers.get(question.id)
        status = classify(answer) if question.id in visible else "hidden"
        ids: tuple[str, ...] = ()
        labels: tuple[str, ...] = ()
        if status == ANSWERED:
            assert answer is not None
            chosen = set(_chosen(answer))
            ids = tuple(o.id for o in question.options if o.id in chosen)
            labels = tuple(o.label.get(locale) for o in question.options if o.id in chosen)
        items.append(DefinitionItem(question.id, question.text.get(locale), status, ids, labels))
    return tuple(items)


def find_contradictions(
    definition: Questionnaire,
    definition_answers: Mapping[str, Answer],
    adoption: Questionnaire,
    adoption_answers: Mapping[str, Answer],
    rules: tuple[Rule, ...] = (REGISTER_RULE, *RULES),
) -> tuple[Contradiction, ...]:
    """Every rule whose two answers are both given, shown and in the contradicting range.

    A rule whose questions are not in these questionnaire versions is skipped.
    """
    shown_definition = visible_questions(definition, definition_answers)
    shown_adoption = visible_questions(adoption, adoption_answers)
    found = []
    for rule in rules:
        try:
            left = definition.question(rule.definition_question)
            right = adoption.question(rule.adoption_question)
        except KeyError:
            continue
        if not isinstance(right, LevelQuestion):
            continue
        if left.id not in shown_definition or right.id not in shown_adoption:
            continue
        given, level = definition_answers.get(left.id), adoption_answers.get(right.id)
        if classify(given) != ANSWERED or classify(level) != ANSWERED:
            continue
        assert given is not None and level is not None
        if isinstance(left, RegisterQuestion):
            rated = [r for r in given.value or () if getattr(r, "power", None) is not None]
            matched = (str(len(rated)),) if rated else ()
        elif isinstance(left, SingleQuestion | MultipleQuestion):
            matched = tuple(o for o in _chosen(given) if o in rule.options)
        else:
            continue
        adoption_level = int(level.value)  # type: ignore[arg-type]
        if matched and rule.lowest <= adoption_level <= rule.highest:
            found.append(
                Contradiction(rule.id, left.id, matched, right.id, adoption_level, rule.text)
            )
    return tuple(found)
