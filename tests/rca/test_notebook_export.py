"""The reproducible RCA notebook: built, scrubbed, executed with nbclient and papermill, re-run identically."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tftsr_kernel import audit
from tftsr_kernel.errors import InputError
from tftsr_kernel.rca.hygiene import SensitiveValues, scan_notebook_dict
from tftsr_kernel.rca.notebook_export import validate_export_path

from .conftest import EMAIL, TOKEN, Investigation

pytestmark = pytest.mark.slow


def _run(path: Path) -> Any:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _stdout(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _outputs_by_marker(nb: Any) -> dict[str, str]:
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            for marker in ("replay.rescan", "replay.decisions(", "replay.timeline_events", "replay.fingerprint"):
                if marker in cell.source:
                    found[marker] = _stdout(cell)
    return found


def test_export_path_validation(tmp_path: Path) -> None:
    root = tmp_path / "exports"
    root.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert validate_export_path(root / "rca.ipynb") == (root / "rca.ipynb").resolve()
    assert validate_export_path("sub/rca.ipynb", root) == (root / "sub" / "rca.ipynb").resolve()
    with pytest.raises(InputError, match=r"'\.\.'"):
        validate_export_path(root / ".." / "elsewhere" / "rca.ipynb")
    with pytest.raises(InputError, match=r"'\.\.'"):
        validate_export_path("../elsewhere/rca.ipynb", root)
    (root / "link").symlink_to(outside)
    with pytest.raises(InputError, match="outside"):
        validate_export_path("link/rca.ipynb", root)
    (root / "file-link.ipynb").symlink_to(outside / "target.ipynb")
    with pytest.raises(InputError, match="symlink"):
        validate_export_path(root / "file-link.ipynb")
    with pytest.raises(InputError, match="folder"):
        validate_export_path(root / "link", None)


def test_exported_notebook_reruns_identically(investigation: Investigation, tmp_path: Path) -> None:
    wb = investigation.wb
    wb.rca()
    out = wb.notebook_export(tmp_path / "export" / "rca.ipynb")
    entry = audit.entries(wb.store)[-1]
    assert entry["action"] == "notebook_exported" and entry["details"]["path"] == str(out)
    nb = nbformat.read(out, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    ns: dict[str, Any] = {}
    exec(params[0].source, ns)  # noqa: S102 - the cell we just generated: plain assignments
    assert ns["issue_id"] == investigation.issue_id and ns["store_path"] == str(wb.store.path.resolve())
    assert ns["logs"] == [{"log_file_id": investigation.log_file_id, "name": "app.log",
                           "path": str(investigation.log_path.resolve()),
                           "sha256": wb.log_files()[0]["content_hash"]}]
    assert os.environ["TFTSR_DB_KEY"] not in out.read_text()

    first, second = _run(out), _run(out)
    a, b = _outputs_by_marker(first), _outputs_by_marker(second)
    assert set(a) == {"replay.rescan", "replay.decisions(", "replay.timeline_events", "replay.fingerprint"}
    assert a == b
    assert "'same': True" in a["replay.rescan"] and "EMAIL" in a["replay.rescan"]
    assert "approved" in a["replay.decisions("] and "rejected" in a["replay.decisions("]
    assert "first error" in a["replay.timeline_events"] and "recovery" in a["replay.timeline_events"]
    fp = json.loads(a["replay.fingerprint"])
    assert set(fp) == {"spans", "decisions", "timeline"}
    executed = json.dumps(first)
    assert EMAIL not in executed and TOKEN not in executed and "[EMAIL]" in executed
    assert scan_notebook_dict(first, SensitiveValues.from_store(wb.store), "run") == []


def test_changed_log_stops_with_one_sentence(investigation: Investigation, tmp_path: Path) -> None:
    out = investigation.wb.notebook_export(tmp_path / "rca.ipynb")
    with investigation.log_path.open("a") as fh:
        fh.write("2024-03-01 14:30:00,000 INFO [checkout] appended later\n")
    with pytest.raises(CellExecutionError) as err:
        _run(out)
    assert "Stopped: the log app.log changed since the investigation" in str(err.value)
    assert "Traceback" not in str(err.value)


def test_papermill_with_new_parameters(investigation: Investigation, tmp_path: Path) -> None:
    import papermill

    out = investigation.wb.notebook_export(tmp_path / "rca.ipynb")
    moved = tmp_path / "moved" / "app.log"
    moved.parent.mkdir()
    shutil.copyfile(investigation.log_path, moved)
    nb = nbformat.read(out, as_version=4)
    ns: dict[str, Any] = {}
    exec(next(c for c in nb.cells if "parameters" in c.metadata.get("tags", [])).source, ns)  # noqa: S102
    logs = [{**ns["logs"][0], "path": str(moved)}]
    investigation.log_path.unlink()  # the original is gone: only the new parameter can find the log
    original = _outputs_by_marker(_run_with_log(out, investigation.log_path, moved))
    result = tmp_path / "papermill-out.ipynb"
    papermill.execute_notebook(str(out), str(result), parameters={"logs": logs}, kernel_name="python3",
                               progress_bar=False, log_output=False)
    rerun = _outputs_by_marker(nbformat.read(result, as_version=4))
    assert rerun == original


def _run_with_log(out: Path, gone: Path, moved: Path) -> Any:
    """Run the exported notebook with the log restored at its recorded place (the reference run)."""
    shutil.copyfile(moved, gone)
    try:
        return _run(out)
    finally:
        gone.unlink()


def test_export_refuses_an_issue_without_logs(store_path: Path, keyed_env: str, tmp_path: Path) -> None:
    from tftsr_kernel import Workbench

    with Workbench.open(store_path) as wb:
        wb.issue_new("nothing loaded", severity="low")
        with pytest.raises(InputError, match="no logs"):
            wb.notebook_export(tmp_path / "x.ipynb")
        assert not (tmp_path / "x.ipynb").exists()
