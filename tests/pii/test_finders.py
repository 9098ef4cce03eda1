"""The hand-written finders of native/finders.cpp give what RE2 gives for their catalog patterns.

Each finder stands in for RE2's search of one exact catalog pattern inside the native Matcher; these tests compare
that Matcher with the Python RE2 loop (the reference) on text built from the pieces each pattern turns on, in
random regions, and pin the finders to the catalog.
"""

from __future__ import annotations

import functools
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import DEFAULT_DETECTORS, backend, native
from tftsr_kernel.pii.backend import Compiled, PreparedText
from tftsr_kernel.pii.catalog import Detector

from .test_native import _python_checked, _python_loop, _random_regions

pytestmark = pytest.mark.skipif(
    native.matcher is None and not os.environ.get("CI") or not backend.HAVE_RE2,
    reason="the native parts are not built here (make builds them)")

FINDERS: tuple[str, ...] = native.matcher.FINDERS if native.matcher is not None else ()
BY_PATTERN = {d.pattern: d for d in DEFAULT_DETECTORS}

# the characters around values: boundaries each pattern reads, Unicode that (?i) folds onto k and s, and
# multi-byte characters that a region may cut
COMMON = [" ", "  ", "\n", "\t", "\v", "\f", "\r", ".", "..", "-", "_", "/", "//", "@", ":", "=", "'", "\"", "[",
          "]", "<", ">", "a", "Z", "x", "é", "✓", "😀", "\u212a", "\u017f", "İ", "0", "7", "1234", "12345"]
