"""The demo investigation: execute ``notebooks/demo_investigation.ipynb`` and keep the executed copy.

The notebook opens a throw-away store with a generated key in a temporary folder, creates the issue,
loads the sample incident logs, scans, decides, redacts, plots the timeline, records a 5-Whys chain,
asks the offline ``local`` analyzer and verifies the audit log. It runs in a fresh kernel under
nbclient; the executed notebook is written to ``out_dir``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import TFTSRError
from .store.paths import resource_dir

NOTEBOOK = "demo_investigation.ipynb"
CELL_TIMEOUT_S = 600


def demo_notebook() -> Path:
    return resource_dir("notebooks") / NOTEBOOK


def _text_outputs(cell: Any) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out and "text/plain" in out["data"]:
            parts.append(out["data"]["text/plain"])
    return "".join(parts)


def _execute(client: Any, nb: Any, target: Path) -> None:
    """Run every cell; on a failing cell, keep what ran in ``target`` and say where it is."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        nbformat.write(nb, target)
        first = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise TFTSRError(f"the demo notebook stopped with an error ({first[:200]}); the partial notebook is "
                         f"{target}") from exc


def run_demo(out_dir: str | None = None, echo: Callable[[str], None] = print) -> Path:
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    out = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="tftsr-demo-"))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TFTSRError(f"cannot create the demo folder {out}: {exc.strerror}; choose another --out") from exc
    source = demo_notebook()
    nb = nbformat.read(source, as_version=4)
    target = out / NOTEBOOK
    echo(f"running {source.name} in a fresh kernel …")
    with tempfile.TemporaryDirectory(prefix="tftsr-kernel-") as sockets:
        # the kernel talks over Unix sockets in a private folder, not over TCP on loopback
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}})
        client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", config=ipc,
                                resources={"metadata": {"path": str(out)}})
        _execute(client, nb, target)
    nbformat.write(nb, target)
    for cell in nb.cells:
        if cell.cell_type == "code" and "audit verify" in cell.source:
            for line in _text_outputs(cell).splitlines():
                echo(line)
    echo(f"executed notebook: {target}")
    return out
