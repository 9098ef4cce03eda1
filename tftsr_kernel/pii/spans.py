"""The finding types: one detected span of sensitive text (and how its value is hashed), and one
finding of a file scan."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Literal, NamedTuple

Status = Literal["pending", "approved", "rejected"]
STATUSES: tuple[str, ...] = ("pending", "approved", "rejected")


def value_hash(type_: str, value: str) -> str:
    """SHA-256 (hex) of ``type`` and ``value``: the key for per-value review decisions."""
    return hashlib.sha256(f"{type_}\x00{value}".encode("utf-8", "surrogatepass")).hexdigest()


_new = tuple.__new__


class _SpanFields(NamedTuple):
    start: int
    end: int
    type: str
    detector: str
    value_hash: str
    status: Status | None = None


class Span(_SpanFields):
    """``text[start:end]`` holds a value of ``type``, found by ``detector``.

    The value itself is never stored here (only its hash), so a span can be logged, printed or
    persisted without leaking what it points at. ``status`` is the review decision:
    ``pending`` (undecided), ``approved`` (redact it) or ``rejected`` (keep it).

    A tuple (a scan makes thousands per megabyte, and a tuple is the cheapest object to build: the
    engine builds them with ``tuple.__new__``, without the checks), but equal only to a span: a
    plain tuple of the same fields is not one.
    """

    __slots__ = ()

    def __new__(cls, start: int, end: int, type: str, detector: str, value_hash: str,  # noqa: A002
                status: Status | None = None) -> Span:
        if not 0 <= start < end:
            raise ValueError(f"a span needs 0 <= start < end, got {start}..{end}")
        if status is not None and status not in STATUSES:
            raise ValueError(f"span status must be one of {', '.join(STATUSES)}, got {status!r}")
        return _new(cls, (start, end, type, detector, value_hash, status))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = tuple.__hash__

    @property
    def length(self) -> int:
        return self.end - self.start

    def with_status(self, status: Status) -> Span:
        return Span(self.start, self.end, self.type, self.detector, self.value_hash, status)

    def shifted(self, offset: int) -> Span:
        return Span(self.start + offset, self.end + offset, self.type, self.detector, self.value_hash, self.status)


class Finding(NamedTuple):
    """One finding of a file scan: where (path, 1-based line, character offsets), what type, which
    detector, and the value itself for a masked display (its repr never shows it; never logged)."""

    path: str
    line: int
    start: int
    end: int
    type: str
    detector: str
    value: str

    def __repr__(self) -> str:
        return (f"Finding(path={self.path!r}, line={self.line}, start={self.start}, end={self.end}, "
                f"type={self.type!r}, detector={self.detector!r})")

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "start": self.start, "end": self.end, "type": self.type}

    def json_line(self) -> str:
        """``json.dumps(self.as_json(), ensure_ascii=False)``, built without the encoder (type names are
        upper-case words, the engine refuses any other)."""
        return (f'{{"path": {_json_path(self.path)}, "line": {self.line}, "start": {self.start}, '
                f'"end": {self.end}, "type": "{self.type}"}}')


@functools.lru_cache(maxsize=64)
def _json_path(path: str) -> str:
    return json.dumps(path, ensure_ascii=False)
