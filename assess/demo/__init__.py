"""The demo organisation: Demo Borough Council, its fully answered assessment, and last year's.

The answers, the people and the story are data, in ``demo.yaml`` beside this module (the story is
at its top, and in ``docs/demo.md``). This module reads that file and creates everything through
the services, exactly as people using the web pages would: the accounts, the organisation and
its members, an assessment on the current questionnaires, each person's answers saved page by
page under their own name, and the model the body chose. Then last year's assessment: the same
answers but for a few that were lower, finalised with its stored report, and the action plan
agreed from it with actions in every status (see "Last year" in ``demo.yaml``).
``assess demo`` calls :func:`create`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.exc import IntegrityError

from assess import db
from assess.models import Assessment, Organisation, Survey, User
from assess.questionnaire.answers import Answer, CriterionCheck, RegisterRow, Status
from assess.questionnaire.loader import QuestionnaireSet
from assess.questionnaire.validation import Message
from assess.services import (
    ServiceError,
    accounts,
    action_plan,
    assessments,
    benchmark,
    finalising,
    organisations,
    surveys,
)
from assess.services.assessments import Submission
from assess.services.organisations import Details

#: The demo's data file.
DATA_FILE = Path(__file__).with_name("demo.yaml")


@dataclass(frozen=True)
class Person:
    """A demo account and the role it has in the demo organisation."""

    key: str
    name: str
    email: str
    role: str
    job: str


@dataclass(frozen=True)
class DemoAnswer:
    """One stored answer of the demo, with who gave it (and who gave it first, if revised)."""

    questionnaire_id: str
    by: str
    answer: Answer
    earlier_by: str | None = None
    earlier: Answer | None = None


@dataclass(frozen=True)
class Choice:
    """The model or blend the body chose, who recorded it and why."""

    by: str
    models: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class SurveyResponseData:
    """One demo survey response: the group, each statement's answer, and how it came in."""

    group: str
    #: One character per statement in the questionnaire's order: 1-5, or x for "don't know".
    answers: str
    comment: str = ""
    paper: bool = False
    twice: bool = False


@dataclass(frozen=True)
class SurveyData:
    """The closed perception survey of the demo (method 2.1)."""

    title: str
    opened_by: str
    entered_by: str
    threshold: int
    days: int
    groups: tuple[str, ...]
    responses: tuple[SurveyResponseData, ...]


@dataclass(frozen=True)
class PlannedAction:
    """An action of last year's plan: a recommended step adopted (or the council's own, with a
    ``title``), then worked on."""

    practice: str
    status: str
    due_in_days: int
    owner: str | None = None
    owner_role: str | None = None
    title: str | None = None
    done_when: str | None = None
    evidence: str = ""
    reference: str = ""
    dropped_reason: str = ""


@dataclass(frozen=True)
class LastYear:
    """Last year's assessment: its title, who finalised it, the answers that differed, its plan."""

    title: str
    finalised_by: str
    answers: tuple[DemoAnswer, ...]
    plan: tuple[PlannedAction, ...]


@dataclass(frozen=True)
class Peer:
    """A fictional peer organisation and the level of each of its practices, by area."""

    name: str
    sector: str
    size_band: str
    #: Area id -> the levels of its practices, in the questionnaire's order.
    levels: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class Peers:
    """The peer organisations and the one account that is the admin of all of them."""

    account_name: str
    account_email: str
    organisations: tuple[Peer, ...]


@dataclass(frozen=True)
class DemoData:
    """Everything ``demo.yaml`` describes."""

    details: Details
    password: str
    people: tuple[Person, ...]
    title: str
    started_by: str
    answers: tuple[DemoAnswer, ...]
    choice: Choice
    survey: SurveyData | None = field(default=None)
    last_year: LastYear | None = field(default=None)
    peers: Peers | None = field(default=None)

    def person(self, key: str) -> Person:
        """The person whose key is ``key``."""
        return next(p for p in self.people if p.key == key)

    def answers_of(self, questionnaire_id: str) -> dict[str, Answer]:
        """The final answers of one questionnaire, by question id."""
        return {
            a.answer.question_id: a.answer
            for a in self.answers
            if a.questionnaire_id == questionnaire_id
        }


