"""Refusals before any connection, retries, timeouts, cut streams and HTTPS allow-listing."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.ai import fake_providers
from tests.ai.conftest import SAMPLE_LOG, small_context
from tftsr_kernel import audit
from tftsr_kernel.ai import ContextNotRedacted, RetryPolicy, Timeouts, ask
from tftsr_kernel.errors import DestinationRefused, GatewayError, ProviderError
from tftsr_kernel.rca import issues
from tftsr_kernel.store import new_id, utc_now


@pytest.fixture
def issue(store: Any) -> dict[str, Any]:
    return issues.create_issue(store, "Checkout API 502s", "high", "network")


def sends(store: Any) -> list[dict[str, Any]]:
    return [e for e in audit.entries(store) if e["action"] == "ai_send"]


# -- refusals -----------------------------------------------------------------------------------
def test_plain_str_context_is_refused(store: Any, issue: dict[str, Any],
                                      fake_server: fake_providers.FakeServer) -> None:
    with pytest.raises(ContextNotRedacted, match="not a RedactedText") as err:
        ask("why?", SAMPLE_LOG, "openai", "m", store=store, issue_id=issue["id"],  # type: ignore[arg-type]
            base_url=fake_server.url + "/v1")
    assert isinstance(err.value, TypeError) and isinstance(err.value, GatewayError)
    assert fake_server.requests == [] and sends(store) == []


def test_context_with_undecided_spans_is_refused(store: Any, issue: dict[str, Any],
                                                 fake_server: fake_providers.FakeServer) -> None:
    lf_id = new_id()
    with store.transaction():
        store.execute("INSERT INTO log_files (id, issue_id, file_name, file_path, file_size, content_hash, "
                      "uploaded_at) VALUES (?, ?, 'app.log', '/tmp/app.log', 10, ?, ?)",
                      (lf_id, issue["id"], "0" * 64, utc_now()))
        store.execute("INSERT INTO pii_spans (id, log_file_id, pii_type, line_no, start_offset, end_offset, "
                      "value_hash, status, created_at) VALUES (?, ?, 'EMAIL', 1, 0, 5, ?, 'pending', ?)",
                      (new_id(), lf_id, "1" * 64, utc_now()))
    context = small_context(SAMPLE_LOG, log_file_ids=[lf_id])
    with pytest.raises(GatewayError, match="1 detected span.*undecided"):
        ask("why?", context, "openai", "m", store=store, issue_id=issue["id"], base_url=fake_server.url + "/v1")
    assert fake_server.requests == [] and sends(store) == []
    store.execute("UPDATE pii_spans SET status = 'approved'")
    ask("why?", context, "openai", "m", store=store, issue_id=issue["id"], base_url=fake_server.url + "/v1")
    assert len(fake_server.requests) == 1


def test_provider_none_refuses(store: Any, issue: dict[str, Any]) -> None:
    with pytest.raises(GatewayError, match="refuses to send anything"):
        ask("why?", small_context(SAMPLE_LOG), "none", store=store, issue_id=issue["id"])
    assert sends(store) == []


class RedirectAll(httpx.BaseTransport):
    """Routes every request to one loopback port (like a hostile DNS answer would)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def accepted(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


@pytest.mark.parametrize("base_url", ["http://internal-llm.example.com/v1", "http://10.1.2.3:8000/v1",
                                      "https://evil.example.com/v1", "https://api.openai.com.evil.example/v1",
                                      "ftp://127.0.0.1/v1"])
def test_non_allowlisted_destination_refused_before_connecting(base_url: str, store: Any, issue: dict[str, Any],
                                                               listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    with pytest.raises(DestinationRefused):
        ask("why?", small_context(SAMPLE_LOG), "openai", "m", store=store, issue_id=issue["id"],
            base_url=base_url, api_key="sk-test", transport=RedirectAll(port),
            timeouts=Timeouts(connect=1, read=1))
    time.sleep(0.05)
    assert not accepted(listener), "a connection was attempted to a refused destination"
    assert sends(store) == []


def test_allowed_destination_does_connect_through_the_same_route(store: Any, issue: dict[str, Any],
                                                                 listener: socket.socket) -> None:
    """The control for the test above: the same transport and socket do see a connection when allowed."""
    port = listener.getsockname()[1]
    with pytest.raises(ProviderError):
        ask("why?", small_context(SAMPLE_LOG), "openai", "m", store=store, issue_id=issue["id"],
            base_url="http://localhost:9/v1", transport=RedirectAll(port), timeouts=Timeouts(connect=1, read=0.3),
            stream=False)
    assert accepted(listener)
    assert len(sends(store)) == 1


# -- HTTPS allow-listing (MockTransport) --------------------------------------------------------------
class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"choices": [{"index": 0, "message": {"role": "assistant",
                                                                              "content": "ok"}}]})


@pytest.mark.parametrize("base_url,allowed", [
    ("https://api.openai.com/v1", True),
    ("https://myres.openai.azure.com/openai/v1", True),
    ("https://llm.corp.example/v1", False),
    ("http://api.openai.com/v1", False),
    ("https://user:pw@api.openai.com/v1", False),
])
def test_https_allowlist(base_url: str, allowed: bool, store: Any, issue: dict[str, Any]) -> None:
    rec = Recorder()
    call = lambda: ask("why?", small_context(SAMPLE_LOG), "openai", "m", store=store,  # noqa: E731
                       issue_id=issue["id"], base_url=base_url, api_key="sk-test-123", stream=False,
                       transport=httpx.MockTransport(rec))
    if allowed:
        assert call().text == "ok"
        req = rec.requests[0]
        assert req.url.scheme == "https" and req.headers["authorization"] == "Bearer sk-test-123"
        assert ("api-key" in req.headers) == base_url.startswith("https://myres.openai.azure.com")
        assert "sk-test-123" not in str(req.url)
    else:
        with pytest.raises(DestinationRefused):
            call()
        assert rec.requests == []


