"""`interlock scan`: try a policy's DLP on your own data before deploying it.

Reads JSON lines `{"id": …, "text": …}` on stdin and writes one JSON line per input:
`{"id": …, "findings": [{"type", "start", "end", "rule", "action", "score"}], "injection":
{"score", "flagged", "reasons"}}` with offsets in characters of the input text. Without
`--config`, the built-in defaults are used. The injection part checks each text as the
gateway checks a user turn under the default injection policy (the turn at the user threshold,
blocks it quotes at the indirect one); a line may carry `"system": "…"`, the application's
system prompt, to check the turn against what that prompt forbids, as the gateway does.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

import orjson

from interlock.dlp.config import DlpPolicy
from interlock.dlp.policy import CompiledPolicy, compile_policy, when_absent
from interlock.injection import scan_text


def add_scan_command(sub: Any) -> None:
    scan = sub.add_parser("scan", help="scan JSON lines on stdin with a policy's DLP rules")
    scan.add_argument("--config", help="gateway configuration (default: built-in DLP defaults)")
    scan.add_argument("--policy", help="policy whose dlp section to use (default: the only one)")
    scan.add_argument("--backend", choices=["auto", "hyperscan", "re"], default="auto")


def load_policy(config_path: str | None, name: str | None) -> DlpPolicy:
    if config_path is None:
        return DlpPolicy()
    from interlock.config import load_config

    config = load_config(config_path)
    policies = config.policies
    if name is None:
        with_dlp = [n for n, p in policies.items() if p.dlp is not None]
        if len(with_dlp) != 1:
            raise SystemExit(
                f"choose a policy with --policy (policies with dlp: {with_dlp or 'none'})"
            )
        name = with_dlp[0]
    if name not in policies:
        raise SystemExit(f"unknown policy {name!r} (known: {', '.join(sorted(policies))})")
    return policies[name].dlp or when_absent()  # what the gateway applies to that policy


def scan_lines(compiled: CompiledPolicy, source: TextIO, out: TextIO) -> int:
    policy = compiled.policy
    errors = 0
    for n, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
            text = item["text"]
            system = item.get("system")
            if not isinstance(text, str):
                raise TypeError("text is not a string")
            if system is not None and not isinstance(system, str):
                raise TypeError("system is not a string")
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            print(f'line {n}: expected {{"id": …, "text": "…"}} ({exc})', file=sys.stderr)
            errors += 1
            continue
        findings = [
            {
                "type": f.entity,
                "start": f.start,
                "end": f.end,
                "rule": f.rule,
                "action": policy.action_for(f.entity, f.classification),
                "score": f.score,
            }
            for f in compiled.engine.scan(text)
        ]
        result = {
            "id": item.get("id"),
            "findings": findings,
            "injection": scan_text(text, system=system),
        }
        out.write(orjson.dumps(result).decode() + "\n")
    return 1 if errors else 0


def scan_command(args: argparse.Namespace) -> int:
    policy = load_policy(args.config, args.policy)
    compiled = compile_policy(policy, args.backend)
    return scan_lines(compiled, sys.stdin, sys.stdout)
