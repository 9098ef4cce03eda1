"""Open log inputs and stream their lines as Arrow string arrays.

Paths expand to inputs (directories recursively, globs, each member of a zip); compression is found
by magic bytes (gzip, bzip2, xz, zip), never by extension; the text encoding by BOM or by the pattern
of NUL bytes (UTF-16 without BOM), else UTF-8 with invalid bytes replaced and counted. A counting
reader stops a decompression bomb at ``max_decompressed_bytes``. Lines over ``LINE_CAP`` bytes are
cut (the giant line never sits whole in memory) and reported.
"""

from __future__ import annotations

import bz2
import codecs
import glob
import gzip
import hashlib
import lzma
import mimetypes
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc

LINE_CAP = 1 << 20  # bytes; longer lines are truncated to this and reported
CHUNK_BYTES = 8 << 20
DEFAULT_MAX_DECOMPRESSED = 16 << 30
TRUNCATION_MARK = " …[truncated]"

_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"PK\x03\x04": "zip"}


class InputProblem(Exception):
    """An input that cannot be loaded; ``kind`` names the problem and ``str()`` is one sentence."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def sniff_compression(head: bytes) -> str | None:
    for magic, name in _MAGIC.items():
        if head.startswith(magic):
            return name
    return None


@dataclass(frozen=True)
class LogInput:
    """One stream of log text: a file, or one member of a zip archive."""

    path: Path
    member: str | None = None
    compression: str | None = None

    @property
    def name(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def _explain_oserror(path: Path, exc: OSError) -> InputProblem:
    if isinstance(exc, FileNotFoundError):
        return InputProblem("missing", f"{path} does not exist; check the path and try again.")
    if isinstance(exc, PermissionError):
        return InputProblem("permission", f"{path} cannot be read (permission denied); grant read access "
                                          "or copy the file somewhere readable.")
    return InputProblem("unreadable", f"{path} cannot be read ({exc.strerror or exc}); check the file.")


def expand(paths: str | os.PathLike[str] | list[str | os.PathLike[str]] | tuple[str | os.PathLike[str], ...],
           problems: list[tuple[str, InputProblem]]) -> list[LogInput]:
    """Files, directories (recursively, hidden files skipped) and glob patterns, as inputs."""
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    out: list[LogInput] = []
    for item in items:
        text = os.fspath(item)
        if glob.has_magic(text) and not os.path.exists(text):
            found = sorted(glob.glob(text, recursive=True))
            if not found:
                problems.append((text, InputProblem("missing", f"{text} matches no files; check the pattern.")))
            files = [Path(f) for f in found]
        else:
            files = [Path(text)]
        for f in files:
            if f.is_dir():
                inner = sorted(p for p in f.rglob("*") if p.is_file()
                               and not any(part.startswith(".") for part in p.relative_to(f).parts))
                if not inner:
                    problems.append((str(f), InputProblem("directory_empty", f"{f} is a folder with no files in it.")))
                out.extend(_open_input(p, problems) for p in inner)
            else:
                out.append(_open_input(f, problems))
    result: list[LogInput] = []
    for inp in out:
        if inp.compression == "zip":
            try:
                with zipfile.ZipFile(inp.path) as zf:
                    members = [i.filename for i in zf.infolist() if not i.is_dir()]
            except (zipfile.BadZipFile, OSError) as exc:
                problems.append((inp.name, InputProblem("unreadable",
                                                        f"{inp.path} is not a readable zip archive ({exc}).")))
                continue
            result.extend(LogInput(inp.path, m, "zip") for m in members)
        elif inp.compression != "-error":
            result.append(inp)
    return result


def _open_input(path: Path, problems: list[tuple[str, InputProblem]]) -> LogInput:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        problems.append((str(path), _explain_oserror(path, exc)))
        return LogInput(path, None, "-error")
    return LogInput(path, None, sniff_compression(head))


class _CappedReader:
    """Counts decompressed bytes and refuses to go past the cap (a decompression bomb)."""

    def __init__(self, raw: IO[bytes], cap: int, name: str) -> None:
        self.raw, self.cap, self.name, self.count = raw, cap, name, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.count += len(data)
        if self.count > self.cap:
            raise InputProblem("too_large", f"{self.name} decompresses to more than {self.cap:,} bytes "
                                            "(a possible decompression bomb) and was skipped; pass a larger "
                                            "max_decompressed_bytes to load it.")
        return data

    def close(self) -> None:
        self.raw.close()


def open_binary(inp: LogInput, max_decompressed: int = DEFAULT_MAX_DECOMPRESSED) -> _CappedReader:
    """The decompressed byte stream of an input (raises InputProblem)."""
    try:
        if inp.compression == "gzip":
            raw: IO[bytes] = gzip.open(inp.path, "rb")  # type: ignore[assignment]  # noqa: SIM115
        elif inp.compression == "bzip2":
            raw = bz2.open(inp.path, "rb")  # noqa: SIM115
        elif inp.compression == "xz":
            raw = lzma.open(inp.path, "rb")  # noqa: SIM115
        elif inp.compression == "zip":
            zf = zipfile.ZipFile(inp.path)
            info = zf.getinfo(inp.member or "")
            if info.file_size > max_decompressed:
                zf.close()
                raise InputProblem("too_large", f"{inp.name} declares {info.file_size:,} bytes uncompressed, more "
                                                f"than the {max_decompressed:,}-byte cap (a possible zip bomb); it "
                                                "was skipped.")
            raw = zf.open(info)
        else:
            raw = open(inp.path, "rb")  # noqa: SIM115 - closed by the caller
            return _CappedReader(raw, 1 << 62, inp.name)
    except OSError as exc:
        raise _explain_oserror(inp.path, exc) from exc
    return _CappedReader(raw, max_decompressed, inp.name)


# --- decoding --------------------------------------------------------------------------------------

_counter = threading.local()


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    _counter.n = getattr(_counter, "n", 0) + 1
    return "\ufffd", exc.end


codecs.register_error("tftsr_count_replace", _count_and_replace)


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """(codec, BOM length) from a file's first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF32_LE) and len(head) >= 4 and head[:4] == codecs.BOM_UTF32_LE:
        return "utf-32-le", 4
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    sample = head[:4096]
    if len(sample) >= 8:
        even_nul = sample[0::2].count(0) / len(sample[0::2])
        odd_nul = sample[1::2].count(0) / len(sample[1::2])
        if odd_nul > 0.4 and even_nul < 0.05:
            return "utf-16-le", 0
        if even_nul > 0.4 and odd_nul < 0.05:
            return "utf-16-be", 0
    return "utf-8", 0


