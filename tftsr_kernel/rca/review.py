"""Detected spans of an issue's logs in the store: pending → approved/rejected, decided per value.

A value is (type, value_hash): one IP seen 500 times is one decision. Approving means "redact it",
rejecting means "keep it". Every decision is audited in the transaction that makes it. Finalising a
redaction records ``redaction_applied`` and clears ``pii_spans.original_value``.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .. import audit
from ..errors import InputError, RedactionError
from ..pii import RedactedText, Scanner, Span, mask, redact, scan_text
from ..store import Store, new_id, utc_now
from .logfiles import log_files, read_log_text

DECISIONS = ("approved", "rejected")
_ISSUE_SPANS = "FROM pii_spans s JOIN log_files f ON f.id = s.log_file_id WHERE f.issue_id = ?"


def line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def preview(value: str | None, type_: str) -> str:
    """A masked form of a value, safe to show beside its decision (``AKIA************MPLE``)."""
    return mask(value) if value else f"[{type_}]"


def scan_issue(store: Store, issue_id: str, scanner: Scanner | None = None) -> dict[str, int]:
    """Scan every log file of the issue; new spans are stored as pending. Returns spans per type."""
    files = log_files(store, issue_id)
    if not files:
        raise InputError("this issue has no logs yet; load some first")
    counts: Counter[str] = Counter()
    now = utc_now()
    with store.transaction():
        for row in files:
            text = read_log_text(store, row)  # one file's text in memory at a time
            spans = scan_text(text, scanner=scanner) if scanner else scan_text(text)
            starts = line_starts(text)
            store.executemany(
                "INSERT OR IGNORE INTO pii_spans (id, log_file_id, pii_type, detector, line_no, start_offset, "
                "end_offset, original_value, value_hash, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,'pending',?)",
                [(new_id(), row["id"], s.type, s.detector, bisect.bisect_right(starts, s.start), s.start, s.end,
                  text[s.start:s.end], s.value_hash, now) for s in spans],
            )
            counts.update(s.type for s in spans)
        inherited = _inherit_value_decisions(store, issue_id)
        audit.append(store, "pii_scanned", "issue", issue_id,
                     {"log_file_ids": [r["id"] for r in files], "counts": dict(sorted(counts.items())),
                      "inherited_decisions": inherited})
    return dict(sorted(counts.items()))


def _inherit_value_decisions(store: Store, issue_id: str) -> int:
    """A value decided once is decided everywhere it occurs in the issue (new files included)."""
    cur = store.execute(
        "UPDATE pii_spans SET status = d.status, decided_at = d.decided_at FROM ("
        "  SELECT s.pii_type, s.value_hash, max(s.status) AS status, max(s.decided_at) AS decided_at "
        f" {_ISSUE_SPANS} AND s.status != 'pending' GROUP BY s.pii_type, s.value_hash"
        "  HAVING count(DISTINCT s.status) = 1) AS d "
        "WHERE pii_spans.status = 'pending' AND pii_spans.pii_type = d.pii_type "
        "AND pii_spans.value_hash = d.value_hash "
        "AND pii_spans.log_file_id IN (SELECT id FROM log_files WHERE issue_id = ?)",
        (issue_id, issue_id),
    )
    return int(cur.rowcount)


def decide(store: Store, issue_id: str, status: str, *, types: Iterable[str] | None = None,
           values: Iterable[tuple[str, str]] | None = None, span_ids: Iterable[str] | None = None,
           every: bool = False, only_pending: bool = False) -> int:
    """Set ``status`` on the chosen spans (all of some types, some values, some occurrences, or every span)."""
    if status not in DECISIONS:
        raise InputError(f"a decision is one of {', '.join(DECISIONS)}, not {status!r}")
    types, values, span_ids = list(types or []), list(values or []), list(span_ids or [])
    if not (every or types or values or span_ids):
        raise InputError("say what to decide: types, values, occurrences, or everything")
    known = {r["pii_type"] for r in store.query(f"SELECT DISTINCT s.pii_type {_ISSUE_SPANS}", (issue_id,))}
    unknown = sorted(set(types) - known)
    if unknown:
        raise InputError(f"no spans of type {', '.join(unknown)} in this issue; found types: "
                         f"{', '.join(sorted(known)) or 'none'}")
    where, params = [], []
    if not every:
        ors = []
        if types:
            ors.append(f"pii_type IN ({','.join('?' * len(types))})")
            params += types
        for t, h in values:
            ors.append("(pii_type = ? AND value_hash = ?)")
            params += [t, h]
        if span_ids:
            ors.append(f"id IN ({','.join('?' * len(span_ids))})")
            params += span_ids
        where.append("(" + " OR ".join(ors) + ")")
    if only_pending:
        where.append("status = 'pending'")
    sql = ("UPDATE pii_spans SET status = ?, decided_at = ? WHERE log_file_id IN "
           "(SELECT id FROM log_files WHERE issue_id = ?)" + "".join(f" AND {w}" for w in where))
    with store.transaction():
        changed = int(store.execute(sql, (status, utc_now(), issue_id, *params)).rowcount)
        audit.append(store, "pii_decision", "issue", issue_id,
                     {"status": status, "every": every, "types": sorted(types),
                      "values": [f"{t}:{h}" for t, h in values], "span_ids": span_ids, "spans_changed": changed})
    return changed


def issue_spans(store: Store, issue_id: str, status: str | None = None) -> list[dict[str, Any]]:
    sql = (f"SELECT s.id, s.log_file_id, s.pii_type, s.detector, s.line_no, s.start_offset, s.end_offset, "
           f"s.value_hash, s.status {_ISSUE_SPANS}")
    params: tuple[Any, ...] = (issue_id,)
    if status:
        sql += " AND s.status = ?"
        params += (status,)
    return store.query(sql + " ORDER BY f.uploaded_at, s.log_file_id, s.start_offset", params)


def decision_counts(store: Store, issue_id: str) -> dict[str, int]:
    """Distinct values and spans, and how many of each are decided."""
    row = store.query_one(
        "SELECT count(*) AS spans, sum(status != 'pending') AS spans_decided, "
        "count(DISTINCT pii_type || ':' || value_hash) AS values_total, "
        "count(DISTINCT CASE WHEN status = 'pending' THEN pii_type || ':' || value_hash END) AS values_pending "
        f"FROM (SELECT s.pii_type, s.value_hash, s.status {_ISSUE_SPANS})", (issue_id,))
    assert row is not None
    total = row["values_total"] or 0
    return {"spans": row["spans"] or 0, "spans_decided": row["spans_decided"] or 0, "values": total,
            "values_decided": total - (row["values_pending"] or 0)}


def value_groups(store: Store, issue_id: str, *, pii_type: str | None = None, status: str | None = None,
                 text: str | None = None, offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """One row per distinct value (most frequent first), with a masked preview: (total groups, page)."""
    having, params = [], [issue_id]
    if pii_type:
        having.append("pii_type = ?")
        params.append(pii_type)
    if status == "mixed":
        having.append("count(DISTINCT status) > 1")
    elif status:
        having.append("min(status) = ? AND max(status) = ?")
        params += [status, status]
    if text:
        having.append("(instr(lower(max(coalesce(original_value, ''))), lower(?)) > 0 "
                      "OR instr(pii_type, upper(?)) > 0)")
        params += [text, text]
    grouped = (f"SELECT s.pii_type, s.value_hash, count(*) AS occurrences, min(s.status) AS smin, "
               f"max(s.status) AS smax, max(s.original_value) AS value, min(s.id) AS first_span, "
               f"count(DISTINCT s.log_file_id) AS files {_ISSUE_SPANS} GROUP BY s.pii_type, s.value_hash"
               + (" HAVING " + " AND ".join(having) if having else ""))
    total = store.execute(f"SELECT count(*) FROM ({grouped})", tuple(params)).fetchone()[0]
    rows = store.query(f"{grouped} ORDER BY occurrences DESC, s.pii_type, s.value_hash LIMIT ? OFFSET ?",
                       (*params, limit, offset))
    for r in rows:
        r["status"] = r.pop("smin") if r["smin"] == r["smax"] else "mixed"
        r.pop("smax")
        r["preview"] = preview(r.pop("value"), r["pii_type"])
    return int(total), rows


def value_occurrences(store: Store, issue_id: str, pii_type: str, value_hash: str,
                      limit: int = 20) -> list[dict[str, Any]]:
    return store.query(
        "SELECT s.id, s.log_file_id, f.file_name, s.line_no, s.start_offset, s.end_offset, s.status "
        f"{_ISSUE_SPANS} AND s.pii_type = ? AND s.value_hash = ? ORDER BY f.uploaded_at, s.start_offset LIMIT ?",
        (issue_id, pii_type, value_hash, limit))


def _file_spans(store: Store, log_file_id: str) -> list[Span]:
    rows = store.query("SELECT start_offset, end_offset, pii_type, detector, value_hash, status FROM pii_spans "
                       "WHERE log_file_id = ? ORDER BY start_offset", (log_file_id,))
    return [Span(r["start_offset"], r["end_offset"], r["pii_type"], r["detector"], r["value_hash"], r["status"])
            for r in rows]


def redacted_context(store: Store, issue_id: str, *, finalise: bool = False, **redact_options: Any) -> RedactedText:
    """All of the issue's logs, redacted by their decisions; refuses while any span is undecided."""
    files = log_files(store, issue_id)
    if not files:
        raise RedactionError("this issue has no logs to redact; load some first")
    pending = decision_counts(store, issue_id)["values"] - decision_counts(store, issue_id)["values_decided"]
    if pending:
        raise RedactionError(f"{pending} detected value(s) are still undecided; review them (approve or reject) "
                             "before redacting")
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for n, row in enumerate(files, 1):
        header = f"=== log file {n} of {len(files)} (format: {row['format'] or 'unknown'}) ===\n"
        text = read_log_text(store, row)
        if not text.endswith("\n"):
            text += "\n"
        offset += len(header)
        spans += [s.shifted(offset) for s in _file_spans(store, row["id"])]
        parts += [header, text]
        offset += len(text)
    result = redact("".join(parts), spans, log_file_ids=tuple(r["id"] for r in files), **redact_options)
    if finalise:
        with store.transaction():
            store.execute("UPDATE pii_spans SET original_value = NULL WHERE log_file_id IN "
                          "(SELECT id FROM log_files WHERE issue_id = ?)", (issue_id,))
            store.execute("UPDATE log_files SET redacted = 1 WHERE issue_id = ?", (issue_id,))
            audit.append(store, "redaction_applied", "issue", issue_id,
                         {"sha256": result.sha256, "counts": dict(sorted(result.counts.items())),
                          "profile_hash": result.profile_hash, "log_file_ids": list(result.log_file_ids)})
    return result
