"""Literal triggers: where each detector's required literals (its ``hints``) occur in a text.

One pass over the text finds every occurrence of every hint, case-insensitively: Hyperscan (a
multi-literal automaton, one scan for all hints) when the wheel is installed, else one
``bytes.find``/``str.find`` sweep per hint over the lower-cased text. The engine then runs a
detector only inside windows around its hints' occurrences instead of over the whole text.

Offsets are in the matcher's space: UTF-8 byte offsets for ``bytes`` input, character offsets for
``str`` input.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from typing import Any

_hs: Any
try:  # pragma: no cover - exercised through whichever path is installed
    if os.environ.get("TFTSR_PII_BACKEND", "").lower() == "python":
        raise ImportError("pure-Python backend requested")
    import hyperscan as _hs

    HAVE_HYPERSCAN = True
except ImportError:  # pragma: no cover
    _hs = None
    HAVE_HYPERSCAN = False


def _on_match(idx: int, _start: int, end: int, _flags: int, hits: list[list[int]]) -> None:
    hits[idx].append(end)


class TriggerFinder:
    """Finds all occurrences of a fixed set of ASCII literals, ignoring ASCII case."""

    def __init__(self, literals: Sequence[str], *, use_hyperscan: bool | None = None) -> None:
        self.literals: tuple[str, ...] = tuple(dict.fromkeys(h.lower() for h in literals))
        for h in self.literals:
            if not h or not h.isascii():
                raise ValueError(f"trigger literals are non-empty ASCII, got {h!r}")
        self._encoded = tuple(h.encode("ascii") for h in self.literals)
        want = HAVE_HYPERSCAN if use_hyperscan is None else use_hyperscan and HAVE_HYPERSCAN
        self._db: Any = None
        self._local = threading.local()
        if want and self.literals:
            from tftsr_kernel.pii.hscache import compile_database

            self._db = compile_database([re.escape(h).encode("ascii") for h in self.literals],
                                        list(range(len(self.literals))),
                                        [_hs.HS_FLAG_CASELESS] * len(self.literals))

    @property
    def engine(self) -> str:
        return "hyperscan" if self._db is not None else "find"

    def find(self, data: bytes | str) -> dict[str, list[int]] | None:
        """Sorted start offsets of each literal that occurs in ``data`` (absent ones are omitted).

        ``None`` when the offsets cannot be trusted (a ``str`` whose lower-casing changes its length).
        """
        if not self.literals:
            return {}
        if self._db is not None and isinstance(data, bytes):
            return self._find_hyperscan(data)
        return self._find_python(data)

    def _find_hyperscan(self, data: bytes) -> dict[str, list[int]]:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = _hs.Scratch(self._db)
        hits: list[list[int]] = [[] for _ in self.literals]
        self._db.scan(data, match_event_handler=_on_match, context=hits, scratch=scratch)
        out: dict[str, list[int]] = {}
        for h, enc, ends in zip(self.literals, self._encoded, hits, strict=True):
            if ends:
                n = len(enc)
                out[h] = [e - n for e in ends]
        return out

    def _find_python(self, data: bytes | str) -> dict[str, list[int]] | None:
        out: dict[str, list[int]] = {}
        if isinstance(data, bytes):
            lower_b = data.lower()  # ASCII-only lowering: offsets unchanged
            for h, enc in zip(self.literals, self._encoded, strict=True):
                if found_b := _positions(lower_b, enc):
                    out[h] = found_b
            return out
        lower = data.lower()
        if len(lower) != len(data):
            return None
        for h in self.literals:
            if found := _positions(lower, h):
                out[h] = found
        return out


def _positions(haystack: Any, needle: Any) -> list[int]:
    """Every offset where ``needle`` starts in ``haystack`` (str in str, or bytes in bytes)."""
    found: list[int] = []
    pos = haystack.find(needle)
    while pos >= 0:
        found.append(pos)
        pos = haystack.find(needle, pos + 1)
    return found


def windows(positions: Sequence[int], back: int, forward: int, n: int) -> list[tuple[int, int]]:
    """Merge ``[p - back, p + forward]`` (clamped to ``[0, n]``) over sorted ``positions``."""
    out: list[tuple[int, int]] = []
    cur_s = cur_e = -1
    for p in positions:
        s = p - back if p > back else 0
        e = p + forward
        if e > n:
            e = n
        if s <= cur_e:
            if e > cur_e:
                cur_e = e
            continue
        if cur_e >= 0:
            out.append((cur_s, cur_e))
        cur_s, cur_e = s, e
    if cur_e >= 0:
        out.append((cur_s, cur_e))
    return out
