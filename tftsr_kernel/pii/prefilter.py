"""A structural prefilter: one Hyperscan pass with every detector's own pattern, telling the engine
where each detector can match, so the exact matcher (RE2 or ``re``) runs only there.

Literal hints (:mod:`tftsr_kernel.pii.triggers`) cannot gate detectors without a literal (IPv4, MAC,
IBAN, phone and card numbers) and gate keyword detectors poorly (``key``, ``user`` occur everywhere).
Hyperscan instead matches the detectors' patterns themselves, all at once, and reports every match
end; with ``HS_FLAG_SOM_LEFTMOST`` it also reports the leftmost start of a match ending there, so
every match of a pattern lies inside one reported ``[start, end]`` and the exact matcher, run only in
those stretches, finds exactly the matches a whole-text pass finds. A pattern that Hyperscan cannot
compile with start-of-match falls back to prefilter mode (a superset of the pattern, end offsets
only) and a window of its maximum width -- or its ``reach`` when unbounded -- before each end; a
pattern that cannot compile at all is not covered (the engine then uses the hints, or one pass).

A detector whose reports are dense (most of the text would be searched anyway) is switched to
"presence only" (``HS_FLAG_SINGLEMATCH``, one report): the engine then runs it over the whole text
when present and skips it when absent, and the flood of reports no longer costs a callback each.

A leading run (``[class]+``) is matched at its minimum length and a trailing one by its first character
only (none when the run may be empty), and the engine extends each reported window back or forward
over the run: following every character of a run costs Hyperscan a report (trailing) or start-of-match
state (leading) each, and counting a trailing run up to its minimum made the pass dearer too (measured on
logs: 6.4 against 5.9 ms/MB). A bounded pattern's trailing
``(...){m,n}`` and optional groups are matched at their minimum, and its windows reach past each
reported end as far as the whole pattern can.

A catalog pattern with a core (:data:`tftsr_kernel.pii.catalog.CORES`: a cheaper pattern every match
holds a match of) is scanned for by its core, in prefilter mode, with windows as wide as the pattern
either side of each end.

A pattern with a hand-written C++ finder (:mod:`tftsr_kernel.pii.native`, ``finders.cpp``) is left out of
Hyperscan (mode :data:`WHOLE`): the engine runs its finder over the whole text. A finder reads little of the
text (``memchr`` for a required byte, probes, SIMD bitmasks of the pattern's structure), so it costs less over
the whole text than its pattern's share of the Hyperscan scan and of the windows and reports. Measured on the dev
logs (ms/MB, the prefilter's scan with callbacks, against the finder over the whole text): IBAN 0.97 against
0.30, IPv6 0.73 against 0.48, MAC 0.46 against 0.29, NANP phone numbers 0.35 against 0.27; the dense ones with a
finder (IPv4, host names, card numbers, user names) ran over the whole text anyway, and the presence scan they
kept running cost 0.42. Without the native parts every pattern stays.

Only pure-ASCII text is prefiltered (its byte and character offsets agree, and Hyperscan's case
folding equals RE2's and ``re``'s there); other text takes the engine's hint path.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from tftsr_kernel.pii import native
from tftsr_kernel.pii.backend import min_width, pattern_widths
from tftsr_kernel.pii.catalog import CORES
from tftsr_kernel.pii.hscache import compile_database, trial_compile
from tftsr_kernel.pii.triggers import HAVE_HYPERSCAN, windows

_hs: Any = None
if HAVE_HYPERSCAN:  # pragma: no branch
    import hyperscan as _hs

_NAMED = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
# a leading boundary the catalog writes as a consumed character (RE2 has no look-around):
# ``(?:^|[^A-Za-z0-9_])``. Matching it costs Hyperscan dearly (almost any character starts a match,
# and start-of-match tracking follows each), so the prefilter drops it and widens each window by one
# character. A trailing boundary stays: it ends a token's run of reports at the token's end.
_LEAD = re.compile(r"^((?:\(\?[a-z]+\))?)\(\?:\^\|\[\^(?:\\.|[^\]\\])*\]\)")
#: how far a window reaches before a reported start (the dropped boundary character) and after an end
MARGIN = 1


# a trailing run ``[class]{n,}`` or ``[class]+``, then at most a run of base64 padding (``={0,3}``, ``=?``,
# ``=*``), then only closing parentheses: Hyperscan would report at every character of the run (a flood of
# callbacks); the prefilter matches just ``[class]{n}`` and the engine extends each window over the run.
_RUN_TAIL = re.compile(r"(\[(?:\\.|[^\]\\])+\])(?:\{([0-9]+),\}|\+)((?:=\{0,[0-9]\}|=\?|=\*)?)(\)*)$")
_FLAG_GROUP = re.compile(r"\(\?[a-zA-Z]")


def _ascii_table(cls: str, ignore_case: bool) -> bytes:
    """128 bytes, 1 where the ASCII character is in the character class ``cls``."""
    rx = re.compile(cls, re.IGNORECASE if ignore_case else 0)
    return bytes(1 if rx.fullmatch(chr(i)) else 0 for i in range(128))


class RunTail:
    """Where a match whose trailing run the prefilter cut short can end: past the run of ``cls``
    that starts at the reported end, then past any run of ``=`` when the pattern allows one
    (``padding``), plus ``extra`` characters (the dropped bounded suffix)."""

    __slots__ = ("run", "extra", "spec")

    def __init__(self, cls: str, extra: int, ignore_case: bool, *, padding: bool = False) -> None:
        self.run = re.compile(cls + "*" + ("=*" if padding else ""), re.IGNORECASE if ignore_case else 0)
        self.extra = extra
        #: what the C++ reports read (the text is ASCII where the prefilter runs): the class as a table
        self.spec = (_ascii_table(cls, ignore_case), padding, extra)

    def end(self, text: str, at: int) -> int:
        m = self.run.match(text, at)
        return (m.end() if m else at) + self.extra


def _run_start(cls: str, least: str | None) -> str:
    """What the prefilter matches of a trailing run of ``cls`` at least ``least`` long (``None``: ``+``):
    its first character, or nothing when it may be empty. Any longer start would only narrow the reports
    (the window extends over the whole run anyway) and made the scan dearer (see the module docstring)."""
    return cls + ("{0}" if least == "0" else "")


def cut_run_tail(expr: str) -> tuple[str, RunTail] | None:
    """``expr`` with its trailing run shortened to one character (see ``_RUN_TAIL``), or ``None``."""
    m = _RUN_TAIL.search(expr)
    if not m:
        return None
    flags = re.match(r"\(\?i\)", expr)
    if _FLAG_GROUP.search(expr, flags.end() if flags else 0):
        return None  # scoped flags could change what the class means at the end: leave it whole
    cls, least, suffix, closing = m.groups()
    cut = expr[:m.start()] + _run_start(cls, least) + closing
    extra = int(suffix[4]) if suffix.startswith("={") else int(suffix == "=?")
    return cut, RunTail(cls, extra, flags is not None, padding=suffix == "=*")


# a branch's trailing run: ``[class]{n,}`` or ``[class]+`` at its end
_BRANCH_RUN = re.compile(r"(\[(?:\\.|[^\]\\])+\])(?:\{([0-9]+),\}|\+)$")


def _branches(body: str) -> list[str]:
    """``body`` split at its top-level ``|`` (not inside a group or a character class)."""
    out: list[str] = []
    depth, start, i, n = 0, 0, 0, len(body)
    while i < n:
        c = body[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(body, i)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(body[start:i])
            start = i + 1
        i += 1
    out.append(body[start:])
    return out


def cut_branch_tails(expr: str) -> tuple[str, RunTail] | None:
    """``expr`` whose last group is an alternation of branches that each end in a run, every run cut to
    one character (a run inside an alternation would be reported at every character, as a trailing one);
    windows extend over any character of the runs' classes. ``None`` when ``expr`` has another shape."""
    flags = re.match(r"\(\?i\)", expr)
    if _FLAG_GROUP.search(expr, flags.end() if flags else 0) or not expr.endswith(")"):
        return None
    opened = _group_starts(expr).get(len(expr) - 1)
    if opened is None or not expr.startswith("(?:", opened):
        return None
    branches = _branches(expr[opened + 3:-1])
    runs = [_BRANCH_RUN.search(b) for b in branches]
    if len(branches) < 2 or not all(runs):
        return None
    cut = [b[:m.start()] + _run_start(m.group(1), m.group(2)) for b, m in zip(branches, runs, strict=True) if m]
    ignore_case = flags is not None
    chars = set()
    for m in runs:
        if m:
            rx = re.compile(m.group(1), re.IGNORECASE if ignore_case else 0)
            chars |= {chr(i) for i in range(128) if rx.fullmatch(chr(i))}  # the text prefiltered is ASCII
    union = "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"
    return expr[:opened] + "(?:" + "|".join(cut) + ")", RunTail(union, 0, ignore_case)


