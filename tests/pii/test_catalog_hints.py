"""The catalog's promise about hints: a row's pattern cannot match a text that holds none of its hints.

The engine relies on it: short texts skip a detector whose hints are absent, while long texts are
gated by the structural prefilter (the pattern itself), so a pattern that can match without a hint
would be found in a long log and missed in a short one.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii.backend import python_syntax
from tftsr_kernel.pii.catalog import DEFAULT_DETECTORS, Detector

HINTED = [d for d in DEFAULT_DETECTORS if d.hints]


@pytest.mark.parametrize("detector", HINTED, ids=[d.name for d in HINTED])
def test_every_match_holds_a_hint(detector: Detector) -> None:
    pattern = re.compile(python_syntax(detector.pattern), re.ASCII)
    hints = tuple(h.lower() for h in detector.hints)

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(pattern, fullmatch=True))
    def holds_a_hint(match: str) -> None:
        assert any(h in match.lower() for h in hints), f"{detector.name} matches {match!r} without a hint"

    holds_a_hint()


def test_the_catalog_has_hinted_rows() -> None:
    assert len(HINTED) > 20
