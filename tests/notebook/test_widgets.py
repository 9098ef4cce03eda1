"""The widgets without a browser: traits, paging, messages from the front end, persistence, no leaks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tftsr_kernel import Workbench
from tftsr_kernel.ui import AuditWidget, ReviewWidget, WhysWidget

from .conftest import sample_values

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def state_json(widget: Any) -> str:
    return json.dumps(widget.get_state(), default=str)


def test_review_widget_syncs_one_page_grouped_by_value(sample_wb: Any) -> None:
    w = ReviewWidget(sample_wb, page_size=10)
    progress = sample_wb.review_progress()
    assert w.progress["total"] == progress["values"] and w.progress["decided"] == 0
    assert len(w.rows) == 10 and w.total_rows == progress["values"]
    counts = [r["count"] for r in w.rows]
    assert counts == sorted(counts, reverse=True)
    assert {t["type"] for t in w.types} >= {"AWS_ACCESS_KEY", "EMAIL", "IPV4", "HOSTNAME", "JWT"}
    assert sum(t["occurrences"] for t in w.types) == progress["spans"]
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data[WIDGET_VIEW]["model_id"] == w.model_id
    assert "export default" in w._esm and "textContent" in w._esm and "innerHTML" not in w._esm
    # paging and filters run in Python; only the page is synced
    first = [r["key"] for r in w.rows]
    w.page = 1
    assert len(w.rows) == 10 and not set(first) & {r["key"] for r in w.rows}
    w.filter_type = "EMAIL"
    assert w.page == 0 and {r["type"] for r in w.rows} == {"EMAIL"}
    w.filter_text = "olga"
    assert w.total_rows == 2 and all(r["preview"].startswith("olga") for r in w.rows)  # @ and %40 forms
    w.filter_text, w.filter_type = "", ""
    w.page = 99
    assert w.page == (w.total_rows - 1) // 10


def test_snippets_mask_every_value_and_nothing_sensitive_is_synced(sample_wb: Any) -> None:
    w = ReviewWidget(sample_wb, page_size=200)
    row = next(r for r in w.rows if r["type"] == "AWS_ACCESS_KEY")
    assert row["preview"] == "AKIA************MPLE"
    seg = row["snippets"][0]["segments"]
    assert ["AKIA************MPLE", "self"] in seg
    assert any(kind == "other" for _, kind in seg)  # the secret key on the same line, masked
    w.selected = row["key"]
    assert w.detail["occurrences"][0]["file"] == "checkout-api.jsonl"
    values = sample_values()
    for page in range(3):
        w.page = page
        w.selected = w.rows[0]["key"] if w.rows else ""
        synced = state_json(w)
        leaked = sorted(v for v in values if v in synced)
        assert not leaked, leaked[:5]


def test_decisions_from_the_front_end_persist_and_survive_a_restart(sample_wb: Any, tmp_path: Path,
                                                                    raw_key: str) -> None:
    w = ReviewWidget(sample_wb)
    row = next(r for r in w.rows if r["type"] == "HOSTNAME")
    # the message the browser sends when "Approve" is clicked on a value group
    w._on_custom(w, {"action": "decide", "decision": "approve", "scope": "value",
                     "type": row["type"], "value_hash": row["value_hash"]}, [])
    assert w.error == "" and "approved HOSTNAME value" in w.message
    assert w.progress["decided"] == 1
    assert next(r for r in w.rows if r["key"] == row["key"])["status"] == "approved"
    # a whole type, and one occurrence
    w._on_custom(w, {"action": "decide", "decision": "reject", "scope": "type", "type": "USERNAME"}, [])
    w.selected = next(r for r in w.rows if r["type"] == "IPV4")["key"]
    span = w.detail["occurrences"][0]
    w._on_custom(w, {"action": "decide", "decision": "approve", "scope": "span", "span_id": span["span_id"]}, [])
    assert w.detail["status"] == "mixed" and w.detail["occurrences"][0]["status"] == "approved"
    assert w.detail["occurrences"][0]["after"][0] == ["[IPV4]", "redacted"] or \
        ["[IPV4]", "redacted"] in w.detail["occurrences"][0]["after"]
    # bad input from the front end is one sentence in the widget, nothing changes
    w._on_custom(w, {"action": "decide", "decision": "approve", "scope": "type", "type": "NOPE"}, [])
    assert "NOPE" in w.error
    decisions = [e for e in sample_wb.audit_log(issue=sample_wb.current_issue_id) if e["action"] == "pii_decision"]
    assert len(decisions) == 3
    # "kernel restart": a new process would open the store again and build a new widget
    issue_id = sample_wb.current_issue_id
    path = sample_wb.store.path
    sample_wb.close()
    with Workbench.open(path, raw_key) as wb2:
        w2 = ReviewWidget(wb2, issue_id)
        usernames = next(t["values"] for t in w2.types if t["type"] == "USERNAME")
        assert usernames >= 2 and w2.progress["decided"] == 1 + usernames  # one HOSTNAME + every USERNAME
        w2.filter_status = "approved"
        assert [r["key"] for r in w2.rows] == [row["key"]]
        w2.filter_status = "mixed"
        assert len(w2.rows) == 1 and w2.rows[0]["type"] == "IPV4"
        assert wb2.audit_verify().ok


def test_whys_widget_adds_steps_with_evidence(sample_wb: Any) -> None:
    w = WhysWidget(sample_wb)
    assert w.chains == []
    w._on_custom(w, {"action": "add", "chain": 1, "why": "Why did checkout return 502?",
                     "answer": "Upstream timed out", "evidence": "error.log:3, access.log:200"}, [])
    w._on_custom(w, {"action": "add", "chain": 1, "why": "Why did upstream time out?",
                     "answer": "HikariPool exhausted (10 of 10 active)", "evidence": "checkout-api.jsonl:40"}, [])
    w._on_custom(w, {"action": "add", "chain": 2, "why": "Why was the pool smaller?",
                     "answer": "v2.14.0 set maximumPoolSize=10", "evidence": ""}, [])
    assert w.error == ""
    assert [c["chain"] for c in w.chains] == [1, 2]
    assert [s["order"] for s in w.chains[0]["steps"]] == [1, 2]
    assert w.chains[0]["steps"][0]["evidence"][1]["label"] == "access.log:200"
    stored = sample_wb.whys()
    assert len(stored) == 3 and stored[1]["evidence"][0]["line_no"] == 40
    w._on_custom(w, {"action": "show_evidence", "step_id": w.chains[0]["steps"][1]["id"], "index": 0}, [])
    view = w.evidence_view
    assert view["file"] == "checkout-api.jsonl" and view["line"] == 40
    text = "".join(t for t, _ in view["segments"])
    assert "HikariPool-1 - Connection is not available" in text and "@example.com" not in text
    w._on_custom(w, {"action": "add", "chain": 1, "why": "Why?", "answer": "", "evidence": "nope.log:1"}, [])
    assert "nope.log" in w.error and len(sample_wb.whys()) == 3
    w._on_custom(w, {"action": "add", "chain": 1, "why": "Why?", "answer": "", "evidence": "error.log"}, [])
    assert "file:line" in w.error


def test_audit_widget_shows_the_issue_trail_and_verification(sample_wb: Any) -> None:
    other = sample_wb.issue_new("Another incident", severity="low")
    sample_wb.issue_use(sample_wb.issues()[-1]["id"])
    w = AuditWidget(sample_wb)
    actions = [e["action"] for e in w.entries]
    assert actions[0] == "issue_created" and "log_loaded" in actions and "pii_scanned" in actions
    assert other["id"] not in {e["entity_id"] for e in w.entries}
    assert w.verification["ok"] and w.verification["count"] >= len(w.entries)
    everything = AuditWidget(sample_wb, all_entries=True)
    assert other["id"] in {e["entity_id"] for e in everything.entries}
    before = len(w.entries)
    sample_wb.whys_add("Why?", "because")
    w._on_custom(w, {"action": "refresh"}, [])
    assert len(w.entries) == before + 1 and w.entries[-1]["action"] == "why_added"
    assert json.loads(w.entries[-1]["details"])["chain"] == 1
