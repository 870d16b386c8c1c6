"""A longer manual run of the loopback cluster (tests/cluster/harness.py): nginx in front of three
`interlock serve` processes on one PostgreSQL database and one Redis, two provider simulators.

    eval "$(scripts/test-services.sh)"
    .venv/bin/python bench/cluster.py [--duration 120] [--concurrency 32] [--window 10]
                                      [--kill-every 30] [--fault-every 0] [--keep]

Drives the official `openai` SDK (async, `--concurrency` clients, every fourth request streamed)
through nginx and prints, per window: requests, answers per second, errors, wrong answers (an
answer that does not echo its own question) and p50/p99 latency. `--kill-every N` SIGKILLs one
gateway (in turn) every N seconds and starts it again; `--fault-every N` puts a 5xx storm on the
primary provider for a third of every N seconds (failover to the secondary). At the end every
answered request's audit record is looked up in PostgreSQL (strict audit). Exit status 1 when an
answer was wrong or a record is missing.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.cluster.harness import (
    Cluster,
    ClusterSettings,
    Gateway,
    Load,
    Simulator,
    new_work_dir,
    shared_database,
    tally,
    wait_until,
)


def revive(gw: Gateway, begin: float) -> None:
    gw.spawn()
    gw.wait_ready()
    print(f"  {time.monotonic() - begin:6.1f}s {gw.node} ready again")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--window", type=float, default=10)
    parser.add_argument("--kill-every", type=float, default=0, help="SIGKILL a gateway every N s")
    parser.add_argument("--fault-every", type=float, default=0, help="5xx storm every N s")
    parser.add_argument("--keep", action="store_true", help="keep logs and spools")
    args = parser.parse_args()
    for name in ("INTERLOCK_TEST_PG_DSN", "INTERLOCK_TEST_REDIS_URL"):
        if not os.environ.get(name):
            print(f'{name} is not set: run eval "$(scripts/test-services.sh)" first')
            return 2

    workdir = new_work_dir("cluster-bench")
    sims = [Simulator(workdir, "sim-primary"), Simulator(workdir, "sim-secondary")]
    for sim in sims:
        sim.wait_ready()
    db_url, drop = shared_database()
    settings = ClusterSettings(
        sims[0].url, sims[1].url, db_url, os.environ["INTERLOCK_TEST_REDIS_URL"]
    )
    started = time.monotonic()
    cluster = Cluster(workdir / "cluster", settings)
    print(f"cluster up in {time.monotonic() - started:.1f}s: {cluster.url} (work dir {workdir})")
    failed = False
    try:
        load = Load(cluster.client("load"), args.concurrency).start()
        begin = time.monotonic()
        next_kill = begin + args.kill_every if args.kill_every else float("inf")
        next_fault = begin + args.fault_every if args.fault_every else float("inf")
        fault_until = 0.0
        victim = 0
        restart: threading.Thread | None = None
        window_start = begin
        while time.monotonic() - begin < args.duration:
            time.sleep(0.2)
            now = time.monotonic()
            if now >= next_kill and not (restart and restart.is_alive()):
                gw = cluster.gateways[victim % len(cluster.gateways)]
                victim += 1
                gw.kill()
                print(f"  {now - begin:6.1f}s SIGKILL {gw.node}")
                # Started again in the background, as an orchestrator would; the load goes on.
                restart = threading.Thread(target=revive, args=(gw, begin), daemon=True)
                restart.start()
                next_kill = now + args.kill_every
            if now >= next_fault:
                sims[0].control.add_fault(status=503, times=-1)
                fault_until = now + args.fault_every / 3
                next_fault = now + args.fault_every
                print(f"  {now - begin:6.1f}s primary provider: 503 storm")
            if fault_until and now >= fault_until:
                sims[0].control.clear_faults()
                fault_until = 0.0
                print(f"  {now - begin:6.1f}s primary provider: healthy")
            if now - window_start >= args.window:
                t = tally(load.between(window_start, now))
                rps = t.answered / (now - window_start)
                print(f"  {now - begin:6.1f}s {t.line('window')}, {rps:.0f} answers/s")
                window_start = now
        if restart is not None:
            restart.join(180)
        outcomes = load.stop()
        total = tally(outcomes)
        print(total.line("total"))
        answered = {o.request_id for o in outcomes if o.verdict == "ok" and o.request_id}
        missing = set(answered)

        def all_found() -> bool:
            missing.difference_update(cluster.audited(missing))
            return not missing

        try:
            took = wait_until(all_found, 60, "audit records", interval=0.5)
            print(f"audit: all {len(answered)} answered requests have a record ({took:.1f}s)")
        except AssertionError:
            print(f"audit: {len(missing)} of {len(answered)} answered requests have NO record")
            failed = True
        failed = failed or total.wrong > 0
    finally:
        cluster.close()
        for sim in sims:
            sim.close()
        drop()
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
