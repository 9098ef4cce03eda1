"""Container runtimes' split lines rejoined; the head-prefix strip; general masks; the progress bar."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tftsr_kernel.logs import iter_log_chunks, load_logs
from tftsr_kernel.logs.parsing import strip_prefix
from tftsr_kernel.logs.templates import Miner, mask

CRI = ("2024-03-01T10:00:00.000000001Z stdout P first half of a \n"
       "2024-03-01T10:00:00.000000002Z stderr F ERROR in between\n"
       "2024-03-01T10:00:00.000000003Z stdout P long line, \n"
       "2024-03-01T10:00:00.000000004Z stdout F then its end\n"
       "2024-03-01T10:00:01.000000000Z stdout F a whole line\n")


def _docker_line(log: str, stream: str, second: int) -> str:
    return json.dumps({"log": log, "stream": stream, "time": f"2024-03-01T10:00:{second:02d}.0Z"}) + "\n"


def test_cri_partial_lines_rejoin(tmp_path: Path) -> None:
    p = tmp_path / "0.log"
    p.write_text(CRI)
    df = load_logs(p, progress=False)
    assert df.message.tolist() == ["first half of a long line, then its end", "ERROR in between", "a whole line"]
    assert df.line_no.tolist() == [1, 2, 5]
    assert df.source.tolist() == ["stdout", "stderr", "stdout"]
    assert df.raw[0].count("\n") == 2 and df.raw[0].endswith("F then its end")
    assert df.ts[0].nanosecond == 1


def test_cri_partial_across_batches_and_streaming(tmp_path: Path) -> None:
    p = tmp_path / "0.log"
    p.write_text(CRI * 50)
    whole = load_logs(p, progress=False, chunk_bytes=64)
    assert len(whole) == 150
    assert (whole.message == "first half of a long line, then its end").sum() == 50
    chunks = list(iter_log_chunks(p, templates=False, chunk_bytes=100))
    assert sum(len(c) for c in chunks) == 150
    assert sorted(np.concatenate([c.line_no.to_numpy() for c in chunks]).tolist()) == whole.line_no.tolist()


def test_cri_unfinished_partial_is_kept(tmp_path: Path) -> None:
    p = tmp_path / "0.log"
    p.write_text("2024-03-01T10:00:00Z stdout F ok\n2024-03-01T10:00:01Z stdout P cut short\n")
    df = load_logs(p, progress=False)
    assert df.message.tolist() == ["ok", "cut short"]


def test_docker_16k_pieces_rejoin(tmp_path: Path) -> None:
    big = "x" * 16384
    p = tmp_path / "c-json.log"
    p.write_text(_docker_line(big, "stdout", 0) + _docker_line("ERROR tail\n", "stderr", 1)
                 + _docker_line(big, "stdout", 2) + _docker_line("end\n", "stdout", 3)
                 + _docker_line("next\n", "stdout", 4))
    df = load_logs(p, progress=False)
    assert df.message.tolist() == [big + big + "end", "ERROR tail", "next"]
    assert df.line_no.tolist() == [1, 2, 5]
    assert df.level.astype(object).tolist()[1] == "ERROR"


def test_strip_prefix_handles_slices_and_multibyte() -> None:
    arr = pa.array(["ab: é rest", "x", "", "héllo: wörld"], pa.large_string())
    assert strip_prefix(arr, np.array([4, 0, 0, 8])).to_pylist() == ["é rest", "x", "", "wörld"]
    assert strip_prefix(arr.slice(3), np.array([8])).to_pylist() == ["wörld"]
    assert strip_prefix(arr.slice(1, 1), np.array([1])).to_pylist() == [""]


@pytest.mark.parametrize(("text", "masked"), [
    ("connect to db-1.prod.internal:5432 failed", "connect to <HOST> failed"),
    ("open www.example.com:443 through proxy.corp.example.hk:8080", "open <HOST> through <HOST>"),
    ("peer 10.0.0.1:80 reset", "peer <IP> reset"),
    ("00000006@2016/9/27:20:30:31.455 init", "<HEX>@<TS> init"),
    ("handle 0000000e seq 2", "handle <HEX> seq <NUM>"),
    ("at Fri Jul  1 07:57:30 2005 done", "at <TS> done"),
    ("started 2024-03-01T10:00:00Z ok", "started <TS> ok"),
    ("class org.apache.zookeeper.Server started", "class org.apache.zookeeper.Server started"),
    ("took 12 ms", "took <NUM> ms"),
])
def test_general_masks(text: str, masked: str) -> None:
    assert mask(pa.array([text])).to_pylist() == [masked]


def test_masked_tokens_count_as_parameters() -> None:
    miner = Miner()
    ids = miner.assign(pa.array(["Received disconnect from 10.0.0.1: 11: Bye Bye [preauth]",
                                 "Received disconnect from 10.0.0.2: 11: disconnected by user",
                                 "Received disconnect from 10.0.0.3: 12: Bye Bye [preauth]"]))
    _, rows = miner.templates(ids)
    assert rows[0] == rows[2] != rows[1]
    same = miner.assign(pa.array(["www.example.com:80 open through proxy", "10.1.2.3:80 open through proxy"]))
    temps, rows = miner.templates(same)
    assert rows[0] == rows[1] and temps == ["<*> open through proxy"]


def test_constant_words_split_a_cluster() -> None:
    """A wildcard position with a few distinct words names the event; one with many words is a parameter."""
    miner = Miner()
    lines = [f"Session: {i}_{i * 7} initialized by client {c}." for i, c in enumerate(["Agent", "Agent", "SPP"] * 4)]
    lines += ["Ending installer initialization.", "Ending installer finalization."]
    lines += [f"user {name} logged in from 10.0.0.{i}" for i, name in enumerate("abcdefgh")]
    temps, rows = miner.templates(miner.assign(pa.array(lines)))
    got = [temps[r] for r in rows]
    assert got[0] == got[1] == "Session: <*> initialized by client Agent."
    assert got[2] == "Session: <*> initialized by client SPP."
    assert got[12:14] == ["Ending installer initialization.", "Ending installer finalization."]
    assert set(got[14:]) == {"user <*> logged in from <IP>"}


def test_generic_source_with_qualifier(tmp_path: Path) -> None:
    p = tmp_path / "proxy.log"
    p.write_text("[10.30 16:49:06] chrome.exe *64 - www.example.com:80 open through proxy\n"
                 "[10.30 16:49:07] chrome.exe - www.example.com:80 close\n"
                 "[10.30 16:49:08] svc(42) - ready\n")
    df = load_logs(p, progress=False)
    assert df.source.tolist() == ["chrome.exe", "chrome.exe", "svc(42)"]
    assert df.message[0] == "www.example.com:80 open through proxy"


def test_progress_bar_shows_and_hides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tqdm import tqdm

    import tftsr_kernel.logs.loader as loader

    p = tmp_path / "a.log"
    p.write_text("2024-03-01 10:00:00 INFO a - hello\n" * 200)
    bars: list[tqdm] = []
    out = io.StringIO()

    def fake(total: int, progress: bool | None) -> tqdm:
        bar = tqdm(total=total, unit="B", disable=progress is False, file=out, mininterval=0, delay=0)
        bars.append(bar)
        return bar

    monkeypatch.setattr(loader, "_progress", fake)
    load_logs(p, progress=True)
    assert bars[-1].n == p.stat().st_size == bars[-1].total
    assert "100%" in out.getvalue()
    out.truncate(0)
    load_logs(p, progress=False)
    assert bars[-1].disable and out.getvalue().strip("\x00") == ""


def test_progress_bar_defaults() -> None:
    from tftsr_kernel.logs.loader import _progress

    quiet = _progress(10, False)
    assert quiet.disable
    quiet.close()
    auto = _progress(10, None)
    assert not auto.disable and auto.delay == 1.0  # appears only for a load over about a second
    auto.close()
    shown = _progress(10, True)
    assert shown.delay == 0
    shown.close()


def test_load_restores_the_arrow_memory_pool(tmp_path: Path) -> None:
    before = pa.default_memory_pool().backend_name
    p = tmp_path / "a.log"
    p.write_text("2024-03-01 10:00:00 INFO a - hello\n")
    load_logs(p, progress=False)
    assert pa.default_memory_pool().backend_name == before
    with pytest.raises(ValueError):
        load_logs(p, format="no-such-format")
    assert pa.default_memory_pool().backend_name == before


def test_cri_interleaved_streams_across_batches(tmp_path: Path) -> None:
    block = ("2024-03-01T10:00:00.000000001Z stdout P out-a \n"
             "2024-03-01T10:00:00.000000002Z stderr P err-a \n"
             "2024-03-01T10:00:00.000000003Z stdout F out-b\n"
             "2024-03-01T10:00:00.000000004Z stderr F err-b\n")
    p = tmp_path / "0.log"
    p.write_text(block * 40)
    for chunk_bytes in (48, 100, 150, 1 << 20):
        df = load_logs(p, progress=False, chunk_bytes=chunk_bytes)
        assert df.message.tolist() == ["out-a out-b", "err-a err-b"] * 40, chunk_bytes
        assert df.line_no.tolist() == [n for i in range(40) for n in (4 * i + 1, 4 * i + 2)]
