"""The C++ parts of the engine (:mod:`tftsr_kernel.pii.native`) give what their Python references give.

``make`` builds them; CI must not silently test only the Python loop, so there a missing build fails.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import random
import re
import shutil
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import DEFAULT_DETECTORS, backend, engine, load_gitleaks_rules, native
from tftsr_kernel.pii.backend import Compiled, PreparedText
from tftsr_kernel.pii.catalog import Detector
from tftsr_kernel.pii.engine import Scanner, _resolve
from tftsr_kernel.pii.prefilter import Reports, cut_run_head, cut_run_tail
from tftsr_kernel.pii.spans import Span, value_hash
from tftsr_kernel.pii.validators import VALIDATORS, luhn_ok

from .pieces import FIXTURES, PIECES

pytestmark = pytest.mark.skipif(
    native.matcher is None and not os.environ.get("CI") or not backend.HAVE_RE2,
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


def _random_regions(n: int, rnd: random.Random) -> list[tuple[int, int]] | None:
    """Up to three sorted regions of ``n`` bytes, or ``None`` (the whole text)."""
    cuts = sorted(rnd.randrange(n + 1) for _ in range(2 * rnd.randrange(4))) if n else []
    return None if not cuts else [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]


def _assert_loops_agree(detectors: list[Detector], prepared: PreparedText, regions: list[tuple[int, int]] | None,
                        whole: bool) -> None:
    """Each detector's native search (matches, or values) equals the Python loop's in these regions."""
    for d in detectors:
        fast = Compiled(d.pattern, d.value_groups)
        ref = _python_loop(fast)
        search = fast.matches if whole else fast.values
        assert search(prepared, regions) == (ref.matches if whole else ref.values)(prepared, regions), d.name


def test_the_native_parts_are_built_in_ci() -> None:
    assert native.matcher is not None
    assert native.source_hash() == native.matcher.SOURCE_HASH  # built from the sources beside it
    assert all(Compiled(d.pattern, d.value_groups)._native is not None for d in DEFAULT_DETECTORS)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SEPARATORS), st.sampled_from(PIECES + EXTRA)), max_size=20),
       st.sampled_from(SEPARATORS), st.randoms(use_true_random=False), st.booleans())
def test_the_native_search_loop_gives_the_python_loops_matches(parts: list[tuple[str, str]], last: str,
                                                               rnd: random.Random, whole: bool) -> None:
    text = "".join(sep + piece for sep, piece in parts) + last
    prepared = PreparedText(text)
    assert prepared.data is not None
    _assert_loops_agree(DETECTORS, prepared, _random_regions(len(prepared.data), rnd), whole)


# keyword assignments: keys, what joins a key to its value, value pieces (with '=' pads and characters that are
# not ASCII: RE2 folds k and s to the Kelvin sign and the long s under (?i)) and what follows
_TAIL_KEYS = ["api_key", "API-KEY", "secret", "client_secret", "token", "x-auth-token", "--api-key", "bearer",
              "authorization: Bearer", "Cookie: sid", "sessionid", "?key", "salt", "app\u212aey", ""]
_TAIL_JOINS = ["=", ": ", "=>", ":=", "\"", "'", "\\\"", ">", "\n  value: ", "\": \"", " ", "\t", "", "%20"]
_TAIL_VALUES = ["Xk9vQ2pL7mN4", "abcdefghijkl", "0123", "=", "==", "===", "%2F", ".", "-", "_", "~", "+", "/", "é",
                "\u212a", "\u017f", "✓"]
_TAILS = [d for d in DETECTORS if backend.tail_value(d.pattern) is not None]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_TAIL_KEYS), st.sampled_from(_TAIL_JOINS),
                          st.lists(st.sampled_from(_TAIL_VALUES), max_size=6), st.sampled_from(SEPARATORS)),
                max_size=6),
       st.randoms(use_true_random=False), st.booleans())
def test_a_value_that_ends_the_match_is_read_from_it_as_the_group_has_it(
        parts: list[tuple[str, str, list[str], str]], rnd: random.Random, whole: bool) -> None:
    """Where a pattern's value ends it and its lead cannot end with a value character, the C++ loop matches
    without the group and reads the value from the match: the Python loop's matches (RE2's group), in
    regions, beside '=' pads and around characters that are not ASCII."""
    assert {"api_key_assignment", "secret_assignment", "authorization_header", "session_cookie"} <= {
        d.name for d in _TAILS}
    prepared = PreparedText("".join(key + join + "".join(value) + sep for key, join, value, sep in parts))
    assert prepared.data is not None
    _assert_loops_agree(_TAILS, prepared, _random_regions(len(prepared.data), rnd), whole)


# patterns of branches with one value group each (backend.branch_values): the catalog's, and ones where an earlier
# branch takes a start a later one would match longer, a branch's value does not end it, or the flags fold case
_BRANCHED = [*(d for d in DETECTORS if backend.branch_values(d.pattern) is not None),
             Detector("ab", "AB", r"(?P<v>ab)|a(?P<v2>[a-z]+)"),
             Detector("first", "FIRST", r"(?P<v>x)-[a-z]+|x-(?P<v2>[a-z]+)"),  # the first branch takes x-abc
             Detector("mid", "MID", r"x(?P<v>[0-9]+)y|(?i:x-)(?P<v2>[a-z0-9]{2,})"),
             Detector("flag", "FLAG", r"y(?i)(?P<v>[a-z]+)|x(?P<v2>[a-z]+)"),  # not split: the flag reaches on
             Detector("fold", "FOLD", r"(?i)for user (?P<v>[a-z.]+)|user \"(?P<v2>[^\"]+)\"|by (?P<v3>[a-z]+)")]
_BRANCH_PIECES = ["for user ", "FOR USER ", "User \"", "user \"x\"", "by ", "ab", "a", "abc", "x", "x-", "X-", "y", "7",
                  "bob", "j.doe", ".", "\"", "Accepted publickey for ", "session opened for user ", "ssh ", "u@h",
                  "mysql -u ", "é", "\u212a", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_BRANCH_PIECES), st.sampled_from(SEPARATORS)), max_size=14),
       st.randoms(use_true_random=False), st.booleans())
def test_a_branch_value_read_off_the_match_is_the_group_re2_gives(parts: list[tuple[str, str]], rnd: random.Random,
                                                                  whole: bool) -> None:
    """Where each top-level branch of a pattern has one value group, the C++ loop reads a tail branch's value off
    the match: the Python loop's matches (RE2's groups), in regions and around characters that are not ASCII."""
    assert {"username_phrase", "username_command"} <= {d.name for d in _BRANCHED}
    prepared = PreparedText("".join(piece + sep for piece, sep in parts))
    assert prepared.data is not None
    _assert_loops_agree(_BRANCHED, prepared, _random_regions(len(prepared.data), rnd), whole)


def test_branch_values_need_a_top_level_alternation_of_one_group_each_and_a_tail() -> None:
    got = backend.branch_values(r"(?i)user \"(?P<v2>[^\"]+)\"|for (?P<v>[a-z]+)")
    assert got is not None and [bare for bare, _ in got] == [rb'(?i)user \"(?:[^\"]+)\"', rb"(?i)for (?:[a-z]+)"]
    assert got[0][1] is None and got[1][1] is not None  # the second ends in its value
    assert backend.branch_values(r"a(?P<v>[0-9]+)") is None  # one branch
    assert backend.branch_values(r"a(?P<v>[0-9]+)|b") is None  # a branch without a group
    assert backend.branch_values(r"(?P<v>a)(?P<w>b)|c(?P<v2>[0-9]+)") is None  # a branch with two
    assert backend.branch_values(r"(?P<v>a)b|(?P<v2>c)d") is None  # no value ends its branch
    assert backend.branch_values(r"(a|b(?P<v>[0-9]+))") is None  # the alternation is not at the top level
    assert backend.branch_values(r"y(?i)(?P<v>[a-z]+)|x(?P<v2>[a-z]+)") is None  # a flag set inside a branch


def test_tail_value_reads_a_trailing_value_group_only_after_a_lead_that_cannot_end_in_it() -> None:
    tail = backend.tail_value
    assert tail(r"key[:=](?P<v>[a-z0-9]{4,}={0,2})") == (b"0123456789abcdefghijklmnopqrstuvwxyz", b"=")
    assert tail(r"(?i)key: (?P<v>[a-z]{4,})") == (bytes(range(65, 91)) + bytes(range(97, 123)), b"")
    assert tail(r"(?i)bearer%20(?P<v>[a-z0-9]{12,})") is None  # the lead's "0" may be a value character
    assert tail(r"(?i)ke(?P<v>[a-z]{4,})") is None  # ... its "e" too (folded: "E")
    assert tail(r"key=(?:x|[^ ])?(?P<v>[a-z]{4,})") is None  # a negated class ends it
    assert tail(r"key=(?P<v>[a-z=]{4,}={0,2})") is None  # a pad that is a value character
    assert tail(r"key=(?P<v>[a-z]{4,})x") is None  # the group is not last
    assert tail(r"key=(?P<v>[a-z]{0,9})") is None  # a value that may be empty
    assert tail(r"(?P<v>[a-z]{4,})") is None  # no lead
    assert tail("(?i)key\u212a(?P<v>[a-z]{4,})") is None  # the Kelvin sign folds to k
    assert tail("(?i)key=(?P<v>[a-z\u017f]{4,})") is None  # the long s folds to s
    assert tail(r"key=(?P<v>[a-z]{4,}\s{0,2})") is None  # a pad that is not one character


def test_a_pattern_the_native_re2_cannot_compile_keeps_the_python_loop() -> None:
    assert native.matcher is not None
    with pytest.raises(ValueError):
        native.matcher.Matcher(b"(", None, (), b"", 0, None)


# per validator: the pieces its decisions turn on (word-list entries, shapes, the characters around a value)
SHAPES: dict[str, tuple[list[str], list[str]]] = {
    "ipv4": (["1", "12", "255", "256", "0", "007", "1234"], [".", "..", "v", "V", "~", "a", " ", "", "-", "a.", "x."]),
    "luhn": (["4111", "1111", "411111", "11111", "0004", "5500", "3782", "822463", "10005", "0", "1", "6011"],
             [" ", "-", "", "a", "."]),
    "username": (["alice", "root", "str", "Optional", "$x", "<u>", "%u", "{x}", "123", "Bob", "a.b", "\"alice", "'x"],
                 ["\\", "\\\\", "\\\\\\\\", "\"", "'", ".", ",", ")", ";", ":", "[", " ", ""]),
    "hostname": (["db", "Db", "DB", "c", "com", "in", "h", "java", "org", "x", "1", "A", "internal", "java.x.com",
                  "a.b", "org.apache"],
                 [".", ".", "-", "_", "/", "//", "@", "(", "", " ", ":", "~", "+"]),
    "host_label": (["db", "localhost", "UNKNOWN", "12345678-1234-1234-1234-123456789abc", "123", "x", "Err"],
                   [":", "@", "/", " ", "\x1c", "'", "", "-", "\t", ":x@", ":\x1c@", ": @", ":/@"]),
    "syslog_host": (["Nov 12 10:01:02 ", "db-7", "localhost", "123", "x"], [" ", ":", "", "@", "\n"]),
    # filler and random tails of every length about the 16 read: four or five different characters
    "vendor_key": (["ghp_", "x", "xxxx", "0000", "X0x0", "abcd", "abcde", "ab", "aaaaaaaaaaaa", "Kq9_"],
                   ["", "x", "a", "_", "-", "0"]),
    # the keyword validators: a key, then a value's shapes (random, placeholder, program text, UUID, scope, escapes)
    "entropy": (["secret=", "Bearer ", "token: ", "Xk9vQ2pL7mN4", "abcdefghijkl",
                 "12345678-1234-1234-1234-123456789abc", "sig.name_x", "AKIAQ3EGRTY5WXZ7/20261126/", "%2F", "%3D",
                 "=", "${X}"],
                [" ", "", "\"", "'", "=", ":", "(", ")", "%20", "\n", "a"]),
    "api_key": (["api_key=", "key: ", "Xk9vQ2pL7mN4", "3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "os.environ[",
                 "0x1f2e3d4c5b", "AppWindowToken", "%2f", "=="],
                [" ", "", "\"", "=", "[", "]", ",", "&", "a"]),
    "secret_value": (["password: ", "PASS: ", "${P:-Kx9m2}", "Kx9", "hunter22", "str", "self.pw", "a_pass", "x:y",
                      "<p>", "</", "=>", "changeme", "# c"],
                     [" ", "", "\"", "'", "\\\"", "{", "}", ",", "\t", "\n", ":", "(", "|", "="]),
}
SHAPE_TOKENS = [t for tokens, _ in SHAPES.values() for t in tokens]
_NUMBERS = re.compile(r"[0-9]+(?:\.[0-9]+)*")  # what the IPv4 validator is asked about (its pattern's shape)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_native_validators_answer_what_the_python_ones_answer(name: str) -> None:
    """Each C++ validator against its Python namesake, on every stretch of short texts of its shapes."""
    tokens, glue = SHAPES[name]
    pieces = st.lists(st.tuples(st.sampled_from(glue), st.sampled_from(tokens)), max_size=6)

    @settings(max_examples=250, deadline=None)
    @given(pieces, st.sampled_from(glue))
    def agree(parts: list[tuple[str, str]], last: str) -> None:
        text = "".join(g + t for g, t in parts) + last
        data = text.encode("ascii")
        code, check = native.matcher.CHECKS[name], VALIDATORS[name]
        for s in range(len(text)):
            for e in range(s + 1, len(text) + 1):
                if name != "ipv4" or _NUMBERS.fullmatch(text, s, e):
                    assert native.matcher.check(code, data, s, e) == check(text, s, e), text[s:e]

    agree()


@pytest.mark.parametrize("groups", [[4, 4, 4, 4], [4, 6, 5], [4, 6, 4], [4, 4, 4, 4, 3], [4, 4, 4, 2], [4, 4, 4, 1],
                                    [4, 4, 5], [16], [13], [19]])
@pytest.mark.parametrize("sep", [" ", "-"])
def test_the_native_card_check_reads_every_grouping(groups: list[int], sep: str) -> None:
    """Card numbers with a valid check digit in every grouping (the printed ones and others), both ways."""
    body = "4" + "1" * (sum(groups) - 2)
    digit = next(d for d in "0123456789" if luhn_ok(body + d))
    digits, parts = body + digit, []
    for n in groups:
        parts.append(digits[:n])
        digits = digits[n:]
    text = "card " + sep.join(parts) + ";"
    s, e = 5, len(text) - 1
    code = native.matcher.CHECKS["luhn"]
    assert native.matcher.check(code, text.encode(), s, e) == VALIDATORS["luhn"](text, s, e)


@pytest.mark.parametrize("n", [1, 63, 64, 65])
@pytest.mark.parametrize("slashes", [1, 3, 4])
def test_the_native_user_check_reads_escaped_names_of_every_length(n: int, slashes: int) -> None:
    text = "user " + "\\" * slashes + '"' + "a" * n + "\\" + '"'
    code = native.matcher.CHECKS["username"]
    assert native.matcher.check(code, text.encode(), 5, 6) == VALIDATORS["username"](text, 5, 6)


# the keyword validators and the texts their branches turn on: keys (and what opens a value: quotes, escaped quotes,
# a start tag, a flow map, a signature), values (random, placeholders, templates, program text, UUIDs, SigV4 scopes,
# percent escapes, paths, YAML scalars with spaces and comments) and what goes between them
_KEYWORD_CHECKS = ("secret_value", "entropy", "api_key")
_KEYS = ["password=", "password: ", "password = ", '"password": "', "'secret': '", "secret=", "token=", "api_key=",
         "apiKey: ", "Bearer ", 'bearer "', "Bearer%20", "Authorization: Basic ", "Authorization: Token ",
         "client_secret: ", "vault_token=", '"Name": "CLIENT_SECRET", "Value": "', "parameter value ",
         "X-Amz-Credential=", "X-Amz-Security-Token=", "Cookie: sessionid=", "PASS: ", "XPASS:\t'", "aPASS: ",
         "--password ", "--db-password=", "the admin password: ", "<password>", "</password>", "=> ", "=>",
         "mysql -u root -p", "::add-mask::", "postgres://svc:", "- DB_PASSWORD=", "{user: app, password: ",
         "[a, {pw: ", "(password: ", "def f(password: ", "  key: ", "PASSWORD_FILE=", 'identified by "',
         '\\"password\\": \\"', "\\\\\\\"", "export DB_PASSWORD=", "a:b: ", "db_pass=", "user=bob "]
_VALUES = ["Kx9mN2pQ7vL4", "Hq3LmT8vW2xK9pR4sN7dF1gB6cZ0yJ5e", "hunter2", "s3cr3t!", "changeme", "CHANGE_ME", "xxxx",
           "${VAR:-x}", "${DB_PASSWORD:-Kx9mQ2}", "${A:=}", "${a.b:?x}", "${X:-}", "${P:-?+}", "${P}", "$Xk9vQ2pL7",
           "$VAR", "********", "<redacted>", "[REDACTED]", "[Kelu5512#]", "(empty)", "(Kx9 mN2)", "{password!r}",
           "{{ x }}", "%s", "%(pw)s", "str", "str | None = None", "bytes,", "SecretStr)", "HiddenText,",
           "Optional[str] = None", "getpass(", "auth[1]", "f(2)", "self.password", "this.secret", "args.password",
           "hashedPassword", "passwordHash", "key_password", "DEFAULT_LAST_PASS", "blue_pass_2024", "name:passwd:uid",
           ":x:", "strlen_pass::get_len", "3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "0x1f2e3d4c5b6a", "AppWindowToken",
           "android.os.BinderProxy", "signal.SIGTERM", "lp2bp_signature", "AKIAQ3EGRTY5WXZ7ABCD/20261126/",
           "AKIAQ3EGRTY5WXZ7ABCD%2F20261126%2F", "IQoJb3JpZ2luX2Vj%2F%2FZm9v%3D%3D", "ab%20cd", "%3d", "abcdef123456",
           "1234567890abcdef", "abcd1234", "/home/x/.pw", "~/secret", "../a/b", "a&b=c", "Kx9&amp;x=1&y", "Kx9 mN2 pQ7",
           "Kx9", "with spaces # c", "squash", "Secret", "kubectl get", "Xo9pQ2wE7r", "abc=", "resourceVersion=3",
           "hvs.CAESIJk8Lq2Wm9Xr4Tt8Vn3Pc6Hd1Jf5Gz0S", "your-api-key-here", "not set", "os.environ[", "!vault |",
           "aaaaaaaaaaaaaaaa", "AbAbAbAbAbAb12", "Tr0ub4dor9x==", "x.y=", "@db:5432", "AppWindow2TokenMgr",
           "android.os2.BinderProxy1", "getUserName2ForAccount", "Kx9mN2.pQ7vL4/xY", "cfg.db_pass",
           "_private_key_value", "PASS_WORD_9", "passW0rdHashValue", "root:Kx9:0:0", "AppWindow2-TokenManager",
           "user_auth2_token", "SVC_AUTH_KEY2", "redis_pass1_x", "_lp2bp_signature_hmac", "api-key-here"]
_GLUE = ["", " ", "  ", "\t", "\n", "\r\n", "\r", '"', "'", "`", '\\"', '\\\\"', "\\", "(", ")", "[", "]", "{", "}",
         ",", ";", ".", ":", "=", "#", " # c", "@", "&", "%", "/", "<", ">", "|", " | ", "x", "\x0b", "\x1c", "\x00",
         '\n"', "\n'"]
_KEYWORD_PARTS = st.lists(st.tuples(st.sampled_from(_GLUE), st.sampled_from(_KEYS + _VALUES)), max_size=10)


def _assert_keyword_checks_agree(text: str, bounds: list[tuple[int, int]]) -> None:
    """The three keyword validators in C++ against their Python references on each (start, end) of ``text``."""
    data = text.encode("ascii")
    for name in _KEYWORD_CHECKS:
        code, check = native.matcher.CHECKS[name], VALIDATORS[name]
        for s, e in bounds:
            assert native.matcher.check(code, data, s, e) == check(text, s, e), (name, text[:s], text[s:e], text[e:])


def _boundaries(parts: list[str]) -> list[int]:
    """Where each part of a text starts (and where the text ends)."""
    ends = [0]
    for part in parts:
        ends.append(ends[-1] + len(part))
    return ends


@settings(max_examples=300, deadline=None)
@given(_KEYWORD_PARTS, st.sampled_from(_GLUE))
def test_the_native_keyword_validators_answer_what_the_python_ones_answer(parts: list[tuple[str, str]],
                                                                          last: str) -> None:
    """Every value that starts where a piece does (after a key, a quote, a bracket) and ends anywhere after."""
    pieces = [p for pair in parts for p in pair] + [last]
    text = "".join(pieces)
    starts = sorted(set(_boundaries(pieces)[:-1]))
    _assert_keyword_checks_agree(text, [(s, e) for s in starts for e in range(s + 1, len(text) + 1)])


@pytest.mark.parametrize("key", _KEYS)
def test_the_native_keyword_validators_answer_alike_on_each_value_after_each_key(key: str) -> None:
    """Every value piece right after the key, alone or before a word or a quote: each value's ends."""
    for value in _VALUES:
        for tail in ("", " x", '" x'):
            text = key + value + tail
            _assert_keyword_checks_agree(text, [(len(key), e) for e in range(len(key) + 1, len(text) + 1)])


