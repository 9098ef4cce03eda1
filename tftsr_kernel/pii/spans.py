"""The finding type: one detected span of sensitive text, and how its value is hashed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Literal

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
        return replace(self, start=self.start + offset, end=self.end + offset)
