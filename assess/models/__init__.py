"""The typed SQLAlchemy models, one module per area, all importable from here.

Alembic's autogenerate reads ``Base.metadata`` after this package is imported, so every model module
must be imported below.
"""

from assess.db import Base
from assess.models.accounts import (
    EmailVerification,
    Invitation,
    KeptForm,
    Membership,
    Organisation,
    PasswordReset,
    User,
    UserSession,
)
from assess.models.answer_marks import AnswerMark
from assess.models.api_tokens import ApiToken
from assess.models.assessments import AnswerRecord, Assessment, Progress, TargetOverride
from assess.models.audit import AuditChain, AuditEvent, AuditPerson
from assess.models.benchmark import BenchmarkRelease
from assess.models.consultancy import ConsultancyBrand
from assess.models.limits import RateLimitCounter
from assess.models.mail import OutboxMessage
from assess.models.packs import OrganisationPack, QuestionnairePack
from assess.models.progress import (
    CarriedAnswer,
    FollowOn,
    PlanAction,
    PlanReminder,
    ProgressReview,
)
from assess.models.questionnaires import QuestionnaireVersion
from assess.models.reports import StoredReport, StoredReportLanguage
from assess.models.surveys import Survey, SurveyGroup, SurveyResponse
from assess.models.workshops import (
    ConsensusRecord,
    Participant,
    ParticipantAnswer,
    WorkshopSession,
)

__all__ = [
    "AnswerMark",
    "AnswerRecord",
    "ApiToken",
    "Assessment",
    "AuditChain",
    "AuditEvent",
    "AuditPerson",
    "Base",
    "BenchmarkRelease",
    "CarriedAnswer",
    "ConsensusRecord",
    "ConsultancyBrand",
    "EmailVerification",
    "FollowOn",
    "Invitation",
    "KeptForm",
    "Membership",
    "Organisation",
    "OrganisationPack",
    "OutboxMessage",
    "Participant",
    "ParticipantAnswer",
    "PasswordReset",
    "PlanAction",
    "PlanReminder",
    "Progress",
    "ProgressReview",
    "QuestionnairePack",
    "QuestionnaireVersion",
    "RateLimitCounter",
    "StoredReport",
    "StoredReportLanguage",
    "Survey",
    "SurveyGroup",
    "SurveyResponse",
    "TargetOverride",
    "User",
    "UserSession",
    "WorkshopSession",
]
