"""Validators' fast paths must answer exactly as the plain definitions they replace."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import validators

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _sequential_by_definition(value: str) -> bool:
    """At least three in four neighbouring pairs step to a next character (9 -> 0 or a, 0 -> a too)."""
    v = value.lower()
    succ = {a: b for a, b in zip(_ALPHABET, _ALPHABET[1:], strict=False)}
    steps = sum(1 for a, b in zip(v, v[1:], strict=False)
                if b == succ.get(a) or (a == "9" and b == "0") or (a == "0" and b == "a"))
    return len(v) >= 6 and steps >= 0.75 * (len(v) - 1)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyzXYZ9-_.", max_size=40),
                 st.builds(lambda start, n, noise: (_ALPHABET * 3)[start:start + n] + noise,
                           st.integers(0, 35), st.integers(0, 40), st.text(alphabet="0a9zq-", max_size=8)),
                 st.text(max_size=20)))
def test_sequential_stops_early_with_the_same_answer(value: str) -> None:
    assert validators._sequential(value) == _sequential_by_definition(value)


def test_sequential_examples() -> None:
    assert validators._sequential("1234567890abcdef") and validators._sequential("abcd1234")
    assert not validators._sequential("Xk9vQ2pL7mN4") and not validators._sequential("abc12")
