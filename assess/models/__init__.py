"""The typed SQLAlchemy models, one module per area, all importable from here.

Alembic's autogenerate reads ``Base.metadata`` after this package is imported, so every model module
must be imported below.
"""

from assess.db import Base
from assess.models.accounts import (
    Invitation,
    KeptForm,
    Membership,
    Organisation,
    PasswordReset,
    User,
    UserSession,
)
from assess.models.questionnaires import QuestionnaireVersion

__all__ = [
    "Base",
    "Invitation",
    "KeptForm",
    "Membership",
    "Organisation",
    "PasswordReset",
    "QuestionnaireVersion",
    "User",
    "UserSession",
]
