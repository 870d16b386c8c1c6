"""What the identity stage costs per request, measured in-process (no network, no database).

    .venv/bin/python bench/auth_stage.py [--keys 10000] [--iterations 50000]

Times the work the gateway does for each inference request: resolving an API key to
(identity, team, application, binding, policy) against the in-memory view, the same for a JWT
whose signing key is cached, a refused unknown key, and the policy's model check.
The view holds `--keys` keys so the lookup is shown not to depend on the organisation's size.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import jwt
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from cryptography.hazmat.primitives.asymmetric import rsa

from interlock.auth.authenticator import Authenticator
from interlock.auth.errors import AuthFailure
from interlock.auth.jwt import JwtVerifier, close_quietly
from interlock.auth.keys import hash_key, new_key
from interlock.auth.policy import CompiledPolicies
from interlock.auth.stage import IdentityStage
from interlock.auth.view import IdentityView
from interlock.config import parse_config
from interlock.exchange import ChatRequest, Exchange, Message, TextPart
from interlock.server.runtime import RuntimeHolder
from interlock.store.repo import Snapshot

CONFIG = """
providers:
  openai: {type: openai, api_key: x}
models:
  gpt-4o-mini: {provider: openai, aliases: [fast]}
  gpt-4o: {provider: openai}
auth:
  jwt:
    - issuer: https://idp.bench
      jwks_url: JWKS_URL
      audiences: [interlock]
policies:
  standard: {models: ["gpt-*"]}
"""


class StaticDirectory:
    def __init__(self, view: IdentityView) -> None:
        self._view = view

    def view(self) -> IdentityView:
        return self._view


def build_view(n_keys: int) -> tuple[IdentityView, str]:
    now = time.time()
    teams = [{"id": f"team{i}", "name": f"team{i}", "revoked_at": None} for i in range(50)]
    apps = [{"id": f"app{i}", "team_id": f"team{i % 50}", "revoked_at": None} for i in range(200)]
    identities = [
        {"id": f"id{i}", "team_id": f"team{i % 50}", "kind": "workload", "subject": f"sub{i}",
         "roles": "[]", "revoked_at": None}
        for i in range(n_keys)
    ]  # fmt: skip
    keys, chosen = [], ""
    for i in range(n_keys):
        key_id, secret = new_key()
        keys.append(
            {"id": key_id, "hash": hash_key(secret), "kind": "inference", "identity_id": f"id{i}",
             "app_id": None, "expires_at": now + 86400, "revoked_at": None}
        )  # fmt: skip
        if i == 7:  # identity id7, team7, bound to app7
            chosen = secret
    bindings = [
        {"id": f"b{i}", "subject_type": "team", "subject_id": f"team{i % 50}", "app_id": f"app{i}",
         "policy": "standard", "revoked_at": None}
        for i in range(200)
    ]  # fmt: skip
    return IdentityView(Snapshot(1, teams, apps, identities, keys, bindings)), chosen


async def timed(label: str, fn: Callable[[], Awaitable[Any]], n: int) -> dict[str, float]:
    for _ in range(min(1000, n)):
        await fn()
    samples = []
    batch = 100
    for _ in range(n // batch):
        start = time.perf_counter_ns()
        for _ in range(batch):
            await fn()
        samples.append((time.perf_counter_ns() - start) / batch / 1000)
    result = {
        "median_us": statistics.median(samples),
        "p95_us": statistics.quantiles(samples, n=20)[18],
        "ops_per_s": 1e6 / statistics.median(samples),
    }
    print(
        f"{label:<48} {result['median_us']:8.2f} µs  (p95 {result['p95_us']:7.2f} µs, "
        f"{result['ops_per_s']:,.0f}/s on one core)"
    )
    return result


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--iterations", type=int, default=50_000)
    args = parser.parse_args()

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True) | {"kid": "k1"}
    jwks = web.Application()
    jwks.router.add_get("/jwks.json", lambda r: web.json_response({"keys": [jwk]}))
    runner = web.AppRunner(jwks, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    config = parse_config(CONFIG.replace("JWKS_URL", f"http://127.0.0.1:{port}/jwks.json"))
    assert config.auth is not None
    build_start = time.perf_counter()
    view, secret = build_view(args.keys)
    build_ms = (time.perf_counter() - build_start) * 1000
    # The stand-in directory skips the database on purpose: the request path never touches it.
    async with aiohttp.ClientSession() as http:
        verifier = JwtVerifier(config.auth.jwt, http)
        auth = Authenticator(
            StaticDirectory(view),  # type: ignore[arg-type]
            config.auth,
            CompiledPolicies(config),
            verifier,
        )
        key_headers = {"authorization": f"Bearer {secret}", "x-interlock-app": "app7"}
        token = jwt.encode(
            {"iss": "https://idp.bench", "aud": "interlock", "sub": "sub7", "exp": int(time.time()) + 3600},
            private, algorithm="RS256", headers={"kid": "k1"},
        )  # fmt: skip
        jwt_headers = {"authorization": f"Bearer {token}", "x-interlock-app": "app7"}
        bad_headers = {
            "authorization": "Bearer ilk_zzzzzzzzzzzz_" + "x" * 43,
            "x-interlock-app": "app7",
        }

        async def refused() -> None:
            with contextlib.suppress(AuthFailure):
                await auth.principal(bad_headers)

        policy = auth.policies.by_name["standard"]

        async def model_check() -> bool:
            return policy.allows("gpt-4o-mini")

        fresh_tokens = iter(
            [
                jwt.encode(
                    {
                        "iss": "https://idp.bench",
                        "aud": "interlock",
                        "sub": "sub7",
                        "jti": str(i),
                        "exp": int(time.time()) + 3600,
                    },
                    private,
                    algorithm="RS256",
                    headers={"kid": "k1"},
                )
                for i in range(args.iterations // 10 + 1000)
            ]
        )

        async def first_sight() -> None:
            await auth.principal(
                {"authorization": f"Bearer {next(fresh_tokens)}", "x-interlock-app": "app7"}
            )

        print(f"view: {args.keys:,} keys, 50 teams, 200 applications (built in {build_ms:.0f} ms)")
        n = args.iterations
        await timed("API key → principal (allowed)", lambda: auth.principal(key_headers), n)
        await timed("unknown API key → 401", refused, n)
        await timed("policy model check (on_request)", model_check, n)
        # The whole stage as the pipeline runs it: its three hooks on a real aiohttp request.
        holder = RuntimeHolder(None, config)
        holder.start()
        stage = IdentityStage(holder, config)
        stage.directory = StaticDirectory(view)  # type: ignore[assignment]
        request = make_mocked_request("POST", "/v1/chat/completions", headers=key_headers)
        chat = ChatRequest(model="gpt-4o-mini", messages=[Message("user", [TextPart("hi")])])

        async def whole_stage() -> None:
            ex = Exchange("req_bench", "openai.chat")
            ex.principal = await stage.on_authenticate(request, ex)
            ex.request = chat
            stage.on_request(ex)  # plain hooks: no coroutine
            stage.on_done(ex)

        await timed("whole stage: 3 hooks, API key (per request)", whole_stage, n)
        await holder.close()
        await close_quietly(stage._session)
        await timed(
            "JWT RS256 → principal, token seen before", lambda: auth.principal(jwt_headers), n
        )
        await timed("JWT RS256 → principal, first sight (RSA verify)", first_sight, n // 10)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
