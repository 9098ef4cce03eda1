"""The scan engine: a registry of detectors, one compiled matcher per detector, a literal trigger pass,
exact confirmation by validators, and longest-span-wins overlap resolution.

Why this shape (measured by ``python -m bench pii``): RE2 runs each pattern as a DFA over UTF-8 bytes,
so a pattern costs one linear pass with no backtracking. Most detectors require a literal (their
``hints``: ``akia``, ``ghp_``, ``password``, ``@`` ...): one trigger pass (Hyperscan when installed,
else ``find`` per literal) finds every hint occurrence, and a hinted detector then runs only in
windows of ``reach`` characters around them -- or not at all. Python ``re`` is the fallback when
google-re2 is missing.

On long ASCII texts with Hyperscan installed, a structural prefilter (:mod:`.prefilter`) replaces
the hints: one Hyperscan pass runs every detector's own pattern and says where each can match, so
detectors without a literal (IPv4, MAC, IBAN, phone and card numbers) and keyword detectors are
gated too; a detector whose matches are dense over the text seen so far runs over the whole text
when present, and one with a native finder (C++, it reads little of the text) runs over the whole text
outside the Hyperscan pass. Both gates only skip text where a detector cannot match: results equal a plain
whole-text pass (tests compare them on random texts).

A short ASCII text (a log line, a DataFrame cell) pays a fixed cost per detector; with Hyperscan
installed, a presence gate (:mod:`.gate`, one scan with every pattern as a superset) names the
detectors that may match it, and only those run. DataFrames are scanned in blocks of cells
(:mod:`.frames`).
"""

from __future__ import annotations

import bisect
import contextlib
import operator
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from tftsr_kernel.pii import native, triggers
from tftsr_kernel.pii.backend import Compiled, PreparedText
from tftsr_kernel.pii.catalog import DEFAULT_DETECTORS, Detector
from tftsr_kernel.pii.gate import PresenceGate
from tftsr_kernel.pii.gcpause import collector_paused
from tftsr_kernel.pii.prefilter import ENDS, MARGIN, PRESENCE, SOM, WHOLE, Prefilter, Reports, max_width
from tftsr_kernel.pii.spans import Finding, Span, value_hash
from tftsr_kernel.pii.triggers import TriggerFinder, windows
from tftsr_kernel.pii.validators import VALIDATORS, Check, shannon_entropy

_TYPE_NAME = re.compile(r"[A-Z][A-Z0-9_]{1,39}")
#: hints shorter than this (``@``, ``:``, ``+``) occur everywhere in logs: they gate the whole text only
_MIN_TRIGGER = 2
#: searching one window costs about as much as scanning this many bytes (a matcher call from Python)
_WINDOW_COST = 256
#: a prefilter report costs about as much as scanning this many bytes (Hyperscan's call of its handler)
_REPORT_COST = 128
#: characters scanned per streaming chunk (each is scanned with ``Scanner.OVERLAP`` more on either side:
#: 1.6% of a chunk this size; 6% at 1 MB, measured 4% slower end to end)
CHUNK = 1 << 22
#: value hashes remembered per scanner (a value recurs across lines and chunks)
_HASH_MEMO = 1 << 16


class Registry:
    """The catalog the engine receives: detectors by name, in a stable order."""

    def __init__(self, detectors: Iterable[Detector] = DEFAULT_DETECTORS) -> None:
        self._detectors: dict[str, Detector] = {}
        for d in detectors:
            self.add(d)

    def add(self, detector: Detector, *, replace: bool = False) -> None:
        if not _TYPE_NAME.fullmatch(detector.type):
            raise ValueError(f"type names are upper-case words like EMAIL, got {detector.type!r}")
        if detector.validator is not None and detector.validator not in VALIDATORS:
            raise ValueError(f"detector {detector.name!r} names an unknown validator {detector.validator!r}")
        if detector.name in self._detectors and not replace:
            raise ValueError(f"a detector named {detector.name!r} is already registered")
        self._detectors[detector.name] = detector

    def remove_types(self, types: Iterable[str]) -> None:
        drop = set(types)
        self._detectors = {n: d for n, d in self._detectors.items() if d.type not in drop}

    def __iter__(self) -> Iterator[Detector]:
        return iter(self._detectors.values())

    def __len__(self) -> int:
        return len(self._detectors)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d.type for d in self))

    def copy(self) -> Registry:
        return Registry(self)


