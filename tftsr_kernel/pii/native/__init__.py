"""Optional C++ parts of the detection engine, built by ``make`` (``python -m tftsr_kernel.pii.native.build``).

Each has a pure-Python reference in the engine that is used when the part is not built (a pip install
without a compiler, or ``TFTSR_PII_NATIVE=0``); tests compare the two.
"""

from __future__ import annotations

import os
from typing import Any

re2_search: Any = None
if os.environ.get("TFTSR_PII_NATIVE", "1") != "0":
    try:
        from . import _re2_search as re2_search  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built on this machine: the Python loop runs
        re2_search = None
