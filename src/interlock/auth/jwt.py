"""JWT bearer tokens from the organisation's identity provider.

Keys come from the issuer's JWKS (directly or via OpenID Connect discovery), are cached, and
are refetched in the background when the cache ages and at once (rate-limited) when a token
names a `kid` we do not know, which is how key rotation at the IdP shows up. The accepted
algorithms come from the configuration, never from the token: `none` and HMAC algorithms are
refused before any key is looked at, so an RSA public key can never be used as an HMAC secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
import orjson

from interlock.auth.errors import AuthFailure, unauthorized, unavailable
from interlock.config.schema import JwtIssuer

log = logging.getLogger("interlock.auth.jwt")

_KTY_FOR_ALG = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}
_MAX_TOKEN_LEN = 16 * 1024
_MAX_JWKS_BYTES = 1024 * 1024


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and len(token) <= _MAX_TOKEN_LEN


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    issuer: JwtIssuer
    claims: dict[str, Any]

    def claim(self, name: str | None) -> Any:
        return None if name is None else self.claims.get(name)


class JwksCache:
    """One issuer's signing keys, by `kid`."""

    def __init__(self, issuer: JwtIssuer, session: aiohttp.ClientSession) -> None:
        self.issuer = issuer
        self._session = session
        self._jwks_url = issuer.jwks_url
        self._keys: dict[str, dict[str, Any]] = {}
        self._prepared: dict[tuple[str, str], Any] = {}
        self._fetched_at = 0.0  # monotonic; 0 = never
        self._inflight: asyncio.Future[None] | None = None
        self.fetches = 0
        self.generation = 0  # moves when the published key set changes

    async def key_for(self, kid: str | None, alg: str) -> Any:
        now = time.monotonic()
        if self._fetched_at == 0.0:
            await self._refresh()
        elif now - self._fetched_at > self.issuer.jwks_cache_s:
            # Serve from the cache while a fresh copy is fetched off the request path.
            self._refresh_soon()
        jwk = self._find(kid, alg)
        if jwk is None and now - self._fetched_at >= self.issuer.jwks_min_refresh_s:
            await self._refresh()  # unknown kid: the IdP may have rotated its keys
            jwk = self._find(kid, alg)
        if jwk is None:
            raise unauthorized("unknown_kid", kid=kid)
        return self._prepare(jwk, alg)

    def _find(self, kid: str | None, alg: str) -> dict[str, Any] | None:
        if kid is not None:
            return self._keys.get(kid)
        # No kid in the token: acceptable only if exactly one key could have signed it.
        family = _KTY_FOR_ALG.get(alg[:2])
        candidates = [k for k in self._keys.values() if k.get("kty") == family]
        return candidates[0] if len(candidates) == 1 else None

    def _prepare(self, jwk: dict[str, Any], alg: str) -> Any:
        kid = str(jwk.get("kid", ""))
        cached = self._prepared.get((kid, alg))
        if cached is not None:
            return cached
        if jwk.get("kty") != _KTY_FOR_ALG.get(alg[:2]):
            raise unauthorized("key_type_mismatch", kid=kid, alg=alg)
        if jwk.get("alg") not in (None, alg):
            raise unauthorized("key_alg_mismatch", kid=kid, alg=alg)
        try:
            key = jwt.PyJWK(jwk, algorithm=alg).key
        except jwt.PyJWTError:
            raise unauthorized("unusable_jwk", kid=kid) from None
        self._prepared[(kid, alg)] = key
        return key

    def _refresh_soon(self) -> None:
        if self._inflight is None:
            task = asyncio.ensure_future(self._refresh())
            task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def _refresh(self) -> None:
        # Concurrent requests share one fetch.
        if self._inflight is not None:
            await asyncio.shield(self._inflight)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._inflight = fut
        try:
            await self._fetch()
            fut.set_result(None)
        except AuthFailure as exc:
            fut.set_exception(exc)
            raise
        finally:
            self._inflight = None
            if fut.done() and not fut.cancelled():
                fut.exception()  # mark retrieved

    async def _get_json(self, url: str) -> Any:
        timeout = aiohttp.ClientTimeout(total=5)
        async with self._session.get(url, timeout=timeout, allow_redirects=False) as resp:
            if resp.status != 200:
                raise ValueError(f"{url} answered HTTP {resp.status}")
            body = await resp.content.read(_MAX_JWKS_BYTES + 1)
            if len(body) > _MAX_JWKS_BYTES:
                raise ValueError(f"{url} sent more than {_MAX_JWKS_BYTES} bytes")
            return orjson.loads(body)

    async def _fetch(self) -> None:
        self.fetches += 1
        try:
            if self._jwks_url is None:
                doc = await self._get_json(str(self.issuer.discovery_url))
                if doc.get("issuer") != self.issuer.issuer:
                    raise ValueError("the discovery document names another issuer")
                self._jwks_url = str(doc["jwks_uri"])
            data = await self._get_json(self._jwks_url)
            keys = {
                str(k.get("kid", "")): k
                for k in data.get("keys", [])
                if isinstance(k, dict) and k.get("use", "sig") == "sig"
            }
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, AttributeError) as exc:
            log.warning("cannot fetch signing keys for issuer %s: %s", self.issuer.issuer, exc)
            if self._fetched_at == 0.0:
                raise unavailable("jwks_unreachable", issuer=self.issuer.issuer) from None
            self._fetched_at = time.monotonic()  # keep the old keys; retry after the interval
            return
        if keys != self._keys:
            self.generation += 1
            self._prepared = {}
        self._keys = keys
        self._fetched_at = time.monotonic()


