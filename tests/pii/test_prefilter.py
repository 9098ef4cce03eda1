"""The structural prefilter (one Hyperscan pass with every pattern) must change speed, never results."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import Registry, Scanner, load_gitleaks_rules, native, prefilter, triggers
from tftsr_kernel.pii.backend import Compiled, PreparedText, python_syntax
from tftsr_kernel.pii.catalog import CORES, Detector
from tftsr_kernel.pii.prefilter import (
    ENDS,
    PRESENCE,
    SOM,
    WHOLE,
    Prefilter,
    cut_bounded_tail,
    cut_branch_tails,
    cut_run_head,
    cut_run_tail,
    max_width,
    prefilter_expression,
    som_windows,
)

from .pieces import FIXTURES
from .pieces import PIECES as BASE_PIECES

pytestmark = pytest.mark.skipif(not triggers.HAVE_HYPERSCAN, reason="hyperscan is not installed")

PIECES = [*BASE_PIECES, "(415) 555-0132", "blk_-1608999687919862906", "1.2.3.4.5", "v1.2.3.4", "10.0.0.256",
          "00:00:00:00:00:00", "GB82WEST12345698765432"]
FILLER = ["INFO ok", "\n", " ", "k=v;", "\t", "version 1.2.3.4", "key", "token", "pass", "@", ":", ".", "-", "0",
          "9", "a", "Z", "_", "/", "=", "\"", "user", "org.apache.spark.io", "2024-01-01 10:00:01,123"]


def _plain() -> Scanner:
    sc = Scanner()
    sc._gate = False  # every detector over the whole text: the reference
    return sc


def _prefiltered(registry: Registry | None = None, *, finders: bool = True) -> Scanner:
    """A scanner that prefilters every ASCII text, however short; ``finders=False``: patterns with a native
    finder stay in Hyperscan (the prefilter's own paths, as without the native parts)."""
    sc = Scanner(registry)
    sc.prefilter_min = 0
    sc._finders_whole = finders
    return sc


def _found(sc: Scanner, text: str) -> list[tuple[int, int, str, str, str]]:
    return [(s.start, s.end, s.type, s.detector, s.value_hash) for s in sc.scan(text)]


PLAIN = _plain()
PREFILTERED = _prefiltered()  # shared: building the Hyperscan database costs about a second


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(FILLER),
                          st.text(alphabet="0123456789abcdefABCDEF.:-_ =/@\n", max_size=24)), max_size=40))
def test_prefiltered_scan_equals_whole_text_scan(parts: list[str]) -> None:
    text = "".join(parts)
    sc = PREFILTERED  # its dense detectors switch to presence as examples come: results never change
    assert sc._prefilter_for(PreparedText(text or "x")) is not None
    assert _found(sc, text) == _found(PLAIN, text)


def test_dense_detectors_switch_to_presence_and_results_stay_the_same() -> None:
    rnd = random.Random(7)
    text = " ".join(f"fe80::{rnd.randrange(1 << 16):x}:{i:x} user=u{i}" for i in range(3000))
    text += " " + " ".join(PIECES[:23])
    sc = _prefiltered(finders=False)
    first = _found(sc, text)
    assert sc._prefilter is not None
    modes = dict(zip((c.detector.name for c in sc._compiled), sc._prefilter.modes, strict=True))
    assert modes["ipv6"] == PRESENCE and modes["aws_access_key"] in (SOM, ENDS)
    assert "dense (whole text when present)" in sc.prefilter_summary and "0 not covered" in sc.prefilter_summary
    assert _found(sc, text) == first == _found(PLAIN, text)
    assert _found(sc, "nothing here") == []


_FINDERS = native.matcher.FINDERS if native.matcher is not None else ()


