"""Records of the log files an issue loaded (``log_files`` + a ``log_loaded`` audit entry, one transaction).

The raw text is not copied into the store unless asked (``store_raw=True``; then it is sealed with
AES-256-GCM under the credentials subkey). Loading the same content again reuses its row.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .. import audit
from ..crypto import derive_subkey, open_sealed, seal, sha256_hex
from ..errors import InputError, NotFoundError
from ..logs.readers import (
    InputProblem,
    LogInput,
    expand,
    file_fingerprint,
    open_binary,
    sniff_compression,
    sniff_encoding,
)
from ..store import Store, new_id, utc_now

_COLUMNS = ("id, issue_id, file_name, file_path, file_size, mime_type, content_hash, uploaded_at, redacted, "
            "format, line_count")


def record_log_file(store: Store, issue_id: str, path: str | os.PathLike[str], *, fmt: str = "",
                    line_count: int | None = None, store_raw: bool = False) -> dict[str, Any]:
    """The ``log_files`` row for ``path`` (reused when the same content was loaded before)."""
    p = Path(path).resolve()
    try:
        size, digest, mime = file_fingerprint(p)
    except OSError as exc:
        raise InputError(f"{p} cannot be read ({exc.strerror or exc}); check the path and permissions") from exc
    existing = store.query_one(f"SELECT {_COLUMNS} FROM log_files WHERE issue_id = ? AND content_hash = ?",
                               (issue_id, digest))
    if existing:
        return existing
    row: dict[str, Any] = {"id": new_id(), "issue_id": issue_id, "file_name": p.name, "file_path": str(p),
                           "file_size": size, "mime_type": mime, "content_hash": digest, "uploaded_at": utc_now(),
                           "redacted": 0, "format": fmt, "line_count": line_count}
    sealed = None
    if store_raw:
        sealed = seal(derive_subkey(store.root_secret(), "credentials"), p.read_bytes(), row["id"])
    with store.transaction():
        store.execute(f"INSERT INTO log_files ({_COLUMNS}, raw_sealed) VALUES ({', '.join('?' * 12)})",
                      (*row.values(), sealed))
        audit.append(store, "log_loaded", "log_file", row["id"],
                     {"issue_id": issue_id, "file_name": p.name, "sha256": digest, "size": size,
                      "format": fmt, "stored_raw": store_raw})
    return row


_LOAD_OPTIONS = ("format", "year", "tz")


def record_load_options(store: Store, issue_id: str, options: dict[str, Any]) -> None:
    """Remember how the issue's logs were read (format, year of syslog lines, time zone), so documents and
    exported notebooks read them the same way."""
    kept = {k: v for k, v in options.items() if k in _LOAD_OPTIONS and v not in (None, "", "auto")}
    if kept:
        store.set_setting(f"issue.{issue_id}.load_options", json.dumps(kept, sort_keys=True))


def recorded_load_options(store: Store, issue_id: str) -> dict[str, Any]:
    value = store.get_setting(f"issue.{issue_id}.load_options")
    return dict(json.loads(value)) if value else {}


def log_files(store: Store, issue_id: str) -> list[dict[str, Any]]:
    return store.query(f"SELECT {_COLUMNS} FROM log_files WHERE issue_id = ? ORDER BY uploaded_at, id", (issue_id,))


def get_log_file(store: Store, log_file_id: str) -> dict[str, Any]:
    row = store.query_one(f"SELECT {_COLUMNS} FROM log_files WHERE id = ?", (log_file_id,))
    if row is None:
        raise NotFoundError(f"no log file {log_file_id!r} in this store")
    return row


def _decode(data: bytes) -> str:
    codec, bom = sniff_encoding(data[:8192])
    return data[bom:].decode(codec, errors="replace")


def _read_bytes(path: Path) -> bytes:
    problems: list[tuple[str, InputProblem]] = []
    inputs: list[LogInput] = expand([path], problems)
    if problems:
        raise InputError(str(problems[0][1]).rstrip("."))
    parts = []
    for inp in inputs:
        stream = open_binary(inp)
        try:
            parts.append(stream.read())
        finally:
            stream.close()
    return b"\n".join(parts)


def read_log_text(store: Store, row: dict[str, Any]) -> str:
    """The decoded text of a recorded log file, checked against the recorded SHA-256.

    Offsets of stored spans index into exactly this text (UTF-8 or the BOM's encoding, invalid bytes
    replaced, no newline translation; the members of an archive joined by a newline).
    """
    path = Path(row["file_path"])
    sealed = store.query_one("SELECT raw_sealed FROM log_files WHERE id = ?", (row["id"],))
    if sealed and sealed["raw_sealed"]:
        raw = open_sealed(derive_subkey(store.root_secret(), "credentials"), sealed["raw_sealed"], row["id"])
        return _decode(raw)
    try:
        on_disk = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path} cannot be read any more ({exc.strerror or exc}); restore it or load it again "
                         "with store_raw=True") from exc
    if sha256_hex(on_disk) != row["content_hash"]:
        raise InputError(f"{path} changed since it was loaded (its SHA-256 differs); load it again")
    return _decode(_read_bytes(path) if sniff_compression(on_disk[:8]) else on_disk)
