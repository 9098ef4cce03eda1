"""Redaction strategies and :func:`redact`, the only way to make a :class:`RedactedText`."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tftsr_kernel.errors import RedactionError
from tftsr_kernel.pii.redacted import _MINT, RedactedText
from tftsr_kernel.pii.spans import Span

if TYPE_CHECKING:
    from tftsr_kernel.pii.profiles import Profile

Strategy = Literal["label", "pseudonym", "mask"]
STRATEGIES: tuple[str, ...] = ("label", "pseudonym", "mask")


def label(type_: str) -> str:
    """``[EMAIL]``"""
    return f"[{type_}]"


def pseudonym(type_: str, value: str, key: bytes) -> str:
    """``<EMAIL_3f2a9c>``: HMAC-SHA256 of type and value under ``key``; the same value gets the same
    token wherever it appears with this key, and a different key gives different tokens."""
    if not key:
        raise RedactionError("pseudonym redaction needs a pseudonym key; open a store or pass pseudonym_key")
    digest = hmac.new(key, f"{type_}\x00{value}".encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return f"<{type_}_{digest[:6]}>"


def mask(value: str, prefix: int = 4, suffix: int = 4) -> str:
    """``AKIA************MPLE``: keep a short prefix and suffix (less of short values), star the rest."""
    keep_p = min(prefix, len(value) // 4)
    keep_s = min(suffix, len(value) // 4)
    return value[:keep_p] + "*" * (len(value) - keep_p - keep_s) + value[len(value) - keep_s:]


def approve_all(spans: Iterable[Span]) -> list[Span]:
    """Every span approved: the non-interactive path (``tftsr redact``, pipelines)."""
    return [s.with_status("approved") for s in spans]


def _replacement(strategy: str, type_: str, value: str, key: bytes | None, mask_prefix: int,
                 mask_suffix: int) -> str:
    if strategy == "label":
        return label(type_)
    if strategy == "pseudonym":
        return pseudonym(type_, value, key or b"")
    if strategy == "mask":
        return mask(value, mask_prefix, mask_suffix)
    raise RedactionError(f"unknown redaction strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")


def redact(text: str, spans: Sequence[Span], *, strategy: str | None = None,
           profile: Profile | str | os.PathLike[str] | None = None, pseudonym_key: bytes | None = None,
           log_file_ids: Iterable[str] = ()) -> RedactedText:
    """Replace every approved span of ``text``; keep rejected ones; refuse if any is undecided.

    The strategy of a type comes from the profile's per-type table, else ``strategy``, else the
    profile's default, else ``label``. Overlapping approved spans are replaced as one region.
    """
    from tftsr_kernel.pii.profiles import Profile, load_profile

    prof: Profile | None = None
    if profile is not None:
        prof = profile if isinstance(profile, Profile) else load_profile(Path(profile))
    default = strategy or (prof.default_strategy if prof else "label")
    if default not in STRATEGIES:
        raise RedactionError(f"unknown redaction strategy {default!r}; choose one of {', '.join(STRATEGIES)}")
    n = len(text)
    undecided = 0
    for s in spans:
        if s.end > n:
            raise RedactionError(f"a span ({s.start}..{s.end}) lies outside the text ({n} characters); "
                                 "scan this exact text again")
        if s.status not in ("approved", "rejected"):
            undecided += 1
    if undecided:
        raise RedactionError(f"{undecided} span(s) are still undecided; approve or reject each before redacting")
    approved = sorted((s for s in spans if s.status == "approved"), key=lambda s: (s.start, -s.end))
    mask_prefix = prof.mask.prefix if prof else 4
    mask_suffix = prof.mask.suffix if prof else 4
    out: list[str] = []
    counts: Counter[str] = Counter()
    pos = 0
    i = 0
    while i < len(approved):
        s = approved[i]
        start, end, type_ = s.start, s.end, s.type
        i += 1
        while i < len(approved) and approved[i].start < end:  # merge overlaps into one region
            end = max(end, approved[i].end)
            i += 1
        if start < pos:
            start = pos
        chosen = (prof.strategy_for(type_) if prof else None) or default
        out.append(text[pos:start])
        out.append(_replacement(chosen, type_, text[start:end], pseudonym_key, mask_prefix, mask_suffix))
        counts[type_] += 1
        pos = end
    out.append(text[pos:])
    result = "".join(out)
    digest = hashlib.sha256(result.encode("utf-8", "surrogatepass")).hexdigest()
    return RedactedText(result, digest, dict(sorted(counts.items())), prof.sha256 if prof else None,
                        tuple(log_file_ids), _mint=_MINT)


def redact_all(text: str, spans: Sequence[Span], **options: object) -> RedactedText:
    """Approve every span, then :func:`redact` (non-interactive CLI path)."""
    return redact(text, approve_all(spans), **options)  # type: ignore[arg-type]


def pseudonym_key_from_secret(secret: str) -> bytes:
    """A pseudonym key derived from a passphrase (e.g. ``$TFTSR_PSEUDONYM_KEY`` for the headless CLI)."""
    if not secret:
        raise RedactionError("the pseudonym key is empty; set TFTSR_PSEUDONYM_KEY to a long random passphrase")
    return hashlib.sha256(b"tftsr-pseudonym-key\x00" + secret.encode("utf-8")).digest()


def profile_uses_pseudonyms(profile: Profile | None, strategy: str | None) -> bool:
    if strategy == "pseudonym":
        return True
    if profile is None:
        return False
    return (strategy is None and profile.default_strategy == "pseudonym") or "pseudonym" in profile.strategies.values()