# the lengths the keyword validators read up to (the lookbacks, the longest scalar and quoted value), and on each side
_LENGTHS = [n + d for n in (4, 8, 12, 16, 40, 64, 80, 128, 256, 2 * 128, 4096) for d in (-2, -1, 0, 1, 2)]
_FILLERS = ["Ab3", "a", "Kx9 ", " ", "x_", "\\", "%2F", "A1", "ab cd # e"]


@settings(max_examples=200, deadline=None)
@given(_KEYWORD_PARTS, st.sampled_from(_FILLERS), st.sampled_from(_LENGTHS), _KEYWORD_PARTS)
def test_the_native_keyword_validators_answer_alike_beside_long_pieces(head: list[tuple[str, str]], filler: str,
                                                                      n: int, tail: list[tuple[str, str]]) -> None:
    """Long pieces among keys and values, of lengths about those the validators read up to."""
    pieces = [p for pair in head for p in pair] + [(filler * n)[:n]] + [p for pair in tail for p in pair]
    text = "".join(pieces)
    cuts = sorted(set(_boundaries(pieces)))
    _assert_keyword_checks_agree(text, [(s, e) for s in cuts for e in cuts if s < e])


# a value ("|" marks its start) next to a filler ("{}") of every length about those the keyword validators read up to:
# the closing quote's reach, the longest scalar, the lookbacks for a line's start, a flow map's key, a sentence's
# colon, a secret's key and a test verdict, a SigV4 scope's key id
_LONG_SHAPES = [
    'password: "|{}" x', "password: '|{}'", '\\"secret\\": \\"|{}\\"', "<password>|{}</password>",
    "password: |Kx9 {} # c", "  password: |Kx9 {}\n", "{user: app, password: |Kx9 {}}", "{}\n  password: |Kx9 mN2",
    "{}  password: |Kx9 mN2 x",
    "{}{a: b, password: |Kx9 mN2}", "{}PASS: |x", "{}client_secret: |3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
    "{}the admin password: |kubectl get", "{}(password: |str) x", "Bearer |{}", "X-Amz-Credential=|{}/20261126/",
    "secret=|{}%2F%3D", "x --{}password |kubectl get", "{}x -- |kubectl get", "{{}, password: |Kx9 mN2 x}",
    "(password:{}|HiddenText, x)", "{{}: |Kx9 mN2 x}",
    "secret{}                        parametervalue:       |3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
]
_LONG_LENGTHS = [*range(0, 300), *range(4085, 4105)]


