"""A Jupyter server pre-save hook that scrubs sensitive values from every notebook it saves.

Notebooks keep outputs as plain text on disk; this hook replaces sensitive values before the file
is written, so an investigation notebook never lands on disk holding what the store redacts.
Configure it in ``jupyter_server_config.py`` (``jupyter --config-dir`` shows the folder)::

    c.FileContentsManager.pre_save_hook = "tftsr_kernel.rca.presave.scrub_presave_hook"

or on the command line::

    jupyter lab --FileContentsManager.pre_save_hook=tftsr_kernel.rca.presave.scrub_presave_hook

What counts as sensitive: the detector (``tftsr_kernel.pii``) and, when the server's environment
has ``TFTSR_DB_KEY`` and the store exists (``TFTSR_STORE`` names the file, else
``$TFTSR_HOME/tftsr.db`` / the platform default), that store's approved values. Sources,
outputs, cell and notebook metadata and widget state are scrubbed; binary outputs are left alone.
The hook never logs a value; it logs how many strings it changed.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from .hygiene import SensitiveValues, scrub_notebook_dict

log = logging.getLogger("tftsr_kernel.presave")


def _guard() -> SensitiveValues:
    if not os.environ.get("TFTSR_DB_KEY"):
        return SensitiveValues.from_store(None)
    from ..errors import TFTSRError
    from ..store import Store, resolve_store_path

    path = resolve_store_path(os.environ.get("TFTSR_STORE") or None)
    if not path.exists():
        return SensitiveValues.from_store(None)
    try:
        with Store(path) as store:
            return SensitiveValues.from_store(store)
    except TFTSRError as exc:
        log.warning("tftsr pre-save hook: store not used (%s); scrubbing with the detector only", exc)
        return SensitiveValues.from_store(None)


def scrub_presave_hook(model: dict[str, Any], path: str = "", contents_manager: Any = None, **kwargs: Any) -> None:
    """``FileContentsManager.pre_save_hook``: scrub ``model['content']`` in place when it is a notebook."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    guard = _guard()
    if not guard.usable:
        return
    changed = scrub_notebook_dict(model["content"], guard)
    if changed:
        log.info("tftsr pre-save hook: scrubbed %d string(s) in %s", changed, path)