@pytest.mark.skipif(not _FINDERS, reason="the native parts are not built here")
def test_a_pattern_with_a_native_finder_is_left_out_of_hyperscan_and_still_found() -> None:
    """Its finder searches the whole text: it has no Hyperscan expression, no database holds it, no report
    stands for it, and every one of its matches is found (as by the whole-text scan)."""
    sc = _prefiltered()
    text = " ".join(["DE89 3704 0044 0532 0130 00", "00:1a:2b:3c:4d:5e", "(415) 555-0132", "10.1.2.3",
                     "4111 1111 1111 1111", "db01.prod.corp.example.com", "user=alice", "INFO ok", "fe80::1:2"] * 40)
    found = _found(sc, text)
    pf = sc._prefilter
    assert pf is not None
    names = [c.detector.name for c in sc._compiled]
    by_finder = {n for n, c in zip(names, sc._compiled, strict=True) if c.detector.pattern in _FINDERS}
    assert {"iban", "mac", "phone_nanp", "ipv6", "ipv4"} <= by_finder
    assert {n for n, m in zip(names, pf.modes, strict=True) if m == WHOLE} == by_finder
    assert all(pf._exprs[names.index(n)] is None for n in by_finder)
    hits, _ = pf.scan(text.encode())
    assert all(hits.count(names.index(n)) == 0 for n in by_finder)
    types = {t for _, _, t, _, _ in found}
    assert {"IBAN", "MAC", "PHONE", "IPV6", "IPV4", "CREDIT_CARD", "HOSTNAME", "USERNAME"} <= types
    assert found == _found(PLAIN, text)
    assert "whole text by a native finder" in sc.prefilter_summary
    # the presence gate for short texts still covers them: a short text without their structure skips them
    assert all(sc.presence_gate().covers[names.index(n)] for n in by_finder)


def test_short_or_non_ascii_text_is_not_prefiltered() -> None:
    sc = Scanner()
    assert sc._prefilter_for(PreparedText("10.0.0.1 " * 10)) is None
    assert sc._prefilter_for(PreparedText("café 10.0.0.1 " * 10000)) is None
    assert sc._prefilter is None  # nothing built for them
    assert sc.prefilter_summary == "structural prefilter: not built"
    assert sc._prefilter_for(PreparedText("10.0.0.1 " * 10000)) is not None


def test_som_windows_hold_every_match() -> None:
    pf = Prefilter([r"(?P<v>a[0-9]+b)", r"x{2,3}"], [False, True])
    assert pf.modes == [SOM, ENDS]
    data = b"a1b a22b xxxx a3 a444b"
    hits, modes = pf.scan(data)
    regions = som_windows(hits.flat(0), len(data))
    rx = Compiled(r"(?P<v>a[0-9]+b)")
    whole = rx.values(PreparedText(data.decode()))  # the value is the whole match here
    assert whole and all(any(s <= ms and me <= e for s, e in regions) for ms, me in whole)
    assert hits.flat(1)[1::2] == [11, 12, 13]  # every end of a run of x: ends only
    assert som_windows([5, 9, 0, 3, 2, 4, 8, 12], 12, margin=0) == [(0, 4), (5, 12)]
    assert som_windows([20, 25, 0, 3, 28, 30], 30) == [(0, 4), (19, 26), (27, 30)]  # widened by the margin, clamped
    assert som_windows([5, 9, 0, 3], 12) == [(0, 10)]  # touching once widened: merged


def test_presence_only_patterns_report_once_each_from_their_own_database() -> None:
    pf = Prefilter([r"(?P<v>a[0-9]+b)", r"x{2,3}", r"q[0-9]+", r"zz"], [False, True, False, True])
    data = b"a1b q1 xxxx a3 a444b q22 xx"
    before, _ = pf.scan(data)
    pf.make_presence_only([1, 2, 3])
    assert pf.modes == [SOM, PRESENCE, PRESENCE, PRESENCE]
    assert sum(presence for _, presence in pf._state[0]) == 1  # one presence database, apart
    hits, modes = pf.scan(data)
    assert modes == (SOM, PRESENCE, PRESENCE, PRESENCE)
    assert hits.flat(0) == before.flat(0)  # the windowed pattern still reports every match
    assert hits.count(1) == 1 and hits.count(2) == 1 and hits.count(3) == 0  # present: one report; absent: none
    dbs = pf._state[0]
    pf._build()  # a rebuild compiles only the groups whose patterns or modes changed
    assert all(a[0] is b[0] for a, b in zip(dbs, pf._state[0], strict=True))
    pf.make_presence_only([3])  # already presence-only: nothing rebuilt
    hits, _ = pf.scan(b"zz q3 xxx")
    assert all(hits.count(i) == 1 for i in (1, 2, 3)) and hits.count(0) == 0  # every one seen: the scan may stop early


