"""Model objects as plain dicts (records) and back: the one serializer of assess's data.

Every kind of record the export carries is listed in :data:`KINDS`, in the order an import writes
them (a record only refers to kinds before it, or to records of its own kind written earlier). A
record has one member per database column of its model, named as the column, with values written
by the rules of :mod:`assess.data_format.values`: times in UTC with microseconds and ``Z``, dates
as ``YYYY-MM-DD``, bytes as base64, JSON columns as they are stored. The JSON Schema of each kind
(``schemas/v<FORMAT_VERSION>.json``, made by :mod:`assess.data_format.schema`) is generated from the
same column lists, and a test keeps the shipped schema equal to it: a model change that would
change the format fails until the format version is decided.

Reusing it (the read API, CSV)::

    from assess.data_format import serializer
    serializer.assessment_record(assessment)       # {"id": 7, "title": ..., "status": ..., ...}
    serializer.answer_records(assessment)          # [{"questionnaire_id": ..., "value": ...}, ...]
    serializer.register_records(assessment)        # one dict per row of the stakeholder register
    serializer.action_records(assessment)          # the action plan
    serializer.record(any_model_object)            # any exported kind
    serializer.from_record("assessments", data)    # back to column values (for an insert)

What is left out on purpose, in every export: sign-in sessions, password-reset and verification
links, pending invitations, kept forms, rate-limit counts, the email outbox, where each person last
was in an assessment, personal API tokens (credentials, like sign-in sessions: people make new
ones after a move), and survey responses (only each survey's aggregate counts travel: the
responses are anonymous but fewer than a survey's threshold could identify someone). A person's
``password_hash`` travels only with credentials (:data:`CREDENTIAL_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import JSON, Boolean, Date, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Session
from sqlalchemy.schema import Column, Table

from assess.data_format import values
from assess.db import UTCDateTime
from assess.models import (
    AnswerMark,
    AnswerRecord,
    Assessment,
    AuditEvent,
    AuditPerson,
    BenchmarkRelease,
    CarriedAnswer,
    ConsensusRecord,
    ConsultancyBrand,
    FollowOn,
    Membership,
    Organisation,
    OrganisationPack,
    Participant,
    ParticipantAnswer,
    PlanAction,
    PlanReminder,
    ProgressReview,
    QuestionnairePack,
    QuestionnaireVersion,
    StoredReport,
    StoredReportLanguage,
    Survey,
    SurveyGroup,
    TargetOverride,
    User,
    WorkshopSession,
)

#: The version of the export format. A change that removes a member or changes its meaning gets a
#: new version (and a new published schema); the import refuses versions it does not know.
FORMAT_VERSION: Final = 1
#: The ``format`` member of every export file.
FORMAT_NAME: Final = "assess-export"
#: Columns exported only with ``--with-credentials``.
CREDENTIAL_COLUMNS: Final = {"people": frozenset({"password_hash"})}
#: Kinds added to format 1 after files of it were first written: a file without one has none.
LATER_KINDS: Final = frozenset({"stored_report_languages"})
#: Columns added to format 1 after files of it were first written, with the value a file written
#: before them gives them: such a file has no member for them, and import uses this value.
LATER_COLUMNS: Final = {
    "people": {"language": None},
    "organisations": {"benchmark_opt_out": False},
}
#: What an account imported without credentials gets as its password hash: no password verifies
#: against it, so the person sets a new one with "Forgotten your password?".
NO_PASSWORD: Final = "!imported-without-credentials"  # noqa: S105 (not a password)


@dataclass(frozen=True)
class Kind:
    """One kind of record: its key in the file, its model, and how its records are read."""

    #: The key under ``records`` in the file, such as ``assessments``.
    key: str
    model: type[Any]
    #: Columns computed rather than copied (column name -> function of the object).
    computed: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    @property
    def table(self) -> Table:
        return self.model.__table__  # type: ignore[no-any-return]

    @property
    def primary_key(self) -> str:
        (column,) = self.table.primary_key.columns
        return column.key

    def columns(self, *, with_credentials: bool = True) -> list[Column[Any]]:
        """The exported columns, in table order."""
        hidden = set() if with_credentials else CREDENTIAL_COLUMNS.get(self.key, frozenset())
        return [column for column in self.table.columns if column.key not in hidden]


def _survey_aggregate(survey: Survey) -> Any:
    # The counts by group, whether the responses are still held or already deleted.
    from assess.services.surveys import aggregate_of

    return aggregate_of(survey)


#: Every kind the export carries, in the order an import writes them.
KINDS: Final[tuple[Kind, ...]] = (
    Kind("questionnaire_versions", QuestionnaireVersion),
    Kind("people", User),
    Kind("questionnaire_packs", QuestionnairePack),
    Kind("consultancy_brands", ConsultancyBrand),
    Kind("organisations", Organisation),
    Kind("organisation_packs", OrganisationPack),
    Kind("memberships", Membership),
    Kind("assessments", Assessment),
    Kind("answers", AnswerRecord),
    Kind("target_overrides", TargetOverride),
    Kind("answer_marks", AnswerMark),
    Kind("follow_ons", FollowOn),
    Kind("carried_answers", CarriedAnswer),
    Kind("plan_actions", PlanAction),
    Kind("plan_reminders", PlanReminder),
    Kind("progress_reviews", ProgressReview),
    Kind("workshop_sessions", WorkshopSession),
    Kind("workshop_participants", Participant),
    Kind("workshop_answers", ParticipantAnswer),
    Kind("workshop_consensus", ConsensusRecord),
    Kind("surveys", Survey, computed={"aggregate": _survey_aggregate}),
    Kind("survey_groups", SurveyGroup),
    Kind("stored_reports", StoredReport),
    Kind("stored_report_languages", StoredReportLanguage),
    Kind("benchmark_releases", BenchmarkRelease),
    Kind("audit_people", AuditPerson),
    Kind("audit_events", AuditEvent),
)
KIND_BY_KEY: Final = {kind.key: kind for kind in KINDS}
_KIND_BY_MODEL: Final = {kind.model: kind for kind in KINDS}
_KIND_BY_TABLE: Final = {kind.table.name: kind for kind in KINDS}


def kind_of(obj: Any) -> Kind:
    """The kind of a model object (KeyError for a model the export does not carry)."""
    return _KIND_BY_MODEL[type(obj)]


def references(kind: Kind) -> dict[str, Kind]:
    """The columns of ``kind`` that refer to another record, and the kind they refer to."""
    found = {}
    for column in kind.table.columns:
        for foreign_key in column.foreign_keys:
            target = _KIND_BY_TABLE.get(foreign_key.column.table.name)
            if target is not None:
                found[column.key] = target
    return found


# ---- values ----------------------------------------------------------------------------------


def to_json_value(column: Column[Any], value: Any) -> Any:
    """A column's value as the export writes it."""
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return values.utc_text(value)
    if isinstance(column.type, Date):
        return values.date_text(value)
    if isinstance(column.type, LargeBinary):
        return values.binary_text(value)
    return value