@pytest.mark.parametrize("shape", _LONG_SHAPES)
def test_the_native_keyword_validators_read_as_far_as_the_python_ones(shape: str) -> None:
    """Long values and long stretches before a key: the same answers at every length about the limits."""
    for filler in ("Kx9mN2pQ7vL4", "a b", "a", "Q3EGRTY5WXZ7ABCD", " "):
        for n in _LONG_LENGTHS:
            marked = shape.replace("{}", (filler * n)[:n])
            text, s = marked.replace("|", ""), marked.index("|")
            ends = {*range(s + 1, min(s + 16, len(text)) + 1), *range(max(s + 1, len(text) - 24), len(text) + 1)}
            _assert_keyword_checks_agree(text, [(s, e) for e in sorted(ends)])


@pytest.mark.parametrize("space", [" ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f"])
def test_the_native_keyword_validators_read_pythons_whitespace(space: str) -> None:
    """Python's whitespace (re's \\s on str, str.strip) holds \\v and \\x1c-\\x1f, which RE2's \\s leaves out."""
    for value in ("your{}key", "not{}set", "same{}as{}x", "x{}here", "x{}goes{}here", "{}Kx9mN2{}", "${P:-a{}b}",
                  "${P:-{}}", "x y{}", "Kx9 mN2{}# c", "x k={}y", "Kx9 k={}"):
        for key in ("password: ", 'password: "', "secret=", "password: Kx9 ", "{a: b, password: "):
            for tail in (' x"}', " x"):
                text = key + value.replace("{}", space) + tail
                _assert_keyword_checks_agree(text, [(len(key), e) for e in range(len(key) + 1, len(text) + 1)])


