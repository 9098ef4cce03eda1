"""Scanning a DataFrame column: many short texts, each with results equal to scanning it on its own.

Scanning cell by cell pays the engine's fixed cost per text (a matcher call per detector that may
match, a gate scan, Python bookkeeping) thousands of times. Here single-line ASCII cells are joined,
``"\\n"`` between them, into blocks of about a megabyte, and a block is scanned like one long text
(the structural prefilter, one matcher pass per detector). A cell's spans in the block are its spans
alone, shifted, unless a match reached into a separator: such cells (*dirty*) are scanned again on
their own. Other cells (multi-line, non-ASCII, or in a small frame) are scanned on their own too.

Why a clean cell's spans are exact -- for each detector, with RE2's leftmost-first matching:

* The block is matched with each pattern's ``^``/``$``/``\\A``/``\\z`` made line anchors
  (:func:`line_anchored`). A cell holds no ``"\\n"``, so inside the block a line anchor holds at a
  cell's edges exactly where the plain anchor holds in the cell alone; ``\\b`` sees ``"\\n"`` as it
  sees the text's edge (neither is a word character); every other construct reads characters.
* So a way for the pattern to match that reads no separator succeeds in the block iff it succeeds in
  the cell alone. If no match the block's search made overlaps a separator next to a cell, the search
  found, in that cell, the same leftmost matches at the same places the cell's own search finds, and
  moved on by the same steps. Every match, confirmed or not, counts (a rejected match still moves
  the search), so the engine reports each match's whole extent (:meth:`Scanner._candidates`).
* Confirmation reads a match's value and at most two characters around it, or runs of characters
  that stop at ``"\\n"`` (an e-mail's segment, a MAC's hex groups, an allowlist's line): a separator
  reads as the text's edge does. Validators outside :data:`EDGE_SAFE_VALIDATORS` were not checked for
  this: a scanner that uses one scans cell by cell.
* A span never leaves its match, so overlaps between detectors resolve within a clean cell as alone.

Blocks pay only without Hyperscan: with it, cells one by one through the presence gate (each runs only the
detectors it may hold, with the engine's C++ finders and validators, which serve the catalog's own patterns,
not their line-anchored copies) were faster on every cell width measured (dev lines cut to 40 / 127 / 400
characters: 6.7 / 10.6 / 15.4 MB/s against 0.8 / 8.4 / 9.9 in blocks), so :data:`BLOCKS_WITH_GATE` is off.

Blocks are scanned with google-re2 only: with the Python ``re`` fallback a pass over a block per detector
costs more than the hint-gated cells (0.59 against 0.96 MB/s on the dev lines, measured), although the
fallback finds the same spans in blocks. Without RE2, or for a frame too small for blocks to pay, cells
are scanned one by one (each through the presence gate when Hyperscan is installed).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import threading
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tftsr_kernel.pii import backend, triggers
from tftsr_kernel.pii.engine import Registry, Scanner, _resolve, default_scanner
from tftsr_kernel.pii.prefilter import _branches, _class_end, _group_starts
from tftsr_kernel.pii.spans import value_hash

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["row", "start", "end", "type", "detector", "value_hash"]
#: a block holds cells up to about this many characters
BLOCK_CHARS = 1 << 20
#: the first block's size (see :func:`_blocks`); long enough for the structural prefilter
FIRST_BLOCK_CHARS = Scanner.PREFILTER_MIN
#: frames with fewer characters in single-line ASCII cells are scanned cell by cell
MIN_BATCH_CHARS = 1 << 16
#: whether blocks are used where the presence gate (Hyperscan) is there too (see the module docstring)
BLOCKS_WITH_GATE = False
#: validators checked to read a separator ``"\n"`` as they read a text's edge (see the module docstring)
EDGE_SAFE_VALIDATORS = frozenset({
    "luhn", "iban", "ssn", "ipv4", "ipv6", "mac", "phone", "jwt", "vendor_key", "pem", "secret_value", "entropy",
    "api_key", "username", "email", "hostname", "host_label", "syslog_host", "home_user"})

_FLAGS = re.compile(r"\(\?([a-zA-Z-]*)[:)]")


def line_anchored(pattern: str) -> str | None:
    """``pattern`` with every ``^``, ``$``, ``\\A`` and ``\\z`` made a line anchor (``(?m:^)``,
    ``(?m:$)``); ``None`` when its syntax is beyond this rewrite (``\\Q...\\E`` quoting, the ``x`` flag)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1:i + 2]
            if nxt == "Q":
                return None
            if nxt in ("p", "P") and pattern[i + 2:i + 3] == "{":  # \p{^Greek}: the caret negates
                close = pattern.find("}", i)
                if close < 0:
                    return None
                out.append(pattern[i:close + 1])
                i = close + 1
                continue
            out.append("(?m:^)" if nxt == "A" else "(?m:$)" if nxt == "z" else pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            end = _class_end(pattern, i)
            out.append(pattern[i:end + 1])
            i = end + 1
            continue
        if c == "(":
            m = _FLAGS.match(pattern, i)
            if m and "x" in m.group(1):
                return None
        out.append("(?m:^)" if c == "^" else "(?m:$)" if c == "$" else c)
        i += 1
    return "".join(out)


_CLASS = r"\[(?:\\.|[^\]\\])*\]"
# ``(?:^|[class]|literal...)`` opening a pattern (after global flags); a literal holds no ``.`` or ``\n``
_LEAD = re.compile(rf"(?:\(\?[a-z]+\))?\(\?:\^(?:\|(?:{_CLASS}|[A-Za-z0-9@/:%_-]+))+\)(?![?*+{{])")
# ``(?:[class]|...|$)`` ending a pattern
_TRAIL = re.compile(rf"\(\?:(?:{_CLASS}\|)+\$\)$")


def edge_groups(pattern: str) -> tuple[bool, bool]:
    """Whether ``pattern`` opens with a boundary group ``(?:^|[class]...)`` and whether it ends with one
    ``(?:[class]|$)``, each a whole group of the pattern's top-level sequence.

    In a block such a group may consume the separator beside a cell where, in the cell alone, ``^`` or
    ``$`` matches: the match is the cell's own, one character longer, its value (inside) the same.
    """
    if len(_branches(pattern)) > 1:  # an alternation at the top level (a|b)
        return False, False
    closes = _group_starts(pattern)
    lead = _LEAD.match(pattern)
    trail = _TRAIL.search(pattern)
    return (lead is not None and closes.get(lead.end() - 1) == pattern.index("(?:^"),
            trail is not None and closes.get(len(pattern) - 1) == trail.start())


@dataclasses.dataclass(frozen=True)
class _Block:
    """How a scanner's cells are scanned in blocks: a scanner of its detectors with line anchors, and
    per detector the boundary groups a match may spend on a separator (:func:`edge_groups`)."""

    scanner: Scanner
    edges: tuple[tuple[bool, bool], ...]


_BLOCK_SCANNERS: weakref.WeakKeyDictionary[Scanner, _Block | None] = weakref.WeakKeyDictionary()
_BLOCK_LOCK = threading.Lock()


def block_scanner(sc: Scanner) -> _Block | None:
    """How to scan blocks of ``sc``'s cells, or ``None`` when blocks cannot be proven equal to cells for
    its detectors or this backend (see the module docstring)."""
    with _BLOCK_LOCK:
        if sc not in _BLOCK_SCANNERS:
            _BLOCK_SCANNERS[sc] = _build_block_scanner(sc)
        return _BLOCK_SCANNERS[sc]


def _build_block_scanner(sc: Scanner) -> _Block | None:
    if not backend.HAVE_RE2 or not all(c.matcher.uses_re2 for c in sc._compiled):
        return None
    detectors = []
    for c in sc._compiled:
        d = c.detector
        pattern = line_anchored(d.pattern)
        if pattern is None or (d.validator is not None and d.validator not in EDGE_SAFE_VALIDATORS):
            return None
        detectors.append(dataclasses.replace(d, pattern=pattern))
    block = Scanner(Registry(detectors))
    if not all(c.matcher.uses_re2 for c in block._compiled):
        return None
    return _Block(block, tuple(edge_groups(c.detector.pattern) for c in sc._compiled))


def _cells(df: pd.DataFrame, column: str) -> Iterator[tuple[object, str]]:
    """(index label, text) of each cell that holds text: None and NaN hold none; other values as ``str``
    (the values ``Series.items`` gives, as ``tolist`` gives them at once)."""
    col = df[column]
    for label, cell in zip(col.index, col.tolist(), strict=True):
        if cell is None or (isinstance(cell, float) and cell != cell):
            continue
        yield label, str(cell)


def scan_dataframe(df: pd.DataFrame, column: str, *, scanner: Scanner | None = None) -> pd.DataFrame:
    """One row per span found in ``df[column]``: the source row's index label, then the span fields
    (``row, start, end, type, detector, value_hash``), in row order; each cell's spans are exactly
    what scanning that cell alone finds."""
    import pandas as pd

    sc = scanner or default_scanner()
    cells = list(_cells(df, column))
    found: list[list[tuple[int, int, str, str, str]]] = [[] for _ in cells]
    alone = list(range(len(cells)))
    batchable = [i for i, (_, t) in enumerate(cells) if t and t.isascii() and "\n" not in t]
    blocks_pay = BLOCKS_WITH_GATE or not triggers.HAVE_HYPERSCAN
    block = block_scanner(sc) if blocks_pay and sum(len(cells[i][1]) for i in batchable) >= MIN_BATCH_CHARS else None
    if block is not None:
        dirty: list[int] = []
        hashes: dict[tuple[str, str], str] = {}
        for group in _blocks(batchable, cells):
            dirty += _scan_block(block, [cells[i][1] for i in group], group, found, hashes)
        batched = set(batchable).difference(dirty)
        alone = [i for i in alone if i not in batched]
    for i in alone:
        found[i] = [(s.start, s.end, s.type, s.detector, s.value_hash) for s in sc.scan(cells[i][1])]
    rows = [(label, *f) for (label, _), spans in zip(cells, found, strict=True) for f in spans]
    return pd.DataFrame(rows, columns=COLUMNS)


def _blocks(indexes: list[int], cells: list[tuple[object, str]]) -> Iterator[list[int]]:
    """Runs of ``indexes`` whose texts add up to :data:`FIRST_BLOCK_CHARS` characters, then twice as many
    each time up to :data:`BLOCK_CHARS`: the structural prefilter learns from the first blocks which
    detectors match densely (it then stops reporting each of their matches), so they are small."""
    group: list[int] = []
    size = 0
    limit = min(FIRST_BLOCK_CHARS, BLOCK_CHARS)
    for i in indexes:
        group.append(i)
        size += len(cells[i][1]) + 1
        if size >= limit:
            yield group
            group, size = [], 0
            limit = min(limit * 2, BLOCK_CHARS)
    if group:
        yield group


def _dirty(extents: list[tuple[int, list[tuple[int, int, int, int]]]], edges: tuple[tuple[bool, bool], ...],
           seps: list[int]) -> set[int]:
    """The cells (by position in the block) beside a separator some match read, other than one a
    boundary group spent at the match's first or last character (:func:`edge_groups`)."""
    dirty: set[int] = set()
    n = len(seps)
    for i, matched in extents:
        lead, trail = edges[i]
        for ms, me, _, _ in matched:
            k = bisect.bisect_left(seps, ms)
            if k == n or seps[k] >= me:
                continue
            if lead and seps[k] == ms:
                k += 1
            while k < n and seps[k] < me:
                if not (trail and seps[k] == me - 1):
                    dirty.add(k)
                    dirty.add(k + 1)
                k += 1
    return dirty


def _kept(block: Scanner, cands: list[tuple[int, int, int, str, str]], texts: list[str], starts: list[int],
          dirty: set[int]) -> list[tuple[int, int, int, str, str]]:
    """The candidates a cell alone would have: a detector with hints runs on a cell alone only when the
    cell holds one (a gitleaks rule's keywords are part of the rule), while a block holds every cell's
    hints. A candidate reaching past its cell makes both cells dirty (``dirty`` grows)."""
    hints = {c.detector.name: c.hints for c in block._compiled if c.hints}
    has: dict[tuple[int, str], bool] = {}
    out = []
    for cand in cands:
        k = bisect.bisect_right(starts, cand[0]) - 1
        if cand[1] > starts[k] + len(texts[k]):
            dirty.update((k, k + 1))
            continue
        want = hints.get(cand[4])
        if want is not None:
            ok = has.get((k, cand[4]))
            if ok is None:
                lower = texts[k].lower()
                ok = has[(k, cand[4])] = any(h in lower for h in want)
            if not ok:
                continue
        out.append(cand)
    return out


def _scan_block(block: _Block, texts: list[str], group: list[int],
                found: list[list[tuple[int, int, str, str, str]]], hashes: dict[tuple[str, str], str]) -> list[int]:
    """Scan ``texts`` joined by ``"\\n"``; fill ``found`` (at ``group``'s indexes) for the clean ones and
    return the indexes of the dirty ones (a match read a separator beside them)."""
    joined = "\n".join(texts)
    starts: list[int] = []
    at = 0
    for t in texts:
        starts.append(at)
        at += len(t) + 1
    seps = [at - 1 for at in starts[1:]]  # separator k lies between cells k and k + 1
    extents: list[tuple[int, list[tuple[int, int, int, int]]]] = []
    cands = block.scanner._candidates(joined, extents)
    dirty = _dirty(extents, block.edges, seps)
    resolved = _resolve(_kept(block.scanner, cands, texts, starts, dirty))
    for s, e, _, t, name in resolved:
        k = bisect.bisect_right(starts, s) - 1
        if k in dirty:
            continue
        value = joined[s:e]
        h = hashes.get((t, value))
        if h is None:
            h = hashes[(t, value)] = value_hash(t, value)
        found[group[k]].append((s - starts[k], e - starts[k], t, name, h))
    return [group[k] for k in sorted(dirty) if k < len(texts)]