def test_allow_listed_host_in_store_settings(store: Any, issue: dict[str, Any]) -> None:
    from tftsr_kernel.workbench import Workbench

    wb = Workbench(store)
    rec = Recorder()
    kw: dict[str, Any] = dict(store=store, issue_id=issue["id"], base_url="https://llm.corp.example/v1",
                              api_key="k", stream=False, transport=httpx.MockTransport(rec))
    with pytest.raises(DestinationRefused, match="ai_allow_host"):
        ask("why?", small_context(SAMPLE_LOG), "openai", "m", **kw)
    assert wb.ai_allow_host("LLM.corp.example") == ["llm.corp.example"]
    assert ask("why?", small_context(SAMPLE_LOG), "openai", "m", **kw).text == "ok"
    assert rec.requests[0].url.host == "llm.corp.example"


def test_missing_key_for_a_vendor_endpoint(store: Any, issue: dict[str, Any]) -> None:
    rec = Recorder()
    with pytest.raises(GatewayError, match="no API key for anthropic; set ANTHROPIC_API_KEY"):
        ask("why?", small_context(SAMPLE_LOG), "anthropic", "m", store=store, issue_id=issue["id"],
            transport=httpx.MockTransport(rec))
    assert rec.requests == []


# -- retries, timeouts, cut streams ------------------------------------------------------------
def test_429_with_retry_after_then_success(store: Any, issue: dict[str, Any],
                                           fake_server: fake_providers.FakeServer) -> None:
    fake_server.script = [("status", 429, {"Retry-After": "2"}), ("status", 503, {})]
    slept: list[float] = []
    answer = ask("why?", small_context(SAMPLE_LOG), "openai", "m", store=store, issue_id=issue["id"],
                 base_url=fake_server.url + "/v1", retry=RetryPolicy(base_delay=0.01, sleep=slept.append))
    assert answer.text.strip() == fake_providers.ANSWER and answer.attempts == 3
    assert slept[0] == 2.0 and 0 < slept[1] < 1
    assert len(fake_server.requests) == 3 and len({r.body for r in fake_server.requests}) == 1
    entries = [e for e in audit.entries(store) if e["action"] in ("ai_send", "ai_response")]
    assert [(e["action"], e["details"].get("status")) for e in entries] == [
        ("ai_send", None), ("ai_response", 429), ("ai_send", None), ("ai_response", 503),
        ("ai_send", None), ("ai_response", 200)]


def test_gives_up_after_three_retries(store: Any, issue: dict[str, Any],
                                      fake_server: fake_providers.FakeServer) -> None:
    fake_server.script = [("status", 503, {})] * 5
    with pytest.raises(ProviderError, match="answered HTTP 503"):
        ask("why?", small_context(SAMPLE_LOG), "openai", "m", store=store, issue_id=issue["id"],
            base_url=fake_server.url + "/v1", retry=RetryPolicy(sleep=lambda s: None))
    assert len(fake_server.requests) == 4


def test_server_that_never_answers_times_out_audited(store: Any, issue: dict[str, Any],
                                                     fake_server: fake_providers.FakeServer) -> None:
    fake_server.script = ["hang"]
    with pytest.raises(ProviderError, match="did not answer in time") as err:
        ask("why?", small_context(SAMPLE_LOG), "openai", "m", store=store, issue_id=issue["id"],
            base_url=fake_server.url + "/v1", timeouts=Timeouts(connect=2, read=0.5))
    assert "\n" not in str(err.value) and isinstance(err.value.__cause__, httpx.ReadTimeout)
    actions = [e["action"] for e in audit.entries(store)]
    assert actions[-2:] == ["ai_send", "ai_failure"]
    assert "did not answer in time" in audit.entries(store)[-1]["details"]["error"]
    assert len(fake_server.requests) == 1


@pytest.mark.parametrize("provider,base", [("openai", "/v1"), ("anthropic", ""), ("ollama", ""),
                                           ("gemini", "/v1beta")])
def test_stream_cut_mid_way_keeps_partial_answer(provider: str, base: str, store: Any, issue: dict[str, Any],
                                                 fake_server: fake_providers.FakeServer) -> None:
    fake_server.script = ["drop"]
    pieces: list[str] = []
    answer = ask("why?", small_context(SAMPLE_LOG), provider, "m", store=store, issue_id=issue["id"],
                 base_url=fake_server.url + base, api_key="k", on_token=pieces.append)
    assert answer.partial and answer.text and fake_providers.ANSWER.startswith(answer.text.strip())
    assert answer.text != fake_providers.ANSWER and "".join(pieces) == answer.text
    assert "partial" in answer.markdown()
    row = store.query_one("SELECT content, partial FROM ai_messages WHERE id = ?", (answer.message_id,))
    assert row["partial"] == 1 and row["content"] == answer.text
    last = audit.entries(store)[-1]
    assert last["action"] == "ai_response" and last["details"]["partial"] is True and last["details"]["error"]