def from_json_value(column: Column[Any], value: Any) -> Any:
    """The inverse of :func:`to_json_value` (raises ValueError on a value of the wrong shape)."""
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return values.parse_utc(value)
    if isinstance(column.type, Date):
        return values.parse_date(value)
    if isinstance(column.type, LargeBinary):
        return values.parse_binary(value)
    return value


def record(obj: Any, *, with_credentials: bool = True) -> dict[str, Any]:
    """``obj`` (a model object of an exported kind) as a record: column name -> JSON value."""
    kind = kind_of(obj)
    data = {}
    for column in kind.columns(with_credentials=with_credentials):
        compute = kind.computed.get(column.key)
        value = compute(obj) if compute else getattr(obj, column.key)
        data[column.key] = to_json_value(column, value)
    return data


def from_record(key: str, data: dict[str, Any]) -> dict[str, Any]:
    """A record of kind ``key`` as column values ready for an INSERT (missing credential columns
    get :data:`NO_PASSWORD`). Raises ValueError naming the member that cannot be read."""
    kind = KIND_BY_KEY[key]
    row = {}
    for column in kind.columns():
        if column.key not in data:
            if column.key in CREDENTIAL_COLUMNS.get(key, ()):
                row[column.key] = NO_PASSWORD
                continue
            if column.key in LATER_COLUMNS.get(key, {}):
                row[column.key] = LATER_COLUMNS[key][column.key]
                continue
            raise ValueError(f"{column.key} is missing")
        try:
            row[column.key] = from_json_value(column, data[column.key])
        except (TypeError, ValueError) as error:
            raise ValueError(f"{column.key}: {error}") from None
    return row


def records(session: Session, key: str, query: Any, *, with_credentials: bool = True) -> Any:
    """The records of kind ``key`` that ``query`` (a select of its model) finds, in key order,
    read a batch at a time."""
    kind = KIND_BY_KEY[key]
    ordered = query.order_by(getattr(kind.model, kind.primary_key)).execution_options(yield_per=200)
    for obj in session.scalars(ordered):
        yield record(obj, with_credentials=with_credentials)
        session.expunge(obj)


# ---- per-record functions for the read API and CSV ------------------------------------------


def organisation_record(organisation: Organisation) -> dict[str, Any]:
    """An organisation: name, sector, size band, country, time zone, status and dates."""
    return record(organisation)


def person_record(user: User, *, with_credentials: bool = False) -> dict[str, Any]:
    """A person (an account); the password hash only ``with_credentials``."""
    return record(user, with_credentials=with_credentials)


