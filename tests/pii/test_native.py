"""The C++ parts of the engine (:mod:`tftsr_kernel.pii.native`) give what their Python references give.

``make`` builds them; CI must not silently test only the Python loop, so there a missing build fails.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import DEFAULT_DETECTORS, backend, load_gitleaks_rules, native
from tftsr_kernel.pii.backend import Compiled, PreparedText

from .pieces import FIXTURES, PIECES

pytestmark = pytest.mark.skipif(
    native.re2_search is None and not os.environ.get("CI") or not backend.HAVE_RE2,
    reason="the native parts are not built here (make builds them)")

# the catalog and rules in gitleaks' Go syntax
DETECTORS = [*DEFAULT_DETECTORS, *load_gitleaks_rules(FIXTURES / "gitleaks-format.toml")]
EXTRA = ["p8e-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "user=", "host ", "Nov 12 10:01:02 db-7 sshd[1]: ", "1.2.3", "a",
         "Z9", "-----BEGIN", "db1.corp.example.com"]
# what a piece may follow: every kind of boundary a pattern's lead or trail reads
SEPARATORS = ["", " ", "\n", "\t", "=", ":", "@", "/", "//", ".", "-", "\"", "'", "[", "{", "|", "~", "(", "é", "✓"]


def _python_loop(c: Compiled) -> Compiled:
    """The same compiled pattern with the Python search loop (the reference)."""
    ref = Compiled.__new__(Compiled)
    for slot in Compiled.__slots__:
        setattr(ref, slot, getattr(c, slot))
    ref._native = None
    return ref


def test_the_native_parts_are_built_in_ci() -> None:
    assert native.re2_search is not None
    assert all(Compiled(d.pattern, d.value_groups)._native is not None for d in DEFAULT_DETECTORS)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SEPARATORS), st.sampled_from(PIECES + EXTRA)), max_size=20),
       st.sampled_from(SEPARATORS), st.randoms(use_true_random=False), st.booleans())
def test_the_native_search_loop_gives_the_python_loops_matches(parts: list[tuple[str, str]], last: str,
                                                               rnd: random.Random, whole: bool) -> None:
    text = "".join(sep + piece for sep, piece in parts) + last
    prepared = PreparedText(text)
    assert prepared.data is not None
    n = len(prepared.data)
    cuts = sorted(rnd.randrange(n + 1) for _ in range(2 * rnd.randrange(4))) if n else []
    regions = None if not cuts else [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    for d in DETECTORS:
        fast = Compiled(d.pattern, d.value_groups)
        ref = _python_loop(fast)
        search = fast.matches if whole else fast.values
        assert search(prepared, regions) == (ref.matches if whole else ref.values)(prepared, regions), d.name


def test_a_pattern_the_native_re2_cannot_compile_keeps_the_python_loop() -> None:
    assert native.re2_search is not None
    with pytest.raises(ValueError):
        native.re2_search.Matcher(b"(", None, (), b"", 0, None)
