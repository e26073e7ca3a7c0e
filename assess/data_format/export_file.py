"""Writing an export file: a whole instance, or one organisation, as one JSON document.

The file is written a record at a time (a large instance never sits in memory whole), one record
per line, members sorted, so the same data always gives the same bytes. Every record is checked
against the published schema as it is written, and the rest of the document at the end; a record
that does not pass stops the export (:class:`ExportInvalid`) rather than producing a file that the
import would refuse.

The document::

    {"format": "assess-export", "format_version": 1,
     "scope": {"kind": "organisation", "organisation_id": 3} | {"kind": "instance"},
     "exported_at": ..., "application_version": ..., "method_version": ...,
     "with_credentials": false,
     "records": {"questionnaire_versions": [...], "people": [...], ...every kind...},
     "audit_chain": {"last_event_id": ..., "last_hash": ...} | null,
     "checksum": "sha256:..."}

``checksum`` (:func:`checksum_of`) is a SHA-256 over the header, the chain's end and every record
in a canonical form (compact, sorted JSON), so a file changed after it was written is refused by
the import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, union
from sqlalchemy.orm import Session

from assess.data_format import schema, serializer, values
from assess.data_format.serializer import KINDS, Kind
from assess.models import (
    Assessment,
    AuditEvent,
    AuditPerson,
    OrganisationPack,
    QuestionnairePack,
    StoredReport,
    Survey,
    WorkshopSession,
)
from assess.models import Membership as _Membership
from assess.scoring import METHOD_VERSION


class ExportInvalid(Exception):
    """A record does not pass the schema: the export stops."""


@dataclass(frozen=True)
class Scope:
    """What an export covers: one organisation, or (``organisation_id`` None) the instance."""

    organisation_id: int | None = None

    @property
    def document(self) -> dict[str, Any]:
        if self.organisation_id is None:
            return {"kind": "instance"}
        return {"kind": "organisation", "organisation_id": self.organisation_id}


def application_version() -> str:
    try:
        return metadata.version("assess")
    except metadata.PackageNotFoundError:  # pragma: no cover (always installed in practice)
        return "unknown"


def canonical(value: Any) -> str:
    """``value`` as one line of compact, sorted JSON (records and the checksum use it)."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def header_of(document: dict[str, Any]) -> dict[str, Any]:
    """The members of a document the checksum covers besides its records."""
    names = (
        "format",
        "format_version",
        "scope",
        "exported_at",
        "application_version",
        "method_version",
        "with_credentials",
        "audit_chain",
    )
    return {name: document.get(name) for name in names}


# ---- which records an organisation's export holds --------------------------------------------


def _assessment_ids(organisation_id: int) -> Any:
    return select(Assessment.id).where(Assessment.organisation_id == organisation_id)


#: A pack's questionnaire versions, which travel with it.
_PACK_VERSIONS = (
    QuestionnairePack.definition_version_id,
    QuestionnairePack.model_fit_version_id,
    QuestionnairePack.adoption_version_id,
    QuestionnairePack.perception_version_id,
)


