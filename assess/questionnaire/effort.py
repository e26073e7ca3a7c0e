"""How long a questionnaire takes, worked out from what a person reads and answers.

Pure: it reads a questionnaire, never the database. The estimate is deliberately simple, so that a
page can say how it was made:

* **reading**: every word a respondent reads (the questionnaire's and sections' introductions,
  question text and guidance, options, level descriptions, quality criteria, register groups and
  their rating help) at :data:`READING_WORDS_PER_MINUTE`;
* **deciding**: :data:`SECONDS_PER_ANSWER` for each answer given (a register counts one answer per
  group and rating), plus :data:`SECONDS_PER_EVIDENCE_NOTE` for each level question, whose answer
  asks for the evidence relied on.

Questions shown only after some answers count too: the estimate is for the longest route.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assess.questionnaire.schema import (
    LevelQuestion,
    LocalText,
    MultipleQuestion,
    Question,
    Questionnaire,
    RegisterQuestion,
    SingleQuestion,
)

#: A careful reading speed for instructions one acts on (ordinary prose is read faster).
READING_WORDS_PER_MINUTE = 200
#: Time to decide one answer once it has been read.
SECONDS_PER_ANSWER = 20
#: Time to note the evidence behind a maturity level.
SECONDS_PER_EVIDENCE_NOTE = 30

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


@dataclass(frozen=True)
class Effort:
    """The estimate and the figures it was made from."""

    words: int
    questions: int
    answers: int
    evidence_notes: int

    @property
    def reading_minutes(self) -> float:
        """Minutes to read every word once."""
        return self.words / READING_WORDS_PER_MINUTE

    @property
    def deciding_minutes(self) -> float:
        """Minutes to decide the answers and note the evidence."""
        return (
            self.answers * SECONDS_PER_ANSWER + self.evidence_notes * SECONDS_PER_EVIDENCE_NOTE
        ) / 60

    @property
    def minutes(self) -> int:
        """The whole estimate, rounded up to the next 5 minutes (never less than 5)."""
        return max(5, 5 * math.ceil((self.reading_minutes + self.deciding_minutes) / 5))


def _count(text: LocalText | None, locale: str) -> int:
    return len(_WORD.findall(text.get(locale))) if text is not None else 0


def _texts(question: Question) -> Iterator[LocalText | None]:
    yield question.text
    yield question.guidance
    if isinstance(question, SingleQuestion | MultipleQuestion):
        yield from (option.label for option in question.options)
    if isinstance(question, LevelQuestion):
        yield from question.levels.values()
        # The records that show levels 3 to 5 (read before choosing one of those levels).
        for records in (question.criteria or {}).values():
            yield from records
    if isinstance(question, RegisterQuestion):
        for segment in question.segments:
            yield segment.label
            yield segment.description
        for attribute in question.attributes:
            yield attribute.label
            yield attribute.help
            yield from (option.label for option in attribute.options)


def estimate(questionnaire: Questionnaire, locale: str = "en") -> Effort:
    """How much there is to read and answer in ``questionnaire`` (every question counted)."""
    words = _count(questionnaire.description, locale)
    questions = answers = notes = 0
    for section in questionnaire.sections:
        words += _count(section.title, locale) + _count(section.intro, locale)
        for question in section.questions:
            questions += 1
            words += sum(_count(text, locale) for text in _texts(question))
            if isinstance(question, RegisterQuestion):
                answers += len(question.segments) * len(question.attributes)
            else:
                answers += 1
            if isinstance(question, LevelQuestion):
                notes += 1
    return Effort(words=words, questions=questions, answers=answers, evidence_notes=notes)
