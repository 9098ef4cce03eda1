"""The store-backed investigation flow: load → scan (pending) → decide per value → redact, all audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tftsr_kernel import RedactedText, Workbench
from tftsr_kernel.cli import cli
from tftsr_kernel.errors import InputError, RedactionError

AWS = "AKIAZ7QX3MBLW5RT2VNE"
EMAIL = "jane.doe@example-corp.com"
IP = "10.20.30.40"
LINES = [
    f"2026-03-01T14:02:0{i}Z ERROR upstream timed out client={IP} user={EMAIL}" for i in range(3)
] + [f"2026-03-01T14:03:00Z WARN deploy used key aws_access_key_id={AWS}",
     "2026-03-01T14:04:00Z INFO recovered"]


@pytest.fixture
def wb(store_path: Path, raw_key: str):  # noqa: ANN201
    bench = Workbench.open(store_path, raw_key)
    bench.issue_new("Checkout 502s", severity="high", category="network")
    yield bench
    bench.close()


@pytest.fixture
def app_log(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_text("\n".join(LINES) + "\n")
    return path


def actions(wb: Workbench) -> list[str]:
    return [e["action"] for e in wb.audit_log()]


def test_load_records_files_once(wb: Workbench, app_log: Path) -> None:
    frame = wb.load([app_log])
    assert len(frame) == len(LINES)
    assert frame["log_file_id"].nunique() == 1
    files = wb.log_files()
    assert len(files) == 1 and files[0]["file_size"] == app_log.stat().st_size
    assert len(files[0]["content_hash"]) == 64
    wb.load([app_log])
    assert len(wb.log_files()) == 1, "the same content reuses its record"
    assert actions(wb).count("log_loaded") == 1


def test_scan_decide_redact(wb: Workbench, app_log: Path) -> None:
    wb.load([app_log])
    counts = wb.scan()
    assert counts["EMAIL"] == 3 and counts["IPV4"] == 3 and counts["AWS_ACCESS_KEY"] == 1
    spans = wb.spans()
    assert {s["status"] for s in spans} == {"pending"}
    assert all(s["line_no"] >= 1 for s in spans)
    with pytest.raises(RedactionError, match="undecided"):
        wb.redacted_context()

    total, groups = wb.review_groups()
    ip_group = next(g for g in groups if g["pii_type"] == "IPV4")
    assert ip_group["occurrences"] == 3 and IP not in ip_group["preview"]
    assert wb.decide(values=[("IPV4", ip_group["value_hash"])], status="rejected") == 3
    assert wb.review_progress()["values_decided"] == 1
    wb.decide(["EMAIL", "AWS_ACCESS_KEY"])
    assert wb.review_progress()["values_decided"] == wb.review_progress()["values"]

    context = wb.redacted_context()
    assert isinstance(context, RedactedText)
    assert EMAIL not in context.text and AWS not in context.text
    assert IP in context.text, "a rejected value is kept"
    assert "pii_decision" in actions(wb)

    final = wb.redact()
    assert final.sha256 == context.sha256
    stored = wb.store.query("SELECT original_value FROM pii_spans")
    assert all(r["original_value"] is None for r in stored)
    entry = [e for e in wb.audit_log() if e["action"] == "redaction_applied"][-1]
    assert entry["details"]["sha256"] == final.sha256
    assert wb.audit_verify().ok


def test_approve_all_keeps_what_was_rejected(wb: Workbench, app_log: Path) -> None:
    wb.load([app_log])
    wb.scan()
    wb.decide(reject=["IPV4"])
    wb.decide(approve_all=True)
    statuses = {(s["pii_type"], s["status"]) for s in wb.spans()}
    assert ("IPV4", "rejected") in statuses and ("EMAIL", "approved") in statuses
    assert IP in wb.redacted_context().text


def test_value_decision_carries_to_new_files(wb: Workbench, app_log: Path, tmp_path: Path) -> None:
    wb.load([app_log])
    wb.scan()
    wb.decide(["EMAIL"])
    other = tmp_path / "other.log"
    other.write_text(f"2026-03-01T15:00:00Z ERROR mail to {EMAIL} bounced\n")
    wb.load([other])
    wb.scan()
    emails = [s for s in wb.spans() if s["pii_type"] == "EMAIL"]
    assert len(emails) == 4 and {s["status"] for s in emails} == {"approved"}


def test_changed_file_is_refused(wb: Workbench, app_log: Path) -> None:
    wb.load([app_log])
    app_log.write_text("tampered\n")
    with pytest.raises(InputError, match="changed since it was loaded"):
        wb.scan()


def test_unknown_type_and_empty_decision(wb: Workbench, app_log: Path) -> None:
    wb.load([app_log])
    wb.scan()
    with pytest.raises(InputError, match="no spans of type"):
        wb.decide(["CREDIT_CARD"])
    with pytest.raises(InputError, match="say what to decide"):
        wb.decide()


def test_whys_with_evidence(wb: Workbench, app_log: Path) -> None:
    wb.load([app_log])
    file_id = wb.log_files()[0]["id"]
    step = wb.whys_add("Why did checkout return 502?", "Upstream timed out",
                       [{"log_file_id": file_id, "line_no": 1, "note": "first timeout"}])
    wb.whys_add("Why did upstream time out?", "Pool exhausted", chain=1)
    wb.whys_add("Why was the alert late?", "Threshold too high", chain=2)
    steps = wb.whys()
    assert [(s["chain"], s["step_order"]) for s in steps] == [(1, 1), (1, 2), (2, 1)]
    assert steps[0]["evidence"][0]["file_name"] == "app.log"
    with pytest.raises(InputError, match="did not load"):
        wb.whys_add("Why?", evidence=[{"log_file_id": "nope", "line_no": 1}])
    wb.whys_update(step["id"], answer="Upstream timed out after 60 s")
    assert wb.whys()[0]["answer"] == "Upstream timed out after 60 s"


def test_cli_load_pii_decide(store_path: Path, keyed_env: str, app_log: Path) -> None:
    runner = CliRunner()
    base = ["--store", str(store_path)]
    issue_id = runner.invoke(cli, [*base, "issue", "new", "x", "--severity", "low"]).stdout.strip()
    loaded = runner.invoke(cli, [*base, "load", "--issue", issue_id, str(app_log)])
    assert loaded.exit_code == 0, loaded.output
    assert str(app_log) in loaded.stdout
    pii = runner.invoke(cli, ["pii", "--issue", issue_id, *base])
    assert pii.exit_code == 0 and "EMAIL" in pii.stdout and EMAIL not in pii.stdout
    bad = runner.invoke(cli, [*base, "decide", "--issue", issue_id])
    assert bad.exit_code == 2
    decided = runner.invoke(cli, [*base, "decide", "--issue", issue_id, "--approve", "EMAIL", "IPV4"])
    assert decided.exit_code == 0, decided.output
    with Workbench.open(store_path, keyed_env) as wb:
        statuses = {(s["pii_type"], s["status"]) for s in wb.spans(issue_id)}
        assert ("EMAIL", "approved") in statuses and ("IPV4", "approved") in statuses
        assert ("AWS_ACCESS_KEY", "pending") in statuses
    all_ = runner.invoke(cli, [*base, "decide", "--issue", issue_id, "--approve-all"])
    assert all_.exit_code == 0
    with Workbench.open(store_path, keyed_env) as wb:
        assert wb.review_progress(issue_id)["values_decided"] == wb.review_progress(issue_id)["values"]
        last = [e for e in wb.audit_log() if e["action"] == "pii_decision"][-1]
        assert json.dumps(last["details"]).find(EMAIL) == -1


def test_load_options_are_remembered_for_documents(wb: Workbench, tmp_path: Path) -> None:
    """A syslog file has no year: the one given at load time is used again when the RCA is drafted."""
    from tftsr_kernel.rca.logfiles import recorded_load_options

    syslog = tmp_path / "messages"
    syslog.write_text("Mar 12 14:02:14 web01 app[12]: error: upstream timed out\n"
                      "Mar 12 14:05:00 web01 app[12]: info: recovered\n")
    wb.load([syslog], year=2019)
    assert recorded_load_options(wb.store, wb.current_issue_id) == {"year": 2019}
    doc = wb.rca()
    assert "2019-03-12T14:02:14" in doc["markdown"]
