"""Where a person picks up their work: their organisations, each open assessment with its progress,
and the one next step that "Continue" leads to.

The next step is the next question still to answer, counting on from where the person last was
(so a question they skipped earlier does not pull them back each time), then from the start. The
steps run in the order a body works: the definition's questions, the model-fit questions, the
choice of model, the adoption questions. When nothing is left, the next step is the results: never
a questionnaire's "check your answers" page, which only ever confirms what is already done.
"""

from __future__ import annotations

from dataclasses import dataclass

from assess.models import Assessment, Membership
from assess.models.accounts import User
from assess.permissions import role_allows
from assess.questionnaire.answers import Answer
from assess.questionnaire.progress import count_progress, is_done
from assess.questionnaire.schema import Questionnaire
from assess.questionnaire.validation import visible_questions
from assess.services import assessments, organisations

#: The step that stands for choosing a model, between the model-fit and adoption questions.
CHOICE = "choice"
#: The step that stands for the results, once nothing is left to answer.
RESULTS = "results"


@dataclass(frozen=True)
class NextStep:
    """Where "Continue" (or "Start") leads: a question on its section page, the model choice, or
    the results when everything is answered."""

    #: "question", "choice" or "results".
    kind: str
    questionnaire_id: str | None = None
    section_id: str | None = None
    question_id: str | None = None


@dataclass(frozen=True)
class QuestionnaireProgress:
    """One questionnaire of an assessment: its answered and visible questions."""

    questionnaire: Questionnaire
    answered: int
    total: int

    @property
    def status(self) -> str:
        """not_started, in_progress or completed."""
        if self.total and self.answered == self.total:
            return "completed"
        return "in_progress" if self.answered else "not_started"


@dataclass(frozen=True)
class Standing:
    """An assessment as its start-page entry shows it."""

    assessment: Assessment
    questionnaires: tuple[QuestionnaireProgress, ...]
    #: Whether anyone has answered anything or chosen a model yet ("Start" rather than "Continue").
    started: bool
    next: NextStep

    @property
    def answered(self) -> int:
        """Questions done over the three questionnaires."""
        return sum(q.answered for q in self.questionnaires)

    @property
    def total(self) -> int:
        """Questions shown over the three questionnaires (more may appear with some answers)."""
        return sum(q.total for q in self.questionnaires)


@dataclass(frozen=True)
class OrganisationWork:
    """One of the person's organisations, with its open (draft) assessments."""

    membership: Membership
    open: tuple[Standing, ...]
    #: How many of its assessments are finalised or replaced.
    closed: int


def _slots(
    assessment: Assessment, answers: dict[str, dict[str, Answer]]
) -> list[tuple[NextStep, bool]]:
    """Every step in working order, with whether it is done."""
    qset = assessments.questionnaires_of(assessment)
    slots: list[tuple[NextStep, bool]] = []

    def add(questionnaire: Questionnaire) -> None:
        given = answers[questionnaire.id]
        visible = visible_questions(questionnaire, given)
        for section, question in questionnaire.questions():
            if question.id in visible:
                step = NextStep("question", questionnaire.id, section.id, question.id)
                slots.append((step, is_done(given.get(question.id))))

    add(qset.definition)
    add(qset.model_fit)
    slots.append((NextStep(CHOICE), bool(assessment.chosen_models)))
    add(qset.adoption)
    return slots


def _start_index(slots: list[tuple[NextStep, bool]], last: tuple[str, str | None] | None) -> int:
    """The position of the first slot of the page where the person last was (0 when unknown or
    when they were on the results)."""
    if last is None:
        return 0
    step, section_id = last
    if step == CHOICE:
        return next(i for i, (slot, _done) in enumerate(slots) if slot.kind == CHOICE)
    positions = [i for i, (slot, _done) in enumerate(slots) if slot.questionnaire_id == step]
    if not positions:
        return 0
    if section_id is None:  # the questionnaire's check page: carry on after its last question
        return positions[-1] + 1
    for i in positions:
        if slots[i][0].section_id == section_id:
            return i
    return positions[0]


def next_step(
    assessment: Assessment,
    user: User | None = None,
    *,
    answers: dict[str, dict[str, Answer]] | None = None,
) -> NextStep:
    """The next thing to do in ``assessment``: the first step not done from where ``user`` last
    was, else the first not done from the start, else the results."""
    if answers is None:
        qset = assessments.questionnaires_of(assessment)
        answers = {q.id: assessments.answers(assessment, q.id) for q in qset}
    slots = _slots(assessment, answers)
    last = assessments.resume_point(user, assessment) if user is not None else None
    start = _start_index(slots, last)
    for slot, done in slots[start:] + slots[:start]:
        if not done:
            return slot
    return NextStep(RESULTS)


def standing(assessment: Assessment, user: User | None = None) -> Standing:
    """``assessment``'s progress per questionnaire and its next step for ``user``."""
    qset = assessments.questionnaires_of(assessment)
    answers = {q.id: assessments.answers(assessment, q.id) for q in qset}
    progress = []
    for questionnaire in qset:
        given = answers[questionnaire.id]
        answered, total = count_progress(
            questionnaire, given, visible_questions(questionnaire, given)
        )
        progress.append(QuestionnaireProgress(questionnaire, answered, total))
    started = any(answers.values()) or bool(assessment.chosen_models)
    return Standing(
        assessment=assessment,
        questionnaires=tuple(progress),
        started=started,
        next=next_step(assessment, user, answers=answers),
    )


def start_page(user: User) -> list[OrganisationWork]:
    """The person's organisations (those in use), each with its open assessments, newest first.

    Assessments are listed only where the person's role may see them."""
    work = []
    for membership in organisations.memberships_of(user.id):
        organisation = membership.organisation
        if not organisation.is_available:
            work.append(OrganisationWork(membership, (), 0))
            continue
        found = (
            assessments.for_organisation(organisation.id)
            if role_allows(membership.role, "assessment.view")
            else []
        )
        drafts = tuple(standing(a, user) for a in found if a.is_draft)
        work.append(OrganisationWork(membership, drafts, len(found) - len(drafts)))
    return work
