"""RCA and post-mortem documents: drafted from the store, edited in place, exported to Markdown and HTML.

A document is *fields* (what people write: summary, owners, impact, detection, trigger, resolution,
mitigation, action items, lessons learned, and optionally an edited timeline) plus *facts* read from
the store every time it is rendered (timeline from the logs — first error, peak, recovery —, impact
numbers, the 5-Whys chains, evidence with each log's content SHA-256, and provenance: the audit chain
head, the verification result and the redaction profile hash). Rendering fills a Markdown template
from ``tftsr_kernel/rca/templates/``.

Row layout in ``documents``: one row per (issue, doc_type); ``content_md`` is the rendered Markdown,
preceded by one HTML comment line holding the fields as JSON (invisible when the Markdown is shown).
Every save bumps ``version`` and ``updated_at`` and is audited (``document_created`` /
``document_updated`` with the content's SHA-256); every export is audited as ``document_exported``.

No document ever holds a value whose span was approved for redaction: fields and the rendered text
pass through :class:`~tftsr_kernel.rca.hygiene.SensitiveValues` (approved values, and the detector
when installed), and a final check refuses to save or export text that still contains one.

    doc = draft_document(store, issue_id)                      # or wb.rca()
    doc = update_document(store, issue_id, summary="…", action_items=[{"action": "…", "owner": "sre"}])
    export_document(store, issue_id, "html", out="rca.html")
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from .. import audit
from ..crypto import sha256_hex
from ..errors import InputError, RedactionError
from ..store import Store, new_id, utc_now
from .hygiene import SensitiveValues
from .issues import get_issue
from .logfiles import recorded_load_options

DOC_TYPES = ("rca", "postmortem")
FORMATS = ("md", "html")
ACTION_TYPES = ("investigate", "mitigate", "repair", "detect", "prevent", "process", "other")
ERROR_LEVELS = frozenset({"ERROR", "CRITICAL"})
TEXT_FIELDS = ("title", "summary", "impact", "detection", "trigger", "resolution", "mitigation")
EDITABLE = frozenset({*TEXT_FIELDS, "severity", "status", "owners", "action_items", "lessons", "timeline",
                      "load_options"})
LOAD_OPTIONS = {"year": int, "tz": str, "format": str}  # how the logs are re-read (load_logs keywords)
LESSON_KINDS = (("went_well", "What went well"), ("went_wrong", "What went wrong"), ("got_lucky", "Where we got lucky"))
_FIELDS_PREFIX = "<!-- tftsr-document "
_FIELDS_SUFFIX = " -->"
_PROFILE_KEYS = ("profile_hash", "profile_sha256", "profile")


# -- facts read from the store and the logs --------------------------------------------------------
@dataclass
class Facts:
    issue: dict[str, Any]
    log_files: list[dict[str, Any]]
    timeline: list[dict[str, Any]] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    chains: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _iso(ts: Any) -> str:
    if ts is None:
        return ""
    try:
        import pandas as pd

        if pd.isna(ts):
            return ""
        return str(pd.Timestamp(ts).isoformat())
    except (ImportError, TypeError, ValueError):
        return str(ts)


def timeline_from_frame(df: Any, bucket: str = "1min") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Events (logs start, first error, peak, last error, recovery, logs end) and impact numbers from a
    logs DataFrame with columns ``ts``, ``level``, ``file``, ``line_no``, ``message``."""
    import pandas as pd

    numbers: dict[str, Any] = {"lines": int(len(df)), "files": int(df["file"].nunique()) if len(df) else 0}
    if not len(df):
        return [], numbers
    frame = df[["ts", "level", "file", "line_no", "message"]].copy()
    frame["is_error"] = frame["level"].astype(str).str.upper().isin(ERROR_LEVELS)
    frame = frame[frame["ts"].notna()].sort_values(["ts", "file", "line_no"], kind="stable")
    errors = frame[frame["is_error"]]
    numbers["error_lines"] = int(frame["is_error"].sum())
    numbers["error_share_pct"] = round(100.0 * numbers["error_lines"] / max(len(frame), 1), 2)

    def event(kind: str, row: Any, text: str) -> dict[str, Any]:
        return {"ts": _iso(row["ts"]), "kind": kind, "event": text, "file": str(row["file"]),
                "line": int(row["line_no"])}

    events: list[dict[str, Any]] = []
    if not len(frame):
        return events, numbers
    events.append(event("logs_start", frame.iloc[0], "first log line"))
    if len(errors):
        first, last = errors.iloc[0], errors.iloc[-1]
        events.append(event("first_error", first, f"first error: {first['message']}"))
        per_bucket = errors.groupby(errors["ts"].dt.floor(bucket)).size()
        peak_at = per_bucket.idxmax()
        peak_rows = errors[errors["ts"].dt.floor(bucket) == peak_at]
        peak = int(per_bucket.max())
        events.append(event("peak", peak_rows.iloc[0],
                            f"peak: {peak} errors in the {bucket} bucket from {_iso(peak_at)}"))
        events.append(event("last_error", last, f"last error: {last['message']}"))
        after = frame[(frame["ts"] > last["ts"]) & ~frame["is_error"]]
        numbers["peak_errors_per_bucket"] = peak
        numbers["bucket"] = bucket
        numbers["first_error"] = _iso(first["ts"])
        numbers["error_templates"] = int(errors["message"].nunique())
        if len(after):
            rec = after.iloc[0]
            events.append(event("recovery", rec, "recovery: first non-error line after the last error"))
            end_ts = rec["ts"]
            numbers["recovered"] = _iso(end_ts)
        else:
            end_ts = last["ts"]
            numbers["recovered"] = ""
        numbers["error_window_minutes"] = round((pd.Timestamp(end_ts) - pd.Timestamp(first["ts"])).total_seconds()
                                                / 60.0, 1)
    events.append(event("logs_end", frame.iloc[-1], "last log line"))
    return events, numbers


