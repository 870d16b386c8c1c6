"""Build hook: compiles the DLP engine's C confirmation (src/interlock/dlp/_native.c).

Runs whenever uv (or pip) builds the project, which `uv sync` does for the editable install on
a fresh machine and again whenever a file in `[tool.uv] cache-keys` changes. It needs only a C
compiler and the interpreter's headers; without them it prints why and the engine runs its
pure-Python path, which finds exactly the same (tests/dlp/test_native.py).

- editable install (`uv sync`): the module is written next to its source, in src/interlock/dlp,
  where the editable path finds it (git ignores it);
- wheel: the module is compiled in a temporary folder and packed as interlock/dlp/_native.*,
  and the wheel is tagged for this interpreter and platform.

INTERLOCK_NO_NATIVE=1 skips the compilation.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("src/interlock/dlp/_native.c")


def compile_native(root: Path, out_dir: Path) -> Path | None:
    """The compiled module in `out_dir`, or None (with the reason on stderr, and no module
    left there: an older build would not find what the Python path finds)."""
    source = root / SOURCE
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    target = out_dir / f"_native{suffix}"
    # Written aside, then renamed over the target: processes that loaded the old module keep
    # their mapping of the old file instead of seeing it rewritten under them.
    partial = out_dir / f"_native.partial-{os.getpid()}{suffix}"
    cc = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    command = [
        *cc,
        "-O2",
        "-fPIC",
        "-shared",
        "-Wall",
        f"-I{sysconfig.get_paths()['include']}",
        str(source),
        "-o",
        str(partial),
    ]
    began = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        failure = str(exc)
    else:
        failure = "" if done.returncode == 0 else f"exit {done.returncode}\n{done.stderr[-2000:]}"
    if failure:
        partial.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        print(
            f"interlock: DLP C module not built ({failure}); pure Python is used", file=sys.stderr
        )
        return None
    os.replace(partial, target)
    print(f"interlock: built {target.name} in {time.monotonic() - began:.1f} s", file=sys.stderr)
    return target


class NativeBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or os.environ.get("INTERLOCK_NO_NATIVE") == "1":
            return
        root = Path(self.root)
        if version == "editable":
            compile_native(root, root / SOURCE.parent)
            return
        self._tmp = tempfile.TemporaryDirectory()
        built = compile_native(root, Path(self._tmp.name))
        if built is not None:
            build_data["force_include"][str(built)] = f"interlock/dlp/{built.name}"
            build_data["pure_python"] = False
            build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            tmp.cleanup()
