"""Validators' fast paths must answer exactly as the plain definitions they replace."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import validators
from tftsr_kernel.pii.backend import Compiled, PreparedText
from tftsr_kernel.pii.catalog import DEFAULT_DETECTORS

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


# ------------------------------------------------ the dense detectors' validators against their plain forms
# (the definitions as they were before the fast paths: context read by helpers, every test in order)

def _ipv4_by_definition(text: str, start: int, end: int) -> tuple[int, int] | None:
    before, after = validators._char_before(text, start), validators._char_after(text, end)
    digits = validators._DIGITS
    if not validators._ipv4_value_ok(text[start:end]):
        return None
    if before in digits or before == "~" or (before == "." and validators._char_before(text, start - 1) in digits):
        return None
    if (before == "v" or before == "V") and not validators._char_before(text, start - 1).isalnum():
        return None
    if after in digits or (after == "." and validators._char_after(text, end + 1) in digits):
        return None
    return start, end


def _hostname_by_definition(text: str, start: int, end: int) -> tuple[int, int] | None:
    value = text[start:end]
    labels = value.split(".")
    if len(labels) < 2 or labels[-1].lower() not in validators._TLDS or (
            labels[-1].lower() in validators._FILE_TLDS and labels[-2].lower() in validators._FILE_EXTS) or (
            labels[0].lower() in validators._CODE_ROOTS and len(labels) >= 3):
        return None
    rest = value[len(labels[0]) + 1:]
    if (not rest.islower() and any(c.isupper() for c in rest) and not value.isupper()) or all(
            lab.isdigit() for lab in labels[:-1]):
        return None
    before, after = validators._char_before(text, start), validators._char_after(text, end)
    alnum = validators._ALNUM
    in_url = (before == "/" and validators._char_before(text, start - 1) == "/") or (
        before == "@" and validators._char_before(text, start - 1) in validators._USERINFO_END)
    if not in_url and value.count(".") == 1 and value[value.index(".") + 1:].lower() in validators._FILE_TLDS:
        return None
    if before in alnum or (before in "@._-/" and not in_url) or after in alnum or after in "_-" or after == "(":
        return None
    if after == "." and validators._char_after(text, end + 1) in alnum:
        return None
    return start, end


def _username_by_definition(text: str, start: int, end: int) -> tuple[int, int] | None:
    if text[start] == "\\":
        m = validators._ESCAPED_NAME.match(text, start)
        if m:
            start, end = m.span(1)
    value = text[start:end].rstrip(".,;:)\\")
    end = start + len(value)
    if not value or value.lower() in validators._NOT_USERS or value[0] in "$<%{" or value.isdigit():
        return None
    if value.lower() in validators._TYPE_NAMES or validators._char_after(text, end) == "[":
        return None
    return start, end


def _syslog_host_by_definition(text: str, start: int, end: int) -> tuple[int, int] | None:
    colon = text.find(":", start, end)
    host_start = colon + 7
    host_end = text.find(" ", host_start, end)
    if colon < 0 or host_end <= host_start:
        return None
    return validators.check_host_label(text, host_start, host_end)


def _luhn_by_definition(text: str, start: int, end: int) -> tuple[int, int] | None:
    if validators._char_after(text, end) in validators._ALNUM:
        return None
    return (start, end) if validators._card_ok(text[start:end]) else None


def _program_text_as_written(text: str, start: int, end: int) -> bool:
    """_program_text before its value patterns were remembered: every pattern on the text, in order."""
    value = text[start:end]
    if ("." in value or "(" in value or "[" in value) and validators._CODE_REF.match(text, start, end):
        return True
    if validators._char_after(text, end) in "([" and validators._CODE_NAME.fullmatch(text, start, end):
        return True
    if validators._char_after(text, end) != "@" and (validators._PASSWORD_CAMEL.fullmatch(value) or (
            ("_" in value or "." in value) and validators._PASSWORD_VARIABLE.fullmatch(value)
            and not validators._NUMBERED.search(value))):
        return True
    if ":" in value and validators._FIELD_LIST.fullmatch(value) and (
            value[0] != ":" or validators._char_before(text, start) == ":"):
        return True
    key_from = max(0, start - 8)
    if text.find(":", key_from, start) < 0 or not validators._KEY_COLON_BEFORE.search(text, key_from, start):
        return False
    m = validators._ANNOTATION.match(text, start)
    return bool(m and not text[m.end(1):end].strip("),:]") and validators._open_bracket(text, start) != "{")


def _token_as_written(text: str, start: int, end: int, uuid_ok: bool) -> tuple[int, int] | None:
    """_check_token before its value tests were remembered as one kind."""
    b = validators._unquoted_value(text, start, end)
    if b is None:
        return None
    if text[b[1] - 1] == "=" and validators._char_after(text, b[1]) in validators._ALNUM:
        return None
    value = text[b[0]:b[1]]
    if validators._CODE_CHAIN.fullmatch(value) and len(value) <= 64 and sum(
            c in validators._DIGITS for c in value) <= 4:
        return None
    if validators._SIGV4_SCOPE.match(text, b[0]):
        return None
    if not (validators._random_looking(value) or (validators._UUID.fullmatch(value) and uuid_ok)):
        return None
    return (b[0], validators._percent_encoded_end(text, b[1])) if validators._char_after(text, b[1]) == "%" else b


def _generic_secret_by_definition(text: str, start: int, end: int) -> tuple[int, int] | None:
    return _token_as_written(text, start, end, validators._secret_key_before(text, start))


def _api_key_by_definition(text: str, start: int, end: int) -> tuple[int, int] | None:
    return _token_as_written(text, start, end, True)


def _secret_value_by_definition(text: str, start: int, end: int) -> tuple[int, int] | None:
    if validators._TEST_VERDICT.search(text, max(0, start - 12), start):
        return None
    return validators.check_secret_value(text, start, end)  # (the rest is unchanged)


_PIECES = ("10.0.0.1", "1.2.3.4", "256.1.1.1", "01.2.3.4", "db01.corp", "api.example.com", "Makefile.in",
           "model.pt", "config.h.in", "org.apache.spark.io", "java.net.Foo", "x.IO", "AppWindow.Token.de", "1.2.com",
           "user", "root", "$USER", "<user>", "str", "admin", "\\\"app\\\"", "alice.", "names", "4111 1111 1111 1111",
           "4111111111111111", "5500-0000-0000-0004", "Nov 26 10:00:12 ", "<34>Oct  3 08:01:59 ", "bastion",
           "localhost", "sshd[42]:", "v", "V", " V", "-v", "~", "//", "@", ":", "/", ".", "-", "_", "(", "[", " ", "=",
           "9", "a", "user=", "login: ", "User Id=", "acct=\\\"", "[0]", "names[1]", "0", "None", "secret=",
           "client_secret: ", "SECRET_KEY=", "Bearer ", "api_key: ", "token=", "token ",
           "Authorization: ApiKey ", "password=", "PASS: ", "XPASS: ",
           "\"", "'", "0f8e6a5c-3b2d-4e1f-9a7b-6c5d4e3f2a1b", "Xk9vQ2pL7mN4wR8t", "aB3dE5gH7jK9mN1p", "self.x")
_TEXTS = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14).map("".join)
_PAIRS = {
    "ipv4": (validators.check_ipv4, _ipv4_by_definition),
    "hostname": (validators.check_hostname, _hostname_by_definition),
    "username": (validators.check_username, _username_by_definition),
    "syslog_host": (validators.check_syslog_host, _syslog_host_by_definition),
    "luhn": (validators.check_luhn, _luhn_by_definition),
    "entropy": (validators.check_generic_secret, _generic_secret_by_definition),
    "api_key": (validators.check_api_key, _api_key_by_definition),
    "secret_value": (validators.check_secret_value, _secret_value_by_definition),
}


_DETECTORS = [(d, Compiled(d.pattern, d.value_groups)) for d in DEFAULT_DETECTORS if d.validator in _PAIRS]


@settings(max_examples=800, deadline=None)
@given(_TEXTS)
@example("token 0f8e6a5c-3b2d-4e1f-9a7b-6c5d4e3f2a1b client_secret: 0f8e6a5c-3b2d-4e1f-9a7b-6c5d4e3f2a1b")
@example("api_key: AKIAQ3EGRTY5WXZ7ABCD/20261126/us-east-1/s3/aws4_request")
@example("user=str login: Optional x V1.2.3.4 ~1.2.3.4 1.2.3.4.5 user=names[0] db.corp.Foo http://a.in a.in")
def test_dense_validators_answer_as_their_definitions(text: str) -> None:
    """On every candidate their detectors' patterns hand over."""
    prepared = PreparedText(text)
    for d, matcher in _DETECTORS:
        fast, plain = _PAIRS[d.validator or ""]
        for s, e in matcher.values(prepared):
            assert fast(text, s, e) == plain(text, s, e), (d.name, text, s, e)


