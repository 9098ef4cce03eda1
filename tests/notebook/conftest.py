"""Fixtures for the notebook layer: an IPython shell with the extension, a store with the sample incident."""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tftsr_kernel.store.paths import resource_dir

SAMPLE_LOGS = resource_dir("notebooks") / "sample_logs"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def shell() -> Iterator[Any]:
    """A real InteractiveShell (as anywidget's tests use), with history in this test's IPYTHONDIR."""
    from IPython.core.interactiveshell import InteractiveShell

    sh = InteractiveShell.instance()
    yield sh
    if "tftsr_kernel" in sh.extension_manager.loaded:
        sh.run_line_magic("unload_ext", "tftsr_kernel")
    sh.atexit_operations()
    atexit.unregister(sh.atexit_operations)
    InteractiveShell.clear_instance()


@pytest.fixture
def sample_wb(tmp_path: Path, raw_key: str) -> Iterator[Any]:
    """A Workbench with one issue, the sample incident loaded and scanned."""
    from tftsr_kernel import Workbench

    wb = Workbench.open(tmp_path / "s.db", raw_key)
    wb.issue_new("Checkout API 502s after deploy", severity="high", category="network")
    wb.load([SAMPLE_LOGS], year=2024)
    wb.scan()
    yield wb
    wb.close()


def sample_values() -> set[str]:
    """The secrets, e-mail addresses, internal host names and IPs the detector finds in the sample logs
    (to prove none leaks)."""
    from tftsr_kernel.pii import SECRET_TYPES, scan_text

    values = set()
    for f in sorted(SAMPLE_LOGS.rglob("*")):
        if f.is_file():
            text = f.read_text()
            values |= {text[s.start:s.end] for s in scan_text(text)
                       if s.end - s.start >= 6 and (s.type in SECRET_TYPES or s.type in ("EMAIL", "HOSTNAME", "IPV4"))}
    return values
