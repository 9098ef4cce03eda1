"""The encrypted SQLCipher store: open, pinned cipher settings, migrations, transactions, rekey, backup."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3

from ..errors import StoreError, WrongKeyError
from .keys import MasterKey, resolve_key
from .migrations import apply_migrations, schema_version
from .paths import resolve_store_path, resource_dir

log = logging.getLogger("tftsr_kernel.store")

# Pinned explicitly (they equal SQLCipher 4's defaults today) so a future default change in the
# library cannot lock anyone out of an existing store.
CIPHER_SETTINGS: dict[str, str | int] = {
    "cipher_page_size": 4096,
    "kdf_iter": 256000,
    "cipher_hmac_algorithm": "HMAC_SHA512",
    "cipher_kdf_algorithm": "PBKDF2_HMAC_SHA512",
}
CIPHER = "AES-256-CBC with HMAC-SHA512 per page (SQLCipher 4)"
BUSY_TIMEOUT_MS = 10000
ROOT_SECRET_SETTING = "key.root_secret"  # noqa: S105 (a settings name, not a secret)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class StoreInfo:
    path: str
    encrypted: bool
    key_kind: str
    cipher: str
    cipher_settings: dict[str, str | int]
    cipher_version: str
    schema_version: str | None
    size_bytes: int


class Store:
    """One open store. Use ``with store.transaction():`` for writes that belong together."""

    def __init__(self, path: str | os.PathLike[str] | None = None, key: str | MasterKey | None = None,
                 *, insecure_plaintext: bool | None = None) -> None:
        self.path = resolve_store_path(path)
        self._key = resolve_key(key, insecure_plaintext=insecure_plaintext)
        self._lock = threading.RLock()
        self._depth = 0
        self._root_secret: bytes | None = None
        self.conn = self._open()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, {self._key!r})"

    @property
    def encrypted(self) -> bool:
        return not self._key.plaintext

    # -- opening ---------------------------------------------------------------------------
    def _open(self) -> Any:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StoreError(
                f"cannot create the store folder {folder}: {exc.strerror}; choose another --store"
            ) from exc
        if self.path.is_dir():
            raise StoreError(f"cannot open {self.path}: it is a folder; give a file path with --store")
        with _init_lock(self.path):
            new = not self.path.exists() or self.path.stat().st_size == 0
            conn = self._connect()
            try:
                if new:
                    os.chmod(self.path, 0o600)
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                _retry_busy(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
                conn.execute("PRAGMA synchronous = NORMAL")
                apply_migrations(conn, resource_dir("migrations"))
                self.conn = conn
                if self.root_secret_hex() is None:
                    with self.transaction():
                        self.set_setting(ROOT_SECRET_SETTING, secrets.token_hex(32))
            except BaseException:
                conn.close()
                raise
        if not self.encrypted:
            log.warning("INSECURE: %s is an UNENCRYPTED store (plaintext mode was asked for by name)", self.path)
        return conn

    def _connect(self) -> Any:
        try:
            conn = sqlcipher3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                      timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlcipher3.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}; check the path and its permissions") from exc
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            if self.encrypted:
                conn.execute(f"PRAGMA key = {self._key.pragma_literal()}")
                for name, value in CIPHER_SETTINGS.items():
                    conn.execute(f"PRAGMA {name} = {value}")
            # Reading the schema forces the key check now, not at some later query.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            conn.close()
            raise WrongKeyError(f"cannot open {self.path}: wrong key or not a TFTSR store") from exc
        return conn

    def close(self) -> None:
        with self._lock:
            if self.conn is not None:
                with contextlib.suppress(sqlcipher3.Error):
                    self.conn.close()
                self.conn = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries ----------------------------------------------------------------------------
    def _live(self) -> Any:
        if self.conn is None:
            raise StoreError("the store is closed; open it again")
        return self.conn

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        with self._lock:
            return self._live().execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> Any:
        with self._lock:
            return self._live().executemany(sql, rows)

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cur = self._live().execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def query_one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """A write transaction (``BEGIN IMMEDIATE``); nested uses join the outer one."""
        with self._lock:
            conn = self._live()
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            _retry_busy(lambda: conn.execute("BEGIN IMMEDIATE"))
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._depth = 0
                conn.execute("ROLLBACK")
                raise
            self._depth = 0
            conn.execute("COMMIT")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    # -- settings ---------------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        row = self.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (key, value, utc_now()),
        )

    def root_secret_hex(self) -> str | None:
        return self.get_setting(ROOT_SECRET_SETTING)

    def root_secret(self) -> bytes:
        """The store's random root secret (subkeys are derived from it); read once, then cached."""
        if self._root_secret is None:
            value = self.root_secret_hex()
            if value is None:
                raise StoreError(f"{self.path} has no root secret; it was not created by TFTSR")
            self._root_secret = bytes.fromhex(value)
        return self._root_secret

    # -- maintenance ------------------------------------------------------------------------
    def info(self) -> StoreInfo:
        version = self.execute("PRAGMA cipher_version").fetchone()
        return StoreInfo(
            path=str(self.path),
            encrypted=self.encrypted,
            key_kind="plaintext" if not self.encrypted else ("raw" if self._key.is_raw else "passphrase"),
            cipher=CIPHER if self.encrypted else "none (INSECURE plaintext)",
            cipher_settings=dict(CIPHER_SETTINGS) if self.encrypted else {},
            cipher_version=version[0] if version else "unknown",
            schema_version=schema_version(self._live()),
            size_bytes=self.path.stat().st_size,
        )

    def rekey(self, new_key: str | MasterKey) -> None:
        """Re-encrypt the whole store under ``new_key``."""
        target = resolve_key(new_key, insecure_plaintext=False)
        if not self.encrypted:
            raise StoreError("a plaintext store cannot be rekeyed; back it up into an encrypted store instead")
        with self._lock:
            conn = self._live()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")
            try:
                conn.execute(f"PRAGMA rekey = {target.pragma_literal()}")
            finally:
                conn.execute("PRAGMA journal_mode = WAL")
            self._key = target

    def backup(self, dest: str | os.PathLike[str]) -> Path:
        """An encrypted copy at ``dest`` that opens with the same key."""
        target = Path(dest).expanduser()
        if target.exists():
            raise StoreError(f"{target} already exists; choose a new file for the backup")
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        literal = self._key.pragma_literal() if self.encrypted else "''"
        with self._lock:
            conn = self._live()
            try:
                conn.execute(f"ATTACH DATABASE ? AS backup KEY {literal}", (str(target),))
                if self.encrypted:
                    for name, value in CIPHER_SETTINGS.items():
                        conn.execute(f"PRAGMA backup.{name} = {value}")
                conn.execute("SELECT sqlcipher_export('backup')")
            except sqlcipher3.Error as exc:
                with contextlib.suppress(OSError):
                    target.unlink()
                raise StoreError(f"backup to {target} failed ({exc}); nothing was written") from exc
            finally:
                with contextlib.suppress(sqlcipher3.Error):
                    conn.execute("DETACH DATABASE backup")
        os.chmod(target, 0o600)
        return target


@contextlib.contextmanager
def _init_lock(path: Path) -> Iterator[None]:
    """Serialise first opens and migrations across processes (a sidecar lock file)."""
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _retry_busy(action: Any, attempts: int = 50) -> Any:
    for attempt in range(attempts):
        try:
            return action()
        except sqlcipher3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or attempt == attempts - 1:
                raise StoreError(f"the store is busy ({exc}); close other sessions and try again") from exc
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")
