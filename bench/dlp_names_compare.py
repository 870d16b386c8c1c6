"""The name recogniser of an earlier commit against the current one, in one process.

    .venv/bin/python bench/dlp_names_compare.py [COMMIT] [--rounds N]

Loads `src/interlock/dlp/names.py` as it was at COMMIT (default 2e1a1aa, the last recogniser
all in Python) next to the current one and times, interleaved round by round so both see the
same machine load: the name recogniser alone on the 2 KB prompts of bench/dlp_bench.py (old,
current, current on its Python path), the whole scan with all default detectors with each
recogniser in the engine, and 1 MB of the 10 KB prompts. CPU time of this thread; p50 and
mean per prompt. It also checks that both recognisers find the same on the prompts (with
--findings-differ, for a change of what is found, it counts the prompts where they differ).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dlp_bench import prompts  # noqa: E402
from interlock.dlp.config import DlpPolicy  # noqa: E402
from interlock.dlp.normalize import normalize  # noqa: E402
from interlock.dlp.policy import compile_policy  # noqa: E402

clock = time.thread_time_ns


def names_at(commit: str) -> Any:
    """names.py at `commit`, imported as its own module (it imports the current package)."""
    source = subprocess.run(
        ["git", "show", f"{commit}:src/interlock/dlp/names.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "names_then.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("names_then", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["names_then"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("commit", nargs="?", default="2e1a1aa")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument(
        "--findings-differ",
        action="store_true",
        help="the commits find different names (a quality change): count, do not assert",
    )
    args = ap.parse_args()
    engine = compile_policy(DlpPolicy()).engine
    engine.recent = None
    current = engine.names
    assert current is not None
    then = names_at(args.commit).NameRecognizer(current.entities)
    texts = prompts(2048, 40)
    canons = [normalize(t).text for t in texts]
    differ = sum(then.find(text) != current.find(text) for text in canons)
    assert args.findings_differ or not differ, "the recognisers disagree: --findings-differ?"
    print(f"findings differ on {differ} of {len(canons)} prompts")
    samples: dict[str, list[float]] = {}

    def timed(key: str, fn: Callable[[str], Any], args: list[str]) -> None:
        into = samples.setdefault(key, [])
        for arg in args:
            start = clock()
            fn(arg)
            into.append((clock() - start) / 1e3)

    for _ in range(args.rounds):
        timed(f"names at {args.commit}", then.find, canons)
        timed("names now", current.find, canons)
        current.use_native(False)
        timed("names now, Python path", current.find, canons)
        current.use_native(True)
        engine.names = then
        timed(f"whole scan, names at {args.commit}", engine.scan, texts)
        engine.names = current
        timed("whole scan, names now", engine.scan, texts)
    print(f"2 KB prompts, {len(texts)} x {args.rounds} rounds, CPU us per prompt")
    for key, values in samples.items():
        p50, mean = statistics.median(values), statistics.fmean(values)
        print(f"  {key:<36} p50 {p50:7.1f}  mean {mean:7.1f}")
    big = "".join(prompts(10240, 110))[: 1 << 20]
    print("1 MB of the 10 KB prompts, all default detectors, best of 3")
    for label, names in ((f"names at {args.commit}", then), ("names now", current)):
        engine.names = names
        took = min(_cpu(engine.scan, big) for _ in range(3))
        print(f"  {label:<36} {len(big) / took / 1e6:6.1f} MB/s")
    engine.names = current
    return 0


def _cpu(fn: Callable[[str], Any], arg: str) -> float:
    start = clock()
    fn(arg)
    return (clock() - start) / 1e9


if __name__ == "__main__":
    raise SystemExit(main())
