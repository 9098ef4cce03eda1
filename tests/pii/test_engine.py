from __future__ import annotations

import io
import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import Scanner, scan_dataframe, scan_text

SECRETS = ["AKIAQ3EGRTY5WXZ7ABCD", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "10.20.30.40",
           "jane.doe@example.com", "password=Tr0ub4dor9x"]


def test_longest_overlap_wins_and_order_is_deterministic() -> None:
    text = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJlX3h5eg and 1.2.3.4"
    spans = scan_text(text)
    assert [s.type for s in spans] == ["JWT", "IPV4"]  # JWT and BEARER cover the same value: one span
    assert spans == scan_text(text)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


def test_value_hash_is_per_value_not_per_occurrence() -> None:
    spans = scan_text("from 10.0.0.1 to 10.0.0.1 and 10.0.0.2")
    assert spans[0].value_hash == spans[1].value_hash != spans[2].value_hash
    assert "10.0.0.1" not in repr(spans[0])


def test_non_ascii_offsets_are_characters() -> None:
    text = "naïve café → key AKIAQ3EGRTY5WXZ7ABCD ✓ 10.0.0.1"
    for s in scan_text(text):
        assert text[s.start:s.end] in ("AKIAQ3EGRTY5WXZ7ABCD", "10.0.0.1")


def _stream(text: str, chunk: int, first: int | None = None) -> list[tuple[int, int, str]]:
    sc = Scanner()
    if first is not None:
        sc.FIRST_CHUNK = first
    return [(s.start, s.end, s.type) for s in sc.scan_stream(io.StringIO(text, newline=""), chunk_size=chunk)]


def test_span_across_a_chunk_boundary_is_found_once() -> None:
    key = "AKIAQ3EGRTY5WXZ7ABCD"
    for cut in range(2, len(key) + 1):
        text = "x" * (100 - cut) + " " + key + " tail"
        whole = [(s.start, s.end, s.type) for s in scan_text(text)]
        start = text.index(key)
        assert start < 100 < start + len(key)
        assert _stream(text, 100) == whole == [(start, start + len(key), "AWS_ACCESS_KEY")]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SECRETS), st.text(alphabet=" abc\n;=", max_size=30)), max_size=12),
       st.integers(min_value=16, max_value=200))
def test_streaming_equals_whole_text(parts: list[tuple[str, str]], chunk: int) -> None:
    text = "".join(f"{filler} {secret} " for secret, filler in parts)
    assert _stream(text, chunk) == [(s.start, s.end, s.type) for s in scan_text(text)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SECRETS), st.text(alphabet=" abc\n;=", max_size=30)), max_size=12),
       st.integers(min_value=1, max_value=40), st.integers(min_value=16, max_value=400))
def test_streaming_in_growing_chunks_equals_whole_text(parts: list[tuple[str, str]], first: int, chunk: int) -> None:
    text = "".join(f"{filler} {secret} " for secret, filler in parts)
    assert _stream(text, chunk, first) == [(s.start, s.end, s.type) for s in scan_text(text)]


def test_stream_chunks_double_from_the_first_up_to_the_chunk_size() -> None:
    sc = Scanner()
    sc.FIRST_CHUNK = 10_000
    text = "".join(f"line {i} from 10.0.{i % 250}.1\n" for i in range(20_000))  # 520,090 characters
    cores = [buf_start + lo for buf, buf_start, _found, (lo, _line)
             in sc._stream_chunks(io.StringIO(text, newline=""), 80_000)]
    assert [b - a for a, b in itertools.pairwise(cores)] == [10_000, 20_000, 40_000] + [80_000] * 5


def test_stream_lines_are_one_based() -> None:
    text = "a\nb 10.0.0.1\r\nc\n\nAKIAQ3EGRTY5WXZ7ABCD\n"
    got = [(line, s.type) for s, line in Scanner().scan_stream_lines(io.StringIO(text, newline=""), chunk_size=7)]
    assert got == [(2, "IPV4"), (5, "AWS_ACCESS_KEY")]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SECRETS), st.text(alphabet=" abc\n\r;=", max_size=30)), max_size=12),
       st.integers(min_value=16, max_value=200))
def test_found_records_are_the_streamed_spans_with_their_values(parts: list[tuple[str, str]], chunk: int) -> None:
    text = "".join(f"{filler} {secret} " for secret, filler in parts)
    sc = Scanner()
    spans = list(sc.scan_stream_lines(io.StringIO(text, newline=""), chunk_size=chunk))
    found = list(sc.scan_stream_found(io.StringIO(text, newline=""), chunk_size=chunk))
    assert [(f.start, f.end, f.type, f.detector, f.line) for f in found] == \
        [(s.start, s.end, s.type, s.detector, line) for s, line in spans]
    assert all(f.value == text[f.start:f.end] and f.value not in repr(f) for f in found)


def test_scan_dataframe() -> None:
    df = pd.DataFrame({"message": ["ok", "login from 10.1.2.3", None, "mail a@example.org"]}, index=[10, 11, 12, 13])
    out = scan_dataframe(df, "message")
    assert list(out["row"]) == [11, 13]
    assert list(out["type"]) == ["IPV4", "EMAIL"]


def test_multiline_pem_is_one_span() -> None:
    body = "\n".join(["MIIEowIBAAKCAQEA1c7+9Xq2"] * 20)
    pem = f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----"
    text = f"loaded\n{pem}\ndone 10.0.0.1\n"
    spans = scan_text(text)
    assert [(text[s.start:s.end], s.type) for s in spans][0] == (pem, "PRIVATE_KEY")
    assert len([s for s in spans if s.type == "PRIVATE_KEY"]) == 1


def _resolve_reference(cands: list[tuple[int, int, int, str, str]]) -> list[tuple[int, int, int, str, str]]:
    """Longest first (ties: lower priority value, then earlier start, type, then the detectors' order),
    skipping any that overlaps a kept one; ordered by (start, end, type)."""
    kept: list[tuple[int, int, int, str, str]] = []
    for c in sorted(cands, key=lambda c: (c[0] - c[1], c[2], c[0], c[3])):
        if all(c[1] <= k[0] or k[1] <= c[0] for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: (c[0], c[1], c[3]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12), st.integers(0, 3),
                          st.sampled_from(["A", "B"]), st.sampled_from(["x", "y", "z"])), max_size=30))
def test_overlap_resolution_equals_the_greedy_reference(raw: list[tuple[int, int, int, str, str]]) -> None:
    from tftsr_kernel.pii.engine import _resolve

    cands = [(s, s + n, p, t, name) for s, n, p, t, name in raw]
    assert _resolve(list(cands)) == _resolve_reference(cands)


@pytest.mark.parametrize("bad", ["email", "EMAIL\n", "E", "EMAIL-X", "Ä_TYPE", ""])
def test_type_names_are_whole_upper_case_words(bad: str) -> None:
    from tftsr_kernel.pii import Detector, Registry

    with pytest.raises(ValueError, match="upper-case words"):
        Registry([Detector("d", bad, r"x")])
