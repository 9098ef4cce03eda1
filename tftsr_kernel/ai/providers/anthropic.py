"""Anthropic Messages API: POST {base}/v1/messages with ``x-api-key`` and ``anthropic-version``.

Body ``{"model", "max_tokens", "system", "messages": [{"role": "user"|"assistant", "content"}],
"stream"}``; the answer is the text blocks of ``content``. A stream is SSE with named events:
``message_start``, ``content_block_start``, ``content_block_delta`` (``delta.type == "text_delta"``,
``delta.text``), ``content_block_stop``, ``message_delta``, ``message_stop`` (the end), ``ping``
and ``error``.
"""

from __future__ import annotations

import json
from typing import Any

from .base import ChatMessage, Provider, StreamEvent, WireRequest, error_message, json_body

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicProvider(Provider):
    name = "anthropic"
    title = "Anthropic (Claude)"
    default_base_url = "https://api.anthropic.com"
    default_model = "claude-3-5-haiku-latest"
    env_vars = ("ANTHROPIC_API_KEY",)
    context_tokens = 200_000

    def build(self, *, base_url: str, model: str, system: str, messages: list[ChatMessage],
              api_key: str | None, stream: bool, max_tokens: int) -> WireRequest:
        headers = {"Content-Type": "application/json", "anthropic-version": ANTHROPIC_VERSION,
                   "Accept": "text/event-stream" if stream else "application/json"}
        if api_key:
            headers["x-api-key"] = api_key
        body = {"model": model, "max_tokens": max_tokens, "system": system,
                "messages": [{"role": m.role, "content": m.content} for m in messages], "stream": stream}
        return WireRequest("POST", self.join(base_url, "v1/messages"), headers, json_body(body), stream, "sse")

    def parse_response(self, data: Any) -> str:
        blocks = data.get("content") if isinstance(data, dict) else None
        if not isinstance(blocks, list):
            raise ValueError(error_message(data) or "the answer has no content blocks")
        return "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")

    def parse_event(self, event: str | None, data: str) -> StreamEvent:
        payload = json.loads(data) if data.strip() else {}
        kind = event or payload.get("type")
        if kind == "content_block_delta":
            delta = payload.get("delta") or {}
            return StreamEvent(text=delta.get("text", "") if delta.get("type") == "text_delta" else "")
        if kind == "message_stop":
            return StreamEvent(done=True)
        if kind == "error":
            return StreamEvent(error=error_message(payload) or "the stream reported an error")
        return StreamEvent()
