"""Both engine paths (google-re2 + Hyperscan triggers, and the pure-Python fallback) and the literal
trigger gating must find exactly what a plain scan of the whole text with every detector finds."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import Registry, Scanner, backend, load_gitleaks_rules, triggers
from tftsr_kernel.pii.backend import Compiled, PreparedText, go_to_python
from tftsr_kernel.pii.triggers import TriggerFinder, windows

from .pieces import FIXTURES
from .pieces import PIECES as BASE_PIECES

PIECES = [*BASE_PIECES, "naïve café ✓"]


def _text(seed: int, n: int = 400) -> str:
    rnd = random.Random(seed)
    filler = ["INFO ok", "\n", " ", "x" * 5000, "k=v;", "\t", "version 1.2.3.4", "key", "token", "pass", "@"]
    return " ".join(rnd.choice(PIECES) if rnd.random() < 0.4 else rnd.choice(filler) for _ in range(n))


def _found(sc: Scanner, text: str) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.type, s.detector) for s in sc.scan(text)]


@pytest.mark.parametrize("seed", range(6))
def test_gated_scan_equals_whole_text_scan(seed: int) -> None:
    text = _text(seed)
    gated = Scanner()
    plain = Scanner()
    plain._gate = False
    got = _found(gated, text)
    assert got == _found(plain, text)
    assert {"AWS_ACCESS_KEY", "PRIVATE_KEY", "EMAIL"} <= {t for _, _, t, _ in got}


@pytest.fixture
def pure_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend, "HAVE_RE2", False)
    monkeypatch.setattr(triggers, "HAVE_HYPERSCAN", False)


@pytest.mark.skipif(not backend.HAVE_RE2, reason="google-re2 is not installed: only one path to compare")
@pytest.mark.parametrize("seed", range(3))
def test_fallback_path_finds_the_same_spans(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _text(100 + seed, 120)
    fast = Scanner()
    assert set(fast.backends.values()) == {"re2"}
    monkeypatch.setattr(backend, "HAVE_RE2", False)
    monkeypatch.setattr(triggers, "HAVE_HYPERSCAN", False)
    slow = Scanner()
    assert set(slow.backends.values()) == {"re"} and slow.trigger_engine == "find"
    assert _found(slow, text) == _found(fast, text)


def test_fallback_loads_gitleaks_rules_with_go_syntax(pure_python: None) -> None:
    detectors = load_gitleaks_rules(FIXTURES / "gitleaks-format.toml")
    sc = Scanner(Registry(detectors))
    assert set(sc.backends.values()) == {"re"}
    text = "adobe p8e-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z and AKIAQ3EGRTY5WXZ7ABCD ok"
    assert {text[s.start:s.end] for s in sc.scan(text)} == {"p8e-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
                                                            "AKIAQ3EGRTY5WXZ7ABCD"}


@pytest.mark.parametrize(("pattern", "text", "value"), [
    (r"\b(p8e-(?i)[a-z0-9]{8})\b", "x p8e-AbCdEf12 y", "p8e-AbCdEf12"),
    (r"x(?i)ab|cd", "CD", "CD"),           # Go: the flag runs to the end of the group, across |
    (r"x(?i)ab|cd", "xAB", "xAB"),
    (r"(?:k(?i)ey)=(\w+)\z", "kEY=v1", "v1"),
    (r"[[:digit:]]{3}-[[:alpha:]]+", "id 123-abc", "123-abc"),
    (r"q(?<name>[0-9]+)", "q42", "42"),
])
def test_go_syntax_translation_matches_like_re2(pattern: str, text: str, value: str) -> None:
    import re

    m = re.search(go_to_python(pattern), text)
    assert m is not None
    assert (m.group(1) if m.re.groups else m.group(0)) == value
    if backend.HAVE_RE2:
        rx = Compiled(pattern, ("#first",))
        assert rx.uses_re2
        (vs, ve), = rx.values(PreparedText(text))
        assert text.encode()[vs:ve].decode() == value


def test_go_translation_refuses_what_python_cannot_do() -> None:
    with pytest.raises(backend.PatternError):
        go_to_python("a(?U)b+")


@pytest.mark.parametrize("use_hyperscan", [True, False])
def test_trigger_finder_reports_every_occurrence_case_insensitively(use_hyperscan: bool) -> None:
    if use_hyperscan and not triggers.HAVE_HYPERSCAN:
        pytest.skip("hyperscan is not installed")
    tf = TriggerFinder(["AKIA", "pass", "ss", "ghp_"], use_hyperscan=use_hyperscan)
    assert tf.engine == ("hyperscan" if use_hyperscan else "find")
    data = b"akia PASSword Akia passs"
    assert tf.find(data) == {"akia": [0, 14], "pass": [5, 19], "ss": [7, 21, 22]}
    assert tf.find("İpass") is None or tf.find("İpass") == {"pass": [1]}


def test_windows_merge_and_clamp() -> None:
    assert windows([5, 10, 100], 10, 20, 110) == [(0, 30), (90, 110)]
    assert windows([], 10, 10, 50) == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789.:-aF \n", max_size=80))
def test_a_whole_match_value_group_is_dropped_for_re2_with_the_same_spans(text: str) -> None:
    from tftsr_kernel.pii.backend import _whole_group

    for pattern in (r"(?P<v>(?:[0-9]{1,3}\.){3}[0-9]{1,3})",
                    r"(?P<v>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){2}|[0-9]{3}-[0-9])"):
        assert _whole_group(pattern)
        fast, python = Compiled(pattern), Compiled(pattern, force_python=True)
        assert fast.values(PreparedText(text)) == python.values(PreparedText(text))
    assert not _whole_group(r"(?P<v>a)(?:b)") and not _whole_group(r"(?P<v>a)|b") and not _whole_group(r"x(?P<v>a)")


def test_posix_classes_keep_their_meaning_in_python_re() -> None:
    """``re`` would read [[:digit:]] as the set '[:digt' followed by ']': a different pattern that compiles."""
    from tftsr_kernel.pii.backend import compile_python

    rx = compile_python(r"[[:digit:]]{3}")
    assert rx.fullmatch("123")
    assert not rx.search("d]]]")


@pytest.mark.skipif(not backend.HAVE_RE2, reason="google-re2 is not installed: the literal-prefix search is RE2's")
@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["-----BEGIN", "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----",
                                 "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "QUJD", "\n", " ",
                                 "-----", "BEGIN", "x"]), max_size=14),
       st.lists(st.tuples(st.integers(0, 200), st.integers(0, 60)), max_size=3))
def test_a_literal_prefix_search_finds_what_an_unanchored_search_finds(
        parts: list[str], cuts: list[tuple[int, int]]) -> None:
    """Every PEM match starts with '-----BEGIN': RE2 searches for it and matches anchored there, which
    must give the same matches as an unanchored search, in the whole text and in regions."""
    text = "".join(parts)
    pattern = r"(?P<v>-----BEGIN[A-Z0-9 ]* PRIVATE KEY-----(?s:.)*?-----END[A-Z0-9 ]* PRIVATE KEY-----)"
    fast, python = Compiled(pattern), Compiled(pattern, force_python=True)
    assert fast._prefix == b"-----BEGIN"
    regions, at = [], 0
    for gap, width in cuts:
        regions.append((at + gap, min(at + gap + width, len(text))))
        at = regions[-1][1]
    regions = [(s, e) for s, e in regions if s <= e <= len(text)] or None
    prepared = PreparedText(text)
    assert fast.values(prepared, regions) == python.values(prepared, regions)
    assert not Compiled(r"(?:^|[^a-z])-----BEGIN")._prefix and not Compiled(r"(?i)akia[0-9]")._prefix
    assert Compiled(r"(?i)-----begin")._prefix == b"-----"  # what precedes the case-insensitive part


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    (r"key=[a-z]+$", "key=abc\n", []),                    # Go's $ is the end of the text, not before a last \n
    (r"(?m)key=[a-z]+$", "key=abc\nx", [(0, 7)]),         # ... unless multi-line
    (r"ab(?m)c$", "abc\nd", [(0, 3)]),                    # multi-line from a mid-pattern flag on
    (r"(?m:key=[a-z]+$)", "key=abc\nx", [(0, 7)]),        # ... or inside a group with its own flags
    (r"x(?m:b$)\s*c$", "xb\nc\n", []),                   # ... only inside that group
    (r"(?m)(?-m:key=[a-z]+$)", "key=abc\nx", []),        # ... and a group can turn it off
    (r"[$]x", "$x", [(0, 2)]),                            # a $ in a class is a dollar
    (r"\w+", "Rté5", [(0, 2), (3, 4)]),                   # Go's \w is ASCII
    (r"\bé", "xé", [(1, 2)]),                             # ... and so is \b: x|é is a word boundary
    (r"\bé", "éé", []),                                   # ... é|é is not
])
def test_the_fallback_reads_dollar_and_classes_as_go(pattern: str, text: str, expected: list[tuple[int, int]]) -> None:
    python = Compiled(pattern, force_python=True)
    assert python.values(PreparedText(text)) == expected
    if backend.HAVE_RE2:
        rx = Compiled(pattern)
        assert rx.uses_re2
        conv = PreparedText(text)
        got = rx.values(conv)
        chars = conv.to_chars({o for pair in got for o in pair})
        assert [(chars[s], chars[e]) for s, e in got] == expected


_SKIP_PIECES = [*PIECES, " ", "\n", ":", "x", "1.2.3", "user="]
_SKIP_DETECTORS = [*Registry(), *load_gitleaks_rules(FIXTURES / "gitleaks-format.toml")]
_SKIPPING = [Compiled(d.pattern, d.value_groups) for d in _SKIP_DETECTORS]
_NOT_SKIPPING = [Compiled(d.pattern, d.value_groups) for d in _SKIP_DETECTORS]
for _c in _NOT_SKIPPING:
    _c._least = 0  # try every stretch, however short


def _text_and_regions(parts: list[str], cuts: list[tuple[int, int]]
                      ) -> tuple[PreparedText, list[tuple[int, int]] | None]:
    """The joined text, and regions laid one after another by (gap, width), those past its end dropped."""
    text = "".join(parts)
    regions, at = [], 0
    for gap, width in cuts:
        regions.append((at + gap, at + gap + width))
        at = regions[-1][1]
    prepared = PreparedText(text)
    size = len(prepared.data) if prepared.data is not None else len(text)
    return prepared, [(s, e) for s, e in regions if e <= size] or None


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(_SKIP_PIECES), max_size=12),
       st.lists(st.tuples(st.integers(0, 120), st.integers(0, 60)), max_size=4))
def test_a_stretch_shorter_than_every_match_is_skipped_with_the_same_matches(
        parts: list[str], cuts: list[tuple[int, int]]) -> None:
    """The search skips what is left of a region when it is shorter than the pattern's shortest match:
    the values found equal those of a search that tries every stretch, for every catalog and rule pattern."""
    prepared, clipped = _text_and_regions(parts, cuts)
    for skipping, plain in zip(_SKIPPING, _NOT_SKIPPING, strict=True):
        for where in (None, clipped):
            assert skipping.values(prepared, where) == plain.values(prepared, where)
    assert Compiled(r"(?P<v>(?:[0-9]{1,3}\.){3}[0-9]{1,3})")._least == 7


_EDGE_PIECES = [*_SKIP_PIECES, "é", "✓", "//", "@", "db01.prod.corp.example.com", "4111 1111 1111 1111", "\u00e9x.io",
                "a@b.co", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"]
_GROUPED = [Compiled(d.pattern, d.value_groups) for d in _SKIP_DETECTORS]
for _c in _GROUPED:
    _c._edges = None  # the value from RE2's group, always


@pytest.mark.skipif(not backend.HAVE_RE2, reason="google-re2 is not installed: values come from re's groups")
@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_EDGE_PIECES), max_size=12),
       st.lists(st.tuples(st.integers(0, 120), st.integers(0, 60)), max_size=4))
def test_a_value_between_boundaries_is_read_from_the_match_as_the_group_has_it(
        parts: list[str], cuts: list[tuple[int, int]]) -> None:
    """Where a pattern is LEAD(?P<v>...)TRAIL with one-character boundaries, RE2 matches without the group
    and the value's bounds come from the match: they equal the group's, at the text's edges, around
    multi-byte characters and in regions, for every catalog and rule pattern."""
    prepared, clipped = _text_and_regions(parts, cuts)
    for fast, grouped in zip(_SKIPPING, _GROUPED, strict=True):
        for where in (None, clipped):
            assert fast.matches(prepared, where) == grouped.matches(prepared, where)
    read = {d.name for d, c in zip(_SKIP_DETECTORS, _SKIPPING, strict=True) if c._edges is not None}
    assert {"hostname", "credit_card", "email", "aws_access_key"} <= read


def test_boundary_edges_read_the_lead_and_the_trail() -> None:
    from tftsr_kernel.pii.backend import boundary_edges

    edges = boundary_edges(r"(?:^|[^a-z@/]|//|@)(?P<v>[a-z]+\.com)(?:[^a-z]|$)")
    assert edges is not None and edges.literals == {ord("/"): 2, ord("@"): 1} and edges.begin and edges.end
    data = b"x //host.com, @b.com; x"
    assert edges.value(data, 2, 13) == (4, 12) and edges.value(data, 14, 21) == (15, 20)
    assert edges.value("aéx.com✓ ".encode(), 1, 11) == (3, 8)  # two- and three-byte boundary characters
    assert edges.value(b"host.com", 0, 8) is None  # ^ and $ may have matched: the group decides
    assert boundary_edges(r"(?:^|[^a-z])(?P<v>[a-z]+)x") is None  # a trail that is no boundary
    assert boundary_edges(r"(?:^|[^a-z/]|/x|/y)(?P<v>[a-z]+)") is None  # two literals open alike
    assert boundary_edges(r"(?:^|[^a-z]|@)(?P<v>[a-z]+)") is None  # [^a-z] matches '@' too
    assert boundary_edges(r"(?i)(?:^|[^a-z])(?P<v>[a-z]+)") is None  # case folding: not read by hand
