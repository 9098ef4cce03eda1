"""Regex backends: google-re2 over UTF-8 bytes (linear time, DFA) with Python ``re`` as the fallback.

Catalog patterns are written in the common subset of both syntaxes. A backend compiles one pattern
and yields ``(match_start, match_end, value_start, value_end)`` in *byte* offsets for RE2 and in
*character* offsets for ``re``; :class:`PreparedText` hides the difference.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from typing import Any

try:  # pragma: no cover - exercised through whichever backend is installed
    if os.environ.get("TFTSR_PII_BACKEND", "").lower() == "python":  # the fallback path, on demand (tests)
        raise ImportError("pure-Python backend requested")
    import re2 as _re2_mod
    from re2 import _re2

    _RE2_OPTIONS = _re2_mod.Options()
    _RE2_OPTIONS.max_mem = 64 << 20
    _RE2_OPTIONS.log_errors = False
    HAVE_RE2 = True
except ImportError:  # pragma: no cover
    _re2 = None
    HAVE_RE2 = False


class PatternError(ValueError):
    """A pattern that neither backend can compile."""


class PreparedText:
    """A text ready for matching: its UTF-8 bytes (for RE2) and a byte→char offset converter."""

    __slots__ = ("text", "data", "ascii")

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self.data: bytes | None = None
        if HAVE_RE2:
            try:
                self.data = text.encode("ascii") if self.ascii else text.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates: only ``re`` can look at this text
                self.data = None

    def to_chars(self, offsets: set[int]) -> dict[int, int]:
        """Map byte offsets (char boundaries) to character offsets."""
        if self.ascii:
            return {o: o for o in offsets}
        assert self.data is not None and _re2 is not None
        out: dict[int, int] = {}
        last_b = last_c = 0
        for o in sorted(offsets):
            last_c += _re2.BytesToCharLen(self.data, last_b, o)
            last_b = o
            out[o] = last_c
        return out


class Compiled:
    """One pattern compiled with RE2 when possible, else with ``re``."""

    __slots__ = ("pattern", "uses_re2", "_rx", "_value_idx", "_pyrx")

    def __init__(self, pattern: str, value_groups: tuple[str, ...] = ("v", "v2", "v3"),
                 *, force_python: bool = False) -> None:
        self.pattern = pattern
        self._rx: Any = None
        self._pyrx: re.Pattern[str] | None = None
        self.uses_re2 = False
        names: dict[str, int] = {}
        ngroups = 0
        if HAVE_RE2 and not force_python:
            rx = _re2.RE2(pattern.encode("utf-8"), _RE2_OPTIONS)
            if rx.ok():
                self._rx = rx
                self.uses_re2 = True
                names = {(k.decode() if isinstance(k, bytes) else k): i
                         for k, i in dict(rx.NamedCapturingGroups()).items()}
                ngroups = rx.NumberOfCapturingGroups()
        if not self.uses_re2:
            try:
                self._pyrx = re.compile(pattern)
            except re.error as exc:
                raise PatternError(f"the pattern {pattern[:60]!r} does not compile: {exc}") from None
            names = dict(self._pyrx.groupindex)
            ngroups = self._pyrx.groups
        idx: list[int] = []
        for g in value_groups:
            if g == "#first":
                idx += range(1, ngroups + 1)
            elif g.startswith("#") and g[1:].isdigit() and 0 < int(g[1:]) <= ngroups:
                idx.append(int(g[1:]))
            elif g in names:
                idx.append(names[g])
        self._value_idx = tuple(idx)

    def spans(self, prepared: PreparedText,
              regions: Sequence[tuple[int, int]] | None = None) -> Iterator[tuple[int, int, int, int]]:
        """Non-overlapping matches; the next search starts where the value ended, so a boundary
        character consumed after one value can still open the next.

        ``regions`` (sorted, disjoint ``(start, end)`` in this matcher's offset space) limits the
        search to those stretches of the text; ``^``/``$`` and boundary characters still see the
        whole text around them.
        """
        idx = self._value_idx
        if self.uses_re2 and prepared.data is not None:
            data = prepared.data
            match = self._rx.Match
            unanchored = _re2.RE2.Anchor.UNANCHORED
            n = len(data)
            pos = 0
            for rs, rend in ((0, n),) if regions is None else regions:
                if pos < rs:
                    pos = rs
                while pos <= rend:
                    spans = match(unanchored, data, pos, rend)
                    ms, me = spans[0]
                    if ms < 0:
                        break
                    vs, ve = ms, me
                    for i in idx:
                        if spans[i][0] >= 0:
                            vs, ve = spans[i]
                            break
                    if ve > vs:
                        yield ms, me, vs, ve
                    pos = ve if ve > ms else me if me > ms else ms + 1
            return
        rx = self._pyrx if self._pyrx is not None else re.compile(self.pattern)
        self._pyrx = rx
        text = prepared.text
        n = len(text)
        pos = 0
        search = rx.search
        for rs, rend in ((0, n),) if regions is None else regions:
            if pos < rs:
                pos = rs
            while pos <= rend:
                m = search(text, pos, rend)
                if m is None:
                    break
                if m.end() == rend < n:  # ``re`` lets ``$`` match at endpos: look past the window
                    m = search(text, m.start(), n) or m
                ms, me = m.span()
                vs, ve = ms, me
                for i in idx:
                    if m.start(i) >= 0:
                        vs, ve = m.span(i)
                        break
                if ve > vs:
                    yield ms, me, vs, ve
                pos = ve if ve > ms else me if me > ms else ms + 1

    @property
    def byte_offsets(self) -> bool:
        return self.uses_re2


def compile_value_regex(pattern: str) -> Compiled:
    return Compiled(pattern)