def _filters(organisation_id: int, people: list[int]) -> dict[str, ColumnElement[bool]]:
    """Per kind, the rows of one organisation."""
    assessments = _assessment_ids(organisation_id)
    sessions = select(WorkshopSession.id).where(WorkshopSession.assessment_id.in_(assessments))
    surveys = select(Survey.id).where(Survey.assessment_id.in_(assessments))
    # The questionnaire packs the organisation uses now or its assessments were answered on.
    packs = union(
        select(OrganisationPack.pack_id).where(OrganisationPack.organisation_id == organisation_id),
        select(Assessment.questionnaire_pack_id).where(
            Assessment.organisation_id == organisation_id,
            Assessment.questionnaire_pack_id.is_not(None),
        ),
    )
    used_versions = union(
        select(Assessment.definition_version_id).where(
            Assessment.organisation_id == organisation_id
        ),
        select(Assessment.model_fit_version_id).where(
            Assessment.organisation_id == organisation_id
        ),
        select(Assessment.adoption_version_id).where(Assessment.organisation_id == organisation_id),
        select(Survey.questionnaire_version_id).where(Survey.assessment_id.in_(assessments)),
        *(select(column).where(QuestionnairePack.id.in_(packs)) for column in _PACK_VERSIONS),
    )
    events = AuditEvent.organisation_id == organisation_id
    refs = union(
        select(AuditEvent.actor_ref).where(events), select(AuditEvent.subject_ref).where(events)
    )
    by_assessment = {
        "answers",
        "target_overrides",
        "answer_marks",
        "follow_ons",
        "carried_answers",
        "progress_reviews",
        "workshop_sessions",
        "surveys",
        "stored_reports",
    }
    by_session = {"workshop_participants", "workshop_answers", "workshop_consensus"}
    filters: dict[str, ColumnElement[bool]] = {}
    for kind in KINDS:
        model = kind.model
        if kind.key == "questionnaire_versions":
            filters[kind.key] = model.id.in_(used_versions)
        elif kind.key == "questionnaire_packs":
            filters[kind.key] = model.id.in_(packs)
        elif kind.key == "benchmark_releases":
            # The instance's benchmark history (every release ever shown, which the disclosure
            # rules check a new release against) moves with the instance, not an organisation.
            filters[kind.key] = false()
        elif kind.key == "people":
            filters[kind.key] = model.id.in_(people)
        elif kind.key == "consultancy_brands":
            filters[kind.key] = model.user_id.in_(people)
        elif kind.key == "organisations":
            filters[kind.key] = model.id == organisation_id
        elif kind.key in by_assessment:
            filters[kind.key] = model.assessment_id.in_(assessments)
        elif kind.key == "stored_report_languages":
            filters[kind.key] = model.stored_report_id.in_(
                select(StoredReport.id).where(StoredReport.assessment_id.in_(assessments))
            )
        elif kind.key in by_session:
            filters[kind.key] = model.session_id.in_(sessions)
        elif kind.key == "survey_groups":
            filters[kind.key] = model.survey_id.in_(surveys)
        elif kind.key == "audit_people":
            filters[kind.key] = or_(AuditPerson.ref.in_(refs), AuditPerson.user_id.in_(people))
        elif kind.key == "audit_events":
            filters[kind.key] = events
        else:  # memberships, assessments, plan actions and reminders carry the organisation
            filters[kind.key] = model.organisation_id == organisation_id
    return filters


def _people_of(session: Session, organisation_id: int) -> list[int]:
    """The members, and everyone the organisation's records name (a former member who answered,
    finalised or owns an action), so that every reference in the file resolves."""
    found = set(
        session.scalars(
            select(_Membership.user_id).where(_Membership.organisation_id == organisation_id)
        )
    )
    provisional = _filters(organisation_id, [])
    for kind in KINDS:
        for column_name, target in serializer.references(kind).items():
            if target.key != "people" or kind.key in ("people", "audit_people"):
                continue
            column = getattr(kind.model, column_name)
            query = select(column).where(provisional[kind.key], column.is_not(None)).distinct()
            found.update(session.scalars(query))
    return sorted(found)


# ---- writing ---------------------------------------------------------------------------------


def _query(kind: Kind, scope: Scope, filters: dict[str, ColumnElement[bool]] | None) -> Any:
    query = select(kind.model)
    if filters is not None:
        query = query.where(filters[kind.key])
    return query


def _adjusted(kind: Kind, data: dict[str, Any], scope: Scope, people: set[int]) -> dict[str, Any]:
    """What an organisation's export changes in a record: no one is an operator of another
    instance, and a trail person whose account is not in the file is kept without it."""
    if scope.organisation_id is None:
        return data
    if kind.key == "people":
        data["is_operator"] = False
    elif kind.key == "audit_people" and data["user_id"] not in people:
        data["user_id"] = None
    return data