# ------------------------------------ the keyword validators' helpers, whose patterns run behind literal tests

def _placeholder_by_definition(value: str) -> bool:
    v = value.strip().strip("\"'`")
    if not v or len(set(v)) == 1:
        return True
    if v[0] == "$" and v[1:2].isalpha() and validators._mixed_case_and_digits(v):
        return False
    return bool(validators._PLACEHOLDER.match(v))


_WORDS = ("null", "none", "na", "secret", "password", "passwd", "token", "example", "test", "int", "str", "change",
          "me", "update", "admin", "letmein", "guest", "your", "my", "insert", "put", "fake", "dummy", "sample", "here",
          "placeholder", "goes_here", "x", "X", "_", "-", "process.env", "self.", "auth[", "(", ")", "[", "]", ":",
          "::", "=", " | ", ", ", "&page=", "/", "~/", "etc", "$", "{", "}", "%", "*", "!", " ", "\t", "\n", "é", "K",
          "ſ")
_VALUES = st.one_of(
    st.text(alphabet="aAxX09_-zQ", max_size=24),
    st.lists(st.one_of(st.sampled_from(_WORDS), st.text(alphabet="aB3xZ_-", max_size=6)), max_size=6).map("".join),
    st.text(max_size=16))


def _secret_value_length_by_definition(value: str) -> int:
    m = validators._QUERY_NEXT.search(value)
    if m:
        value = value[:m.start()]
    if _placeholder_by_definition(value):
        return 0
    whole = value
    value = value.rstrip(",;")
    while value and value[-1] in validators._OPENER_OF and (
            value.count(validators._OPENER_OF[value[-1]]) < value.count(value[-1])):
        value = value[:-1]
    if len(value) < 4 or (value != whole and _placeholder_by_definition(value)) or validators._PATH.fullmatch(
            value) or validators._sequential(value):
        return 0
    return len(value)