def _load_frame(log_files: list[dict[str, Any]], notes: list[str], load_options: dict[str, Any] | None = None) -> Any:
    """The issue's logs as one DataFrame (``tftsr_kernel.logs.load_logs``), skipping changed files."""
    usable = []
    for lf in log_files:
        path = Path(lf["file_path"])
        try:
            digest = sha256_hex(path.read_bytes())
        except OSError:
            notes.append(f"{lf['file_name']} is no longer readable at its recorded path; left out of the timeline")
            continue
        if digest != lf["content_hash"]:
            notes.append(f"{lf['file_name']} changed since it was loaded (SHA-256 differs); left out of the timeline")
            continue
        usable.append(str(path))
    if not usable:
        return None
    try:
        from ..logs import load_logs  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        notes.append("the log parser is not installed; the timeline could not be built from the logs")
        return None
    return load_logs(usable, **(load_options or {}))


def _issue_entity_ids(store: Store, issue_id: str) -> list[str]:
    ids = [issue_id]
    for table in ("log_files", "ai_conversations", "resolution_steps", "documents"):
        ids += [r["id"] for r in store.query(f"SELECT id FROM {table} WHERE issue_id = ?", (issue_id,))]
    return ids


def redaction_profile_hash(store: Store, issue_id: str) -> str:
    """The profile hash of the issue's latest ``redaction_applied`` audit entry ('' when not redacted)."""
    found = ""
    for entry in audit.entries(store, entity_ids=_issue_entity_ids(store, issue_id)):
        if entry["action"] == "redaction_applied":
            for key in _PROFILE_KEYS:
                if entry["details"].get(key):
                    found = str(entry["details"][key])
                    break
    return found


def _parse_evidence(item: Any) -> tuple[str, int | None, str]:
    """(file reference, line, note) from an evidence item: a dict or a ``file:line`` string."""
    if isinstance(item, dict):
        ref = str(item.get("log_file_id") or item.get("file") or item.get("file_name") or item.get("path") or "")
        line = item.get("line") or item.get("line_no")
        return ref, int(line) if line is not None else None, str(item.get("note") or item.get("text") or "")
    text = str(item)
    m = re.fullmatch(r"\s*(?P<file>[^\s:#]+)(?::|#L)(?P<line>\d+)\s*(?P<note>.*)", text)
    if m:
        return m["file"], int(m["line"]), m["note"]
    return "", None, text