def _keyword_candidates(texts: list[str]) -> None:
    """The three keyword validators on every value the catalog's keyword detectors find in ``texts``."""
    detectors = [_python_loop(Compiled(d.pattern, d.value_groups)) for d in DEFAULT_DETECTORS
                 if d.validator in _KEYWORD_CHECKS]
    for text in texts:
        prepared = PreparedText(text)
        _assert_keyword_checks_agree(text, sorted({b for rx in detectors for b in rx.values(prepared)}))


def test_the_native_keyword_validators_answer_alike_on_the_test_tables() -> None:
    from . import format_cases, test_config_shapes, test_detectors

    rows = [*format_cases.POSITIVES, *format_cases.NEGATIVES, *test_config_shapes.POSITIVES,
            *test_config_shapes.NEGATIVES, *test_detectors.POSITIVES, *test_detectors.NEGATIVES]
    texts = [row[1] for row in rows if row[1].isascii()]
    assert len(texts) > 300
    _keyword_candidates(texts)


DEV_CORPUS = Path(os.environ.get("TFTSR_DEV_CORPUS", "/work/shared/corpus/dev"))


@pytest.mark.skipif(not DEV_CORPUS.is_dir(), reason="no dev corpus here (TFTSR_DEV_CORPUS)")
def test_the_native_keyword_validators_answer_alike_on_the_dev_corpus() -> None:
    """On the dev logs, in stretches of 200 lines (a value's context reaches back into the lines before it)."""
    texts = []
    for path in sorted(DEV_CORPUS.glob("*.log")):
        lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
                 if line.isascii()]
        texts += ["".join(lines[i:i + 200]) for i in range(0, len(lines), 200)]
    _keyword_candidates(texts)


