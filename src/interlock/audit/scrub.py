"""Secrets stay out of every record, whatever the content level.

One compiled pattern per configuration: every secret the configuration itself holds (provider
keys, sink tokens, webhook secrets), plus the shapes of credentials a caller might paste into a
prompt or a header might leak into a decision: gateway keys, JWTs, bearer tokens and the common
provider key formats. Applied to the serialised record, so no field can be forgotten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from interlock.config import GatewayConfig

MARK = "[secret removed]"

# Shapes, not values: matched anywhere in a record. Kept specific enough not to eat prose.
SHAPES = [
    r"ilk_[a-z0-9]{12}_[A-Za-z0-9_\-]{20,}",  # gateway keys (auth/keys.py)
    r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",  # JWTs
    r"(?:[Bb]earer|BEARER)\s+[A-Za-z0-9._~+/\-]{16,}=*",  # bearer tokens in quoted headers
    r"sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-)?[A-Za-z0-9_\-]{20,}",  # OpenAI / Anthropic
    r"(?:AKIA|ASIA)[0-9A-Z]{16}",  # AWS access key ids
    r"AIza[0-9A-Za-z_\-]{35}",  # Google API keys
    r"gh[pousr]_[A-Za-z0-9]{36,}",  # GitHub tokens
    r"xox[abprs]-[A-Za-z0-9\-]{10,}",  # Slack tokens
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
]


# One of these is in every match of SHAPES (case as it appears there).
MARKERS = (
    "ilk_", "eyJ", "earer", "EARER", "sk-", "AKIA", "ASIA", "AIza", "ghp_", "gho_", "ghu_",
    "ghs_", "ghr_", "xox", "PRIVATE KEY",
)  # fmt: skip


def config_secrets(config: GatewayConfig) -> list[str]:
    """Every secret value written in the configuration file."""
    found: list[str] = []
    for provider in config.providers.values():
        found += [
            v for v in (provider.api_key, provider.secret_access_key, provider.session_token) if v
        ]
        found += [v for k, v in provider.headers.items() if _secretish(k)]
    for sink in config.audit.sinks:
        for attr in ("token", "secret"):
            value = getattr(sink, attr, None)
            if value:
                found.append(value)
        for k, v in getattr(sink, "headers", {}).items():
            if _secretish(k):
                found.append(v)
    return found


def _secretish(header: str) -> bool:
    h = header.lower()
    return any(w in h for w in ("auth", "key", "token", "secret"))


class Scrubber:
    def __init__(self, literals: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is removed whole. Very short values
        # are skipped: removing every "x" would wreck records and protect nothing.
        words = sorted({w for w in literals if len(w) >= 6}, key=len, reverse=True)
        parts = [re.escape(w) for w in words] + SHAPES
        self.pattern = re.compile("|".join(parts))
        # Substrings every match must contain: a record holding none of them (nearly all) is
        # passed after a few substring scans instead of a regex run at every position.
        self.markers = tuple({w[:8] for w in words} | set(MARKERS))

    def may_hold_secret(self, value: str) -> bool:
        return any(m in value for m in self.markers)

    def text(self, value: str) -> str:
        return self.pattern.sub(MARK, value) if self.may_hold_secret(value) else value

    def json_text(self, value: str) -> str:
        # Applied to serialised JSON: a literal is matched as it appears inside a JSON string,
        # which for keys and tokens (no quotes, backslashes or control characters) is itself.
        return self.pattern.sub(MARK, value) if self.may_hold_secret(value) else value


def scrubber_for(config: GatewayConfig) -> Scrubber:
    return Scrubber(config_secrets(config))
