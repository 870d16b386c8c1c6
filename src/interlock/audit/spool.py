"""The durable local spool: append-only JSON-lines segments, one directory per writing process.

Every method here does blocking file I/O and is called from a worker thread, never from the
request path. A process owns one chain directory (an exclusive `flock`, released by the kernel
when the process dies, so a restarted worker takes over a dead one's chain and ships what it
left). Records are written in batches and fsynced once per batch; a line cut short by a crash
is removed on open. Sinks read from here and keep their own cursor (last shipped seq), so a
sink that is down gets its records later, in order.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson

from interlock.audit.chain import GENESIS

SEGMENT_PREFIX = "seg-"
SEGMENT_SUFFIX = ".jsonl"


def segment_name(first_seq: int) -> str:
    return f"{SEGMENT_PREFIX}{first_seq:015d}{SEGMENT_SUFFIX}"


def segment_first_seq(path: Path) -> int:
    return int(path.name[len(SEGMENT_PREFIX) : -len(SEGMENT_SUFFIX)])


class SpoolError(Exception):
    pass


@dataclass(slots=True)
class Head:
    seq: int
    hash: str


class Spool:
    def __init__(
        self,
        root: Path,
        node: str | None,
        segment_bytes: int,
        max_bytes: int,
        slot: int | None = None,
    ) -> None:
        self.root = root
        self.node = node or socket.gethostname()
        self.segment_bytes = segment_bytes
        self.max_bytes = max_bytes
        self._slot = slot
        self.dir: Path | None = None
        self.chain = ""
        self.head = Head(0, GENESIS)
        self.size = 0  # bytes in all segments: what "full" is measured against
        self._lock_fd: int | None = None
        self._fd: int | None = None  # the open last segment
        self._segment_size = 0
        self._segments: list[Path] = []
        # The writer thread appends and rotates while the housekeeping thread collects.
        self._mutex = threading.Lock()

    # ---- opening and recovery ------------------------------------------------------------------

    def open(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        slot = self._slot if self._slot is not None else 0
        while True:
            d = self.root / f"chain-{slot}"
            d.mkdir(exist_ok=True)
            fd = os.open(d / "lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if self._slot is not None:
                    raise SpoolError(f"{d} is in use by another process") from None
                slot += 1
                continue
            self._lock_fd = fd
            self.dir = d
            break
        name_file = self.dir / "chain"
        if name_file.exists():
            self.chain = name_file.read_text().strip()
        else:
            self.chain = f"{self.node}-{slot}"
            _write_atomic(name_file, self.chain.encode())
        self._recover()

    def _recover(self) -> None:
        assert self.dir is not None
        self._segments = sorted(self.dir.glob(f"{SEGMENT_PREFIX}*{SEGMENT_SUFFIX}"))
        self.size = sum(p.stat().st_size for p in self._segments)
        while self._segments:
            last = self._segments[-1]
            data = last.read_bytes()
            good = _last_complete(data)
            if good < len(data):
                # A batch the crash cut short: whatever was not fsynced whole is not a record.
                with open(last, "r+b") as f:
                    f.truncate(good)
                    os.fsync(f.fileno())
                self.size -= len(data) - good
                data = data[:good]
            if data:
                line = data[: len(data) - 1].rsplit(b"\n", 1)[-1]
                rec = orjson.loads(line)
                self.head = Head(int(rec["seq"]), str(rec["hash"]))
                break
            # An empty segment: the head is in the one before (or this chain is new).
            last.unlink()
            self._segments.pop()
        self._open_segment(self.head.seq + 1 if not self._segments else None)

    def _open_segment(self, first_seq: int | None) -> None:
        assert self.dir is not None
        if first_seq is not None:
            path = self.dir / segment_name(first_seq)
            self._segments.append(path)
            _fsync_dir_after_create(path)
        path = self._segments[-1]
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._segment_size = os.fstat(self._fd).st_size

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    # ---- writing ---------------------------------------------------------------------------------

    def append(self, lines: list[bytes], first_seq: int, fsync: bool = True) -> None:
        """Write records first_seq… (one JSON line each, newline included) and make them durable."""
        assert self._fd is not None
        if self._segment_size >= self.segment_bytes:
            os.fsync(self._fd)
            os.close(self._fd)
            with self._mutex:
                self._open_segment(first_seq)
        data = b"".join(lines)
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        if fsync:
            os.fdatasync(self._fd)
        self._segment_size += len(data)
        with self._mutex:
            self.size += len(data)

    # ---- reading (sinks) -------------------------------------------------------------------------

    def segments(self) -> list[Path]:
        with self._mutex:
            return list(self._segments)

    def collectable(self, shipped_seq: int) -> bool:
        """Whether `collect(shipped_seq)` would delete a segment."""
        with self._mutex:
            return (
                len(self._segments) > 1 and segment_first_seq(self._segments[1]) <= shipped_seq + 1
            )

    def collect(self, shipped_seq: int) -> int:
        """Delete segments every sink has shipped (never the one being written). Bytes freed."""
        freed = 0
        with self._mutex:
            while (
                len(self._segments) > 1 and segment_first_seq(self._segments[1]) <= shipped_seq + 1
            ):
                path = self._segments.pop(0)
                with contextlib.suppress(FileNotFoundError):
                    freed += path.stat().st_size
                    path.unlink()
            self.size -= freed
        return freed

    # ---- sink cursors ----------------------------------------------------------------------------

    def load_cursors(self) -> dict[str, int]:
        assert self.dir is not None
        try:
            return {
                k: int(v) for k, v in orjson.loads((self.dir / "cursors.json").read_bytes()).items()
            }
        except (FileNotFoundError, orjson.JSONDecodeError):
            return {}

    def save_cursors(self, cursors: dict[str, int]) -> None:
        # Not fsynced: after a crash a sink may get a few records again (at least once); the
        # store ignores records it already has.
        assert self.dir is not None
        _write_atomic(self.dir / "cursors.json", orjson.dumps(cursors), sync=False)


class SpoolReader:
    """Reads a chain's records after a seq, following the segments as they are written and
    collected; one per sink, used from one thread at a time."""

    def __init__(self, spool: Spool, after_seq: int) -> None:
        self.spool = spool
        self.after = after_seq
        self._path: Path | None = None
        self._offset = 0

    def read(self, limit: int, upto_seq: int) -> list[bytes]:
        """Up to `limit` lines with after < seq ≤ upto_seq (only durable records are shipped)."""
        out: list[bytes] = []
        while len(out) < limit and self.after < upto_seq:
            if (self._path is None or not self._path.exists()) and not self._seek():
                break
            assert self._path is not None
            with open(self._path, "rb") as f:
                f.seek(self._offset)
                chunk = f.read(4 * 1024 * 1024)
            if not chunk or b"\n" not in chunk:
                if not self._next_segment():
                    break
                continue
            end = chunk.rfind(b"\n") + 1
            for line in chunk[:end].splitlines(keepends=True):
                self._offset += len(line)
                seq = seq_of(line)
                if seq <= self.after:
                    continue
                if seq > upto_seq or len(out) >= limit:
                    self._offset -= len(line)
                    return out
                out.append(line)
                self.after = seq
        return out

    def _seek(self) -> bool:
        """Position at the segment that holds after+1 (scanning from its start)."""
        candidates = [p for p in self.spool.segments() if segment_first_seq(p) <= self.after + 1]
        segs = self.spool.segments()
        if not segs:
            return False
        self._path = candidates[-1] if candidates else segs[0]
        self._offset = 0
        return True

    def _next_segment(self) -> bool:
        segs = self.spool.segments()
        if self._path in segs:
            i = segs.index(self._path)
            if i + 1 < len(segs):
                self._path, self._offset = segs[i + 1], 0
                return True
        return False


def seq_of(line: bytes) -> int:
    # Every line starts with {"seq":N, (see writer.encode_line): no need to parse the record.
    if line.startswith(b'{"seq":'):
        end = line.index(b",", 7)
        return int(line[7:end])
    return int(orjson.loads(line)["seq"])


def _last_complete(data: bytes) -> int:
    """Length of the prefix made of whole, parseable lines."""
    end = data.rfind(b"\n") + 1
    # The last full line may itself be torn (a crash between write and fsync can leave garbage
    # after a page boundary): step back until a line parses.
    while end > 0:
        start = data.rfind(b"\n", 0, end - 1) + 1
        try:
            orjson.loads(data[start : end - 1])
            return end
        except orjson.JSONDecodeError:
            end = start
    return 0


def _write_atomic(path: Path, data: bytes, sync: bool = True) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        if sync:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


def _fsync_dir_after_create(path: Path) -> None:
    # The new segment's directory entry must survive a crash too.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
