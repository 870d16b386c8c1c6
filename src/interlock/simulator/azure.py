"""The simulated Azure OpenAI API: deployment-scoped chat completions and embeddings.

Paths are `/openai/deployments/{deployment}/chat/completions?api-version=...` (and
`/embeddings`); the deployment name stands in for the model. Auth is the `api-key` header
(a `Authorization: Bearer` carrying the same key is accepted too, as Entra tokens are).
Bodies are OpenAI's plus Azure's content-filter annotations. Errors use Azure's shape
`{"error": {"code", "message"}}`.
"""

from __future__ import annotations

from aiohttp import web

from interlock.simulator.exchange import Call, json_response, open_call, parse_json
from interlock.simulator.openai_chat import answer_chat
from interlock.simulator.openai_completions import answer_completion
from interlock.simulator.openai_embeddings import answer_embeddings
from interlock.simulator.state import STATE

PROVIDER = "azure"

_CODES = {400: "BadRequest", 404: "DeploymentNotFound", 429: "429", 500: "InternalServerError"}


def azure_error(status: int, message: str) -> web.Response:
    code = _CODES.get(status, str(status))
    return json_response({"error": {"code": code, "message": message}}, status=status)


def auth_failure(request: web.Request) -> web.Response | None:
    key = request.app[STATE].config.azure_key
    if request.headers.get("api-key") == key:
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip() == key:
        return None
    return azure_error(
        401,
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
        "provide a valid key for an active subscription and use a correct regional API "
        "endpoint for your resource.",
    )


async def _intake(request: web.Request) -> Call | web.StreamResponse:
    deployment = request.match_info["deployment"]
    call = await open_call(
        request,
        provider=PROVIDER,
        model=deployment,
        body=parse_json(await request.read()),
        auth_failure=auth_failure(request),
        error=azure_error,
    )
    if isinstance(call, Call) and not request.query.get("api-version"):
        return json_response(
            {
                "error": {
                    "code": "MissingApiVersionParameter",
                    "message": "The api-version query parameter (?api-version=) is required "
                    "for all requests.",
                }
            },
            status=400,
        )
    return call


async def chat_completions(request: web.Request) -> web.StreamResponse:
    call = await _intake(request)
    if not isinstance(call, Call):
        return call
    return await answer_chat(call, azure_error, azure=True)


async def completions(request: web.Request) -> web.StreamResponse:
    call = await _intake(request)
    if not isinstance(call, Call):
        return call
    return await answer_completion(call, azure_error)


async def embeddings(request: web.Request) -> web.StreamResponse:
    call = await _intake(request)
    if not isinstance(call, Call):
        return call
    return await answer_embeddings(call, azure_error)


def add_routes(app: web.Application) -> None:
    base = "/openai/deployments/{deployment}"
    app.router.add_post(f"{base}/chat/completions", chat_completions)
    app.router.add_post(f"{base}/completions", completions)
    app.router.add_post(f"{base}/embeddings", embeddings)