def _python_checked(name: str, text: str, values: list[tuple[int, int]], tail: tuple[Any, ...]) -> list[Any]:
    from tftsr_kernel.pii.engine import _checked

    return _checked(VALIDATORS[name], text, values, *tail)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SEPARATORS[:-2]), st.sampled_from(PIECES + EXTRA + SHAPE_TOKENS)),
                max_size=20))
def test_native_validation_gives_the_engines_candidates(parts: list[tuple[str, str]]) -> None:
    """Each catalog detector with a C++ validator: search and validation in one call, against the Python loop
    and validator."""
    text = "".join(sep + piece for sep, piece in parts)
    prepared = PreparedText(text)
    for d in DEFAULT_DETECTORS:
        code = native.native_check(d.validator)
        if not code:
            continue
        rx = Compiled(d.pattern, d.value_groups)
        tail = (d.priority, d.type, d.name)
        expected = _python_checked(d.validator or "", text, _python_loop(rx).values(prepared), tail)
        assert rx.checked(prepared, None, code, tail) == expected, d.name


def test_native_validation_leaves_text_that_is_not_ascii_to_python() -> None:
    rx = Compiled(r"(?P<v>[a-z.]+)")
    assert rx.checked(PreparedText("é db.corp.com"), None, native.matcher.CHECKS["hostname"], ()) is None


