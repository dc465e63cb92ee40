"""The one authorization policy: ``can(actor, action, resource)``, decided by a table a reader can check.

Each row of :data:`POLICY` is (role, relation of the actor to the person whose data it is) -> the
actions allowed. Anything not in the table is denied. The local single-runner mode's actor is its
one runner (role ``runner``, relation ``self`` to their own person).

Relations:

- ``self``: the data is the actor's own (a runner and their person).
- ``shared``: the person shares their data with the actor's clinic (an active share).
- ``none``: anything else (another runner, another clinic's runner, a runner who stopped sharing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["runner", "clinician", "admin", "anonymous"]
Relation = Literal["self", "shared", "none"]
Action = Literal[
    "read",
    "write",
    "export",
    "manage_sharing",
    "view_audit",
    "request_visit",
    "accept_visit",
    "change_plan",
    "clinic_notes",
]

ROLES: tuple[Role, ...] = ("runner", "clinician", "admin", "anonymous")
ACTIONS: tuple[Action, ...] = (
    "read",
    "write",
    "export",
    "manage_sharing",
    "view_audit",
    "request_visit",
    "accept_visit",
    "change_plan",
    "clinic_notes",
)

#: (role, relation) -> allowed actions. Clinic admins manage accounts and see the audit trail of
#: their clinic's runners but not their health data; clinicians read (and hand over) what is shared,
#: change the plan of a runner who shares with them (a new version with their reason), and keep
#: notes the runner does not see (``clinic_notes``: private to the clinic's staff).
POLICY: dict[tuple[Role, Relation], frozenset[Action]] = {
    ("runner", "self"): frozenset(
        {"read", "write", "export", "manage_sharing", "view_audit", "request_visit"}
    ),
    ("clinician", "shared"): frozenset({"read", "export", "accept_visit", "change_plan", "clinic_notes"}),
    ("admin", "shared"): frozenset({"view_audit"}),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: role, account (None in local mode), own person (runners), clinic (staff)."""

    role: Role
    account_id: int | None = None
    person_id: int | None = None
    clinic_id: int | None = None

    @classmethod
    def local_runner(cls, person_id: int) -> Actor:
        """The local mode's one runner."""
        return cls(role="runner", person_id=person_id)


ANONYMOUS = Actor(role="anonymous")


@dataclass(frozen=True, slots=True)
class PersonResource:
    """A person's data: whose it is and the clinics it is shared with now."""

    person_id: int
    shared_with: frozenset[int] = field(default_factory=frozenset)


def relation(actor: Actor, resource: PersonResource) -> Relation:
    """How ``actor`` stands to ``resource``."""
    if actor.role == "runner" and actor.person_id == resource.person_id:
        return "self"
    if actor.role in ("clinician", "admin") and actor.clinic_id in resource.shared_with:
        return "shared"
    return "none"


def allowed(actor: Actor, resource: PersonResource) -> frozenset[Action]:
    """Every action ``actor`` may take on ``resource``."""
    return POLICY.get((actor.role, relation(actor, resource)), frozenset())


def can(actor: Actor, action: Action, resource: PersonResource) -> bool:
    """Whether ``actor`` may take ``action`` on ``resource`` (the table decides; default deny)."""
    return action in allowed(actor, resource)


def policy_table_markdown() -> str:
    """The table as Markdown (printed in the README, section "Clinic mode")."""
    relations: tuple[Relation, ...] = ("self", "shared", "none")
    lines = ["| role | own data | shared with their clinic | anyone else's |", "|---|---|---|---|"]
    for role in ROLES:
        cells = [", ".join(a for a in ACTIONS if a in POLICY.get((role, r), ())) or "-" for r in relations]
        lines.append(f"| {role} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


ClinicAction = Literal["view_caseload", "view_clinic_audit"]

#: What a role may do with its own clinic as a whole (not one person's data): clinicians see the
#: caseload, admins the clinic's audit log (one runner's part of it still goes through :data:`POLICY`).
CLINIC_POLICY: dict[Role, frozenset[ClinicAction]] = {
    "clinician": frozenset({"view_caseload"}),
    "admin": frozenset({"view_clinic_audit"}),
}


def can_in_clinic(actor: Actor, action: ClinicAction) -> bool:
    """Whether ``actor`` may take ``action`` on their own clinic (staff with a clinic only)."""
    return actor.clinic_id is not None and action in CLINIC_POLICY.get(actor.role, frozenset())


def clinic_policy_markdown() -> str:
    """The clinic-wide table as Markdown (printed in the README, section "Clinic mode")."""
    lines = ["| role | on their own clinic |", "|---|---|"]
    lines += [f"| {role} | {', '.join(sorted(CLINIC_POLICY.get(role, ()))) or '-'} |" for role in ROLES]
    return "\n".join(lines)


#: Who may invite whom into their own clinic (one-time links). Runners join only when invited.
INVITES: dict[Role, frozenset[str]] = {
    "admin": frozenset({"clinician", "admin"}),
    "clinician": frozenset({"runner"}),
}


def can_invite(actor: Actor, role: str) -> bool:
    """Whether ``actor`` may invite someone with ``role`` into the actor's clinic."""
    return actor.clinic_id is not None and role in INVITES.get(actor.role, frozenset())
