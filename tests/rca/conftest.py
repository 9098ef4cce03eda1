"""An investigation in a real SQLCipher store: one log loaded, scanned, decided, with a 5-Whys chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

EMAIL = "alice.ops@example.com"
TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
IPS = [f"10.20.30.{n}" for n in (41, 42, 43)]
START = dt.datetime(2024, 3, 1, 14, 0, 0)
ERROR_RANGE = range(6, 18)   # which of the 30 regular lines are errors


def write_log(path: Path) -> list[str]:
    """30 lines 20 s apart, errors from 14:02:00 to 14:05:40, three more errors at 14:04:0x (the peak
    minute), one warning carrying a token; sorted by time."""
    entries = []
    for i in range(30):
        ts = START + dt.timedelta(seconds=20 * i)
        if i in ERROR_RANGE:
            entries.append((ts, "ERROR", f"upstream timed out for user {EMAIL} from {IPS[i % 3]} (attempt {i})"))
        else:
            entries.append((ts, "INFO", f"request ok for /api/checkout in {100 + i} ms"))
    for s in (5, 10, 15):
        entries.append((dt.datetime(2024, 3, 1, 14, 4, s), "ERROR", f"pool exhausted, retry {s} from {IPS[0]}"))
    entries.append((dt.datetime(2024, 3, 1, 14, 3, 25), "WARNING", f"deploy used token {TOKEN}"))
    entries.sort(key=lambda e: e[0])
    lines = [f"{ts:%Y-%m-%d %H:%M:%S},000 {level} [checkout] {msg}" for ts, level, msg in entries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


@dataclass
class Investigation:
    wb: object
    issue_id: str
    log_path: Path
    lines: list[str]
    log_file_id: str


@pytest.fixture
def investigation(tmp_path: Path, store_path: Path, keyed_env: str) -> Iterator[Investigation]:
    from tftsr_kernel import Workbench

    log_path = tmp_path / "logs" / "app.log"
    log_path.parent.mkdir()
    lines = write_log(log_path)
    wb = Workbench.open(store_path)
    issue = wb.issue_new("Checkout API 502s", severity="high", category="network",
                         description="nginx returns 502 for /api/checkout")
    wb.load([log_path])
    wb.scan()
    wb.decide(approve=["EMAIL", "GITHUB_TOKEN"], reject=["IPV4"])
    lf = wb.log_files()[0]
    err_line = next(n for n, text in enumerate(lines, 1) if " ERROR " in text)
    wb.whys_add("Why did checkout return 502?", "the upstream timed out",
                [{"log_file_id": lf["id"], "line_no": err_line, "note": "first timeout"}])
    wb.whys_add("Why did the upstream time out?", "the deploy exhausted the connection pool", [])
    wb.whys_add("Why was the cache cold?", "the deploy flushed it", [], chain=2)
    try:
        yield Investigation(wb, issue["id"], log_path, lines, lf["id"])
    finally:
        wb.close()