def test_every_native_validator_is_compared() -> None:
    assert set(native.matcher.CHECKS) == set(SHAPES)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SEPARATORS), st.sampled_from(PIECES + EXTRA)), max_size=25),
       st.integers(0, 1 << 40))
def test_the_native_span_builder_gives_the_python_loops_spans(parts: list[tuple[str, str]], offset: int) -> None:
    """Scanner._spans in C++ against its Python loop: the same spans (type, fields, hashes), and the same hash
    memo left behind, from an empty memo and from one the other filled."""
    text = "".join(sep + piece for sep, piece in parts) * 2  # every value twice: the memo is read back
    scanner = Scanner()
    found = _resolve(scanner._candidates(text))
    fast = scanner._spans(text, found, offset)
    memo = dict(scanner._hashes)
    scanner._hashes.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(native, "matcher", None)
        slow = scanner._spans(text, found, offset)
        assert scanner._hashes == memo
        assert scanner._spans(text, found, offset) == slow
    assert fast == slow
    assert all(type(s) is Span for s in fast)
    assert [tuple(s) for s in fast] == [tuple(s) for s in slow]
    assert native.matcher.make_spans(found, text, offset, memo, Span, value_hash) == slow


def test_the_native_span_builder_refuses_what_is_no_candidate() -> None:
    with pytest.raises(TypeError, match="a candidate is"):
        native.matcher.make_spans([(0, 1, 0, "EMAIL")], "ab", 0, {}, Span, value_hash)
    with pytest.raises(TypeError, match="tuple subclass"):
        native.matcher.make_spans([], "ab", 0, {}, dict, value_hash)


