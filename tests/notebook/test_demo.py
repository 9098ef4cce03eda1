"""The demo investigation runs end to end under nbclient, and its executed notebook leaks nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from tftsr_kernel.demo import demo_notebook, run_demo

from .conftest import sample_values


def test_demo_notebook_executes_and_ends_with_an_intact_audit_log(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    lines: list[str] = []
    out = run_demo(str(tmp_path / "demo"), echo=lines.append)
    assert out == tmp_path / "demo"
    # the kernel talked over Unix sockets: ipykernel warns on stderr about a TCP kernel without encryption
    assert "without encryption" not in capfd.readouterr().err
    executed = out / "demo_investigation.ipynb"
    nb = nbformat.read(executed, as_version=4)
    assert len(nb.cells) == len(nbformat.read(demo_notebook(), as_version=4).cells)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "(encrypted" in text and re.search(r"\b(\d+) of \1 values decided", text)
    assert "redacted: AWS_ACCESS_KEY 1" in text and "original values wiped" in text
    assert "first 502: 2024-03-12 14:02" in text
    assert any(ln.startswith("audit log intact") for ln in lines) and f"executed notebook: {executed}" in lines
    assert text.rstrip().splitlines()[-1].startswith("audit log intact")
    # the review, 5-Whys and audit widgets were displayed, and the timeline as an image
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert [o["data"]["text/plain"].split("(")[0] for o in views] == ["ReviewWidget", "WhysWidget", "AuditWidget"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    # the local analyzer answered (when this build has the AI gateway), rendered without raw HTML
    answers = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})
               and o.output_type == "display_data"]
    if answers:
        assert answers[-1].strip() and "<script" not in answers[-1]
    # no secret or e-mail address from the sample logs is anywhere in the written notebook (widget state included)
    raw = executed.read_text()
    kept = {"admin"}  # the value the demo keeps on purpose (a user name an attacker guessed)
    leaked = sorted(v for v in sample_values() - kept if v in raw or json.dumps(v)[1:-1] in raw)
    assert not leaked, leaked[:5]
