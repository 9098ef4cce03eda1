"""Google Gemini API: POST {base}/models/{model}:generateContent, key ONLY in ``x-goog-api-key``.

Body ``{"systemInstruction": {"parts": [{"text"}]}, "contents": [{"role": "user"|"model",
"parts": [{"text"}]}], "generationConfig": {"maxOutputTokens"}}``; the answer is the text parts
of ``candidates[0].content``. Streaming is ``:streamGenerateContent?alt=sse``: SSE ``data:`` lines,
each a whole GenerateContentResponse; there is no [DONE] sentinel, the final chunk carries
``finishReason``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .base import ChatMessage, Provider, StreamEvent, WireRequest, error_message, json_body


def _text(data: Any) -> tuple[str, bool]:
    candidates = data.get("candidates") if isinstance(data, dict) else None
    if not candidates:
        return "", False
    first = candidates[0]
    parts = (first.get("content") or {}).get("parts") or []
    return "".join(p.get("text", "") for p in parts if isinstance(p, dict)), bool(first.get("finishReason"))


class GeminiProvider(Provider):
    name = "gemini"
    title = "Google Gemini"
    default_base_url = "https://generativelanguage.googleapis.com/v1beta"
    default_model = "gemini-2.0-flash"
    env_vars = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    context_tokens = 1_000_000

    def build(self, *, base_url: str, model: str, system: str, messages: list[ChatMessage],
              api_key: str | None, stream: bool, max_tokens: int) -> WireRequest:
        headers = {"Content-Type": "application/json",
                   "Accept": "text/event-stream" if stream else "application/json"}
        if api_key:
            headers["x-goog-api-key"] = api_key
        body = {
            "systemInstruction": {"parts": [{"text": system}]},
            "contents": [{"role": "model" if m.role == "assistant" else "user", "parts": [{"text": m.content}]}
                         for m in messages],
            "generationConfig": {"maxOutputTokens": max_tokens},
        }
        name = quote(model.removeprefix("models/"), safe="-._~")
        path = f"models/{name}:streamGenerateContent?alt=sse" if stream else f"models/{name}:generateContent"
        return WireRequest("POST", self.join(base_url, path), headers, json_body(body), stream, "sse")

    def parse_response(self, data: Any) -> str:
        text, _ = _text(data)
        if not text and not (isinstance(data, dict) and data.get("candidates")):
            raise ValueError(error_message(data) or "the answer has no candidates")
        return text

    def parse_event(self, event: str | None, data: str) -> StreamEvent:
        chunk = json.loads(data)
        err = error_message(chunk)
        if err:
            return StreamEvent(error=err)
        text, finished = _text(chunk)
        return StreamEvent(text=text, done=finished)
