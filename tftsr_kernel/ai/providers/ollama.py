"""Ollama's native chat API: POST {base}/api/chat, loopback (http://127.0.0.1:11434) by default.

Body ``{"model", "messages": [{"role", "content"}], "stream", "options": {"num_predict"}}``.
Non-streamed, the answer is ``message.content``; streamed, the body is NDJSON — one JSON object
per line, each adding ``message.content``, the last with ``"done": true``. No key is needed.
"""

from __future__ import annotations

import json
from typing import Any

from .base import ChatMessage, Provider, StreamEvent, WireRequest, error_message, json_body


class OllamaProvider(Provider):
    name = "ollama"
    title = "Ollama (local model server)"
    default_base_url = "http://127.0.0.1:11434"
    default_model = "llama3.1:8b"
    env_vars = ()
    framing = "ndjson"
    needs_key = False
    context_tokens = 8_192

    def build(self, *, base_url: str, model: str, system: str, messages: list[ChatMessage],
              api_key: str | None, stream: bool, max_tokens: int) -> WireRequest:
        headers = {"Content-Type": "application/json",
                   "Accept": "application/x-ndjson" if stream else "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        body = {"model": model,
                "messages": [{"role": "system", "content": system}]
                + [{"role": m.role, "content": m.content} for m in messages],
                "stream": stream, "options": {"num_predict": max_tokens}}
        return WireRequest("POST", self.join(base_url, "api/chat"), headers, json_body(body), stream, "ndjson")

    def parse_response(self, data: Any) -> str:
        msg = data.get("message") if isinstance(data, dict) else None
        if not isinstance(msg, dict) or not isinstance(msg.get("content"), str):
            raise ValueError(error_message(data) or "the answer has no message.content")
        return str(msg["content"])

    def parse_event(self, event: str | None, data: str) -> StreamEvent:
        chunk = json.loads(data)
        err = error_message(chunk)
        if err:
            return StreamEvent(error=err)
        text = (chunk.get("message") or {}).get("content") or ""
        return StreamEvent(text=text, done=bool(chunk.get("done")))
