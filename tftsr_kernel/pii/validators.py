"""Validators: confirm (or trim, or reject) a candidate match using what the format promises.

Each validator is ``check(text, start, end) -> (start, end) | None``: it sees the whole text so it
can look at context (what precedes or follows), and it may shrink the span (an IBAN followed by a
word, an IPv6 address followed by ``:port``). ``None`` rejects the candidate. The catalog refers to
validators by name, so detectors stay data.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import phonenumbers

Bounds = tuple[int, int]
Check = Callable[[str, int, int], Bounds | None]

# ---------------------------------------------------------------------------------------- helpers

_MEMO_LIMIT = 1 << 16  # entries per memo; a full memo is emptied, so memory stays flat on any input


_T = TypeVar("_T")


class _Memo(dict[str, Any]):
    """A pure ``value -> answer`` function's answers by value; a known value is a dict lookup in C (no
    Python call), an unknown one computes its answer (emptying a full memo first)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[str], Any]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, value: str) -> Any:
        if len(self) >= _MEMO_LIMIT:
            self.clear()
        got = self[value] = self.fn(value)
        return got


def _memo(fn: Callable[[str], _T]) -> Callable[[str], _T]:
    """Remember a pure ``value -> answer`` function's answers (log values recur: one IP, many lines)."""
    return _Memo(fn).__getitem__


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PLACEHOLDER = re.compile(
    r"""^(?:
        [*xX#._-]{1,}                         # ********, xxxx, ----, ...
      | <[^<>]*> | \([A-Za-z_ *-]*\)          # <redacted>, <password>, (empty)
      | \[[A-Za-z_ *-]*\]                      # [REDACTED], [hidden], [***] (a bracketed value is still one)
      | \$\{[^}]*\}? | \$\([^)]*\)? | \$[A-Za-z_][A-Za-z0-9_]*   # ${VAR}, $(cmd), $VAR
      | \{\{.*\}\}? | \{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]*)?\} | %[sdr] | %\([a-z_]+\)s | %[A-Za-z_]+%  # templates
      | (?:null|none|nil|undefined|empty|true|false|yes|no|n/?a|unset|redacted|masked|hidden
         |secret|password|passwd|token|example|dummy|placeholder|required|optional|sensitive
         |string|value|test|default|str|bytes|int|integer|bool|boolean|float|object|number  # type names
         |\*{2,}\w*|\w*\*{3,}\w*
         |(?:change|replace|fill|update)[_-]?(?:me|it|this)[\w!@#$%^&*.-]*  # changeme, CHANGE_ME, replace-me, ChangeMe!
         |(?:password|passwd|secret|admin|test|demo|sample|default|example|letmein|qwerty|guest)
          [0-9!@#$%^&*._-]+                                                 # password123, secret123, admin!
         |(?:your|my)[a-z_-]*|(?:insert|enter|paste|put)[_-][\w-]*   # your-api-key-here, my_token (not myH4x9)
         |[\w-]*[_-](?:here|placeholder|example|goes[_-]here)                # api-key-here, token_placeholder
         |(?:example|sample|fake|dummy|test)[_-][\w-]*                       # example-key, test_secret
      )
      | ![A-Za-z_]+                                                         # a YAML tag: !vault |
      | (?:your|enter|insert|paste|put|type|not|no|see|ask|same\s+as)\s.*   # phrases: your password here, not set
      | .*\s(?:here|goes\s+here)
      | (?:process\.env|os\.environ|os\.getenv|getenv|env|config|settings|secrets|vars|params)[.\[(].*  # code
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


# a file system path: the key names where the secret lives (PASSWORD_FILE=..., sudo's PWD=/home/x)
_PATH = re.compile(r"(?:~|\.{1,2})?/(?:[a-z0-9._@-]+/)*[a-z0-9._@-]*")
# a canonical UUID is an identifier (request, session, trace), not a key
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# a name made of words: lower-case, CamelCase or lowerCamel segments joined by . _ - / (AppWindowToken,
# android.os.BinderProxy, DefaultAzureCredential): a class, setting or enum, not a random token
_WORD_SEGMENT = r"(?:[a-z]+|(?:[A-Z]{1,3}[a-z]{2,}[0-9]?)+|[a-z]{2,}(?:[A-Z]{1,3}[a-z]{2,}[0-9]?)+)"
_IDENTIFIER = re.compile(rf"{_WORD_SEGMENT}(?:[._/-]{_WORD_SEGMENT})*")
# a query string goes on after a value: "&name=" (or "&amp;name=") ends it; a lone "&" is part of it
_QUERY_NEXT = re.compile(r"&(?:amp;)?[A-Za-z0-9_.\[\]-]+=")


_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
# each character's successors (0 -> a and 9 -> a: hex digits after decimal ones)
_NEXT = {**dict(zip(_ALPHABET, _ALPHABET[1:], strict=False)), "0": "1a", "9": "0a"}


@_memo
def _sequential(value: str) -> bool:
    """Mostly consecutive characters (1234567890abcdef, abcd1234): a documentation example, not a secret.

    At least three in four neighbouring pairs are steps: counting the pairs that are not, a random
    value is rejected after a quarter of its length (keyword values are long, and most are random).
    Remembered: a keyword value is asked twice, as a secret value and as a random-looking token."""
    v = value.lower()
    if len(v) < 6:
        return False
    allowed = 0.25 * (len(v) - 1)
    misses = 0
    successors = _NEXT.get
    for a, b in zip(v, v[1:], strict=False):
        if b not in successors(a, ""):
            misses += 1
            if misses > allowed:
                return False
    return True


def _mixed_case_and_digits(value: str) -> bool:
    return any(c.islower() for c in value) and any(c.isupper() for c in value) and any(c.isdigit() for c in value)


def is_placeholder(value: str) -> bool:
    """True for values that stand in for a secret rather than being one (``********``, ``${VAR}``)."""
    v = value.strip().strip("\"'`")
    if not v:
        return True
    if v.count(v[0]) == len(v):
        return True  # one character repeated
    if v[0] == "$" and v[1:2].isalpha() and _mixed_case_and_digits(v):
        return False  # $Xk9vQ2pL7: a password that starts with "$", not a $VARIABLE
    if v.isascii() and v.replace("_", "").replace("-", "").isalnum():
        low = v.lower()  # a token's characters: the pattern's words are the only way in
        if not (low.startswith(_PLACEHOLDER_STARTS) or low.endswith(_PLACEHOLDER_ENDS) or not low.strip("x_-")):
            return False
    return bool(_PLACEHOLDER.match(v))


# what _PLACEHOLDER needs of a value made of ASCII letters, digits, "_" and "-" (most values: no space, no
# bracket, no "$", "{", "%", "*", "!" or "."): to start with one of its words or end with one, or to be all
# x, "_" and "-"; a value with none of these is no placeholder without running the pattern
_PLACEHOLDER_STARTS = tuple(_words("""
null none nil undefined empty true false yes no na unset redacted masked hidden secret password passwd token
example dummy placeholder required optional sensitive string value test default str bytes int integer bool
boolean float object number change replace fill update admin demo sample letmein qwerty guest your my insert
enter paste put fake
"""))
_PLACEHOLDER_ENDS = ("here", "placeholder", "example")


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# ISO 13616 lengths per country (SWIFT IBAN registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}


def iban_ok(compact: str) -> bool:
    """Mod-97 check and registered length for an IBAN without spaces."""
    compact = compact.upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """US SSN rules: area not 000, 666 or 900-999; group not 00; serial not 0000."""
    a = int(area)
    return a != 0 and a != 666 and a < 900 and group != "00" and serial != "0000"


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def jwt_ok(token: str) -> bool:
    """A JWT's first segment decodes to a JSON object with an ``alg``."""
    parts = token.split(".")
    return len(parts) == 3 and _jwt_header_ok(parts[0])


@_memo
def _jwt_header_ok(segment: str) -> bool:
    """Remembered: tokens of one issuer share their header (``{"alg":"HS256","typ":"JWT"}``)."""
    try:
        header = json.loads(_b64url_decode(segment))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and isinstance(header.get("alg"), str)


# ------------------------------------------------------------------------------- context helpers

def _char_before(text: str, i: int) -> str:
    return text[i - 1] if i > 0 else "\x00"  # a sentinel: never in any character class below


def _char_after(text: str, i: int) -> str:
    return text[i] if i < len(text) else "\x00"


_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_DIGITS = frozenset("0123456789")


# ------------------------------------------------------------------------------------ validators

_CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[47]|6(?:011|5|4[4-9]|2)|35|3(?:0[0-5]|[689])|5[06-9]|6")
_CARD_GROUPS = ([4, 4, 4, 4], [4, 6, 5], [4, 6, 4], [4, 4, 4, 4, 3], [4, 4, 4, 2], [4, 4, 4, 1])


@_memo
def _card_ok(raw: str) -> bool:
    digits = raw.replace(" ", "").replace("-", "")
    if not 13 <= len(digits) <= 19 or not digits.isdigit():
        return False
    # separators, when present, must be one kind and group the digits the way cards are printed
    if len(digits) != len(raw):
        seps = {c for c in raw if not c.isdigit()}
        if len(seps) > 1:
            return False
        if [len(g) for g in re.split(r"[ -]", raw)] not in _CARD_GROUPS:
            return False
    # issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro)
    return bool(_CARD_PREFIX.match(digits)) and luhn_ok(digits)


def check_luhn(text: str, start: int, end: int) -> Bounds | None:
    if end < len(text) and text[end] in _ALNUM:
        return None  # the digits run on into letters: the head of a hex digest or an id, not a card
    return (start, end) if _card_ok(text[start:end]) else None


def check_iban(text: str, start: int, end: int) -> Bounds | None:
    n = _iban_length(text[start:end])
    return (start, start + n) if n else None


@_memo
def _iban_length(raw: str) -> int:
    """How much of a candidate is an IBAN of its country's registered length (0: none)."""
    want = IBAN_LENGTHS.get(raw[:2].upper())
    if want is None:
        return 0
    # walk forward until the registered number of characters is consumed (drops a trailing word)
    count, i = 0, 0
    while i < len(raw) and count < want:
        if raw[i] != " ":
            count += 1
        i += 1
    if count != want:
        return 0
    cut = raw[:i]
    if i < len(raw) and raw[i] != " ":
        return 0  # the IBAN runs on into more alphanumerics: not this length
    return i if iban_ok(cut.replace(" ", "")) else 0


def check_ssn(text: str, start: int, end: int) -> Bounds | None:
    digits = re.sub(r"[^0-9]", "", text[start:end])
    if len(digits) != 9:
        return None
    return (start, end) if ssn_ok(digits[:3], digits[3:5], digits[5:]) else None


@_memo
def _ipv4_value_ok(value: str) -> bool:
    parts = value.split(".")
    if len(parts) != 4:
        return False
    return all(not ((len(p) > 3 and p[0] == "0") or int(p) > 255) for p in parts)


# characters beside an address that need a second look (most addresses have a space, "/" or "=" there)
_IPV4_BEFORE_CHECK = _DIGITS | frozenset("~.vV")
_IPV4_AFTER_CHECK = _DIGITS | frozenset(".")


def check_ipv4(text: str, start: int, end: int) -> Bounds | None:
    if not _ipv4_value_ok(text[start:end]):
        return None
    if start > 0 and text[start - 1] in _IPV4_BEFORE_CHECK and not _ipv4_start_ok(text, start):
        return None
    if end < len(text) and text[end] in _IPV4_AFTER_CHECK and not _ipv4_end_ok(text, end):
        return None
    return start, end


def _ipv4_start_ok(text: str, start: int) -> bool:
    """Not inside a longer number or dotted run (1.10.0.0.1, ~1.2.3.4) and not a version (v1.2.3.4)."""
    before = text[start - 1]
    if before in _DIGITS or before == "~" or (before == "." and _char_before(text, start - 1) in _DIGITS):
        return False
    return not ((before == "v" or before == "V") and not _char_before(text, start - 1).isalnum())


def _ipv4_end_ok(text: str, end: int) -> bool:
    """Not followed by more digits or by another dotted number."""
    after = text[end]
    return not (after in _DIGITS or (after == "." and _char_after(text, end + 1) in _DIGITS))


def check_ipv6(text: str, start: int, end: int) -> Bounds | None:
    if _char_before(text, start) in _ALNUM or _char_before(text, start) == ":":
        return None
    s, e = start, end
    while e > s:
        value = text[s:e]
        kind = _ipv6_kind(value)
        if kind == _IPV6_NOBODY:
            return None
        if kind == _IPV6_ADDRESS:
            after = _char_after(text, e)
            if after not in _ALNUM and after != "." and not (after == ":" and value.endswith(":")):
                return s, e
        cut = value.rfind(":", 0, len(value) - 1)  # drop a trailing ':group' (a port) and retry
        if cut <= 0:
            return None
        e = s + cut
    return None


_IPV6_NONE, _IPV6_NOBODY, _IPV6_ADDRESS = 0, 1, 2


@_memo
def _ipv6_kind(value: str) -> int:
    """Whether ``value`` is an IPv6 address written with enough groups, the unspecified or loopback
    address (no one's), or neither (parsing is dear, and addresses recur)."""
    groups = [g for g in value.split(":") if g]
    if len(groups) >= 3 or ("::" in value and len(groups) >= 2 and any(len(g) >= 3 for g in groups)):
        if _IPV6_HEX_GROUPS.fullmatch(value) and (len(groups) <= 7 or "::" not in value):
            return _plain_ipv6_kind(value)
        try:
            addr = ipaddress.IPv6Address(value)
        except ValueError:
            return _IPV6_NONE
        return _IPV6_NOBODY if addr.is_unspecified or addr.is_loopback else _IPV6_ADDRESS
    return _IPV6_NONE


# hex groups only: eight, or at most seven around one "::" (the group count is checked by the caller);
# what ipaddress accepts in these shapes without parsing (scope ids and IPv4 tails go to ipaddress)
_IPV6_HEX_GROUPS = re.compile(r"[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){7}"
                              r"|(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?::"
                              r"(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?")


def _plain_ipv6_kind(value: str) -> int:
    """The kind of a valid address of hex groups: no non-zero digit is ``::`` (unspecified); a lone 1 as
    the last digit of the last group is ``::1`` (loopback)."""
    rest = value.strip("0:")
    return _IPV6_NOBODY if not rest or (rest == "1" and value[-1] == "1") else _IPV6_ADDRESS


_HEX = set("0123456789abcdefABCDEF")


def _hex_group_beside(text: str, colon: int, step: int) -> bool:
    """Is the text on the far side of the colon at ``colon`` a 1-4 digit hex group (a longer colon-hex run)?"""
    i, n = colon + step, 0
    while 0 <= i < len(text) and text[i] in _ALNUM:
        if text[i] not in _HEX:
            return False
        i, n = i + step, n + 1
    return 1 <= n <= 4


def check_mac(text: str, start: int, end: int) -> Bounds | None:
    before, after = _char_before(text, start), _char_after(text, end)
    bad = _ALNUM | set("-.")
    if before in bad or after in bad:
        return None
    # A colon beside the value is fine ("sshd:b8:09:1c:50:3e:04") unless it continues a colon-hex run
    # (an IPv6 address or a longer hex dump).
    if before == ":" and _hex_group_beside(text, start - 1, -1):
        return None
    if after == ":" and _hex_group_beside(text, end, 1):
        return None
    return start, end


def check_phone(text: str, start: int, end: int) -> Bounds | None:
    """The longest valid phone number at ``start``: the pattern may have run on into a following
    number ("+33 7 59 33 15 48 (1.20 KB)"), so shorter ends at a separator are tried too."""
    ends = [end] + [i for i in range(end - 1, start, -1)
                    if text[i] in " ()" and text[i - 1] in _DIGITS and i - start >= 8]
    for candidate in ends:
        bounds = _check_phone_exact(text, start, candidate)
        if bounds:
            return bounds
    return None


def _check_phone_exact(text: str, start: int, end: int) -> Bounds | None:
    before, after = _char_before(text, start), _char_after(text, end)
    if before == ":" and text[start] == "+":
        before = " "  # tel:+14155550132, phone:+44...: a URI scheme or key, not a time
    if before in _ALNUM or before in "+-./:_" or after in _ALNUM or after in "-/:_" or (
            after == "." and _char_after(text, end + 1) in _DIGITS):
        return None
    return (start, end) if _phone_value_ok(text[start:end]) else None


@_memo
def _phone_value_ok(raw: str) -> bool:
    try:
        num = phonenumbers.parse(raw, None if raw.startswith("+") else "US")
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(num):
        return True
    # freshly issued / unlisted ranges: accept a possible number written in a phone-like format
    return bool(phonenumbers.is_possible_number(num) and (raw.startswith("+") or re.fullmatch(
        r"\(\d{3}\) ?\d{3}[-. ]\d{4}|\d{3}[-.]\d{3}[-.]\d{4}", raw)))


def check_vendor_key(text: str, start: int, end: int) -> Bounds | None:
    """A vendor-shaped key whose random part is filler (ghp_xxxx..., sk_test_XXXX..., ...0000) is a
    documentation example."""
    return (start, end) if len(set(text[max(start, end - 16):end])) >= 5 else None


def check_jwt(text: str, start: int, end: int) -> Bounds | None:
    return (start, end) if jwt_ok(text[start:end]) else None


_PEM_LABEL = re.compile(r"-----BEGIN ([A-Z0-9 ]*)-----.*-----END ([A-Z0-9 ]*)-----\Z", re.DOTALL)


def check_pem(text: str, start: int, end: int) -> Bounds | None:
    """BEGIN and END lines name the same label and the body holds base64."""
    m = _PEM_LABEL.match(text, start, end)
    if not m or m.group(1) != m.group(2):
        return None
    body = text[m.end(1) + 5: end - len(m.group(2)) - 14]
    return (start, end) if _base64_count(body[:_PEM_HEAD]) >= 16 or _base64_count(body) >= 16 else None


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")
#: a key's body holds 16 base64 characters within its first few: those are counted first (a body is a kilobyte
#: or more). A head's count is at most the body's: "\n" escapes are dropped left to right alike, and one cut in
#: two leaves a backslash, no base64 character
_PEM_HEAD = 64


def _base64_count(body: str) -> int:
    """The base64 characters of a key's body, its escaped line breaks ("\\n" in a JSON string) left out."""
    return len(_NOT_BASE64.sub("", body.replace("\\n", "")))


# a variable with a default: ${DB_PASSWORD:-default} (a shell, Compose), ${db.password:default} (Spring); the
# default is a literal
_DEFAULTED = re.compile(r"\$\{[A-Za-z_][\w.-]*:[-=]?([^?+}\s][^}\s]*)\}")
# a test harness's verdict (DejaGnu, automake, TAP-like "PASS: test name"): the key is no password's
_TEST_VERDICT = re.compile(r"(?:^|[^A-Za-z0-9_])X?PASS:[ \t]+[\"']?\Z")
# a quoted lower-case word that a sentence goes on after ('identified by "squash" commands')
_PROSE_QUOTED = re.compile(r"[a-z]+")


def check_secret_value(text: str, start: int, end: int) -> Bounds | None:
    """A keyword-assigned value: not a placeholder, not a plain word. A value opened by a quote (or an XML
    start tag) runs to its closing quote (end tag) on the same line: a passphrase has spaces in it, and
    the words after the first are as secret as the first."""
    verdict_from = max(0, start - 12)
    if text.find("PASS:", verdict_from, start) >= 0 and _TEST_VERDICT.search(text, verdict_from, start):
        return None  # (the literal first: the search tries the pattern at every position)
    m = _DEFAULTED.match(text, start, end) if text.startswith("${", start) else None
    if m:
        n = _secret_value_length(m.group(1))
        return (m.start(1), m.start(1) + n) if n else None
    close = _closing_quote(text, start, end)
    if close is not None:
        if _PROSE_QUOTED.fullmatch(text, start, close) and _PROSE_NEXT.match(text, close + 1):
            return None
        return (start, close) if _secret_value_length(text[start:close]) else None
    b = _unquoted_value(text, start, end)
    wide = _scalar_end(text, start, end)
    if wide is not None and (b is not None or _short_head(text[start:end])) and _secret_value_length(text[start:wide]):
        return start, wide  # (a first word the value would be without its line is a password's)
    return b


# a key that starts its line: YAML "key: ", an INI "key = ", a compose list's "- KEY=" (not a shell's
# KEY=value command, whose line goes on with the command)
_LINE_KEY = re.compile(r"[ \t]*(?:-[ \t]+[A-Za-z_][\w.-]*=|[\"']?[A-Za-z_][\w.-]*[\"']?(?::[ \t]|[ \t]+=|=[ \t]))"
                       r"[ \t]*")
# a key of a YAML flow map's entry ({user: app, password: ...})
_FLOW_KEY = re.compile(r"[{,][ \t]*[\"']?[A-Za-z_][\w.-]*[\"']?:[ \t]+\Z")
# where a plain scalar ends: a comment; in a flow map also the entry's "," or the map's "}"
_BLOCK_END = re.compile(r"[ \t]#")
_FLOW_END = re.compile(r"[ \t]#|[,{}\[\]]")
# another key on the line, a quote or a bracket: the value was no scalar (a log line's "password: x user=bob",
# program text's "userpass = username + b':' + password")
_NOT_SCALAR = re.compile(r"[ \t][A-Za-z_][\w.-]*(?::[ \t]|=[^\s=])|[\"'`()\[\]{}]")
#: the longest plain scalar with spaces taken whole; a longer one is text
_SCALAR_MAX = 128


def _scalar_end(text: str, start: int, end: int) -> int | None:
    """The end of an unquoted value with spaces that owns the rest of its line (YAML's plain scalar, an INI
    value) or of its flow-map entry, less a trailing comment; ``None`` when the value is no such scalar,
    holds no space, or is long enough to be text."""
    if _char_after(text, end) not in " \t" or text[start] in "[({":
        return None  # no word follows on the line
    lo, hi = max(0, start - _LINE_LOOKBACK), min(len(text), end + 2 * _SCALAR_MAX)
    line_start = max(text.rfind("\n", lo, start), text.rfind("\r", lo, start)) + 1
    if not line_start and lo:
        return None  # the key is too far from its line's start to be the line's key
    line_end = min((j for j in (text.find("\n", end, hi), text.find("\r", end, hi)) if j >= 0), default=hi)
    if _LINE_KEY.fullmatch(text, line_start, start):
        stop = _BLOCK_END.search(text, end, line_end)
    elif _FLOW_KEY.search(text, max(line_start, start - 80), start) and _open_bracket(text, start) == "{":
        stop = _FLOW_END.search(text, end, line_end)
    else:
        return None
    wide = text[start:stop.start() if stop else line_end].rstrip()
    if " " not in wide and "\t" not in wide or len(wide) > _SCALAR_MAX or _NOT_SCALAR.search(wide):
        return None
    return start + len(wide)


def _short_head(word: str) -> bool:
    """A first word too short to be a password alone that reads as part of one (Kx9 of "Kx9 mN2 pQ7"): it
    mixes letters and digits, as no word of prose does."""
    return len(word) < 4 and any(c.isalpha() for c in word) and any(c.isdigit() for c in word)


#: the longest quoted value taken whole (a passphrase, a JSON-escaped blob); a longer run between quotes
#: is not one value
_QUOTED_MAX = 4096


def _closing_quote(text: str, start: int, end: int) -> int | None:
    """Where the quote (or XML start tag) just before ``start`` is closed on the same line, at or after
    ``end``; ``None`` when the value is not opened by one or is not closed. An escaped quote (``\\"`` in
    JSON inside JSON) is closed by the same escape."""
    opener = _char_before(text, start)
    if opener == ">":
        if text[start - 2:start] == "=>":
            return None
        closer = "</"
    elif opener in "\"'`":
        i = start - 1
        while i > 0 and text[i - 1] == "\\":
            i -= 1
        closer = text[i:start]
    else:
        return None
    limit = min(len(text), start + _QUOTED_MAX)
    line_end = min((j for j in (text.find("\n", start, limit), text.find("\r", start, limit)) if j >= 0),
                   default=limit)
    close = text.find(closer, end, line_end)
    while close > 0 and len(closer) == 1 and _escaped(text, close):  # "ab\"c": an escaped quote inside
        close = text.find(closer, close + 1, line_end)
    return close if close >= 0 else None


def _escaped(text: str, i: int) -> bool:
    """Whether the character at ``i`` follows an odd run of backslashes ("\\" escapes the backslash)."""
    j = i
    while j > 0 and text[j - 1] == "\\":
        j -= 1
    return (i - j) % 2 == 1


# a lower-case word after "key: " (or after an option: "the --password option is") followed by another:
# prose or a command, not a value
_PROSE_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+")
_PROSE_NEXT = re.compile(r" [a-z`]")
_COLON_BEFORE = re.compile(r"(?::|[ \t]--[a-z-]+)[ \t]+\Z")
# program text, not a value (a traceback or a source excerpt quotes it): a call or subscript (getpass(,
# auth[1], Optional[str]) or an attribute of the object at hand (self.password, this.secret)
_CODE_REF = re.compile(r"(?:self|this|cls)\.[A-Za-z_]|[A-Za-z_]+(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\[|\((?![0-9]))")
# a name that is called (_create_signature_v1(...), base64.b64decode(...)) is a function
_CODE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
# a variable holding the password (key_password, redis_pass, DEFAULT_LAST_PASS) or an attribute path of
# words (args.password, parsed.auth_decoded): the program's names for it, not it
_PASSWORD_VARIABLE = re.compile(r"_?(?:[a-z0-9]+_)*(?:pass|pwd|pw|auth)[a-z0-9]*(?:_[a-z0-9]+)*"
                                r"|_?(?:[A-Z0-9]+_)*(?:PASS|PWD|PW|AUTH)[A-Z0-9]*(?:_[A-Z0-9]+)*"
                                r"|[a-z_]+(?:\.[a-z_]+)+")
# ... or a lowerCamel one of words (hashedPassword, userPwd, passwordHash: JavaScript's {password: hashedPassword})
_PASSWORD_CAMEL = re.compile(r"[a-z]+(?:[A-Z][a-z]+)*(?:Pass(?:word|wd|phrase)?|Pwd|Secret|Hash)(?:[A-Z][a-z]+)*"
                             r"|(?:pass(?:word|wd|phrase)?|pwd|secret)(?:[A-Z][a-z]+)+")
# a colon after the key's colon: a C++ scope (strlen_pass::get_len) or a field list (name:passwd:uid:gid)
_FIELD_LIST = re.compile(r":.*|[A-Za-z_]+(?::[A-Za-z_]+)+:?")
# "password: SecretStr", "password: HiddenText | None = None", "(password: bytes)": a type annotation
_ANNOTATION = re.compile(r"(_?[A-Za-z][A-Za-z_]*(?:\[[^\]\n]*\])?)(?:[ \t]*(?:\|[ \t]|=[ \t])|[),])")
_KEY_COLON_BEFORE = re.compile(r"[A-Za-z0-9_]:[ \t]+\Z")
# program names end in words: a name ending in a number of two digits or more (blue_pass_2024) is a literal
_NUMBERED = re.compile(r"_[0-9]{2,}\Z")
#: how far back a value's line is read for its key or its open bracket
_LINE_LOOKBACK = 256


def _program_text(text: str, start: int, end: int) -> bool:
    """Whether an unquoted value is a program's text rather than a value (see the patterns above)."""
    value = text[start:end]
    shapes = _code_shapes(value)
    if shapes and (shapes & _CODE_REF_SHAPE or (shapes & _VARIABLE_SHAPE and _char_after(text, end) != "@") or (
            shapes & _FIELD_SHAPE and (value[0] != ":" or _char_before(text, start) == ":"))):
        return True  # (a URL's password, before its "@", is a literal, never a name)
    if _char_after(text, end) in "([" and _CODE_NAME.fullmatch(value):
        return True
    key_from = max(0, start - 8)
    if text.find(":", key_from, start) < 0 or not _KEY_COLON_BEFORE.search(text, key_from, start):
        return False
    m = _ANNOTATION.match(text, start)
    return bool(m and not text[m.end(1):end].strip("),:]") and _open_bracket(text, start) != "{")


# the patterns above that read the value alone and are tried on most values, as bits of _code_shapes: a reference,
# a password variable's name (unless a URL's "@" follows) and a field list (unless it opens with ":")
_CODE_REF_SHAPE, _VARIABLE_SHAPE, _FIELD_SHAPE = 1, 2, 4


@_memo
def _code_shapes(value: str) -> int:
    """Which of _program_text's value patterns ``value`` matches; remembered, as values recur and the patterns
    are most of the test (each is tried only when the value holds a character it needs; a function's name only
    where a call follows, which is rare)."""
    shapes = 0
    if ("." in value or "(" in value or "[" in value) and _CODE_REF.match(value):
        shapes |= _CODE_REF_SHAPE
    if _PASSWORD_CAMEL.fullmatch(value) or (
            ("_" in value or "." in value) and _PASSWORD_VARIABLE.fullmatch(value) and not _NUMBERED.search(value)):
        shapes |= _VARIABLE_SHAPE
    if ":" in value and _FIELD_LIST.fullmatch(value):
        shapes |= _FIELD_SHAPE
    return shapes


def _open_bracket(text: str, i: int) -> str:
    """The innermost bracket still open at ``i`` on its line (``""`` for none): a key inside ``{...}`` is a
    mapping's (YAML flow map, JSON-ish), one inside ``(...)`` a signature's."""
    depth = 0
    for j in range(i - 1, max(-1, i - _LINE_LOOKBACK), -1):
        c = text[j]
        if c == "\n" or c == "\r":
            break
        if c in ")]}":
            depth += 1
        elif c in "([{":
            if not depth:
                return c
            depth -= 1
    return ""


def _unquoted_value(text: str, start: int, end: int) -> Bounds | None:
    """The bounds of a value that no quote opens: closing punctuation dropped, brackets unwrapped."""
    if _char_before(text, start) == ">" and text[start - 2:start] != "=>":
        return None  # <password>@db:3306 is a placeholder in a URL: an element's text ends at its end tag
    if (_PROSE_NEXT.match(text, end) and _PROSE_WORD.fullmatch(text, start, end)
            and _COLON_BEFORE.search(text, max(0, start - 40), start)):
        return None  # "the admin password: kubectl get secret ...": a sentence goes on, not a value
    if _program_text(text, start, start + len(_drop_closers(text[start:end]))):
        return None  # ({password: hashed_password}): the name without the brackets around it
    if text[start] in "[({" and end - start > 1:
        if is_placeholder(text[start:end]):
            return None  # {password!r}: a format string's field
        start += 1  # password=[Kelu5512#], password = (sensitive value): the brackets wrap the value
    n = _secret_value_length(text[start:end])
    return (start, start + n) if n else None


_OPENER_OF = {")": "(", "]": "[", "}": "{", ">": "<"}


def _drop_closers(value: str) -> str:
    """``value`` without the closing punctuation a log line wraps around it; a closing bracket whose opener
    is in the value and a trailing "." are the value's own (leaving them would leak its last character)."""
    value = value.rstrip(",;")
    while value and value[-1] in _OPENER_OF and value.count(_OPENER_OF[value[-1]]) < value.count(value[-1]):
        value = value[:-1]
    return value


@_memo
def _secret_value_length(value: str) -> int:
    """How much of ``value`` is the secret (closing punctuation dropped); 0 when it is no secret."""
    m = _QUERY_NEXT.search(value) if "&" in value else None
    if m:
        value = value[:m.start()]
    if is_placeholder(value):
        return 0
    whole = value
    value = _drop_closers(value)
    if len(value) < 4 or (value != whole and is_placeholder(value)) or ("/" in value and _PATH.fullmatch(value)) or (
            _sequential(value)):
        return 0
    return len(value)


def check_generic_secret(text: str, start: int, end: int) -> Bounds | None:
    """A keyword-assigned token: long and random-looking (entropy, mixed character classes). A UUID is an
    identifier (request, trace, session) unless the key names a secret or the Bearer scheme carries it."""
    return _check_token(text, start, end, uuid_ok=_secret_key_before)


def check_api_key(text: str, start: int, end: int) -> Bounds | None:
    """A token assigned to an API key name; a UUID counts there (Heroku, OpenStack and many SaaS keys are
    UUIDs), since the key name says what it is, unlike a bare UUID or a request id."""
    return _check_token(text, start, end, uuid_ok=_any_key)


# the end of a key that names a secret (client_secret: , "secretKey": ", --client-secret , a name/value pair's
# "CLIENT_SECRET", "value": ", a Vault token's) or "Bearer "
_SECRET_KEY_BEFORE = re.compile(r"(?i)(?:(?:secret[a-z0-9_-]{0,16}|vault[_-]?token)"
                                r"(?:\W{1,8}|\W{1,24}(?:parameter)?value\W{1,8})|bearer(?:[ \t]+[\"']?|%20))\Z")


def _secret_key_before(text: str, start: int) -> bool:
    """Whether the key before ``start`` names a secret or is the Bearer scheme (a UUID is a secret there)."""
    return bool(_SECRET_KEY_BEFORE.search(text, max(0, start - 64), start))


def _any_key(_text: str, _start: int) -> bool:
    """An API key's name says what its value is, whatever the value's shape."""
    return True


# a module's attribute (signal.SIGTERM, rsa.RSAPrivateKey) or a snake_case name ending in a word
# (lp2bp_signature): program text under a token's name. A vendor's prefixed token (hvs.<random>) is long
# and full of digits
_CODE_CHAIN = re.compile(r"[a-z_]{3,}(?:\.[A-Za-z_][A-Za-z0-9_]*)+|_?[a-z][a-z0-9]*(?:_[a-z0-9]+)*_[a-z]{3,}")
# an AWS SigV4 credential scope: access key id / yyyymmdd / region / service (in a URL: %2F for "/")
_SIGV4_SCOPE = re.compile(r"[A-Z0-9]{16,128}(?:/|%2[Ff])[0-9]{8}(?:/|%2[Ff])")


def _check_token(text: str, start: int, end: int, *, uuid_ok: Callable[[str, int], bool]) -> Bounds | None:
    """A token's bounds when it looks random, or is a UUID where ``uuid_ok(text, start)`` lets one count (asked
    last: a search of the text before the key)."""
    b = _unquoted_value(text, start, end)
    if b is None:
        return None
    if text[b[1] - 1] == "=" and _char_after(text, b[1]) in _ALNUM:
        return None  # "Bearer resourceVersion=3": the next key of a key=value list, not base64 padding
    kind = _token_kind(text[b[0]:b[1]])
    if not kind or _SIGV4_SCOPE.match(text, b[0]):
        return None  # Credential=AKIA.../20261126/us-east-1/s3/aws4_request names a key id: the AWS detector's
    if kind == _UUID_TOKEN and not uuid_ok(text, start):
        return None
    return (b[0], _percent_encoded_end(text, b[1])) if _char_after(text, b[1]) == "%" else b


_NOT_TOKEN, _TOKEN, _UUID_TOKEN = 0, 1, 2


@_memo
def _token_kind(value: str) -> int:
    """Whether a value is a random-looking token, a UUID (a token only where its key lets one count) or neither:
    program text's name (a module's attribute, a snake_case name) or a value that does not look random."""
    if _CODE_CHAIN.fullmatch(value) and len(value) <= 64 and sum(c in _DIGITS for c in value) <= 4:
        return _NOT_TOKEN
    if _random_looking(value):
        return _TOKEN
    return _UUID_TOKEN if _UUID.fullmatch(value) else _NOT_TOKEN


# a token's percent-encoded rest in a query string (X-Amz-Security-Token=IQo...%2F%2F...): its escapes (not
# an encoded space) and the token characters between them
_PERCENT_ENCODED = re.compile(r"(?:%(?!20)[0-9A-Fa-f]{2}|[A-Za-z0-9._~+/-])*")


def _percent_encoded_end(text: str, i: int) -> int:
    """Where a token that goes on percent-encoded at ``i`` ends, less encoded padding (%3D), no secret."""
    end = _PERCENT_ENCODED.match(text, i).end()  # type: ignore[union-attr]  # a star always matches
    while end > i and text[end - 3:end] in ("%3D", "%3d"):
        end -= 3
    return end


def _random_looking(value: str) -> bool:
    """Long, high-entropy, of two character classes or more, and not a UUID, a word identifier, a run of
    consecutive characters or a hex number. Keyword values are mostly fresh tokens seen once, so the
    checks that every such token passes are done on its distinct characters, in C where possible."""
    n = len(value)
    if n < 12:
        return False
    counts = Counter(value)
    if not _entropy_at_least_3(counts, n, value) or _character_classes(value, counts) < 2:
        return False
    # two classes rule out a value of lower-case words or of digits and dots: those shapes need no check
    return not (_NOT_RANDOM.fullmatch(value) or _sequential(value))


# a UUID, a name made of words, or a hex number (0x1f2e ids): an identifier, not a secret
_NOT_RANDOM = re.compile(rf"{_UUID.pattern}|{_IDENTIFIER.pattern}|0[xX][0-9a-fA-F]+")
# Shannon entropy is at least the min-entropy -log2(max p), with equality only for a uniform count: a value
# whose most frequent character is under 1/8 of it has more than 3 bits per character, by a margin
# (log2(n / (n - 1)) > 1e-4 for n < 10,000) far above the float error of summing the entropy's terms
_BOUND_MAX_LENGTH = 10_000
_ASCII_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _entropy_at_least_3(counts: Counter[str], n: int, value: str) -> bool:
    """``shannon_entropy(value) >= 3.0``, without the logarithms when the counts settle it: fewer than
    8 distinct characters give less than 3 bits, a most frequent character under 1/8 gives more."""
    if len(counts) < 8:
        return False
    if max(counts.values()) * 8 < n and n < _BOUND_MAX_LENGTH:
        return True
    return shannon_entropy(value) >= 3.0


def _character_classes(value: str, counts: Counter[str]) -> int:
    """How many of lower case, upper case and digits ``value``'s characters (``counts``' keys) include."""
    chars = counts.keys()
    if value.isascii():
        return (not _ASCII_LOWER.isdisjoint(chars)) + (not _ASCII_UPPER.isdisjoint(chars)) + (
            not _DIGITS.isdisjoint(chars))
    return sum((any(c.islower() for c in chars), any(c.isupper() for c in chars), any(c.isdigit() for c in chars)))


#: words where a user is expected that name no one (and the fixed user names of token logins:
#: https://gitlab-ci-token:TOKEN@, x-access-token)
_NOT_USERS = frozenset({"unknown", "null", "none", "nobody", "invalid", "user", "root", "-", "from", "for", "is",
                        "not", "in", "the", "a", "on", "to", "gitlab-ci-token", "x-access-token", "x-token-auth",
                        "oauth2", "x-oauth-basic"})


#: type names where program text declares a user variable (username: str, user: Optional[str])
_TYPE_NAMES = frozenset({"str", "bytes", "string", "int", "bool", "object", "any", "false", "true", "optional",
                         "annotated", "union"})


# a name in escaped quotes (JSON inside JSON: user \"app\"), read from its leading backslash
_ESCAPED_NAME = re.compile(r"\\{1,3}[\"']([A-Za-z0-9._$@-]{1,64})\\")


def check_username(text: str, start: int, end: int) -> Bounds | None:
    """A user name: not a word that names no one, not a number (Android's user=0, a uid), not a variable or
    template ($USER, ${USER}, <user>).
    A value that is only the backslash of an escaped quote widens to the name inside the quotes."""
    if text[start] == "\\":
        m = _ESCAPED_NAME.match(text, start)
        if m:
            start, end = m.span(1)
    n = _user_length(text[start:end])
    end = start + n
    if not n or (end < len(text) and text[end] == "["):
        return None  # user = names[i]: program text
    return start, end


@_memo
def _user_length(value: str) -> int:
    """How much of a user value is the name (trailing punctuation dropped); 0 when it names no one: a word
    for no user, a number (Android's user=0, a uid), a variable or template ($USER, ${USER}, <user>), or a
    type name (username: str)."""
    value = value.rstrip(".,;:)\\")
    if not value or value[0] in "$<%{" or value.isdigit():
        return 0
    lower = value.lower()
    return 0 if lower in _NOT_USERS or lower in _TYPE_NAMES else len(value)


#: names that stand for no particular machine (and level words where a host field is expected)
_NOT_HOSTS = frozenset({"localhost", "ip6-localhost", "ip6-loopback", "broadcasthost", "unknown", "none", "null",
                        "host", "hostname", "example", "unix", "trace", "debug", "info", "notice", "warn", "warning",
                        "error", "err", "crit", "critical", "alert", "emerg", "fatal"})


# what follows the user of a URL: ":password@" (a port is digits followed by "/", space or the end)
_USERINFO_REST = re.compile(r":[^\s/@\"'<>]*@")


def check_host_label(text: str, start: int, end: int) -> Bounds | None:
    """A host name outside the TLD list (a syslog host field, a URL's single-label host): not a name
    for no machine in particular, and not a number or an address (those have their own detectors)."""
    if not _host_label_ok(text[start:end]):
        return None
    if end < len(text) and text[end] == ":" and _USERINFO_REST.match(text, end):
        return None  # https://x-access-token:TOKEN@github.com: the user of a URL, not its host
    return start, end


@_memo
def _host_label_ok(value: str) -> bool:
    # x-coredata://DB05755C-483D-...: an object's UUID, not a machine
    return value.lower() not in _NOT_HOSTS and any(c.isalpha() for c in value) and not _UUID.fullmatch(value)


def check_syslog_host(text: str, start: int, end: int) -> Bounds | None:
    """The host field of a syslog header matched whole (``Mmm dd hh:mm:ss HOST tag[pid]:``): the word after
    the time, whose first colon is the header's first (neither ``<pri>`` nor the date holds one)."""
    colon = text.find(":", start, end)
    host_start = colon + 7  # past "mm:ss "
    host_end = text.find(" ", host_start, end)
    if colon < 0 or host_end <= host_start:
        return None
    # check_host_label's test without its look at a URL's user: a space, not ":", follows the field
    return (host_start, host_end) if _host_label_ok(text[host_start:host_end]) else None


#: home folders that belong to no one person
_SHARED_HOMES = frozenset({"shared", "public", "default", "default user", "all users", "guest", "administrator"})


def check_home_user(text: str, start: int, end: int) -> Bounds | None:
    """The user of a home directory path: not a shared folder, not a placeholder (``$USER``, ``<user>``)."""
    value = text[start:end]
    if value.lower() in _SHARED_HOMES or is_placeholder(value) or value.startswith("$"):
        return None
    return check_username(text, start, end)


# what ends a URL's scheme://user:password@ part (a JSON line's closing quote, a path, a space)
_AUTHORITY_END = re.compile(r"[/\"'<>\s]")


def check_email(text: str, start: int, end: int) -> Bounds | None:
    # the password half of scheme://user:pass@host is URL_CREDENTIALS, not an address; an address after
    # the URL ({"dsn":"postgres://u:p@db/x","email":"ann@corp.com"}) is one
    scheme = text.rfind("://", max(0, start - 512), start)
    if scheme >= 0 and not _AUTHORITY_END.search(text, scheme + 3, start):
        return None
    value = text[start:end]
    local = value.split("@")[0] if "@" in value else value.split("%40")[0]
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    return start, end


_TLDS = _words("""
com net org edu gov mil int io co ai app dev cloud info biz me tv us uk de fr nl be es it ch at se no dk fi
ie pt gr cz hu ro bg ru ua cn jp kr in au nz ca br mx ar cl za sg hk tw my th vn id ph tr il ae sa eg ng ke
eu asia online site tech xyz top local internal corp lan intra intranet localdomain home arpa svc cluster
""")
# reverse-DNS roots and code namespaces: java.util.Foo, com.example.Bar, org.apache..., android.os...
_CODE_ROOTS = _words("java javax jdk sun com org net io android androidx kotlin scala akka play"
                     " google microsoft system")


# top-level domains that are also common file extensions (Makefile.in, model.pt, kernel.cl, logo.ai,
# Safari.app): a bare two-label name ending in one is a file, unless a URL or address frames it
_FILE_TLDS = _words("in pt cl ai app me th ar id")
# extensions that sit in front of a template suffix (config.h.in, Makefile.am.in)
_FILE_EXTS = _words("h c cc cpp py js ts json yaml yml xml txt cfg conf ini sh am cmake html md env properties toml")


_NO_HOST, _HOST, _HOST_IN_URL = 0, 1, 2


@_memo
def _hostname_kind(value: str) -> int:
    """Whether a dotted name is a host (``_HOST``), a host only where a URL frames it (``_HOST_IN_URL``:
    a two-label name ending in a TLD that is also a file extension, Makefile.in) or none (``_NO_HOST``)."""
    labels = value.split(".")
    if len(labels) < 2 or labels[-1].lower() not in _TLDS:
        return _NO_HOST
    if labels[-1].lower() in _FILE_TLDS and labels[-2].lower() in _FILE_EXTS:
        return _NO_HOST
    if labels[0].lower() in _CODE_ROOTS and len(labels) >= 3:
        return _NO_HOST  # a package or class name (org.apache.spark.io), not a host
    rest = value[len(labels[0]) + 1:]
    if not rest.islower() and any(c.isupper() for c in rest) and not value.isupper():
        return _NO_HOST  # CamelCase inside: a class or method name
    if all(lab.isdigit() for lab in labels[:-1]):
        return _NO_HOST
    return _HOST_IN_URL if len(labels) == 2 and labels[1].lower() in _FILE_TLDS else _HOST


# the last character of a URL's user:password or an e-mail's local part, right before the "@"
_USERINFO_END = _ALNUM | frozenset("._%+-~!$*")


# what may stand beside a host name (a character elsewhere continues a word, a path or a code name)
_HOST_NOT_BEFORE = _ALNUM | frozenset("@._-/")
_HOST_NOT_AFTER = _ALNUM | frozenset("_-(.")


def check_hostname(text: str, start: int, end: int) -> Bounds | None:
    kind = _hostname_kind(text[start:end])
    if not kind:
        return None
    before = text[start - 1] if start > 0 else "\x00"
    after = text[end] if end < len(text) else "\x00"
    if before not in _HOST_NOT_BEFORE and after not in _HOST_NOT_AFTER and kind == _HOST:
        return start, end  # the common case: a name between spaces, quotes or "=" (a dot after it is below)
    # The host of a URL counts: after "scheme://" or after the "user:password@" of a credentials URL
    # (an e-mail's domain also follows "@", but the longer EMAIL span wins the overlap).
    in_url = (before == "/" and _char_before(text, start - 1) == "/") or (
        before == "@" and _char_before(text, start - 1) in _USERINFO_END)  # not curl's -F file=@model.pt
    if kind == _HOST_IN_URL and not in_url:
        return None
    if before in _ALNUM or (before in "@._-/" and not in_url) or after in _ALNUM or after in "_-" or after == "(":
        return None
    if after == "." and _char_after(text, end + 1) in _ALNUM:  # java.net.ConnectException: a dotted code name
        return None
    return start, end


VALIDATORS: dict[str, Check] = {
    "luhn": check_luhn,
    "iban": check_iban,
    "ssn": check_ssn,
    "ipv4": check_ipv4,
    "ipv6": check_ipv6,
    "mac": check_mac,
    "phone": check_phone,
    "jwt": check_jwt,
    "vendor_key": check_vendor_key,
    "pem": check_pem,
    "secret_value": check_secret_value,
    "entropy": check_generic_secret,
    "api_key": check_api_key,
    "username": check_username,
    "email": check_email,
    "hostname": check_hostname,
    "host_label": check_host_label,
    "syslog_host": check_syslog_host,
    "home_user": check_home_user,
}