def test_a_pattern_searched_whole_is_not_compiled_and_stays_whole() -> None:
    pf = Prefilter([r"(?P<v>a[0-9]+b)", r"x{2,3}"], [False, True], [True, False])
    assert pf.modes == [WHOLE, ENDS] and pf._exprs[0] is None
    hits, modes = pf.scan(b"a1b xxx a22b")
    assert hits.count(0) == 0 and hits.count(1) and modes == (WHOLE, ENDS)
    pf.make_presence_only([0, 1])
    assert pf.modes == [WHOLE, PRESENCE]


def test_a_compile_of_milliseconds_is_never_slow_enough_for_a_database_of_its_own() -> None:
    pats = [_KEYED, _BRANCHED, r"(?:^|[^a-z])k=(?P<v>[a-z]{3,})"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(prefilter, "SOLO_COMPILE", -1)  # every compile beyond the ratio
        mp.setattr(prefilter, "SOLO_SECONDS", 3600)
        pf = Prefilter(pats, [False] * len(pats))
    assert not pf._solo and pf.modes == [SOM, SOM, SOM] and len(pf._state[0]) == 1


def test_a_pattern_slow_to_compile_gets_a_database_of_its_own() -> None:
    sc = Scanner()
    pf = Prefilter([c.detector.pattern for c in sc._compiled],
                   [max_width(c.detector.pattern) is not None for c in sc._compiled])
    dbs = pf._state[0]
    assert len(dbs) == 1 + len(pf._solo)
    assert all(pf.modes[i] == SOM for i in pf._solo)


def test_prefilter_expression_drops_only_a_leading_boundary() -> None:
    assert prefilter_expression(r"(?:^|[^A-Za-z0-9_])(?P<v>AKIA[A-Z0-9]{16})(?:[^A-Za-z0-9_]|$)") == \
        r"(?:AKIA[A-Z0-9]{16})(?:[^A-Za-z0-9_]|$)"
    assert prefilter_expression(r"(?i)(?:^|[^a-z0-9])(?:pass)=(?P<v>\S+)") == r"(?i)(?:pass)=(?:\S+)"
    assert prefilter_expression(r"(?:^|[ \t])-u (?P<v>x)") == r"(?:^|[ \t])-u (?:x)"  # not a negated class
    # the stripped form does not compile here: the prefilter keeps the whole pattern instead
    pf = Prefilter([r"(?:^|[^a])?b[0-9]+"], [False])
    assert pf.modes == [SOM] and pf._exprs[0] == rb"(?:^|[^a])?b[0-9]+"


def test_a_trailing_run_is_cut_to_its_first_character_and_windows_extend_over_it() -> None:
    cut = cut_run_tail(r"(?i)(?:key)=(?:[a-z0-9]{12,}={0,3})")
    assert cut is not None
    expr, tail = cut
    assert expr == r"(?i)(?:key)=(?:[a-z0-9])"
    text = "key=AbCdEf0123456789xyz== rest"
    assert tail.end(text, 5) == text.index(" rest") - 2 + 3  # the run, then room for "==="
    plus = cut_run_tail(r"user (?:[a-z]+)")
    assert plus is not None and plus[0] == r"user (?:[a-z])"
    may_be_empty = cut_run_tail(r"k=(?:[a-z]{0,})")
    assert may_be_empty is not None and may_be_empty[0] == r"k=(?:[a-z]{0})"  # none of it
    assert cut_run_tail(r"(?i:a)[a-z]+") is None
    assert cut_run_tail(r"[a-z]+(?:[^a-z]|$)") is None  # a boundary after the run ends its reports anyway
    padded = cut_run_tail(r"(?i)bearer\s+(?:[a-z0-9]{12,}=*)")  # any number of '=': the window runs past them
    assert padded is not None and padded[0] == r"(?i)bearer\s+(?:[a-z0-9])"
    assert padded[1].end("bearer AbCdEf0123456789==== x", 19) == len("bearer AbCdEf0123456789====")
    pf = Prefilter([r"(?:^|[^a-z])k=(?P<v>[a-z]{3,})"], [False])
    assert pf.modes == [SOM] and pf.tails[0] is not None
    data = "k=abcdefgh k=ab k=xyzxyz"
    hits, _ = pf.scan(data.encode())
    assert hits.flat(0)[1::2] == [3, 14, 19]  # one report per run: after its first character
    sc = _prefiltered(Registry([Detector("kv", "KV", r"(?:^|[^a-z])k=(?P<v>[a-z]{3,})")]))
    plain = Scanner(sc.registry)
    plain._gate = False
    assert _found(sc, data) == _found(plain, data) and len(_found(sc, data)) == 2


_BRANCHED = r"(?P<v>ab-[a-z0-9-]{4,}|cd-[0-9]-[a-z0-9-]{4,}|x/[a-z0-9+/_-]{6,})"


def test_every_branch_of_a_last_alternation_has_its_run_cut_and_windows_extend_over_any_of_them() -> None:
    cut = cut_branch_tails(prefilter_expression(_BRANCHED))
    assert cut is not None
    expr, tail = cut
    assert expr == r"(?:ab-[a-z0-9-]|cd-[0-9]-[a-z0-9-]|x/[a-z0-9+/_-])"
    assert tail.end("ab-abcd-e/f_g+ rest", 7) == len("ab-abcd-e/f_g+")  # over the union of the classes
    assert cut_branch_tails(r"(?:a[a-z]+|b)") is None and cut_branch_tails(r"(?:a[a-z]+)") is None
    assert cut_branch_tails(r"(?i:a[a-z]+|b[0-9]+)") is None  # a scoped flag
    pf = Prefilter([_BRANCHED], [False])
    hits, _ = pf.scan(b"ab-abcdefgh cd-1-xyzxyz")
    assert hits.flat(0)[1::2] == [4, 18]  # one report per match: after the first character of its run


_KEYED = r"(?i)(?:^|[^a-z])key=(?P<v>[a-z0-9]{12,}={0,3})"


@pytest.mark.parametrize("pattern", [_BRANCHED, _KEYED])
@settings(max_examples=150, deadline=None)
@given(parts=st.lists(st.sampled_from(["ab-", "cd-1-", "x/", "abcd", "a-b", "+/_", "-", " ", "\n", "9", "ab-ab-",
                                       "key=", "=", "KEY=", "0123456789", "." * 90]), max_size=16))
def test_cut_runs_find_what_a_whole_text_scan_finds(pattern: str, parts: list[str]) -> None:
    text = "".join(parts) + "." * 20000  # sparse windows: a window that ended too early would cut a value short
    registry = Registry([Detector("cut", "CUT", pattern)])
    plain = Scanner(registry)
    plain._gate = False
    sc = _prefiltered(registry)
    assert _found(sc, text) == _found(plain, text)
    assert sc._prefilter is not None and sc._prefilter.modes == [SOM]  # windows, not a whole-text pass
    assert sc._prefilter.tails[0] is not None  # the run is cut


_SLOW_PARTS = st.lists(st.sampled_from(["ab-", "cd-1-", "x/", "abcd", "a-b", "+/_", "-", " ", "\n", "9", "ab-ab-",
                                         "key=", "=", "KEY=", "0123456789", "." * 90, "==", "Key= "]), max_size=16)


@settings(max_examples=100, deadline=None)
@given(parts=_SLOW_PARTS)
def test_a_pattern_slow_to_compile_by_start_is_matched_by_end_when_its_run_was_cut(parts: list[str]) -> None:
    """Every start-of-match compile counts as slow here: each pattern whose trailing run was cut and whose
    rest is bounded is then matched by end in the main database, its windows reaching over the run."""
    registry = Registry([Detector("keyed", "KEYED", _KEYED), Detector("branched", "BRANCHED", _BRANCHED)])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(prefilter, "SOLO_COMPILE", -1)
        mp.setattr(prefilter, "SOLO_SECONDS", 0)
        sc = _prefiltered(registry)
        text = "".join(parts) + "." * 20000
        plain = Scanner(registry)
        plain._gate = False
        assert _found(sc, text) == _found(plain, text)
    pf = sc._prefilter
    assert pf is not None and pf.modes == [ENDS, ENDS] and not pf._solo
    assert all(t is not None for t in pf.tails) and pf.reach[0] == (len("key=") + 1 + 1, 1)  # "(?i)key=" + a char


def test_a_leading_run_is_cut_to_its_minimum_and_windows_extend_back_over_it() -> None:
    cut = cut_run_head(r"(?i)(?:[a-z0-9.]+@(?:[a-z]+\.)+[a-z]{2,})")
    assert cut is not None
    expr, head = cut
    assert expr == r"(?i)(?:[a-z0-9.]@(?:[a-z]+\.)+[a-z]{2,})"
    text = "to: Jane.Doe7@example.com"
    assert head.start(text, text.index("7")) == text.index("Jane")  # case folded like the pattern
    assert head.start(text, 0) == 0
    assert cut_run_head(r"[a-z]{3,}x") is not None and cut_run_head(r"[a-z]{3,}x")[0] == r"[a-z]{3}x"  # type: ignore[index]
    assert cut_run_head(r"(?:[a-z]+b)+c") is None  # inside a repeated group: left whole
    assert cut_run_head(r"(?:(?:[a-z]+b)c){2}") is None
    assert cut_run_head(r"(?:(?:[a-z]+b)c)d") is not None
    assert cut_run_head(r"x[a-z]+") is None
    pf = Prefilter([r"(?:^|[^a-z])(?P<v>[a-z.]+@[a-z]+\.[a-z]{2,})(?:[^a-z]|$)"], [False])
    assert pf.modes == [SOM] and pf.heads[0] is not None


_EMAILISH = st.text(alphabet="ab.%+-_@40 9:Z\n", max_size=30)
_EMAIL_REG = Registry(d for d in PLAIN.registry if d.name in ("email", "hostname", "username_assignment"))
_EMAIL_PF, _EMAIL_PLAIN = _prefiltered(_EMAIL_REG), Scanner(_EMAIL_REG)
_EMAIL_PLAIN._gate = False


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_EMAILISH, st.sampled_from(["jane.doe@example.com", "x%40mail.example.org", "a@b.co",
                                                      "@", "%40", "..", "a.b.c@d.e.fr"])), max_size=20))
