"""The identity database's schema, as numbered migrations applied in order, once.

Written in the SQL both engines accept; the few differences are template slots filled per
dialect. Times are UNIX seconds (float) everywhere: no time-zone handling in two engines.
"""

from __future__ import annotations

DIALECT_SLOTS: dict[str, dict[str, str]] = {
    "sqlite": {"serial_pk": "INTEGER PRIMARY KEY AUTOINCREMENT"},
    "postgresql": {"serial_pk": "BIGSERIAL PRIMARY KEY"},
}

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "organisation, credentials, bindings, admin audit, change counter",
        [
            """CREATE TABLE teams (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                revoked_at DOUBLE PRECISION
            )""",
            """CREATE TABLE applications (
                id TEXT PRIMARY KEY,
                team_id TEXT NOT NULL REFERENCES teams(id),
                name TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                revoked_at DOUBLE PRECISION
            )""",
            """CREATE TABLE identities (
                id TEXT PRIMARY KEY,
                team_id TEXT NOT NULL REFERENCES teams(id),
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                subject TEXT UNIQUE,
                roles TEXT NOT NULL DEFAULT '[]',
                created_at DOUBLE PRECISION NOT NULL,
                revoked_at DOUBLE PRECISION
            )""",
            """CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                hash TEXT NOT NULL,
                kind TEXT NOT NULL,
                identity_id TEXT NOT NULL REFERENCES identities(id),
                app_id TEXT REFERENCES applications(id),
                name TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION,
                revoked_at DOUBLE PRECISION,
                replaces TEXT,
                replaced_by TEXT
            )""",
            "CREATE INDEX api_keys_identity ON api_keys(identity_id)",
            """CREATE TABLE bindings (
                id TEXT PRIMARY KEY,
                subject_type TEXT NOT NULL,
                subject_id TEXT NOT NULL,
                app_id TEXT NOT NULL REFERENCES applications(id),
                policy TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                revoked_at DOUBLE PRECISION
            )""",
            "CREATE INDEX bindings_app ON bindings(app_id)",
            """CREATE TABLE admin_audit (
                id {serial_pk},
                at DOUBLE PRECISION NOT NULL,
                actor TEXT NOT NULL,
                actor_roles TEXT NOT NULL,
                action TEXT NOT NULL,
                entity_type TEXT NOT NULL,
                entity_id TEXT,
                outcome TEXT NOT NULL,
                reason TEXT,
                before TEXT,
                after TEXT,
                request_id TEXT,
                source TEXT
            )""",
            "CREATE INDEX admin_audit_at ON admin_audit(at)",
            # One row; every change bumps it in the same transaction. Instances poll this single
            # row to learn, cheaply, that their in-memory view is out of date.
            "CREATE TABLE identity_state (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)",
            "INSERT INTO identity_state (id, version) VALUES (1, 1)",
        ],
    ),
    (
        2,
        "cost control: spend ledger and budget warning events",
        [
            # Settled spend, summed per 15 minutes (every time zone's midnight falls on one) and
            # per team, application, model, key and identity: the source of spend reports, and
            # of in-process budget counters after a restart.
            """CREATE TABLE spend_ledger (
                bucket_start DOUBLE PRECISION NOT NULL,
                team_id TEXT NOT NULL,
                app_id TEXT NOT NULL,
                model TEXT NOT NULL,
                provider TEXT NOT NULL,
                key_id TEXT NOT NULL,
                identity_id TEXT NOT NULL,
                requests BIGINT NOT NULL,
                input_tokens BIGINT NOT NULL,
                output_tokens BIGINT NOT NULL,
                cached_input_tokens BIGINT NOT NULL,
                reasoning_tokens BIGINT NOT NULL,
                cost_nano BIGINT NOT NULL,
                PRIMARY KEY (bucket_start, team_id, app_id, model, provider, key_id, identity_id)
            )""",
            # One row per budget counter (its key names the period) and threshold: a warning is
            # sent once per threshold per period, across restarts.
            """CREATE TABLE budget_events (
                id {serial_pk},
                at DOUBLE PRECISION NOT NULL,
                kind TEXT NOT NULL,
                counter TEXT NOT NULL,
                threshold TEXT NOT NULL,
                policy TEXT NOT NULL,
                budget TEXT NOT NULL,
                spent_nano BIGINT NOT NULL,
                limit_nano BIGINT NOT NULL,
                period_end DOUBLE PRECISION NOT NULL,
                request_id TEXT
            )""",
            "CREATE UNIQUE INDEX budget_events_once ON budget_events(counter, threshold)",
        ],
    ),
    (
        3,
        "cost control: budgets managed through the admin API",
        [
            # Budgets made through /admin/budgets or `interlock budgets`, applied next to the
            # configuration's. A null scope column means "any": {team: red} is team red's
            # budget across every app, model and key. Money in integer nano-dollars.
            """CREATE TABLE budgets (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                team_id TEXT,
                app_id TEXT,
                model TEXT,
                key_id TEXT,
                period TEXT NOT NULL,
                timezone TEXT NOT NULL,
                limit_nano BIGINT NOT NULL,
                thresholds TEXT NOT NULL,
                action TEXT NOT NULL,
                downgrade_to TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )""",
            # The same one-row change counter as identity_state: every change bumps it, and
            # each instance polls it to reload its budgets within one refresh interval.
            "CREATE TABLE budget_state (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)",
            "INSERT INTO budget_state (id, version) VALUES (1, 1)",
        ],
    ),
]

LATEST = MIGRATIONS[-1][0]


def statements(dialect: str, sql: list[str]) -> list[str]:
    slots = DIALECT_SLOTS[dialect]
    return [s.format(**slots) if "{" in s else s for s in sql]
