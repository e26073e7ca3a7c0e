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
from assess.models.assessments import AnswerRecord, Assessment, Progress, TargetOverride
from assess.models.audit import AuditEvent, AuditPerson
from assess.models.questionnaires import QuestionnaireVersion
from assess.models.reports import StoredReport
from assess.models.workshops import (
    ConsensusRecord,
    Participant,
    ParticipantAnswer,
    WorkshopSession,
)

__all__ = [
    "AnswerRecord",
    "Assessment",
    "AuditEvent",
    "AuditPerson",
    "Base",
    "ConsensusRecord",
    "Invitation",
    "KeptForm",
    "Membership",
    "Organisation",
    "Participant",
    "ParticipantAnswer",
    "PasswordReset",
    "Progress",
    "QuestionnaireVersion",
    "StoredReport",
    "TargetOverride",
    "User",
    "UserSession",
    "WorkshopSession",
]