@dataclass(frozen=True)
class _Compiled:
    detector: Detector
    matcher: Compiled
    check: Check | None
    hints: tuple[str, ...]
    allow: tuple[Compiled, ...]
    allow_match: tuple[Compiled, ...]
    allow_line: tuple[Compiled, ...]
    gated: bool  # hints are usable triggers: run only in windows around them
    keywords: bool  # hints that need only be somewhere in the text (gitleaks and profile keywords)
    native_check: int  # the C++ validator that stands in for ``check`` when it is all that filters, else 0

    @property
    def filtered(self) -> bool:
        """Whether candidates need more than the pattern: a validator, an entropy floor or allowlists."""
        return bool(self.check is not None or self.detector.min_entropy or self.allow or self.allow_match
                    or self.allow_line)

    @property
    def check_only(self) -> bool:
        """Whether a validator is all that filters candidates (no entropy floor, no allowlist): the fast loop."""
        return not (self.detector.min_entropy or self.allow or self.allow_match or self.allow_line)


def _checked(check: Check, text: str, raw: list[tuple[int, int]], prio: int, type_: str,
             name: str) -> list[tuple[int, int, int, str, str]]:
    """Candidates for the values a validator keeps (with the bounds it returns, when not empty)."""
    out: list[tuple[int, int, int, str, str]] = []
    append = out.append
    for s, e in raw:
        b = check(text, s, e)
        if b is not None and b[0] < b[1]:
            append((b[0], b[1], prio, type_, name))
    return out


_START = operator.itemgetter(0)


def _greedy(group: list[tuple[int, int, int, str, str]]) -> list[tuple[int, int, int, str, str]]:
    """Longest first (ties: lower priority value, then earlier), skipping any that overlaps a kept one."""
    group.sort(key=lambda c: (c[0] - c[1], c[2], c[0], c[3]))
    starts: list[int] = []
    ends: list[int] = []
    kept: list[tuple[int, int, int, str, str]] = []
    for c in group:
        s, e = c[0], c[1]
        i = bisect.bisect_right(starts, s)
        if i > 0 and ends[i - 1] > s:
            continue
        if i < len(starts) and starts[i] < e:
            continue
        starts.insert(i, s)
        ends.insert(i, e)
        kept.append(c)
    return kept


def _resolve(cands: list[tuple[int, int, int, str, str]]) -> list[tuple[int, int, int, str, str]]:
    """Keep the longest of overlapping candidates (ties: lower priority value, then earlier).

    Candidates fall into clusters of transitively overlapping spans; a kept span never overlaps a
    span of another cluster, so the greedy choice runs per cluster (most clusters hold one span).
    Sorting by start alone is enough: a cluster's members do not depend on the order of equal starts,
    and kept spans (disjoint) are ordered by start, as by (start, end, type).
    """
    if native.matcher is not None:  # this and _greedy, _keep_cluster in C++
        return native.matcher.resolve(cands)
    cands.sort(key=_START)  # stable: equal candidates keep the detectors' order, as the greedy ties want
    kept: list[tuple[int, int, int, str, str]] = []
    group: list[tuple[int, int, int, str, str]] = []  # the current cluster, once it has two members
    gend = -1
    for c in cands:
        if c[0] < gend:
            if not group:
                group.append(kept.pop())  # a cluster's first member was kept as if alone
            group.append(c)
            if c[1] > gend:
                gend = c[1]
            continue
        if group:
            _keep_cluster(group, kept)
            group = []
        kept.append(c)
        gend = c[1]
    if group:
        _keep_cluster(group, kept)
    return kept


def _keep_cluster(group: list[tuple[int, int, int, str, str]], kept: list[tuple[int, int, int, str, str]]) -> None:
    """Append what survives of one cluster of overlapping candidates to ``kept`` (in start order)."""
    survivors = _greedy(group)
    survivors.sort(key=_START)
    kept += survivors


