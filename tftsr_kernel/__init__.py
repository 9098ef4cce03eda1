"""TFTSR workbench: investigate IT incidents in Python with redaction, an encrypted store and an audit log.

    from tftsr_kernel import Workbench, load_logs, scan_text

Heavy layers (pandas, the detector catalog) load on first use, so ``import tftsr_kernel`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["RedactedText", "TFTSRError", "Workbench", "load_logs", "scan_text", "__version__"]

_LAZY = {
    "Workbench": "tftsr_kernel.workbench",
    "load_logs": "tftsr_kernel.logs",
    "scan_text": "tftsr_kernel.pii",
    "RedactedText": "tftsr_kernel.pii",
    "TFTSRError": "tftsr_kernel.errors",
}

if TYPE_CHECKING:
    from .errors import TFTSRError
    from .logs import load_logs
    from .pii import RedactedText, scan_text
    from .workbench import Workbench


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tftsr_kernel' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext tftsr_kernel``: registers ``%tftsr`` / ``%%tftsr`` (imported only now)."""
    from .magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .magics import unload_ipython_extension as unload

    unload(ipython)
