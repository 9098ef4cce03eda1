"""What a provider client is: how to build one request and how to read its answer (whole or streamed).

A provider never opens a connection itself. It turns (model, system prompt, messages) into a
``WireRequest`` — URL, headers, exact body bytes — and reads response JSON or stream events back
into text. ``ai.http`` sends the request; ``ai.gateway`` is the only caller of both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

Framing = Literal["sse", "ndjson"]


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class WireRequest:
    """One HTTP request, byte-exact. ``headers`` can hold a credential: never log or print them."""

    method: str
    url: str
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    stream: bool
    framing: Framing

    def __repr__(self) -> str:
        return f"WireRequest({self.method} {self.url}, {len(self.body)} bytes, stream={self.stream})"


@dataclass(frozen=True)
class StreamEvent:
    """What one stream event added: ``text`` (may be empty) and whether the answer is complete."""

    text: str = ""
    done: bool = False
    error: str | None = None


def json_body(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Provider:
    """One vendor's wire format. Subclasses set the class constants and the four methods."""

    name: ClassVar[str]
    title: ClassVar[str]
    default_base_url: ClassVar[str]
    default_model: ClassVar[str]
    env_vars: ClassVar[tuple[str, ...]] = ()
    framing: ClassVar[Framing] = "sse"
    needs_key: ClassVar[bool] = True
    # HTTPS hosts that belong to the vendor (besides the default base URL's host)
    vendor_host_suffixes: ClassVar[tuple[str, ...]] = ()
    context_tokens: ClassVar[int] = 128_000

    def build(self, *, base_url: str, model: str, system: str, messages: list[ChatMessage],
              api_key: str | None, stream: bool, max_tokens: int) -> WireRequest:
        raise NotImplementedError

    def parse_response(self, data: Any) -> str:
        raise NotImplementedError

    def parse_event(self, event: str | None, data: str) -> StreamEvent:
        raise NotImplementedError

    @staticmethod
    def join(base_url: str, path: str) -> str:
        return base_url.rstrip("/") + "/" + path.lstrip("/")


def error_message(data: Any) -> str | None:
    """The vendor's error text from an error body (OpenAI, Anthropic, Gemini, Mistral, Ollama shapes)."""
    if not isinstance(data, dict):
        return None
    err = data.get("error")
    if isinstance(err, dict):
        msg = err.get("message") or err.get("type")
        return str(msg) if msg else None
    if isinstance(err, str):
        return err
    if isinstance(data.get("message"), str) and data.get("object") == "error":
        return str(data["message"])
    return None