class Scanner:
    """Scans text with every detector of a registry. Reusable and thread-safe once built."""

    #: streaming: a span may be at most this long, and sees this much text before it
    OVERLAP = 32768
    #: a stream's first chunk; each next one is twice as long, up to the chunk size. The structural prefilter
    #: learns which detectors are dense from the text seen so far: a short first chunk makes it learn before
    #: a megabyte has been searched in windows (measured: the first 1 MB chunk of a log took 165 ms, the
    #: next ones 25)
    FIRST_CHUNK = 1 << 17
    #: texts shorter than this take the hint path: building the structural prefilter (a Hyperscan
    #: database of every pattern) costs about a second, once per scanner
    PREFILTER_MIN = 1 << 16
    #: ASCII texts shorter than this (bytes) take the presence gate (:mod:`.gate`) when Hyperscan is
    #: installed: one scan names the detectors that may match, and only those run, over the whole text
    SHORT_MAX = 1 << 12
    #: the presence gate is built (a Hyperscan compile, cached on disk) once a scanner has seen this
    #: many short texts: one ``scan_text`` call should not pay for it
    GATE_AFTER = 16

    def __init__(self, registry: Registry | Iterable[Detector] | None = None) -> None:
        reg = registry if isinstance(registry, Registry) else Registry(
            registry if registry is not None else DEFAULT_DETECTORS)
        self.registry = reg
        self._compiled: list[_Compiled] = []
        for d in reg:
            hints = tuple(h.lower() for h in d.hints)
            only_check = not (d.min_entropy or d.allow or d.allow_match or d.allow_line)
            self._compiled.append(_Compiled(
                d, Compiled(d.pattern, d.value_groups), VALIDATORS[d.validator] if d.validator else None,
                hints, tuple(Compiled(a) for a in d.allow), tuple(Compiled(a) for a in d.allow_match),
                tuple(Compiled(a) for a in d.allow_line),
                bool(hints) and d.hints_in_match and all(len(h) >= _MIN_TRIGGER and h.isascii() for h in hints),
                bool(hints) and not d.hints_in_match, native.native_check(d.validator) if only_check else 0))
        self._triggers = TriggerFinder([h for c in self._compiled if c.gated for h in c.hints])
        self._gate = True  # False: every detector over the whole text (the reference the tests compare with)
        #: patterns with a native finder are left out of the structural prefilter's Hyperscan pass (False: kept
        #: in, as without the native parts; the tests of the prefilter's own paths use it)
        self._finders_whole = True
        self.prefilter_min = self.PREFILTER_MIN
        self._prefilter: Prefilter | None = None
        self._prefilter_lock = threading.Lock()
        self._presence: PresenceGate | None = None
        self._short_texts = 0
        self._widths: list[int] = []
        self._hashes: dict[tuple[str, str], str] = {}
        self._pf_cost: list[int] = []
        self._pf_bytes = 0

    def _prefilter_for(self, prepared: PreparedText) -> Prefilter | None:
        """The structural prefilter when it applies to this text (ASCII, long enough, Hyperscan present)."""
        if (not self._gate or not triggers.HAVE_HYPERSCAN or not prepared.ascii or prepared.data is None
                or len(prepared.data) < self.prefilter_min):
            return None
        if self._prefilter is None:
            with self._prefilter_lock:
                if self._prefilter is None:
                    widths = [max_width(c.detector.pattern) for c in self._compiled]
                    self._widths = [c.detector.reach if w is None else w
                                    for c, w in zip(self._compiled, widths, strict=True)]
                    self._prefilter = Prefilter([c.detector.pattern for c in self._compiled],
                                                [w is not None for w in widths],
                                                [self._finders_whole and c.matcher.finds for c in self._compiled])
                    # what windowed search and reports have cost per detector, against the bytes scanned:
                    # a detector is switched to presence-only when it is dense over the text seen so far
                    # (not on one dense stretch of a log)
                    self._pf_cost = [0] * len(self._compiled)
                    self._pf_bytes = 0
        return self._prefilter

    def _presence_in(self, prepared: PreparedText) -> tuple[list[int], list[bool]] | None:
        """The detectors (indexes) that may match this short ASCII text or that the presence gate does
        not cover, and per detector whether it covers it; ``None`` when the gate does not apply."""
        if not self._gate or not triggers.HAVE_HYPERSCAN or not prepared.ascii:
            return None
        data = prepared.data if prepared.data is not None else prepared.text.encode("ascii")
        if len(data) >= self.SHORT_MAX:
            return None
        gate = self._presence
        if gate is None:
            self._short_texts += 1
            if self._short_texts < self.GATE_AFTER:
                return None
            gate = self.presence_gate()
        return gate.scan(data), gate.covers

    def presence_gate(self) -> PresenceGate:
        """The presence gate for short texts, built on first use."""
        if self._presence is None:
            with self._prefilter_lock:
                if self._presence is None:
                    self._presence = PresenceGate([c.detector.pattern for c in self._compiled])
        return self._presence

    @property
    def backends(self) -> dict[str, str]:
        return {c.detector.name: ("re2" if c.matcher.uses_re2 else "re") for c in self._compiled}

    @property
    def prefilter_summary(self) -> str:
        """How the structural prefilter covers the detectors so far (built on the first long ASCII text)."""
        if self._prefilter is None:
            return "structural prefilter: not built"
        modes = self._prefilter.modes
        counts = {m: sum(1 for x in modes if x == m) for m in (SOM, ENDS, PRESENCE, WHOLE)}
        return (f"structural prefilter: {counts[SOM]} windows by start and end, {counts[ENDS]} by end, "
                f"{counts[PRESENCE]} dense (whole text when present), {counts[WHOLE]} whole text by a native "
                f"finder, {modes.count(None)} not covered")

    @property
    def trigger_engine(self) -> str:
        """What finds the hint literals: ``hyperscan`` or ``find``."""
        return self._triggers.engine

    def _candidates(self, text: str, extents: list[tuple[int, list[tuple[int, int, int, int]]]] | None = None
                    ) -> list[tuple[int, int, int, str, str]]:
        """Every detector's confirmed candidates in ``text`` (overlaps not resolved yet); with ``extents``,
        also every match each detector (by index) made, confirmed or not: ``(start, end, value start,
        value end)`` in characters."""
        prepared = PreparedText(text)
        in_bytes = prepared.data is not None
        size = len(prepared.data) if prepared.data is not None else len(text)
        prefilter = self._prefilter_for(prepared)
        pf_hits: Reports | None = None
        pf_modes: tuple[str | None, ...] = ()
        if prefilter is not None and prepared.data is not None:
            pf_hits, pf_modes = prefilter.scan(prepared.data)
        # a short text: the presence gate names the detectors that may match; one pass over the text
        # each (a detector's hints are still required: a gitleaks rule's keywords are part of the rule)
        gated = self._presence_in(prepared) if prefilter is None else None
        compiled = self._compiled
        visit = enumerate(compiled) if gated is None else ((i, compiled[i]) for i in gated[0])
        covers = gated[1] if gated is not None else None
        dense: list[int] = []
        hits: dict[str, list[int]] | None = None
        hits_found = False
        widen = 1 if prepared.ascii or not in_bytes else 4  # reach is in characters; a character is <= 4 bytes
        lower: str | None = None
        out: list[tuple[int, int, int, str, str]] = []
        for i, c in visit:
            regions: list[tuple[int, int]] | None = None
            mode = pf_modes[i] if pf_modes else None
            if mode is not None:
                assert pf_hits is not None and prefilter is not None and prepared.data is not None
                reports = pf_hits.count(i)
                if not reports and mode != WHOLE:
                    continue  # the pattern matches nowhere
                if c.keywords:
                    if lower is None:
                        lower = text.lower()
                    if not any(h in lower for h in c.hints):
                        continue  # a rule's keywords are part of the rule: none is in the text
                if mode in (SOM, ENDS):  # else: over the whole text (PRESENCE, WHOLE)
                    if mode == SOM:  # ends carried over a trailing run the prefilter matched only the start
                        # of, starts back over a leading run it matched the minimum of
                        regions, searched = pf_hits.som_regions(i, prepared.data, prefilter.tails[i],
                                                                prefilter.heads[i], size, MARGIN)
                    else:
                        cut = prefilter.reach[i]
                        back, forward = cut if cut is not None else (self._widths[i], MARGIN)
                        regions, searched = pf_hits.end_regions(i, back, forward, size, prepared.data,
                                                                prefilter.tails[i])
                    search = searched + _WINDOW_COST * len(regions)
                    if search * 2 > size:
                        regions = None  # dense here: one pass over the whole text is cheaper
                    cost = min(search, size) + _REPORT_COST * reports
                    self._pf_cost[i] += cost
                    if self._pf_cost[i] * 2 > self._pf_bytes + size:
                        dense.append(i)  # dense over all text so far: later texts pay no flood of reports
            elif (covers is None or not covers[i]) and self._gate and c.gated and (
                    c.matcher.uses_re2 == in_bytes or prepared.ascii):
                if not hits_found:
                    hits = self._triggers.find(prepared.data if prepared.data is not None else text)
                    hits_found = True
                if hits is not None:
                    found = [hits[h] for h in c.hints if h in hits]
                    if not found:
                        continue
                    positions = found[0] if len(found) == 1 else sorted(p for f in found for p in f)
                    reach = c.detector.reach * widen
                    regions = windows(positions, reach, reach, size)
                    if sum(e - s for s, e in regions) * 2 > size:
                        regions = None  # dense hints: one pass over the whole text is cheaper
            elif c.hints:
                if lower is None:
                    lower = text.lower()
                if not any(h in lower for h in c.hints):
                    continue
            d = c.detector
            if c.native_check and extents is None:  # search and validation in one C++ call
                kept = c.matcher.checked(prepared, regions, c.native_check, (d.priority, d.type, d.name))
                if kept is not None:
                    out += kept
                    continue
            # whole matches (not only values) when an allowlist looks at them
            matched = c.matcher.matches(prepared, regions) if c.allow_match or extents is not None else None
            raw = c.matcher.values(prepared, regions) if matched is None else [(m[2], m[3]) for m in matched]
            if not raw:
                continue
            if c.matcher.uses_re2 and prepared.data is not None and not prepared.ascii:
                conv = prepared.to_chars({o for m in (matched or raw) for o in m})
                raw = [(conv[s], conv[e]) for s, e in raw]
                if matched is not None:
                    matched = [(conv[ms], conv[me], conv[vs], conv[ve]) for ms, me, vs, ve in matched]
            if extents is not None and matched is not None:
                extents.append((i, matched))
            whole = {(vs, ve): (ms, me) for ms, me, vs, ve in matched or ()}  # value -> its whole match
            check = c.check
            name, type_, prio = d.name, d.type, d.priority
            if not c.filtered:
                out += [(s, e, prio, type_, name) for s, e in raw]
                continue
            if c.check_only and check is not None:
                out += _checked(check, text, raw, prio, type_, name)
                continue
            for s, e in raw:
                if c.allow_match:
                    ms, me = whole[(s, e)]
                    if any(a.values(PreparedText(text[ms:me])) for a in c.allow_match):
                        continue
                if check is not None:
                    b = check(text, s, e)
                    if b is None:
                        continue
                    s, e = b
                    if e <= s:
                        continue
                if d.min_entropy and shannon_entropy(text[s:e]) < d.min_entropy:
                    continue
                if c.allow and any(a.values(PreparedText(text[s:e])) for a in c.allow):
                    continue
                if c.allow_line:
                    line_end = text.find("\n", e)
                    line = text[text.rfind("\n", 0, s) + 1:len(text) if line_end < 0 else line_end]
                    if any(a.values(PreparedText(line)) for a in c.allow_line):
                        continue
                out.append((s, e, prio, type_, name))
        if prefilter is not None:
            self._pf_bytes += size
            if dense:
                prefilter.make_presence_only(dense)
        return out

    def scan(self, text: str) -> list[Span]:
        """Every sensitive span of ``text``, overlaps resolved, ordered by (start, end, type)."""
        if not text:
            return []
        # a short text makes few objects: pausing the collector would cost more than it saves
        with collector_paused if len(text) >= self.prefilter_min else contextlib.nullcontext():
            return self._spans(text, _resolve(self._candidates(text)), 0)

    def _spans(self, text: str, found: list[tuple[int, int, int, str, str]], offset: int) -> list[Span]:
        """Spans for resolved candidates, shifted by ``offset``; a value that recurs is hashed once."""
        hashes = self._hashes  # shared by texts and chunks; emptied when full, so memory stays flat
        if len(hashes) > _HASH_MEMO:
            hashes.clear()
        if native.matcher is not None:  # the loop below in C++
            return native.matcher.make_spans(found, text, offset, hashes, Span, value_hash)
        known = hashes.get
        new = tuple.__new__  # a Span is a tuple: built in C, without the checks of Span() (here 0 <= s < e)
        out: list[Span] = []
        append = out.append
        for s, e, _, t, name in found:
            key = (t, text[s:e])
            h = known(key)
            if h is None:
                h = hashes[key] = value_hash(t, key[1])
            append(new(Span, (s + offset, e + offset, t, name, h, None)))
        return out

    def scan_stream(self, reader: TextIO, *, chunk_size: int = CHUNK) -> Iterator[Span]:
        """Scan a text stream of any size in chunks; offsets are into the whole stream.

        Each chunk is scanned together with ``OVERLAP`` characters of text on either side, and only
        spans that *start* inside the chunk are reported, so a span that crosses a chunk boundary
        is reported exactly once, with the same offsets :meth:`scan` would give.
        """
        for buf, buf_start, found, _line in self._stream_chunks(reader, chunk_size, lines=False):
            with collector_paused:
                spans = self._spans(buf, found, buf_start)
            yield from spans

    def scan_stream_lines(self, reader: TextIO, *, chunk_size: int = CHUNK) -> Iterator[tuple[Span, int]]:
        """Like :meth:`scan_stream`, with the 1-based line number of each span's start."""
        for buf, buf_start, found, line in self._stream_chunks(reader, chunk_size):
            lines = _line_numbers(buf, found, line)
            yield from zip(self._spans(buf, found, buf_start), lines, strict=True)

    def scan_stream_found(self, reader: TextIO, *, path: str = "", chunk_size: int = CHUNK) -> Iterator[Finding]:
        """Like :meth:`scan_stream_lines`, as :class:`Finding` records (of ``path``) with their values and
        no value hashes: what a caller that only reports where things are (``tftsr scan``) needs."""
        for buf, buf_start, found, line in self._stream_chunks(reader, chunk_size):
            lines = _line_numbers(buf, found, line)
            for (s, e, _, t, name), at in zip(found, lines, strict=True):
                yield Finding(path, at, s + buf_start, e + buf_start, t, name, buf[s:e])

    def _stream_chunks(self, reader: TextIO, chunk_size: int, *, lines: bool = True) -> Iterator[
            tuple[str, int, list[tuple[int, int, int, str, str]], tuple[int, int]]]:
        """Per chunk: the text held (``buf``, starting at stream offset ``buf_start``), the resolved
        candidates that start in the chunk (offsets into ``buf``), and where the chunk starts as
        ``(offset into buf, its 1-based line number)``: line numbers cost a count per span, so only
        the callers that report them count (:func:`_line_numbers`); without ``lines`` the chunks' own
        newlines are not counted either, and the line number given is 0."""
        ov = self.OVERLAP
        size = min(chunk_size, self.FIRST_CHUNK)  # doubles up to chunk_size (see FIRST_CHUNK)
        buf = ""          # text[buf_start : buf_start + len(buf)]
        buf_start = 0
        core = 0          # global offset where the next core region starts
        line_at_core = 1 if lines else 0  # line number at offset ``core``
        eof = False
        while True:
            want = core + size + ov - (buf_start + len(buf))
            while want > 0 and not eof:
                piece = reader.read(max(want, 65536))
                if not piece:
                    eof = True
                    break
                buf += piece
                want -= len(piece)
            buf_end = buf_start + len(buf)
            core_end = buf_end if eof else min(core + size, buf_end)
            if core_end <= core and eof:
                return
            lo = core - buf_start
            hi = core_end - buf_start
            found: list[tuple[int, int, int, str, str]] = []
            if buf:
                with collector_paused:
                    kept = _resolve(self._candidates(buf))  # in start order
                found = kept[bisect.bisect_left(kept, lo, key=_START):bisect.bisect_left(kept, hi, key=_START)]
            yield buf, buf_start, found, (lo, line_at_core)
            if lines:
                line_at_core += buf.count("\n", lo, hi)
            core = core_end
            size = min(2 * size, chunk_size)
            if eof and core >= buf_end:
                return
            keep_from = max(0, core - ov - buf_start)
            buf = buf[keep_from:]
            buf_start += keep_from


def _line_numbers(buf: str, found: list[tuple[int, int, int, str, str]], at: tuple[int, int]) -> list[int]:
    """The 1-based line number of each candidate's start, counted on from ``at`` = (offset, its line)."""
    pos, line = at
    count = buf.count
    lines: list[int] = []
    append = lines.append
    for c in found:
        line += count("\n", pos, c[0])
        pos = c[0]
        append(line)
    return lines


_DEFAULT: Scanner | None = None


def default_scanner() -> Scanner:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Scanner()
    return _DEFAULT


def scan_text(text: str, *, scanner: Scanner | None = None) -> list[Span]:
    """Detect sensitive spans in ``text`` with the default catalog (or the given scanner)."""
    return (scanner or default_scanner()).scan(text)


# ``scan_dataframe`` lives with the block scanning it uses; importable from here as it always was
from tftsr_kernel.pii.frames import scan_dataframe  # noqa: E402, F401
