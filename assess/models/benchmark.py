"""The peer benchmark's releases: snapshots of a group's figures (see
``assess.services.benchmark`` and ``assess.scoring.benchmark``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assess.db import Base, UTCDateTime, one_of, utcnow

#: How organisations are grouped: by sector, or by size band.
GROUP_KINDS = ("sector", "size_band")


class BenchmarkRelease(Base):
    """One published snapshot of a group's figures. Releases are kept, even when no longer
    shown, because every new release is checked against every release ever made (no two may
    differ in fewer than the threshold's number of contributions)."""

    __tablename__ = "benchmark_release"
    __table_args__ = (
        CheckConstraint(one_of("group_kind", GROUP_KINDS), name="group_kind"),
        # The latest release of a group.
        Index("ix_benchmark_release_group", "group_kind", "group_value", "id"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: sector or size_band.
    group_kind: Mapped[str] = mapped_column(String(12))
    #: The sector or size band (a value of ``assess.reference.SECTORS`` or ``SIZE_BANDS``).
    group_value: Mapped[str] = mapped_column(String(40))
    #: The method version of the figures (contributions of the same major version count).
    method_version: Mapped[str] = mapped_column(String(16))
    #: Organisation id (as text) -> the stored report's SHA-256 it contributed.
    contributors: Mapped[dict[str, str]] = mapped_column(JSON)
    #: How many organisations contributed.
    contributor_count: Mapped[int] = mapped_column(Integer)
    #: Area id -> {"level": {lower, median, upper} | None, "score": ... | None, "withheld": ...}.
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: When it was made.
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