@settings(max_examples=1500, deadline=None)
@given(_VALUES)
@example("fake_token")
@example("null")
@example("x_-x")
@example("your-key")
@example("k9Qz&page=2")
@example("/etc/hosts")
def test_is_placeholder_answers_as_its_pattern(value: str) -> None:
    assert validators.is_placeholder(value) == _placeholder_by_definition(value)
    assert validators._secret_value_length(value) == _secret_value_length_by_definition(value)


# ------------------------------ what the keyword validators remember of a value, against their tests as written

# names, references, field lists and tokens, and what may stand beside them
_CODE_PIECES = ("self.password", "this.secret", "get_pass", "getpass", "auth", "passwordHash", "hashedPassword",
                "key_password", "KEY_PASS", "blue_pass_2024", "args.password", "name:passwd:uid", ":x:", "a:b",
                "signal.SIGTERM", "lp2bp_signature", "Optional", "str", "0f8e6a5c-3b2d-4e1f-9a7b-6c5d4e3f2a1b",
                "Xk9vQ2pL7mN4wR8t", "aB3dE5gH7jK9mN1p", "AKIAQ3EGRTY5WXZ7ABCD/20261126/", "%2F", "%3D", "==", "=",
                "@", "(", "[", "(1", ")", "]", ",", ":", "::", " ", ":\t", " | ", "=", ".", "_", "1", "é", "{", "\n")
_CODE_TEXTS = st.lists(st.one_of(st.sampled_from(_CODE_PIECES), _VALUES), max_size=6).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_CODE_TEXTS, st.one_of(st.lists(st.sampled_from(_CODE_PIECES), min_size=1, max_size=3).map("".join),
                              _VALUES.filter(bool)), _CODE_TEXTS)
@example("password: ", "passwordHash", "@db")
@example("x ", "name:passwd:uid", "")
@example(":", ":x:", "")
@example("", "get_pass", "(")
@example("", "auth[0]", "")
@example("password:\t", "str", " | None")
@example("", "self.password", "")
@example("token=", "0f8e6a5c-3b2d-4e1f-9a7b-6c5d4e3f2a1b", "")
def test_remembered_value_shapes_answer_as_the_tests_as_written(before: str, value: str, after: str) -> None:
    """_program_text and _check_token remember what they read of the value alone; with any text around it,
    they answer as their tests did on the text."""
    text = before + value + after
    start, end = len(before), len(before) + len(value)
    assert validators._program_text(text, start, end) == _program_text_as_written(text, start, end)
    for check, uuid_ok in ((validators.check_api_key, True),
                           (validators.check_generic_secret, validators._secret_key_before(text, start))):
        assert check(text, start, end) == _token_as_written(text, start, end, uuid_ok)


def _pem_as_written(text: str, start: int, end: int) -> tuple[int, int] | None:
    """check_pem before it counted a body's head first: the whole body's base64 characters."""
    m = validators._PEM_LABEL.match(text, start, end)
    if not m or m.group(1) != m.group(2):
        return None
    body = text[m.end(1) + 5: end - len(m.group(2)) - 14]
    return (start, end) if len(re.sub(r"[^A-Za-z0-9+/=]", "", body.replace("\\n", ""))) >= 16 else None


# a key's body: base64, escaped and real line breaks, backslashes and letters n that an escape may pair, and
# runs long enough to put the head's cut anywhere
_PEM_PIECES = ("MIIE", "owIBAAKCAQEA", "+/=", "\\n", "\\", "n", "\\\\n", "\n", "\r\n", " ", "-", "é", "*" * 30,
               "x" * 29)


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY")), st.booleans(),
       st.lists(st.sampled_from(_PEM_PIECES), max_size=30).map("".join))
@example("PRIVATE KEY", True, "*" * 60 + "\\" + "n" * 20)
def test_pem_counts_a_bodys_head_first_with_the_same_answer(label: str, same: bool, body: str) -> None:
    text = f"key: -----BEGIN {label}-----{body}-----END {label if same else 'OTHER KEY'}-----\n"
    start, end = 5, len(text) - 1
    assert validators.check_pem(text, start, end) == _pem_as_written(text, start, end)