def test_cut_leading_run_scan_equals_whole_text_scan(parts: list[str]) -> None:
    text = "".join(parts) or " "
    assert _found(_EMAIL_PF, text) == _found(_EMAIL_PLAIN, text)
    assert _EMAIL_PF._prefilter is not None and _EMAIL_PF._prefilter.heads[0] is not None  # the cut is in use


def test_a_bounded_tail_is_cut_to_its_minimum_and_windows_reach_past_it() -> None:
    assert cut_bounded_tail(r"(?:[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)") == \
        r"(?:[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2})"
    assert cut_bounded_tail(r"a(?:b){0,3}") == "a" and cut_bounded_tail(r"a(?:\)?") is None
    assert cut_bounded_tail(r"(?:a){0,3}") is None and cut_bounded_tail(r"ab{2,3}") is None
    assert cut_bounded_tail(r"(?:x|(?:y){2,5})") == r"(?:x|(?:y){2})"
    assert cut_bounded_tail(r"[)](?:b)?") == "[)]"
    pf = Prefilter([r"(?:^|[^A-Z0-9])(?P<v>[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7})"], [True])
    assert pf.modes == [ENDS] and pf.reach[0] == (2 + 2 + 10 + 1, 1 + 2 + 2 + 35 - 12 + 1)


