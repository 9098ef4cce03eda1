"""OpenAI Chat Completions, and every server that speaks it (Azure OpenAI v1, LM Studio, vLLM, LiteLLM).

POST {base_url}/chat/completions with ``Authorization: Bearer KEY`` and
``{"model", "messages": [{"role": "system"|"user"|"assistant", "content"}], "stream"}``.
The answer is ``choices[0].message.content``; a stream is SSE ``data: {chunk}`` lines whose
``choices[0].delta.content`` add text, ended by ``data: [DONE]``. Azure OpenAI resources
(``*.openai.azure.com``) also get the key in ``api-key``, the header Azure documents.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpx

from .base import ChatMessage, Provider, StreamEvent, WireRequest, error_message, json_body


class OpenAIProvider(Provider):
    name = "openai"
    title = "OpenAI (or any OpenAI-compatible base URL)"
    default_base_url = "https://api.openai.com/v1"
    default_model = "gpt-4o-mini"
    env_vars = ("OPENAI_API_KEY",)
    vendor_host_suffixes: ClassVar[tuple[str, ...]] = (".openai.azure.com",)

    def headers(self, base_url: str, api_key: str | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
            if (httpx.URL(base_url).host or "").endswith(".openai.azure.com"):
                headers["api-key"] = api_key
        return headers

    def body(self, model: str, system: str, messages: list[ChatMessage], stream: bool,
             max_tokens: int) -> dict[str, Any]:
        return {
            "model": model,
            "messages": [{"role": "system", "content": system}]
            + [{"role": m.role, "content": m.content} for m in messages],
            "stream": stream,
            "max_tokens": max_tokens,
        }

    def build(self, *, base_url: str, model: str, system: str, messages: list[ChatMessage],
              api_key: str | None, stream: bool, max_tokens: int) -> WireRequest:
        headers = self.headers(base_url, api_key)
        if stream:
            headers["Accept"] = "text/event-stream"
        return WireRequest("POST", self.join(base_url, "chat/completions"), headers,
                           json_body(self.body(model, system, messages, stream, max_tokens)), stream, "sse")

    def parse_response(self, data: Any) -> str:
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            content = None
        if not isinstance(content, str):
            raise ValueError(error_message(data) or "the answer has no choices[0].message.content")
        return content

    def parse_event(self, event: str | None, data: str) -> StreamEvent:
        if data.strip() == "[DONE]":
            return StreamEvent(done=True)
        chunk = json.loads(data)
        err = error_message(chunk)
        if err:
            return StreamEvent(error=err)
        text = ""
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str) and choice.get("index", 0) == 0:
                text += delta["content"]
        return StreamEvent(text=text)
