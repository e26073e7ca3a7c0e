"""Consultants working across client organisations: their clients on one page, and the
consultancy's name and logo on the reports of assessments where they ran a workshop.

A consultant is a facilitator in each client organisation. :func:`clients_of` gathers every such
organisation with its assessments, their progress and their workshop sessions, so that the
consultant moves between clients without switching organisation.

The logo is accepted only as PNG or JPEG, up to ``CONSULTANCY_LOGO_MAX_BYTES``, and is decoded
and re-encoded as a fresh PNG with Pillow before it is stored (metadata, animation frames and
anything else in the file are dropped); an SVG, or anything Pillow does not read as a PNG or a
JPEG, is refused. Only the re-encoded image ever reaches a report.
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from typing import Any

from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select

from assess import db
from assess.models import (
    Assessment,
    ConsultancyBrand,
    Membership,
    Organisation,
    Participant,
    User,
    WorkshopSession,
)
from assess.permissions import FACILITATOR
from assess.questionnaire.answers import Status
from assess.questionnaire.validation import Message, visible_questions
from assess.services import ServiceError, assessments

#: The longest consultancy name accepted.
NAME_MAX_LENGTH = 120
#: Formats accepted, as Pillow names them after reading the file (not its name or type).
LOGO_FORMATS = frozenset({"PNG", "JPEG"})
#: A stored logo fits in this box (pixels), keeping its proportions.
LOGO_BOX = (600, 240)
#: Pictures with more pixels than this are refused before decoding (decompression bombs).
LOGO_MAX_PIXELS = 25_000_000


# ---- branding ------------------------------------------------------------------------------


def brand_of(user: User) -> ConsultancyBrand | None:
    """The consultancy ``user`` works for, if they have named one."""
    return db.session().get(ConsultancyBrand, user.id)


def reencode_logo(data: bytes) -> tuple[bytes, int, int]:
    """``data`` (a PNG or JPEG file) decoded and written again as a PNG that fits
    :data:`LOGO_BOX`; returns the PNG and its width and height. Raises :class:`ServiceError`
    for anything else."""
    limit = current_app.config["CONSULTANCY_LOGO_MAX_BYTES"]
    if len(data) > limit:
        raise ServiceError(
            Message("The logo must be %(kb)s KB or smaller.", kb=limit // 1024), field="logo"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in LOGO_FORMATS:
                    raise ServiceError(Message("Choose a PNG or JPEG file."), field="logo")
                if image.width * image.height > LOGO_MAX_PIXELS:
                    raise ServiceError(Message("The logo has too many pixels."), field="logo")
                # WeasyPrint lets Pillow load truncated files; a logo must be whole.
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                picture = image.convert("RGBA")
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Warning):
        raise ServiceError(
            Message("The file is not a PNG or JPEG picture that can be read."), field="logo"
        ) from None
    picture.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue(), picture.width, picture.height


def save_brand(user: User, name: str, logo: bytes | None, *, remove_logo: bool = False) -> None:
    """Name ``user``'s consultancy and (optionally) give or remove its logo. Nothing is stored
    when the name or the logo is refused (:class:`ServiceError`)."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(Message("Enter the consultancy's name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(
            Message("The name must be %(n)s characters or fewer.", n=NAME_MAX_LENGTH), field="name"
        )
    encoded = reencode_logo(logo) if logo else None
    session = db.session()
    brand = brand_of(user)
    if brand is None:
        brand = ConsultancyBrand(user_id=user.id, name=name)
        session.add(brand)
    brand.name = name
    if encoded is not None:
        brand.logo_png, brand.logo_width, brand.logo_height = encoded
    elif remove_logo:
        brand.logo_png = brand.logo_width = brand.logo_height = None
    brand.updated_at = db.utcnow()
    session.commit()


def remove_brand(user: User) -> None:
    """Take the consultancy's name and logo off ``user``'s future reports."""
    brand = brand_of(user)
    if brand is not None:
        db.session().delete(brand)
        db.session().commit()


