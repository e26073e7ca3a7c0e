"""Finalised reports, stored once and served as stored.

The PDF is kept in the database rather than as a file in the instance folder: it is written in the
same transaction as the assessment's change to "finalised" (so there is never a finalised
assessment without its report, or a report without its assessment), it travels with every backup
of the database, and every worker of a multi-server installation sees it. A report is a few hundred
kilobytes, once per finalised assessment.

The database refuses to change or delete a stored report (triggers, see the "finalised reports"
migration); only the fields that say it was superseded may be set, once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, utcnow
from assess.models.assessments import Assessment


class StoredReport(Base):
    """The PDF of one finalised assessment, byte for byte as it was rendered."""

    __tablename__ = "stored_report"
    __table_args__ = (
        CheckConstraint("size = length(pdf)", name="size"),
        CheckConstraint(
            "(superseded_at IS NULL) = (superseded_by_id IS NULL)", name="superseded_together"
        ),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The finalised assessment (one report each). RESTRICT: deleting it never deletes the report.
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="RESTRICT"), unique=True
    )
    #: The id printed on every page, such as "R-2026-000042".
    report_id: Mapped[str] = mapped_column(String(32), unique=True)
    #: SHA-256 (hex) of the PDF's bytes: what verifying a file looks up.
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    #: SHA-256 (hex) of the embedded assessment.json: the fingerprint printed on every page.
    data_sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: The PDF itself (loaded only when asked for).
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: The PDF's length in bytes.
    size: Mapped[int] = mapped_column(Integer)
    #: When it was rendered and stored (the moment of finalising).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When a finalised correction replaced it, and that correction's report.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_report.id", ondelete="RESTRICT"), default=None
    )

    assessment: Mapped[Assessment] = relationship()
    superseded_by: Mapped[StoredReport | None] = relationship(remote_side=[id])
    #: The same report in the other languages, stored at the same moment (the PDF above is the
    #: English one).
    languages: Mapped[list[StoredReportLanguage]] = relationship(
        back_populates="stored_report", order_by="StoredReportLanguage.locale"
    )

    @property
    def is_superseded(self) -> bool:
        """A later version of the assessment has been finalised."""
        return self.superseded_at is not None

    def __repr__(self) -> str:
        return f"<StoredReport {self.report_id} {self.sha256[:12]}>"


class StoredReportLanguage(Base):
    """A finalised report in another language than English, stored with it when it was finalised.

    Its words are in ``locale``; its figures and embedded data are the English report's (the same
    ``data_sha256``). It is verified by its own SHA-256 like the English file, and is superseded
    when that one is.
    """

    __tablename__ = "stored_report_language"
    __table_args__ = (
        CheckConstraint("size = length(pdf)", name="size"),
        UniqueConstraint("stored_report_id", "locale"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The English report it translates. RESTRICT: never deleted with it.
    stored_report_id: Mapped[int] = mapped_column(
        ForeignKey("stored_report.id", ondelete="RESTRICT"), index=True
    )
    #: The language of its words, such as "cy".
    locale: Mapped[str] = mapped_column(String(16))
    #: SHA-256 (hex) of the PDF's bytes: what verifying a file looks up.
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    #: The PDF itself (loaded only when asked for).
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: The PDF's length in bytes.
    size: Mapped[int] = mapped_column(Integer)
    #: When it was rendered and stored (the moment of finalising).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    stored_report: Mapped[StoredReport] = relationship(back_populates="languages")

    def __repr__(self) -> str:
        return f"<StoredReportLanguage {self.locale} {self.sha256[:12]}>"