_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27))


def looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head:
        return True
    ctrl = len(head) - len(head.translate(None, _CONTROL))
    return ctrl / len(head) > 0.1


@dataclass
class ReadStats:
    encoding: str = "utf-8"
    bytes_read: int = 0
    lines: int = 0
    replacements: int = 0
    truncated: list[int] = field(default_factory=list)  # 1-based line numbers


@dataclass
class LineBatch:
    lines: pa.LargeStringArray
    first_line_no: int  # 1-based number of lines[0]


def iter_line_batches(stream: _CappedReader, name: str, stats: ReadStats,
                      chunk_bytes: int = CHUNK_BYTES) -> Iterator[LineBatch]:
    """Lines (without their newline; CRLF folded) in batches of about ``chunk_bytes``."""
    head = stream.read(min(chunk_bytes, 1 << 16))
    encoding, bom = sniff_encoding(head)
    stats.encoding = encoding
    if encoding == "utf-8" and looks_binary(head[bom:8192 + bom]):
        raise InputProblem("binary", f"{name} looks like a binary file, not a text log; it was skipped.")
    if not head[bom:]:
        raise InputProblem("empty", f"{name} is empty; there is nothing to load.")
    decoder = None if encoding == "utf-8" else codecs.getincrementaldecoder(encoding)("tftsr_count_replace")

    def blocks() -> Iterator[bytes | None]:
        stats.bytes_read += len(head)
        yield head[bom:]
        while True:
            b = stream.read(chunk_bytes)
            if not b:
                yield None
                return
            stats.bytes_read += len(b)
            yield b

    pending = b""
    discarding = False
    line_no = 1
    for raw in blocks():
        final = raw is None
        if decoder is not None:
            _counter.n = 0
            block = decoder.decode(raw or b"", final).encode("utf-8", "replace")
            stats.replacements += _counter.n
        else:
            block = raw or b""
        if discarding:
            cut = block.find(b"\n")
            if cut < 0:
                if final:
                    break
                continue
            block = block[cut + 1:]
            discarding = False
        data = pending + block
        pending = b""
        if not final:
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) <= LINE_CAP:
                    pending = data
                    continue
                # a line too long to hold whole: keep its head, skip the rest of it
                stats.truncated.append(line_no)
                data = _utf8_prefix(data, LINE_CAP) + TRUNCATION_MARK.encode()
                discarding = True
            else:
                pending, data = data[cut + 1:], data[:cut]
        else:
            if not data:
                break
            if data.endswith(b"\n"):
                data = data[:-1]
        lines = _cap_lines(_to_lines(data, stats), line_no, stats)
        stats.lines += len(lines)
        yield LineBatch(lines, line_no)
        line_no += len(lines)


