"""Gateway API keys: `ilk_<id>_<secret>`, shown once, stored only as a SHA-256 hash.

The id (12 characters, the visible prefix `ilk_<id>`) finds the record without a scan; the
secret is 32 random bytes. Why SHA-256 and not a slow password hash: the secret has 256 bits
of entropy, so there is nothing to brute-force and a slow hash would only add milliseconds to
every request. Hashes are compared with `hmac.compare_digest` (constant time).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

KEY_SCHEME = "ilk_"
_ID_ALPHABET = string.ascii_lowercase + string.digits
_ID_LEN = 12
_PREFIX_LEN = len(KEY_SCHEME) + _ID_LEN  # "ilk_" + id
_MAX_KEY_LEN = 128


def new_key() -> tuple[str, str]:
    """A fresh key: (key id = visible prefix, full secret key to show once)."""
    key_id = KEY_SCHEME + "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LEN))
    return key_id, f"{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(presented: str) -> str | None:
    """The id part of something that looks like one of our keys, else None."""
    if (
        len(presented) <= _PREFIX_LEN + 1
        or len(presented) > _MAX_KEY_LEN
        or not presented.startswith(KEY_SCHEME)
        or presented[_PREFIX_LEN] != "_"
    ):
        return None
    return presented[:_PREFIX_LEN]


def looks_like_key(presented: str) -> bool:
    return presented.startswith(KEY_SCHEME)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def hash_matches(presented: str, stored_hex: str) -> bool:
    return hmac.compare_digest(
        hashlib.sha256(presented.encode()).digest(), bytes.fromhex(stored_hex)
    )
