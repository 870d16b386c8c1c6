"""The in-memory view of the organisation that every request is checked against.

Built from one consistent snapshot of the database and never mutated: a refresh builds a new
view and swaps the reference, so a request sees one version from start to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from interlock.store.repo import Snapshot


@dataclass(frozen=True, slots=True)
class TeamRecord:
    id: str
    name: str
    revoked_at: float | None


@dataclass(frozen=True, slots=True)
class AppRecord:
    id: str
    team_id: str
    revoked_at: float | None


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    id: str
    team_id: str
    kind: str
    subject: str | None
    roles: tuple[str, ...]
    revoked_at: float | None


@dataclass(frozen=True, slots=True)
class KeyRecord:
    id: str
    hash: str
    kind: str  # "inference" or "admin"
    identity_id: str
    app_id: str | None
    expires_at: float | None
    revoked_at: float | None


@dataclass(frozen=True, slots=True)
class BindingRecord:
    id: str
    subject_type: str  # "identity" or "team"
    subject_id: str
    app_id: str
    policy: str


def _roles(raw: Any) -> tuple[str, ...]:
    if not raw:
        return ()
    value = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    return tuple(str(r) for r in value)


class IdentityView:
    def __init__(self, snap: Snapshot) -> None:
        self.version = snap.version
        self.teams = {r["id"]: TeamRecord(r["id"], r["name"], r["revoked_at"]) for r in snap.teams}
        self.apps = {
            r["id"]: AppRecord(r["id"], r["team_id"], r["revoked_at"]) for r in snap.applications
        }
        self.identities = {
            r["id"]: IdentityRecord(
                r["id"], r["team_id"], r["kind"], r["subject"], _roles(r["roles"]), r["revoked_at"]
            )
            for r in snap.identities
        }
        self.by_subject = {i.subject: i for i in self.identities.values() if i.subject}
        self.keys = {
            r["id"]: KeyRecord(
                r["id"], r["hash"], r["kind"], r["identity_id"], r["app_id"], r["expires_at"],
                r["revoked_at"],
            )
            for r in snap.api_keys
        }  # fmt: skip
        # Only live bindings are indexed: a revoked binding is the same as none.
        self.bindings: dict[tuple[str, str, str], BindingRecord] = {}
        for r in snap.bindings:
            if r["revoked_at"] is None:
                b = BindingRecord(
                    r["id"], r["subject_type"], r["subject_id"], r["app_id"], r["policy"]
                )
                self.bindings[(b.subject_type, b.subject_id, b.app_id)] = b

    def binding_for(
        self, identity_id: str | None, team_id: str, app_id: str
    ) -> BindingRecord | None:
        """The identity's own binding wins over its team's."""
        if identity_id is not None:
            found = self.bindings.get(("identity", identity_id, app_id))
            if found is not None:
                return found
        return self.bindings.get(("team", team_id, app_id))

    @classmethod
    def empty(cls) -> IdentityView:
        return cls(Snapshot(0, [], [], [], [], []))
