"""Tables of a person's story: intakes with their triage, self-test screens, plan versions,
daily check-ins and outcome questionnaires.

Values the core computes (answers, triage, plans, decisions) are stored as JSON documents next to
the few columns that queries filter or sort on. Pain scores carry CHECK constraints so that even a
write that skipped validation cannot store an impossible value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from heelcoach.store.base import Base


def _pain_check(column: str, *, nullable: bool = True) -> CheckConstraint:
    """0-10 numeric rating scale for one pain column."""
    rule = f"{column} >= 0 AND {column} <= 10"
    if nullable:
        rule = f"{column} IS NULL OR ({rule})"
    return CheckConstraint(rule, name=f"{column}_nrs")


class Person(Base):
    """A runner followed by heelcoach (one for a local runner, many in a clinic)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class IntakeRow(Base):
    """The questionnaire answers as given, the questionnaire version, and the triage they produced."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    questionnaire_version: Mapped[str] = mapped_column(String(40), nullable=False)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    triage_level: Mapped[str] = mapped_column(String(20), nullable=False)
    triage: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class ScreenRow(Base):
    """One session of self-tests: the raw results and the screen report computed from them."""

    __tablename__ = "screens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    taken_on: Mapped[date] = mapped_column(Date, nullable=False)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class PlanVersionRow(Base):
    """One version of a person's plan, with the decisions and rules that made it and why."""

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("person_id", "version", name="uq_plan_versions_person_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    phase: Mapped[str] = mapped_column(String(20), nullable=False)
    week: Mapped[int] = mapped_column(Integer, nullable=False)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)


class CheckInRow(Base):
    """A day's check-in; one per person per day (a second one that day replaces the first)."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("person_id", "day", name="uq_checkins_person_day"),
        _pain_check("first_step_pain", nullable=False),
        _pain_check("worst_pain"),
        _pain_check("run_pain_during"),
        _pain_check("run_pain_after"),
        CheckConstraint("run_km IS NULL OR run_km >= 0", name="run_km_positive"),
        CheckConstraint("run_minutes IS NULL OR run_minutes >= 0", name="run_minutes_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    day: Mapped[date] = mapped_column(Date, nullable=False)
    first_step_pain: Mapped[int] = mapped_column(Integer, nullable=False)
    worst_pain: Mapped[int | None] = mapped_column(Integer, nullable=True)
    run_pain_during: Mapped[int | None] = mapped_column(Integer, nullable=True)
    run_pain_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_morning_worse: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    run_km: Mapped[float | None] = mapped_column(Float, nullable=True)
    run_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    done_items: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    passive_used: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    red_flag_symptoms: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class OutcomeRow(Base):
    """One outcome questionnaire (FAAM subscale or PSFS): the answers and the computed score."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    )
    instrument: Mapped[str] = mapped_column(String(40), nullable=False)
    taken_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
