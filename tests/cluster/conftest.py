"""Fixtures of the cluster suite: built once for the folder (package scope), torn down after it.

- `sims`: two provider simulators, `primary` (OpenAI) and `secondary` (Azure, the same model).
- `cluster`: nginx + three gateways on a fresh database of the test PostgreSQL server and a key
  prefix of its own in the test Redis (INTERLOCK_TEST_PG_DSN, INTERLOCK_TEST_REDIS_URL).
- `isolated_cluster`: the same, on a Redis server and a PostgreSQL cluster of its own, which the
  store-outage tests stop and start.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.auth.support import pg_dsn
from tests.budget.support import redis_url
from tests.cluster.harness import (
    Cluster,
    ClusterSettings,
    OwnPostgres,
    OwnRedis,
    Simulator,
    new_work_dir,
    shared_database,
)


@pytest.fixture(scope="package")
def workdir() -> Iterator[Path]:
    path = new_work_dir("cluster")
    yield path
    if not os.environ.get("INTERLOCK_KEEP_CLUSTER"):  # keep logs and spools for a post-mortem
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="package")
def sims(workdir: Path) -> Iterator[dict[str, Simulator]]:
    made = {"primary": Simulator(workdir, "sim-primary")}
    try:
        made["secondary"] = Simulator(workdir, "sim-secondary")
        for sim in made.values():
            sim.wait_ready()
        yield made
    finally:
        for sim in made.values():
            sim.close()


@pytest.fixture(scope="package")
def cluster(sims: dict[str, Simulator], workdir: Path) -> Iterator[Cluster]:
    pg_dsn()  # fails with a clear message when the test services are not running
    db_url, drop = shared_database()
    settings = ClusterSettings(sims["primary"].url, sims["secondary"].url, db_url, redis_url())
    try:
        made = Cluster(workdir / "shared", settings)
    except BaseException:
        drop()
        raise
    try:
        yield made
    finally:
        made.close()
        r = redis.Redis.from_url(settings.redis_url)
        keys = list(r.scan_iter(match=settings.redis_prefix + "*"))
        if keys:
            r.delete(*keys)
        r.close()
        drop()


@pytest.fixture(scope="package")
def own_stores() -> Iterator[tuple[OwnRedis, OwnPostgres]]:
    r = OwnRedis()
    try:
        pg = OwnPostgres()
    except BaseException:
        r.close()
        raise
    yield r, pg
    pg.close()
    r.close()


@pytest.fixture(scope="package")
def isolated_cluster(
    sims: dict[str, Simulator], own_stores: tuple[OwnRedis, OwnPostgres], workdir: Path
) -> Iterator[Cluster]:
    r, pg = own_stores
    settings = ClusterSettings(
        sims["primary"].url,
        sims["secondary"].url,
        pg.create_database(),
        r.url,
        # Short enough that the PostgreSQL outage outlasts it: the identity view is trusted for
        # this long without the database, then authentication fails closed.
        max_staleness_s=3.0,
    )
    made = Cluster(workdir / "isolated", settings)
    yield made
    made.close()


@pytest.fixture()
def clean_sims(sims: dict[str, Simulator]) -> Iterator[dict[str, Simulator]]:
    """The simulators with no faults and empty request logs, before and after the test."""
    for sim in sims.values():
        if sim.proc is None:
            sim.start()
        sim.control.clear_faults()
        sim.control.clear_requests()
    yield sims
    for sim in sims.values():
        if sim.proc is None:
            sim.start()
        sim.control.clear_faults()
