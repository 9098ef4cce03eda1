"""``RedactedText``: the only type allowed to leave the machine. Only :func:`redact` can make one."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

_MINT = object()  # private: holding this token is what lets redact() construct a RedactedText


class RedactedText:
    """Text whose every detected span was decided, approved ones replaced.

    ``text`` is what may be sent; ``sha256`` is its digest (the audit records it); ``counts`` is the
    number of replaced spans per type; ``profile_hash`` the SHA-256 of the profile used (or ``None``);
    ``log_file_ids`` the store records the text came from (may be empty). Plain construction raises
    ``TypeError``; the repr never shows the text.
    """

    __slots__ = ("_text", "_sha256", "_counts", "_profile_hash", "_log_file_ids")
    _text: str
    _sha256: str
    _counts: Mapping[str, int]
    _profile_hash: str | None
    _log_file_ids: tuple[str, ...]

    def __new__(cls, *args: Any, **kwargs: Any) -> RedactedText:
        if kwargs.pop("_mint", None) is not _MINT:
            raise TypeError("RedactedText cannot be constructed directly; call tftsr_kernel.pii.redact()")
        return super().__new__(cls)

    def __init__(self, text: str, sha256: str, counts: Mapping[str, int], profile_hash: str | None,
                 log_file_ids: tuple[str, ...], *, _mint: object = None) -> None:
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_sha256", sha256)
        object.__setattr__(self, "_counts", MappingProxyType(dict(counts)))
        object.__setattr__(self, "_profile_hash", profile_hash)
        object.__setattr__(self, "_log_file_ids", tuple(log_file_ids))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RedactedText is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("RedactedText is immutable")

    def __reduce__(self) -> Any:
        raise TypeError("RedactedText cannot be pickled or copied; redact() again")

    @property
    def text(self) -> str:
        return self._text

    @property
    def sha256(self) -> str:
        return self._sha256

    @property
    def counts(self) -> Mapping[str, int]:
        return self._counts

    @property
    def profile_hash(self) -> str | None:
        return self._profile_hash

    @property
    def log_file_ids(self) -> tuple[str, ...]:
        return self._log_file_ids

    def select_lines(self, indices: Any) -> RedactedText:
        """A RedactedText of some of this text's lines (0-based indices into ``text.split("\\n")``),
        in ascending order, joined by newlines. A subset of redacted lines is still redacted, so this
        is the one other way to get a RedactedText (the AI gateway uses it to fit a model's budget).
        ``counts`` stays that of the whole text; ``profile_hash`` and ``log_file_ids`` carry over."""
        import hashlib

        lines = self.text.split("\n")
        picked = "\n".join(lines[i] for i in sorted({int(i) for i in indices}) if 0 <= i < len(lines))
        digest = hashlib.sha256(picked.encode("utf-8", "surrogatepass")).hexdigest()
        return RedactedText(picked, digest, self.counts, self.profile_hash, self.log_file_ids, _mint=_MINT)

    def __len__(self) -> int:
        return len(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RedactedText) and other.sha256 == self.sha256

    def __hash__(self) -> int:
        return hash(self.sha256)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items()))
        return f"<RedactedText sha256={self.sha256[:12]}… chars={len(self.text)} replaced: {counts or 'none'}>"
