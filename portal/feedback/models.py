"""Evaluations: versioned questionnaires for pupils and supervisors, one response per
assignment and audience, one row per answer (so averages are SQL aggregation), and the
keys that make the evaluation reminders happen once."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, str_enum, utcnow


class Audience(enum.StrEnum):
    PUPIL = "pupil"
    EMPLOYER = "employer"


class QuestionKind(enum.StrEnum):
    LIKERT = "likert"  # 1–5
    TEXT = "text"
    YESNO = "yesno"


class FeedbackForm(Base):
    """One version of one audience's questions. Never changed once answered: editing the
    questions saves a new version, and answers keep pointing at the one they answered."""

    __tablename__ = "feedback_form"
    __table_args__ = (UniqueConstraint("audience", "version",
                                       name="uq_feedback_form_audience_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience))
    version: Mapped[int]
    # [{"key", "kind", "label_sv", "label_en"}, …] in the order they are asked
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class FeedbackResponse(Base):
    """A pupil's or a supervisor's evaluation of one assignment: at most one each."""

    __tablename__ = "feedback_response"
    __table_args__ = (UniqueConstraint("assignment_id", "audience",
                                       name="uq_feedback_response_assignment_audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    audience: Mapped[Audience] = mapped_column(str_enum(Audience))
    form_id: Mapped[int] = mapped_column(ForeignKey("feedback_form.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_label: Mapped[str] = mapped_column(String(200), default="")
    # The employer's, as columns for reporting and the certificate.
    statement: Mapped[str] = mapped_column(Text, default="", server_default="")
    again_next_term: Mapped[bool | None]

    form: Mapped[FeedbackForm] = relationship()
    answers: Mapped[list[FeedbackAnswer]] = relationship(
        order_by="FeedbackAnswer.id", cascade="all, delete-orphan")


class FeedbackAnswer(Base):
    __tablename__ = "feedback_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_key",
                         name="uq_feedback_answer_response_question_key"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_response.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(40))
    score: Mapped[int | None]  # a Likert answer, 1–5
    text: Mapped[str] = mapped_column(Text, default="")  # free text, or "yes"/"no"


class FeedbackReminder(Base):
    """One evaluation reminder (day 1, 3 or 10 after the period) per assignment, audience
    and day, however often and from however many servers the job runs."""

    __tablename__ = "feedback_reminder"
    __table_args__ = (UniqueConstraint("assignment_id", "audience", "day_number",
                                       name="uq_feedback_reminder_assignment_audience_day_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    audience: Mapped[Audience] = mapped_column(str_enum(Audience))
    day_number: Mapped[int]
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