_NUMERIC = st.text(alphabet="DEGB0123456789AZ :+.()-\nf", max_size=40)
_NUM_REG = Registry(d for d in PLAIN.registry if d.name in ("iban", "phone_international", "ipv6", "mac"))
_NUM_PF, _NUM_PLAIN = _prefiltered(_NUM_REG, finders=False), Scanner(_NUM_REG)
_NUM_PLAIN._gate = False


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_NUMERIC, st.sampled_from(["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
                                                     "+44 20 7946 0958", "fe80::1ff:fe23:4567:890a", "::ffff:1.2.3.4",
                                                     "DE89370400440532013000DE89", " ", "\n"])), max_size=12))
def test_cut_bounded_tail_scan_equals_whole_text_scan(parts: list[str]) -> None:
    text = "".join(parts) or " "
    assert _found(_NUM_PF, text) == _found(_NUM_PLAIN, text)
    assert _NUM_PF._prefilter is not None and _NUM_PF._prefilter.reach[0] is not None  # the cut is in use


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_match_of_a_catalog_pattern_holds_a_match_of_its_core(data: st.DataObject) -> None:
    pattern = data.draw(st.sampled_from(sorted(CORES)))
    match = data.draw(st.from_regex(python_syntax(pattern), fullmatch=True))
    assert re.search(CORES[pattern], match), (pattern, match)


