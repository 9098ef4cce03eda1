"""Compression, rotation, encodings, folders/globs and every bad-input case; streaming and views."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

from tftsr_kernel.logs import file_fingerprint, iter_log_chunks, load_logs, new_templates, timeline, top_templates

LINES = [f"2024-03-01 10:00:{i:02d},000 INFO [main] app.Svc - request {i} served in {i * 3} ms" for i in range(20)]
TEXT = "\n".join(LINES) + "\n"


def _kinds(df: pd.DataFrame) -> list[str]:
    return [n["kind"] for n in df.attrs["tftsr_notes"]]


@pytest.mark.parametrize("opener,suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")])
def test_compressed(tmp_path: Path, opener: object, suffix: str) -> None:
    p = tmp_path / f"app.log{suffix}"
    with opener(p, "wb") as fh:  # type: ignore[operator]
        fh.write(TEXT.encode())
    df = load_logs(p)
    assert len(df) == 20 and df.message[3] == "request 3 served in 9 ms"


def test_zip_members(tmp_path: Path) -> None:
    p = tmp_path / "logs.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.log", TEXT)
        zf.writestr("sub/b.log", TEXT)
    df = load_logs(p)
    assert len(df) == 40
    assert set(df.file.astype(str)) == {f"{p}!a.log", f"{p}!sub/b.log"}


def test_rotated_set_in_time_order(tmp_path: Path) -> None:
    def block(hour: int) -> str:
        return "".join(f"2024-03-01 {hour:02d}:00:{i:02d},000 INFO [m] a.B - tick {i}\n" for i in range(3))

    (tmp_path / "app.log").write_text(block(12))
    (tmp_path / "app.log.1").write_text(block(11))
    with gzip.open(tmp_path / "app.log.2.gz", "wt") as fh:
        fh.write(block(10))
    df = load_logs(tmp_path / "app.log*")
    assert df.ts.is_monotonic_increasing and len(df) == 9
    assert [Path(f).name for f in df.file.astype(str).unique()] == ["app.log.2.gz", "app.log.1", "app.log"]


def test_directory_recursive_and_glob(tmp_path: Path) -> None:
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "x.log").write_text(TEXT)
    (tmp_path / "d" / "e" / "y.log").write_text(TEXT)
    assert len(load_logs(tmp_path / "d")) == 40
    assert len(load_logs(str(tmp_path / "d" / "*.log"))) == 20


def test_utf16_bom_and_crlf(tmp_path: Path) -> None:
    p = tmp_path / "win.log"
    p.write_bytes(b"\xff\xfe" + TEXT.replace("\n", "\r\n").replace("request", "requête").encode("utf-16-le"))
    df = load_logs(p)
    assert len(df) == 20 and df.message[0] == "requête 0 served in 0 ms"
    assert not df.raw.str.contains("\r").any()
    assert df.attrs["tftsr_files"][0]["encoding"] == "utf-16-le"


def test_invalid_utf8_counted(tmp_path: Path) -> None:
    p = tmp_path / "bad.log"
    p.write_bytes(TEXT.encode().replace(b"request 5", b"request \xff\xfe5"))
    df = load_logs(p)
    assert len(df) == 20 and "\ufffd" in df.message[5]
    assert _kinds(df) == ["invalid_utf8"]
    assert "2 invalid" in df.attrs["tftsr_notes"][0]["message"]


def test_long_line_truncated_and_flagged(tmp_path: Path) -> None:
    p = tmp_path / "long.log"
    p.write_text(LINES[0] + "\n" + LINES[1] + " " + "x" * (3 << 20) + "\n" + LINES[2] + "\n")
    df = load_logs(p, chunk_bytes=1 << 20)
    assert len(df) == 3 and df.line_no.tolist() == [1, 2, 3]
    assert df.raw[1].endswith("…[truncated]") and len(df.raw[1]) < (1 << 20) + 100
    note = df.attrs["tftsr_notes"][0]
    assert note["kind"] == "long_line" and note["line_no"] == 2


def test_bad_inputs_do_not_stop_others(tmp_path: Path) -> None:
    good = tmp_path / "good.log"
    good.write_text(TEXT)
    empty = tmp_path / "empty.log"
    empty.write_text("")
    binary = tmp_path / "core.bin"
    binary.write_bytes(bytes(range(256)) * 64)
    bomb = tmp_path / "bomb.log.gz"
    with gzip.open(bomb, "wb") as fh:
        fh.write(b"A" * (4 << 20))
    locked = tmp_path / "locked.log"
    locked.write_text(TEXT)
    locked.chmod(0)
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some words\nwith nothing that looks like a log\n")
    paths = [good, tmp_path / "missing.log", empty, binary, bomb, locked, unknown]
    df = load_logs(paths, max_decompressed_bytes=1 << 20)
    kinds = _kinds(df)
    for kind in ("missing", "empty", "binary", "too_large", "unknown_format"):
        assert kind in kinds, kind
    if os.geteuid() != 0:
        assert "permission" in kinds
    assert all(n["message"].endswith(".") and n["message"].count(". ") <= 1 for n in df.attrs["tftsr_notes"])
    assert (df.file.astype(str) == str(good)).sum() == 20
    assert (df.file.astype(str) == str(unknown)).sum() == 2  # the fallback still loads it
    assert not (df.file.astype(str) == str(bomb)).any()  # nothing half-loaded


def test_chunks_stream_and_match_load(tmp_path: Path) -> None:
    p = tmp_path / "big.log"
    text = "".join(f"2024-03-01 10:{i // 60 % 60:02d}:{i % 60:02d},000 ERROR [t] a.B - failure {i}\n"
                   "java.lang.RuntimeException: boom\n\tat a.B.c(B.java:1)\n" for i in range(3000))
    p.write_text(text)
    chunks = list(iter_log_chunks(p, chunk_bytes=64 << 10))
    assert len(chunks) > 5
    streamed = pd.concat(chunks, ignore_index=True)
    whole = load_logs(p)
    assert len(streamed) == len(whole) == 3000
    assert streamed.raw.tolist() == whole.raw.tolist()
    assert streamed.line_no.tolist() == list(range(1, 9000, 3))


def test_templates_group_and_views(tmp_path: Path) -> None:
    p = tmp_path / "svc.log"
    rows = [f"2024-03-01 10:{m:02d}:00,000 INFO [w] svc.Api - served /orders/{m} in {m + 5} ms" for m in range(30)]
    rows += [f"2024-03-01 10:{m:02d}:30,000 ERROR [w] svc.Db - connection to 10.0.0.{m} refused" for m in range(20, 30)]
    p.write_text("\n".join(rows) + "\n")
    df = load_logs(p)
    assert df.template_id.nunique() == 2
    tops = top_templates(df, level="ERROR")
    assert tops["count"].tolist() == [10] and "refused" in tops.template[0]
    fresh = new_templates(df, after="2024-03-01 10:10")
    assert len(fresh) == 1 and fresh.first_seen[0] == pd.Timestamp("2024-03-01 10:20:30")
    fig = timeline(df, freq="5min", window=("2024-03-01 10:20", "2024-03-01 10:30"))
    assert isinstance(fig, Figure) and fig.axes[0].patches
    assert load_logs(p, templates=False).template_id.isna().all()


def test_fingerprint(tmp_path: Path) -> None:
    p = tmp_path / "a.log.gz"
    with gzip.open(p, "wb") as fh:
        fh.write(TEXT.encode())
    size, digest, mime = file_fingerprint(p)
    assert size == p.stat().st_size and digest == hashlib.sha256(p.read_bytes()).hexdigest()
    assert mime == "application/gzip"
    q = tmp_path / "b.log"
    q.write_text(TEXT)
    assert file_fingerprint(q)[2] == "text/plain"
