"""Which destinations the gateway may send to, decided from the URL alone, before any connection.

Allowed:
- ``https://`` to the provider's own API host (api.openai.com, api.anthropic.com,
  generativelanguage.googleapis.com, api.mistral.ai), to a vendor host family the provider declares
  (``*.openai.azure.com`` for Azure OpenAI), or to a host the investigator allow-listed in the store
  (setting ``ai.allowed_hosts``, a JSON list; ``Workbench.ai_allow_host``);
- ``http://`` or ``https://`` to a loopback address (127.0.0.0/8, ::1, ``localhost``): a local model
  server such as Ollama, LM Studio or vLLM.

Refused: plain HTTP to anything that is not loopback, any other scheme, credentials or a query
string in the base URL (keys go in headers), and every other host.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable

import httpx

from ..errors import DestinationRefused
from .providers import Provider

ALLOWED_HOSTS_SETTING = "ai.allowed_hosts"


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_allowed_hosts(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    return [str(h).lower() for h in value] if isinstance(value, list) else []


def check_destination(url: str, provider: Provider, extra_hosts: Iterable[str] = ()) -> httpx.URL:
    """Return the parsed URL if the gateway may send to it; raise DestinationRefused otherwise."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise DestinationRefused(f"the address for {provider.name} is not a valid URL; fix the base URL") from exc
    host = (parsed.host or "").lower()
    if parsed.scheme not in ("http", "https") or not host:
        raise DestinationRefused(f"refused to send to a {parsed.scheme or 'schemeless'} address; "
                                 "only https (or http to a loopback model server) is allowed")
    if parsed.userinfo:
        raise DestinationRefused("refused: the base URL carries credentials; give API keys through the "
                                 "environment or `tftsr credentials set`, never in a URL")
    if is_loopback(host):
        return parsed
    if parsed.scheme != "https":
        raise DestinationRefused(f"refused to send to {host} over plain HTTP; only loopback model servers "
                                 "may use http, everything else must be https")
    default_host = (httpx.URL(provider.default_base_url).host or "").lower()
    allowed = {default_host, *(h.lower() for h in extra_hosts)}
    if host in allowed or any(host.endswith(sfx) for sfx in provider.vendor_host_suffixes):
        return parsed
    raise DestinationRefused(f"refused to send to {host}: it is not an allow-listed endpoint for "
                             f"{provider.name}; allow it with `Workbench.ai_allow_host({host!r})` if you trust it")
