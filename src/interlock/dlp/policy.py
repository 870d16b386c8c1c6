"""A policy's `dlp` section compiled once into an engine (rules, databases, gazetteers)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from interlock.dlp import validators as v
from interlock.dlp.config import CustomEntity, DlpPolicy
from interlock.dlp.credentials import credential_rules
from interlock.dlp.engine import Engine
from interlock.dlp.names import LOCATION, ORGANIZATION, PERSON, NameRecognizer
from interlock.dlp.pii import pii_rules
from interlock.dlp.recent import RecentScans
from interlock.dlp.rules import Rule, words

log = logging.getLogger("interlock.dlp")

NAME_ENTITIES = frozenset({PERSON, LOCATION, ORGANIZATION})
_PROCESS_HASH_KEY = os.urandom(32)

_VALIDATORS = {
    "luhn": lambda s: v.luhn_ok(v.digits(s)) and len(v.digits(s)) > 1,
    "iban": v.iban,
    "mod97": lambda s: v.digits(s) != "" and int(v.digits(s)) % 97 == 1,
    "verhoeff": lambda s: v.digits(s) != "" and v.verhoeff_ok(v.digits(s)),
    "none": None,
}


def builtin_rules() -> list[Rule]:
    return pii_rules() + credential_rules()


@lru_cache(maxsize=1)
def builtin_entities() -> frozenset[str]:
    return frozenset(r.entity for r in builtin_rules()) | NAME_ENTITIES


@lru_cache(maxsize=1)
def when_absent() -> DlpPolicy:
    """What a policy without a `dlp` section gets: the `restricted` types (secrets, cards,
    national IDs, IBAN, bank numbers, passports) redacted, nothing else scanned. The most
    sensitive data never leaves unless a policy says so, and traffic nobody configured DLP for
    is otherwise left as written; `dlp: {enabled: false}` turns even this off."""
    restricted = sorted({r.entity for r in builtin_rules() if r.classification == "restricted"})
    return DlpPolicy(actions={"default": "redact"}, entities=restricted)


def custom_rules(entity: CustomEntity) -> list[Rule]:
    rules: list[Rule] = []
    common = {
        "classification": entity.classification,
        "score": entity.score,
        "caseless": not entity.case_sensitive,
        "validate": _VALIDATORS[entity.validator],
        "context": words(*entity.context),
        "needs_context": entity.context_required,
    }
    for i, pattern in enumerate(entity.patterns):
        rules.append(Rule(f"custom:{entity.name.lower()}:{i}", entity.name, pattern, **common))  # type: ignore[arg-type]
    if entity.terms:
        alternatives = "|".join(_term(t) for t in sorted(entity.terms, key=len, reverse=True))
        rules.append(
            Rule(
                f"custom:{entity.name.lower()}:terms", entity.name, f"(?:{alternatives})", **common
            )  # type: ignore[arg-type]
        )
    return rules


def _term(term: str) -> str:
    escaped = re.escape(term)
    head = r"\b" if term[:1].isalnum() else ""
    tail = r"\b" if term[-1:].isalnum() else ""
    return head + escaped + tail


@dataclass(slots=True)
class CompiledPolicy:
    policy: DlpPolicy
    engine: Engine
    hash_key: bytes


def compile_policy(policy: DlpPolicy, backend: str = "auto") -> CompiledPolicy:
    wanted = set(policy.entities) if policy.entities is not None else None
    if wanted is not None:
        unknown = wanted - builtin_entities()
        if unknown:
            raise ValueError(f"dlp.entities: unknown types {sorted(unknown)}")
    rules = [r for r in builtin_rules() if wanted is None or r.entity in wanted]
    for entity in policy.custom:
        rules.extend(custom_rules(entity))
    names = NAME_ENTITIES if wanted is None else NAME_ENTITIES & wanted
    recognizer = NameRecognizer(frozenset(names)) if names else None
    engine = Engine(
        rules,
        recognizer,
        min_score=policy.min_score,
        allow_values=policy.allow_values,
        backend=backend,
    )
    engine.recent = RecentScans(policy.recent_scans) if policy.recent_scans else None
    key = _PROCESS_HASH_KEY
    if policy.hash_key_env:
        secret = os.environ.get(policy.hash_key_env)
        if secret:
            key = hashlib.sha256(secret.encode()).digest()
        else:
            log.warning(
                "dlp.hash_key_env %s is not set: hashing with a per-process key",
                policy.hash_key_env,
            )
    return CompiledPolicy(policy, engine, key)
