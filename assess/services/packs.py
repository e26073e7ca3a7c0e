"""Questionnaire packs: check an uploaded pack, show what it changes, install it, choose users.

A pack is a zip holding ``pack.yaml`` (the pack's id, version and title) and the questionnaire
files: one each of kind definition, model-fit and adoption, and optionally the stakeholders'
perception survey. Its files pass exactly the checks of ``assess questionnaires validate`` (the
same loader, on the same files), plus the pack's own rules:

- the zip is read with hard limits (:mod:`assess.pack_archive`); YAML aliases are refused (a few
  lines of aliases can expand to gigabytes once read);
- a questionnaire version that is not one the instance ships or already stores carries a label of
  its own after a ``+`` (``1.1.0+parish-light``), so that a later release of assess can never ship
  a different questionnaire under the same version;
- a pack without a perception survey must fit the instance's survey (each statement speaks to an
  area of the pack's adoption questionnaire), and one with a survey must fit its own adoption file;
- a version of a pack is installed once.

Installing stores the pack's questionnaire versions (``questionnaire_versions``, the copies
assessments are read against) and never touches an assessment already started. An organisation
then uses at most one installed pack version for its new assessments (:func:`questionnaires_for`),
chosen by the operator: every assessment of a body answers the same questionnaires, so its
results stay comparable from one assessment to the next.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask import current_app
from pydantic import Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assess import audit, db, pack_archive
from assess.models import Organisation, OrganisationPack, QuestionnairePack, QuestionnaireVersion
from assess.models.accounts import User
from assess.questionnaire import loader, references
from assess.questionnaire.loader import QuestionnaireSet
from assess.questionnaire.problems import Problem, QuestionnaireError
from assess.questionnaire.schema import (
    Id,
    LocalText,
    Questionnaire,
    _Strict,
)
from assess.questionnaire.validation import Message
from assess.services import ServiceError
from assess.services import questionnaires as questionnaire_service

#: The file that names a pack.
MANIFEST = "pack.yaml"
#: What a questionnaire file in a pack may be called (it is written under this name, never a path).
_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,80}\.ya?ml$")
#: What zip programs add on their own; skipped (they still count against the archive's limits).
_JUNK = re.compile(r"(^|/)(__MACOSX/.*|\.DS_Store|Thumbs\.db)$")
#: The instance's own questionnaires, in a diff.
INSTANCE = "instance"


class PackManifest(_Strict):
    """``pack.yaml``: what the pack is called and which version of it this is."""

    id: Id
    version: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z.+-]+$")
    title: LocalText
    description: LocalText | None = None


@dataclass
class PackCheck:
    """What checking a pack found: the pack (None when it cannot be used) and every problem."""

    problems: list[Problem] = field(default_factory=list)
    manifest: PackManifest | None = None
    qset: QuestionnaireSet | None = None
    #: File name by questionnaire id (for the problems and the diff).
    files: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and self.manifest is not None and self.qset is not None


class PackRefused(ServiceError):
    """A pack that cannot be installed; ``problems`` lists why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("The pack has problems; nothing was installed.")
        self.problems = problems


# ---- checking ------------------------------------------------------------------------------


def _aliases(text: str) -> bool:
    """Whether the YAML uses an alias (``*name``); a syntax error is left to the loader."""
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.AliasEvent):
                return True
    except yaml.YAMLError:
        return False
    return False


def _members(files: Mapping[str, bytes]) -> tuple[dict[str, bytes], list[Problem]]:
    """The pack's files by plain name, and what is wrong with the names."""
    kept = {name: data for name, data in files.items() if not _JUNK.search(name)}
    folder = pack_archive.strip_common_folder(kept)
    problems: list[Problem] = []
    plain: dict[str, bytes] = {}
    for name, data in sorted(kept.items()):
        short = name[len(folder) :]
        if "/" in short:
            problems.append(
                Problem(
                    name,
                    "",
                    Message(
                        "is in a folder of its own: put the pack's files side by side, "
                        "in the zip itself or in one folder"
                    ),
                )
            )
        elif not _FILE_NAME.fullmatch(short):
            problems.append(
                Problem(
                    name,
                    "",
                    Message(
                        "is not part of a pack: a pack holds pack.yaml and the questionnaire "
                        "files, each a .yaml file named in lower-case letters, digits and hyphens"
                    ),
                )
            )
        else:
            plain[short] = data
    return plain, problems


