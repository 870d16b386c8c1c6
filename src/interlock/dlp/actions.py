"""What happens to a finding's value: redact, mask, hash, pseudonymise (reversibly).

Pseudonyms are tokens like `[EMAIL_ADDRESS_1]`: the same value gets the same token everywhere
in one exchange (and, since conversations are resent whole, in every turn numbered the same
way), the model only ever sees tokens, and `Vault.restore` puts the real values back into the
answer. The vault lives on the exchange and is wiped when the exchange is done.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from interlock.dlp.config import MaskSettings

TOKEN = re.compile(r"\[([A-Z][A-Z0-9_]*_\d+)\]")
_MAX_TOKEN = 72  # longest token text: "[" + type (≤64) + "_" + digits + "]"


@dataclass(slots=True)
class Vault:
    """Pseudonyms of one exchange: value <-> token, both ways."""

    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # "EMAIL_ADDRESS_1" -> value
    counters: dict[str, int] = field(default_factory=dict)

    def token(self, entity: str, value: str) -> str:
        key = (entity, value)
        token = self.tokens.get(key)
        if token is None:
            n = self.counters[entity] = self.counters.get(entity, 0) + 1
            name = f"{entity}_{n}"
            self.values[name] = value
            token = self.tokens[key] = f"[{name}]"
        return token

    def restore(self, text: str) -> str:
        if "[" not in text or not self.values:
            return text
        return TOKEN.sub(lambda m: self.values.get(m.group(1), m.group(0)), text)

    def wipe(self) -> None:
        self.tokens.clear()
        self.values.clear()


class StreamRestorer:
    """Restores pseudonyms in text that arrives in pieces (a streamed answer).

    A token split across pieces ("[EMAIL_AD" + "DRESS_1]") is held back until it is complete
    or can no longer be one, so the client never sees half a token.
    """

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.pending = ""

    def feed(self, piece: str) -> str:
        text = self.pending + piece
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut < _MAX_TOKEN:
            tail = text[cut:]
            if re.fullmatch(r"\[[A-Z0-9_]*", tail):
                self.pending = tail
                return self.vault.restore(text[:cut])
        self.pending = ""
        return self.vault.restore(text)

    def flush(self) -> str:
        rest, self.pending = self.pending, ""
        return rest


def mask(value: str, settings: MaskSettings) -> str:
    """Letters and digits become the mask character except the first/last ones kept."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    keep = set(positions[: settings.keep_first])
    if settings.keep_last:
        keep.update(positions[-settings.keep_last :])
    if len(keep) >= len(positions):  # keeping everything would reveal the value
        keep = set(positions[: max(0, len(positions) // 4)]) if settings.keep_first else set()
    chars = list(value)
    for i in positions:
        if i not in keep:
            chars[i] = settings.char
    return "".join(chars)


def keyed_hash(entity: str, value: str, key: bytes) -> str:
    digest = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:16]
    return f"[{entity}:{digest}]"