@dataclass(frozen=True)
class Created:
    """What :func:`create` made."""

    organisation: Organisation
    assessment: Assessment
    users: dict[str, User]
    survey: Survey | None = None
    #: Last year's finalised assessment (None with ``history=False``).
    last_year: Assessment | None = None
    #: The peer organisations (empty with ``history=False``).
    peers: tuple[Organisation, ...] = ()


def _value(question_id: str, raw: Any) -> Any:
    if question_id == "register":
        return tuple(RegisterRow(**row) for row in raw)
    if isinstance(raw, list):
        return tuple(raw)
    return raw


def _criteria(raw: dict[str, Any]) -> tuple[CriterionCheck, ...]:
    """``criteria: {"3.1": {met: true, reference: "..."}}`` as confirmations, in order."""
    checks = []
    for key, given in (raw.get("criteria") or {}).items():
        level, number = (int(part) for part in str(key).split("."))
        checks.append(
            CriterionCheck(level, number, bool(given["met"]), given.get("reference", "").strip())
        )
    return tuple(sorted(checks, key=lambda c: (c.level, c.number)))


def _answer(question_id: str, raw: dict[str, Any]) -> Answer:
    status = Status(raw.get("status", Status.ANSWERED.value))
    value = _value(question_id, raw["value"]) if "value" in raw else None
    return Answer(
        question_id,
        status=status,
        value=value,
        note=raw.get("note", "").strip(),
        criteria=_criteria(raw),
    )


def _answers(raw: dict[str, Any]) -> list[DemoAnswer]:
    answers: list[DemoAnswer] = []
    for questionnaire_id, questions in raw.items():
        for question_id, raw in questions.items():
            earlier = raw.get("earlier")
            answers.append(
                DemoAnswer(
                    questionnaire_id=questionnaire_id,
                    by=raw["by"],
                    answer=_answer(question_id, raw),
                    earlier_by=earlier["by"] if earlier else None,
                    earlier=_answer(question_id, earlier) if earlier else None,
                )
            )
    return answers


def _text(raw: str | None) -> str:
    return " ".join((raw or "").split())


def _last_year(raw: dict[str, Any] | None) -> LastYear | None:
    if not raw:
        return None
    return LastYear(
        title=raw["title"],
        finalised_by=raw["finalised_by"],
        answers=tuple(_answers(raw.get("answers") or {})),
        plan=tuple(
            PlannedAction(
                practice=item["practice"],
                status=item["status"],
                due_in_days=int(item["due_in_days"]),
                owner=item.get("owner"),
                owner_role=item.get("owner_role"),
                title=item.get("title"),
                done_when=_text(item.get("done_when")) or None,
                evidence=_text(item.get("evidence")),
                reference=_text(item.get("reference")),
                dropped_reason=_text(item.get("dropped_reason")),
            )
            for item in raw.get("plan") or []
        ),
    )


