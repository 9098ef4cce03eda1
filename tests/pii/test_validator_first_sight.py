"""Validators' first-sight paths (a fresh token on every log line, so no memo helps) must answer exactly as
the plain definitions they replace, which are kept here as the reference."""

from __future__ import annotations

import ipaddress
import math
import re
import string
import uuid
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from tftsr_kernel.pii import validators

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _entropy_by_definition(value: str) -> float:
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if value else 0.0


def _random_looking_by_definition(value: str) -> bool:
    """The check as first written: one test after another on the whole value."""
    if len(value) < 12 or _entropy_by_definition(value) < 3.0:
        return False
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value),
                   any(c.isdigit() for c in value)))
    if classes < 2:
        return False
    if re.fullmatch(r"[a-z]+(?:[._-][a-z]+)*", value):
        return False
    if _UUID.fullmatch(value) or validators._IDENTIFIER.fullmatch(value) or validators._sequential(value):
        return False
    return not re.fullmatch(r"0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)*", value)


_TOKEN_CHARS = string.ascii_letters + string.digits + "._-/+=!#%"
# few distinct characters with even counts: entropy right at 3 bits (8 characters, each 1/8 of the value)
_EVEN = st.builds(lambda chars, k, extra: "".join(chars) * k + extra,
                  st.lists(st.sampled_from(_TOKEN_CHARS), min_size=6, max_size=10, unique=True),
                  st.integers(1, 6), st.text(alphabet="aA1", max_size=3))
_SHAPED = st.one_of(
    st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()), st.uuids().map(lambda u: u.hex),
    st.integers(0, 2**96).map(hex), st.integers(0, 2**64).map(lambda i: f"{i}.{i % 977}.{i % 13}"),
    st.lists(st.sampled_from(["app", "Window", "Token", "os", "Binder", "proxy", "v2", "HTTP", "Client"]),
             min_size=1, max_size=6).flatmap(lambda ws: st.sampled_from(".-_/").map(lambda sep: sep.join(ws))),
    st.builds(lambda i, n, tail: ("0123456789abcdefghijklmnopqrstuvwxyz" * 2)[i:i + n] + tail,
              st.integers(0, 35), st.integers(10, 40), st.text(alphabet=_TOKEN_CHARS, max_size=6)),
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(alphabet=_TOKEN_CHARS, max_size=70), _EVEN, _SHAPED,
                 st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
                 st.text(alphabet="aAbB1ßǅ١Ⅻ²é-", max_size=30)))
def test_random_looking_answers_as_its_definition(value: str) -> None:
    assert validators._random_looking(value) == _random_looking_by_definition(value)


def test_random_looking_examples() -> None:
    assert validators._random_looking("Xk9vQ2pL7mN4wR8s")
    assert not validators._random_looking(str(uuid.UUID(int=2**100 + 12345)))
    assert not validators._random_looking("0x1f2e3d4c5b6a7980") and not validators._random_looking("AppWindowToken")
    # the bounds' edges: 8 distinct characters in equal counts hold exactly 3 bits; 7 hold less
    assert validators._random_looking("aB3dE5gH" * 2) and _random_looking_by_definition("aB3dE5gH" * 2)
    assert not validators._random_looking("aB3dE5g" * 3)


def _ipv6_kind_by_definition(value: str) -> int:
    groups = [g for g in value.split(":") if g]
    if len(groups) >= 3 or ("::" in value and len(groups) >= 2 and any(len(g) >= 3 for g in groups)):
        try:
            addr = ipaddress.IPv6Address(value)
        except ValueError:
            return validators._IPV6_NONE
        return validators._IPV6_NOBODY if addr.is_unspecified or addr.is_loopback else validators._IPV6_ADDRESS
    return validators._IPV6_NONE


def _written(addr: ipaddress.IPv6Address, form: int) -> str:
    """An address as logs write it: compressed, exploded, upper case, or with leading zeros dropped."""
    if form == 0:
        return addr.compressed
    if form == 1:
        return addr.exploded
    if form == 2:
        return addr.compressed.upper()
    return ":".join(g.lstrip("0") or "0" for g in addr.exploded.split(":"))


_ADDRESSES = st.one_of(st.ip_addresses(v=6), st.integers(0, 3).map(ipaddress.IPv6Address),
                       st.integers(0, 2**32 - 1).map(lambda i: ipaddress.IPv6Address(i << 96)))
_NEAR_ADDRESSES = st.builds(lambda a, form, cut, tail: _written(a, form)[cut:] + tail, _ADDRESSES,
                            st.integers(0, 3), st.integers(0, 2), st.sampled_from(["", ":", "::", ":1", "%eth0",
                                                                                  ".1", ":12345", "g", "::1"]))


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.builds(_written, _ADDRESSES, st.integers(0, 3)), _NEAR_ADDRESSES,
                 st.text(alphabet="0123456789abcdefABCDEF:.%g", max_size=45), st.text(alphabet="01:", max_size=20)))
def test_ipv6_kind_answers_as_its_definition(value: str) -> None:
    assert validators._ipv6_kind(value) == _ipv6_kind_by_definition(value)


def test_ipv6_kind_examples() -> None:
    assert validators._ipv6_kind("::0:0:1") == validators._ipv6_kind("0:0:0:0:0:0:0:0") == validators._IPV6_NOBODY
    assert validators._ipv6_kind("::10") == validators._ipv6_kind("1::") == validators._IPV6_NONE  # two groups
    assert validators._ipv6_kind("2001:db8::10") == validators._ipv6_kind("::1:0:0") == validators._IPV6_ADDRESS
    assert validators._ipv6_kind("1:2:3:4::5:6:7:8") == validators._IPV6_NONE  # "::" stands for no group