def _match_log(ref: str, log_files: list[dict[str, Any]]) -> dict[str, Any] | None:
    for lf in log_files:
        if ref in (lf["id"], lf["file_name"], lf["file_path"], Path(lf["file_path"]).name):
            return lf
    return None


def load_chains(store: Store, issue_id: str) -> dict[int, list[dict[str, Any]]]:
    """The 5-Whys steps of an issue, per chain, in order."""
    chains: dict[int, list[dict[str, Any]]] = {}
    for step in store.query("SELECT chain, step_order, why_question, answer, evidence FROM resolution_steps "
                            "WHERE issue_id = ? ORDER BY chain, step_order", (issue_id,)):
        step["evidence"] = json.loads(step["evidence"])
        chains.setdefault(step["chain"], []).append(step)
    return chains


def whys_markdown(store: Store, issue_id: str) -> str:
    """The contributing-factors section alone, cleaned of sensitive values."""
    guard = SensitiveValues.from_store(store)
    facts = Facts(get_issue(store, issue_id), [], chains=load_chains(store, issue_id))
    return guard.clean(_render_factors(facts))


def gather_facts(store: Store, issue_id: str, frame: Any = None, load_options: dict[str, Any] | None = None) -> Facts:
    """Everything a document states that comes from the store (and the logs on disk)."""
    issue = get_issue(store, issue_id)
    log_files = store.query("SELECT id, file_name, file_path, file_size, content_hash, line_count, format "
                            "FROM log_files WHERE issue_id = ? ORDER BY uploaded_at, id", (issue["id"],))
    facts = Facts(issue, log_files)
    if frame is None and log_files:
        try:
            frame = _load_frame(log_files, facts.notes, load_options or recorded_load_options(store, issue["id"]))
        except Exception as exc:  # noqa: BLE001 - a document must still render when a log cannot be parsed
            facts.notes.append(f"the logs could not be parsed for the timeline ({type(exc).__name__})")
            frame = None
    if frame is not None:
        facts.timeline, facts.numbers = timeline_from_frame(frame)
    counts = store.query(
        "SELECT s.status, count(*) AS n, count(DISTINCT s.value_hash) AS v FROM pii_spans s "
        "JOIN log_files f ON f.id = s.log_file_id WHERE f.issue_id = ? GROUP BY s.status", (issue["id"],))
    facts.numbers["sensitive"] = {r["status"]: {"spans": r["n"], "values": r["v"]} for r in counts}

    facts.chains = load_chains(store, issue["id"])
    for step in (s for steps in facts.chains.values() for s in steps):
        for item in step["evidence"]:
            ref, line, note = _parse_evidence(item)
            lf = _match_log(ref, log_files) if ref else None
            facts.evidence.append({
                "file": lf["file_name"] if lf else ref, "line": line, "note": note,
                "sha256": lf["content_hash"] if lf else "",
                "cited_by": f"chain {step['chain']}, why {step['step_order']}",
            })
    by_name = {Path(lf["file_path"]).as_posix(): lf for lf in log_files}
    for ev in facts.timeline:
        if ev["kind"] in ("first_error", "peak", "recovery"):
            lf = by_name.get(Path(ev["file"]).as_posix()) or _match_log(Path(ev["file"]).name, log_files)
            facts.evidence.append({"file": lf["file_name"] if lf else Path(ev["file"]).name, "line": ev["line"],
                                   "note": ev["kind"].replace("_", " "), "sha256": lf["content_hash"] if lf else "",
                                   "cited_by": "timeline"})
    count, head = audit.head(store)
    verification = audit.verify(store)
    facts.provenance = {
        "audit_entries": count, "audit_head": head, "audit_ok": verification.ok,
        "audit_verification": verification.message(), "profile_hash": redaction_profile_hash(store, issue["id"]),
        "log_files": [{"file": lf["file_name"], "sha256": lf["content_hash"]} for lf in log_files],
    }
    return facts