_VERIFIED_CACHE_SIZE = 10_000


class JwtVerifier:
    def __init__(self, issuers: list[JwtIssuer], session: aiohttp.ClientSession) -> None:
        self.caches = {i.issuer: JwksCache(i, session) for i in issuers}
        # Clients send the same token for many requests: a token verified once is trusted until
        # its `exp` (plus skew) or until the IdP's key set changes, so the RSA check and the
        # claim parsing run once per token, not once per request.
        self._verified: dict[str, tuple[VerifiedToken, float, JwksCache, int]] = {}

    async def verify(self, token: str) -> VerifiedToken:
        hit = self._verified.get(token)
        if hit is not None:
            verified, valid_until, cache, generation = hit
            if time.time() <= valid_until and cache.generation == generation:
                return verified
            del self._verified[token]
        verified, cache = await self._verify(token)
        exp = verified.claims.get("exp")
        if isinstance(exp, int | float):
            if len(self._verified) >= _VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = (
                verified, exp + verified.issuer.clock_skew_s, cache, cache.generation,
            )  # fmt: skip
        return verified

    async def _verify(self, token: str) -> tuple[VerifiedToken, JwksCache]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise unauthorized("malformed_token") from None
        iss = unverified.get("iss")
        cache = self.caches.get(iss) if isinstance(iss, str) else None
        if cache is None:
            raise unauthorized("untrusted_issuer", issuer=str(iss)[:200])
        issuer = cache.issuer
        alg = header.get("alg")
        # The algorithm list is ours; a token cannot pick `none` or an HMAC algorithm.
        if not isinstance(alg, str) or alg not in issuer.algorithms:
            raise unauthorized("algorithm_not_allowed", alg=str(alg)[:20])
        kid = header.get("kid")
        key = await cache.key_for(kid if isinstance(kid, str) else None, alg)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=issuer.audiences,
                issuer=issuer.issuer,
                leeway=issuer.clock_skew_s,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("token_expired", "The token has expired") from None
        except jwt.ImmatureSignatureError:
            raise unauthorized("token_not_yet_valid", "The token is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise unauthorized(
                "wrong_audience", "The token was not issued for this gateway (audience)"
            ) from None
        except jwt.InvalidIssuerError:
            raise unauthorized("wrong_issuer") from None
        except jwt.InvalidSignatureError:
            raise unauthorized("bad_signature") from None
        except jwt.PyJWTError as exc:
            raise unauthorized("invalid_token", detail=type(exc).__name__) from None
        return VerifiedToken(issuer, claims), cache


async def close_quietly(session: aiohttp.ClientSession | None) -> None:
    if session is not None:
        with contextlib.suppress(Exception):
            await session.close()
