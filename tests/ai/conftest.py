"""Fixtures for the AI tests: a recording provider server on 127.0.0.1 and redacted corpus context."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ai import fake_providers
from tests.conftest import DEV_CORPUS


@pytest.fixture
def fake_server() -> Iterator[fake_providers.FakeServer]:
    server = fake_providers.start()
    yield server
    fake_providers.stop(server)


def corpus_logs() -> list[Path]:
    return sorted(DEV_CORPUS.glob("*.log"))


def labelled_values(log: Path) -> list[str]:
    """The labelled sensitive values of a corpus log (>= 6 characters), read as bench/gold_values.py does."""
    text = log.read_text()
    values = []
    for line in log.with_suffix(".labels.jsonl").read_text().splitlines():
        g = json.loads(line)
        value = text[g["start"]:g["end"]]
        if len(value) >= 6:
            values.append(value)
    return values


def values_in(text: str, values: list[str] | set[str]) -> set[str]:
    """Which of ``values`` (each >= 6 characters) occur in ``text``: one pass over 6-character windows."""
    by_prefix: dict[str, list[str]] = {}
    for v in set(values):
        by_prefix.setdefault(v[:6], []).append(v)
    found: set[str] = set()
    for i in range(len(text) - 5):
        cands = by_prefix.get(text[i:i + 6])
        if cands:
            found.update(v for v in cands if text.startswith(v, i))
    return found


@pytest.fixture(scope="session")
def corpus_context() -> tuple[Any, list[str]]:
    """All dev-corpus logs scanned, every span approved, redacted; plus their labelled values."""
    logs = corpus_logs()
    if not logs:
        pytest.skip(f"{DEV_CORPUS} is not present (../shared is optional)")
    from tftsr_kernel.pii.engine import scan_text
    from tftsr_kernel.pii.redaction import approve_all, redact

    text = "".join(p.read_text() for p in logs)
    spans = approve_all(scan_text(text))
    values = [v for p in logs for v in labelled_values(p)]
    return redact(text, spans), values


def small_context(text: str, **kw: Any) -> Any:
    from tftsr_kernel.pii.engine import scan_text
    from tftsr_kernel.pii.redaction import approve_all, redact

    return redact(text, approve_all(scan_text(text)), **kw)


SAMPLE_LOG = """2024-05-01 14:00:01 INFO  api.Server: started on port 8080
2024-05-01 14:00:05 INFO  api.Pool: pool size 20
2024-05-01 14:02:11 ERROR api.Pool: upstream connect timed out after 3000 ms to db-7 user alice@example.com
2024-05-01 14:02:12 ERROR api.Pool: upstream connect timed out after 3000 ms to db-7 user bob@example.org
2024-05-01 14:02:13 WARN  api.Retry: retrying request 1234 from 10.20.30.40
2024-05-01 14:02:15 ERROR nginx.Proxy: 502 bad gateway for /checkout from 192.168.7.9
"""
