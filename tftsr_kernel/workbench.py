"""The Python API a notebook (and the CLI) uses: one object that ties the layers together.

    wb = Workbench.open("~/incidents/tftsr.db")      # key from TFTSR_DB_KEY, or key=...
    issue = wb.issue_new("Checkout API 502s", severity="high", category="network")
    wb.audit_verify().ok
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import audit
from .crypto import derive_subkey, open_sealed, seal, sha256_hex
from .errors import InputError, NotFoundError
from .rca import issues
from .store import MasterKey, Store, StoreInfo, new_id, utc_now


class Workbench:
    """An open store plus the issue currently being investigated."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.current_issue_id: str | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, key: str | MasterKey | None = None,
             *, insecure_plaintext: bool | None = None) -> Workbench:
        return cls(Store(path, key, insecure_plaintext=insecure_plaintext))

    def __repr__(self) -> str:
        return f"Workbench(store={str(self.store.path)!r}, issue={self.current_issue_id!r})"

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- issues ------------------------------------------------------------------------------
    def issue_new(self, title: str, severity: str = "medium", category: str = "general",
                  description: str = "", tags: list[str] | None = None) -> dict[str, Any]:
        issue = issues.create_issue(self.store, title, severity, category, description, tags)
        self.current_issue_id = issue["id"]
        return issue

    def issue(self, ref: str | None = None) -> dict[str, Any]:
        return issues.get_issue(self.store, self._issue_ref(ref))

    def issue_use(self, ref: str) -> dict[str, Any]:
        issue = issues.get_issue(self.store, ref)
        self.current_issue_id = issue["id"]
        return issue

    def issues(self, status: str | None = None) -> list[dict[str, Any]]:
        return issues.list_issues(self.store, status)

    def issue_search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        return issues.search_issues(self.store, query, limit)

    def issue_status(self, status: str, ref: str | None = None) -> dict[str, Any]:
        return issues.set_status(self.store, self._issue_ref(ref), status)

    def issue_update(self, ref: str | None = None, **fields: Any) -> dict[str, Any]:
        return issues.update_issue(self.store, self._issue_ref(ref), **fields)

    def _issue_ref(self, ref: str | None) -> str:
        if ref:
            return ref
        if not self.current_issue_id:
            raise InputError("no issue selected; create one with `issue new` or pick one with `issue use ID`")
        return self.current_issue_id

    # -- audit -------------------------------------------------------------------------------
    def audit_verify(self) -> audit.Verification:
        return audit.verify(self.store)

    def audit_log(self, limit: int | None = None, issue: str | None = None) -> list[dict[str, Any]]:
        if issue:
            return audit.entries(self.store, entity_ids=self.issue_entity_ids(issue), limit=limit)
        return audit.entries(self.store, limit=limit)

    def audit_head(self) -> tuple[int, str]:
        return audit.head(self.store)

    def issue_entity_ids(self, ref: str | None = None) -> list[str]:
        """The issue's id and the ids of everything that belongs to it (for its audit trail)."""
        issue_id = self.issue(ref)["id"]
        ids = [issue_id]
        for table in ("log_files", "ai_conversations", "resolution_steps", "documents"):
            ids += [r["id"] for r in self.store.query(f"SELECT id FROM {table} WHERE issue_id = ?", (issue_id,))]
        return ids

    # -- store maintenance ---------------------------------------------------------------------
    def store_info(self) -> StoreInfo:
        return self.store.info()

    def store_rekey(self, new_key: str) -> None:
        self.store.rekey(new_key)
        with self.store.transaction():
            audit.append(self.store, "store_rekeyed", "store", str(self.store.path), {})

    def store_backup(self, dest: str | os.PathLike[str]) -> Path:
        with self.store.transaction():
            audit.append(self.store, "store_backup", "store", str(self.store.path), {"dest": str(dest)})
        return self.store.backup(dest)

    # -- credentials ---------------------------------------------------------------------------
    def credential_set(self, service: str, secret: str) -> None:
        if not service or not secret:
            raise InputError("a credential needs a service name and a non-empty secret")
        key = derive_subkey(self.store.root_secret(), "credentials")
        existing = self.store.query_one("SELECT id FROM credentials WHERE service = ?", (service,))
        cred_id = existing["id"] if existing else new_id()
        sealed = seal(key, secret.encode(), cred_id)
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO credentials (id, service, token_hash, encrypted_token, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(service) DO UPDATE SET "
                "token_hash = excluded.token_hash, encrypted_token = excluded.encrypted_token",
                (cred_id, service, sha256_hex(secret), sealed, utc_now()),
            )
            audit.append(self.store, "credential_set", "credential", cred_id, {"service": service})

    def credential_get(self, service: str) -> str | None:
        row = self.store.query_one("SELECT id, encrypted_token FROM credentials WHERE service = ?", (service,))
        if row is None:
            return None
        key = derive_subkey(self.store.root_secret(), "credentials")
        return open_sealed(key, row["encrypted_token"], row["id"]).decode()

    def credential_services(self) -> list[str]:
        return [r["service"] for r in self.store.query("SELECT service FROM credentials ORDER BY service")]

    def credential_delete(self, service: str) -> None:
        row = self.store.query_one("SELECT id FROM credentials WHERE service = ?", (service,))
        if row is None:
            raise NotFoundError(f"no credential for {service!r}; `tftsr credentials list` shows them")
        with self.store.transaction():
            self.store.execute("DELETE FROM credentials WHERE id = ?", (row["id"],))
            audit.append(self.store, "credential_deleted", "credential", row["id"], {"service": service})