def test_a_core_is_scanned_for_and_windows_reach_as_wide_as_the_pattern() -> None:
    ipv6 = next(d.pattern for d in PLAIN.registry if d.name == "ipv6")
    pf = Prefilter([ipv6], [True])
    assert pf.modes == [ENDS] and pf._exprs == [CORES[ipv6].encode()]
    width = 1 + 4 + 7 * 5 + 3 * 4  # boundary, first group, seven more, three dotted octets
    assert pf.reach == [(width + 1, width - 2 + 1)]  # a core's match is "::" at least; one MARGIN each side


_COLONS = st.text(alphabet="0123456789abcdefABCDEFg:. \n", max_size=40)
_IPV6_REG = Registry(d for d in PLAIN.registry if d.name in ("ipv6", "mac"))
_IPV6_PLAIN = Scanner(_IPV6_REG)
_IPV6_PLAIN._gate = False


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_COLONS, st.sampled_from(["::", ":::", "fe80::1ff:fe23:4567:890a", "1:2:3:4:5:6:7:8",
                                                    "::ffff:1.2.3.4", "0:0:0:0:0:0:0:0.1.2.3", "12:34:56", "a:b::",
                                                    "2001:db8:0:0:1:0:0:1", "1111:2222:3333:4444:5555:6666:7777:8888",
                                                    "::ffff:192.168.100.200", " ", "\n"])),
                max_size=12), st.integers(0, 3))
def test_a_core_scan_equals_whole_text_scan(parts: list[str], spread: int) -> None:
    # spread apart, windows stay sparse: the detector is searched in windows, not switched to presence
    text = ("ok " * 200 * spread).join(parts) or " "
    sc = _prefiltered(_IPV6_REG, finders=False)
    assert _found(sc, text) == _found(_IPV6_PLAIN, text)
    pf = sc._prefilter
    assert pf is not None and pf._exprs[0] == CORES[next(iter(_IPV6_REG)).pattern].encode()  # the core is in use


def test_max_width() -> None:
    assert max_width(r"(?P<v>(?:[0-9]{1,3}\.){3}[0-9]{1,3})") == 15
    assert max_width(r"a[0-9]+") is None
    assert max_width(r"(?<") is None  # does not parse: unknown


def test_custom_and_gitleaks_detectors_are_prefiltered_or_left_to_the_hints() -> None:
    reg = Registry()
    reg.add(Detector("ticket", "TICKET_ID", r"(?P<v>TCK-[0-9]{6})"))
    reg.add(Detector("letters_then_digits", "ODD", r"(?P<v>\pL{3}[0-9]{4}z)"))
    for d in load_gitleaks_rules(FIXTURES / "gitleaks-format.toml"):
        reg.add(d, replace=True)
    text = " ".join(["TCK-123456", "abc1234z", "p8e-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "AKIAQ3EGRTY5WXZ7ABCD",
                     "10.1.2.3", "x" * 40] * 50)
    sc = _prefiltered(reg)
    plain = Scanner(reg)
    plain._gate = False
    got = _found(sc, text)
    assert {"TICKET_ID", "ODD", "IPV4", "AWS_ACCESS_KEY"} <= {t for _, _, t, _, _ in got}
    assert got == _found(plain, text)
    assert sc._prefilter is not None and None in sc._prefilter.modes or all(sc._prefilter.modes)


