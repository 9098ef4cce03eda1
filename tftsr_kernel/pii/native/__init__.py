"""Optional C++ parts of the detection engine, built by ``make`` (``python -m tftsr_kernel.pii.native.build``).

Each has a pure-Python reference in the engine that is used when the part is not built (a pip install
without a compiler, or ``TFTSR_PII_NATIVE=0``); tests compare the two.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def source_hash(folder: Path = HERE) -> str:
    """SHA-256 (16 hex digits) of the C++ sources and headers in ``folder``, "" when there are none; a build
    records it in the module (``SOURCE_HASH``)."""
    digest = hashlib.sha256()
    files = sorted([*folder.glob("*.cpp"), *folder.glob("*.h")])
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16] if files else ""


def current(module: Any, folder: Path = HERE) -> bool:
    """Whether ``module`` was built from the sources beside it (without sources, whatever is there is trusted);
    a stale build (sources pulled since, no ``make``) would not fit the Python side calling it."""
    sources = source_hash(folder)
    if not sources or getattr(module, "SOURCE_HASH", None) == sources:
        return True
    logging.getLogger(__name__).warning("The detector's C++ parts were built from older sources: run `make "
                                        "native` (the slower Python loops run until then).")
    return False


matcher: Any = None
if os.environ.get("TFTSR_PII_NATIVE", "1") != "0":
    try:
        from . import _matcher as matcher  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built on this machine: the Python loops run
        matcher = None
    if matcher is not None and not current(matcher):
        matcher = None

#: the word lists of validators.py that the C++ validators read
WORD_LISTS = ("_NOT_USERS", "_TYPE_NAMES", "_NOT_HOSTS", "_TLDS", "_FILE_TLDS", "_FILE_EXTS", "_CODE_ROOTS",
              "_PLACEHOLDER_STARTS", "_PLACEHOLDER_ENDS")


def native_check(validator: str | None) -> int:
    """The C++ validator standing in for ``validator`` (a catalog validator name), else 0 (run the Python one)."""
    if matcher is None or validator is None:
        return 0
    return int(matcher.CHECKS.get(validator, 0))


if matcher is not None:
    from .. import validators as _validators

    for _name in WORD_LISTS:
        matcher.set_words(_name, sorted(getattr(_validators, _name)))