def _manifest(path: Path) -> tuple[PackManifest | None, list[Problem]]:
    data, problems = loader.read_mapping(path, MANIFEST)
    if data is None:
        return None, problems
    try:
        return PackManifest.model_validate(data), problems
    except ValidationError as error:
        return None, problems + loader.schema_problems(error, MANIFEST, data)


def instance_questionnaires() -> QuestionnaireSet | None:
    """The instance's own questionnaires (those in ``questionnaires/``); None if they do not
    load."""
    try:
        return questionnaire_service.current_questionnaires()
    except QuestionnaireError:
        return None


def _version_problems(
    qset: QuestionnaireSet, files: Mapping[str, str], pack_id: str
) -> list[Problem]:
    """A version the instance neither ships nor stores needs a label of its own after ``+``."""
    instance = instance_questionnaires()
    shipped = {
        (q.id, q.version): loader.fingerprint(q) for q in (instance.every if instance else ())
    }
    problems: list[Problem] = []
    for questionnaire in qset.every:
        key = (questionnaire.id, questionnaire.version)
        file = files.get(questionnaire.id, questionnaire.id)
        own = shipped.get(key)
        if own is not None and own != loader.fingerprint(questionnaire):
            problems.append(
                Problem(
                    file,
                    "version",
                    Message(
                        "version %(version)s of %(id)s is the instance's own, with other "
                        "content: give the pack's version a label of its own, such as "
                        '"%(version)s+%(pack)s"',
                        version=questionnaire.version,
                        id=questionnaire.id,
                        pack=pack_id,
                    ),
                )
            )
        elif (
            own is None
            and "+" not in questionnaire.version
            and questionnaire_service.stored_version(questionnaire.id, questionnaire.version)
            is None
        ):
            problems.append(
                Problem(
                    file,
                    "version",
                    Message(
                        "version %(version)s is not one the instance ships: a pack's own "
                        'versions carry a label after a +, such as "%(version)s+%(pack)s", so '
                        "that a later release of assess cannot ship other questions under it",
                        version=questionnaire.version,
                        pack=pack_id,
                    ),
                )
            )
    return problems


def _perception_problems(qset: QuestionnaireSet, files: Mapping[str, str]) -> list[Problem]:
    """Without a survey of its own, the pack's adoption areas must fit the instance's survey."""
    if qset.perception is not None:
        return []
    instance = instance_questionnaires()
    if instance is None or instance.perception is None:
        return []
    adoption_file = files.get(qset.adoption.id, "adoption.yaml")
    found = references.check_set(
        [("perception.yaml (the instance's)", instance.perception), (adoption_file, qset.adoption)]
    )
    if not found:
        return []
    return [
        Problem(
            adoption_file,
            "sections",
            Message(
                "the pack has no perception survey, and the instance's survey speaks to areas "
                "this adoption questionnaire does not have: add a perception.yaml whose "
                "statements name this file's sections"
            ),
        ),
        *found,
    ]


def _limits() -> pack_archive.Limits:
    return pack_archive.Limits(archive_bytes=int(current_app.config["PACK_MAX_BYTES"]))


def check(data: bytes, label: str = "pack.zip") -> PackCheck:
    """Every problem with the pack in the zip ``data``; the pack when there are none.

    ``label`` names the zip in problems about the archive as a whole.
    """
    result = PackCheck()
    try:
        raw = pack_archive.read(data, _limits())
    except pack_archive.ArchiveError as error:
        result.problems.append(Problem(label, "", error.message))
        return result
    files, result.problems = _members(raw)
    if MANIFEST not in files:
        result.problems.append(
            Problem(
                MANIFEST,
                "",
                Message("is missing: it names the pack (id, version and title)"),
            )
        )
    questionnaire_files = {n: d for n, d in files.items() if n != MANIFEST}
    if not questionnaire_files:
        result.problems.append(Problem(label, "", Message("holds no questionnaire files (.yaml)")))
    for name, content in files.items():
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            continue  # the loader says so, naming the file
        if _aliases(text):
            result.problems.append(
                Problem(
                    name,
                    "",
                    Message(
                        "uses YAML aliases (*name): write each value out in full; a pack may "
                        "not use them"
                    ),
                )
            )
    if result.problems:
        return result
    with tempfile.TemporaryDirectory(prefix="assess-pack-") as tmp:
        folder = Path(tmp) / "pack"
        folder.mkdir()
        for name, content in questionnaire_files.items():
            (folder / name).write_bytes(content)
        (Path(tmp) / MANIFEST).write_bytes(files[MANIFEST])
        result.manifest, problems = _manifest(Path(tmp) / MANIFEST)
        result.problems += problems
        try:
            qset = loader.load_directory(folder)
        except QuestionnaireError as error:
            result.problems += [
                Problem(label, p.path, p.message) if p.file == folder.name else p
                for p in error.problems
            ]
            return result
    result.files = {q.id: qset.sources[q.id].name for q in qset.every}
    sources = {q.id: Path(label) / result.files[q.id] for q in qset.every}
    result.problems += questionnaire_service.check_stored(db.session(), qset.every, sources)
    pack_id = result.manifest.id if result.manifest else "your-pack"
    result.problems += _version_problems(qset, result.files, pack_id)
    result.problems += _perception_problems(qset, result.files)
    result.qset = QuestionnaireSet(
        definition=qset.definition,
        model_fit=qset.model_fit,
        adoption=qset.adoption,
        perception=qset.perception,
    )
    if result.manifest is not None:
        result.problems += _installed_problems(result.manifest, hashlib.sha256(data).hexdigest())
    return result


