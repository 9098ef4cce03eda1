"""Send one ``WireRequest`` over httpx: TLS verified, timeouts, retries on 429/5xx, streamed or whole.

This module opens connections only when the gateway calls it, after the destination check and the
``ai_send`` audit entry. ``on_attempt(n)`` runs before each attempt's bytes leave (the gateway writes
its audit entry there) and ``on_outcome(n, status, body_sha256)`` after each one.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx

from ..errors import GatewayError, ProviderError
from ._errors import describe_http_error
from .providers import Provider, StreamEvent, WireRequest

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection and for each read (a stream's gap between chunks)."""

    connect: float = 10.0
    read: float = 120.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.read, pool=self.connect)


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``max_retries`` more attempts after a 429 or 5xx, waiting Retry-After or a backoff."""

    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int, retry_after: str | None) -> float:
        parsed = parse_retry_after(retry_after)
        if parsed is not None:
            return min(parsed, self.max_delay)
        return min(self.base_delay * (2 ** (attempt - 1)) * (1 + random.random() / 4), self.max_delay)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class Outcome:
    """What came back: the answer text, whether the stream was cut, the last status and hashes."""

    text: str = ""
    status: int = 0
    partial: bool = False
    attempts: int = 0
    response_sha256: str = ""
    response_bytes: int = 0
    retry_after: str | None = None
    error: GatewayError | None = None


def _iter_lines(chunks: Iterator[bytes], digest: hashlib._Hash, counter: list[int]) -> Iterator[str]:
    buf = b""
    for chunk in chunks:
        digest.update(chunk)
        counter[0] += len(chunk)
        buf += chunk
        while True:
            nl = buf.find(b"\n")
            if nl < 0:
                break
            line, buf = buf[:nl], buf[nl + 1:]
            yield line.rstrip(b"\r").decode("utf-8", "replace")
    if buf:
        yield buf.rstrip(b"\r").decode("utf-8", "replace")


def iter_events(lines: Iterator[str], framing: str) -> Iterator[tuple[str | None, str]]:
    """(event name, data) pairs from SSE (``event:``/``data:`` fields, blank-line separated) or NDJSON."""
    if framing == "ndjson":
        for line in lines:
            if line.strip():
                yield None, line
        return
    event: str | None = None
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = None, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    if data:
        yield event, "\n".join(data)


class Sender:
    """Sends requests for one provider through one httpx client (injectable transport for tests)."""

    def __init__(self, provider: Provider, *, timeouts: Timeouts | None = None, retry: RetryPolicy | None = None,
                 transport: httpx.BaseTransport | None = None, secrets: tuple[str, ...] = ()) -> None:
        self.provider = provider
        self._secrets = tuple(s for s in secrets if s)
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        # verify=True always: TLS verification cannot be turned off through this API.
        self.client = httpx.Client(timeout=self.timeouts.httpx(), verify=True, follow_redirects=False,
                                   transport=transport, trust_env=False)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, req: WireRequest, *, on_attempt: Callable[[int], None],
             on_outcome: Callable[[int, Outcome], None],
             on_token: Callable[[str], None] | None = None) -> Outcome:
        host = httpx.URL(req.url).host
        attempt = 0
        while True:
            attempt += 1
            on_attempt(attempt)
            outcome = self._once(req, host, on_token)
            outcome.attempts = attempt
            on_outcome(attempt, outcome)
            if outcome.status in RETRY_STATUSES and attempt <= self.retry.max_retries and not outcome.text:
                self.retry.sleep(self.retry.delay(attempt, outcome.retry_after))
                continue
            return outcome

    def _once(self, req: WireRequest, host: str, on_token: Callable[[str], None] | None) -> Outcome:
        out = Outcome()
        digest = hashlib.sha256()
        counter = [0]
        headers = dict(req.headers)
        headers.setdefault("Accept-Encoding", "identity")
        try:
            with self.client.stream(req.method, req.url, content=req.body, headers=headers) as resp:
                out.status = resp.status_code
                if resp.status_code != 200:
                    raw = resp.read()
                    digest.update(raw)
                    counter[0] += len(raw)
                    out.retry_after = resp.headers.get("Retry-After")
                    out.error = self._status_error(resp.status_code, raw)
                elif req.stream:
                    self._read_stream(resp, req, out, digest, counter, on_token)
                else:
                    raw = resp.read()
                    digest.update(raw)
                    counter[0] += len(raw)
                    try:
                        out.text = self.provider.parse_response(json.loads(raw))
                    except ValueError as exc:
                        out.error = ProviderError(f"{self.provider.name} answered with something that is "
                                                  f"not a chat answer ({self._clip(str(exc))}); check the model name")
                    if on_token and out.text:
                        on_token(out.text)
        except httpx.HTTPError as exc:
            err = describe_http_error(exc, self.provider.name, host)
            err.__cause__ = exc
            out.error = err
            if out.text:
                out.partial = True
        out.response_sha256 = digest.hexdigest()
        out.response_bytes = counter[0]
        return out

    def _read_stream(self, resp: httpx.Response, req: WireRequest, out: Outcome, digest: hashlib._Hash,
                     counter: list[int], on_token: Callable[[str], None] | None) -> None:
        done = False
        pieces: list[str] = []
        try:
            for event, data in iter_events(_iter_lines(resp.iter_bytes(), digest, counter), req.framing):
                try:
                    ev = self.provider.parse_event(event, data)
                except (ValueError, AttributeError, TypeError):
                    ev = StreamEvent()
                if ev.error:
                    out.error = ProviderError(f"{self.provider.name} reported an error mid-answer: "
                                              f"{self._clip(ev.error)}")
                    break
                if ev.text:
                    pieces.append(ev.text)
                    if on_token:
                        on_token(ev.text)
                if ev.done:
                    done = True
                    break
        finally:
            out.text = "".join(pieces)
        if not done:
            out.partial = True
            if out.error is None:
                out.error = ProviderError(f"{self.provider.name} ended the stream before the answer was complete; "
                                          "the partial answer is kept and marked as partial")

    def _status_error(self, status: int, raw: bytes) -> ProviderError:
        from .providers.base import error_message

        detail = None
        with contextlib.suppress(ValueError):
            detail = error_message(json.loads(raw))
        hint = {401: "check the API key", 403: "check the API key and its permissions",
                404: "check the model name and the base URL", 429: "the provider is rate limiting; try later"}
        what = f"{self.provider.name} answered HTTP {status}"
        if detail:
            what += f" ({self._clip(detail)})"
        return ProviderError(f"{what}; {hint.get(status, 'try again later' if status >= 500 else 'check the request')}")


    def _clip(self, text: str, limit: int = 160) -> str:
        """A vendor's error text, one line, short, with any credential we hold masked out."""
        text = " ".join(text.split())
        for secret in self._secrets:
            text = text.replace(secret, "[credential]")
        return text if len(text) <= limit else text[: limit - 1] + "…"
