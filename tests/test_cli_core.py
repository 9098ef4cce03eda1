"""The `tftsr` command for issues, audit and the store, checked through the Python API afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlcipher3
from click.testing import CliRunner

from tftsr_kernel import Workbench
from tftsr_kernel.cli import cli

from .conftest import make_raw_key


@pytest.fixture
def run(keyed_env: str, store_path: Path):  # noqa: ANN201
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # noqa: ANN202, A002
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def test_issue_new_prints_id_alone_and_store_option_in_both_places(run, store_path: Path, keyed_env: str) -> None:
    first = run("--store", str(store_path), "issue", "new", "Checkout 502s", "--severity", "high",
                "--category", "network", "--description", "upstream timed out")
    assert first.exit_code == 0
    issue_id = first.stdout.strip()
    assert "\n" not in issue_id and len(issue_id) == 36
    second = run("issue", "new", "Disk full", "--severity", "low", "--store", str(store_path))
    assert second.exit_code == 0
    with Workbench.open(store_path, keyed_env) as wb:
        issues = {i["id"]: i for i in wb.issues()}
        assert issues[issue_id]["category"] == "network"
        assert issues[second.stdout.strip()]["title"] == "Disk full"


def test_list_show_search(run, store_path: Path) -> None:
    issue_id = run("--store", str(store_path), "issue", "new", "sshd brute force", "--severity", "critical",
                   "--description", "many failed passwords from one address").stdout.strip()
    listed = run("--store", str(store_path), "issue", "list")
    assert issue_id in listed.stdout and "sshd brute force" in listed.stdout
    shown = run("--store", str(store_path), "issue", "show", issue_id, "--json")
    assert json.loads(shown.stdout)["severity"] == "critical"
    found = run("--store", str(store_path), "issue", "search", "passwords")
    assert found.exit_code == 0 and issue_id in found.stdout and "[passwords]" in found.stdout
    assert run("--store", str(store_path), "issue", "search", "kubernetes").stdout.strip() == "no matching issues"


def test_user_errors_exit_2_with_one_sentence(run, store_path: Path) -> None:
    run("--store", str(store_path), "issue", "new", "x", "--severity", "low")
    bad_query = run("--store", str(store_path), "issue", "search", 'AND ("')
    assert bad_query.exit_code == 2
    assert bad_query.stderr.startswith("tftsr: cannot search for") and "Traceback" not in bad_query.stderr
    missing = run("--store", str(store_path), "issue", "show", "no-such-issue")
    assert missing.exit_code == 2 and "no issue" in missing.stderr
    assert run("--store", str(store_path), "issue", "new", "x", "--severity", "urgent").exit_code == 2


def test_wrong_and_missing_key_from_a_real_process(store_path: Path, keyed_env: str, monkeypatch) -> None:
    exe = [sys.executable, "-m", "tftsr_kernel.cli", "--store", str(store_path)]
    assert subprocess.run([*exe, "issue", "list"], capture_output=True).returncode == 0
    monkeypatch.setenv("TFTSR_DB_KEY", make_raw_key())
    wrong = subprocess.run([*exe, "issue", "list"], capture_output=True, text=True)
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == f"tftsr: cannot open {store_path}: wrong key or not a TFTSR store"
    monkeypatch.delenv("TFTSR_DB_KEY")
    missing = subprocess.run([*exe, "issue", "list"], capture_output=True, text=True)
    assert missing.returncode == 2 and "TFTSR_DB_KEY" in missing.stderr and "Traceback" not in missing.stderr


def test_audit_verify_log_head_and_tamper(run, store_path: Path, keyed_env: str) -> None:
    issue_id = run("--store", str(store_path), "issue", "new", "x", "--severity", "low").stdout.strip()
    run("--store", str(store_path), "issue", "status", issue_id, "resolved")
    ok = run("--store", str(store_path), "audit", "verify")
    assert ok.exit_code == 0 and "intact: 2 entries" in ok.stdout
    log = run("--store", str(store_path), "audit", "log", "--json").stdout
    entries = [json.loads(line) for line in log.splitlines()]
    assert [e["action"] for e in entries] == ["issue_created", "issue_status_changed"]
    assert run("--store", str(store_path), "audit", "head").stdout.split() == ["2", entries[-1]["entry_hash"]]
    conn = sqlcipher3.connect(str(store_path), isolation_level=None)
    conn.execute(f'PRAGMA key = "{keyed_env}"')
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET details = '{\"to\": \"closed\"}' WHERE seq = 2")
    conn.close()
    bad = run("--store", str(store_path), "audit", "verify")
    assert bad.exit_code == 1 and entries[1]["id"] in bad.stderr and "modified" in bad.stderr
    with Workbench.open(store_path, keyed_env) as wb:
        assert wb.issue(issue_id)["resolved_at"] is not None


def test_audit_log_into_head_does_not_break(store_path: Path, keyed_env: str) -> None:
    exe = [sys.executable, "-m", "tftsr_kernel.cli", "--store", str(store_path)]
    for i in range(30):
        subprocess.run([*exe, "issue", "new", f"n{i}", "--severity", "low"], check=True, capture_output=True)
    out = subprocess.run(  # noqa: S602 (a shell pipe is the point of this test)
        f"{sys.executable} -m tftsr_kernel.cli --store {store_path} audit log | head -2",
        shell=True, capture_output=True, text=True)
    assert len(out.stdout.splitlines()) == 2 and "Traceback" not in out.stderr


def test_store_info_rekey_backup(run, store_path: Path, keyed_env: str, tmp_path: Path, monkeypatch) -> None:
    run("--store", str(store_path), "issue", "new", "x", "--severity", "low")
    info = run("--store", str(store_path), "store", "info")
    assert "kdf_iter=256000" in info.stdout and keyed_env[2:-1] not in info.stdout
    backup = tmp_path / "b.db"
    assert run("--store", str(store_path), "store", "backup", str(backup)).exit_code == 0
    new_key = make_raw_key()
    monkeypatch.setenv("TFTSR_NEW_DB_KEY", new_key)
    assert run("--store", str(store_path), "store", "rekey").exit_code == 0
    with Workbench.open(store_path, new_key) as wb:
        assert [e["action"] for e in wb.audit_log()][-1] == "store_rekeyed"
        assert wb.audit_verify().ok
    with Workbench.open(backup, keyed_env) as wb:
        assert len(wb.issues()) == 1


def test_credentials_are_sealed_and_never_echoed(run, store_path: Path, keyed_env: str) -> None:
    result = run("--store", str(store_path), "credentials", "set", "openai", input="sk-very-secret-value\n")
    assert result.exit_code == 0 and "sk-very-secret-value" not in result.output
    with Workbench.open(store_path, keyed_env) as wb:
        assert wb.credential_get("openai") == "sk-very-secret-value"
        row = wb.store.query_one("SELECT id, encrypted_token FROM credentials")
        assert "sk-very" not in row["encrypted_token"]
        # A sealed token moved to another row does not open.
        wb.store.execute("INSERT INTO credentials (id, service, token_hash, encrypted_token, created_at) "
                         "VALUES ('other', 'moved', 'h', ?, 'now')", (row["encrypted_token"],))
        with pytest.raises(Exception, match="could not be opened"):
            wb.credential_get("moved")
    assert run("--store", str(store_path), "credentials", "list").stdout.split() == ["moved", "openai"]
