"""Verify a chain: every record's hash, every link, every checkpoint signature, and say where
something was changed, deleted, inserted or reordered.

Works on records in stored order (the store by seq, or a JSON-lines export in file order).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from interlock.audit.chain import GENESIS, checkpoint_message, key_id, record_hash, verify_signature


@dataclass(slots=True)
class Problem:
    chain: str
    seq: int | None
    kind: str  # changed | deleted | inserted | reordered | rewritten | bad_signature | unknown_key | pruned_uncovered
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "seq": self.seq, "kind": self.kind, "message": self.message}


@dataclass(slots=True)
class ChainReport:
    chain: str
    records: int = 0
    pruned: int = 0
    checkpoints: int = 0
    last_seq: int = 0
    signed_through: int = 0  # the last seq a valid checkpoint covers
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "ok": self.ok,
            "records": self.records,
            "pruned": self.pruned,
            "checkpoints": self.checkpoints,
            "last_seq": self.last_seq,
            "signed_through": self.signed_through,
            "unsigned_tail": max(0, self.last_seq - self.signed_through),
            "problems": [p.as_dict() for p in self.problems],
        }


def verify_chain(
    chain: str,
    items: Iterable[tuple[dict[str, Any], bool]],
    public_key: Ed25519PublicKey | None,
    retention_cutoffs: dict[str, float] | None = None,
) -> ChainReport:
    """`items`: (record, pruned) in stored order. `retention_cutoffs`: policy (or "*") -> the
    latest cutoff any recorded retention run used; pruned records must be older than it."""
    report = ChainReport(chain)
    listed = list(items)
    records = [r for r, _ in listed]
    pruned_flags = [p for _, p in listed]
    by_hash: dict[str, int] = {}
    by_seq: dict[int, int] = {}
    for i, r in enumerate(records):
        by_hash.setdefault(str(r.get("hash")), i)
        by_seq.setdefault(int(r.get("seq") or 0), i)
    expected_key = key_id(public_key) if public_key is not None else None
    problems = report.problems
    prev_record: dict[str, Any] | None = None
    for i, r in enumerate(records):
        seq = int(r.get("seq") or 0)
        pruned = pruned_flags[i]
        report.records += 1
        report.last_seq = max(report.last_seq, seq)
        # 1. the record itself
        if pruned:
            report.pruned += 1
            cutoff = (retention_cutoffs or {}).get(
                str(r.get("policy")), (retention_cutoffs or {}).get("*")
            )
            if cutoff is None or float(r.get("ts") or 0) >= cutoff:
                problems.append(Problem(chain, seq, "pruned_uncovered",
                    f"record {seq} has no content and no retention run covers it (ts {r.get('ts')})"))  # fmt: skip
        elif record_hash(r) != r.get("hash"):
            problems.append(Problem(chain, seq, "changed",
                f"record {seq} ({r.get('id')}) was changed: its content does not match its hash"))  # fmt: skip
        # 2. its link to the one before
        if prev_record is None:
            if r.get("prev") != GENESIS and seq != 1:
                j = by_hash.get(str(r.get("prev")))
                if j is None:
                    problems.append(Problem(chain, seq, "deleted",
                        f"records before seq {seq} are missing (the chain starts at {seq})"))  # fmt: skip
        else:
            pseq = int(prev_record.get("seq") or 0)
            if r.get("prev") != prev_record.get("hash") or seq != pseq + 1:
                found = _classify(chain, r, prev_record, records, by_hash, i)
                last = problems[-1] if problems else None
                if last is None or (last.kind, last.seq) != (found.kind, found.seq):
                    problems.append(found)
        # 3. checkpoints
        if r.get("kind") == "checkpoint" and not pruned:
            report.checkpoints += 1
            _check_checkpoint(chain, r, records, by_seq, public_key, expected_key, report)
        prev_record = r
    return report


def _classify(
    chain: str,
    r: dict[str, Any],
    prev: dict[str, Any],
    records: list[dict[str, Any]],
    by_hash: dict[str, int],
    i: int,
) -> Problem:
    seq, pseq = int(r.get("seq") or 0), int(prev.get("seq") or 0)
    target = by_hash.get(str(r.get("prev")))
    if seq == pseq:
        return Problem(chain, seq, "inserted", f"two records claim seq {seq}: one was inserted")
    if seq < pseq:
        return Problem(chain, seq, "reordered", f"record {seq} comes after {pseq}: reordered")
    if target is not None and target > i:
        tseq = int(records[target].get("seq") or 0)
        return Problem(chain, tseq, "reordered",
            f"record {seq} comes after {pseq} but links to record {tseq}, which comes later: "
            "records were reordered")  # fmt: skip
    if target is not None and target < i - 1:
        tseq = int(records[target].get("seq") or 0)
        if pseq < tseq:  # the record before this one belongs earlier: moved, not added
            return Problem(chain, pseq, "reordered",
                f"record {pseq} comes after {tseq} but belongs before it: reordered")  # fmt: skip
        return Problem(chain, pseq, "inserted",
            f"record {pseq} ({prev.get('id')}) does not belong between {tseq} and {seq}: "
            "it was inserted")  # fmt: skip
    if seq > pseq + 1:
        missing = f"{pseq + 1}" if seq == pseq + 2 else f"{pseq + 1}…{seq - 1}"
        return Problem(chain, pseq + 1, "deleted",
            f"record(s) {missing} between {pseq} and {seq} were deleted")  # fmt: skip
    if target is None and r.get("prev") != prev.get("hash"):
        return Problem(chain, seq, "changed",
            f"record {seq} does not link to record {pseq}: one of them was altered or replaced")  # fmt: skip
    return Problem(chain, seq, "changed", f"record {seq}: seq does not follow {pseq}")


def _check_checkpoint(
    chain: str,
    r: dict[str, Any],
    records: list[dict[str, Any]],
    by_seq: dict[int, int],
    public_key: Ed25519PublicKey | None,
    expected_key: str | None,
    report: ChainReport,
) -> None:
    seq = int(r.get("seq") or 0)
    covers_seq, covers_hash = int(r.get("covers_seq") or 0), str(r.get("covers_hash"))
    if public_key is None:
        return
    if r.get("key_id") != expected_key:
        report.problems.append(Problem(chain, seq, "unknown_key",
            f"checkpoint {seq} is signed by {r.get('key_id')}, not by {expected_key}"))  # fmt: skip
        return
    message = checkpoint_message(chain, covers_seq, covers_hash, float(r.get("ts") or 0))
    if not verify_signature(public_key, message, str(r.get("signature"))):
        report.problems.append(Problem(chain, seq, "bad_signature",
            f"checkpoint {seq}: the signature does not verify (forged or altered checkpoint)"))  # fmt: skip
        return
    at = by_seq.get(covers_seq)
    stored = records[at] if at is not None else None
    if stored is None or stored.get("hash") != covers_hash:
        report.problems.append(Problem(chain, covers_seq, "rewritten",
            f"checkpoint {seq} signed hash {covers_hash[:16]}… for record {covers_seq}, but the "
            "stored chain has another: records up to it were rewritten"))  # fmt: skip
        return
    report.signed_through = max(report.signed_through, covers_seq)


def retention_cutoffs(records: Iterable[dict[str, Any]]) -> dict[str, float]:
    """The latest cutoff per policy among the recorded retention runs."""
    out: dict[str, float] = {}
    for r in records:
        if r.get("kind") == "retention":
            for policy, cutoff in (r.get("cutoffs") or {}).items():
                out[policy] = max(out.get(policy, 0.0), float(cutoff))
    return out


def verify_records(
    records: Iterable[tuple[dict[str, Any], bool]], public_key: Ed25519PublicKey | None
) -> list[ChainReport]:
    """Group by chain (keeping order) and verify each."""
    chains: dict[str, list[tuple[dict[str, Any], bool]]] = {}
    for r, pruned in records:
        chains.setdefault(str(r.get("chain")), []).append((r, pruned))
    cutoffs = retention_cutoffs(r for items in chains.values() for r, p in items if not p)
    return [verify_chain(c, items, public_key, cutoffs) for c, items in chains.items()]
