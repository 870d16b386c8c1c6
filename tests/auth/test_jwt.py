"""The JWT verifier against a real JWKS server: caching, rotation, discovery, failing closed."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from interlock.auth.errors import AuthFailure
from interlock.auth.jwt import JwtVerifier
from interlock.config.schema import JwtIssuer
from tests.auth.support import AUDIENCE, ISSUER, IdentityProvider, public_jwk


def issuer(idp: IdentityProvider, **kw) -> JwtIssuer:
    base = {"issuer": ISSUER, "jwks_url": f"{idp.url}/jwks.json", "audiences": [AUDIENCE]}
    return JwtIssuer.model_validate({**base, **kw})


async def reason(verifier: JwtVerifier, token: str) -> tuple[int, str]:
    with pytest.raises(AuthFailure) as info:
        await verifier.verify(token)
    return info.value.status, info.value.reason


async def test_keys_are_cached_not_fetched_per_token(idp: IdentityProvider) -> None:
    async with aiohttp.ClientSession() as http:
        verifier = JwtVerifier([issuer(idp)], http)
        before = idp.fetches
        for _ in range(20):
            verified = await verifier.verify(idp.token("carol@corp"))
        assert verified.claims["sub"] == "carol@corp"
        assert idp.fetches == before + 1


async def test_unknown_kid_refetch_is_rate_limited(idp: IdentityProvider) -> None:
    async with aiohttp.ClientSession() as http:
        verifier = JwtVerifier([issuer(idp, jwks_min_refresh_s=30)], http)
        await verifier.verify(idp.token())
        before = idp.fetches
        # Forged kids cannot make the gateway hammer the IdP: no refetch inside the interval.
        for i in range(5):
            token = idp.token(headers={"kid": f"forged-{i}"})
            assert await reason(verifier, token) == (401, "unknown_kid")
        assert idp.fetches == before


async def test_background_refresh_when_cache_ages(idp: IdentityProvider) -> None:
    async with aiohttp.ClientSession() as http:
        verifier = JwtVerifier([issuer(idp, jwks_cache_s=0.2)], http)
        await verifier.verify(idp.token())
        before = idp.fetches
        await asyncio.sleep(0.3)
        await verifier.verify(idp.token("other@corp"))  # served from the cache while it refetches
        deadline = time.monotonic() + 20  # the refetch runs in the background: wait for it
        while idp.fetches == before and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert idp.fetches == before + 1


async def test_oidc_discovery(idp: IdentityProvider) -> None:
    cfg = JwtIssuer.model_validate(
        {
            "issuer": ISSUER,
            "discovery_url": f"{idp.url}/.well-known/openid-configuration",
            "audiences": [AUDIENCE],
        }
    )
    async with aiohttp.ClientSession() as http:
        verified = await JwtVerifier([cfg], http).verify(idp.token("x@corp"))
        assert verified.claims["sub"] == "x@corp"


async def test_discovery_naming_another_issuer_fails_closed(idp: IdentityProvider) -> None:
    cfg = JwtIssuer.model_validate(
        {
            "issuer": ISSUER,
            "discovery_url": f"{idp.url}/.well-known/openid-configuration?x",
            "audiences": [AUDIENCE],
        }
    )
    other = cfg.model_copy(update={"issuer": "https://other.example"})
    async with aiohttp.ClientSession() as http:
        token = idp.token(iss="https://other.example")
        assert await reason(JwtVerifier([other], http), token) == (503, "jwks_unreachable")


async def test_unreachable_jwks_fails_closed() -> None:
    cfg = JwtIssuer.model_validate(
        {"issuer": ISSUER, "jwks_url": "http://127.0.0.1:9/jwks.json", "audiences": [AUDIENCE]}
    )
    idp_token = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "a", "exp": int(time.time()) + 60},
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
    )
    async with aiohttp.ClientSession() as http:
        verifier = JwtVerifier([cfg.model_copy(update={"algorithms": ["ES256"]})], http)
        assert await reason(verifier, idp_token) == (503, "jwks_unreachable")


async def test_es256_and_key_type_confusion(idp: IdentityProvider) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    idp.add_key("ec1", ec_key)
    try:
        async with aiohttp.ClientSession() as http:
            verifier = JwtVerifier([issuer(idp, algorithms=["RS256", "ES256"])], http)
            ok = idp.token(kid="ec1", alg="ES256")
            assert (await verifier.verify(ok)).claims["sub"] == "carol@corp"
            # An ES256 header pointing at the RSA key: refused before any signature check.
            confused = idp.token(kid="ec1", alg="ES256", headers={"kid": "k1"})
            assert await reason(verifier, confused) == (401, "key_type_mismatch")
            # ES256 not configured: refused whatever the key.
            strict = JwtVerifier([issuer(idp)], http)
            assert await reason(strict, ok) == (401, "algorithm_not_allowed")
    finally:
        del idp.keys["ec1"]


def test_configuration_refuses_symmetric_and_none_algorithms() -> None:
    for alg in ("HS256", "none", "HS512"):
        with pytest.raises(ValueError):
            JwtIssuer.model_validate(
                {
                    "issuer": ISSUER,
                    "jwks_url": "http://x/j",
                    "audiences": ["a"],
                    "algorithms": [alg],
                }
            )
    with pytest.raises(ValueError, match="exactly one"):
        JwtIssuer.model_validate({"issuer": ISSUER, "audiences": ["a"]})
    with pytest.raises(ValueError):
        JwtIssuer.model_validate({"issuer": ISSUER, "jwks_url": "http://x/j", "audiences": []})


def test_public_jwk_shape(idp: IdentityProvider) -> None:
    jwk = public_jwk(idp.keys["k1"], "k1", "RS256")
    assert jwk["kty"] == "RSA" and "d" not in jwk  # never a private part


async def test_verified_tokens_are_reused_until_exp_or_key_change(idp: IdentityProvider) -> None:
    async with aiohttp.ClientSession() as http:
        verifier = JwtVerifier([issuer(idp, clock_skew_s=0, jwks_min_refresh_s=0)], http)
        # `exp` is whole seconds, so a ttl of 3 leaves 2-3 s for this first check, which a
        # loaded machine needs (ttl=1 left anywhere between 0 and 1 s).
        short = idp.token("short@corp", ttl=3)
        assert (await verifier.verify(short)).claims["sub"] == "short@corp"
        exp = jwt.decode(short, options={"verify_signature": False})["exp"]
        await asyncio.sleep(max(0.0, exp - time.time()) + 0.1)
        # Reuse never outlives the token: once `exp` passes, it is refused like any other.
        assert await reason(verifier, short) == (401, "token_expired")

        # A token verified with a key the IdP later withdraws stops working once we notice.
        idp.add_key("temp")
        try:
            token = idp.token("temp@corp", kid="temp")
            assert (await verifier.verify(token)).claims["sub"] == "temp@corp"
        finally:
            del idp.keys["temp"]
        with pytest.raises(AuthFailure):  # an unknown kid makes us refetch the key set
            await verifier.verify(idp.token("y@corp", headers={"kid": "gone"}))
        assert await reason(verifier, token) == (401, "unknown_kid")