def logo_data_uri(brand: ConsultancyBrand) -> str | None:
    """The stored (re-encoded) logo as a ``data:`` URL for the report, or None."""
    if not brand.logo_png:
        return None
    return "data:image/png;base64," + base64.b64encode(brand.logo_png).decode("ascii")


def prepared_by(assessment: Assessment) -> dict[str, Any] | None:
    """Who facilitated ``assessment``'s workshops, and their consultancies' names and logos, as
    plain data for the report; None when no workshop was run on it."""
    rows = db.session().execute(
        select(User, ConsultancyBrand)
        .join(WorkshopSession, WorkshopSession.facilitator_id == User.id)
        .outerjoin(ConsultancyBrand, ConsultancyBrand.user_id == User.id)
        .where(WorkshopSession.assessment_id == assessment.id)
        .order_by(WorkshopSession.created_at, WorkshopSession.id)
    )
    facilitators: list[str] = []
    consultancies: list[dict[str, Any]] = []
    for user, brand in rows:
        if user.name not in facilitators:
            facilitators.append(user.name)
        if brand is not None and all(c["name"] != brand.name for c in consultancies):
            consultancies.append(
                {
                    "name": brand.name,
                    "logo": logo_data_uri(brand),
                    "width": brand.logo_width,
                    "height": brand.logo_height,
                }
            )
    if not facilitators:
        return None
    return {"facilitators": facilitators, "consultancies": consultancies}


# ---- clients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionSummary:
    """One workshop session, for the clients page."""

    session: WorkshopSession
    participants: int


@dataclass(frozen=True)
class AssessmentSummary:
    """One assessment of a client, with its progress and workshop sessions."""

    assessment: Assessment
    answered: int
    total: int
    sessions: list[SessionSummary]

    @property
    def percent(self) -> int:
        """How far the answers have got, in whole percent."""
        return round(100 * self.answered / self.total) if self.total else 0


@dataclass(frozen=True)
class Client:
    """One organisation the consultant facilitates for."""

    organisation: Organisation
    assessments: list[AssessmentSummary]


def _progress(assessment: Assessment) -> tuple[int, int]:
    answered = total = 0
    for questionnaire in assessments.questionnaires_of(assessment):
        given = assessments.answers(assessment, questionnaire.id)
        shown = visible_questions(questionnaire, given)
        for _section, question in questionnaire.questions():
            if question.id not in shown:
                continue
            total += 1
            answer = given.get(question.id)
            if answer is not None and (answer.is_answered or answer.status is not Status.ANSWERED):
                answered += 1
    return answered, total


def has_clients(user: User) -> bool:
    """Whether ``user`` facilitates for any organisation."""
    query = select(func.count(Membership.id)).where(
        Membership.user_id == user.id, Membership.role == FACILITATOR
    )
    return bool(db.session().scalar(query))


def clients_of(user: User) -> list[Client]:
    """Every available organisation where ``user`` is a facilitator, by name, each with its
    assessments (newest first), their progress, and their workshop sessions (newest first)."""
    memberships = db.session().scalars(
        select(Membership)
        .join(Membership.organisation)
        .where(Membership.user_id == user.id, Membership.role == FACILITATOR)
        .order_by(Organisation.name, Organisation.id)
    )
    found = []
    for membership in memberships:
        organisation = membership.organisation
        if not organisation.is_available:
            continue
        items = []
        for assessment in assessments.for_organisation(organisation.id):
            sessions = list(
                db.session().scalars(
                    select(WorkshopSession)
                    .where(WorkshopSession.assessment_id == assessment.id)
                    .order_by(WorkshopSession.created_at.desc(), WorkshopSession.id.desc())
                )
            )
            counted = db.session().execute(
                select(Participant.session_id, func.count(Participant.id))
                .where(Participant.session_id.in_([s.id for s in sessions]))
                .group_by(Participant.session_id)
            )
            counts: dict[int, int] = {}
            for session_id, n in counted:
                counts[session_id] = n
            answered, total = _progress(assessment)
            items.append(
                AssessmentSummary(
                    assessment,
                    answered,
                    total,
                    [SessionSummary(s, counts.get(s.id, 0)) for s in sessions],
                )
            )
        found.append(Client(organisation, items))
    return found
