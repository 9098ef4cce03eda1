"""Optional C++ parts of the detection engine, built by ``make`` (``python -m tftsr_kernel.pii.native.build``).

Each has a pure-Python reference in the engine that is used when the part is not built (a pip install
without a compiler, or ``TFTSR_PII_NATIVE=0``); tests compare the two.
"""

from __future__ import annotations

import os
from typing import Any

matcher: Any = None
if os.environ.get("TFTSR_PII_NATIVE", "1") != "0":
    try:
        from . import _matcher as matcher  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built on this machine: the Python loops run
        matcher = None

#: the word lists of validators.py that the C++ validators read
WORD_LISTS = ("_NOT_USERS", "_TYPE_NAMES", "_NOT_HOSTS", "_TLDS", "_FILE_TLDS", "_FILE_EXTS", "_CODE_ROOTS")


def native_check(validator: str | None) -> int:
    """The C++ validator standing in for ``validator`` (a catalog validator name), else 0 (run the Python one)."""
    if matcher is None or validator is None:
        return 0
    return int(matcher.CHECKS.get(validator, 0))


if matcher is not None:
    from .. import validators as _validators

    for _name in WORD_LISTS:
        matcher.set_words(_name, sorted(getattr(_validators, _name)))