def test_one_dense_stretch_does_not_switch_a_detector_dense_text_overall_does() -> None:
    sc = _prefiltered(finders=False)
    ipv6 = "fe80::1ff:fe23:4567:890a"
    sparse = ("INFO request served in 12 ms\n" * 20000) + f"peer {ipv6} up\n"
    dense = " ".join(f"peer {ipv6} up" for _ in range(100))
    modes = lambda: dict(zip((c.detector.name for c in sc._compiled), sc._prefilter.modes, strict=True))  # noqa: E731
    assert _found(sc, sparse) == _found(PLAIN, sparse)
    assert modes()["ipv6"] == ENDS
    assert _found(sc, dense) == _found(PLAIN, dense)
    assert modes()["ipv6"] == ENDS  # the dense stretch is small against all text seen so far
    for _ in range(3):
        assert _found(sc, dense * 50) == _found(PLAIN, dense * 50)
    assert modes()["ipv6"] == PRESENCE


@pytest.mark.parametrize("size", [200, 20_000, 100_000])
@pytest.mark.parametrize("keyword_at", [None, "start", "far"])
def test_keywords_of_a_rule_count_anywhere_in_the_text(size: int, keyword_at: str | None) -> None:
    """A gitleaks rule's or a profile's keywords need only be somewhere in the text, however far from the
    match and whichever path the text takes (presence gate, hint windows, structural prefilter)."""
    rule = Detector("k", "EMPLOYEE_ID", r"(?P<v>EMP-[0-9]{6})", hints=("magic",), hints_in_match=False)
    filler = "INFO request served in 12 ms\n" * (size // 29)
    head = "magic header\n" if keyword_at == "start" else ""
    tail = "\n" + "x" * 5000 + " magic" if keyword_at == "far" else ""
    text = head + filler + "id EMP-123456 done\n" + tail
    plain = Scanner(Registry([rule]))
    plain._gate = False
    gated = Scanner(Registry([rule]))
    gated.GATE_AFTER = 0  # the presence gate from the first short text
    expected = [] if keyword_at is None else [text.index("EMP-")]
    assert [s.start for s in plain.scan(text)] == expected
    assert [s.start for s in gated.scan(text)] == expected


# Hyperscan (0.9.1) was seen to miss a match of [x"]--(?:[a-z0-9]{1,16}-)?password only when it starts 23 or
# more bytes into the text: every example is shifted over the first 64 offsets, behind text of two kinds
_SHIFTS = ["a" * 64, '{"level":"debug","args":["--verbose","x"],"msg":"ok","n":1234567} ']


def _examples() -> list[str]:
    from . import format_cases, test_config_shapes

    return [text for _, text, _ in (*format_cases.POSITIVES, *test_config_shapes.POSITIVES)]


@pytest.mark.parametrize("path", ["prefilter", "presence gate"])
def test_every_example_is_found_at_every_offset_on_the_hyperscan_paths(path: str) -> None:
    sc = Scanner()
    if path == "prefilter":
        sc.prefilter_min = 0
    else:
        sc.GATE_AFTER = 0
    missed = []
    for text in _examples():
        for shift in _SHIFTS:
            for n in range(65):
                shifted = shift[:n] + text
                if _found(sc, shifted) != _found(PLAIN, shifted):
                    missed.append((n, shifted))
                    break
    assert not missed, missed[:3]


_GATED = Scanner()
_GATED.GATE_AFTER = 0  # the presence gate from the first short text


@pytest.mark.parametrize("name", [d.name for d in PLAIN.registry])
def test_a_generated_match_of_each_pattern_is_found_on_the_hyperscan_paths_at_any_offset(name: str) -> None:
    """A match of each catalog pattern, after 0-64 characters of two kinds of text: what the whole-text scan
    finds, the prefilter and the presence gate find (a Hyperscan miss that depends on the offset shows here)."""
    pattern = python_syntax(next(d.pattern for d in PLAIN.registry if d.name == name))

    @settings(max_examples=40, deadline=None)
    @given(st.from_regex(pattern, fullmatch=True, alphabet=st.characters(max_codepoint=127)),
           st.sampled_from(_SHIFTS), st.integers(0, 64), st.sampled_from(["", " ", "\n"]))
    def found_alike(match: str, shift: str, n: int, joint: str) -> None:
        text = shift[:n] + joint + match + " end"  # (a joint stands in for a lead that matched ^)
        assert _found(PREFILTERED, text) == _found(PLAIN, text)
        assert _found(_GATED, text) == _found(PLAIN, text)

    found_alike()