def load(path: Path = DATA_FILE) -> DemoData:
    """Read the demo's data file (no database needed)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    answers = _answers(data["answers"])
    choice = data["choice"]
    survey = data.get("survey")
    return DemoData(
        details=Details(**data["organisation"]),
        password=data["password"],
        people=tuple(Person(**p) for p in data["people"]),
        title=data["assessment"]["title"],
        started_by=data["assessment"]["started_by"],
        answers=tuple(answers),
        choice=Choice(
            by=choice["by"],
            models=tuple(choice["models"]),
            reason=" ".join(choice["reason"].split()),
        ),
        survey=_survey_data(survey) if survey else None,
        last_year=_last_year(data.get("last_year")),
        peers=_peers(data.get("peers")),
    )


def _peers(raw: dict[str, Any] | None) -> Peers | None:
    if not raw:
        return None
    return Peers(
        account_name=raw["account"]["name"],
        account_email=raw["account"]["email"],
        organisations=tuple(
            Peer(
                name=item["name"],
                sector=item["sector"],
                size_band=str(item["size_band"]),
                levels={area: tuple(int(c) for c in str(v)) for area, v in item["levels"].items()},
            )
            for item in raw["organisations"]
        ),
    )


def _survey_data(raw: dict[str, Any]) -> SurveyData:
    return SurveyData(
        title=raw["title"],
        opened_by=raw["opened_by"],
        entered_by=raw["entered_by"],
        threshold=int(raw["threshold"]),
        days=int(raw["days"]),
        groups=tuple(raw["groups"]),
        responses=tuple(
            SurveyResponseData(group=group, **item)
            for group, items in raw["responses"].items()
            for item in items
        ),
    )


def _run_survey(
    data: SurveyData, assessment: Assessment, users: dict[str, User], qset: QuestionnaireSet
) -> Survey:
    """Open the survey, answer it as its respondents did (paper ones typed in), and close it."""
    today = surveys.today_for_organisation(assessment.organisation)
    survey = surveys.open_survey(
        assessment,
        users[data.opened_by],
        title=data.title,
        segment_ids=list(data.groups),
        opens_on=today - timedelta(days=data.days),
        closes_on=today,
        threshold=data.threshold,
        alert_per_hour=60,
        perception=qset.perception,
    )
    statements = [s.id for s in surveys.questionnaire(survey).statements()]
    groups = {g.segment_id: g for g in survey.groups}
    for item in data.responses:
        answers = {
            sid: ("dont_know" if mark == "x" else mark)
            for sid, mark in zip(statements, item.answers, strict=True)
        }
        surveys.submit(
            survey,
            groups[item.group],
            answers,
            " ".join(item.comment.split()),
            source="paper" if item.paper else "online",
            seen_before=item.twice,
            entered_by=users[data.entered_by] if item.paper else None,
        )
    surveys.close(survey, users[data.opened_by])
    return survey


def existing(data: DemoData) -> Organisation | None:
    """The demo organisation, if it has already been created."""
    return next((o for o in organisations.all_organisations() if o.name == data.details.name), None)


def remove(data: DemoData) -> None:
    """Delete the demo organisation (with its assessments) and the demo accounts, if they exist.

    A demo organisation with finalised reports (last year's) cannot be deleted: it is retired
    instead (renamed, suspended, without members), and its reports stay verifiable."""
    # The peers go too (retired, as their reports are kept), so that the new demo's council and
    # peers make a release that differs from the old one in every organisation (section 14 of the
    # methodology would hold back one that differed in only the council).
    peer_names = {p.name for p in data.peers.organisations} if data.peers else set()
    for peer in organisations.all_organisations():
        if peer.name in peer_names:
            stamp = peer.created_at.strftime("%Y-%m-%d %H:%M")
            organisations.retire(peer, f"{peer.name} (replaced, created {stamp})")
    organisation = existing(data)
    if organisation is not None:
        if finalising.reports_of(organisation.id):
            # Finalised reports are never deleted: the old demo is kept, renamed and suspended.
            stamp = organisation.created_at.strftime("%Y-%m-%d %H:%M")
            organisations.retire(organisation, f"{organisation.name} (replaced, created {stamp})")
        else:
            organisations.delete(organisation)
    for person in data.people:
        user = accounts.user_by_email(person.email)
        if user is not None:
            try:
                accounts.delete_user(user)
            except IntegrityError:
                # Their answers in a retired demo's finalised assessment keep them: the account
                # stays, without a membership, and the new demo uses it again.
                db.session().rollback()


def _save(
    assessment: Assessment, user: User, questionnaire_id: str, page: dict[str, Submission]
) -> None:
    outcome = assessments.save_answers(assessment, user, questionnaire_id, page)
    if not outcome.ok:
        problems = {**outcome.errors, **{c.question_id: ["conflict"] for c in outcome.conflicts}}
        raise ServiceError(
            Message(
                "The demo's %(questionnaire)s answers were refused: %(problems)s",
                questionnaire=questionnaire_id,
                problems=str(problems),
            )
        )


def create(data: DemoData, qset: QuestionnaireSet, *, history: bool = True) -> Created:
    """Create the demo accounts, organisation, assessment, answers and choice via the services;
    with ``history``, last year's finalised assessment and its action plan too.

    Raises ServiceError when the demo organisation or one of its accounts already exists, or when
    a service refuses part of the data.
    """
    if existing(data) is not None:
        raise ServiceError("The demo organisation already exists.")
    users: dict[str, User] = {}
    for person in data.people:
        kept = accounts.user_by_email(person.email)
        if kept is not None and kept.name == person.name and not kept.memberships:
            users[person.key] = kept  # kept by a retired demo (see remove)
            continue
        users[person.key] = accounts.create_confirmed_account(
            person.name, person.email, data.password
        )

    admin = next(p for p in data.people if p.role == "admin")
    organisation = organisations.create(users[admin.key], data.details)
    if organisation.status != "active":  # registration waits for an operator's approval
        organisations.set_status(organisation, "active")
    for person in data.people:
        if person is not admin:
            organisations.add_member(organisation, users[person.key], person.role)

    assessment = assessments.start(organisation.id, users[data.started_by], data.title, qset)

    # Each person saves their own answers, one page per questionnaire, in the order the body
    # works through them; a revised answer is saved first as its first author gave it.
    revised = [a for a in data.answers if a.earlier is not None]
    for item in revised:
        assert item.earlier is not None and item.earlier_by is not None
        _save(
            assessment,
            users[item.earlier_by],
            item.questionnaire_id,
            {item.answer.question_id: Submission(item.earlier)},
        )
    pages: dict[tuple[str, str], dict[str, Submission]] = defaultdict(dict)
    for item in data.answers:
        base = 1 if item.earlier is not None else None
        pages[item.questionnaire_id, item.by][item.answer.question_id] = Submission(
            item.answer, base
        )
    for questionnaire_id in dict.fromkeys(a.questionnaire_id for a in data.answers):
        for person in data.people:
            page = pages.get((questionnaire_id, person.key))
            if page:
                _save(assessment, users[person.key], questionnaire_id, page)

    assessments.choose_models(
        assessment, users[data.choice.by], list(data.choice.models), data.choice.reason
    )
    survey = None
    if data.survey is not None and qset.perception is not None:
        survey = _run_survey(data.survey, assessment, users, qset)
    earlier = (
        _create_last_year(data, data.last_year, organisation, users, qset)
        if history and data.last_year is not None
        else None
    )
    peers: tuple[Organisation, ...] = ()
    if history and data.peers is not None:
        peers = _create_peers(data.peers, qset, data.password)
        benchmark.refresh()
    return Created(
        organisation=organisation,
        assessment=assessment,
        users=users,
        survey=survey,
        last_year=earlier,
        peers=peers,
    )


#: How long before the demo is loaded last year's assessment was finalised, and started.
LAST_YEAR = timedelta(days=365)
LAST_YEAR_STARTED = timedelta(days=365 + 42)


def _create_peers(peers: Peers, qset: QuestionnaireSet, password: str) -> tuple[Organisation, ...]:
    """The peer organisations, each with one finalised assessment of the adoption questionnaire
    (peers left by an earlier demo that was not reset are used again)."""
    account = accounts.user_by_email(peers.account_email)
    if account is None:
        account = accounts.create_confirmed_account(
            peers.account_name, peers.account_email, password
        )
    existing_names = {o.name: o for o in organisations.all_organisations()}
    made = []
    now = db.utcnow()
    for number, peer in enumerate(peers.organisations, start=1):
        kept = existing_names.get(peer.name)
        if kept is not None:
            made.append(kept)
            continue
        organisation = organisations.create(
            account,
            Details(
                name=peer.name,
                sector=peer.sector,
                size_band=peer.size_band,
                country="GB",
                time_zone="Europe/London",
            ),
        )
        if organisation.status != "active":
            organisations.set_status(organisation, "active")
        # Finalised over the past months, a fortnight apart.
        finalised_at = now - timedelta(days=14 * number)
        assessment = assessments.start(
            organisation.id,
            account,
            "Stakeholder management self-assessment",
            qset,
            started_at=finalised_at - timedelta(days=30),
        )
        page: dict[str, Submission] = {}
        for section in qset.adoption.sections:
            levels = peer.levels[section.id]
            if len(levels) != len(section.questions):
                raise ServiceError(
                    Message(
                        "The demo peer %(peer)s gives %(given)s levels for %(area)s, which has "
                        "%(practices)s practices.",
                        peer=peer.name,
                        given=len(levels),
                        area=section.id,
                        practices=len(section.questions),
                    )
                )
            for question, level in zip(section.questions, levels, strict=True):
                page[question.id] = Submission(
                    Answer(
                        question.id,
                        value=level,
                        note="Fictional peer: the records named are confirmed.",
                        criteria=tuple(
                            CriterionCheck(at, n, True, f"Record {at}.{n} (fictional)")
                            for at, n, _text in question.criteria_up_to(level)
                        )
                        if level >= 3
                        else (),
                    )
                )
        _save(assessment, account, qset.adoption.id, page)
        finalising.finalise(assessment, account, finalised_at=finalised_at)
        made.append(organisation)
    return tuple(made)


def _create_last_year(
    data: DemoData,
    last: LastYear,
    organisation: Organisation,
    users: dict[str, User],
    qset: QuestionnaireSet,
) -> Assessment:
    """Last year's assessment: this year's final answers but for those that differed, each saved
    by its author; the same choice of model; the plan adopted from its results; finalised; then
    the plan worked on (statuses, evidence, due dates)."""
    admin = users[last.finalised_by]
    loaded = db.utcnow()
    assessment = assessments.start(
        organisation.id, admin, last.title, qset, started_at=loaded - LAST_YEAR_STARTED
    )
    differed = {(a.questionnaire_id, a.answer.question_id): a for a in last.answers}
    pages: dict[tuple[str, str], dict[str, Submission]] = defaultdict(dict)
    for item in data.answers:
        chosen = differed.get((item.questionnaire_id, item.answer.question_id), item)
        pages[item.questionnaire_id, chosen.by][item.answer.question_id] = Submission(chosen.answer)
    for questionnaire_id in dict.fromkeys(a.questionnaire_id for a in data.answers):
        for person in data.people:
            page = pages.get((questionnaire_id, person.key))
            if page:
                _save(assessment, users[person.key], questionnaire_id, page)
    assessments.choose_models(
        assessment, users[data.choice.by], list(data.choice.models), data.choice.reason
    )
    recommended = {r.step.question_id: r for r in action_plan.recommended(assessment)}
    adopted = []
    for planned in last.plan:
        owner = action_plan.Owner(
            user_id=users[planned.owner].id if planned.owner else None,
            role=planned.owner_role,
        )
        if planned.title:
            action = action_plan.add_own(
                assessment,
                admin,
                action_plan.OwnAction(
                    question_id=planned.practice,
                    title=planned.title,
                    done_when=planned.done_when or "",
                    owner=owner,
                    due_on=action_plan.organisation_today(organisation)
                    + timedelta(days=planned.due_in_days),
                ),
            )
        else:
            found = recommended.get(planned.practice)
            if found is None:
                raise ServiceError(
                    Message(
                        "The demo's plan adopts %(practice)s, which last year's results do not "
                        "recommend.",
                        practice=planned.practice,
                    )
                )
            action = action_plan.adopt(
                assessment,
                admin,
                found.key,
                owner=owner,
                due_on=action_plan.organisation_today(organisation)
                + timedelta(days=planned.due_in_days),
            )
        adopted.append((planned, action))
    finalising.finalise(assessment, admin, finalised_at=loaded - LAST_YEAR)
    for planned, action in adopted:
        action_plan.update(
            action,
            admin,
            action_plan.Changes(
                title=action.title,
                done_when="\n".join(action.done_when),
                owner=action_plan.Owner(user_id=action.owner_user_id, role=action.owner_role),
                due_on=action.due_on,
                status=planned.status,
                dropped_reason=planned.dropped_reason,
                evidence_note=planned.evidence,
                evidence_reference=planned.reference,
                base_revision=action.revision,
            ),
        )
    return assessment
