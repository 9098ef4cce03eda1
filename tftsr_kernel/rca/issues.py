"""Issues: create, list, show, status changes, tags and full-text search; every change audited."""

from __future__ import annotations

import json
from typing import Any

import sqlcipher3

from .. import audit
from ..errors import InputError, NotFoundError
from ..store import Store, new_id, utc_now

SEVERITIES = ("critical", "high", "medium", "low")
STATUSES = ("open", "investigating", "resolved", "closed")
_COLUMNS = ("id, title, description, severity, status, category, source, assigned_to, tags, "
            "created_at, updated_at, resolved_at")


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row["tags"] = json.loads(row["tags"])
    return row


def create_issue(store: Store, title: str, severity: str, category: str = "general",
                 description: str = "", tags: list[str] | None = None, assigned_to: str = "") -> dict[str, Any]:
    title = title.strip()
    if not title:
        raise InputError("an issue needs a title; give one in quotes")
    if severity not in SEVERITIES:
        raise InputError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
    now = utc_now()
    row: dict[str, Any] = {"id": new_id(), "title": title, "description": description, "severity": severity,
           "status": "open", "category": category or "general", "source": "manual",
           "assigned_to": assigned_to, "tags": json.dumps(sorted(set(tags or []))),
           "created_at": now, "updated_at": now, "resolved_at": None}
    with store.transaction():
        store.execute(f"INSERT INTO issues ({_COLUMNS}) VALUES ({', '.join('?' * 12)})",
                      tuple(row[c.strip()] for c in _COLUMNS.split(",")))
        audit.append(store, "issue_created", "issue", row["id"],
                     {"severity": severity, "category": row["category"]})
    return _decode(row)


def resolve_issue_id(store: Store, ref: str) -> str:
    """A full id, or a unique prefix of one (at least 8 characters)."""
    ref = ref.strip()
    if store.query_one("SELECT id FROM issues WHERE id = ?", (ref,)):
        return ref
    if len(ref) >= 8:
        rows = store.query("SELECT id FROM issues WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                           (ref.replace("%", "\\%").replace("_", "\\_") + "%",))
        if len(rows) == 1:
            return str(rows[0]["id"])
        if len(rows) > 1:
            raise InputError(f"issue id {ref!r} is ambiguous; give more of it")
    raise NotFoundError(f"no issue {ref!r} in this store; `tftsr issue list` shows the ids")


def get_issue(store: Store, ref: str) -> dict[str, Any]:
    issue_id = resolve_issue_id(store, ref)
    row = store.query_one(f"SELECT {_COLUMNS} FROM issues WHERE id = ?", (issue_id,))
    assert row is not None
    return _decode(row)


def list_issues(store: Store, status: str | None = None) -> list[dict[str, Any]]:
    if status and status not in STATUSES:
        raise InputError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    if status:
        rows = store.query(f"SELECT {_COLUMNS} FROM issues WHERE status = ? ORDER BY created_at DESC", (status,))
    else:
        rows = store.query(f"SELECT {_COLUMNS} FROM issues ORDER BY created_at DESC")
    return [_decode(r) for r in rows]


def set_status(store: Store, ref: str, status: str) -> dict[str, Any]:
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    issue = get_issue(store, ref)
    now = utc_now()
    resolved_at = now if status in ("resolved", "closed") else None
    if status in ("resolved", "closed") and issue["resolved_at"]:
        resolved_at = issue["resolved_at"]
    with store.transaction():
        store.execute("UPDATE issues SET status = ?, resolved_at = ?, updated_at = ? WHERE id = ?",
                      (status, resolved_at, now, issue["id"]))
        audit.append(store, "issue_status_changed", "issue", issue["id"],
                     {"from": issue["status"], "to": status})
    return get_issue(store, issue["id"])


def update_issue(store: Store, ref: str, **fields: Any) -> dict[str, Any]:
    allowed = {"title", "description", "category", "assigned_to", "severity", "tags"}
    unknown = set(fields) - allowed
    if unknown:
        raise InputError(f"cannot update {', '.join(sorted(unknown))}; updatable: {', '.join(sorted(allowed))}")
    if "severity" in fields and fields["severity"] not in SEVERITIES:
        raise InputError(f"unknown severity {fields['severity']!r}; use one of {', '.join(SEVERITIES)}")
    issue = get_issue(store, ref)
    if "tags" in fields:
        fields["tags"] = json.dumps(sorted(set(fields["tags"])))
    if not fields:
        return issue
    sets = ", ".join(f"{name} = ?" for name in fields)
    with store.transaction():
        store.execute(f"UPDATE issues SET {sets}, updated_at = ? WHERE id = ?",
                      (*fields.values(), utc_now(), issue["id"]))
        audit.append(store, "issue_updated", "issue", issue["id"], {"fields": sorted(fields)})
    return get_issue(store, issue["id"])


def search_issues(store: Store, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """FTS5 search over title and description, best match first, with ``snippet`` markers [..]."""
    if not query.strip():
        raise InputError("give words to search for")
    try:
        rows = store.query(
            "SELECT i.id, i.title, i.severity, i.status, i.category, i.created_at, i.resolved_at, "
            "snippet(issues_fts, -1, '[', ']', '…', 12) AS snippet, "
            # a resolved (or closed) issue links to its newest document
            "(SELECT d.id FROM documents d WHERE d.issue_id = i.id AND i.status IN ('resolved', 'closed') "
            "ORDER BY d.updated_at DESC LIMIT 1) AS document_id "
            "FROM issues_fts JOIN issues i ON i.rowid = issues_fts.rowid "
            "WHERE issues_fts MATCH ? ORDER BY bm25(issues_fts) LIMIT ?",
            (query, limit),
        )
    except sqlcipher3.OperationalError as exc:
        raise InputError(
            f"cannot search for {query!r}: {exc}; quote phrases with double quotes or drop special characters"
        ) from exc
    return rows
