"""Regex backends: google-re2 over UTF-8 bytes (linear time, DFA) with Python ``re`` as the fallback.

Catalog patterns are written in the common subset of both syntaxes. A backend compiles one pattern
and yields ``(match_start, match_end, value_start, value_end)`` in *byte* offsets for RE2 and in
*character* offsets for ``re``; :class:`PreparedText` hides the difference.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from typing import Any

from . import native

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


def _whole_group(pattern: str) -> bool:
    """Whether ``pattern`` is one named group ``(?P<v>...)`` around all of it."""
    if not pattern.startswith("(?P<v>"):
        return False
    try:
        from re import _constants, _parser  # type: ignore[attr-defined]

        items = list(_parser.parse(python_syntax(pattern)))
    except (re.error, ImportError, ValueError, TypeError, PatternError):
        return False
    return len(items) == 1 and items[0][0] is _constants.SUBPATTERN and items[0][1][0] == 1


class Edges:
    """Where the value ``v`` lies in a match of ``LEAD(?P<v>BODY)TRAIL``, read from the match itself, so
    RE2 needs no submatch pass (a third of its cost on a dense detector such as host names).

    ``LEAD`` is ``(?:^|[^X]|lit...)``: ``^`` only at the text's start, a literal when the match opens
    with its first character (which ``[^X]`` cannot match), else one character of ``[^X]``. ``TRAIL`` is
    ``(?:[^Y]|$)``: one character, or none at the text's end. Where ``^`` or ``$`` may have matched
    (a match at the start or end of the text) :meth:`value` answers ``None``: ask the grouped pattern."""

    __slots__ = ("begin", "literals", "tail", "end")

    def __init__(self, begin: bool, literals: dict[int, int], tail: bool, end: bool) -> None:
        self.begin = begin  # the lead may be ``^``
        self.literals = literals  # first byte of a literal lead -> its length
        self.tail = tail  # one boundary character follows the value
        self.end = end  # ... or the end of the text

    def value(self, data: bytes, ms: int, me: int) -> tuple[int, int] | None:
        if (ms == 0 and self.begin) or (me == len(data) and self.end):
            return None
        b = data[ms]
        vs = ms + (self.literals.get(b) or (1 if b < 0xC0 else 2 if b < 0xE0 else 3 if b < 0xF0 else 4))
        ve = me
        if self.tail:
            ve -= 1
            while data[ve] & 0xC0 == 0x80:  # back to the first byte of the boundary character
                ve -= 1
        return vs, ve


def boundary_edges(pattern: str) -> Edges | None:
    """:class:`Edges` for a pattern of that shape (see there), else ``None``."""
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(python_syntax(pattern))
    except (re.error, ImportError, ValueError, TypeError, PatternError):
        return None
    items = list(parsed)
    if parsed.state.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL) or not 2 <= len(items) <= 3:
        return None
    (lead_op, lead), (group_op, group) = items[0], items[1]
    if lead_op is not c.BRANCH or group_op is not c.SUBPATTERN or group[0] != 1:
        return None
    begin, negated, literals = False, [], {}
    for alt in lead[1]:
        alt = list(alt)
        if alt == [(c.AT, c.AT_BEGINNING)]:
            begin = True
        elif len(alt) == 1 and alt[0][0] is c.IN and alt[0][1][:1] == [(c.NEGATE, None)]:
            negated.append(alt[0][1][1:])
        elif alt and all(op is c.LITERAL and av < 0x80 for op, av in alt) and alt[0][1] not in literals:
            literals[alt[0][1]] = len(alt)
        else:
            return None
    # one ``[^X]``, and X holds every literal's first character (else ``[^X]`` could match there too)
    if len(negated) != 1 or not all(_in_set(negated[0], first) for first in literals):
        return None
    if len(items) == 2:
        return Edges(begin, literals, False, False)
    trail_op, trail = items[2]
    alts = [list(a) for a in trail[1]] if trail_op is c.BRANCH else []
    ends = [a for a in alts if a == [(c.AT, c.AT_END_STRING)]]
    chars = [a for a in alts if len(a) == 1 and a[0][0] is c.IN and a[0][1][:1] == [(c.NEGATE, None)]]
    if len(chars) != 1 or len(ends) + len(chars) != len(alts):
        return None
    return Edges(begin, literals, True, bool(ends))


def _in_set(items: list[tuple[Any, Any]], ch: int) -> bool:
    """Whether a parsed class body of ranges and literals holds ``ch`` (``False`` for anything else)."""
    from re import _constants as c  # type: ignore[attr-defined]

    return any((op is c.RANGE and av[0] <= ch <= av[1]) or (op is c.LITERAL and av == ch) for op, av in items)


_ASCII = frozenset(range(128))


def _fold(chars: set[int]) -> set[int]:
    """``chars`` with the other case of each ASCII letter (what ``(?i)`` lets a class or literal match)."""
    return chars | {c ^ 0x20 for c in chars if 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A}


def _class_chars(items: list[tuple[Any, Any]]) -> set[int] | None:
    """The characters a parsed class body of ASCII ranges and literals holds (``None`` for anything else: under
    ``(?i)`` RE2 folds the Kelvin sign and the long s to k and s)."""
    from re import _constants as c  # type: ignore[attr-defined]

    out: set[int] = set()
    for op, av in items:
        if op is c.LITERAL and av < 0x80:
            out.add(av)
        elif op is c.RANGE and av[1] < 0x80:
            out |= set(range(av[0], av[1] + 1))
        else:
            return None
    return out


def _last_chars(items: list[tuple[Any, Any]]) -> tuple[set[int], bool]:
    """A superset of the ASCII characters a match of ``items`` may end with (letters in both cases), and
    whether the match may be empty; raises ``ValueError`` for a construct it does not read."""
    from re import _constants as c  # type: ignore[attr-defined]

    out: set[int] = set()
    for op, av in reversed(items):
        if op is c.AT:
            continue  # zero width
        if op is c.LITERAL:
            chars, empty = ({av} if av < 0x80 else set(_ASCII)), False  # (a folded Kelvin sign is a k)
        elif op is c.IN:
            body = _class_chars(av)
            chars, empty = (set(_ASCII) if body is None or av[:1] == [(c.NEGATE, None)] else body), False
        elif op is c.NOT_LITERAL or op is c.ANY:
            chars, empty = set(_ASCII), False
        elif op is c.BRANCH:
            ends = [_last_chars(list(alt)) for alt in av[1]]
            chars, empty = set().union(*(e[0] for e in ends)), any(e[1] for e in ends)
        elif op is c.SUBPATTERN:
            chars, empty = _last_chars(list(av[3]))
        elif op is c.MAX_REPEAT or op is c.MIN_REPEAT:
            chars, empty = _last_chars(list(av[2]))
            empty = empty or av[0] == 0
        else:
            raise ValueError(op)
        out |= _fold(chars)
        if not empty:
            return out, False
    return out, True


def tail_value(pattern: str) -> tuple[bytes, bytes] | None:
    """For a pattern ``LEAD(?P<v>[X]{n,}P{0,k})`` (``n >= 1``, ``P`` one character outside ``X``, the group
    last) where no match of ``LEAD`` ends with a character of ``X``: the ASCII characters of ``X`` and of
    ``P``. In a match of ASCII text the value is then read from the match itself -- its trailing run of
    ``P``, and the run of ``X`` before it (the lead's last character stops it) -- so RE2 needs no
    submatch pass; ``None`` for any other pattern. (``P`` may be absent: ``b""``.)"""
    try:
        from re import _constants as c  # type: ignore[attr-defined]
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(python_syntax(pattern))
    except (re.error, ImportError, ValueError, TypeError, PatternError):
        return None
    items = list(parsed)
    if parsed.state.flags & (re.MULTILINE | re.DOTALL) or len(items) < 2:
        return None
    op, group = items[-1]
    if op is not c.SUBPATTERN or group[0] != 1 or group[1] or group[2]:
        return None  # not the value group last, or one with flags of its own
    body = list(group[3])
    if not 1 <= len(body) <= 2 or body[0][0] is not c.MAX_REPEAT or body[0][1][0] < 1:
        return None
    run = list(body[0][1][2])
    if len(run) != 1 or run[0][0] is not c.IN or (chars := _class_chars(run[0][1])) is None:
        return None
    pad: set[int] = set()
    if len(body) == 2:
        op, (lo, _hi, padded) = body[1]
        padded = list(padded)
        if op is not c.MAX_REPEAT or lo != 0 or len(padded) != 1 or padded[0][0] is not c.LITERAL or (
                padded[0][1] >= 0x80):
            return None
        pad = {padded[0][1]}
    if parsed.state.flags & re.IGNORECASE:
        chars, pad = _fold(chars), _fold(pad)
    try:
        lead_ends, _ = _last_chars(items[:-1])
    except ValueError:
        return None
    if pad & chars or lead_ends & chars:
        return None
    return bytes(sorted(chars)), bytes(sorted(pad))


_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")
_LEADING_FLAGS = re.compile(r"\(\?[a-zA-Z]+\)")


def branch_values(pattern: str) -> list[tuple[bytes, tuple[bytes, bytes] | None]] | None:
    """For a pattern that is an alternation at its top level (after its leading flags), each branch holding
    exactly one capturing group, at least one branch ending in its value (:func:`tail_value`): per branch,
    its source without the group (with the pattern's flags) and its tail, or ``None``. The C++ loop then
    matches without groups, takes the branch that leftmost-first alternation takes -- the first one that
    matches where the match starts -- and reads a tail branch's value off the match, with no submatch pass
    (RE2's costs a microsecond on a large alternation: most of a user-phrase search). ``None`` for any other
    pattern."""
    from tftsr_kernel.pii.prefilter import _branches  # here: the prefilter imports this module

    flags = _LEADING_FLAGS.match(pattern)
    lead = flags.group(0) if flags else ""
    parts = _branches(pattern[len(lead):])
    if len(parts) < 2 or _re2 is None or _FLAGS.search(pattern, len(lead)):
        return None  # (flags set inside a branch reach into the branches after it: they would not, split)
    out: list[tuple[bytes, tuple[bytes, bytes] | None]] = []
    for part in parts:
        grouped = _re2.RE2((lead + part).encode("utf-8"), _RE2_OPTIONS)
        bare = _NAMED_GROUP.sub("(?:", lead + part)
        rx = _re2.RE2(bare.encode("utf-8"), _RE2_OPTIONS)
        if not grouped.ok() or grouped.NumberOfCapturingGroups() != 1 or not rx.ok() or rx.NumberOfCapturingGroups():
            return None
        out.append((bare.encode("utf-8"), tail_value(lead + part)))
    return out if any(t is not None for _, t in out) else None


class Compiled:
    """One pattern compiled with RE2 when possible, else with ``re``."""

    __slots__ = ("pattern", "uses_re2", "_rx", "_value_idx", "_pyrx", "_prefix", "_least", "_bare", "_edges",
                 "_native")

    def __init__(self, pattern: str, value_groups: tuple[str, ...] = ("v", "v2", "v3"),
                 *, force_python: bool = False) -> None:
        self.pattern = pattern
        self._rx: Any = None
        self._pyrx: re.Pattern[str] | None = None
        self.uses_re2 = False
        names: dict[str, int] = {}
        ngroups = 0
        source = pattern.encode("utf-8")  # what ``_rx`` was compiled from
        if HAVE_RE2 and not force_python:
            rx = _re2.RE2(source, _RE2_OPTIONS)
            if rx.ok():
                self._rx = rx
                self.uses_re2 = True
                names = {(k.decode() if isinstance(k, bytes) else k): i
                         for k, i in dict(rx.NamedCapturingGroups()).items()}
                ngroups = rx.NumberOfCapturingGroups()
        if not self.uses_re2:
            self._pyrx = compile_python(pattern)
            names = dict(self._pyrx.groupindex)
            ngroups = self._pyrx.groups
        if self.uses_re2 and ngroups == 1 and names.get("v") == 1 and "v" in value_groups \
                and _whole_group(pattern):
            # the value is the whole match: without the group RE2 needs no submatch pass (DFA only)
            bare_whole = ("(?:" + pattern[len("(?P<v>"):]).encode("utf-8")
            rx = _re2.RE2(bare_whole, _RE2_OPTIONS)
            if rx.ok() and rx.NumberOfCapturingGroups() == 0:
                self._rx, source = rx, bare_whole
                names, ngroups = {}, 0
        idx: list[int] = []
        for g in value_groups:
            if g == "#first":
                idx += range(1, ngroups + 1)
            elif g.startswith("#") and g[1:].isdigit() and 0 < int(g[1:]) <= ngroups:
                idx.append(int(g[1:]))
            elif g in names:
                idx.append(names[g])
        self._value_idx = tuple(idx)
        self._prefix = _literal_prefix(self._rx) if self.uses_re2 else b""
        # a value between a boundary character and another: RE2 matches without the group, and the value's
        # bounds are read from the match (the grouped pattern answers where the text's edges make it ambiguous)
        self._bare: Any = None
        self._edges: Edges | None = None
        bare_source: bytes | None = None
        tail: tuple[bytes, bytes] | None = None  # ... or a value that ends the match (the C++ loop reads it)
        if self.uses_re2 and not self._prefix and self._value_idx == (1,) and pattern.count("(?P<v>") == 1:
            edges = boundary_edges(pattern)
            tail = None if edges else tail_value(pattern)
            bare_source = pattern.replace("(?P<v>", "(?:").encode("utf-8")
            bare = _re2.RE2(bare_source, _RE2_OPTIONS) if edges or tail else None
            if bare is not None and bare.ok() and bare.NumberOfCapturingGroups() == 0:
                if edges:
                    self._bare, self._edges = bare, edges
            else:
                bare_source, tail = None, None
        # ... or a pattern of branches, each with one value group, some ending the match (branch_values)
        branches = None
        if self.uses_re2 and not self._prefix and bare_source is None and ngroups >= 2 \
                and sorted(self._value_idx) == list(range(1, ngroups + 1)):
            branches = branch_values(pattern)
            if branches is not None:
                bare_source = _NAMED_GROUP.sub("(?:", pattern).encode("utf-8")
                bare = _re2.RE2(bare_source, _RE2_OPTIONS)
                if not bare.ok() or bare.NumberOfCapturingGroups() != 0:
                    bare_source, branches = None, None
        # a stretch shorter than every match holds none: the search stops there without a matcher call
        # (a window's rest after its one match, mostly); a character is at least one byte
        self._least = min_width(pattern) or 0
        self._native: Any = self._native_matcher(source, bare_source, tail, branches)

    @property
    def finds(self) -> bool:
        """Whether a hand-written C++ finder (native/finders.cpp) searches for this pattern in place of RE2."""
        return self._native is not None and bool(self._native.finds)

    def _native_matcher(self, source: bytes, bare_source: bytes | None, tail: tuple[bytes, bytes] | None,
                        branches: list[tuple[bytes, tuple[bytes, bytes] | None]] | None) -> Any:
        """The same search loop in C++ (:mod:`.native`), when built and when its RE2 compiles the patterns."""
        if not self.uses_re2 or native.matcher is None:
            return None
        edges = self._edges
        try:
            return native.matcher.Matcher(
                source, bare_source, self._value_idx,
                self._prefix, self._least,
                None if edges is None else (edges.begin, edges.literals, edges.tail, edges.end),
                self.pattern.encode("utf-8"),  # a few catalog patterns have a hand-written finder there
                tail, branches)
        except ValueError:  # the system's RE2 is older than the wheel's: this pattern keeps the Python loop
            return None

    def values(self, prepared: PreparedText,
               regions: Sequence[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
        """``(start, end)`` of the value of each non-overlapping match; the next search starts where the
        value ended, so a boundary character consumed after one value can still open the next.

        ``regions`` (sorted, disjoint ``(start, end)`` in this matcher's offset space) limits the
        search to those stretches of the text; ``^``/``$`` and boundary characters still see the
        whole text around them.
        """
        return self._search(prepared, regions, False)  # type: ignore[return-value]

    def matches(self, prepared: PreparedText,
                regions: Sequence[tuple[int, int]] | None = None) -> list[tuple[int, int, int, int]]:
        """Like :meth:`values`, as ``(match_start, match_end, value_start, value_end)``."""
        return self._search(prepared, regions, True)  # type: ignore[return-value]

    def checked(self, prepared: PreparedText, regions: Sequence[tuple[int, int]] | None, check: int,
                tail: tuple[Any, ...]) -> list[tuple[Any, ...]] | None:
        """``(start, end, *tail)`` for each value that the C++ validator ``check`` keeps (with the bounds it
        gives), as the engine's candidates; ``None`` where only Python can answer (no C++ matcher, or a
        text that is not ASCII, whose byte and character offsets differ)."""
        if self._native is None or not prepared.ascii or prepared.data is None:
            return None
        return self._native.search_checked(prepared.data, regions, check, tail)

    def _search(self, prepared: PreparedText, regions: Sequence[tuple[int, int]] | None,
                whole: bool) -> list[tuple[int, ...]]:
        idx = self._value_idx
        least = self._least
        out: list[tuple[int, ...]] = []
        add = out.append
        if self._native is not None and prepared.data is not None:
            return self._native.search(prepared.data, regions, whole)
        if self.uses_re2 and prepared.data is not None:
            data = prepared.data
            match = self._rx.Match
            prefix = self._prefix
            anchor = _re2.RE2.Anchor.ANCHOR_START if prefix else _re2.RE2.Anchor.UNANCHORED
            edges = self._edges
            bare: Any = self._bare.Match if edges is not None else None
            n = len(data)
            pos = 0
            for rs, rend in ((0, n),) if regions is None else regions:
                if pos < rs:
                    pos = rs
                while rend - pos >= least:
                    if prefix:  # every match starts with it: try each occurrence, leftmost first
                        at = data.find(prefix, pos, rend)
                        if at < 0:
                            break
                        spans = match(anchor, data, at, rend)
                        if spans[0][0] < 0:
                            pos = at + 1
                            continue
                    elif edges is not None:
                        spans = bare(anchor, data, pos, rend)
                        ms, me = spans[0]
                        if ms < 0:
                            break
                        value = edges.value(data, ms, me)
                        if value is not None:
                            vs, ve = value
                            if ve > vs:
                                add((ms, me, vs, ve) if whole else (vs, ve))
                            pos = ve if ve > ms else me if me > ms else ms + 1
                            continue
                        spans = match(anchor, data, pos, rend)  # at an edge of the text: the group says
                    else:
                        spans = match(anchor, data, pos, rend)
                    ms, me = spans[0]
                    if ms < 0:
                        break
                    if idx:
                        vs, ve = ms, me
                        for i in idx:
                            if spans[i][0] >= 0:
                                vs, ve = spans[i]
                                break
                    else:
                        vs, ve = ms, me
                    if ve > vs:
                        add((ms, me, vs, ve) if whole else (vs, ve))
                    pos = ve if ve > ms else me if me > ms else ms + 1
            return out
        rx = self._pyrx if self._pyrx is not None else compile_python(self.pattern)
        self._pyrx = rx
        text = prepared.text
        n = len(text)
        pos = 0
        search = rx.search
        for rs, rend in ((0, n),) if regions is None else regions:
            if pos < rs:
                pos = rs
            while rend - pos >= least:
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
                    add((ms, me, vs, ve) if whole else (vs, ve))
                pos = ve if ve > ms else me if me > ms else ms + 1
        return out

    @property
    def byte_offsets(self) -> bool:
        return self.uses_re2


@functools.lru_cache(maxsize=1024)
def pattern_widths(pattern: str) -> tuple[int, int] | None:
    """The shortest and longest match of ``pattern`` in characters (an unbounded repeat counts as sre's
    MAXREPEAT), or ``None`` when unknown. Remembered: building a scanner's prefilter asks for each pattern's
    several times, and parsing them was most of that build (80 ms of the catalog's)."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        least, most = _parser.parse(python_syntax(pattern)).getwidth()
        return int(least), int(most)
    except (re.error, ValueError, TypeError, ImportError, OverflowError, PatternError):
        return None


def min_width(pattern: str) -> int | None:
    """The shortest match of ``pattern`` in characters, or ``None`` when unknown."""
    widths = pattern_widths(pattern)
    return None if widths is None else widths[0]


#: a literal every match starts with is searched for (memchr speed) when at least this long
_MIN_PREFIX = 4


def _literal_prefix(rx: Any) -> bytes:
    """The bytes every match of ``rx`` starts with, when they are at least :data:`_MIN_PREFIX` long.

    RE2 bounds every match between two strings (``PossibleMatchRange``); what they share is a prefix
    of every match. Searching for it and matching anchored there finds the same leftmost match as an
    unanchored search, without RE2's backward pass over a long match (a PEM block) to find its start.
    """
    ok, lo, hi = rx.PossibleMatchRange(32)
    if not ok:
        return b""
    n = 0
    while n < min(len(lo), len(hi)) and lo[n] == hi[n]:
        n += 1
    return bytes(lo[:n]) if n >= _MIN_PREFIX else b""


_POSIX = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": " \\t",
          "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~",
          "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_",
          "xdigit": "0-9A-Fa-f"}
_FLAGS = re.compile(r"\(\?([a-zA-Z]*(?:-[a-zA-Z]*)?)\)")
_SCOPED_FLAGS = re.compile(r"\(\?([a-zA-Z]*(?:-[a-zA-Z]*)?):")


def _multiline(lead: str, own: list[str], stack: list[list[str]]) -> bool:
    """Whether ``$`` is in multi-line mode here: the pattern's leading flags, then per enclosing group
    its own flags (``(?m:``, ``(?-m:``) and the flags set inside it so far, in that order."""
    on = False
    for flags in [lead, *(f for group, scopes in zip(own, stack, strict=True) for f in (group, *scopes))]:
        set_, _, cleared = flags.partition("-")
        if "m" in set_:
            on = True
        if "m" in cleared:
            on = False
    return on


def go_to_python(pattern: str) -> str:
    """Translate Go/RE2 syntax that Python ``re`` lacks or reads differently: flags set mid-pattern
    (``ab(?i)cd``, which Go scopes to the rest of the enclosing group, across ``|``), ``\\z``,
    ``(?<name>``, ``[[:alpha:]]``, and ``$`` outside multi-line mode (the end of the text in Go;
    Python's also matches before a last newline). Compile the result with ``re.ASCII``: Go's ``\\w``,
    ``\\d``, ``\\s`` and ``\\b`` are ASCII."""
    out: list[str] = []
    stack: list[list[str]] = [[]]  # per open group: the flag scopes opened inside it, still open
    own: list[str] = [""]  # per open group: its own flags (``(?m:...)``), "" for a plain group
    lead = _FLAGS.match(pattern)
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "$" and not _multiline(lead.group(1) if lead else "", own, stack):
            out.append("\\Z")
            i += 1
            continue
        if c == "\\":
            nxt = pattern[i + 1:i + 2]
            out.append("\\Z" if nxt == "z" else pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            body: list[str] = ["["]
            if pattern[j:j + 1] == "^":
                body.append("^")
                j += 1
            if pattern[j:j + 1] == "]":
                body.append("\\]")
                j += 1
            while j < n and pattern[j] != "]":
                if pattern[j] == "\\":
                    body.append(pattern[j:j + 2])
                    j += 2
                    continue
                m = re.match(r"\[:(\^?)([a-z]+):\]", pattern[j:])
                if m and m.group(2) in _POSIX:
                    if m.group(1):
                        raise PatternError(f"negated POSIX class in {pattern[:60]!r} is not supported")
                    body.append(_POSIX[m.group(2)])
                    j += m.end()
                    continue
                body.append("\\[" if pattern[j] == "[" else pattern[j])
                j += 1
            out.append("".join(body) + "]")
            i = j + 1
            continue
        m = _FLAGS.match(pattern, i)
        if m and i > 0:
            flags = m.group(1)
            if "U" in flags:
                raise PatternError(f"the ungreedy flag (?U) in {pattern[:60]!r} has no Python equivalent")
            out.append(f"(?{flags}:")
            stack[-1].append(flags)
            i = m.end()
            continue
        if c == "(":
            scoped = _SCOPED_FLAGS.match(pattern, i)
            if scoped and "U" in scoped.group(1):
                raise PatternError(f"the ungreedy flag (?U) in {pattern[:60]!r} has no Python equivalent")
            if pattern.startswith("(?<", i) and pattern[i + 3:i + 4] not in ("=", "!"):
                out.append("(?P<")
                i += 3
            else:
                out.append(c)
                i += 1
            stack.append([])
            own.append(scoped.group(1) if scoped else "")
            continue
        if c == ")":
            out.append(")" * len(stack.pop() if len(stack) > 1 else []))
            if len(own) > 1:
                own.pop()
            out.append(c)
            i += 1
            continue
        if c == "|" and stack[-1]:
            scopes = stack[-1]
            out.append(")" * len(scopes) + "|" + "".join(f"(?{f}:" for f in scopes))
            i += 1
            continue
        out.append(c)
        i += 1
    out.append(")" * len(stack[0]))
    return "".join(out)


def python_syntax(pattern: str) -> str:
    """``pattern`` as Python ``re`` (with ``re.ASCII``) reads it: translated, because several Go
    constructs compile in ``re`` too but mean something else there (``[[:alnum:]]``, ``$``)."""
    return go_to_python(pattern)


def compile_python(pattern: str) -> re.Pattern[str]:
    """Compile with ``re``, translating Go/RE2-only syntax when the pattern needs it."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set" in RE2-style classes
        try:
            return re.compile(python_syntax(pattern), re.ASCII)
        except re.error as exc:
            raise PatternError(f"the pattern {pattern[:60]!r} does not compile: {exc}") from None


def compile_value_regex(pattern: str) -> Compiled:
    return Compiled(pattern)
