"""Which worker process this is, for the few things that must see every worker.

`interlock serve --workers N` starts N processes on one port (SO_REUSEPORT): a request reaches
any one of them. Most state is per request or shared through the database and Redis; what is
counted per process (Prometheus metrics) is gathered from every worker over Unix sockets in a
directory of the serving process's own (mode 0700).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    index: int = 0
    count: int = 1
    run_dir: Path | None = None  # where the workers' sockets live (None: a single worker)

    def socket(self, index: int) -> Path:
        assert self.run_dir is not None
        return self.run_dir / f"metrics-{index}.sock"


_current = WorkerInfo()


def current() -> WorkerInfo:
    return _current


def set_current(info: WorkerInfo) -> None:
    global _current
    _current = info