def _utf8_prefix(data: bytes, n: int) -> bytes:
    cut = min(n, len(data))
    while 0 < cut < len(data) and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return data[:cut]


def _to_lines(data: bytes, stats: ReadStats) -> pa.LargeStringArray:
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if data.endswith(b"\r"):  # the CR of a CRLF split off by the batch boundary
            data = data[:-1]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        _counter.n = 0
        data = data.decode("utf-8", "tftsr_count_replace").encode("utf-8")
        stats.replacements += _counter.n
    big = pa.array([data], pa.large_binary()).cast(pa.large_string())
    return pc.split_pattern(big, "\n").flatten()


def _cap_lines(lines: pa.LargeStringArray, first: int, stats: ReadStats) -> pa.LargeStringArray:
    lengths = pc.binary_length(lines)
    longest = pc.max(lengths).as_py()
    if longest is None or longest <= LINE_CAP + len(TRUNCATION_MARK.encode()):
        return lines
    values = lines.to_pylist()
    for i, v in enumerate(values):
        if v is not None and len(v.encode()) > LINE_CAP:
            values[i] = _utf8_prefix(v.encode(), LINE_CAP).decode("utf-8", "replace") + TRUNCATION_MARK
            stats.truncated.append(first + i)
    return pa.array(values, pa.large_string())


def file_fingerprint(path: str | os.PathLike[str]) -> tuple[int, str, str]:
    """(size in bytes, SHA-256 hex of the file's bytes as stored, MIME type) for a file on disk."""
    p = Path(path)
    digest = hashlib.sha256()
    size = 0
    with open(p, "rb") as fh:
        head = fh.read(1 << 16)
        digest.update(head)
        size += len(head)
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    kind = sniff_compression(head)
    mime = {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz",
            "zip": "application/zip"}.get(kind or "")
    if mime is None:
        enc, bom = sniff_encoding(head)
        if enc == "utf-8" and looks_binary(head[bom:8192 + bom]):
            mime = "application/octet-stream"
        elif enc != "utf-8":
            mime = f"text/plain; charset={enc}"
        else:
            guessed = mimetypes.guess_type(p.name)[0]
            mime = guessed if guessed in ("application/json", "text/csv") else "text/plain"
            if re.search(rb"^\s*\{", head) and guessed is None and p.suffix in (".json", ".jsonl", ".ndjson"):
                mime = "application/x-ndjson"
    return size, digest.hexdigest(), mime
