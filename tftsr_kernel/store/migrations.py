"""Apply ``migrations/NNN_name.sql`` in order, each in its own transaction, recorded with a checksum."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3

from ..errors import MigrationError

_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migration_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.glob("*.sql") if _NAME.match(p.name))
    if not files:
        raise MigrationError(f"no migrations found in {folder}; reinstall tftsr-kernel")
    return files


def split_statements(sql: str) -> Iterator[str]:
    """Complete SQL statements, trigger bodies (BEGIN ... END;) kept whole."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlcipher3.complete_statement(buffer):
            statement = buffer.strip()
            buffer = ""
            if statement and not all(
                part.strip().startswith("--") or not part.strip() for part in statement.splitlines()
            ):
                yield statement
    if buffer.strip() and not all(p.strip().startswith("--") or not p.strip() for p in buffer.splitlines()):
        raise MigrationError("a migration ends with an incomplete SQL statement; fix the file")


def apply_migrations(conn: Any, folder: Path) -> list[str]:
    """Apply what is missing; the caller holds the store's exclusive lock. Returns applied names."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)"
    )
    applied = dict(conn.execute("SELECT name, checksum FROM _migrations").fetchall())
    done: list[str] = []
    for path in migration_files(folder):
        checksum = hashlib.sha256(path.read_bytes()).hexdigest()
        if path.name in applied:
            if applied[path.name] != checksum:
                raise MigrationError(
                    f"migration {path.name} changed after it was applied; restore the original file "
                    "and add a new numbered migration instead"
                )
            continue
        conn.execute("BEGIN EXCLUSIVE")
        try:
            for statement in split_statements(path.read_text(encoding="utf-8")):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO _migrations (name, checksum, applied_at) VALUES (?, ?, ?)",
                (path.name, checksum, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except sqlcipher3.DatabaseError as exc:
            conn.execute("ROLLBACK")
            raise MigrationError(f"migration {path.name} failed ({exc}); the store was left unchanged") from exc
        done.append(path.name)
    return done


def schema_version(conn: Any) -> str | None:
    row = conn.execute("SELECT name FROM _migrations ORDER BY name DESC LIMIT 1").fetchone()
    return row[0] if row else None
