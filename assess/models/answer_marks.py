"""An auditor's mark on one answer: verified or challenged, with a comment.

A mark never changes the answer it is about. It names the answer's revision it was made on, so a
page can say when the answer changed after it was marked. Each answer has at most one current
mark; every mark made, and every change of one, is kept in the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assess.db import Base, UTCDateTime, one_of, utcnow
from assess.models.accounts import User

#: verified: the auditor saw the evidence; challenged: the auditor questions the answer.
MARKS = ("verified", "challenged")


class AnswerMark(Base):
    """The current mark of one answer of one assessment."""

    __tablename__ = "answer_mark"
    __table_args__ = (
        UniqueConstraint("assessment_id", "questionnaire_id", "question_id"),
        CheckConstraint(one_of("mark", MARKS), name="mark"),
        CheckConstraint("answer_revision >= 1", name="answer_revision"),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The assessment whose answer is marked.
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: The questionnaire and question of the answer.
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    #: verified or challenged.
    mark: Mapped[str] = mapped_column(String(16))
    #: What the auditor found (required when challenged).
    comment: Mapped[str] = mapped_column(Text, default="")
    #: The answer's revision when it was marked.
    answer_revision: Mapped[int] = mapped_column(Integer)
    #: Who marked it, and when.
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    marked_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AnswerMark {self.assessment_id} {self.questionnaire_id}/{self.question_id}>"