# a leading run ``[class]+`` or ``[class]{n,}`` (after global flags and opening non-capturing groups):
# start-of-match tracking follows every character of such a run (e-mail's local part: a dear pass);
# the prefilter matches just ``[class]{n}`` there and the engine extends each window back over the run.
_RUN_HEAD = re.compile(r"^((?:\(\?[a-z]+\))?)((?:\(\?:)*)(\[(?:\\.|[^\]\\])+\])(?:\{([0-9]+),\}|\+)")
_QUANTIFIER = frozenset("*+?{")


def _class_end(expr: str, i: int) -> int:
    """The index of the ``]`` closing the character class that opens at ``expr[i]`` (``len`` if none);
    a ``]`` right after ``[`` or ``[^`` is a member, not the end."""
    n = len(expr)
    i += 1
    if i < n and expr[i] == "^":
        i += 1
    if i < n and expr[i] == "]":
        i += 1
    while i < n and expr[i] != "]":
        i += 2 if expr[i] == "\\" else 1
    return i


def _group_end(expr: str, i: int) -> int:
    """The index just past the group opening at ``expr[i]`` (``-1`` when it never closes)."""
    return next((close + 1 for close, start in _group_starts(expr).items() if start == i), -1)


class RunHead:
    """Where a match whose leading run the prefilter cut short can start: back over the run of
    ``cls`` that ends at the reported start (text is ASCII where the prefilter runs)."""

    __slots__ = ("chars", "table")

    def __init__(self, cls: str, ignore_case: bool) -> None:
        self.table = _ascii_table(cls, ignore_case)  # what the C++ reports read
        self.chars = frozenset(chr(i) for i in range(128) if self.table[i])

    def start(self, text: str, at: int) -> int:
        chars = self.chars
        while at > 0 and text[at - 1] in chars:
            at -= 1
        return at


