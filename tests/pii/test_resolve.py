"""engine._resolve in C++ (native.matcher.resolve) gives what the Python function gives: the same tuples
in the same order, and the argument left sorted by start as the Python function leaves it."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import native
from tftsr_kernel.pii.engine import _resolve

pytestmark = pytest.mark.skipif(native.matcher is None and not os.environ.get("CI"),
                                reason="the native parts are not built here (make builds them)")

Cand = tuple[int, int, int, str, str]
# types that differ only after a common prefix, in every width of str, and empty
TYPES = ["A", "AB", "ABC", "AC", "A\x00", "AÄ", "Aé", "A日本", "A😀", "😀", "Z", "", "IPV4", "IPV4_X"]


def _python(cands: list[Cand]) -> list[Cand]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(native, "matcher", None)
        return _resolve(cands)


def _same(cands: list[Cand]) -> None:
    """Native and Python on copies of ``cands``: the same tuple objects, and the same argument afterwards."""
    slow_in, fast_in = list(cands), list(cands)
    slow = _python(slow_in)
    fast = native.matcher.resolve(fast_in)
    assert type(fast) is list
    assert len(fast) == len(slow) and all(a is b for a, b in zip(fast, slow, strict=True))
    assert all(a is b for a, b in zip(fast_in, slow_in, strict=True))


@st.composite
def candidates(draw: Any) -> list[Cand]:
    """Dense overlaps (nested spans, chains, equal starts and ends), empty and reversed spans, negative
    priorities, and repeated tuples (the same object twice, and equal tuples)."""
    width = draw(st.sampled_from([4, 12, 40, 200]))
    raw = draw(st.lists(st.tuples(st.integers(0, width), st.integers(-2, 14), st.integers(-3, 3),
                                  st.one_of(st.sampled_from(TYPES), st.text(max_size=3)),
                                  st.sampled_from(["x", "y", "z"])), max_size=40))
    cands = [(s, s + n, p, t, name) for s, n, p, t, name in raw]
    if cands:
        picks = draw(st.lists(st.integers(0, len(cands) - 1), max_size=8))
        cands += [cands[i] for i in picks] + [(*cands[i],) for i in picks[:2]]  # the same, equal tuples
    return draw(st.permutations(cands))


@settings(max_examples=600, deadline=None)
@given(candidates())
def test_native_resolve_gives_the_python_result(cands: list[Cand]) -> None:
    _same(cands)


@pytest.mark.parametrize("cands", [
    [],
    [(3, 5, 0, "A", "x")],
    [(0, 10, 0, "A", "x"), (2, 4, -1, "B", "y"), (5, 8, 0, "C", "z"), (6, 7, 0, "D", "x")],  # nested
    [(0, 3, 0, "A", "x"), (2, 5, 0, "A", "x"), (4, 7, 0, "A", "x"), (6, 9, 0, "A", "x")],  # a chain
    [(0, 4, 0, "AB", "x"), (0, 4, 0, "AA", "y"), (0, 4, 0, "A😀", "z"), (0, 4, 0, "Aé", "x")],  # types decide
    [(0, 4, 1, "A", "x"), (0, 4, 0, "B", "y"), (1, 5, 0, "A", "z")],  # priority, then start, decide
    [(0, 2**62, 0, "A", "x"), (2**62, 2**63 - 1, 0, "A", "y"), (1, 2**63 - 1, 5, "B", "z"),
     (0, -2**63, 0, "C", "x")],  # start - end beyond a Py_ssize_t
])
def test_native_resolve_on_edge_cases(cands: list[Cand]) -> None:
    _same(cands)


def test_the_engine_resolves_natively() -> None:
    cands: list[Cand] = [(5, 9, 0, "B", "y"), (0, 4, 0, "A", "x"), (3, 6, 0, "C", "z")]
    assert _resolve(list(cands)) == native.matcher.resolve(list(cands)) == [(0, 4, 0, "A", "x"),
                                                                            (5, 9, 0, "B", "y")]


@pytest.mark.parametrize(("bad", "error", "message"), [
    ((0, 1, 0, "A", "x"), TypeError, "the candidates must be a list"),
    ([(0, 1, 0, "A", "x"), (0, 1, 0, "A")], TypeError, "candidate 1 is not a tuple"),
    ([[0, 1, 0, "A", "x"]], TypeError, "candidate 0 is not a tuple"),
    ([(0, 1, 0.5, "A", "x")], TypeError, "candidate 0 is not a tuple"),
    ([(0, "1", 0, "A", "x")], TypeError, "candidate 0 is not a tuple"),
    ([(0, 1, 0, b"A", "x")], TypeError, "candidate 0 is not a tuple"),
    ([(0, 2**63, 0, "A", "x")], OverflowError, "too large"),
])
def test_native_resolve_refuses_what_is_no_candidate(bad: Any, error: type[Exception], message: str) -> None:
    before = list(bad) if isinstance(bad, list) else bad
    with pytest.raises(error, match=message):
        native.matcher.resolve(bad)
    assert bad == before  # nothing sorted
