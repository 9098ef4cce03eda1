"""`tftsr ask` against a loopback OpenAI-compatible server, Workbench.ask, and the offline analyzer."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.ai import fake_providers
from tests.ai.conftest import SAMPLE_LOG, small_context
from tftsr_kernel import audit
from tftsr_kernel.ai import ask
from tftsr_kernel.ai.fitting import fit_lines
from tftsr_kernel.cli import cli
from tftsr_kernel.rca import issues
from tftsr_kernel.workbench import Workbench


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def prepared_issue(store_path: Path, log: Path) -> str:
    r = invoke("--store", str(store_path), "issue", "new", "Logins failing", "--severity", "high",
               "--category", "linux")
    issue_id = r.output.strip()
    assert invoke("load", "--issue", issue_id, str(log), "--store", str(store_path)).exit_code == 0
    assert invoke("--store", str(store_path), "pii", "--issue", issue_id).exit_code == 0
    assert invoke("--store", str(store_path), "decide", "--issue", issue_id, "--approve-all").exit_code == 0
    return issue_id


def test_cli_ask_reaches_loopback_openai_compatible_server(keyed_env: str, store_path: Path, tmp_path: Path,
                                                           fake_server: fake_providers.FakeServer) -> None:
    log = tmp_path / "app.log"
    log.write_text(SAMPLE_LOG)
    issue_id = prepared_issue(store_path, log)
    r = invoke("--store", str(store_path), "ask", "--issue", issue_id, "--provider", "openai", "--model",
               "test-model", "--base-url", fake_server.url + "/v1", "Why are logins failing?")
    assert r.exit_code == 0, r.output
    assert r.output.strip() == fake_providers.ANSWER
    rec = fake_server.requests[0]
    assert rec.path == "/v1/chat/completions" and rec.json()["model"] == "test-model"
    body = rec.body.decode()
    for value in ("alice@example.com", "bob@example.org", "10.20.30.40", "192.168.7.9"):
        assert value not in body
    assert "[EMAIL]" in body and "Linux SRE" in body  # category linux -> Linux domain prompt
    with Workbench.open(store_path) as wb:
        send = [e for e in wb.audit_log() if e["action"] == "ai_send"][0]
        assert send["details"]["request_sha256"] == hashlib.sha256(rec.body).hexdigest()
        assert send["details"]["log_file_ids"] == [f["id"] for f in wb.log_files(issue_id)]
        assert wb.audit_verify().ok
    # a refused destination is one sentence on stderr, exit 2, nothing sent
    r = invoke("ask", "--issue", issue_id, "--provider", "openai", "--base-url", "http://10.0.0.9:8000/v1",
               "why?", "--store", str(store_path))
    assert r.exit_code == 2 and "plain HTTP" in r.output and "Traceback" not in r.output
    assert len(fake_server.requests) == 1


def test_cli_ai_providers_never_prints_keys(keyed_env: str, store_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "mistral-secret-value-123")
    r = invoke("--store", str(store_path), "ai", "providers")
    assert r.exit_code == 0
    rows = {line.split()[0]: line for line in r.output.splitlines()[1:]}
    assert set(rows) == {"local", "openai", "anthropic", "gemini", "mistral", "ollama", "none"}
    assert "$MISTRAL_API_KEY" in rows["mistral"] and " yes " in rows["mistral"]
    assert " no " in rows["openai"] and "missing" in rows["openai"]
    assert "mistral-secret-value-123" not in r.output


def test_workbench_ask_streams_and_continues(keyed_env: str, store_path: Path, tmp_path: Path,
                                             fake_server: fake_providers.FakeServer) -> None:
    log = tmp_path / "app.log"
    log.write_text(SAMPLE_LOG)
    issue_id = prepared_issue(store_path, log)
    with Workbench.open(store_path) as wb:
        wb.credential_set("anthropic", "sk-ant-stored-456")
        pieces: list[str] = []
        a = wb.ask("What broke?", "anthropic", "claude-test", fake_server.url, issue=issue_id, on_token=pieces.append)
        assert len(pieces) > 3 and "".join(pieces) == a.text
        assert fake_server.requests[0].headers["x-api-key"] == "sk-ant-stored-456"
        b = wb.ask("Next step?", "anthropic", None, fake_server.url, issue=issue_id)
        c = wb.ask("Fresh start?", "anthropic", None, fake_server.url, issue=issue_id, new=True)
        assert a.conversation_id == b.conversation_id != c.conversation_id
        assert len(wb.ai_messages(a.conversation_id)) == 4 and len(wb.ai_conversations(issue_id)) == 2
        assert "sk-ant-stored-456" not in json.dumps(wb.audit_log(), default=str)


def test_local_analyzer_answers_offline(store: Any) -> None:
    issues.create_issue(store, "Upstream connect timed out to the database pool", "high", "network",
                        "api pool exhausted, upstream connect timeouts")
    issues.create_issue(store, "Printer out of paper", "low", "hardware")
    current = issues.create_issue(store, "Checkout 502s", "high", "network")
    log = ("2024-05-01 13:59:00 INFO  api.Server: healthy\n" * 3 + SAMPLE_LOG
           + "2024-05-01 14:02:20 ERROR api.Pool: upstream connect timed out after 3000 ms to db-9 user "
             "carol@example.net\n")
    answer = ask("Why do upstream connections time out?", small_context(log), "local", store=store,
                 issue_id=current["id"])
    text = answer.text
    assert answer.provider == "local" and "nothing was sent" in text
    dominant = text.split("#### Dominant error templates")[1].split("####")[0]
    assert "**3×** `<N> <N> ERROR api.Pool: upstream connect timed out after <N> ms to db-<N> user <L>`" in dominant
    fresh = text.split("#### Templates first seen")[1].split("####")[0]
    assert "ERROR nginx.Proxy: <N> bad gateway for /checkout from <L>" in fresh
    assert "healthy" not in fresh
    firsts = text.split("#### First error of each source")[1].split("####")[0]
    assert "`api.Pool` (line 6)" in firsts and "`nginx.Proxy`" in firsts
    similar = text.split("#### Similar past issues")[1]
    assert "Upstream connect timed out to the database pool" in similar and "Printer" not in similar
    assert "alice@example.com" not in text and "[EMAIL]" in text
    assert [e["action"] for e in audit.entries(store)][-1] == "ai_local_answer"


def test_fitting_keeps_errors_and_reports_what_was_left_out() -> None:
    lines = [f"2024-05-01 10:{i // 60:02d}:{i % 60:02d} INFO worker{i % 7}.Job: processed batch {i} ok"
             for i in range(3000)]
    lines[1500] = "2024-05-01 10:25:00 ERROR db.Pool: connection refused by [IPV4]"
    lines[2500] = "2024-05-01 10:41:40 WARN  cache.Client: retrying get"
    kept, report = fit_lines(lines, budget=1200)
    assert 1500 in kept and 2500 in kept and kept == sorted(kept)
    assert set(range(1480, 1521)) <= set(kept)  # the incident window around the first error
    assert 0 in kept  # one example of the INFO template
    assert not report.complete and report.tokens <= 1200 and report.kept_lines == len(kept) < 100
    assert "left out" in report.sentence() and str(3000 - len(kept)) in report.sentence()
    all_kept, full = fit_lines(lines[:10], budget=10_000)
    assert all_kept == list(range(10)) and full.complete
