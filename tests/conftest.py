"""Shared fixtures: every test gets its own HOME, Jupyter/IPython folders and TFTSR_HOME."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"
LOGHUB_DEV = SHARED / "corpus" / "loghub-dev"


@pytest.fixture(scope="session")
def hyperscan_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Compiled Hyperscan databases, shared by the session's tests (a cache: results never depend on it)."""
    return tmp_path_factory.mktemp("hyperscan-cache")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                 hyperscan_cache: Path) -> Path:
    root = tmp_path_factory.mktemp("env")
    for var, sub in [("HOME", "home"), ("TFTSR_HOME", "tftsr"), ("JUPYTER_CONFIG_DIR", "jcfg"),
                     ("JUPYTER_DATA_DIR", "jdata"), ("JUPYTER_RUNTIME_DIR", "jrt"), ("IPYTHONDIR", "ipy")]:
        (root / sub).mkdir()
        monkeypatch.setenv(var, str(root / sub))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TFTSR_CACHE_DIR", str(hyperscan_cache))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    for var in ("TFTSR_DB_KEY", "TFTSR_AUDIT_KEY", "TFTSR_ENCRYPTION_KEY", "TFTSR_INSECURE_PLAINTEXT",
                "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "MISTRAL_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    return root


def make_raw_key() -> str:
    return f"x'{secrets.token_hex(32)}'"


@pytest.fixture
def raw_key() -> str:
    return make_raw_key()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "tftsr.db"


@pytest.fixture
def store(store_path: Path, raw_key: str) -> Iterator[object]:
    from tftsr_kernel.store import Store

    s = Store(store_path, raw_key)
    yield s
    s.close()


@pytest.fixture
def keyed_env(monkeypatch: pytest.MonkeyPatch, raw_key: str) -> str:
    monkeypatch.setenv("TFTSR_DB_KEY", raw_key)
    return raw_key


def needs_shared(path: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not path.exists(), reason=f"{path} is not present (../shared is optional)")


os.environ.setdefault("MPLBACKEND", "Agg")