# values for the span builder's hash cache: ASCII, Latin-1, BMP and astral characters, and a type equal to
# another but a distinct object (the cache keys the type object; the dict, its value)
VALUE_CHARS = st.sampled_from("ab1.é✓\U0001f600\U00010000")
TYPES = ["EMAIL", "IPV4", "".join(["EMA", "IL"])]


@st.composite
def _texts_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, int, str, str]]]:
    """A text and candidates over it: short values that recur, under several types."""
    text = draw(st.text(VALUE_CHARS, min_size=1, max_size=12))
    ends = st.tuples(st.integers(0, len(text) - 1), st.integers(1, 3))
    found = [(s, min(s + n, len(text)), 0, draw(st.sampled_from(TYPES)), "d") for s, n in draw(st.lists(ends))]
    return text, found


@functools.cache
def _scanner(i: int) -> Scanner:
    return Scanner()


def _fresh(i: int) -> Scanner:
    """Scanner number i with an empty memo: built once, as building one takes 70 ms."""
    scanner = _scanner(i)
    scanner._hashes = {}
    return scanner


def _python_spans(scanner: Scanner, text: str, found: list[tuple[int, int, int, str, str]],
                  offset: int) -> list[Span]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(native, "matcher", None)
        return scanner._spans(text, found, offset)


@settings(max_examples=300, deadline=None)
@given(st.lists(_texts_and_spans(), min_size=1, max_size=8), st.integers(0, 6), st.integers(0, 1 << 40))
def test_the_span_builders_hash_cache_answers_as_the_memo_across_texts_and_clears(
        texts: list[tuple[str, list[tuple[int, int, int, str, str]]]], memo: int, offset: int) -> None:
    """One scanner over many texts, its memo emptied when above a bound as small as 0: the same spans and
    hashes as the Python loop, and the same memo left behind after every text."""
    fast, slow = _fresh(0), _fresh(1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "_HASH_MEMO", memo)
        for text, found in texts:
            assert fast._spans(text, found, offset) == _python_spans(slow, text, found, offset)
            assert fast._hashes == slow._hashes


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_texts_and_spans(), st.booleans()), min_size=1, max_size=8))
def test_the_span_builders_hash_cache_follows_a_memo_the_python_loop_also_fills(
        texts: list[tuple[tuple[str, list[tuple[int, int, int, str, str]]], bool]]) -> None:
    """The C++ and Python loops taking turns on one memo, or on a copy of it: each leaves it as the Python
    loop alone would (the cache mirrors only the dict it filled, and drops itself when the dict changed)."""
    mixed, slow = _fresh(0), _fresh(1)
    for (text, found), copy in texts:
        if copy:
            mixed._hashes = dict(mixed._hashes)
        expected = _python_spans(slow, text, found, 0)
        assert mixed._spans(text, found, 0) == expected
        assert _python_spans(mixed, text, found, 0) == expected
        assert mixed._hashes == slow._hashes


def test_the_span_builders_hash_cache_serves_threads_sharing_a_scanner() -> None:
    """Threads scanning with one scanner (its memo small, so it is emptied often) get the spans a scanner
    of their own gives with the Python loop."""
    rng = random.Random(7)
    chars = "ab1.é✓\U0001f600"
    texts = ["".join(rng.choice(chars) for _ in range(60)) for _ in range(16)]
    jobs = [(t, [(s, s + rng.randint(1, 3), 0, rng.choice(TYPES), "d") for s in range(0, 57, 2)]) for t in texts]
    expected = [_python_spans(_fresh(1), t, found, 5) for t, found in jobs]
    shared = _fresh(0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "_HASH_MEMO", 20)
        with ThreadPoolExecutor(4) as pool:
            for _ in range(20):
                got = list(pool.map(lambda job: shared._spans(job[0], job[1], 5), jobs))
                assert got == expected


