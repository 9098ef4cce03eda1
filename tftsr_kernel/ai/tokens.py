"""Token estimates for fitting context into a model's window.

With ``tiktoken`` installed and its ``cl100k_base`` file already in its cache, tokens are counted
exactly for that encoding. Otherwise (tiktoken absent, or unable to fetch its BPE file offline) the
estimate is ``ceil(len(text) / 3)``: English prose averages about 4 characters per token, log text
with numbers, hex ids and punctuation closer to 3, so dividing by 3 over-counts a little and keeps
the request inside the budget. ``method()`` says which one is in use.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

_BPE_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"


def _tiktoken_cached() -> bool:
    """True when tiktoken's cl100k_base file is already on disk (so loading it needs no network)."""
    cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR") or \
        str(Path(tempfile.gettempdir()) / "data-gym-cache")
    name = hashlib.sha1(_BPE_URL.encode()).hexdigest()  # noqa: S324 - tiktoken's own cache file name
    return (Path(cache) / name).is_file()


@functools.cache
def _counter() -> tuple[str, Callable[[str], int]]:
    try:
        import tiktoken  # optional

        if _tiktoken_cached():
            enc = tiktoken.get_encoding("cl100k_base")
            return "tiktoken cl100k_base", lambda text: len(enc.encode(text, disallowed_special=()))
    except Exception:  # noqa: S110 - any failure to load falls back to the documented approximation
        pass
    return "approximation: ceil(characters / 3)", lambda text: math.ceil(len(text) / 3)


def count(text: str) -> int:
    return _counter()[1](text)


def method() -> str:
    return _counter()[0]