def membership_record(membership: Membership) -> dict[str, Any]:
    """A person's role in an organisation."""
    return record(membership)


def assessment_record(assessment: Assessment) -> dict[str, Any]:
    """An assessment: title, scope, status, questionnaire versions, the choice, who and when."""
    return record(assessment)


def choice_record(assessment: Assessment) -> dict[str, Any]:
    """The model choice of an assessment: what was chosen, recommended, why, by whom, when."""
    full = record(assessment)
    names = ("chosen_models", "recommended_models", "choice_reason", "chosen_by_id", "chosen_at")
    return {"assessment_id": assessment.id, **{name: full[name] for name in names}}


def _session_of(obj: Any) -> Session:
    session = Session.object_session(obj)
    if session is None:
        raise ValueError(f"{obj!r} is not attached to a session")
    return session


def answer_record(answer: AnswerRecord) -> dict[str, Any]:
    """One answer: questionnaire and question ids, status, value, note, criteria, revision,
    source, who changed it last and when."""
    return record(answer)


def answer_records(assessment: Assessment) -> list[dict[str, Any]]:
    """Every answer of ``assessment``, by questionnaire and question id."""
    query = (
        select(AnswerRecord)
        .where(AnswerRecord.assessment_id == assessment.id)
        .order_by(AnswerRecord.questionnaire_id, AnswerRecord.question_id)
    )
    return [answer_record(a) for a in _session_of(assessment).scalars(query)]


def register_records(assessment: Assessment) -> list[dict[str, Any]]:
    """The stakeholder register: one dict per group (segment id, label, ratings, regard,
    engagement, ...), with the question it answers; [] while there is none."""
    rows = []
    for answer in answer_records(assessment):
        value = answer["value"]
        if not (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
            continue
        for position, row in enumerate(value):
            rows.append(
                {
                    "questionnaire_id": answer["questionnaire_id"],
                    "question_id": answer["question_id"],
                    "position": position,
                    **row,
                }
            )
    return rows


def action_record(action: PlanAction) -> dict[str, Any]:
    """One action of a plan."""
    return record(action)


def action_records(assessment: Assessment) -> list[dict[str, Any]]:
    """The actions in the plan of ``assessment``, by id."""
    query = (
        select(PlanAction).where(PlanAction.assessment_id == assessment.id).order_by(PlanAction.id)
    )
    return [action_record(a) for a in _session_of(assessment).scalars(query)]


def workshop_records(assessment: Assessment) -> dict[str, list[dict[str, Any]]]:
    """The workshops on ``assessment``: sessions and what each agreed (consensus records)."""
    session = _session_of(assessment)
    workshops = session.scalars(
        select(WorkshopSession)
        .where(WorkshopSession.assessment_id == assessment.id)
        .order_by(WorkshopSession.id)
    ).all()
    ids = [w.id for w in workshops]
    consensus = session.scalars(
        select(ConsensusRecord)
        .where(ConsensusRecord.session_id.in_(ids))
        .order_by(ConsensusRecord.id)
    )
    return {
        "workshop_sessions": [record(w) for w in workshops],
        "workshop_consensus": [record(c) for c in consensus],
    }


def survey_records(assessment: Assessment) -> list[dict[str, Any]]:
    """The perception surveys on ``assessment`` with their aggregate counts (never responses)."""
    query = select(Survey).where(Survey.assessment_id == assessment.id).order_by(Survey.id)
    return [record(s) for s in _session_of(assessment).scalars(query)]


def stored_report_record(report: StoredReport, *, with_pdf: bool = True) -> dict[str, Any]:
    """A finalised report: report id, SHA-256 of the PDF and of its data, size, dates and (unless
    ``with_pdf`` is false) the PDF itself in base64."""
    data = record(report)
    if not with_pdf:
        data.pop("pdf")
    return data


def audit_event_record(event: AuditEvent) -> dict[str, Any]:
    """One audit event, with the hashes that chain it (see :mod:`assess.audit_chain`)."""
    return record(event)


def column_type_name(column: Column[Any]) -> str:
    """A short name of a column's type, for the schema and the format's page."""
    kind = column.type
    for cls, name in (
        (UTCDateTime, "time"),
        (Boolean, "boolean"),
        (Integer, "integer"),
        (Date, "date"),
        (LargeBinary, "base64"),
        (JSON, "json"),
        (Text, "text"),
        (String, "text"),
    ):
        if isinstance(kind, cls):
            return name
    raise TypeError(f"no export type for column {column} of type {kind!r}")


def keys(kinds: Iterable[Kind] = KINDS) -> list[str]:
    """The keys of ``kinds``, in import order."""
    return [kind.key for kind in kinds]
