"""nbscan / nbscrub over real notebooks, the CLI commands, and the pre-save hook in a real Jupyter server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import nbformat
import nbformat.v4 as nbf
import pytest
from click.testing import CliRunner

from tftsr_kernel.cli import cli
from tftsr_kernel.pii.spans import value_hash
from tftsr_kernel.rca.hygiene import SensitiveValues, nbscan, nbscrub, scan_notebook_dict
from tftsr_kernel.store import new_id, utc_now

from .conftest import EMAIL, IPS, TOKEN, Investigation

CUSTOM = "kraken-prod-7"      # a value only the store knows is sensitive (the detector cannot see it)
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def _leaky_notebook(path: Path) -> Path:
    """Sensitive values in a source, a stream output, a display output, cell metadata, notebook
    metadata and widget state; plus a binary image and a rejected (kept) IP."""
    nb = nbf.new_notebook()
    code = nbf.new_code_cell(f"user = '{EMAIL}'\nprint(user)")
    code.outputs = [nbf.new_output("stream", name="stdout", text=f"{EMAIL}\nhost {IPS[0]}\n"),
                    nbf.new_output("display_data", data={"text/plain": f"token {TOKEN}", "image/png": PNG}),
                    nbf.new_output("execute_result", data={"text/plain": f"'{CUSTOM}'"}, execution_count=1)]
    code.execution_count = 1
    code.metadata["note"] = f"asked {EMAIL}"
    nb.cells = [nbf.new_markdown_cell("# Investigation\nNothing sensitive here."), code]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"m1": {"model_name": "TextModel", "state": {"value": f"{TOKEN}"}}}, "version_major": 2,
        "version_minor": 0}}
    nb.metadata["authors"] = [{"name": EMAIL}]
    nbformat.write(nb, path)
    return path


def _add_custom_approved_value(inv: Investigation, finalised: bool = False) -> None:
    inv.wb.store.execute(
        "INSERT INTO pii_spans (id, log_file_id, pii_type, detector, line_no, start_offset, end_offset, "
        "original_value, value_hash, status, created_at) VALUES (?, ?, 'HOSTNAME', 'manual', 1, 900000, 900013, ?, "
        "?, 'approved', ?)",
        (new_id(), inv.log_file_id, None if finalised else CUSTOM, value_hash("HOSTNAME", CUSTOM), utc_now()))


def test_nbscan_finds_values_everywhere_without_showing_them(investigation: Investigation, tmp_path: Path) -> None:
    _add_custom_approved_value(investigation)
    nb = _leaky_notebook(tmp_path / "inv.ipynb")
    findings = nbscan([nb], SensitiveValues.from_store(investigation.wb.store))
    where = {(f.where, f.type) for f in findings}
    assert ("cells[1].source", "EMAIL") in where
    assert ("cells[1].outputs[0].text", "EMAIL") in where
    assert ("cells[1].outputs[1].data.text/plain", "GITHUB_TOKEN") in where
    assert ("cells[1].outputs[2].data.text/plain", "HOSTNAME") in where          # from the store only
    assert ("cells[1].metadata.note", "EMAIL") in where
    assert ("metadata.authors[0].name", "EMAIL") in where
    assert any(w.startswith("metadata.widgets.") and t == "GITHUB_TOKEN" for w, t in where)
    assert not any(t == "IPV4" for _, t in where)      # rejected in review: kept
    assert not any("image/png" in w for w, _ in where)
    text = "\n".join(f.message() for f in findings) + repr(findings)
    assert EMAIL not in text and TOKEN not in text and CUSTOM not in text
    # the detector alone does not know the store's custom value
    alone = nbscan([nb], SensitiveValues.from_store(None))
    assert not any(f.type == "HOSTNAME" for f in alone) and any(f.type == "EMAIL" for f in alone)


def test_values_known_only_by_hash_are_found(investigation: Investigation, tmp_path: Path) -> None:
    """After redaction is finalised the store keeps hashes only; the value is still found anywhere."""
    investigation.wb.redact()
    _add_custom_approved_value(investigation, finalised=True)
    guard = SensitiveValues.from_store(investigation.wb.store)
    assert not guard.approved and guard.approved_hashes
    nb = tmp_path / "late.ipynb"
    nbformat.write(nbf.new_notebook(cells=[nbf.new_markdown_cell(f"db at postgres://svc@{CUSTOM}:5432, "
                                                                 f"or [{CUSTOM}]. Not kraken-prod-77.")]), nb)
    findings = nbscan([nb], guard)
    assert [(f.type, f.source) for f in findings] == [("HOSTNAME", "store"), ("HOSTNAME", "store")]
    nbscrub(nb, guard)
    assert nbformat.read(nb, as_version=4).cells[0].source == (
        "db at postgres://svc@[HOSTNAME]:5432, or [[HOSTNAME]]. Not kraken-prod-77.")


def test_nbscrub_in_place_with_backup_and_to_out(investigation: Investigation, tmp_path: Path) -> None:
    _add_custom_approved_value(investigation)
    guard = SensitiveValues.from_store(investigation.wb.store)
    nb = _leaky_notebook(tmp_path / "inv.ipynb")
    original = nb.read_text()
    copy = tmp_path / "out" / "clean.ipynb"
    result = nbscrub(nb, guard, out=copy)
    assert result.path == copy and result.backup is None and nb.read_text() == original
    result = nbscrub(nb, guard)
    assert result.backup == tmp_path / "inv.ipynb.bak" and result.backup.read_text() == original
    assert oct(result.backup.stat().st_mode & 0o777) == "0o600"
    for path in (nb, copy):
        text = path.read_text()
        assert EMAIL not in text and TOKEN not in text and CUSTOM not in text
        clean = nbformat.read(path, as_version=4)
        nbformat.validate(clean)
        assert clean.cells[1].source == "user = '[EMAIL]'\nprint(user)"
        assert clean.cells[1].outputs[1]["data"]["image/png"] == PNG
        assert IPS[0] in clean.cells[1].outputs[0]["text"]
        assert scan_notebook_dict(clean, guard) == []
    assert nbscrub(nb, guard).replaced == 0  # already clean: nothing to do, no new backup
    assert not nbscan([nb], guard)


def test_cli_nbscan_and_nbscrub_without_a_store(tmp_path: Path) -> None:
    runner = CliRunner()
    leaky = _leaky_notebook(tmp_path / "leaky.ipynb")
    clean = tmp_path / "clean.ipynb"
    nbformat.write(nbf.new_notebook(cells=[nbf.new_code_cell("1 + 1")]), clean)
    res = runner.invoke(cli, ["nbscan", str(clean)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["nbscan", str(clean), str(leaky)])
    assert res.exit_code == 1 and "EMAIL" in res.output and EMAIL not in res.output + (res.stderr or "")
    res = runner.invoke(cli, ["nbscrub", str(leaky), "--out", str(tmp_path / "scrubbed.ipynb")])
    assert res.exit_code == 0 and "replaced" in res.output
    assert runner.invoke(cli, ["nbscan", str(tmp_path / "scrubbed.ipynb")]).exit_code == 0
    res = runner.invoke(cli, ["nbscan", str(tmp_path / "missing.ipynb")])
    assert res.exit_code == 2 and "cannot read" in res.output and "Traceback" not in res.output
    (tmp_path / "bad.ipynb").write_text("not json")
    assert runner.invoke(cli, ["nbscrub", str(tmp_path / "bad.ipynb")]).exit_code == 2


def test_cli_nbscan_with_a_key_but_no_store_creates_none(tmp_path: Path, keyed_env: str) -> None:
    from tftsr_kernel.store import default_store_path

    leaky = _leaky_notebook(tmp_path / "leaky.ipynb")
    assert CliRunner().invoke(cli, ["nbscan", str(leaky)]).exit_code == 1
    assert not default_store_path().exists()


def test_cli_nbscan_uses_the_store(investigation: Investigation, tmp_path: Path, store_path: Path) -> None:
    _add_custom_approved_value(investigation)
    nb = tmp_path / "custom.ipynb"
    nbformat.write(nbf.new_notebook(cells=[nbf.new_markdown_cell(f"host {CUSTOM}")]), nb)
    runner = CliRunner()
    assert runner.invoke(cli, ["nbscan", str(nb), "--store", str(store_path)]).exit_code == 1
    assert runner.invoke(cli, ["--store", str(store_path), "nbscrub", str(nb)]).exit_code == 0
    assert CUSTOM not in nb.read_text() and (tmp_path / "custom.ipynb.bak").exists()


def test_cli_doc_and_notebook_export(investigation: Investigation, tmp_path: Path, store_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["doc", "export", investigation.issue_id, "--format", "md", "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("# Root cause analysis: Checkout API 502s") and EMAIL not in res.output
    out = tmp_path / "pm.html"
    res = runner.invoke(cli, ["--store", str(store_path), "doc", "export", investigation.issue_id[:13],
                              "--format", "html", "--postmortem", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("<!DOCTYPE html>") and "Blameless" in out.read_text()
    res = runner.invoke(cli, ["notebook", "export", investigation.issue_id, str(tmp_path / "nb" / "rca.ipynb"),
                              "--store", str(store_path)])
    assert res.exit_code == 0, res.output
    assert runner.invoke(cli, ["nbscan", str(tmp_path / "nb" / "rca.ipynb"), "--store", str(store_path)]).exit_code == 0
    res = runner.invoke(cli, ["notebook", "export", investigation.issue_id, str(tmp_path / ".." / "x.ipynb"),
                              "--store", str(store_path)])
    assert res.exit_code == 2 and "'..'" in res.output
    res = runner.invoke(cli, ["doc", "export", "no-such-issue", "--store", str(store_path)])
    assert res.exit_code == 2 and "no issue" in res.output


# -- the pre-save hook in a real Jupyter server ------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(root: Path, token: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--ServerApp.open_browser=False", "--ServerApp.allow_root=True",
           "--FileContentsManager.pre_save_hook=tftsr_kernel.rca.presave.scrub_presave_hook"]
    with open(root.parent / "server.log", "wb") as log:  # the child keeps its own descriptor
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError((root.parent / "server.log").read_text())
        try:
            status = httpx.get(f"{base}/api/status", headers={"Authorization": f"token {token}"}, timeout=2)
            if status.status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise AssertionError("the Jupyter server did not start within 60 s")


def test_presave_hook_scrubs_notebooks_saved_through_jupyter(investigation: Investigation, tmp_path: Path,
                                                             store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _add_custom_approved_value(investigation)
    monkeypatch.setenv("TFTSR_STORE", str(store_path))
    root = tmp_path / "server-root"
    root.mkdir()
    source = _leaky_notebook(tmp_path / "leaky.ipynb")
    content: dict[str, Any] = json.loads(source.read_text())
    token = os.urandom(16).hex()
    proc, base = _start_server(root, token)
    try:
        headers = {"Authorization": f"token {token}"}
        res = httpx.put(f"{base}/api/contents/investigation.ipynb", headers=headers, timeout=30,
                        json={"type": "notebook", "format": "json", "content": content})
        assert res.status_code in (200, 201), res.text
        plain = httpx.put(f"{base}/api/contents/notes.txt", headers=headers, timeout=30,
                          json={"type": "file", "format": "text", "content": f"mail {EMAIL}"})
        assert plain.status_code in (200, 201)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    on_disk = (root / "investigation.ipynb").read_text()
    assert EMAIL not in on_disk and TOKEN not in on_disk and CUSTOM not in on_disk
    saved = nbformat.read(root / "investigation.ipynb", as_version=4)
    assert saved.cells[1].source == "user = '[EMAIL]'\nprint(user)"
    assert "[HOSTNAME]" in saved.cells[1].outputs[2]["data"]["text/plain"]
    assert saved.cells[1].outputs[1]["data"]["image/png"] == PNG
    assert (root / "notes.txt").read_text() == f"mail {EMAIL}"   # only notebooks are scrubbed


def test_short_approved_values_match_whole_tokens_only() -> None:
    """A user literally named "ab" or "none" is scrubbed where it stands alone, never inside other words
    or the structural cell ids nbformat validates."""
    guard = SensitiveValues(approved={"ab": ("USERNAME", "[USERNAME]"), "none": ("USERNAME", "[USERNAME]")})
    assert guard.clean("Invalid user ab from x; tab and abc stay; none") == (
        "Invalid user [USERNAME] from x; tab and abc stay; [USERNAME]")
    nb = nbf.new_notebook(cells=[nbf.new_code_cell("print('ab')", id="ab-12"), nbf.new_markdown_cell("x", id="none")])
    from tftsr_kernel.rca.hygiene import scrub_notebook_dict

    scrub_notebook_dict(nb, guard)
    nbformat.validate(nb)
    assert [c["id"] for c in nb["cells"]] == ["ab-12", "none"]
    assert nb["cells"][0]["source"] == "print('[USERNAME]')"
