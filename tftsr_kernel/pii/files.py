"""Scanning and redacting files: what ``tftsr scan`` and ``tftsr redact`` call.

Files are decoded as UTF-8 with invalid bytes replaced and no newline translation, and streamed in
chunks, so offsets are character offsets into that text and memory stays flat in file size.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tftsr_kernel.errors import InputError
from tftsr_kernel.pii.engine import CHUNK, Scanner, default_scanner
from tftsr_kernel.pii.profiles import Profile
from tftsr_kernel.pii.redacted import RedactedText
from tftsr_kernel.pii.redaction import redact_all
from tftsr_kernel.pii.spans import Finding

_SNIFF = 8192


@dataclass(frozen=True)
class Note:
    """Something to tell the user about one path: skipped (``error=False``) or failed (``error=True``)."""

    path: str
    message: str
    error: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def is_binary(head: bytes) -> bool:
    return b"\x00" in head


def expand_paths(paths: Iterable[str | os.PathLike[str]], *, recursive: bool = False) -> Iterator[Path | Note]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            if not recursive:
                yield Note(str(p), "is a directory; add --recursive to scan what it holds", error=True)
                continue
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    yield Path(root) / name
        elif p.exists() or p.is_symlink():
            yield p
        else:
            yield Note(str(p), "no such file or directory", error=True)


def scan_file(path: Path, scanner: Scanner | None = None, *, binary: bool = False,
              chunk_size: int = CHUNK) -> Iterator[Finding | Note]:
    """Findings of one file, streamed; problems become one :class:`Note` each."""
    sc = scanner or default_scanner()
    name = str(path)
    try:
        with open(path, "rb") as fb:
            head = fb.read(_SNIFF)
    except OSError as exc:
        yield Note(name, f"cannot be read ({exc.strerror or exc})", error=True)
        return
    if not head:
        yield Note(name, "is empty; nothing to scan")
        return
    if is_binary(head) and not binary:
        yield Note(name, "looks binary (it holds NUL bytes); skipped, use --binary to scan it as text")
        return
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            reader = _WatchReplacements(fh)
            yield from sc.scan_stream_found(reader, path=name, chunk_size=chunk_size)  # type: ignore[arg-type]
            if reader.replaced:
                yield Note(name, "holds bytes that are not UTF-8; they were read as U+FFFD and offsets count them")
    except OSError as exc:
        yield Note(name, f"cannot be read ({exc.strerror or exc})", error=True)


class _WatchReplacements:
    """A reader wrapper that notices U+FFFD (invalid UTF-8 read with ``errors="replace"``)."""

    def __init__(self, fh: object) -> None:
        self._fh = fh
        self.replaced = False

    def read(self, n: int = -1) -> str:
        piece: str = self._fh.read(n)  # type: ignore[attr-defined]
        if not self.replaced and "\ufffd" in piece:
            self.replaced = True
        return piece


def scan_paths(paths: Iterable[str | os.PathLike[str]], *, recursive: bool = False,
               scanner: Scanner | None = None, binary: bool = False) -> Iterator[Finding | Note]:
    """Findings and notes for every path, in order; one bad path never stops the others."""
    for item in expand_paths(paths, recursive=recursive):
        if isinstance(item, Note):
            yield item
            continue
        yield from scan_file(item, scanner, binary=binary)


def redact_file(path: str | os.PathLike[str], *, strategy: str | None = None, profile: Profile | None = None,
                pseudonym_key: bytes | None = None, scanner: Scanner | None = None) -> RedactedText:
    """Read one file, approve every detection and redact it (the non-interactive path)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from exc
    if is_binary(raw[:_SNIFF]):
        raise InputError(f"{p} looks binary (it holds NUL bytes); redact only text files")
    text = raw.decode("utf-8", errors="replace")
    sc = scanner or (profile.scanner() if profile else default_scanner())
    return redact_all(text, sc.scan(text), strategy=strategy, profile=profile, pseudonym_key=pseudonym_key)


def finding_row(f: Finding, *, show_values: bool = False) -> dict[str, object]:
    """A table row for people: the value masked (``AKIA************MPLE``) unless asked to show it."""
    from tftsr_kernel.pii.redaction import mask

    shown = f.value if show_values else mask(f.value)
    return {"path": f.path, "line": f.line, "span": f"{f.start}-{f.end}", "type": f.type,
            "value": shown.replace("\n", "\\n").replace("\r", "\\r")[:80]}
