"""The demo investigation: a throw-away store with a generated key, an issue and its audit trail."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from .workbench import Workbench


def run_demo(out_dir: str | None = None, echo: Callable[[str], None] = print) -> Path:
    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="tftsr-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    key = f"x'{secrets.token_hex(32)}'"
    with Workbench.open(out / "demo.db", key) as wb:
        issue = wb.issue_new("Checkout API 502s after deploy", severity="high", category="network",
                             description="nginx returns 502 for /api/checkout since 14:02")
        wb.issue_status("investigating")
        echo(f"issue {issue['id']}: {issue['title']}")
        for entry in wb.audit_log():
            echo(f"  audit {entry['seq']}: {entry['action']} {entry['entity_type']}:{entry['entity_id']}")
        echo(wb.audit_verify().message())
    return out
