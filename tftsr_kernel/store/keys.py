"""The master key: an explicit argument, else ``TFTSR_DB_KEY``; never a default.

A key is either a passphrase (run through SQLCipher's PBKDF2-HMAC-SHA512, 256,000 iterations) or a
raw 256-bit key written ``x'<64 hex digits>'``, which skips the KDF.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..errors import KeyMissingError

_RAW = re.compile(r"^x'([0-9a-fA-F]{64})'$")
PLAINTEXT_ENV = "TFTSR_INSECURE_PLAINTEXT"
KEY_ENV = "TFTSR_DB_KEY"


@dataclass(frozen=True)
class MasterKey:
    """A master key. Its repr never shows the secret."""

    secret: str = ""
    plaintext: bool = False

    def __repr__(self) -> str:
        if self.plaintext:
            return "MasterKey(plaintext)"
        return "MasterKey(raw)" if self.is_raw else "MasterKey(passphrase)"

    __str__ = __repr__

    @property
    def is_raw(self) -> bool:
        return bool(_RAW.match(self.secret))

    def pragma_literal(self) -> str:
        """The value for ``PRAGMA key = ...`` / ``PRAGMA rekey = ...``."""
        if self.is_raw:
            return f"\"{self.secret}\""
        return "'" + self.secret.replace("'", "''") + "'"


def resolve_key(key: str | MasterKey | None = None, *, insecure_plaintext: bool | None = None) -> MasterKey:
    if isinstance(key, MasterKey):
        return key
    if insecure_plaintext is None:
        insecure_plaintext = os.environ.get(PLAINTEXT_ENV, "") not in ("", "0")
    if insecure_plaintext:
        return MasterKey(plaintext=True)
    secret = key if key else os.environ.get(KEY_ENV, "")
    if not secret:
        raise KeyMissingError(
            f"no master key: set {KEY_ENV} to a passphrase or to x'<64 hex digits>' "
            "(or pass key=...) and try again"
        )
    secret = secret.strip()
    if secret.lower().startswith("x'") and not _RAW.match(secret):
        raise KeyMissingError(f"{KEY_ENV} looks like a raw key but is not x'<64 hex digits>'; fix it and try again")
    return MasterKey(secret=secret)