PIECES = {
    "ipv4": ["1", "12", "255", "256", "007", "1.2.3.4", "10.0.0.255", "1.2.3", "999.999.999.9999", ".1", "1."],
    "credit_card": ["4111", "1111", "411111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "4 1 1 1 1",
                    "1-", "1 ", "3782 822463 10005", "0000000000000"],
    "hostname": ["db", "a-b", "-x", "x-", "A", "1", "com", "co", "COM", "in", "int", "info", "intranet", "local",
                 "localdomain", "asia", "u\u212a", "u\u017f", "\u212ar", "\u017fvc", "db01.prod.corp.example.com",
                 "a.b.c.d.e.f.g.h.i.j.k.l.m.n.com", "x" * 63, "y" * 64, "co-op", "example.co.uk", "db.u\u017f",
                 "db.u\u212a", "db.\u017fvc"],
    "username_assignment": ["user", "USER", "uſer", "UſER", "username", "user_name", "uſer_name", "user id",
                            "User Id", "ruser", "logname", "login", "uname", "db_user", "acct", "=", ":", "\\",
                            "\\\"", "\\'", "bob", "a.b", "$x", "@h", "\\-", "user=bob", "login: 'alice'",
                            "user = \\\"", "k\u212a", "user\\\"=\\\" x", "user='", "user=\\'", "user:\\\"x\\\""],
    "iban": ["DE", "de", "GB", "89", "3704", "0044", "0532", "0130", "00", "X", "AB12", "AB1", "A12", "DE89 3704",
             "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "NL91ABNA0417164300",
             "AB12CDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "AB12 CDEF GHIJ KLMN OPQR STUV WXYZ 0123 4567 89", "A B"],
    "mac": ["00", "1A", "ff", "Ff", "g0", "00:1A", ":2b", "-3C", ".4d5e", "00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E",
            "001a.2b3c.4d5e", "00:1a:2b:3c:4d", "00:1a-2b:3c:4d:5e", "001a.2b3c", "abcd", "deadbeef",
            "0a:0b:0c:0d:0e:0f:"],
    "phone_nanp": ["(", ")", "(555)", "(555) ", "555", "5555", "55", "-", ".", " ", "555-1234", "555.123.4567",
                   "555-123-4567", "(555) 123-4567", "(555)123 4567", "(555)  123-4567", "555 123 4567",
                   "12345-678-90123", "555-123.45678", "(55) 123-4567"],
    "ipv6": ["::", ":", ":::", "fe80", "FE80", "1", "ffff", "12345", "g", "::1", "2001:db8::1", "1:2:3:4:5:6:7:8",
             "1:2:3:4:5:6:7:8:9", "::ffff:192.168.1.1", ".1", ".255", ".1234", "1.2.3.4", "fe80::1ff:fe23:4567:890a",
             "12:34:56", "a:b:c", "1::2::3", "::.1.2.3.4"],
    "hostname_syslog": ["Nov 12 10:01:02 ", "Nov  1 10:01:02 ", "Nov 1 ", "Nov 41 ", "<13>", "<1234>", "<>", "Jan",
                        "nov", "NOV", "10:01:02", "10:1:02", "db-7", "host_1.x", "a" * 62, "b" * 63, "sshd",
                        "sshd[123]", "[12345678901]", "[1]", "é" * 64, "✓" * 65, "su:",
                        "Nov 12 10:01:02 " + "h" * 63, "Nov 12 10:01:02 " + "h" * 64,
                        "<13>Nov 12 10:01:02 db-7 sshd[1]: x", "Nov 12 10:01:02 db-7 cron: x\n"],
}


@functools.cache
def _compiled(name: str) -> tuple[Detector, Compiled, Compiled]:
    """The detector, its Compiled with the native Matcher (and its finder), and the same with the Python loop."""
    d = next(d for d in DEFAULT_DETECTORS if d.name == name)
    fast = Compiled(d.pattern, d.value_groups)
    assert fast._native is not None and fast._native.finds
    return d, fast, _python_loop(fast)


def _agree(name: str, text: str, regions: list[tuple[int, int]] | None) -> None:
    """The detector's native Matcher (with its finder) against the Python RE2 loop: matches, values, and the
    native validation against the Python validator."""
    d, fast, ref = _compiled(name)
    prepared = PreparedText(text)
    assert fast.matches(prepared, regions) == ref.matches(prepared, regions), text
    assert fast.values(prepared, regions) == ref.values(prepared, regions), text
    code = native.native_check(d.validator)
    if code and prepared.ascii:
        tail = (d.priority, d.type, d.name)
        expected = _python_checked(d.validator or "", text, ref.values(prepared, regions), tail)
        assert fast.checked(prepared, regions, code, tail) == expected, text


def test_every_finder_reproduces_a_catalog_pattern() -> None:
    """A finder is picked by its pattern's exact source: when the catalog changes a pattern, its finder no longer
    applies (RE2 searches again). Update the finder in native/finders.cpp to the new pattern, or remove it."""
    assert FINDERS
    for pattern in FINDERS:
        assert pattern in BY_PATTERN, f"native/finders.cpp has a finder for a pattern no longer in the catalog: " \
                                      f"update it to the catalog's new pattern ({pattern[:60]!r}...)"


def test_the_catalog_detectors_use_their_finders_and_only_they() -> None:
    for d in DEFAULT_DETECTORS:
        matcher = Compiled(d.pattern, d.value_groups)._native
        assert matcher.finds == (d.pattern in FINDERS), d.name
    # the same pattern wherever it is used; a pattern one byte away has none
    assert all(Compiled(p)._native.finds and not Compiled(p + "x")._native.finds for p in FINDERS)
    assert sorted(BY_PATTERN[p].name for p in FINDERS) == sorted(PIECES)


@pytest.mark.parametrize("name", sorted(PIECES))
def test_a_finder_gives_re2s_matches(name: str) -> None:
    """Text of the pieces the pattern turns on, in random regions."""
    pieces = st.sampled_from(PIECES[name] + COMMON)

    @settings(max_examples=400, deadline=None)
    @given(st.lists(pieces, max_size=40), st.randoms(use_true_random=False))
    def agree(parts: list[str], rnd: random.Random) -> None:
        text = "".join(parts)
        _agree(name, text, _random_regions(len(text.encode()), rnd))

    agree()


EDGES = [
    "1234.5.6.7", "1.2.3.4.5.6.7.8", "1.2.3.4567", "x1.2.3.4", "01.02.03.04.05",
    "4111 1111 1111 1111", "a4111111111111111", "-4111111111111111", " 4111-1111-1111-1111-", "é4111 1111 1111 1111",
    "😀4111 1111 1111 1111", "abcdefghijklmnopqrstuvwxyz/0000000000000 z",
    "x.co-op x.com", "db.corp.com.x", "//db.com @db.com /db.com", "a.b.u\u212a", " a.u\u017f x.\u017fvc\u017f",
    "é-x.local", "x.localdomainx.lan",
    "user=bob", "Xuser=bob", "a=user=b:login:c", "USER \\\"=  'x'", "user\\\" =\\\" ", "user=\\\"", "uſer:ſ\u212a",
    "user   =x", "user=   x", "\u212auser=x", "éuser id: x", "user:\\'\\'", "db_user:\"\"x",
    "😀uſer_name=x", "user\t\n=\r\fx",
    "DE89370400440532013000", "xDE89 3704 0044 0532 0130 00", " DE89 3704 0044 0532 0130 00 1",
    "éGB82WEST12345698765432",
    "😀AB12CDEF GHIJ", "AB12 CDEF GHIJ KLMN OPQR STUV WXYZ 0123 4567 89", "_AB12CDEFGHIJ AB12CDEFGHIJ", "AB12CDEFGHI",
    "00:1a:2b:3c:4d:5e:6f", "x00-1A-2B-3C-4D-5E", "0:1a:2b:3c:4d:5e:6f", "001a.2b3c.4d5e.6f70", "00:1a:2b:3c:4d-5e",
    "(555) 123-4567", "1(555)123.45678", "(555)  123-4567", "12555-123-4567", "555-123-456 555.123.4567",
    "(555) 555-555-1234",
    "::1", "x::1:2", ".::1:2", "1:2:3:4:5:6:7:8:9:a", "12345:1:2:3", " 1234:1:2:3", "é::ffff:1.2.3.4.5",
    "😀fe80::1ff:fe23:4567:890a", "a:::", ":::::::::", "10:23:45 10:23:45:67", "1.2::3:4:5.6.7.8.9",
    "<13>Nov  1 10:01:02 db-7 sshd[12]: x", "Nov 12 10:01:02 h tag[1:\nNov 12 10:01:02 h tag:",
    *(f"\nNov 12 10:01:02 {'h' * n} {'t' * m}:" for n, m in [(63, 1), (64, 1), (1, 64), (1, 65)]),
]


@pytest.mark.parametrize("name", sorted(PIECES))
def test_a_finder_gives_re2s_matches_in_every_region(name: str) -> None:
    """Edge cases of each finder, in every one-region stretch (cut inside characters too)."""
    for text in EDGES:
        n = len(text.encode())
        for start in range(n + 1):
            for end in range(start, n + 1):
                _agree(name, text, [(start, end)])
