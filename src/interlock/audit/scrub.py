"""Secrets stay out of every record, whatever the content level.

One compiled pattern per configuration: every secret the configuration itself holds (provider
keys, sink tokens, webhook secrets), plus the shapes of credentials a caller might paste into a
prompt or a header might leak into a decision: gateway keys, JWTs, bearer tokens and the common
provider key formats. Applied to the serialised record, so no field can be forgotten.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from interlock.config import GatewayConfig

try:  # a binary wheel for x86-64 Linux and macOS (as for DLP); elsewhere, `in` per marker
    import hyperscan
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None

MARK = "[secret removed]"

# Shapes, not values: matched anywhere in a record. Kept specific enough not to eat prose. Each
# with the substrings one of which is in every match: a shape is only run over a record that
# holds one of its markers, and as its own pattern (a literal prefix lets the regex engine skip
# ahead instead of trying an alternation of every shape at every position).
SHAPES: list[tuple[tuple[str, ...], str]] = [
    (("ilk_",), r"ilk_[a-z0-9]{12}_[A-Za-z0-9_\-]{20,}"),  # gateway keys (auth/keys.py)
    (("eyJ",), r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"),  # JWTs
    (("earer", "EARER"), r"(?:[Bb]earer|BEARER)\s+[A-Za-z0-9._~+/\-]{16,}=*"),  # bearer tokens
    (("sk-",), r"sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-)?[A-Za-z0-9_\-]{20,}"),  # OpenAI, Anthropic
    (("AKIA", "ASIA"), r"(?:AKIA|ASIA)[0-9A-Z]{16}"),  # AWS access key ids
    (("AIza",), r"AIza[0-9A-Za-z_\-]{35}"),  # Google API keys
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), r"gh[pousr]_[A-Za-z0-9]{36,}"),  # GitHub tokens
    (("xox",), r"xox[abprs]-[A-Za-z0-9\-]{10,}"),  # Slack tokens
    (("PRIVATE KEY",),
     r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
]  # fmt: skip


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
        literals = re.compile("|".join(re.escape(w) for w in words)) if words else None
        # (marker, pattern) for every marker: a pattern runs when one of its markers is in the
        # text (twice at worst, when two are: harmless, the second finds nothing).
        self.checks: list[tuple[str, re.Pattern[str]]] = [
            (marker, literals) for marker in {w[:8] for w in words} if literals is not None
        ]
        for markers, pattern in SHAPES:
            compiled = re.compile(pattern)
            self.checks += [(marker, compiled) for marker in markers]
        self.markers = tuple(m for m, _ in self.checks)
        # One pass over the encoded record (Hyperscan) says which patterns match at all: a record
        # is ~1.5 KB and there are some 16 markers, so `marker in text` for each one was most of
        # the scrub's cost, and a marker alone (the "ilk_" of every key id) ran its pattern.
        self._patterns: list[re.Pattern[str]] = list(dict.fromkeys(p for _, p in self.checks))
        self._gate = (
            _Gate(words, self._patterns[1:] if words else self._patterns) if hyperscan else None
        )

    def may_hold_secret(self, value: str) -> bool:
        return any(m in value for m in self.markers)

    def text(self, value: str) -> str:
        """`value` without secrets; the same object when there was nothing to remove."""
        out = value
        for marker, pattern in self.checks:
            if marker in out:
                out = pattern.sub(MARK, out)
        return value if out == value else out

    def json_text(self, value: str) -> str:
        # Applied to serialised JSON: a literal is matched as it appears inside a JSON string,
        # which for keys and tokens (no quotes, backslashes or control characters) is itself.
        return self.text(value)

    def json_bytes(self, raw: bytes) -> bytes:
        """Serialised JSON (UTF-8) without secrets; `raw` itself when there was nothing to remove.

        Only the patterns the one-pass scan found run (on the text, as in `text`, in the same
        order), so a clean record is neither decoded nor searched again."""
        if self._gate is None:
            text = raw.decode()
            out = self.text(text)
            return raw if out is text else out.encode()
        found = self._gate.find(raw)
        if not found:
            return raw
        text = raw.decode()
        out = text
        for i in sorted(found):
            out = self._patterns[i].sub(MARK, out)
        return raw if out == text else out.encode()


class _Gate:
    """Which patterns match somewhere in a byte string (the literals as pattern 0), in one
    Hyperscan scan, with a scratch space per thread (Hyperscan refuses two scans at once on
    one scratch)."""

    def __init__(self, literals: list[str], shapes: list[re.Pattern[str]]) -> None:
        first = 1 if literals else 0
        # Literals byte by byte (whatever they hold); shapes as written, with Unicode classes
        # (`\s` matches what Python's `\s` matches in the text).
        entries = [("".join(f"\\x{b:02x}" for b in w.encode()), 0, 0) for w in literals]
        unicode = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP
        entries += [(p.pattern, first + i, unicode) for i, p in enumerate(shapes)]
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self._db.compile(
            expressions=[e.encode() for e, _, _ in entries],
            ids=[i for _, i, _ in entries],
            elements=len(entries),
            flags=[f | hyperscan.HS_FLAG_SINGLEMATCH for _, _, f in entries],
        )
        self._first = hyperscan.Scratch(self._db)
        self._local = threading.local()

    def find(self, data: bytes) -> list[int]:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._first.clone()
        hits: list[int] = []
        self._db.scan(data, scratch=scratch, match_event_handler=_collect, context=hits)
        return hits


def _collect(pattern: int, _from: int, _to: int, _flags: int, hits: Any) -> None:
    hits.append(pattern)


def scrubber_for(config: GatewayConfig) -> Scrubber:
    return Scrubber(config_secrets(config))
