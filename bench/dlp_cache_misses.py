"""What a DLP request inspection misses in the CPU caches, counted (not timed) by callgrind's
cache simulation, so the number does not depend on what else the machine runs.

    .venv/bin/python bench/dlp_cache_misses.py [--prompts 10] [--junk-mb 2]

Runs itself twice under `valgrind --tool=callgrind --cache-sim=yes`, with the simulated
last-level cache set to 1 MB (this machine's L2 per core): "warm", the 2 KB benchmark prompts
inspected back to back, and "cold", the same with a Python loop touching `--junk-mb` MB
between two requests (untimed, uncounted), as `bench/dlp_bench.py`'s row "the same after
other Python work" does. Only the inspections are counted (callgrind collects inside a
ctypes callback that calls them). Prints per request: instructions, and lines missed in the
simulated cache (instruction fetches, data reads, data writes) per shared object, with the
cold run's ratio to the warm one (the floor, measured in the same run). Takes ~3 minutes of
CPU (run it under `nice`).
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ("Ir", "ILmr", "DLmr", "DLmw")


def inspect_prompts(mode: str, count: int, junk_mb: int) -> None:
    """The measured program (under valgrind)."""
    sys.path.insert(0, str(ROOT))
    from bench.dlp_bench import inspection_policy, prompts

    from interlock.dlp.actions import Vault
    from interlock.dlp.inspector import inspect_request
    from interlock.dlp.policy import compile_policy
    from interlock.exchange import ChatRequest, Message, TextPart

    policy = inspection_policy()
    compiled = compile_policy(policy)
    compiled.engine.recent = None  # every inspection scans
    texts = prompts(2048, count)
    junk = bytearray(junk_mb << 20)

    def inspect(text: str) -> None:
        inspect_request(compiled, ChatRequest("m", [Message("user", [TextPart(text)])]), Vault())

    # Counted: callgrind collects inside ctypes' closure_fcn, which nothing else here calls.
    counted = ctypes.CFUNCTYPE(None, ctypes.c_int)(lambda i: inspect(texts[i]))
    for text in texts:
        inspect(text)
    gc.collect()  # as `interlock serve` does after start-up: no collection inside a count
    gc.freeze()
    gc.disable()
    for i in range(len(texts)):
        if mode == "cold":
            for j in range(0, len(junk), 64):
                junk[j] ^= 1
        counted(i)


def per_object(out_file: str, count: int) -> dict[str, list[int]]:
    shown = subprocess.run(
        [
            "callgrind_annotate",
            "--auto=no",
            "--threshold=100",
            f"--show={','.join(EVENTS)}",
            out_file,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    totals: dict[str, list[int]] = collections.defaultdict(lambda: [0] * len(EVENTS))
    for line in shown.splitlines():
        values = re.findall(r"(?:^|\s)([\d,]+)(?: \([ \d.]+%\))?|(?:^|\s)(\.)(?=\s)", line)
        if len(values) < len(EVENTS):
            continue
        if "PROGRAM TOTALS" in line:
            obj = "all"
        elif line.rstrip().endswith("]"):
            obj = line.rsplit("[", 1)[1].rstrip("]").rsplit("/", 1)[-1]
        else:
            continue
        for i, (number, _) in enumerate(values[: len(EVENTS)]):
            totals[obj][i] += int(number.replace(",", "")) if number else 0
    return {obj: [v // count for v in vals] for obj, vals in totals.items()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompts", type=int, default=10)
    ap.add_argument("--junk-mb", type=int, default=2)
    ap.add_argument("--run", choices=["warm", "cold"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.run:
        inspect_prompts(args.run, args.prompts, args.junk_mb)
        return 0
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("warm", "cold"):
            out = os.path.join(tmp, f"{mode}.out")
            subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    "--cache-sim=yes",
                    "--LL=1048576,16,64",
                    "--collect-atstart=no",
                    "--toggle-collect=closure_fcn",
                    f"--callgrind-out-file={out}",
                    sys.executable,
                    __file__,
                    "--run",
                    mode,
                    "--prompts",
                    str(args.prompts),
                    "--junk-mb",
                    str(args.junk_mb),
                ],
                check=True,
                capture_output=True,
            )
            results[mode] = per_object(out, args.prompts)
    warm, cold = results["warm"], results["cold"]
    print("Per 2 KB request inspection (callgrind, 1 MB simulated LL; lines of 64 B missed)")
    print(f"  {'':34} {'instr':>10} {'I-miss':>7} {'Dr-miss':>7} {'Dw-miss':>7}")
    for name, got in (("warm (floor)", warm), ("cold", cold)):
        row = got["all"]
        print(f"  {name:34} {row[0]:10,} {row[1]:7,} {row[2]:7,} {row[3]:7,}")
    misses = [sum(got["all"][1:]) for got in (warm, cold)]
    print(f"  cold / warm lines missed: x{misses[1] / max(1, misses[0]):.1f}")
    print("  cold, by shared object:")
    ranked = sorted((o for o in cold if o != "all"), key=lambda o: -sum(cold[o][1:]))
    for obj in ranked[:6]:
        row = cold[obj]
        print(f"    {obj[:32]:32} {row[0]:10,} {row[1]:7,} {row[2]:7,} {row[3]:7,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
