"""Drafting on a clinic server: OpenAI-compatible ``POST /v1/chat/completions``, streamed.

Works with llama.cpp's ``llama-server``, vLLM and ``transformers serve``: greedy decoding
(``temperature 0``), the tokens handed on as they arrive so review never waits for a whole note.
"""

from __future__ import annotations

from collections.abc import Callable

from scribe.cancel import NEVER, CancelToken
from scribe.remote.wire import Endpoint, RemoteError, RequestHook, get_json, post_stream

__all__ = ["list_models", "served_model", "stream_chat"]


def stream_chat(endpoint: Endpoint, messages: list[dict[str, str]], max_tokens: int, *,
                on_text: Callable[[str], None] | None = None,
                on_request: RequestHook | None = None,
                cancel: CancelToken = NEVER) -> str:
    """The assistant's whole answer; each piece also goes to ``on_text`` as it streams."""
    payload = {"model": endpoint.model or served_model(endpoint, on_request),
               "messages": messages,
               "max_tokens": max_tokens, "temperature": 0}
    pieces: list[str] = []
    for event in post_stream(endpoint, "/chat/completions", payload, kind="drafting",
                             on_request=on_request, cancel=cancel):
        for choice in event.get("choices") or []:
            if not isinstance(choice, dict):
                continue
            delta = choice.get("delta") or choice.get("message") or {}
            piece = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(piece, str) and piece:
                pieces.append(piece)
                if on_text:
                    on_text(piece)
    return "".join(pieces)


_SERVED: dict[str, str] = {}


def served_model(endpoint: Endpoint, on_request: RequestHook | None = None) -> str:
    """The model to ask for when IT named none: the server's first (asked once per process;
    llama-server answers to any name, ``transformers serve`` only to the one it serves)."""
    if endpoint.url not in _SERVED:
        models = list_models(endpoint, on_request, kind="models")
        if not models:
            raise RemoteError(f"The clinic server {endpoint.host} offers no model to draft with.")
        _SERVED[endpoint.url] = models[0]
    return _SERVED[endpoint.url]


def list_models(endpoint: Endpoint, on_request: RequestHook | None = None,
                kind: str = "check") -> list[str]:
    """The model names the server offers (``GET /v1/models``): IT's check of an endpoint."""
    answer = get_json(endpoint, "/models", kind=kind, on_request=on_request)
    data = answer.get("data") if isinstance(answer, dict) else None
    return [str(m.get("id")) for m in data or [] if isinstance(m, dict) and m.get("id")]
