"""Personal API tokens: a person's key to the read API, limited to some of their organisations.

Only the SHA-256 hash of a token is stored (the person sees the token once, when it is made), so a
copy of the database cannot be used to read anyone's data. A token acts as its person, with that
person's current roles, and reaches only the organisations in its scope.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, utcnow
from assess.models.accounts import Organisation, User

#: Which organisations a token may read (rows go with the token or the organisation).
api_token_organisation = Table(
    "api_token_organisation",
    Base.metadata,
    Column(
        "token_id", ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    Column(
        "organisation_id",
        ForeignKey("organisation.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class ApiToken(Base):
    """One personal API token."""

    __tablename__ = "api_token"

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Whose token it is; it acts with this person's roles (goes when the person is erased).
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: What the person called it ("Power BI dashboard"), to tell tokens apart.
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 (hex) of the token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, shown in the list so a person can find which one leaked.
    prefix: Mapped[str] = mapped_column(String(16))
    #: When it was made.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: After this it no longer works.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When its person revoked it (None while it may be used).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    #: When it was last used (to the nearest few minutes).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    user: Mapped[User] = relationship()
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=api_token_organisation, order_by=Organisation.name
    )

    @property
    def organisation_ids(self) -> frozenset[int]:
        """The organisations in its scope."""
        return frozenset(org.id for org in self.organisations)
