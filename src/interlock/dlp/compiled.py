"""The DLP engine's C module (`_native.c`), when it is built and speaks this code's interface.

hatch_build.py compiles it at `uv sync`. It holds the confirmation of pattern hits
(engine.py), the multi-pattern pass's match handler (matcher.py) and the name recogniser's
scan of capitalised words (names.py); where it is absent (no
compiler when the project was installed, another interpreter, a stale build) or switched off
with INTERLOCK_DLP_NATIVE=0, both run their Python code, which finds exactly the same
(tests/dlp/test_native.py compares them). The C module also scans with libhs, when the system
has it (below).
"""

from __future__ import annotations

import os
from types import ModuleType

API = 14  # the interface of _native.c this code speaks; a build of another one is not used

native: ModuleType | None
try:
    from interlock.dlp import _native as native
except ImportError:  # pragma: no cover - depends on the install
    native = None
if native is not None and (
    getattr(native, "API", None) != API or os.environ.get("INTERLOCK_DLP_NATIVE") == "0"
):  # pragma: no cover - depends on the install
    native = None

# Hyperscan's library itself (libhs, Debian's libhyperscan5), loaded by the C module at run
# time: the multi-pattern pass then scans without the Python binding (a Python call per match,
# the GIL released and taken back per scan and per match; matcher._load). None where the
# system lacks it (the binding scans, finding the same); INTERLOCK_DLP_LIBHS=0 keeps it.
LIBHS_NAMES = ("libhs.so.5", "libhs.5.dylib")
libhs: str | None = None  # its version, when loaded
if native is not None and os.environ.get("INTERLOCK_DLP_LIBHS") != "0":
    libhs = native.hs_load(LIBHS_NAMES)
