"""The one place where httpx exceptions become TFTSR exceptions (raised ``from`` the original).

    httpx.TimeoutException   (ConnectTimeout, ReadTimeout, WriteTimeout, PoolTimeout)
                                        -> ProviderError "... did not answer within N s ..."
    httpx.ConnectError                  -> ProviderError "... could not be reached ..."
    httpx.RemoteProtocolError, ReadError (connection dropped mid-answer)
                                        -> ProviderError "... closed the connection ..."
    httpx.UnsupportedProtocol, InvalidURL
                                        -> DestinationRefused
    any other httpx.HTTPError           -> ProviderError

Messages name the provider and the host only: never a header, a key, a body or a full URL with a
query string, so they are safe to print in a notebook.
"""

from __future__ import annotations

import httpx

from ..errors import DestinationRefused, GatewayError, ProviderError


def describe_http_error(exc: BaseException, provider: str, host: str) -> GatewayError:
    """Turn an httpx exception into one sentence that says what happened and what to do."""
    where = f"{provider} at {host}"
    if isinstance(exc, httpx.ConnectTimeout):
        return ProviderError(f"{where} did not accept a connection in time; check that it is running "
                             "and reachable, or raise the connect timeout")
    if isinstance(exc, httpx.TimeoutException):
        return ProviderError(f"{where} did not answer in time; try again later, pick a smaller model "
                             "or raise the read timeout")
    if isinstance(exc, httpx.ConnectError):
        return ProviderError(f"{where} could not be reached; check that the server is running and "
                             "the address is right")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return ProviderError(f"{where} closed the connection before the answer was complete; "
                             "try again")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return DestinationRefused(f"the address for {provider} is not a valid http(s) URL; "
                                  "fix the base URL")
    return ProviderError(f"the exchange with {where} failed ({type(exc).__name__}); try again")


def raise_for_http_error(exc: httpx.HTTPError, provider: str, host: str) -> None:
    raise describe_http_error(exc, provider, host) from exc
