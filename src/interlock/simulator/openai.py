"""The simulated OpenAI API: chat completions, legacy completions, embeddings and models.

Auth is `Authorization: Bearer <openai_key>`. Errors use OpenAI's shape
`{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from interlock.simulator.exchange import Call, json_response, open_call, parse_json
from interlock.simulator.openai_chat import answer_chat
from interlock.simulator.openai_completions import answer_completion
from interlock.simulator.openai_embeddings import answer_embeddings
from interlock.simulator.state import STATE

PROVIDER = "openai"
MODEL_IDS = (
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "o3-mini",
    "gpt-3.5-turbo-instruct",
    "text-embedding-3-small",
    "text-embedding-3-large",
)
MODEL_CREATED = 1_700_000_000

# status -> (error.type, error.code), as the real API reports them.
_ERROR_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    409: ("invalid_request_error", None),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}


def openai_error(status: int, message: str) -> web.Response:
    kind, code = _ERROR_KINDS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    payload = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return json_response(payload, status=status, headers={"x-request-id": "req_sim"})


def auth_failure(request: web.Request) -> web.Response | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip() == request.app[STATE].config.openai_key:
        return None
    if not header:
        return openai_error(
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        )
    return openai_error(401, "Incorrect API key provided.")


async def _intake(request: web.Request) -> Call | web.StreamResponse:
    body = parse_json(await request.read())
    model = body.get("model") if isinstance(body, dict) else None
    return await open_call(
        request,
        provider=PROVIDER,
        model=model if isinstance(model, str) else "",
        body=body,
        auth_failure=auth_failure(request),
        error=openai_error,
    )


async def chat_completions(request: web.Request) -> web.StreamResponse:
    call = await _intake(request)
    if not isinstance(call, Call):
        return call
    if not call.model:
        return openai_error(400, "you must provide a model parameter")
    return await answer_chat(call, openai_error, azure=False)


async def completions(request: web.Request) -> web.StreamResponse:
    call = await _intake(request)
    if not isinstance(call, Call):
        return call
    if not call.model:
        return openai_error(400, "you must provide a model parameter")
    return await answer_completion(call, openai_error)


async def embeddings(request: web.Request) -> web.StreamResponse:
    call = await _intake(request)
    if not isinstance(call, Call):
        return call
    if not call.model:
        return openai_error(400, "you must provide a model parameter")
    return await answer_embeddings(call, openai_error)


def model_object(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": MODEL_CREATED, "owned_by": "system"}


async def list_models(request: web.Request) -> web.StreamResponse:
    result = await open_call(
        request,
        provider=PROVIDER,
        model="",
        body=None,
        auth_failure=auth_failure(request),
        error=openai_error,
    )
    if not isinstance(result, Call):
        return result
    return json_response({"object": "list", "data": [model_object(m) for m in MODEL_IDS]})


async def get_model(request: web.Request) -> web.StreamResponse:
    model_id = request.match_info["model_id"]
    result = await open_call(
        request,
        provider=PROVIDER,
        model=model_id,
        body=None,
        auth_failure=auth_failure(request),
        error=openai_error,
    )
    if not isinstance(result, Call):
        return result
    return json_response(model_object(model_id))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_post("/v1/completions", completions)
    app.router.add_post("/v1/embeddings", embeddings)
    # GET /v1/models is shared with Anthropic; server.py dispatches on the headers.