def test_the_native_spans_the_collector_may_skip_are_untracked() -> None:
    """Spans of ints and strs can be in no cycle, so the collector skips them; a field that is a
    container keeps its span tracked."""
    plain = native.matcher.make_spans([(0, 2, 0, "EMAIL", "d")], "ab", 0, {}, Span, value_hash)
    held = native.matcher.make_spans([(0, 2, 0, "EMAIL", "d")], "ab", 0, {}, Span, lambda t, v: [t, v])
    assert not gc.is_tracked(plain[0])
    assert gc.is_tracked(held[0])


def test_a_build_from_other_sources_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A module whose recorded hash is not the sources' (pulled since the last make) is set aside, with one
    line saying what to run; any change to a source or header changes the hash; without sources, trust."""
    for path in [*native.HERE.glob("*.cpp"), *native.HERE.glob("*.h")]:
        shutil.copy(path, tmp_path / path.name)
    built = types.SimpleNamespace(SOURCE_HASH=native.source_hash(tmp_path))
    assert native.current(built, tmp_path) and not caplog.records
    header = next(tmp_path.glob("*.h"))
    header.write_text(header.read_text() + "// changed\n")
    with caplog.at_level(logging.WARNING, logger=native.__name__):
        assert not native.current(built, tmp_path)
    assert [r.getMessage() for r in caplog.records] == [
        "The detector's C++ parts were built from older sources: run `make native` (the slower Python loops "
        "run until then)."]
    assert not native.current(types.SimpleNamespace(), tmp_path)  # a build that recorded nothing
    empty = tmp_path / "empty"
    empty.mkdir()
    assert native.source_hash(empty) == "" and native.current(built, empty)


# prefilter reports: tails and heads the catalog's cuts make (a padded run, an exact "={0,3}", a case-folded class)
_RUN_TAILS = [None, *(cut_run_tail(e)[1] for e in (r"(?i)bearer\s+(?:[a-z0-9]{12,}=*)",  # type: ignore[index]
                                              r"(?i)(?:key)=(?:[a-z0-9]{12,}={0,3})", r"user (?:[a-z]+)"))]
_RUN_HEADS = [None, cut_run_head(r"(?i)(?:[a-z0-9.]+@(?:[a-z]+\.)+[a-z]{2,})")[1]]  # type: ignore[index]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="aZ09.=@ _-\n", max_size=60), raw=st.lists(st.tuples(
    st.integers(0, 2), st.integers(0, 70), st.integers(0, 70)), max_size=12), tail=st.sampled_from(_RUN_TAILS),
    head=st.sampled_from(_RUN_HEADS), margin=st.integers(0, 3), back=st.integers(0, 9), forward=st.integers(0, 9))
def test_the_native_reports_give_the_python_reports_windows(text: str, raw: list[tuple[int, int, int]], tail: Any,
                                                            head: Any, margin: int, back: int, forward: int) -> None:
    data = text.encode("ascii")
    n = len(data)
    fast, ref = native.matcher.Reports(3), Reports(3)
    for i, a, b in raw:  # as Hyperscan reports them: ends ascending per pattern, start <= end <= n
        s, e = sorted((min(a, n), min(b, n)))
        for reports in (fast, ref):
            assert reports(i, s, e, 0, None) is None
    ends = {i: [e for j, _, e in raw if j == i] for i in range(3)}
    for i in range(3):
        assert fast.count(i) == ref.count(i) and fast.flat(i) == ref.flat(i)
        if ref.count(i) and ends[i] == sorted(ends[i]):
            assert fast.som_regions(i, data, tail, head, n, margin) == ref.som_regions(i, data, tail, head, n, margin)
            assert fast.end_regions(i, back, forward, n) == ref.end_regions(i, back, forward, n)
            if tail is not None:
                assert fast.end_regions(i, back, forward, n, data, tail) == ref.end_regions(i, back, forward, n, data,
                                                                                         tail)


def test_the_native_reports_refuse_what_they_cannot_answer() -> None:
    reports = native.matcher.Reports(2)
    with pytest.raises(IndexError):
        reports(2, 0, 1, 0, None)
    with pytest.raises(ValueError, match="no reports"):
        reports.som_regions(0, b"abc", None, None, 3, 1)
    reports(0, 0, 1, 0, None)
    with pytest.raises(AttributeError):
        reports.som_regions(0, b"abc", object(), None, 3, 1)  # no RunTail
    with pytest.raises(TypeError, match="spec"):
        reports.som_regions(0, b"abc", types.SimpleNamespace(spec=(b"short", True, 0)), None, 3, 1)
    with pytest.raises(TypeError, match="table"):
        reports.som_regions(0, b"abc", None, types.SimpleNamespace(table=b"short"), 3, 1)
    assert reports.end_regions(1, 2, 2, 3) == ([], 0)
    with pytest.raises(ValueError, match="a tail needs"):
        reports.end_regions(1, 2, 2, 3, b"abc", _RUN_TAILS[1])