def _installed_problems(manifest: PackManifest, sha256: str) -> list[Problem]:
    row = _pack(manifest.id, manifest.version)
    if row is None or row.status != "installed":
        return []
    if row.archive_sha256 == sha256:
        message = Message(
            "version %(version)s of the pack %(id)s is already installed",
            version=manifest.version,
            id=manifest.id,
        )
    else:
        message = Message(
            "version %(version)s of the pack %(id)s is already installed with other "
            "content: give this one a new version",
            version=manifest.version,
            id=manifest.id,
        )
    return [Problem(MANIFEST, "version", message)]


# ---- reading ---------------------------------------------------------------------------------


def _pack(pack_id: str, version: str) -> QuestionnairePack | None:
    return db.session().scalar(
        select(QuestionnairePack).where(
            QuestionnairePack.pack_id == pack_id, QuestionnairePack.version == version
        )
    )


def get(row_id: int) -> QuestionnairePack | None:
    """The pack version with row id ``row_id``."""
    return db.session().get(QuestionnairePack, row_id)


def all_packs() -> list[QuestionnairePack]:
    """Every pack version, installed and staged, by pack id and newest first."""
    return list(
        db.session().scalars(
            select(QuestionnairePack).order_by(
                QuestionnairePack.pack_id, QuestionnairePack.uploaded_at.desc()
            )
        )
    )


def users_of(pack: QuestionnairePack) -> list[Organisation]:
    """The organisations whose new assessments use ``pack``, by name."""
    return list(
        db.session().scalars(
            select(Organisation)
            .join(OrganisationPack, OrganisationPack.organisation_id == Organisation.id)
            .where(OrganisationPack.pack_id == pack.id)
            .order_by(Organisation.name, Organisation.id)
        )
    )


def assignments() -> dict[int, QuestionnairePack]:
    """The pack each organisation uses, by organisation id (organisations without one left out)."""
    rows = db.session().execute(
        select(OrganisationPack.organisation_id, QuestionnairePack).join(
            QuestionnairePack, QuestionnairePack.id == OrganisationPack.pack_id
        )
    )
    return {row[0]: row[1] for row in rows}


def pack_of(organisation_id: int) -> QuestionnairePack | None:
    """The installed pack version whose questionnaires ``organisation_id``'s new assessments use
    (None: the instance's own)."""
    link = db.session().get(OrganisationPack, organisation_id)
    return link.pack if link else None


def pack_questionnaires(pack: QuestionnairePack) -> QuestionnaireSet:
    """The installed pack's questionnaires, read from their stored copies."""
    assert pack.status == "installed"
    assert pack.definition_version_id and pack.model_fit_version_id and pack.adoption_version_id
    perception = (
        questionnaire_service.by_version_id(pack.perception_version_id)
        if pack.perception_version_id
        else None
    )
    if perception is None:
        instance = instance_questionnaires()
        perception = instance.perception if instance else None
    return QuestionnaireSet(
        definition=questionnaire_service.by_version_id(pack.definition_version_id),
        model_fit=questionnaire_service.by_version_id(pack.model_fit_version_id),
        adoption=questionnaire_service.by_version_id(pack.adoption_version_id),
        perception=perception,
        pack_id=pack.id,
    )


def questionnaires_for(organisation_id: int) -> QuestionnaireSet:
    """The questionnaires a new assessment of ``organisation_id`` uses: its pack's, if the
    operator chose one, else the instance's own."""
    pack = pack_of(organisation_id)
    if pack is None:
        return questionnaire_service.current_questionnaires()
    return pack_questionnaires(pack)