def cut_run_head(expr: str) -> tuple[str, RunHead] | None:
    """``expr`` with its leading run shortened to its minimum (see ``_RUN_HEAD``), or ``None`` when it
    has none or the run sits in a repeated group (shortening it there would change what matches)."""
    m = _RUN_HEAD.match(expr)
    if not m:
        return None
    flags, groups, cls, least = m.groups()
    at = len(flags)
    for _ in range(len(groups) // 3):
        end = _group_end(expr, at)
        if end < 0 or expr[end:end + 1] in _QUANTIFIER:
            return None
        at += 3
    cut = flags + groups + cls + ("{" + least + "}" if least else "") + expr[m.end():]
    return cut, RunHead(cls, "i" in flags)


def _group_starts(expr: str) -> dict[int, int]:
    """Per closing parenthesis (index): where its group opens."""
    out: dict[int, int] = {}
    stack: list[int] = []
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(expr, i)
        elif c == "(":
            stack.append(i)
        elif c == ")" and stack:
            out[i] = stack.pop()
        i += 1
    return out


_BOUNDED = re.compile(r"\{([0-9]+),([0-9]+)\}$")


def cut_bounded_tail(expr: str) -> str | None:
    """``expr`` with its optional trailing groups dropped and a trailing ``(...){m,n}`` matched ``m``
    times: every match of ``expr`` starts with a match of the result. ``None`` when nothing is cut."""
    closing = len(expr) - len(expr.rstrip(")"))
    body = expr[:len(expr) - closing]
    starts = _group_starts(expr)
    changed = False
    while True:
        if body.endswith(")?") and len(body) - 2 in starts:
            body = body[:starts[len(body) - 2]]
            changed = True
            continue
        m = _BOUNDED.search(body)
        if m and m.start() > 0 and body[m.start() - 1] == ")" and m.start() - 1 in starts:
            least, most = int(m.group(1)), int(m.group(2))
            if least == 0:
                body = body[:starts[m.start() - 1]]
                changed = True
                continue
            if least < most:
                body = body[:m.start()] + "{" + str(least) + "}"
                changed = True
        break
    if not changed or not body.strip("(?:)"):
        return None
    return body + ")" * closing


def prefilter_expression(pattern: str) -> str:
    """The pattern Hyperscan runs: no named groups, no consumed boundary character in front. Every
    match of ``pattern`` holds a match of this one that starts at most :data:`MARGIN` later."""
    expr = _NAMED.sub("(?:", pattern)
    return _LEAD.sub(r"\1", expr) or expr


#: a start-of-match pattern whose own compile takes this many times the median one's gets a database of
#: its own (a host name's long alternation: next to the others, a rebuild took seconds) -- unless its
#: trailing run was cut and the rest is bounded: then it is matched by end, without start-of-match
#: tracking, in the main database (a keyword pattern's own database was one more pass over the text:
#: 1.06 ms/MB alone, 0.15 inside the main one)
SOLO_COMPILE = 10
#: ... and at least this many seconds: trial compiles of tens of milliseconds vary with the machine's load
#: (they run side by side), and a keyword pattern's 26 ms (7.6 times the median) crossed the ratio in one
#: run and not in another; inside the main database it scans fastest (4.36 against 4.57 ms/MB by end)
SOLO_SECONDS = 0.25

#: modes of a covered pattern
SOM = "som"          # reports (leftmost start, end)
ENDS = "ends"        # prefilter mode: reports ends of a superset of the pattern
PRESENCE = "single"  # one report at most: present or absent
#: mode of a pattern left out of Hyperscan: a native finder searches the whole text (see the module docstring)
WHOLE = "whole"


def max_width(pattern: str) -> int | None:
    """The longest match of ``pattern`` in characters, or ``None`` when unbounded or unknown."""
    widths = pattern_widths(pattern)
    return None if widths is None or widths[1] > 1 << 20 else widths[1]  # unbounded repeats count as MAXREPEAT


class Reports:
    """One scan's reports per pattern (by index), kept as flat ``[start, end, ...]`` in Hyperscan's order, and
    the windows the engine searches around them. An instance is Hyperscan's match handler. The C++ twin
    (``native.matcher.Reports``, used when built) is the same without a Python call per report."""

    def __init__(self, n: int) -> None:
        self._hits: list[list[int]] = [[] for _ in range(n)]

    def __call__(self, idx: int, start: int, end: int, _flags: int, _context: object) -> None:
        out = self._hits[idx]
        out.append(start)
        out.append(end)

    def count(self, i: int) -> int:
        return len(self._hits[i]) // 2

    def flat(self, i: int) -> list[int]:
        return list(self._hits[i])

    def som_regions(self, i: int, data: bytes, tail: RunTail | None, head: RunHead | None, n: int,
                    margin: int) -> tuple[list[tuple[int, int]], int]:
        """:func:`som_windows` over pattern ``i``'s reports (which it must have), their ends carried over
        the trailing run ``tail`` and their starts back over the leading run ``head`` that the prefilter
        cut short, in the ASCII text ``data``; and how many characters the windows cover."""
        found = self._hits[i].copy()
        if tail is not None or head is not None:
            text = data.decode("ascii")
            if tail is not None:
                found[1::2] = [tail.end(text, e) for e in found[1::2]]
            if head is not None:
                found[0::2] = [head.start(text, s) for s in found[0::2]]
        regions = som_windows(found, n, margin)
        return regions, sum(e - s for s, e in regions)

    def end_regions(self, i: int, back: int, forward: int, n: int, data: bytes | None = None,
                    tail: RunTail | None = None) -> tuple[list[tuple[int, int]], int]:
        """:func:`~tftsr_kernel.pii.triggers.windows` around pattern ``i``'s reported ends, and how many
        characters they cover. With ``tail`` (the prefilter matched only the first character of a trailing
        run), each window reaches from ``back`` before an end to ``forward`` past the run's end in ``data``."""
        ends = self._hits[i][1::2]
        if tail is None:
            regions = windows(ends, back, forward, n)
        else:
            if data is None or not ends:
                raise ValueError("a tail needs the text and at least one report")
            text = data.decode("ascii")
            regions = som_windows([x for e in ends for x in (e - back if e > back else 0, tail.end(text, e) + forward)],
                                  n, 0)
        return regions, sum(e - s for s, e in regions)


def new_reports(n: int) -> Reports:
    """An empty set of reports for ``n`` patterns: the C++ one when built."""
    return native.matcher.Reports(n) if native.matcher is not None else Reports(n)


def _on_presence(idx: int, start: int, end: int, flags: int, ctx: tuple[Reports, list[int]]) -> bool:
    reports, want = ctx
    if reports.count(idx):
        return False
    reports(idx, start, end, flags, None)
    want[0] -= 1
    return want[0] <= 0  # all seen: stop the scan


def _compiles(expr: bytes, flags: int, took: list[float] | None = None) -> bool:
    seconds = trial_compile(expr, flags)
    if seconds is None:
        return False
    if took is not None:
        took.append(seconds)
    return True


@dataclass(frozen=True)
class _Plan:
    """How the prefilter covers one pattern (see :func:`_plan`)."""

    mode: str | None
    expr: bytes
    tail: RunTail | None = None
    head: RunHead | None = None
    reach: tuple[int, int] | None = None
    took: float | None = None  # the start-of-match compile's seconds
    cut: str | None = None  # a start-of-match expression whose trailing run was cut


def _plan(p: str, bounded: bool, by_finder: bool) -> _Plan:
    """How Hyperscan can cover pattern ``p`` (of bounded width or not): its mode, expression, cut runs and reach;
    not at all when a native finder searches it (``by_finder``: mode :data:`WHOLE`)."""
    if by_finder:
        return _Plan(WHOLE, b"")
    mode: str | None = None
    tail: RunTail | None = None
    expr = b""
    reach: tuple[int, int] | None = None
    som_cut: str | None = None
    core = Prefilter._core(p) if bounded else None
    if core is not None:
        mode, (reach, expr) = ENDS, core
    stripped = prefilter_expression(p)
    cut = None if bounded else cut_branch_tails(stripped) or cut_run_tail(stripped)
    took: list[float] = []
    if cut is not None and _compiles(cut[0].encode("utf-8"), _hs.HS_FLAG_SOM_LEFTMOST, took):
        expr, mode, tail, som_cut = cut[0].encode("utf-8"), SOM, cut[1], cut[0]
    for expr in () if mode else dict.fromkeys((stripped.encode("utf-8"), _NAMED.sub("(?:", p).encode("utf-8"))):
        if not bounded and _compiles(expr, _hs.HS_FLAG_SOM_LEFTMOST, took):
            mode = SOM  # start of match is dearer to track: only where the width is unbounded
        elif _compiles(expr, _hs.HS_FLAG_PREFILTER):
            mode = ENDS
        if mode:
            break
    head: RunHead | None = None
    if mode == ENDS and bounded and core is None:
        reach, expr = Prefilter._cut_ends(p, expr)
    if mode == SOM:
        cut_head = cut_run_head(expr.decode("utf-8"))
        if cut_head is not None and _compiles(cut_head[0].encode("utf-8"), _hs.HS_FLAG_SOM_LEFTMOST, took):
            expr, head = cut_head[0].encode("utf-8"), cut_head[1]
    return _Plan(mode, expr, tail, head, reach, took[-1] if mode == SOM and took else None, som_cut)


class Prefilter:
    """Per pattern (by index), where it can match in an ASCII text: see the module docstring."""

    def __init__(self, patterns: Sequence[str], bounded_width: Sequence[bool],
                 whole: Sequence[bool] | None = None) -> None:
        """``whole``: per pattern, whether a native finder searches it over the whole text (mode :data:`WHOLE`)."""
        if not HAVE_HYPERSCAN:
            raise RuntimeError("the structural prefilter needs the hyperscan wheel")
        self._exprs: list[bytes | None] = []
        self.modes: list[str | None] = []
        #: per pattern: how to extend a reported end over a trailing run the prefilter cut short
        self.tails: list[RunTail | None] = []
        #: per pattern: how to extend a reported start back over a leading run the prefilter cut short
        self.heads: list[RunHead | None] = []
        #: per ``ends`` pattern whose bounded tail the prefilter cut short, that has a core or whose trailing
        #: run was cut (``tails``): how far a window reaches back from and forward past a reported end
        self.reach: list[tuple[int, int] | None] = []
        #: patterns compiled in a database of their own (start-of-match tracking slow to compile)
        self._solo: set[int] = set()
        # each pattern's choice compiles it alone (a trial, cached on disk); Hyperscan compiles without the
        # GIL, so on a first run the trials of different patterns run side by side
        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
            plans = list(pool.map(_plan, patterns, bounded_width, whole or [False] * len(patterns)))
        som_took: dict[int, float] = {}
        som_cuts: dict[int, str] = {}  # start-of-match patterns whose trailing run was cut: the expression
        for i, plan in enumerate(plans):
            self.heads.append(plan.head)
            self.reach.append(plan.reach)
            self._exprs.append(plan.expr if plan.mode not in (None, WHOLE) else None)
            self.modes.append(plan.mode)
            self.tails.append(plan.tail)
            if plan.took is not None:
                som_took[i] = plan.took
            if plan.cut is not None:
                som_cuts[i] = plan.cut
        if som_took:
            median = sorted(som_took.values())[len(som_took) // 2]
            self._solo = {i for i, t in som_took.items() if t > SOLO_COMPILE * median and t >= SOLO_SECONDS}
        for i in sorted(self._solo):  # by end where the run was cut: one pass less (see SOLO_COMPILE)
            by_end = self._tail_ends(som_cuts.get(i))
            if by_end is not None:
                self._exprs[i], self.reach[i] = by_end
                self.modes[i], self.heads[i] = ENDS, None
                self._solo.discard(i)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._state: tuple[tuple[tuple[Any, bool], ...], tuple[str | None, ...]] = ((), ())
        self._built: dict[tuple[tuple[int, str | None], ...], Any] = {}
        self._build()

    @staticmethod
    def _core(pattern: str) -> tuple[tuple[int, int], bytes] | None:
        """The window reach and expression of a bounded pattern's core (see the module docstring), or
        ``None`` when it has none or the core does not compile."""
        core = CORES.get(pattern)
        full = max_width(pattern)
        if core is None or full is None:
            return None
        least = min_width(core)
        if least is None or not _compiles(core.encode("utf-8"), _hs.HS_FLAG_PREFILTER):
            return None
        # a match [ms, me] of the pattern (me - ms <= full) holds a match [s1, e] of the core, e - s1 >= least:
        # ms >= me - full >= e - full and me <= ms + full <= e - least + full
        return (full + MARGIN, full - least + MARGIN), core.encode("utf-8")

    @staticmethod
    def _tail_ends(cut: str | None) -> tuple[bytes, tuple[int, int]] | None:
        """A pattern matched by start and end whose trailing run was cut (``cut``), matched by end instead: the
        expression and its windows' reach back from a reported end (past it, the run's end is read off the
        text); ``None`` when the cut part is unbounded or does not compile so."""
        width = None if cut is None else max_width(cut)
        if cut is None or width is None or not _compiles(cut.encode("utf-8"), _hs.HS_FLAG_PREFILTER):
            return None
        # a match [ms, me] holds a match of the cut part [s1, e], ms <= s1 <= ms + MARGIN (a dropped leading
        # boundary) and e - s1 <= width; it ends within the run that starts at e - 1 (RunTail.end)
        return cut.encode("utf-8"), (width + MARGIN, MARGIN)

    @staticmethod
    def _cut_ends(pattern: str, expr: bytes) -> tuple[tuple[int, int] | None, bytes]:
        """A shorter expression for an ``ends`` pattern (see :func:`cut_bounded_tail`) and its window
        reach: a bounded run at the end costs Hyperscan a report per character and states per count."""
        cut = cut_bounded_tail(expr.decode("utf-8"))
        full = max_width(pattern)
        if cut is None or full is None:
            return None, expr
        most, least = max_width(cut), min_width(cut)
        if most is None or least is None or not _compiles(cut.encode("utf-8"), _hs.HS_FLAG_PREFILTER):
            return None, expr
        # a match [ms, me] of the pattern (me <= ms + full) starts with a match [s1, e] of the cut,
        # ms <= s1 <= ms + MARGIN (a dropped leading boundary): ms >= e - most - MARGIN, me <= e - least + full
        return (most + MARGIN, full - least + MARGIN), cut.encode("utf-8")

    def _flags(self, mode: str) -> int:
        if mode == SOM:
            return int(_hs.HS_FLAG_SOM_LEFTMOST)
        if mode == ENDS:
            return int(_hs.HS_FLAG_PREFILTER)
        return int(_hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_SINGLEMATCH)

    def _build(self) -> None:
        # Several databases: patterns reporting where they match, apart from presence-only ones, and
        # a pattern slow to compile on its own (a long alternation tracking start of match: host
        # names) in a database of its own. Mixing them can make Hyperscan's compile far slower (a
        # second or more, measured), and each switch to presence-only rebuilds. The presence scan
        # stops as soon as every such pattern was seen.
        groups: list[tuple[list[int], bool]] = []
        windowed = [i for i, m in enumerate(self.modes) if m in (SOM, ENDS)]
        groups.append(([i for i in windowed if i not in self._solo], False))
        groups += [([i], False) for i in windowed if i in self._solo]
        groups.append(([i for i, m in enumerate(self.modes) if m == PRESENCE], True))
        dbs: list[tuple[Any, bool]] = []
        built: dict[tuple[tuple[int, str | None], ...], Any] = {}
        for ids, presence in groups:
            if not ids:
                continue
            key = tuple((i, self.modes[i]) for i in ids)
            db = self._built.get(key)  # a group a switch left unchanged is not compiled again
            if db is None:
                try:
                    db = compile_database([self._exprs[i] or b"" for i in ids], ids,
                                          [self._flags(self.modes[i] or ENDS) for i in ids])
                except _hs.error:  # together too large: cover nothing rather than guess
                    self.modes = [None] * len(self.modes)
                    self._state = ((), tuple(self.modes))
                    return
            built[key] = db
            dbs.append((db, presence))
        self._built = built
        self._state = (tuple(dbs), tuple(self.modes))  # one assignment: a scan sees databases and modes

    def covered(self, i: int) -> bool:
        return self.modes[i] is not None

    def scan(self, data: bytes) -> tuple[Reports, tuple[str | None, ...]]:
        """The reports per pattern (start is 0 in ``ends`` and presence modes), and the modes they were
        found under."""
        dbs, modes = self._state
        hits = new_reports(len(modes))
        local = self._local
        if getattr(local, "dbs", None) is not dbs:
            local.scratches = [_hs.Scratch(db) for db, _ in dbs]
            local.dbs = dbs
        for (db, presence), scratch in zip(dbs, local.scratches, strict=True):
            if not presence:
                db.scan(data, match_event_handler=hits, scratch=scratch)
                continue
            want = [sum(1 for m in modes if m == PRESENCE)]
            with contextlib.suppress(_hs.ScanTerminated):  # raised when every one of them was seen
                db.scan(data, match_event_handler=_on_presence, context=(hits, want), scratch=scratch)
        return hits, modes

    def make_presence_only(self, indexes: Sequence[int]) -> None:
        """Report only presence for these patterns from now on (their reports were too dense)."""
        with self._lock:
            change = [i for i in indexes if self.modes[i] in (SOM, ENDS)]
            if not change:
                return
            for i in change:
                self.modes[i] = PRESENCE
            self._build()


def som_windows(found: list[int], n: int, margin: int = MARGIN) -> list[tuple[int, int]]:
    """Merge ``[start - margin, end + margin]`` (clamped to ``[0, n]``) over the pairs of a flat
    ``[start, end, ...]`` list into sorted disjoint regions."""
    pairs = sorted(zip(found[0::2], found[1::2], strict=True))
    out: list[tuple[int, int]] = []
    cur_s, cur_e = max(pairs[0][0] - margin, 0), min(pairs[0][1] + margin, n)
    for s, e in pairs:
        s = s - margin if s > margin else 0
        e = e + margin if e + margin < n else n
        if s <= cur_e:
            if e > cur_e:
                cur_e = e
            continue
        out.append((cur_s, cur_e))
        cur_s, cur_e = s, e
    out.append((cur_s, cur_e))
    return out