# -- fields -------------------------------------------------------------------------------------
def default_fields(issue: dict[str, Any], doc_type: str) -> dict[str, Any]:
    prefix = "Post-mortem" if doc_type == "postmortem" else "Root cause analysis"
    return {
        "title": f"{prefix}: {issue['title']}", "summary": issue["description"] or "",
        "severity": issue["severity"], "status": "draft", "owners": [issue["assigned_to"] or audit.current_user()],
        "impact": "", "detection": "", "trigger": "", "resolution": "", "mitigation": "",
        "action_items": [], "lessons": {k: [] for k, _ in LESSON_KINDS}, "timeline": None, "version": 0,
    }


def _check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise InputError(f"cannot edit {', '.join(sorted(unknown))}; editable: {', '.join(sorted(EDITABLE))}")
    out = dict(fields)
    for name in TEXT_FIELDS:
        if name in out and not isinstance(out[name], str):
            raise InputError(f"{name} must be text")
    if "owners" in out:
        owners = out["owners"]
        out["owners"] = [owners] if isinstance(owners, str) else [str(o) for o in owners]
    if "action_items" in out:
        items = []
        for item in out["action_items"]:
            if isinstance(item, str):
                item = {"action": item}
            if not isinstance(item, dict) or not str(item.get("action", "")).strip():
                raise InputError("each action item needs an 'action' (and optionally owner, type, due, ticket)")
            kind = str(item.get("type") or "other")
            if kind not in ACTION_TYPES:
                raise InputError(f"unknown action item type {kind!r}; use one of {', '.join(ACTION_TYPES)}")
            due = str(item.get("due") or "")
            if due:
                try:
                    datetime.fromisoformat(due)
                except ValueError as exc:
                    raise InputError(f"action item due date {due!r} is not a date; write it as YYYY-MM-DD") from exc
            items.append({"action": str(item["action"]), "owner": str(item.get("owner") or ""), "type": kind,
                          "due": due, "ticket": str(item.get("ticket") or "")})
        out["action_items"] = items
    if "lessons" in out:
        lessons = out["lessons"]
        bad = set(lessons) - {k for k, _ in LESSON_KINDS}
        if bad:
            raise InputError(f"unknown lessons {', '.join(sorted(bad))}; use went_well, went_wrong, got_lucky")
        out["lessons"] = {k: [str(x) for x in ([lessons[k]] if isinstance(lessons.get(k), str)
                                               else lessons.get(k, []))] for k, _ in LESSON_KINDS}
    if "load_options" in out:
        opts = dict(out["load_options"] or {})
        for key, value in opts.items():
            if key not in LOAD_OPTIONS or not isinstance(value, LOAD_OPTIONS[key]):
                raise InputError(f"load option {key}={value!r} is not usable; give year (a number), tz or format")
        out["load_options"] = opts
    if out.get("timeline") is not None:
        events = []
        for ev in out["timeline"]:
            if not isinstance(ev, dict) or not str(ev.get("event", "")).strip():
                raise InputError("each timeline entry needs an 'event' (and a 'ts')")
            events.append({"ts": str(ev.get("ts") or ""), "event": str(ev["event"]),
                           "kind": str(ev.get("kind") or "note"), "file": str(ev.get("file") or ""),
                           "line": ev.get("line")})
        out["timeline"] = sorted(events, key=lambda e: e["ts"])
    return out


