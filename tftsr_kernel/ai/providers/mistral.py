"""Mistral's chat completions: https://api.mistral.ai/v1/chat/completions, ``Authorization: Bearer KEY``.

Same request and SSE stream shape as OpenAI's (``data: {chunk}`` ... ``data: [DONE]``); Mistral
documents ``max_tokens``, ``stream`` and the system/user/assistant roles the same way.
"""

from __future__ import annotations

from .openai import OpenAIProvider


class MistralProvider(OpenAIProvider):
    name = "mistral"
    title = "Mistral AI"
    default_base_url = "https://api.mistral.ai/v1"
    default_model = "mistral-small-latest"
    env_vars = ("MISTRAL_API_KEY",)
    vendor_host_suffixes = ()
    context_tokens = 32_000
