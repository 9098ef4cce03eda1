"""RCA and post-mortem documents over a real store: drafted, edited in place, exported, audited, leak-free."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from tftsr_kernel import audit
from tftsr_kernel.errors import InputError, RedactionError
from tftsr_kernel.rca import documents
from tftsr_kernel.rca.hygiene import SensitiveValues

from .conftest import EMAIL, IPS, TOKEN, Investigation


def _expected_from_lines(lines: list[str]) -> dict[str, object]:
    """The timeline facts, computed from the raw lines independently of the code under test."""
    parsed = [(ln[:19].replace(" ", "T"), ln.split()[2], n) for n, ln in enumerate(lines, 1)]
    errors = [p for p in parsed if p[1] == "ERROR"]
    per_minute = Counter(ts[:16] for ts, _, _ in errors)
    peak_minute, peak = max(per_minute.items(), key=lambda kv: (kv[1], [-ord(c) for c in kv[0]]))
    recovery = next(p for p in parsed if p[0] > errors[-1][0] and p[1] != "ERROR")
    return {"errors": len(errors), "first": errors[0], "last": errors[-1], "peak_minute": peak_minute, "peak": peak,
            "recovery": recovery, "lines": len(lines)}


def test_draft_fills_every_section_from_the_store(investigation: Investigation) -> None:
    wb, lines = investigation.wb, investigation.lines
    exp = _expected_from_lines(lines)
    doc = wb.rca()
    md = doc["markdown"]
    digest = hashlib.sha256(investigation.log_path.read_bytes()).hexdigest()
    for heading in ("## Summary", "## Impact", "## Detection", "## Trigger", "## Timeline",
                    "## Contributing factors (5 Whys)", "## Resolution and mitigation", "## Action items",
                    "## Lessons learned", "## Evidence", "## Provenance"):
        assert heading in md
    assert "| Severity | high |" in md
    assert f"| error lines | {exp['errors']} (" in md
    assert f"| log lines examined | {exp['lines']} |" in md
    first_ts, _, first_line = exp["first"]  # type: ignore[misc]
    assert f"| {first_ts} | first error: upstream timed out for user [EMAIL] from" in md
    assert f"app.log:{first_line} |" in md
    assert f"| peak: {exp['peak']} errors in the 1min bucket from {exp['peak_minute']}:00 |" in md
    rec_ts, _, rec_line = exp["recovery"]  # type: ignore[misc]
    assert f"| {rec_ts} | recovery: first non-error line after the last error | app.log:{rec_line} |" in md
    # 5-Whys: two chains, evidence linked to the log with its content hash
    assert "### Chain 1" in md and "### Chain 2" in md
    assert "**Why did checkout return 502?** the upstream timed out" in md
    assert f"| app.log | {first_line} | {digest} | first timeout | chain 1, why 1 |" in md
    # provenance: the head as it was when this version was rendered (the entry before document_created)
    entries = audit.entries(wb.store)
    assert entries[-1]["action"] == "document_created"
    assert f"| audit chain head | {entries[-2]['entry_hash']} (entry {entries[-2]['seq']}) |" in md
    assert "audit log intact" in md
    # approved values are gone everywhere in the stored row; the rejected IPs stay
    row = wb.store.query_one("SELECT content_md FROM documents WHERE id = ?", (doc["id"],))
    assert EMAIL not in row["content_md"] and TOKEN not in row["content_md"]
    assert "[EMAIL]" in md
    assert any(ip in md for ip in IPS)


def test_edit_in_place_versions_and_audits(investigation: Investigation) -> None:
    wb = investigation.wb
    first = wb.rca()
    second = wb.doc_update(summary=f"Checkout failed; reported by {EMAIL}.", owners=["sre-team"],
                           action_items=[{"action": "Add a pool alarm", "owner": "sre", "type": "detect",
                                          "due": "2024-04-01", "ticket": "OPS-12"}],
                           lessons={"went_well": ["rollback was quick"], "got_lucky": "low traffic"},
                           timeline=[{"ts": "2024-03-01T14:01:00", "event": "deploy started"}])
    assert second["id"] == first["id"] and second["version"] == first["version"] + 1
    assert second["updated_at"] > first["updated_at"]
    assert wb.store.query_one("SELECT count(*) AS n FROM documents")["n"] == 1
    md = second["markdown"]
    assert "Checkout failed; reported by [EMAIL]." in md and EMAIL not in json.dumps(second["fields"])
    assert "| Add a pool alarm | sre | detect | 2024-04-01 | OPS-12 |" in md
    assert "- rollback was quick" in md and "- low traffic" in md
    assert "| 2024-03-01T14:01:00 | deploy started |" in md and "edited by the authors" in md
    assert "| Owners | sre-team |" in md
    last = audit.entries(wb.store)[-1]
    assert last["action"] == "document_updated" and last["entity_id"] == first["id"]
    assert last["details"]["sha256"] == hashlib.sha256(md.encode()).hexdigest()
    with pytest.raises(InputError, match="action item type"):
        wb.doc_update(action_items=[{"action": "x", "type": "blame"}])
    with pytest.raises(InputError, match="cannot edit"):
        wb.doc_update(content="raw")
    with pytest.raises(InputError, match="not a date"):
        wb.doc_update(action_items=[{"action": "x", "due": "next week"}])


def test_postmortem_is_its_own_document(investigation: Investigation) -> None:
    wb = investigation.wb
    rca = wb.rca()
    pm = wb.rca(postmortem=True)
    assert pm["id"] != rca["id"] and pm["doc_type"] == "postmortem"
    assert "Blameless post-mortem" in pm["markdown"] and "Blameless" not in rca["markdown"]
    assert wb.rca(postmortem=True)["id"] == pm["id"]


def test_exports_are_escaped_self_contained_and_audited(investigation: Investigation, tmp_path: Path) -> None:
    wb = investigation.wb
    wb.doc_update(summary="<script>alert('x')</script> & **bold** `code`")
    md_out, html_out = tmp_path / "out" / "rca.md", tmp_path / "out" / "rca.html"
    md = wb.doc_export(fmt="md", out=md_out)
    html = wb.doc_export(fmt="html", out=html_out)
    for result, path in ((md, md_out), (html, html_out)):
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == result.sha256
    exports = [e for e in audit.entries(wb.store) if e["action"] == "document_exported"]
    assert [e["details"]["sha256"] for e in exports] == [md.sha256, html.sha256]
    assert [e["details"]["format"] for e in exports] == ["md", "html"]
    page = html_out.read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp;" in page
    assert "<strong>bold</strong>" in page and "<code>code</code>" in page
    assert "src=" not in page and "href=" not in page and "default-src 'none'" in page
    assert "<table>" in page and "<h2>Timeline</h2>" in page
    assert EMAIL not in page and TOKEN not in page
    with pytest.raises(InputError, match="unknown format"):
        wb.doc_export(fmt="pdf")


def test_values_stay_out_after_redaction_is_finalised(investigation: Investigation) -> None:
    wb = investigation.wb
    wb.redact()
    assert wb.store.query_one("SELECT count(*) AS n FROM pii_spans WHERE original_value IS NOT NULL")["n"] == 0
    # only hashes are left; the detector recognises the value again and the hash says it was approved
    doc = wb.doc_update(detection=f"alert from {EMAIL} with token {TOKEN}")
    assert EMAIL not in doc["markdown"] and TOKEN not in doc["markdown"]
    assert "alert from [EMAIL] with token [GITHUB_TOKEN]" in doc["markdown"]
    profile_line = next(ln for ln in doc["markdown"].splitlines() if "redaction profile" in ln)
    redaction = next(e for e in audit.entries(wb.store) if e["action"] == "redaction_applied")
    assert str(redaction["details"]["profile_hash"] or "no redaction finalised yet") in profile_line


def test_final_check_refuses_text_with_an_approved_value(investigation: Investigation) -> None:
    guard = SensitiveValues.from_store(investigation.wb.store, detector=False)
    assert guard.approved  # the approved values, still held before finalisation
    with pytest.raises(RedactionError, match="EMAIL") as err:
        documents.assert_clean(f"contact {EMAIL}", guard)
    assert EMAIL not in str(err.value)
    documents.assert_clean("contact [EMAIL]", guard)
    assert EMAIL not in repr(guard)


def test_timeline_from_frame_without_recovery() -> None:
    ts = pd.to_datetime(["2024-01-01 10:00:00", "2024-01-01 10:00:30", "2024-01-01 10:01:10",
                         "2024-01-01 10:01:20", "2024-01-01 10:01:50"])
    frame = pd.DataFrame({"ts": ts, "level": ["INFO", "ERROR", "ERROR", "CRITICAL", "ERROR"],
                          "file": ["a.log"] * 5, "line_no": [1, 2, 3, 4, 5], "message": list("abcde")})
    events, numbers = documents.timeline_from_frame(frame)
    kinds = [e["kind"] for e in events]
    assert kinds == ["logs_start", "first_error", "peak", "last_error", "logs_end"]
    assert events[1]["ts"] == "2024-01-01T10:00:30" and events[2]["line"] == 3
    assert numbers["peak_errors_per_bucket"] == 3 and numbers["recovered"] == ""
    assert numbers["error_lines"] == 4 and numbers["error_window_minutes"] == 1.3


def test_search_links_a_resolved_issue_to_its_document(investigation: Investigation) -> None:
    wb = investigation.wb
    doc = wb.rca()
    assert wb.issue_search("checkout")[0]["document_id"] is None  # still open
    wb.issue_status("resolved")
    row = wb.issue_search("checkout")[0]
    assert row["id"] == investigation.issue_id and row["document_id"] == doc["id"]


def test_ai_draft_through_the_local_provider(investigation: Investigation) -> None:
    wb = investigation.wb
    doc = wb.rca(ai_provider="local")
    summary = doc["fields"]["summary"]
    assert summary.startswith("nginx returns 502 for /api/checkout\n\n*AI draft (local, ")
    assert "## Summary\n\nnginx returns 502 for /api/checkout\n\n*AI draft (local" in doc["markdown"]
    answers = [e for e in audit.entries(wb.store) if e["action"] == "ai_local_answer"]
    assert len(answers) == 1
    assert EMAIL not in doc["markdown"] and TOKEN not in doc["markdown"]
    # what the author wrote is never overwritten by a later draft
    wb.doc_update(summary="Written by hand.")
    assert wb.rca(ai_provider="local")["fields"]["summary"] == "Written by hand."


def test_ai_draft_refuses_while_values_are_undecided(investigation: Investigation) -> None:
    wb = investigation.wb
    wb.store.execute("UPDATE pii_spans SET status = 'pending' WHERE pii_type = 'EMAIL'")
    with pytest.raises(RedactionError, match="undecided"):
        wb.rca(ai_provider="local")
    assert wb.store.query_one("SELECT count(*) AS n FROM documents")["n"] == 0


def test_load_options_reread_yearless_logs_right(store_path: Path, keyed_env: str, tmp_path: Path) -> None:
    from tftsr_kernel import Workbench
    from tftsr_kernel.rca.notebook_export import build_notebook

    log = tmp_path / "syslog"
    log.write_text("Mar  1 14:00:00 web1 app[12]: request ok\nMar  1 14:01:00 web1 app[12]: error: pool exhausted\n"
                   "Mar  1 14:03:00 web1 app[12]: request ok\n")
    with Workbench.open(store_path) as wb:
        wb.issue_new("yearless", severity="low")
        wb.load([log], year=2023)
        doc = wb.doc_update(load_options={"year": 2023})
        assert "| 2023-03-01T14:01:00 | first error: error: pool exhausted | syslog:2 |" in doc["markdown"]
        assert doc["fields"]["load_options"] == {"year": 2023}
        params = next(c for c in build_notebook(wb.store, wb.current_issue_id).cells
                      if "parameters" in c.metadata.get("tags", []))
        ns: dict[str, object] = {}
        exec(params.source, ns)  # noqa: S102 - the generated parameters cell: plain assignments
        assert ns["load_options"] == {"year": 2023}
        with pytest.raises(InputError, match="load option"):
            wb.doc_update(load_options={"year": "last"})
