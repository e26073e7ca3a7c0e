"""What installing a questionnaire pack would change: each questionnaire of the pack against the
version in use (the same pack's latest installed version, else the instance's own questionnaires),
question by question, and which answers carry over to it (:mod:`assess.services.next_assessment`
decides). The operator's pack page shows it before installing; ``assess pack check`` prints it
(:func:`describe`).
"""

from __future__ import annotations

from dataclasses import dataclass

from assess.models import QuestionnairePack
from assess.questionnaire.loader import QuestionnaireSet
from assess.questionnaire.schema import (
    LevelQuestion,
    LocalText,
    MultipleQuestion,
    Question,
    Questionnaire,
    SingleQuestion,
)
from assess.questionnaire.validation import Message
from assess.services import next_assessment as carrying
from assess.services.packs import (
    PackCheck,
    instance_questionnaires,
    pack_questionnaires,
    previous_installed,
)


@dataclass(frozen=True)
class QuestionChange:
    """A question in both versions, and what changed in it (Messages)."""

    question_id: str
    text: LocalText
    changes: list[Message]
    #: Why its answers do not carry over to the new version (None: they do).
    not_carried: Message | None


@dataclass(frozen=True)
class RemovedQuestion:
    """A question of the installed version that the new one does not have by that id."""

    question_id: str
    text: LocalText
    #: The new version's questions its answers carry to (through ``carry_over``); empty: none.
    carried_to: list[str]
    #: Why its answers do not carry over (None: they do, to ``carried_to``).
    not_carried: Message | None


@dataclass(frozen=True)
class QuestionnaireDiff:
    """One questionnaire, installed version against the pack's."""

    kind: str
    questionnaire_id: str
    old_version: str | None
    new_version: str
    title: LocalText
    added: list[tuple[str, LocalText]]
    removed: list[RemovedQuestion]
    changed: list[QuestionChange]
    #: Sections by id: added and removed.
    added_sections: list[str]
    removed_sections: list[str]
    #: Old questions whose answers carry to the new version, and how many old questions there are.
    carried: int
    total: int

    @property
    def unchanged(self) -> bool:
        return (
            not (self.added or self.removed or self.changed or self.added_sections)
            and not self.removed_sections
        )


@dataclass(frozen=True)
class PackDiff:
    """The pack against what is installed: the same pack's latest version, or the instance's."""

    against: QuestionnairePack | None
    questionnaires: list[QuestionnaireDiff]


def _options(question: Question) -> dict[str, LocalText]:
    if isinstance(question, SingleQuestion | MultipleQuestion):
        return {o.id: o.label for o in question.options}
    return {}


def _reason(reason: str | None) -> Message | None:
    return {
        None: None,
        carrying.GONE: Message("the question is gone and no mapping carries its answers"),
        carrying.TYPE_CHANGED: Message("its type changed, so answers are asked again"),
        carrying.OPTIONS_CHANGED: Message("its options changed, so answers are asked again"),
        carrying.CRITERIA_CHANGED: Message("its criteria changed, so the level is asked again"),
        carrying.MERGED: Message("it was merged with other questions, so it is asked again"),
    }[reason]


def _question_changes(old: Question, new: Question) -> list[Message]:
    changes: list[Message] = []
    if old.text != new.text:
        changes.append(Message("The question's text changed."))
    if old.type != new.type:
        changes.append(
            Message("Its type changed from %(old)s to %(new)s.", old=old.type, new=new.type)
        )
    old_options, new_options = _options(old), _options(new)
    for option in new_options.keys() - old_options.keys():
        changes.append(Message("Option %(id)s was added.", id=option))
    for option in old_options.keys() - new_options.keys():
        changes.append(Message("Option %(id)s was removed.", id=option))
    for option in old_options.keys() & new_options.keys():
        if old_options[option] != new_options[option]:
            changes.append(Message("Option %(id)s has new wording.", id=option))
    if isinstance(old, LevelQuestion) and isinstance(new, LevelQuestion):
        for level in range(1, 6):
            if old.levels.get(level) != new.levels.get(level):
                changes.append(Message("Level %(level)d has a new description.", level=level))
        for level in range(3, 6):
            if old.criteria_for(level) != new.criteria_for(level):
                changes.append(Message("The criteria of level %(level)d changed.", level=level))
    if old.guidance != new.guidance:
        changes.append(Message("The guidance changed."))
    if old.show_if != new.show_if:
        changes.append(Message("When it is asked changed."))
    return changes


