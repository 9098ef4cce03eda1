"""Where the store lives: ``--store PATH``, else ``$TFTSR_HOME/tftsr.db``, else the platform default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

STORE_FILE = "tftsr.db"


def default_store_path() -> Path:
    home = os.environ.get("TFTSR_HOME")
    if home:
        return Path(home).expanduser() / STORE_FILE
    return Path(platformdirs.user_data_dir("tftsr", appauthor=False)) / STORE_FILE


def resolve_store_path(path: str | os.PathLike[str] | None) -> Path:
    return Path(path).expanduser() if path else default_store_path()


def resource_dir(name: str) -> Path:
    """A top-level data folder (``migrations``, ``widgets``, ``notebooks``).

    Inside a wheel it is packaged as ``tftsr_kernel/_<name>``; in a source checkout it is the
    top-level folder of the repository.
    """
    package = Path(__file__).resolve().parent.parent
    packaged = package / f"_{name}"
    return packaged if packaged.is_dir() else package.parent / name