def previous_installed(
    pack_id: str, before: QuestionnairePack | None = None
) -> QuestionnairePack | None:
    """The latest installed version of the pack ``pack_id`` other than ``before`` (and, when
    ``before`` is installed, installed before it): what ``before`` is compared with."""
    query = select(QuestionnairePack).where(
        QuestionnairePack.pack_id == pack_id, QuestionnairePack.status == "installed"
    )
    if before is not None:
        query = query.where(QuestionnairePack.id != before.id)
        if before.installed_at is not None:  # an installed version: the one installed before it
            query = query.where(QuestionnairePack.installed_at < before.installed_at)
    return db.session().scalar(query.order_by(QuestionnairePack.installed_at.desc()).limit(1))


def label(pack: QuestionnairePack | None, locale: str = "en") -> str:
    """A pack as people name it: its title and version."""
    if pack is None:
        return ""
    title = LocalText.model_validate(pack.title).get(locale)
    return f"{title} {pack.version}"


# ---- changing ---------------------------------------------------------------------------------


def stage(
    data: bytes, filename: str, user: User | None
) -> tuple[QuestionnairePack | None, PackCheck]:
    """Check the uploaded pack and keep it, staged, when it has no problems.

    A staged upload of the same pack version is replaced. Returns (the staged pack or None, the
    check).
    """
    result = check(data, _zip_label(filename))
    if not result.ok:
        return None, result
    assert result.manifest is not None
    session = db.session()
    row = _pack(result.manifest.id, result.manifest.version)
    if row is None:
        row = QuestionnairePack(pack_id=result.manifest.id, version=result.manifest.version)
        session.add(row)
    row.title = result.manifest.title.model_dump()
    row.status = "staged"
    row.archive = data
    row.archive_sha256 = hashlib.sha256(data).hexdigest()
    row.filename = _zip_label(filename)
    row.uploaded_by_id = user.id if user else None
    row.uploaded_at = db.utcnow()
    session.flush()
    audit.record(
        audit.PACK_UPLOADED,
        organisation_id=None,
        actor=user,
        object_type="questionnaire_pack",
        object_id=row.id,
        new=_audit_pack(row, result.qset),
        source="online" if user else "system",
    )
    session.commit()
    return row, result


def _zip_label(filename: str) -> str:
    name = Path(filename or "pack.zip").name.replace("\\", "/").rsplit("/", 1)[-1]
    return (name or "pack.zip")[:200]


def _audit_pack(row: QuestionnairePack, qset: QuestionnaireSet | None) -> dict[str, Any]:
    return {
        "pack": row.pack_id,
        "version": row.version,
        "archive_sha256": row.archive_sha256,
        "questionnaires": {q.id: q.version for q in qset.every} if qset else {},
    }


def recheck(row: QuestionnairePack) -> PackCheck:
    """Check a staged pack again (stored versions may have changed since it was uploaded)."""
    return check(row.archive, row.filename)


