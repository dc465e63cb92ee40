"""The shapes the JSON API answers with (``response_model`` of every ``/api`` route).

They document the real answers in ``/api/openapi.json``. Each keeps any field it does not name
(``extra="allow"``), so a field a service adds reaches the client before it is described here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Rows = list[dict[str, Any]]
#: How the person reads distances (their setting). Numbers in the JSON stay in km, as their field
#: names say (``run_km``, ``weekly_km_cap``): convert for display, never before storing.
DistanceUnitName = Annotated[
    Literal["km", "mi"],
    Field(description="The person's display unit; every distance in this answer is in km."),
]


class Out(BaseModel):
    """Base of the answers: named fields, and any further ones passed through."""

    model_config = ConfigDict(extra="allow")


class Ready(Out):
    """Whether this process can serve, check by check (no details)."""

    status: str
    checks: dict[str, bool]


class Question(Out):
    """One intake question: id, group, type, wording, allowed answers."""

    id: str
    group: str
    type: str
    prompt: str
    help: str = ""
    required: bool = False
    choices: Rows = []


class Condition(Out):
    """One condition of the differential, with what speaks for and against it."""

    name: str
    likelihood: str
    plain: str = ""


class Triage(Out):
    """The triage of a set of answers: level, red flags, differential, next steps."""

    level: str
    level_title: str = ""
    needs_clinician: bool = False
    stops_loading: bool = False
    red_flags: Rows = []
    differential: list[Condition] = []
    next_steps: list[str] = []
    disclaimer: str = ""


class TriageResult(Out):
    """The triage of the stored answers, as the runner reads it."""

    level: str
    stop: bool
    headline: str
    summary: str
    red_flags: list[Any] = []
    differential: list[Condition] = []
    next_steps: list[str] = []


class PlanMade(Out):
    """A plan version just built."""

    version: int
    phase: str
    week: int
    plan: dict[str, Any]


class Plan(PlanMade):
    """The current plan version, with its start day and why it changed."""

    starts_on: str
    reason: str


class TodayState(Out):
    """Today's day of the plan week and whether the check-in is done."""

    today: str
    day_of_week: int
    checked_in_today: bool
    review_due: bool
    phase: str
    week: int


class CheckInSaved(Out):
    """A stored check-in: its day, whether it replaced one, warnings for the runner."""

    day: str
    replaced: bool
    warnings: list[str]


class Progress(Out):
    """Pain series, outcome scores, adherence and the plan's version history."""

    pain: Rows = []
    outcomes: Rows = []
    outcome_changes: Rows = []
    adherence: Rows = []
    plan_history: Rows = []
    summary: dict[str, Any] = {}
    distance_unit: DistanceUnitName


class Runs(Out):
    """Imported activities, the weekly load table and the spikes found."""

    runs: Rows
    weeks: Rows
    spikes: Rows


class Job(Out):
    """A background job: its state, progress and message."""

    job_id: str
    state: str
    progress: float
    message: str | None = None
    error: str | None = None


class Topic(Out):
    """An education topic."""

    id: str
    title: str
    summary: str


class Export(Out):
    """Everything stored about a person: the person, then each table's rows."""

    format: str
    format_version: int
    exported_at: str
    person: dict[str, Any]
    distance_unit: DistanceUnitName
    tables: dict[str, Rows]


class Me(Out):
    """Who is asking: the mode, the role and their ids."""

    mode: str
    role: str
    person_id: int | None = None
    clinic_id: int | None = None
    account_id: int | None = None


class PlanVersion(Out):
    """A person's current plan version, without the plan itself."""

    version: int
    phase: str
    week: int
    reason: str
    distance_unit: DistanceUnitName


class Share(Out):
    """A clinic the person shares with: since when, who sees it, what they see."""

    clinic_id: int
    clinic: str
    since: str
    active: bool
    clinicians: list[str] = []
    what: Any = None


class SharingStopped(Out):
    """Sharing with a clinic stopped."""

    stopped: bool
    clinic_id: int


class AuditEntry(Out):
    """Who did what with the person's data, and when."""

    at: str
    who: str | None = None
    role: str | None = None
    action: str
    detail: str | None = None


class Invitation(Out):
    """A one-time link for someone to join a clinic."""

    link: str
    email: str
    role: str


class TokenMade(Out):
    """A new API token: shown once."""

    id: int
    name: str
    token: str


class Token(Out):
    """An API token of the account (never the secret itself)."""

    id: int
    name: str
    created_at: str
    active: bool


class TokenRevoked(Out):
    """An API token revoked."""

    revoked: bool
    id: int


class Visit(Out):
    """A visit request to a clinic, and its time once accepted."""

    id: int
    clinic_id: int
    clinic: str | None = None
    reason: str
    preferred_times: Any = None
    requested_at: str
    state: str
    starts_at: str | None = None
    accepted_by: Any = None
    time_zone: str | None = None
    starts_local: str | None = None
    when: str | None = None
    accepted_by_name: str | None = None
