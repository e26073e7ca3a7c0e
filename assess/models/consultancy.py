"""A consultancy's name and logo, which a consultant (a facilitator of client organisations) may
put on the reports of assessments where they ran a workshop.

The logo is stored only after it has been decoded and re-encoded as PNG (see
:mod:`assess.services.consultancy`): what is kept is never the uploaded file itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, utcnow
from assess.models.accounts import User


class ConsultancyBrand(Base):
    """The consultancy one person works for, as shown on client reports."""

    __tablename__ = "consultancy_brand"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(120))
    #: The re-encoded PNG, or None for a name without a logo.
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    logo_width: Mapped[int | None] = mapped_column(Integer, default=None)
    logo_height: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
