"""The findings of texts an engine scanned recently, so a conversation resent whole each turn
costs a scan of its new messages only.

Chat clients send the whole history with every turn: without this, turn n scans n messages
and a conversation costs O(n²) scans. Entries are keyed by a keyed BLAKE2b digest of the text
(a random key per process, so the digests cannot be checked against guessed texts) and hold
findings only: types, offsets, rule names and scores, never the text or a value. Bounded
(least recently used out), per engine (a new policy or reload starts empty), thread-safe
(large texts are scanned on worker threads).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict

from interlock.dlp.rules import Finding

_KEY = os.urandom(32)

# Shorter texts scan in a few microseconds: a digest and a look-up would not pay for themselves.
MIN_CHARS = 256


class RecentScans:
    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._entries: OrderedDict[bytes, tuple[Finding, ...]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str) -> bytes:
        data = text.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(data, key=_KEY, digest_size=16).digest()

    def get(self, key: bytes) -> list[Finding] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
        return list(found)

    def put(self, key: bytes, found: list[Finding]) -> None:
        with self._lock:
            self._entries[key] = tuple(found)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
