"""The inference and admin APIs fuzzed from their own OpenAPI documents (schemathesis).

Cases are valid and invalid by the document (schemathesis' positive and negative modes), sent
with a real key through a gateway configured like production. Half the inference cases name a
configured model, so they get past routing into the stages and the upstream. Every answer must
hold `assert_answer` (no 5xx, no traceback, a request id, the caller's error shape); the logs
of the whole run must hold no key and no traceback. `INTERLOCK_FUZZ_EXAMPLES` sets the cases
per operation (small in the suite). The console's JSON (usage) is an admin route, so it is in
the admin document and fuzzed with it.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.security.support import (
    CHAT_MODEL,
    CLAUDE_MODEL,
    EMBED_MODEL,
    FUZZ_EXAMPLES,
    LogCapture,
    Secured,
    assert_answer,
    assert_clean_logs,
    start_secured,
)

CASES: collections.Counter[str] = collections.Counter()
STATUSES: collections.Counter[str] = collections.Counter()  # "api status": how deep cases went
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def logs() -> Iterator[LogCapture]:
    with LogCapture() as capture:
        yield capture


@pytest.fixture(scope="module")
def secured(
    simulator: Any, tmp_path_factory: pytest.TempPathFactory, logs: LogCapture
) -> Iterator[Secured]:
    s = start_secured(simulator.url, tmp_path_factory.mktemp("fuzz"))
    yield s
    s.gateway.close()


def _schema(secured: Secured, path: str, key: str) -> Any:
    raw = requests.get(
        secured.gateway.url + path, headers={"authorization": f"Bearer {key}"}
    ).json()
    return schemathesis.openapi.from_dict(raw)


@pytest.fixture(scope="module")
def inference_schema(secured: Secured) -> Any:
    return _schema(secured, "/v1/openapi.json", secured.inference_key)


@pytest.fixture(scope="module")
def admin_schema(secured: Secured) -> Any:
    return _schema(secured, "/admin/openapi.json", secured.admin_key)


def _model_for(path: str) -> str:
    if path.startswith("/v1/messages"):
        return CLAUDE_MODEL
    return EMBED_MODEL if path == "/v1/embeddings" else CHAT_MODEL


def _runner(
    strategy: Any, name: str, path: str, send: Callable[[Any], requests.Response], admin: bool
) -> Callable[[], None]:
    @FUZZ
    @given(case=strategy)
    def run(case: Any) -> None:
        CASES[name] += 1
        r = send(case)
        STATUSES[f"{name.split()[0]} {r.status_code}"] += 1
        if r.status_code == 401 and os.environ.get("DBG"):
            print("401", name, case.headers, r.content[:200])
        assert_answer(path, r.status_code, r.headers, r.content, admin=admin)

    return run


def fuzz(schema: Any, api: str, send: Callable[[Any], requests.Response], admin: bool) -> None:
    """Every operation, valid and invalid cases: hypothesis drives schemathesis' strategies
    directly (its pytest plugin does not run on this pytest). Failures are collected across
    operations, each shrunk by hypothesis to its smallest case, and reported together."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        op = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            name = f"{api} {op.method.upper()} {op.path}"
            run = _runner(op.as_strategy(generation_mode=mode), name, op.path, send, admin)
            try:
                run()
            except AssertionError as exc:
                failures.append(f"{name} ({mode.value}): {exc}")
    assert not failures, "\n".join(failures)


CREDENTIAL_HEADERS = {"authorization", "x-api-key", "api-key"}


def _own_credentials(case: Any, key: str) -> None:
    # Our own valid key on every case: generated credentials (or none, which schemathesis'
    # negative mode also tries) would only test the refusal at the door, on every case.
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in CREDENTIAL_HEADERS}
    case.headers = {**headers, "authorization": f"Bearer {key}"}


def test_inference_api_fuzzed(secured: Secured, inference_schema: Any) -> None:
    session = requests.Session()
    count = collections.Counter[str]()

    def send(case: Any) -> requests.Response:
        path = case.operation.path
        count[path] += 1
        _own_credentials(case, secured.inference_key)
        if isinstance(case.body, dict) and count[path] % 2:
            case.body["model"] = _model_for(path)  # past routing, into the stages and upstream
        if path.startswith("/v1/messages"):
            case.headers["anthropic-version"] = "2023-06-01"
        return case.call(base_url=secured.gateway.url, session=session, timeout=20)

    fuzz(inference_schema, "inference", send, admin=False)


def test_admin_api_fuzzed(secured: Secured, admin_schema: Any) -> None:
    session = requests.Session()

    def send(case: Any) -> requests.Response:
        _own_credentials(case, secured.admin_key)
        return case.call(base_url=secured.gateway.url, session=session, timeout=20)

    fuzz(admin_schema, "admin", send, admin=True)


def test_fuzzing_covered_every_operation_and_left_clean_logs(
    secured: Secured, logs: LogCapture, inference_schema: Any, admin_schema: Any
) -> None:
    """Runs after the fuzz tests above (file order): every operation got cases, and nothing
    the gateway logged meanwhile holds a key or a traceback."""
    for prefix, schema in (("inference", inference_schema), ("admin", admin_schema)):
        for op in schema.get_all_operations():
            name = f"{prefix} {op.ok().method.upper()} {op.ok().path}"
            assert CASES[name] > 0, f"no fuzz case ran for {name}"
    print("\nfuzz cases:", sum(CASES.values()), dict(sorted(CASES.items())))
    print("answers:", dict(sorted(STATUSES.items())))
    assert logs.lines, "the log capture saw nothing: it is not attached"
    assert_clean_logs(logs, secured.secrets())
