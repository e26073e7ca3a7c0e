"""Questionnaire versions that never rewrite history, and the questionnaires the app runs with.

The first time an assessment uses a version of a questionnaire, :func:`ensure_stored` keeps a copy
of its content in the database. From then on that assessment is read against the copy
(:func:`load_stored`), so editing a YAML file never changes an old assessment. Editing a file
without bumping its ``version`` is refused: at start-up (:func:`init_app`) and by
``assess questionnaires validate``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from assess import db, paths
from assess.models import QuestionnaireVersion
from assess.questionnaire import loader
from assess.questionnaire.loader import QuestionnaireSet
from assess.questionnaire.problems import Problem, QuestionnaireError
from assess.questionnaire.schema import Questionnaire

#: Where the app keeps its :class:`QuestionnaireSet` (or the error that stopped it loading).
EXTENSION = "assess.questionnaires"


def _label(questionnaire: Questionnaire, sources: Mapping[str, Path]) -> str:
    path = sources.get(questionnaire.id)
    return f"{path.parent.name}/{path.name}" if path else f"questionnaire {questionnaire.id}"


def _stored(session: Session, questionnaire_id: str, version: str) -> QuestionnaireVersion | None:
    return session.scalars(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == questionnaire_id,
            QuestionnaireVersion.version == version,
        )
    ).one_or_none()


def stored_version(questionnaire_id: str, version: str) -> QuestionnaireVersion | None:
    """The stored copy of ``version`` of the questionnaire ``questionnaire_id``, if it was used."""
    return _stored(db.session(), questionnaire_id, version)


def check_stored(
    session: Session,
    questionnaires: Iterable[Questionnaire],
    sources: Mapping[str, Path] | None = None,
) -> list[Problem]:
    """Problems between the files and the stored versions; the database is only read.

    A stored version whose content differs from the file's is a file that changed without a new
    ``version``. A questionnaire id stored with another kind is a file that changed its kind.
    """
    problems: list[Problem] = []
    for questionnaire in questionnaires:
        label = _label(questionnaire, sources or {})
        rows = session.scalars(
            select(QuestionnaireVersion).where(
                QuestionnaireVersion.questionnaire_id == questionnaire.id
            )
        ).all()
        for row in rows:
            if row.kind != questionnaire.kind:
                problems.append(
                    Problem(
                        label,
                        "kind",
                        f"`{questionnaire.id}` was used with kind `{row.kind}`; a questionnaire "
                        f"of kind `{questionnaire.kind}` needs an id of its own",
                    )
                )
                break
        same = next((r for r in rows if r.version == questionnaire.version), None)
        if same is not None and same.content_sha256 != loader.fingerprint(questionnaire):
            problems.append(
                Problem(
                    label,
                    "",
                    f"changed but its version is still {questionnaire.version}: bump `version`",
                )
            )
    return problems


def ensure_stored(
    qset: QuestionnaireSet | Iterable[Questionnaire],
) -> dict[str, QuestionnaireVersion]:
    """Store each questionnaire's version the first time it is used; return the rows by id.

    Call this when an assessment starts, and keep the returned rows' ids with the assessment.
    Raises :class:`QuestionnaireError` (and stores nothing) when a file changed without a new
    ``version``. Safe when several workers do it at once: one row per version wins.
    """
    session = db.session()
    questionnaires = list(qset)
    sources = qset.sources if isinstance(qset, QuestionnaireSet) else {}
    problems = check_stored(session, questionnaires, sources)
    if problems:
        raise QuestionnaireError(problems)
    rows: dict[str, QuestionnaireVersion] = {}
    for questionnaire in questionnaires:
        row = _stored(session, questionnaire.id, questionnaire.version)
        if row is None:
            row = QuestionnaireVersion(
                questionnaire_id=questionnaire.id,
                version=questionnaire.version,
                kind=questionnaire.kind,
                content=loader.content(questionnaire),
                content_sha256=loader.fingerprint(questionnaire),
                first_used_at=db.utcnow(),
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                # Another worker stored the same version a moment ago; use its row.
                session.rollback()
                row = _stored(session, questionnaire.id, questionnaire.version)
                assert row is not None
                if row.content_sha256 != loader.fingerprint(questionnaire):
                    raise QuestionnaireError(
                        check_stored(session, [questionnaire], sources)
                    ) from None
        rows[questionnaire.id] = row
    return rows


#: Questionnaires rebuilt from stored copies, by content fingerprint (a stored copy never changes).
_rebuilt: dict[str, Questionnaire] = {}


def load_stored(row: QuestionnaireVersion) -> Questionnaire:
    """The questionnaire exactly as it was stored, whatever the YAML file says today."""
    questionnaire = _rebuilt.get(row.content_sha256)
    if questionnaire is None:
        questionnaire = loader.from_content(row.content)
        _rebuilt[row.content_sha256] = questionnaire
    return questionnaire


#: Where an app keeps its stored versions by row id (each app has one database).
_BY_ID = "assess.questionnaires.by_id"


def by_version_id(version_id: int) -> Questionnaire:
    """The stored questionnaire version whose row id is ``version_id``.

    A stored version never changes, so each worker reads and decodes a row once (about 110 KB of
    JSON for the adoption questionnaire) and keeps the result with the app: an assessment's pages
    and saves then find their questionnaires without a query. Kept per app rather than per process
    because row ids are only unique within one database.
    """
    cache: dict[int, Questionnaire] = current_app.extensions.setdefault(_BY_ID, {})
    questionnaire = cache.get(version_id)
    if questionnaire is None:
        row = db.session().get(QuestionnaireVersion, version_id)
        if row is None:
            raise LookupError(f"no stored questionnaire version {version_id}")
        questionnaire = cache[version_id] = load_stored(row)
    return questionnaire


# -- the app's questionnaires -------------------------------------------------------------------


def _has_version_table(session: Session) -> bool:
    return inspect(session.connection()).has_table(QuestionnaireVersion.__tablename__)


def stored_problems(
    app: Flask, questionnaires: Iterable[Questionnaire], sources: Mapping[str, Path]
) -> list[Problem] | None:
    """:func:`check_stored` against ``app``'s database; None when it cannot be checked.

    It cannot be checked when the database is unreachable or not yet migrated (``assess db
    upgrade`` creates the table); nothing can have been stored then.
    """
    try:
        with Session(db.engine(app)) as session:
            if not _has_version_table(session):
                return None
            return check_stored(session, questionnaires, sources)
    except SQLAlchemyError as error:
        app.logger.warning("questionnaires not compared with stored versions: %s", error)
        return None


def questionnaires_dir(app: Flask) -> Path:
    """The folder ``app`` reads its questionnaires from (``QUESTIONNAIRES_DIR``, or the shipped)."""
    configured = app.config.get("QUESTIONNAIRES_DIR")
    return Path(configured) if configured else paths.QUESTIONNAIRES_DIR


def init_app(app: Flask, *, strict: bool = True) -> None:
    """Load and check the questionnaires once, compare them with the stored versions, keep them.

    A problem is logged and raised as :class:`QuestionnaireError`, so that a server does not start
    with a broken or silently changed questionnaire. With ``strict=False`` (the ``assess`` command)
    the error is logged and kept instead, so that ``assess questionnaires validate`` and
    ``assess db upgrade`` still run; :func:`current_questionnaires` raises it.
    """
    directory = questionnaires_dir(app)
    value: QuestionnaireSet | QuestionnaireError
    try:
        qset = loader.load_directory(directory)
        try:
            problems = stored_problems(app, qset.every, qset.sources) or []
        finally:
            # Close the check's connection: it must not outlive start-up (a server that forks
            # workers after loading the app would share it) nor an app that fails to start.
            db.engine(app).dispose()
        if problems:
            raise QuestionnaireError(problems)
        value = qset
    except QuestionnaireError as error:
        heading = f"The questionnaires in {directory} cannot be used:"
        value = QuestionnaireError(error.problems, heading=heading)
        app.logger.error("%s", value)
        if strict:
            raise value from None
    app.extensions[EXTENSION] = value


def current_questionnaires(app: Flask | None = None) -> QuestionnaireSet:
    """The questionnaires the app (default: the current app) runs with."""
    value: Any = (app or current_app).extensions[EXTENSION]
    if isinstance(value, QuestionnaireError):
        raise value
    assert isinstance(value, QuestionnaireSet)
    return value