def _check(key: str, data: dict[str, Any]) -> None:
    error = next(iter(schema.record_validator(key).iter_errors(data)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(the record)"
        identifier = data.get(serializer.KIND_BY_KEY[key].primary_key)
        raise ExportInvalid(f"{key} record {identifier}, {where}: {error.message}")


def write(
    session: Session,
    scope: Scope,
    *,
    with_credentials: bool = False,
    exported_at: datetime,
) -> Iterator[bytes]:
    """The export file of ``scope``, a few records at a time, as UTF-8 bytes.

    Raises :class:`ExportInvalid` (between chunks) if a record does not pass the schema.
    """
    people: list[int] = []
    filters = None
    if scope.organisation_id is not None:
        people = _people_of(session, scope.organisation_id)
        filters = _filters(scope.organisation_id, people)
    people_set = set(people)
    header: dict[str, Any] = {
        "format": serializer.FORMAT_NAME,
        "format_version": serializer.FORMAT_VERSION,
        "scope": scope.document,
        "exported_at": values.utc_text(exported_at),
        "application_version": application_version(),
        "method_version": METHOD_VERSION,
        "with_credentials": with_credentials,
    }
    digest = hashlib.sha256()

    def note(key: str, data: dict[str, Any]) -> None:
        digest.update((key + "\t" + canonical(data) + "\n").encode("utf-8"))

    yield b"{\n"
    for name in (
        "format",
        "format_version",
        "scope",
        "exported_at",
        "application_version",
        "method_version",
        "with_credentials",
    ):
        yield f"{json.dumps(name)}: {canonical(header[name])},\n".encode()
    yield b'"records": {\n'
    last_event: dict[str, Any] | None = None
    for number, kind in enumerate(KINDS):
        yield f"{json.dumps(kind.key)}: [".encode()
        first = True
        batch: list[str] = []
        query = _query(kind, scope, filters)
        for data in serializer.records(session, kind.key, query, with_credentials=with_credentials):
            data = _adjusted(kind, data, scope, people_set)
            _check(kind.key, data)
            note(kind.key, data)
            batch.append(("\n" if first else ",\n") + canonical(data))
            first = False
            if kind.key == "audit_events":
                last_event = data
            if len(batch) >= 100:
                yield "".join(batch).encode("utf-8")
                batch = []
        batch.append("]" if first else "\n]")
        batch.append(",\n" if number < len(KINDS) - 1 else "\n")
        yield "".join(batch).encode("utf-8")
    yield b"},\n"
    chain = None
    if scope.organisation_id is None:
        chain = {
            "last_event_id": last_event["id"] if last_event else None,
            "last_hash": last_event["event_hash"] if last_event else "0" * 64,
        }
    header["audit_chain"] = chain
    envelope = {
        **header,
        "records": {kind.key: [] for kind in KINDS},
        "checksum": "sha256:" + "0" * 64,
    }
    error = next(iter(schema.validator().iter_errors(envelope)), None)
    if error is not None:
        raise ExportInvalid(f"the file's header: {error.message}")
    # The header goes first in the checksum: hash it with the records' digest.
    checksum = hashlib.sha256(
        (canonical(header) + "\n" + digest.hexdigest()).encode("utf-8")
    ).hexdigest()
    yield f'"audit_chain": {canonical(chain)},\n'.encode()
    yield f'"checksum": "sha256:{checksum}"\n}}\n'.encode()


def checksum_of(document: dict[str, Any]) -> str:
    """The checksum a document's own content gives (the import compares it with ``checksum``)."""
    digest = hashlib.sha256()
    for kind in KINDS:
        for data in document["records"][kind.key]:
            digest.update((kind.key + "\t" + canonical(data) + "\n").encode("utf-8"))
    header = header_of(document)
    return (
        "sha256:"
        + hashlib.sha256(
            (canonical(header) + "\n" + digest.hexdigest()).encode("utf-8")
        ).hexdigest()
    )
