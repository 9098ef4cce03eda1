"""The Python API a notebook (and the CLI) uses: one object that ties the layers together.

    wb = Workbench.open("~/incidents/tftsr.db")      # key from TFTSR_DB_KEY, or key=...
    issue = wb.issue_new("Checkout API 502s", severity="high", category="network")
    wb.audit_verify().ok
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import audit
from .crypto import derive_subkey, open_sealed, seal, sha256_hex
from .errors import InputError, NotFoundError
from .rca import issues, whys
from .store import MasterKey, Store, StoreInfo, new_id, utc_now

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from .pii import RedactedText


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

    # -- logs ---------------------------------------------------------------------------------
    def load(self, paths: str | os.PathLike[str] | list[str | os.PathLike[str]], issue: str | None = None,
             format: str = "auto", store_raw: bool = False, **options: Any) -> pd.DataFrame:  # noqa: A002
        """Load logs into a DataFrame and record each file for the issue (``log_files`` + audit).

        The frame gains a ``log_file_id`` column linking each row to its record.
        """
        from .logs import load_logs
        from .rca import logfiles

        issue_id = self.issue(issue)["id"]
        frame = load_logs(paths, format=format, **options)
        if len(frame):
            logfiles.record_load_options(self.store, issue_id, {"format": format, **options})
        ids: dict[str, str] = {}
        info = {f["file"]: f for f in frame.attrs.get("tftsr_files", [])}
        for name in frame["file"].cat.categories if len(frame) else []:
            on_disk = name if os.path.exists(name) else name.split("!", 1)[0]
            details = info.get(name, {})
            row = logfiles.record_log_file(self.store, issue_id, on_disk, fmt=str(details.get("format", "")),
                                           line_count=details.get("lines"), store_raw=store_raw)
            ids[name] = row["id"]
        if len(frame):
            frame["log_file_id"] = frame["file"].map(ids).astype("category")
        return frame

    def log_files(self, issue: str | None = None) -> list[dict[str, Any]]:
        from .rca import logfiles

        return logfiles.log_files(self.store, self.issue(issue)["id"])

    # -- detection and review -------------------------------------------------------------------
    def scan(self, issue: str | None = None, profile: str | os.PathLike[str] | None = None) -> dict[str, int]:
        """Scan the issue's logs; spans are stored as pending. Returns spans found per type."""
        from .rca import review

        scanner = None
        if profile:
            from .pii import load_profile

            scanner = load_profile(profile).scanner()
        return review.scan_issue(self.store, self.issue(issue)["id"], scanner)

    def decide(self, approve: list[str] | None = None, reject: list[str] | None = None, *,
               approve_all: bool = False, values: list[tuple[str, str]] | None = None,
               span_ids: list[str] | None = None, status: str = "approved", issue: str | None = None) -> int:
        """Decide spans: ``approve``/``reject`` whole types, ``approve_all``, or chosen values/occurrences
        (``values`` = [(type, value_hash)], ``span_ids``) with ``status``. Returns spans changed."""
        from .rca import review

        issue_id = self.issue(issue)["id"]
        changed = 0
        if approve_all:  # every value still undecided; values already rejected stay kept
            changed += review.decide(self.store, issue_id, "approved", every=True, only_pending=True)
        if approve:
            changed += review.decide(self.store, issue_id, "approved", types=approve)
        if reject:
            changed += review.decide(self.store, issue_id, "rejected", types=reject)
        if values or span_ids:
            changed += review.decide(self.store, issue_id, status, values=values, span_ids=span_ids)
        if not (approve_all or approve or reject or values or span_ids):
            raise InputError("say what to decide: --approve TYPE..., --reject TYPE... or --approve-all")
        return changed

    def spans(self, issue: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        from .rca import review

        return review.issue_spans(self.store, self.issue(issue)["id"], status)

    def review_groups(self, issue: str | None = None, *, pii_type: str | None = None, status: str | None = None,
                      text: str | None = None, offset: int = 0, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
        """One row per distinct detected value, most frequent first: (total, page)."""
        from .rca import review

        return review.value_groups(self.store, self.issue(issue)["id"], pii_type=pii_type, status=status,
                                   text=text, offset=offset, limit=limit)

    def review_progress(self, issue: str | None = None) -> dict[str, int]:
        from .rca import review

        return review.decision_counts(self.store, self.issue(issue)["id"])

    def value_occurrences(self, pii_type: str, value_hash: str, issue: str | None = None,
                          limit: int = 20) -> list[dict[str, Any]]:
        from .rca import review

        return review.value_occurrences(self.store, self.issue(issue)["id"], pii_type, value_hash, limit)

    def redacted_context(self, issue: str | None = None, **redact_options: Any) -> RedactedText:
        """The issue's logs with every approved value replaced; refuses while any value is undecided."""
        from .rca import review

        return review.redacted_context(self.store, self.issue(issue)["id"], **self._redact_options(redact_options))

    def redact(self, issue: str | None = None, **redact_options: Any) -> RedactedText:
        """Finalise the redaction: audited (``redaction_applied``) and original values wiped from the store."""
        from .rca import review

        return review.redacted_context(self.store, self.issue(issue)["id"], finalise=True,
                                       **self._redact_options(redact_options))

    def pseudonym_key(self) -> bytes:
        return derive_subkey(self.store.root_secret(), "pseudonym")

    def _redact_options(self, options: dict[str, Any]) -> dict[str, Any]:
        options.setdefault("pseudonym_key", self.pseudonym_key())
        return options

    # -- 5-Whys ---------------------------------------------------------------------------------
    def whys_add(self, why: str, answer: str = "", evidence: list[dict[str, Any]] | None = None, chain: int = 1,
                 issue: str | None = None) -> dict[str, Any]:
        return whys.add_step(self.store, self.issue(issue)["id"], why, answer, evidence, chain)

    def whys_update(self, step_id: str, **fields: Any) -> dict[str, Any]:
        return whys.update_step(self.store, step_id, **fields)

    def whys_delete(self, step_id: str) -> None:
        whys.delete_step(self.store, step_id)

    def whys(self, issue: str | None = None) -> list[dict[str, Any]]:
        return whys.steps(self.store, self.issue(issue)["id"])

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

    # -- ui --
    def review_types(self, issue: str | None = None) -> list[dict[str, Any]]:
        """Per detected type: distinct values, values fully decided, occurrences and decided occurrences."""
        issue_id = self.issue(issue)["id"]
        return self.store.query(
            "SELECT pii_type AS type, count(*) AS \"values\", sum(pending = 0) AS decided, "
            "sum(occurrences) AS occurrences, sum(occurrences - pending) AS occurrences_decided "
            "FROM (SELECT s.pii_type, s.value_hash, count(*) AS occurrences, "
            "sum(s.status = 'pending') AS pending FROM pii_spans s JOIN log_files f ON f.id = s.log_file_id "
            "WHERE f.issue_id = ? GROUP BY s.pii_type, s.value_hash) GROUP BY pii_type ORDER BY pii_type",
            (issue_id,))

    def log_text(self, log_file_id: str) -> str:
        """The decoded text of one recorded log file (span offsets index into it)."""
        from .rca import logfiles

        return logfiles.read_log_text(self.store, logfiles.get_log_file(self.store, log_file_id))

    def line_spans(self, log_file_id: str, start: int, end: int, max_span: int = 16384) -> list[dict[str, Any]]:
        """The spans of one log file that overlap characters ``start:end`` (a line), by offset index."""
        return self.store.query(
            "SELECT id, pii_type, line_no, start_offset, end_offset, status FROM pii_spans "
            "WHERE log_file_id = ? AND start_offset >= ? AND start_offset < ? AND end_offset > ? "
            "ORDER BY start_offset", (log_file_id, max(0, start - max_span), end, start))

    # -- documents --
    def rca(self, postmortem: bool = False, issue: str | None = None, *, refresh: bool = False,
            ai_provider: str | None = None) -> dict[str, Any]:
        """The issue's RCA (or post-mortem) document, drafted from the store when there is none yet."""
        from .rca import documents

        return documents.draft_document(self.store, self.issue(issue)["id"], "postmortem" if postmortem else "rca",
                                        refresh=refresh, ai_provider=ai_provider)

    def doc_update(self, issue: str | None = None, postmortem: bool = False, **fields: Any) -> dict[str, Any]:
        """Edit the document in place (summary=, owners=, action_items=[...], lessons={...}, timeline=[...])."""
        from .rca import documents

        return documents.update_document(self.store, self.issue(issue)["id"],
                                         "postmortem" if postmortem else "rca", **fields)

    def doc_export(self, issue: str | None = None, fmt: str = "md", out: str | os.PathLike[str] | None = None,
                   postmortem: bool = False) -> Any:
        """Export to Markdown or self-contained HTML (audited ``document_exported`` with its SHA-256)."""
        from .rca import documents

        return documents.export_document(self.store, self.issue(issue)["id"], fmt, out,
                                         "postmortem" if postmortem else "rca")

    def notebook_export(self, path: str | os.PathLike[str], issue: str | None = None, *,
                        root: str | os.PathLike[str] | None = None,
                        profile: str | os.PathLike[str] | None = None) -> Path:
        """Write the reproducible, scrubbed RCA notebook (no escaping ``root`` via ``..`` or symlinks)."""
        from .rca import notebook_export

        return notebook_export.export_notebook(self.store, self.issue(issue)["id"], path, root=root, profile=profile)

    def nbscan(self, paths: list[str | os.PathLike[str]]) -> list[Any]:
        """Sensitive values (detector + this store's approved values) in notebooks; never the values."""
        from .rca import hygiene

        return hygiene.nbscan(paths, hygiene.SensitiveValues.from_store(self.store))

    def nbscrub(self, path: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Any:
        """Replace sensitive values in a notebook: in place (backup kept) or into ``out``."""
        from .rca import hygiene

        return hygiene.nbscrub(path, hygiene.SensitiveValues.from_store(self.store), out)

    # -- ai --
    def ask(self, question: str, provider: str = "local", model: str | None = None, base_url: str | None = None,
            domain: str | None = None, new: bool = False, issue: str | None = None, stream: bool = True,
            on_token: Callable[[str], None] | None = None, strategy: str | None = None, **options: Any) -> Any:
        """Ask ``provider`` about the issue, sending only its redacted logs; returns an ``ai.Answer``.

        A follow-up continues the issue's latest conversation with that provider unless ``new``.
        ``on_token(piece)`` receives the answer as it streams in. See ``tftsr_kernel.ai.gateway.ask``.
        """
        from .ai import conversations, gateway

        issue_id = self.issue(issue)["id"]
        conv = None if new else conversations.latest(self.store, issue_id, provider)
        context = self.redacted_context(issue_id, **({"strategy": strategy} if strategy else {}))
        return gateway.ask(question, context, provider, model, conv["id"] if conv else None, store=self.store,
                           issue_id=issue_id, base_url=base_url, domain=domain, stream=stream, on_token=on_token,
                           credential_lookup=self.credential_get, **options)

    def ai_providers(self) -> list[dict[str, Any]]:
        """Each provider, whether it is configured, its endpoint and where its key comes from (never the key)."""
        from .ai import provider_status

        return provider_status(self.store, self.credential_get)

    def ai_conversations(self, issue: str | None = None) -> list[dict[str, Any]]:
        from .ai import conversations

        return conversations.for_issue(self.store, self.issue(issue)["id"])

    def ai_messages(self, conversation_id: str) -> list[dict[str, Any]]:
        from .ai import conversations

        return conversations.messages(self.store, conversations.get(self.store, conversation_id)["id"])

    def ai_allow_host(self, host: str) -> list[str]:
        """Allow-list an HTTPS host (e.g. a company LiteLLM proxy) for the AI gateway; audited."""
        import json

        from .ai.allowlist import ALLOWED_HOSTS_SETTING, parse_allowed_hosts

        host = host.strip().lower()
        if not host or "/" in host or ":" in host:
            raise InputError("give a bare host name such as llm.example.com (no scheme, port or path)")
        hosts = sorted(set(parse_allowed_hosts(self.store.get_setting(ALLOWED_HOSTS_SETTING))) | {host})
        with self.store.transaction():
            self.store.set_setting(ALLOWED_HOSTS_SETTING, json.dumps(hosts))
            audit.append(self.store, "ai_host_allowed", "setting", ALLOWED_HOSTS_SETTING, {"host": host})
        return hosts

    def reveal(self, text: str, issue: str | None = None) -> str:
        """``text`` (an answer) with pseudonym tokens mapped back to the original values, locally only.

        Needs the issue's log files still readable; the result is a plain ``str`` and is never sent."""
        from .ai.reveal import reveal_tokens

        issue_id = self.issue(issue)["id"]
        candidates: list[tuple[str, str]] = []
        for lf in self.log_files(issue_id):
            spans = self.store.query("SELECT pii_type, start_offset, end_offset FROM pii_spans "
                                     "WHERE log_file_id = ? AND status = 'approved'", (lf["id"],))
            if spans:
                raw = self.log_text(lf["id"])
                candidates += [(s["pii_type"], raw[s["start_offset"]:s["end_offset"]]) for s in spans]
        revealed, _count = reveal_tokens(text, candidates, self.pseudonym_key())
        return revealed
