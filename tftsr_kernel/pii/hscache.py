"""Compiled Hyperscan databases, kept on disk between runs.

Compiling the structural prefilter costs about a second (each detector's pattern is first compiled
alone to choose how Hyperscan can cover it, then all of them together); a ``tftsr scan`` of a small
file paid that second every time. Compiled databases (Hyperscan's own serialised form, which it
checks for version, platform and a checksum when loading) and the outcome of the trial compiles are
stored under the user's cache folder, keyed by the SHA-256 of everything that went into the compile,
so a changed catalog, profile or rule file simply misses the cache. A missing, unreadable or corrupt
entry is compiled again; a cache folder that cannot be written only costs the time.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tftsr_kernel.pii.triggers import _hs


def cache_dir() -> Path | None:
    """Where compiled databases live (``$TFTSR_CACHE_DIR``, else the platform's user cache folder);
    ``None`` when ``TFTSR_CACHE_DIR`` is set to an empty string (no cache)."""
    env = os.environ.get("TFTSR_CACHE_DIR")
    if env is not None:
        return Path(env) / "hyperscan" if env else None
    import platformdirs

    return Path(platformdirs.user_cache_dir("tftsr", appauthor=False)) / "hyperscan"


def _key(kind: str, expressions: Sequence[bytes], ids: Sequence[int], flags: Sequence[int], mode: int) -> str:
    h = hashlib.sha256()
    for part in (kind, _hs.__version__, platform.machine(), mode, len(expressions)):
        h.update(f"{part}\x00".encode())
    for expr, i, f in zip(expressions, ids, flags, strict=True):
        h.update(f"{i}\x00{f}\x00{len(expr)}\x00".encode())
        h.update(expr)
    return h.hexdigest()


def _read(name: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


#: the cache folder is trimmed (least recently written first) when it grows past this
_LIMIT_BYTES = 64 << 20


def _write(name: str, data: bytes) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, folder / name)  # atomic: a reader sees a whole entry or none
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _trim(folder)
    except OSError:
        pass  # a read-only or full disk: the database still works, it is only compiled next time too


def _trim(folder: Path) -> None:
    entries = []
    for p in folder.iterdir():
        try:
            st = p.stat()
        except OSError:
            continue  # removed by another process meanwhile
        entries.append((st.st_mtime, st.st_size, p))
    total = sum(size for _, size, _ in entries)
    for _, size, p in sorted(entries, key=lambda e: e[0]):
        if total <= _LIMIT_BYTES:
            break
        p.unlink(missing_ok=True)
        total -= size


def compile_database(expressions: Sequence[bytes], ids: Sequence[int], flags: Sequence[int],
                     mode: int | None = None) -> Any:
    """A block-mode database of ``expressions``, from the cache when it holds one.
    Raises ``hyperscan.error`` when they do not compile together."""
    mode = _hs.HS_MODE_BLOCK if mode is None else mode
    name = _key("db", expressions, ids, flags, mode) + ".hsdb"
    data = _read(name)
    if data is not None:
        try:
            return _hs.loadb(data, mode)
        except (_hs.error, TypeError, ValueError):
            pass  # written by another Hyperscan, or damaged: compile it again
    db = _hs.Database(mode=mode)
    db.compile(expressions=list(expressions), ids=list(ids), elements=len(expressions), flags=list(flags))
    _write(name, _hs.dumpb(db))
    return db


def trial_compile(expr: bytes, flags: int) -> float | None:
    """Seconds one expression alone takes to compile with ``flags``, or ``None`` when it does not compile.
    The answer (and the time first measured) is cached, so choices made from it stay the same."""
    name = _key("trial", [expr], [0], [flags], _hs.HS_MODE_BLOCK) + ".trial"
    data = _read(name)
    if data is not None:
        text = data.decode("ascii", "replace").strip()
        if text == "no":
            return None
        try:
            return float(text)
        except ValueError:
            pass
    t = time.perf_counter()
    try:
        _hs.Database(mode=_hs.HS_MODE_BLOCK).compile(expressions=[expr], ids=[0], elements=1, flags=[flags])
    except _hs.error:
        _write(name, b"no")
        return None
    took = time.perf_counter() - t
    _write(name, repr(took).encode("ascii"))
    return took
