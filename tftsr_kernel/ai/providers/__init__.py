"""The remote provider clients, by name. ``local`` and ``none`` live in the gateway (they never send)."""

from __future__ import annotations

from .anthropic import AnthropicProvider
from .base import ChatMessage, Provider, StreamEvent, WireRequest
from .gemini import GeminiProvider
from .mistral import MistralProvider
from .ollama import OllamaProvider
from .openai import OpenAIProvider

REMOTE: dict[str, Provider] = {p.name: p for p in (OpenAIProvider(), AnthropicProvider(), GeminiProvider(),
                                                     MistralProvider(), OllamaProvider())}

__all__ = ["REMOTE", "AnthropicProvider", "ChatMessage", "GeminiProvider", "MistralProvider", "OllamaProvider",
           "OpenAIProvider", "Provider", "StreamEvent", "WireRequest"]
