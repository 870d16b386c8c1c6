"""Who may do what in the admin API.

- org_admin: everything.
- team_admin: their own team's applications, identities, keys and bindings; may grant only the
  roles team_admin and viewer, and may not mint keys for identities holding more than that.
- auditor: the admin audit trail (and spend, when it exists); nothing else.
- viewer: read the organisation; write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TEAM_ADMIN_GRANTABLE = frozenset({"team_admin", "viewer"})


@dataclass(frozen=True, slots=True)
class Actor:
    id: str  # identity id, "jwt:<sub>", or "cli:<user>"
    team_id: str | None
    roles: frozenset[str]
    source: str = ""  # "http:<address>" or "cli"
    request_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def org_admin(self) -> bool:
        return "org_admin" in self.roles

    @property
    def team_admin(self) -> bool:
        return "team_admin" in self.roles and self.team_id is not None


class Denied(Exception):
    """The actor may not do this; `reason` goes to the audit, the message to the caller."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def may_read(actor: Actor) -> None:
    if not (actor.org_admin or actor.team_admin or "viewer" in actor.roles):
        raise Denied("read_not_allowed", "This role cannot read the organisation")


def read_scope(actor: Actor) -> str | None:
    """None: every team; otherwise the one team whose entities the actor may see."""
    if actor.org_admin or "viewer" in actor.roles:
        return None
    return actor.team_id


def may_write_team(actor: Actor, team_id: str) -> None:
    if actor.org_admin:
        return
    if not actor.team_admin:
        raise Denied("write_not_allowed", "This role cannot change the organisation")
    if team_id != actor.team_id:
        raise Denied("other_team", "Team admins can only change their own team")


def may_manage_org(actor: Actor) -> None:
    if not actor.org_admin:
        raise Denied("org_admin_required", "Only organisation admins can do this")


def may_grant(actor: Actor, roles: list[str] | tuple[str, ...]) -> None:
    if actor.org_admin:
        return
    extra = set(roles) - TEAM_ADMIN_GRANTABLE
    if extra:
        raise Denied(
            "role_escalation",
            f"Team admins cannot grant or act for the roles: {', '.join(sorted(extra))}",
        )


def may_read_audit(actor: Actor) -> None:
    if not (actor.org_admin or "auditor" in actor.roles):
        raise Denied("audit_not_allowed", "Only organisation admins and auditors read the audit")
