"""A presence gate for short texts: one Hyperscan scan says which detectors may match a text at all.

A short text (a log line, a DataFrame cell, a log record) pays the engine's fixed cost per detector:
a matcher call for every detector without a literal hint (IPv4, MAC, card, IBAN, phone ...) and a
hint lookup for the others. Here every detector's pattern is compiled in Hyperscan's prefilter mode
(``HS_FLAG_PREFILTER``: a superset of the pattern, never missing a match) with
``HS_FLAG_SINGLEMATCH`` (one report per pattern), so one scan per text names the detectors that may
match it; the others cannot and are skipped. A pattern Hyperscan cannot compile, even as a superset,
is not covered: the engine treats it as before.

As with the structural prefilter (:mod:`.prefilter`), only pure-ASCII text is gated: there byte and
character offsets agree, and Hyperscan's case folding equals RE2's and ``re``'s.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from tftsr_kernel.pii.hscache import compile_database, trial_compile
from tftsr_kernel.pii.prefilter import prefilter_expression
from tftsr_kernel.pii.triggers import HAVE_HYPERSCAN, _hs


def _on_present(idx: int, _start: int, _end: int, _flags: int, seen: list[int]) -> None:
    seen.append(idx)


class PresenceGate:
    """Which patterns (by index) may match an ASCII text, and which the gate covers."""

    def __init__(self, patterns: Sequence[str]) -> None:
        if not HAVE_HYPERSCAN:
            raise RuntimeError("the presence gate needs the hyperscan wheel")
        flags = int(_hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_SINGLEMATCH)
        exprs: list[bytes] = []
        ids: list[int] = []
        for i, p in enumerate(patterns):
            expr = prefilter_expression(p).encode("utf-8")
            if trial_compile(expr, flags) is not None:
                exprs.append(expr)
                ids.append(i)
        self._db: Any = None
        if ids:
            try:
                self._db = compile_database(exprs, ids, [flags] * len(ids))
            except _hs.error:  # together too large: cover nothing rather than guess
                ids = []
        #: per pattern: whether the gate covers it
        self.covers = [False] * len(patterns)
        for i in ids:
            self.covers[i] = True
        self._uncovered = [i for i, cov in enumerate(self.covers) if not cov]
        self._local = threading.local()

    def scan(self, data: bytes) -> list[int]:
        """The patterns (ascending indexes) that may match ``data`` (ASCII bytes) or are not covered."""
        seen = self._uncovered.copy()
        if self._db is None:
            return seen
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:  # one per thread: a scan needs its own while it runs
            scratch = self._local.scratch = _hs.Scratch(self._db)
        self._db.scan(data, match_event_handler=_on_present, context=seen, scratch=scratch)
        seen.sort()  # reported in order of match end; the engine keeps the catalog's order
        return seen
