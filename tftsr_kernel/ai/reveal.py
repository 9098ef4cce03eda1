"""Map pseudonym tokens in an answer back to the original values, locally, for the investigator only.

A pseudonym is ``<TYPE_xxxxxx>``: the first hex digits of HMAC-SHA256(pseudonym key, type ‖ value).
Given the candidate (type, value) pairs of an issue and the store's pseudonym key, each token in
the text that one of them produces is replaced by its value. Nothing here sends anything; revealed
text must never be passed to the gateway (it is a plain ``str``, so the gateway refuses it anyway).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..pii.redaction import pseudonym

TOKEN = re.compile(r"<[A-Z][A-Z0-9_]*_[0-9a-f]{6}>")


def reveal_tokens(text: str, candidates: Iterable[tuple[str, str]], key: bytes) -> tuple[str, int]:
    """``text`` with known tokens replaced by their values, and how many tokens were replaced."""
    wanted = set(TOKEN.findall(text))
    if not wanted:
        return text, 0
    mapping: dict[str, str] = {}
    for type_, value in candidates:
        token = pseudonym(type_, value, key)
        if token in wanted:
            mapping.setdefault(token, value)
    count = 0

    def swap(m: re.Match[str]) -> str:
        nonlocal count
        if m.group(0) in mapping:
            count += 1
            return mapping[m.group(0)]
        return m.group(0)

    return TOKEN.sub(swap, text), count