def install(row: QuestionnairePack, user: User | None) -> QuestionnairePack:
    """Install the staged pack: store its questionnaire versions, in one transaction with the
    audit event. Assessments already started keep their own stored versions.

    Raises :class:`PackRefused` (installing nothing) when the pack now has problems.
    """
    if row.status == "installed":
        raise ServiceError("This version of the pack is already installed.")
    result = recheck(row)
    if not result.ok:
        raise PackRefused(result.problems)
    assert result.qset is not None
    session = db.session()
    stored: dict[str, QuestionnaireVersion] = {}
    try:
        for questionnaire in result.qset.every:
            version_row = questionnaire_service.stored_version(
                questionnaire.id, questionnaire.version
            )
            if version_row is None:
                version_row = QuestionnaireVersion(
                    questionnaire_id=questionnaire.id,
                    version=questionnaire.version,
                    kind=questionnaire.kind,
                    content=loader.content(questionnaire),
                    content_sha256=loader.fingerprint(questionnaire),
                    first_used_at=db.utcnow(),
                )
                session.add(version_row)
                session.flush()
            stored[questionnaire.kind] = version_row
        row.status = "installed"
        row.installed_at = db.utcnow()
        row.installed_by_id = user.id if user else None
        row.definition_version_id = stored["definition"].id
        row.model_fit_version_id = stored["model-fit"].id
        row.adoption_version_id = stored["adoption"].id
        row.perception_version_id = stored["perception"].id if "perception" in stored else None
        audit.record(
            audit.PACK_INSTALLED,
            organisation_id=None,
            actor=user,
            object_type="questionnaire_pack",
            object_id=row.id,
            new=_audit_pack(row, result.qset),
            source="online" if user else "system",
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ServiceError(
            "Another operator stored one of these questionnaire versions a moment ago; "
            "check the pack again."
        ) from None
    return row


def discard(row: QuestionnairePack, user: User | None) -> None:
    """Forget a staged pack that was not installed."""
    if row.status != "staged":
        raise ServiceError("An installed pack cannot be discarded: assessments may use it.")
    session = db.session()
    audit.record(
        audit.PACK_DISCARDED,
        organisation_id=None,
        actor=user,
        object_type="questionnaire_pack",
        object_id=row.id,
        old={"pack": row.pack_id, "version": row.version},
        source="online" if user else "system",
    )
    session.delete(row)
    session.commit()


def organisations_to_choose() -> list[Organisation]:
    """Every organisation that is not being deleted, by name (the operator's choice)."""
    return list(
        db.session().scalars(select(Organisation).order_by(Organisation.name, Organisation.id))
    )


def set_users(
    row: QuestionnairePack, organisation_ids: Iterable[int], user: User | None
) -> tuple[int, int]:
    """Make ``row`` the pack of exactly the organisations ``organisation_ids`` among those shown,
    in one transaction: an organisation chosen moves to it (from the instance's questionnaires or
    another pack); one that used it and is not chosen goes back to the instance's own.

    Only new assessments are affected. Each change is audited in the organisation's trail.
    Returns (how many were added, how many removed).
    """
    if row.status != "installed":
        raise ServiceError("Install the pack before choosing the organisations that use it.")
    chosen = set(organisation_ids)
    session = db.session()
    known = {o.id for o in organisations_to_choose()}
    unknown = chosen - known
    if unknown:
        raise ServiceError("Choose organisations from the list.")
    links = {link.organisation_id: link for link in session.scalars(select(OrganisationPack))}
    added = removed = 0
    now = db.utcnow()
    for org_id in sorted(chosen):
        link = links.get(org_id)
        if link is not None and link.pack_id == row.id:
            continue
        old = {"pack": link.pack.pack_id, "version": link.pack.version} if link else None
        if link is None:
            session.add(
                OrganisationPack(
                    organisation_id=org_id,
                    pack_id=row.id,
                    assigned_by_id=user.id if user else None,
                    assigned_at=now,
                )
            )
        else:
            link.pack_id = row.id
            link.assigned_by_id = user.id if user else None
            link.assigned_at = now
        audit.record(
            audit.PACK_CHOSEN,
            organisation_id=org_id,
            actor=user,
            object_type="organisation",
            object_id=org_id,
            old=old,
            new={"pack": row.pack_id, "version": row.version},
            source="online" if user else "system",
        )
        added += 1
    for org_id, link in links.items():
        if link.pack_id == row.id and org_id not in chosen:
            audit.record(
                audit.PACK_CHOSEN,
                organisation_id=org_id,
                actor=user,
                object_type="organisation",
                object_id=org_id,
                old={"pack": row.pack_id, "version": row.version},
                new=None,
                source="online" if user else "system",
            )
            session.delete(link)
            removed += 1
    session.commit()
    return added, removed


def perception_for(questionnaire_pack_id: int | None) -> Questionnaire | None:
    """The perception survey of an assessment started on the pack ``questionnaire_pack_id``: the
    pack's own survey, else the instance's (None: the instance has none)."""
    pack = get(questionnaire_pack_id) if questionnaire_pack_id else None
    if pack is not None and pack.status == "installed":
        return pack_questionnaires(pack).perception
    instance = instance_questionnaires()
    return instance.perception if instance else None


def unknown_organisations(organisation_ids: Iterable[int]) -> list[int]:
    """The ids among ``organisation_ids`` that name no organisation."""
    known = {o.id for o in organisations_to_choose()}
    return sorted(set(organisation_ids) - known)


def _texts(node: Any) -> Iterable[dict[str, str]]:
    """Every display text (a mapping from locale to text, with ``en``) in a questionnaire's
    content."""
    if isinstance(node, dict):
        if "en" in node and all(isinstance(v, str) for v in node.values()):
            yield node
            return
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def translations(qset: QuestionnaireSet) -> dict[str, tuple[int, int]]:
    """For each locale other than English that the pack's texts use: (texts translated, texts)."""
    texts = [t for q in qset.every for t in _texts(loader.content(q))]
    locales = sorted({locale for text in texts for locale in text} - {"en"})
    return {
        locale: (sum(1 for text in texts if text.get(locale, "").strip()), len(texts))
        for locale in locales
    }
