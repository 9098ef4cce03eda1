"""The public surface, and a real wheel installed into a fresh venv that finds its migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import tftsr_kernel

ROOT = Path(__file__).resolve().parents[1]


def test_public_names() -> None:
    assert sorted(tftsr_kernel.__all__) == sorted(
        ["RedactedText", "TFTSRError", "Workbench", "load_logs", "scan_text", "__version__"])
    for name in tftsr_kernel.__all__:
        assert getattr(tftsr_kernel, name) is not None


@pytest.mark.slow
def test_wheel_installs_and_opens_a_store(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "tftsr_kernel/_migrations/001_initial.sql" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True)
    # Dependencies come from the project's environment; the package itself only from the wheel.
    site = Path(subprocess.check_output([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {**os.environ, "TFTSR_DB_KEY": "x'" + "ab" * 32 + "'", "PYTHONPATH": ""}
    code = ("import tftsr_kernel, sys; from tftsr_kernel import Workbench; "
            "wb = Workbench.open(sys.argv[1]); print(tftsr_kernel.__file__); "
            "print(wb.store_info().schema_version); wb.close()")
    out = subprocess.run([str(py), "-c", code, str(tmp_path / "s.db")], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    where, version = out.stdout.split()
    assert where.startswith(str(venv)), where
    assert version == "001_initial.sql"
