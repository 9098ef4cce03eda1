"""%tftsr through a real InteractiveShell: parsing, one-sentence errors, the session, load/unload."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import pytest

from .conftest import SAMPLE_LOGS, sample_values


def magic(shell: Any, line: str, cell: str | None = None) -> Any:
    if cell is None:
        return shell.run_line_magic("tftsr", line)
    return shell.run_cell_magic("tftsr", line, cell)


@pytest.fixture
def ext(shell: Any) -> Any:
    shell.run_line_magic("load_ext", "tftsr_kernel")
    return shell


def one_sentence(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_help_and_sub_help(ext: Any, capsys: pytest.CaptureFixture[str]) -> None:
    magic(ext, "help")
    out = capsys.readouterr().out
    for word in ("open", "issue", "load", "pii", "decide", "redact", "whys", "timeline", "audit", "status"):
        assert word in out
    magic(ext, "load --help")
    out = capsys.readouterr().out
    assert "--format" in out and "-o VAR" in out


@pytest.mark.parametrize("line, expect", [
    ("frobnicate", "invalid choice"),
    ("issue new", "required"),
    ("decide", "required"),
    ("decide --approve EMAIL --reject IPV4", "not allowed"),
    ('issue new "unterminated', "quotes"),
])
def test_bad_arguments_are_one_sentence(ext: Any, capsys: pytest.CaptureFixture[str], line: str, expect: str) -> None:
    assert magic(ext, line) is None
    captured = capsys.readouterr()
    assert expect in one_sentence(captured.err)


def test_no_store_open_without_a_key(ext: Any, capsys: pytest.CaptureFixture[str]) -> None:
    magic(ext, "issue list")
    assert "no store is open" in one_sentence(capsys.readouterr().err)
    magic(ext, "status")
    assert "none open" in capsys.readouterr().out


def test_open_prompts_for_a_hidden_passphrase(ext: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "correct horse battery staple 7731"
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return secret

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    store = tmp_path / "prompted.db"
    ext.run_cell(f"%tftsr open --store {store}", store_history=True)
    ext.run_cell('%tftsr issue new "Disk full on db-2" --severity low', store_history=True)
    out = capsys.readouterr()
    assert prompts and "passphrase" in prompts[0]
    assert "encrypted" in out.out
    # the passphrase is nowhere: not printed, not in the input history, not in the user namespace
    assert secret not in out.out + out.err
    history = " ".join(src for _, _, src in ext.history_manager.get_range(raw=True))
    assert "%tftsr open" in history and secret not in history
    assert all(secret not in repr(v) for k, v in ext.user_ns.items() if not k.startswith("_"))
    # a wrong passphrase is one sentence and the open session stays as it was
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "wrong passphrase")
    magic(ext, f"open --store {store}")
    assert "wrong key" in one_sentence(capsys.readouterr().err)
    magic(ext, "status")
    assert "Disk full on db-2" in capsys.readouterr().out


def test_investigation_through_the_magics(ext: Any, keyed_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    from matplotlib.figure import Figure

    from tftsr_kernel.ui import AuditWidget, ReviewWidget, WhysWidget

    magic(ext, 'issue new "Checkout API 502s" --severity high --category network')
    issue_id = capsys.readouterr().out.splitlines()[0].strip()
    frame = magic(ext, f"load {SAMPLE_LOGS} --year 2024")
    assert frame is not None and len(frame) > 900 and "log_file_id" in frame.columns
    assert magic(ext, f"load {SAMPLE_LOGS}/syslog --year 2024 -o sys_logs") is None
    assert len(ext.user_ns["sys_logs"]) == 24
    capsys.readouterr()

    widget = magic(ext, "pii")
    assert isinstance(widget, ReviewWidget)
    assert "AWS_ACCESS_KEY 1" in capsys.readouterr().out
    magic(ext, "redact")
    assert "undecided" in one_sentence(capsys.readouterr().err)
    magic(ext, "decide --approve NOPE")
    assert "NOPE" in one_sentence(capsys.readouterr().err)

    magic(ext, "decide --approve-all")
    magic(ext, "decide --reject USERNAME")
    out = capsys.readouterr().out
    wb = ext.magics_manager.registry["TFTSRMagics"].wb
    progress = wb.review_progress()
    assert progress["values_decided"] == progress["values"] > 20
    assert f"{progress['values']} of {progress['values']} values decided" in out
    assert {s["status"] for s in wb.spans(status=None) if s["pii_type"] == "USERNAME"} == {"rejected"}

    magic(ext, "redact --strategy pseudonym -o safe")
    assert "redacted:" in capsys.readouterr().out
    safe = ext.user_ns["safe"]
    assert "AKIAIOSFODNN7EXAMPLE" not in safe.text and "Ch3ckout-Pr0d-2024!" not in safe.text

    assert isinstance(magic(ext, "whys"), WhysWidget)
    fig = magic(ext, 'timeline --window "2024-03-12 14:02" "2024-03-12 14:22"')
    assert isinstance(fig, Figure)
    magic(ext, "timeline --window soon later")
    assert "cannot read the window" in one_sentence(capsys.readouterr().err)

    audit = magic(ext, "audit")
    assert isinstance(audit, AuditWidget)
    actions = [e["action"] for e in audit.entries]
    assert {"issue_created", "log_loaded", "pii_scanned", "pii_decision", "redaction_applied"} <= set(actions)
    magic(ext, "audit verify")
    assert "audit log intact" in capsys.readouterr().out

    magic(ext, "status")
    out = capsys.readouterr().out
    assert issue_id in out and "4 file(s) recorded" in out
    # nothing the magics printed holds a sensitive value from the logs
    leaked = [v for v in sample_values() if v in out]
    assert not leaked


def test_user_errors_leave_nothing_half_written(ext: Any, keyed_env: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    magic(ext, "load /nowhere/at/all.log")
    assert "no issue selected" in one_sentence(capsys.readouterr().err)
    magic(ext, 'issue new "X" --severity high')
    capsys.readouterr()
    magic(ext, f"load {tmp_path / 'missing.log'}")
    err = one_sentence(capsys.readouterr().err)
    assert "missing.log" in err
    wb = ext.magics_manager.registry["TFTSRMagics"].wb
    assert wb.log_files() == []
    magic(ext, "pii")
    assert "no logs" in one_sentence(capsys.readouterr().err)
    magic(ext, "timeline")
    assert "load" in one_sentence(capsys.readouterr().err)
    magic(ext, "issue use 0000000000")
    assert "no issue" in one_sentence(capsys.readouterr().err)
    magic(ext, "pii not_a_var")
    assert "no variable" in one_sentence(capsys.readouterr().err)


def test_unload_closes_the_store_and_reload_works(ext: Any, keyed_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    magic(ext, 'issue new "Reload me" --severity low')
    magics = ext.magics_manager.registry["TFTSRMagics"]
    store = magics.wb.store
    ext.run_line_magic("unload_ext", "tftsr_kernel")
    assert store.conn is None
    assert "tftsr" not in ext.magics_manager.magics["line"]
    ext.run_line_magic("load_ext", "tftsr_kernel")
    magic(ext, "status")
    assert "none open" in capsys.readouterr().out
    magic(ext, "issue list")
    assert "Reload me" in capsys.readouterr().out
    ext.run_line_magic("reload_ext", "tftsr_kernel")
    magic(ext, "issue list")
    assert "Reload me" in capsys.readouterr().out


def test_timeline_after_a_restart_reads_the_recorded_logs(ext: Any, keyed_env: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from matplotlib.figure import Figure

    magic(ext, 'issue new "Restart" --severity low')
    issue_id = capsys.readouterr().out.splitlines()[0].strip()
    magic(ext, f"load {SAMPLE_LOGS}/nginx --year 2024 -o logs")
    ext.run_line_magic("reload_ext", "tftsr_kernel")  # the session's DataFrames are gone, the store is not
    magic(ext, f"issue use {issue_id}")
    assert isinstance(magic(ext, "timeline"), Figure)
    wb = ext.magics_manager.registry["TFTSRMagics"].wb
    assert len(wb.log_files()) == 2, "reading the recorded files again adds no records"


def test_ask_markdown_escapes_raw_html() -> None:
    from tftsr_kernel.magics import render_markdown

    out = render_markdown("**pool** <img src=x onerror=alert(1)> [x](javascript:alert(2)) `<b>`")
    assert "<strong>pool</strong>" in out
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert 'href="javascript:' not in out
    assert "<code>&lt;b&gt;</code>" in out


def test_ask_cell_magic_uses_the_offline_analyzer(ext: Any, keyed_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown: list[dict[str, Any]] = []
    ext.display_pub.publish = lambda data, metadata=None, **kw: shown.append(data)  # what the front end would get
    magic(ext, 'issue new "Checkout 502s" --severity high')
    magic(ext, f"load {SAMPLE_LOGS} --year 2024 -o logs")
    magic(ext, "pii")
    magic(ext, "ask --provider local", "What changed before the errors?")
    assert "undecided" in one_sentence(capsys.readouterr().err)  # nothing is asked before the review is done
    magic(ext, "decide --approve-all")
    magic(ext, "ask --provider none", "Anything?")
    assert "refuses" in one_sentence(capsys.readouterr().err)
    magic(ext, "ask --provider local", "What changed before the errors started?")
    final = shown[-1]["text/html"]
    assert "<h3>" in final and "<script" not in final
    assert "AKIAIOSFODNN7EXAMPLE" not in final
    wb = ext.magics_manager.registry["TFTSRMagics"].wb
    conversations = wb.ai_conversations()
    assert len(conversations) == 1 and conversations[0]["provider"] == "local"
    roles = [m["role"] for m in wb.ai_messages(conversations[0]["id"])]
    assert roles[-2:] == ["user", "assistant"]


def test_rca_export_notebook_providers_and_reveal(ext: Any, keyed_env: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from IPython.display import Markdown

    magic(ext, 'issue new "Checkout API 502s" --severity high --category network')
    magic(ext, f"load {SAMPLE_LOGS} --year 2024 -o logs")
    magic(ext, "pii")
    magic(ext, "decide --approve-all")
    capsys.readouterr()

    doc = magic(ext, f"rca --export {tmp_path / 'rca.html'}")
    assert isinstance(doc, Markdown) and "Checkout API 502s" in doc.data
    assert "exported" in capsys.readouterr().out
    html_text = (tmp_path / "rca.html").read_text()
    assert html_text.lstrip().lower().startswith("<!doctype html")
    assert not [v for v in sample_values() if v in html_text + doc.data]
    assert isinstance(magic(ext, "rca --postmortem"), Markdown)

    magic(ext, f"export-notebook {tmp_path / 'out' / 'rca.ipynb'}")
    assert "wrote" in capsys.readouterr().out and (tmp_path / "out" / "rca.ipynb").exists()

    magic(ext, "ai providers")
    out = capsys.readouterr().out
    assert "local" in out and "openai" in out and "sk-" not in out

    magic(ext, "reveal")
    assert "nothing to reveal" in one_sentence(capsys.readouterr().err)
    magic(ext, "redact --strategy pseudonym -o safe")
    token_line = next(line for line in ext.user_ns["safe"].text.splitlines() if "<EMAIL_" in line)
    ext.user_ns["answer"] = token_line
    capsys.readouterr()
    magic(ext, "reveal answer")
    revealed = capsys.readouterr().out
    assert "<EMAIL_" not in revealed and "@" in revealed

    magic(ext, "issue status resolved")
    capsys.readouterr()
    magic(ext, "issue search checkout")
    found = capsys.readouterr().out
    assert "[Checkout]" in found and "[document " in found, "a resolved issue's row links its document"
