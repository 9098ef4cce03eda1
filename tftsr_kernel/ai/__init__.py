"""AI providers and the gateway, the only way TFTSR sends log data off the machine.

    from tftsr_kernel.ai import ask, PROVIDERS, provider_status
"""

from __future__ import annotations

from .gateway import PROVIDERS, Answer, ContextNotRedacted, api_key_for, ask, provider_status
from .http import RetryPolicy, Timeouts

__all__ = ["PROVIDERS", "Answer", "ContextNotRedacted", "RetryPolicy", "Timeouts", "api_key_for", "ask",
           "provider_status"]