def _find(questionnaire: Questionnaire, question_id: str) -> Question | None:
    try:
        return questionnaire.question(question_id)
    except KeyError:
        return None


def diff_questionnaire(old: Questionnaire | None, new: Questionnaire) -> QuestionnaireDiff:
    """What ``new`` adds, removes and changes against ``old``, and which answers carry over."""
    old_questions = {q.id: q for _s, q in old.questions()} if old else {}
    new_questions = {q.id: q for _s, q in new.questions()}
    added = [(qid, q.text) for qid, q in new_questions.items() if qid not in old_questions]
    removed: list[RemovedQuestion] = []
    changed: list[QuestionChange] = []
    carried = 0
    for qid, question in old_questions.items():
        assert old is not None
        targets, reason = carrying._targets(old, new, qid)
        if reason is None:
            reasons = [carrying.carries(question, _find(new, t)) for t in targets]
            reason = next((r for r in reasons if r), None)
        if reason is None:
            carried += 1
        if qid in new_questions:
            changes = _question_changes(question, new_questions[qid])
            if changes:
                changed.append(QuestionChange(qid, question.text, changes, _reason(reason)))
        else:
            removed.append(
                RemovedQuestion(
                    qid,
                    question.text,
                    [t for t in targets if t != qid] if reason is None else [],
                    _reason(reason),
                )
            )
    old_sections = [s.id for s in old.sections] if old else []
    new_sections = [s.id for s in new.sections]
    return QuestionnaireDiff(
        kind=new.kind,
        questionnaire_id=new.id,
        old_version=old.version if old else None,
        new_version=new.version,
        title=new.title,
        added=added,
        removed=removed,
        changed=changed,
        added_sections=[s for s in new_sections if s not in old_sections],
        removed_sections=[s for s in old_sections if s not in new_sections],
        carried=carried,
        total=len(old_questions),
    )


def diff(qset: QuestionnaireSet, pack_id: str, before: QuestionnairePack | None = None) -> PackDiff:
    """The pack's questionnaires against the installed version: the latest installed version of
    the same pack, else the instance's own questionnaires."""
    against = previous_installed(pack_id, before)
    old = pack_questionnaires(against) if against is not None else instance_questionnaires()
    by_kind = {q.kind: q for q in (old.every if old else ())}
    return PackDiff(
        against=against,
        questionnaires=[diff_questionnaire(by_kind.get(q.kind), q) for q in qset.every],
    )


def describe(result: PackCheck, changes: PackDiff) -> str:
    """The pack and its diff as plain text, for the command line."""
    assert result.manifest is not None
    manifest = result.manifest
    lines = [f"Pack {manifest.id} {manifest.version}: {manifest.title.get('en')}"]
    if changes.against is not None:
        lines.append(f"Compared with the installed version {changes.against.version}.")
    else:
        lines.append("Compared with the instance's own questionnaires.")
    for q in changes.questionnaires:
        old = q.old_version or "none"
        lines.append(
            f"{result.files.get(q.questionnaire_id, q.questionnaire_id)}: "
            f"{q.kind} {old} -> {q.new_version}"
        )
        if q.unchanged:
            lines.append("  no questions changed")
            continue
        if q.total:
            lines.append(f"  answers that carry over: {q.carried} of {q.total}")
        for section in q.added_sections:
            lines.append(f"  + section {section}")
        for section in q.removed_sections:
            lines.append(f"  - section {section}")
        for qid, text in q.added:
            lines.append(f"  + {qid}: {text.get('en')}")
        for removed in q.removed:
            carry = (
                f"does not carry over: {removed.not_carried}"
                if removed.not_carried
                else f"carries over to {', '.join(removed.carried_to)}"
            )
            lines.append(f"  - {removed.question_id}: {removed.text.get('en')} ({carry})")
        for change in q.changed:
            lines.append(f"  ~ {change.question_id}: {'; '.join(change.changes)}")
            if change.not_carried:
                lines.append(f"    does not carry over: {change.not_carried}")
    return "\n".join(lines)