# -- rendering ------------------------------------------------------------------------------------
def _md_cell(text: Any) -> str:
    return str("" if text is None else text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _or_todo(text: str, hint: str) -> str:
    return text.strip() or f"*To be written: {hint}.*"


def _render_impact(fields: dict[str, Any], facts: Facts) -> str:
    n = facts.numbers
    parts = [_or_todo(fields["impact"], "who and what was affected, for how long")]
    rows: list[list[Any]] = [["log lines examined", n.get("lines", 0)],
                             ["log files", n.get("files", len(facts.log_files))]]
    if "error_lines" in n:
        rows += [["error lines", f"{n['error_lines']} ({n['error_share_pct']} %)"]]
    if n.get("first_error"):
        rows += [["error window", f"{n['error_window_minutes']} minutes from {n['first_error']}"],
                 ["peak", f"{n['peak_errors_per_bucket']} errors per {n['bucket']}"],
                 ["distinct error messages", n["error_templates"]],
                 ["recovered", n["recovered"] or "not seen in the logs"]]
    for status, c in sorted(n.get("sensitive", {}).items()):
        rows.append([f"sensitive spans {status}", f"{c['spans']} ({c['values']} distinct values)"])
    parts.append(_table(["Measure", "Value"], rows))
    return "\n\n".join(parts)


def _render_timeline(fields: dict[str, Any], facts: Facts) -> str:
    events = fields["timeline"] if fields.get("timeline") is not None else facts.timeline
    if not events:
        text = "*No timeline yet: load the logs for this issue, or add entries by editing the document.*"
    else:
        origin = "edited by the authors" if fields.get("timeline") is not None else "built from the logs"
        rows = [[e["ts"], e["event"], f"{Path(e['file']).name}:{e['line']}" if e.get("file") else ""] for e in events]
        text = f"Timeline {origin} (UTC where the logs say so).\n\n" + _table(["Time", "Event", "Source"], rows)
    if facts.notes:
        text += "\n\n" + "\n".join(f"- Note: {n}" for n in facts.notes)
    return text


def _render_factors(facts: Facts) -> str:
    if not facts.chains:
        return "*No 5-Whys chain recorded yet (`%tftsr whys`).*"
    blocks = []
    for chain, steps in sorted(facts.chains.items()):
        lines = [f"### Chain {chain}", ""]
        for s in steps:
            answer = s["answer"].strip() or "(no answer yet)"
            lines.append(f"{s['step_order']}. **{s['why_question'].strip()}** {answer}")
            for item in s["evidence"]:
                ref, line, note = _parse_evidence(item)
                if isinstance(item, dict) and item.get("file_name"):
                    ref = str(item["file_name"])
                where = f"{ref}:{line}" if ref and line else ref
                lines.append(f"   - evidence: {' '.join(x for x in (where, note) if x)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _render_resolution(fields: dict[str, Any]) -> str:
    return (f"**Resolution.** {_or_todo(fields['resolution'], 'what fixed it')}\n\n"
            f"**Mitigation.** {_or_todo(fields['mitigation'], 'what limited the damage while it lasted')}")


def _render_actions(fields: dict[str, Any]) -> str:
    if not fields["action_items"]:
        return "*No action items yet.*"
    return _table(["Action", "Owner", "Type", "Due", "Ticket"],
                  [[a["action"], a["owner"], a["type"], a["due"], a["ticket"]] for a in fields["action_items"]])


def _render_lessons(fields: dict[str, Any]) -> str:
    blocks = []
    for key, heading in LESSON_KINDS:
        items = fields["lessons"].get(key, [])
        body = "\n".join(f"- {x}" for x in items) if items else "- *(none written yet)*"
        blocks.append(f"**{heading}**\n\n{body}")
    return "\n\n".join(blocks)


def _render_evidence(facts: Facts) -> str:
    if not facts.evidence and not facts.log_files:
        return "*No evidence linked yet.*"
    rows = [[e["file"], e["line"] if e["line"] is not None else "", e["sha256"] or "(not a loaded log)",
             e["note"], e["cited_by"]] for e in facts.evidence]
    text = _table(["File", "Line", "Content SHA-256", "What", "Cited by"], rows) if rows else ""
    if facts.log_files:
        files = _table(["Log file", "Bytes", "Content SHA-256"],
                       [[lf["file_name"], lf["file_size"], lf["content_hash"]] for lf in facts.log_files])
        text = f"{text}\n\nLog files:\n\n{files}" if text else f"Log files:\n\n{files}"
    return text


def _render_provenance(facts: Facts) -> str:
    p = facts.provenance
    return _table(["Item", "Value"], [
        ["audit chain head", f"{p['audit_head']} (entry {p['audit_entries']})"],
        ["audit verification", p["audit_verification"]],
        ["redaction profile SHA-256", p["profile_hash"] or "no redaction finalised yet"],
        ["rendered at", utc_now()],
    ])


def _template(doc_type: str) -> Template:
    text = resources.files("tftsr_kernel.rca").joinpath("templates", f"{doc_type}.md").read_text(encoding="utf-8")
    return Template(text)


def render_markdown(doc_type: str, fields: dict[str, Any], facts: Facts, updated_at: str) -> str:
    return _template(doc_type).substitute(
        title=fields["title"].replace("\n", " "), issue_id=facts.issue["id"], severity=_md_cell(fields["severity"]),
        status=_md_cell(fields["status"]), owners=_md_cell(", ".join(fields["owners"]) or "(unassigned)"),
        version=fields["version"], updated_at=updated_at,
        summary=_or_todo(fields["summary"], "two or three sentences: what happened, impact, cause, fix"),
        impact=_render_impact(fields, facts), detection=_or_todo(fields["detection"], "how and when it was noticed"),
        trigger=_or_todo(fields["trigger"], "the change or event that set it off"),
        timeline=_render_timeline(fields, facts), factors=_render_factors(facts),
        resolution=_render_resolution(fields), action_items=_render_actions(fields),
        lessons=_render_lessons(fields), evidence=_render_evidence(facts), provenance=_render_provenance(facts),
    )


# -- storage --------------------------------------------------------------------------------------
def _pack(fields: dict[str, Any], body: str) -> str:
    blob = json.dumps(fields, ensure_ascii=True, sort_keys=True).replace("-->", "--\\u003e")
    return f"{_FIELDS_PREFIX}{blob}{_FIELDS_SUFFIX}\n{body}"


def split_content(content_md: str) -> tuple[dict[str, Any], str]:
    """(fields, Markdown body) of a stored document."""
    first, _, body = content_md.partition("\n")
    if first.startswith(_FIELDS_PREFIX) and first.endswith(_FIELDS_SUFFIX):
        return json.loads(first[len(_FIELDS_PREFIX):-len(_FIELDS_SUFFIX)]), body
    return {}, content_md


def _doc_type(postmortem: bool | str) -> str:
    if isinstance(postmortem, str):
        if postmortem not in DOC_TYPES:
            raise InputError(f"unknown document type {postmortem!r}; use rca or postmortem")
        return postmortem
    return "postmortem" if postmortem else "rca"


def _public(row: dict[str, Any]) -> dict[str, Any]:
    fields, body = split_content(row["content_md"])
    return {**{k: row[k] for k in ("id", "issue_id", "doc_type", "title", "created_at", "updated_at")},
            "version": fields.get("version", 0), "fields": fields, "markdown": body}


def get_document(store: Store, issue_ref: str, doc_type: bool | str = "rca") -> dict[str, Any] | None:
    issue = get_issue(store, issue_ref)
    row = store.query_one("SELECT * FROM documents WHERE issue_id = ? AND doc_type = ? "
                          "ORDER BY updated_at DESC LIMIT 1", (issue["id"], _doc_type(doc_type)))
    return _public(row) if row else None


def assert_clean(text: str, guard: SensitiveValues, what: str = "the document") -> None:
    leaks = guard.find(text)
    if leaks:
        types = ", ".join(sorted({h[2] for h in leaks}))
        raise RedactionError(f"{what} still contains {len(leaks)} sensitive value(s) ({types}); nothing was written")


def _save(store: Store, issue: dict[str, Any], doc_type: str, fields: dict[str, Any], frame: Any = None,
          existing: dict[str, Any] | None = None) -> dict[str, Any]:
    guard = SensitiveValues.from_store(store)
    fields = guard.clean_obj(fields)
    facts = gather_facts(store, issue["id"], frame, fields.get("load_options"))
    now = utc_now()
    fields["version"] = int(fields.get("version", 0)) + 1
    body = guard.clean(render_markdown(doc_type, fields, facts, now))
    assert_clean(body, guard)
    content = _pack(fields, body)
    digest = sha256_hex(body)
    with store.transaction():
        if existing is None:
            doc_id = new_id()
            store.execute("INSERT INTO documents (id, issue_id, doc_type, title, content_md, created_at, updated_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (doc_id, issue["id"], doc_type, fields["title"], content, now, now))
            action = "document_created"
        else:
            doc_id = existing["id"]
            store.execute("UPDATE documents SET title = ?, content_md = ?, updated_at = ? WHERE id = ?",
                          (fields["title"], content, now, doc_id))
            action = "document_updated"
        audit.append(store, action, "document", doc_id, {"issue_id": issue["id"], "doc_type": doc_type,
                                                         "version": fields["version"], "sha256": digest})
    row = store.query_one("SELECT * FROM documents WHERE id = ?", (doc_id,))
    assert row is not None
    return _public(row)


def draft_document(store: Store, issue_ref: str, doc_type: bool | str = "rca", *, frame: Any = None,
                   refresh: bool = False, ai_provider: str | None = None) -> dict[str, Any]:
    """The issue's document, created from the store if there is none; ``refresh`` re-reads the facts
    (timeline, whys, evidence, provenance) and keeps what the authors wrote."""
    kind = _doc_type(doc_type)
    issue = get_issue(store, issue_ref)
    existing = get_document(store, issue["id"], kind)
    if existing is not None and not refresh and ai_provider is None:
        return existing
    fields = dict(existing["fields"]) if existing else default_fields(issue, kind)
    if ai_provider is not None:
        for name, text in ai_draft(store, issue["id"], ai_provider).items():
            current = str(fields.get(name) or "")
            if current in ("", issue["description"]):  # never over what the authors wrote
                fields[name] = f"{current}\n\n{text}".strip()
    return _save(store, issue, kind, fields, frame, existing)


def preview_document(store: Store, issue_ref: str, doc_type: bool | str = "rca", *, frame: Any = None) -> str:
    """The document's Markdown rendered from its fields (or the defaults) and the current facts,
    cleaned and checked, without saving anything."""
    kind = _doc_type(doc_type)
    issue = get_issue(store, issue_ref)
    existing = get_document(store, issue["id"], kind)
    fields = dict(existing["fields"]) if existing else {**default_fields(issue, kind), "version": 0}
    guard = SensitiveValues.from_store(store)
    fields = guard.clean_obj(fields)
    stamp = existing["updated_at"] if existing else "(not saved yet)"
    facts = gather_facts(store, issue["id"], frame, fields.get("load_options"))
    body = guard.clean(render_markdown(kind, fields, facts, stamp))
    assert_clean(body, guard)
    return body


def update_document(store: Store, issue_ref: str, doc_type: bool | str = "rca", **changes: Any) -> dict[str, Any]:
    """Edit fields in place (``summary=…``, ``action_items=[…]``, ``timeline=[…]`` …); a new version."""
    kind = _doc_type(doc_type)
    issue = get_issue(store, issue_ref)
    existing = get_document(store, issue["id"], kind)
    fields = dict(existing["fields"]) if existing else default_fields(issue, kind)
    fields.update(_check_fields(changes))
    return _save(store, issue, kind, fields, None, existing)


DRAFT_QUESTION = ("Draft the summary of this incident for its root cause analysis: what happened, when it "
                  "started, what dominated the errors, and what looks like the trigger.")


def ai_draft(store: Store, issue_id: str, provider: str = "local", **ask_options: Any) -> dict[str, str]:
    """Draft the summary through the AI gateway, which receives only the redacted context.

    Returns {} when the gateway (``tftsr_kernel.ai``) is not installed, so documents never depend on
    it. Refuses (RedactionError) while detected values are undecided: nothing unreviewed is sent.
    """
    try:
        from ..ai import gateway
    except ImportError:  # pragma: no cover - the ai layer ships with the package
        return {}
    from ..crypto import derive_subkey
    from .review import redacted_context

    context = redacted_context(store, issue_id, pseudonym_key=derive_subkey(store.root_secret(), "pseudonym"))
    answer = gateway.ask(DRAFT_QUESTION, context, provider, store=store, issue_id=issue_id, **ask_options)
    text = re.sub(r"^#{1,6}\s+(.*)$", r"**\1**", answer.text.strip(), flags=re.MULTILINE)
    return {"summary": f"*AI draft ({answer.provider}, {answer.model}); review before publishing.*\n\n{text}"}


# -- export ---------------------------------------------------------------------------------------
_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\*(.+?)\*")


def _inline_html(text: str) -> str:
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        if m.group(1) is not None:
            out.append(f"<code>{html.escape(m.group(1))}</code>")
        elif m.group(2) is not None:
            out.append(f"<strong>{_inline_html(m.group(2))}</strong>")
        else:
            out.append(f"<em>{_inline_html(m.group(3))}</em>")
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\\|", "|").replace("\\\\", "\\")


def _split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|")) if line.strip() != "|" else []
    return [c.strip() for c in cells]


def markdown_to_html(md: str) -> str:
    """The subset of Markdown our templates use, every piece of text escaped; no links, no raw HTML."""
    out: list[str] = []
    lines = md.splitlines()
    i = 0
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(f"<p>{_inline_html(' '.join(para))}</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        heading = re.match(r"(#{1,6}) (.*)", line)
        list_item = re.match(r"( *)(- |\d+\. )(.*)", line)
        if not line.strip() or line.startswith("<!--"):
            flush()
        elif heading:
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline_html(heading.group(2))}</h{level}>")
        elif line.lstrip().startswith("|") and i + 1 < len(lines) and re.fullmatch(r"\|(-+\|)+", lines[i + 1].strip()):
            flush()
            head = "".join(f"<th>{_inline_html(c)}</th>" for c in _split_row(line))
            rows = []
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append("<tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in _split_row(lines[i])) + "</tr>")
                i += 1
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
            continue
        elif list_item:
            flush()
            tag = "ol" if list_item.group(2)[0].isdigit() else "ul"
            items: list[str] = []
            while i < len(lines):
                m = re.match(r"( *)(- |\d+\. )(.*)", lines[i])
                if not m:
                    break
                if len(m.group(1)) >= 2 and items:
                    items[-1] += f"<ul><li>{_inline_html(m.group(3))}</li></ul>"
                else:
                    items.append(_inline_html(m.group(3)))
                i += 1
            out.append(f"<{tag}>" + "".join(f"<li>{x}</li>" for x in items) + f"</{tag}>")
            continue
        else:
            para.append(line.strip())
        i += 1
    flush()
    return "\n".join(out).replace("</ul><ul>", "")


_CSS = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
        "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #bbb;padding:.25rem .5rem;"
        "text-align:left;vertical-align:top}code{background:#f3f3f3;padding:0 .2rem}")


def to_html(title: str, body_md: str) -> str:
    """A self-contained HTML page: inline CSS only, a CSP that forbids loading anything."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n<body>\n"
            f"{markdown_to_html(body_md)}\n</body></html>\n")


@dataclass(frozen=True)
class Export:
    text: str
    sha256: str
    path: Path | None
    document: dict[str, Any]


def export_document(store: Store, issue_ref: str, fmt: str = "md", out: str | os.PathLike[str] | None = None,
                    doc_type: bool | str = "rca", *, frame: Any = None) -> Export:
    """Refresh the document from the store, check it, write it (``out``) and audit the export."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use md or html")
    doc = draft_document(store, issue_ref, doc_type, frame=frame, refresh=True)
    # The check runs on the document's own text: the HTML page around it (CSS, CSP) is ours, and a short
    # approved value such as a user named "none" must not veto the stylesheet.
    assert_clean(doc["title"] + "\n" + doc["markdown"], SensitiveValues.from_store(store))
    text = doc["markdown"] if fmt == "md" else to_html(doc["title"], doc["markdown"])
    digest = sha256_hex(text)
    target = Path(out) if out is not None else None
    with store.transaction():
        audit.append(store, "document_exported", "document", doc["id"],
                     {"issue_id": doc["issue_id"], "doc_type": doc["doc_type"], "format": fmt, "sha256": digest,
                      "version": doc["version"], "path": str(target) if target else "-"})
        if target is not None:
            from .notebook_export import write_text_atomic

            write_text_atomic(target, text)
    return Export(text, digest, target, doc)


# -- search and history ---------------------------------------------------------------------------
def documents_for_issues(store: Store, issue_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """issue id -> its documents (id, doc_type, title, updated_at), newest first."""
    if not issue_ids:
        return {}
    rows = store.query(f"SELECT id, issue_id, doc_type, title, updated_at FROM documents WHERE issue_id IN "
                       f"({','.join('?' * len(issue_ids))}) ORDER BY updated_at DESC", tuple(issue_ids))
    found: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(r.pop("issue_id"), []).append(r)
    return found
