"""The hand-off ring: a file that a gateway worker and its writer process both map (MAP_SHARED),
instead of a socket and per-batch acknowledgements.

The worker copies each encoded exchange into the ring and moves the write position in the
header: a memory copy, no system call, no wake-up of the writer. The writer reads what is
published on its own clock (a few times per flush interval), and moves the read position only
after the records are fsynced in its spool. So the ring holds every message that is not yet
durable, in the page cache of a file that outlives both processes:

- the writer dies: the worker keeps writing; the next writer starts at the read position;
- the worker dies: its writer takes the rest, writes it, ships it, and deletes the ring;
- both die (kill -9 of the process group): the file stays, and the next writer that starts on
  this spool directory takes it over (`orphans`) and writes what it holds.

A machine that loses power loses what was not fsynced, as before (the ring is never synced).

Where: in memory (a tmpfs, /dev/shm) under a name made from the spool directory's path, so the
worker's captures, which still hold what the writer's scrub removes, never reach a disk, and the
next start on the same spool finds what a crash left; in the spool directory itself where there
is no such file system or it is full (`ring_dirs`).

Header (little-endian unsigned 64-bit words): magic, capacity, write position, last message
number written (both the worker's), read position, last message number durable, asleep (the
writer's). Positions only grow; a byte's place in the ring is its position modulo the capacity.
Each side writes its own words only; a message is copied before the write position that
publishes it is stored (x86-64 keeps stores in order; the words are aligned, so each is read
whole).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import logging
import mmap
import os
import secrets
import stat
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("interlock.audit")
SHM = Path("/dev/shm")
HEADER = 4096
MAGIC = b"ILKRING1"
PREFIX = "ring-"
_CAPACITY = struct.Struct("<Q")  # at 8
_WRITE = struct.Struct("<QQ")  # at 16: write position, last message number written
_READ = struct.Struct("<QQ")  # at 32: read position, last message number durable
_POS = struct.Struct("<Q")


class RingError(Exception):
    pass


class Ring:
    def __init__(self, path: Path, fd: int, mm: mmap.mmap, capacity: int) -> None:
        self.path = path
        self._fd = fd
        self.mm = mm
        self.capacity = capacity
        w, self.w_wid = _WRITE.unpack_from(mm, 16)
        self.w_pos = w
        # The producer's bound on writing: the read position plus the capacity, refreshed from
        # the header only when a message would pass it.
        self._limit = self.read_pos() + capacity

    # ---- opening -------------------------------------------------------------------------------

    @classmethod
    def create(cls, directory: Path, capacity: int) -> Ring:
        """A new, empty ring in `directory`, held (shared lock) by this process."""
        token = f"{os.getpid()}-{secrets.token_hex(4)}"
        # Made under a name `orphans` does not look at, then renamed once locked: a writer
        # starting meanwhile cannot take a ring that is still being made for its worker.
        tmp = directory / f".new-{PREFIX}{token}"
        for attempt in range(3):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if directory.parent == SHM:
                _check_private(directory)
            try:
                fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
                break
            except FileNotFoundError:  # the last ring of another worker took the directory
                if attempt == 2:
                    raise
        try:
            _allocate(fd, HEADER + capacity)
            fcntl.flock(fd, fcntl.LOCK_SH)
            mm = mmap.mmap(fd, HEADER + capacity, mmap.MAP_SHARED)
            mm[0:8] = MAGIC
            _CAPACITY.pack_into(mm, 8, capacity)
            path = directory / f"{PREFIX}{token}"
            os.rename(tmp, path)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return cls(path, fd, mm, capacity)

    @classmethod
    def attach(cls, path: Path, exclusive: bool = False) -> Ring | None:
        """Map an existing ring: shared (the writer of the worker that made it) or exclusive (an
        orphan: None when a live process still holds it)."""
        fd = os.open(path, os.O_RDWR)
        try:
            if exclusive:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    return None
            else:
                fcntl.flock(fd, fcntl.LOCK_SH)
            size = os.fstat(fd).st_size
            if size <= HEADER:
                raise RingError(f"{path}: {size} bytes, not a ring")
            mm = mmap.mmap(fd, size, mmap.MAP_SHARED)
            capacity = _CAPACITY.unpack_from(mm, 8)[0]
            if mm[0:8] != MAGIC or capacity != size - HEADER:
                mm.close()
                raise RingError(f"{path}: not a ring (bad header)")
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise
        return cls(path, fd, mm, capacity)

    def close(self, unlink: bool = False) -> None:
        if unlink:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            if self.path.parent.parent == SHM:
                with contextlib.suppress(OSError):  # not empty: another worker's ring is there
                    os.rmdir(self.path.parent)
        with contextlib.suppress(BufferError, ValueError):
            self.mm.close()
        with contextlib.suppress(OSError):
            os.close(self._fd)

    # ---- the worker's side -----------------------------------------------------------------

    def put(self, data: bytes) -> bool:
        """Copy one message in (not yet published); False when it does not fit now."""
        n = len(data)
        w = self.w_pos
        if w + n > self._limit:
            self._limit = self.read_pos() + self.capacity
            if w + n > self._limit:
                return False
        cap = self.capacity
        at = w % cap
        end = at + n
        if end <= cap:
            self.mm[HEADER + at : HEADER + end] = data
        else:  # wraps around the end of the ring
            k = cap - at
            self.mm[HEADER + at : HEADER + cap] = data[:k]
            self.mm[HEADER : HEADER + n - k] = data[k:]
        self.w_pos = w + n
        return True

    def publish(self, wid: int) -> None:
        """Everything put so far is readable; `wid` is the number of the last message."""
        self.w_wid = wid
        _WRITE.pack_into(self.mm, 16, self.w_pos, wid)

    def read_pos(self) -> int:
        return int(_POS.unpack_from(self.mm, 32)[0])

    def durable_wid(self) -> int:
        """The number of the last message the writer has fsynced."""
        return int(_POS.unpack_from(self.mm, 40)[0])

    # ---- the writer's side -----------------------------------------------------------------

    def published(self) -> int:
        return int(_POS.unpack_from(self.mm, 16)[0])

    def read(self, start: int, stop: int) -> bytes:
        """The bytes between two positions (whole messages when both are message bounds)."""
        n = stop - start
        cap = self.capacity
        if n < 0 or n > cap or start < self.read_pos():
            raise RingError(f"{self.path}: cannot read {start}..{stop}")
        at = start % cap
        if at + n <= cap:
            return self.mm[HEADER + at : HEADER + at + n]
        return self.mm[HEADER + at : HEADER + cap] + self.mm[HEADER : HEADER + at + n - cap]

    def release(self, pos: int, wid: int) -> None:
        """Everything before `pos` (messages up to `wid`) is durable: the space is free again."""
        _READ.pack_into(self.mm, 32, pos, wid)

    def empty(self) -> bool:
        return self.read_pos() >= self.published()

    # ---- the writer asleep ---------------------------------------------------------------------
    # A writer that found the ring empty for a while says so here and stops reading it on its
    # clock; the worker, after publishing, wakes it with one message. Each side stores, passes a
    # full barrier (`fence`), then loads the other's word, so one of them always sees the other.

    def set_sleeping(self, sleeping: bool) -> None:
        _POS.pack_into(self.mm, 48, 1 if sleeping else 0)

    def writer_sleeping(self) -> bool:
        return bool(_POS.unpack_from(self.mm, 48)[0])


_FENCE = threading.Lock()


def fence() -> None:
    """A full memory barrier (a locked instruction): a store before it is visible to the other
    process before any load after it is made (x86 may otherwise load before the store drains)."""
    _FENCE.acquire()
    _FENCE.release()


def ring_dirs(spool_root: Path) -> list[Path]:
    """Where the rings of a spool directory are made (the first that takes one) and looked for:
    memory first, then the spool directory."""
    dirs = []
    if SHM.is_dir() and os.access(SHM, os.W_OK | os.X_OK):
        digest = hashlib.sha256(str(spool_root.resolve()).encode()).hexdigest()[:20]
        dirs.append(SHM / f"interlock-audit-{digest}")
    return [*dirs, spool_root]


def create(spool_root: Path, capacity: int) -> Ring:
    """A ring for a worker writing to `spool_root`: in memory, else in the spool directory."""
    *memory, disk = ring_dirs(spool_root)
    for directory in memory:
        try:
            return Ring.create(directory, capacity)
        except OSError as exc:  # a small /dev/shm (containers default to 64 MiB)
            log.warning("audit: no room for the hand-off ring in %s (%s); it goes in %s, where "
                        "unscrubbed captures reach the disk", directory, exc, disk)  # fmt: skip
    return Ring.create(disk, capacity)


def orphans(spool_root: Path, own: Path | None) -> Iterator[Ring]:
    """Rings of this spool directory that no live process holds (their worker and writer both
    died), each locked exclusively for the caller, who writes what it holds and deletes it."""
    paths = [p for d in ring_dirs(spool_root) for p in sorted(d.glob(f"{PREFIX}*"))]
    for path in paths:
        if own is not None and path == own:
            continue
        try:
            ring = Ring.attach(path, exclusive=True)
        except (OSError, RingError):
            continue  # deleted meanwhile, or not ours to read
        if ring is not None:
            yield ring


def _check_private(directory: Path) -> None:
    # /dev/shm is shared by every user of the host and the name is predictable: a directory
    # someone else made (or a link to one) would let them read what the worker hands over.
    st = os.lstat(directory)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        raise PermissionError(f"{directory} is not a private directory of this user")


def _allocate(fd: int, size: int) -> None:
    # Blocks reserved now: a full disk fails here, at start, and never as SIGBUS when a page of
    # the mapping is first written.
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
            raise
        chunk = b"\0" * (1 << 20)
        for at in range(0, size, len(chunk)):
            os.pwrite(fd, chunk[: min(len(chunk), size - at)], at)
