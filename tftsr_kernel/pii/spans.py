"""The finding types: one detected span of sensitive text (and how its value is hashed), and one
finding of a file scan."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

Status = Literal["pending", "approved", "rejected"]
STATUSES: tuple[str, ...] = ("pending", "approved", "rejected")


def value_hash(type_: str, value: str) -> str:
    """SHA-256 (hex) of ``type`` and ``value``: the key for per-value review decisions."""
    return hashlib.sha256(f"{type_}\x00{value}".encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` holds a value of ``type``, found by ``detector``.

    The value itself is never stored here (only its hash), so a span can be logged, printed or
    persisted without leaking what it points at. ``status`` is the review decision:
    ``pending`` (undecided), ``approved`` (redact it) or ``rejected`` (keep it).
    """

    start: int
    end: int
    type: str
    detector: str
    value_hash: str
    status: Status | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"a span needs 0 <= start < end, got {self.start}..{self.end}")
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"span status must be one of {', '.join(STATUSES)}, got {self.status!r}")

    @property
    def length(self) -> int:
        return self.end - self.start

    def with_status(self, status: Status) -> Span:
        return replace(self, status=status)

    def shifted(self, offset: int) -> Span:
        return Span(self.start + offset, self.end + offset, self.type, self.detector, self.value_hash, self.status)


_new = object.__new__
_set_start = vars(Span)["start"].__set__  # slot descriptors: bypass the frozen __setattr__
_set_end = vars(Span)["end"].__set__
_set_type = vars(Span)["type"].__set__
_set_detector = vars(Span)["detector"].__set__
_set_hash = vars(Span)["value_hash"].__set__
_set_status = vars(Span)["status"].__set__


def make_span(start: int, end: int, type_: str, detector: str, hash_: str) -> Span:
    """A pending-less :class:`Span` without ``__init__``'s checks, for the engine, which only builds
    spans with ``0 <= start < end``. Equal in every way to ``Span(start, end, type_, detector, hash_)``."""
    sp = _new(Span)
    _set_start(sp, start)
    _set_end(sp, end)
    _set_type(sp, type_)
    _set_detector(sp, detector)
    _set_hash(sp, hash_)
    _set_status(sp, None)
    return sp


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
