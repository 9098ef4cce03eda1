"""The Span contract the engine's tuple-built spans must keep: checks on construction, equality only
between spans, a stable repr with no value, and a round trip through pickle."""

from __future__ import annotations

import pickle

import pytest

from tftsr_kernel.pii import Span, scan_text

TEXT = "login from 10.0.0.1 by jane@example.com"


def test_engine_spans_equal_checked_spans() -> None:
    spans = scan_text(TEXT)
    assert spans and all(type(s) is Span for s in spans)
    assert spans == [Span(s.start, s.end, s.type, s.detector, s.value_hash) for s in spans]
    assert {hash(s) for s in spans} == {hash(Span(*s)) for s in spans}


def test_a_span_equals_no_plain_tuple() -> None:
    span = Span(1, 5, "IPV4", "ipv4", "h")
    plain = (1, 5, "IPV4", "ipv4", "h", None)
    assert span != plain
    assert plain != span  # the reflected comparison: the subclass decides
    assert span not in {plain} and plain not in {span}
    assert span == Span(1, 5, "IPV4", "ipv4", "h") != span.with_status("approved")


@pytest.mark.parametrize(("start", "end", "status"), [(5, 5, None), (-1, 3, None), (0, 3, "maybe")])
def test_construction_checks(start: int, end: int, status: str | None) -> None:
    with pytest.raises(ValueError):
        Span(start, end, "IPV4", "ipv4", "h", status)  # type: ignore[arg-type]


def test_with_status_checks_and_keeps_fields() -> None:
    span = Span(1, 5, "IPV4", "ipv4", "h")
    assert span.with_status("rejected").status == "rejected"
    assert span.shifted(10) == Span(11, 15, "IPV4", "ipv4", "h")
    with pytest.raises(ValueError):
        span.with_status("maybe")  # type: ignore[arg-type]


def test_repr_and_pickle() -> None:
    span = scan_text(TEXT)[0]
    assert repr(span).startswith(f"Span(start={span.start}, end={span.end}, type='IPV4', detector=")
    assert "10.0.0.1" not in repr(span)
    assert pickle.loads(pickle.dumps(span)) == span  # noqa: S301 (bytes this test made)
    with pytest.raises(AttributeError):
        span.start = 0  # type: ignore[misc]
