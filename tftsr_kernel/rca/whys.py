"""5-Whys: one or more chains (contributing factors) of why → answer → evidence, as resolution_steps.

Evidence is a list of log rows: ``{"log_file_id": ..., "line_no": N, "note": "..."}``; each must
belong to one of the issue's log files.
"""

from __future__ import annotations

import json
from typing import Any

from .. import audit
from ..errors import InputError, NotFoundError
from ..store import Store, new_id, utc_now

_COLUMNS = "id, issue_id, chain, step_order, why_question, answer, evidence, created_at, updated_at"


def _check_evidence(store: Store, issue_id: str, evidence: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    clean = []
    files = {r["id"]: r for r in store.query("SELECT id, file_name, line_count FROM log_files WHERE issue_id = ?",
                                             (issue_id,))}
    for item in evidence or []:
        file_id, line = item.get("log_file_id"), item.get("line_no")
        if file_id not in files:
            raise InputError(f"evidence names log file {file_id!r}, which this issue did not load")
        if not isinstance(line, int) or line < 1:
            raise InputError("evidence needs a line number (1 or more) for each log row")
        clean.append({"log_file_id": file_id, "file_name": files[file_id]["file_name"], "line_no": line,
                      "note": str(item.get("note", ""))})
    return clean


def add_step(store: Store, issue_id: str, why: str, answer: str = "", evidence: list[dict[str, Any]] | None = None,
             chain: int = 1) -> dict[str, Any]:
    if not why.strip():
        raise InputError("a 5-Whys step needs a question")
    if chain < 1:
        raise InputError("chains are numbered from 1")
    clean = _check_evidence(store, issue_id, evidence)
    now = utc_now()
    with store.transaction():
        last = store.execute("SELECT max(step_order) FROM resolution_steps WHERE issue_id = ? AND chain = ?",
                             (issue_id, chain)).fetchone()[0]
        step_id = new_id()
        row: dict[str, Any] = {"id": step_id, "issue_id": issue_id, "chain": chain, "step_order": (last or 0) + 1,
               "why_question": why.strip(), "answer": answer.strip(), "evidence": json.dumps(clean),
               "created_at": now, "updated_at": now}
        store.execute(f"INSERT INTO resolution_steps ({_COLUMNS}) VALUES ({', '.join('?' * 9)})", tuple(row.values()))
        audit.append(store, "why_added", "resolution_step", step_id,
                     {"issue_id": issue_id, "chain": chain, "step_order": row["step_order"],
                      "evidence": len(clean)})
    row["evidence"] = clean
    return row


def update_step(store: Store, step_id: str, *, why: str | None = None, answer: str | None = None,
                evidence: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    row = store.query_one(f"SELECT {_COLUMNS} FROM resolution_steps WHERE id = ?", (step_id,))
    if row is None:
        raise NotFoundError(f"no 5-Whys step {step_id!r}")
    fields: dict[str, Any] = {}
    if why is not None:
        fields["why_question"] = why.strip()
    if answer is not None:
        fields["answer"] = answer.strip()
    if evidence is not None:
        fields["evidence"] = json.dumps(_check_evidence(store, row["issue_id"], evidence))
    if fields:
        with store.transaction():
            store.execute(f"UPDATE resolution_steps SET {', '.join(f'{k} = ?' for k in fields)}, updated_at = ? "
                          "WHERE id = ?", (*fields.values(), utc_now(), step_id))
            audit.append(store, "why_updated", "resolution_step", step_id, {"fields": sorted(fields)})
    return steps(store, row["issue_id"], step_id=step_id)[0]


def delete_step(store: Store, step_id: str) -> None:
    row = store.query_one("SELECT issue_id FROM resolution_steps WHERE id = ?", (step_id,))
    if row is None:
        raise NotFoundError(f"no 5-Whys step {step_id!r}")
    with store.transaction():
        store.execute("DELETE FROM resolution_steps WHERE id = ?", (step_id,))
        audit.append(store, "why_deleted", "resolution_step", step_id, {"issue_id": row["issue_id"]})


def steps(store: Store, issue_id: str, step_id: str | None = None) -> list[dict[str, Any]]:
    sql = f"SELECT {_COLUMNS} FROM resolution_steps WHERE issue_id = ?"
    params: tuple[Any, ...] = (issue_id,)
    if step_id:
        sql += " AND id = ?"
        params += (step_id,)
    rows = store.query(sql + " ORDER BY chain, step_order", params)
    for r in rows:
        r["evidence"] = json.loads(r["evidence"])
    return rows
