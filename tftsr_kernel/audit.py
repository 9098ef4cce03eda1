"""Append-only, hash-chained, HMAC-signed audit log.

Each entry's ``entry_hash`` is SHA-256(canonical JSON payload || prev_hash) and its ``signature`` is
HMAC-SHA256(audit key, entry_hash). ``seq`` numbers entries 1, 2, 3 ... and is part of the payload.
SQL triggers refuse UPDATE and DELETE; ``verify()`` walks the chain and names the first entry that
was modified, removed, inserted, reordered or signed without the audit key.
"""

from __future__ import annotations

import getpass
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .crypto import derive_subkey, hmac_sha256_hex, sha256_hex
from .store import Store, new_id, utc_now

GENESIS = "0" * 64
_FIELDS = "id, seq, timestamp, action, entity_type, entity_id, user_id, details, prev_hash, entry_hash, signature"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def current_user() -> str:
    user = os.environ.get("TFTSR_USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _payload(row: dict[str, Any]) -> str:
    return canonical_json({
        "seq": row["seq"], "id": row["id"], "timestamp": row["timestamp"], "action": row["action"],
        "entity_type": row["entity_type"], "entity_id": row["entity_id"], "user_id": row["user_id"],
        "details": row["details"],
    })


def entry_hash(row: dict[str, Any], prev_hash: str) -> str:
    return sha256_hex(_payload(row) + prev_hash)


def audit_key(store: Store) -> bytes:
    return derive_subkey(store.root_secret(), "audit")


def _last(store: Store) -> tuple[int, str]:
    row = store.execute("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(store: Store, action: str, entity_type: str, entity_id: str,
           details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Append one entry inside the caller's transaction (or a new one). Returns the entry."""
    key = audit_key(store)
    with store.transaction():
        last_seq, prev = _last(store)
        seq = last_seq + 1
        row: dict[str, Any] = {
            "id": new_id(), "seq": seq, "timestamp": utc_now(), "action": action,
            "entity_type": entity_type, "entity_id": str(entity_id), "user_id": current_user(),
            "details": canonical_json(details or {}),
        }
        row["prev_hash"] = prev
        row["entry_hash"] = entry_hash(row, prev)
        row["signature"] = hmac_sha256_hex(key, row["entry_hash"])
        store.execute(
            f"INSERT INTO audit_log ({_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            tuple(row[f.strip()] for f in _FIELDS.split(",")),
        )
    return row


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    head_hash: str
    bad_entry_id: str | None = None
    bad_seq: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"audit log intact: {self.count} entries, head {self.head_hash}"
        return f"audit log TAMPERED at entry {self.bad_entry_id} (seq {self.bad_seq}): {self.reason}"


def iter_entries(store: Store, batch: int = 5000) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        rows = store.query(f"SELECT {_FIELDS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?", (after, batch))
        if not rows:
            return
        yield from rows
        after = rows[-1]["seq"]


def _first_fault(row: dict[str, Any], expected_seq: int, prev: str, key: bytes) -> str:
    if row["seq"] > expected_seq:
        return f"entries {expected_seq}..{row['seq'] - 1} before it are missing (deleted)"
    if row["prev_hash"] != prev:
        return "its prev_hash does not match the entry before it (an entry was removed, inserted or reordered)"
    if entry_hash(row, prev) != row["entry_hash"]:
        return "its content does not match its entry_hash (the entry was modified)"
    if not hmac.compare_digest(hmac_sha256_hex(key, row["entry_hash"]), row["signature"]):
        return "its signature is invalid (forged or re-hashed without the audit key)"
    return ""


def verify(store: Store) -> Verification:
    key = audit_key(store)
    prev = GENESIS
    count = 0
    for row in iter_entries(store):
        expected_seq = count + 1

        reason = _first_fault(row, expected_seq, prev, key)
        if reason:
            return Verification(False, count, prev, row["id"], row["seq"], reason)
        prev = row["entry_hash"]
        count += 1
    return Verification(True, count, prev)


def head(store: Store) -> tuple[int, str]:
    """(entry count, last entry_hash): the value to anchor in a document or ticket."""
    return _last(store)


def entries(store: Store, entity_type: str | None = None, entity_ids: list[str] | None = None,
            limit: int | None = None) -> list[dict[str, Any]]:
    sql = f"SELECT {_FIELDS} FROM audit_log"
    params: list[Any] = []
    where = []
    if entity_type:
        where.append("entity_type = ?")
        params.append(entity_type)
    if entity_ids:
        where.append(f"entity_id IN ({','.join('?' * len(entity_ids))})")
        params.extend(entity_ids)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    rows = store.query(sql, tuple(params))
    for r in rows:
        r["details"] = json.loads(r["details"])
    return rows
