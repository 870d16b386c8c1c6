"""Test support for output filtering: a real classifier service on loopback and a gateway with
auth on whose policies carry `output` sections."""

from __future__ import annotations

import asyncio
from typing import Any

import yaml
from aiohttp import web

from tests.auth.support import gateway_yaml
from tests.dlp.support import STANDARD_DLP
from tests.support import LoopThread

REPLACED = "This answer is not available."

# alice (team red, app chat) -> `standard`: request DLP pseudonymises e-mails; terms only, so
# the stream hold-back is as short as the longest term prefix seen.
STANDARD_OUTPUT: dict[str, Any] = {
    "rules": [
        {
            "name": "competitors",
            "terms": ["Contoso Ltd", "Fabrikam", "Zürich Versicherung", "Northwind Global Trading"],
            "action": "redact",
        },
        {"name": "promises", "terms": ["guaranteed refund"], "action": "block"},
        {"name": "legal", "terms": ["lawsuit"], "action": "replace"},
        {"name": "tone", "terms": ["stupid"], "action": "flag"},
        {"name": "internal", "terms": ["Kestrel"], "action": "log"},
    ],
    "json_schema": {"type": "object", "required": ["summary"]},
    "replace_message": REPLACED,
}

# bob (team blue, app billing) -> `open`: no request DLP; output DLP and a pattern rule.
OPEN_OUTPUT: dict[str, Any] = {
    "rules": [{"name": "orders", "patterns": [r"ORD-\d{4,8}"], "action": "redact"}],
    "dlp": {"actions": {"default": "log", "hallucinated": "redact", "SECRET": "block"}},
}

CLASSIFIER_TIMEOUT_S = 1.5


def output_gateway_yaml(sim_url: str, db_url: str, idp_url: str, classifier_url: str) -> str:
    config = yaml.safe_load(gateway_yaml(sim_url, db_url, idp_url))
    # An Anthropic upstream too: Anthropic clients then get the provider's own frames, and a
    # filter that changes one must have it re-encoded.
    config["providers"]["anthropic"] = {
        "type": "anthropic",
        "base_url": sim_url,
        "api_key": "sim-anthropic-key",
    }
    config["models"]["claude-sonnet"] = {"provider": "anthropic", "model": "claude-sonnet-4-5"}
    standard = config["policies"]["standard"]
    standard["models"] = ["*"]
    standard["dlp"] = STANDARD_DLP
    standard["output"] = {
        **STANDARD_OUTPUT,
        "classifier": {
            "url": f"{classifier_url}/classify",
            # Every answer on this policy waits for the classifier: a loaded CI machine must
            # not turn a normal answer into "unavailable" (slowpoke's wait is well beyond).
            "timeout_s": CLASSIFIER_TIMEOUT_S,
            "on_failure": "closed",
            "action": "replace",
        },
    }
    config["policies"]["open"]["output"] = OPEN_OUTPUT
    # No request DLP at all (a policy without the section still redacts restricted types): the
    # output filters must see what the model echoes.
    config["policies"]["open"]["dlp"] = {"enabled": False}
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


class ClassifierService:
    """Flags answers mentioning bananas; is slow for "slowpoke", fails for "brokenwire"."""

    def __init__(self) -> None:
        self.loop = LoopThread()
        self.calls: list[dict[str, Any]] = []
        app = web.Application()
        app.router.add_post("/classify", self._classify)
        self.runner = web.AppRunner(app, access_log=None)

        async def start() -> int:
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            return site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        self.url = f"http://127.0.0.1:{self.loop.run(start())}"

    async def _classify(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(body)
        text = body["text"]
        if "slowpoke" in text:
            await asyncio.sleep(CLASSIFIER_TIMEOUT_S + 2.5)
        if "brokenwire" in text:
            return web.Response(status=500, text="boom")
        flagged = "banana" in text
        return web.json_response(
            {"flagged": flagged, "label": "fruit" if flagged else "ok", "score": 0.9 * flagged}
        )

    def close(self) -> None:
        try:
            self.loop.run(self.runner.cleanup())
        finally:
            self.loop.stop()
