"""The encrypted store: keys, plaintext mode, migrations, concurrency, rekey, backup, crash safety."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlcipher3

from tftsr_kernel import audit
from tftsr_kernel.errors import KeyMissingError, MigrationError, StoreError, WrongKeyError
from tftsr_kernel.rca.issues import create_issue, list_issues
from tftsr_kernel.store import Store
from tftsr_kernel.store import paths as store_paths

from ..conftest import make_raw_key


def test_file_holds_no_plaintext(store_path: Path, raw_key: str) -> None:
    with Store(store_path, raw_key) as s:
        for i in range(20):
            create_issue(s, f"MARKER-TITLE-{i} upstream-timeout", "high",
                         description=f"MARKER-DESCRIPTION-{i} secret-hostname-db01.corp")
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blob = store_path.read_bytes()
    assert not blob.startswith(b"SQLite format 3")
    for marker in (b"MARKER", b"upstream-timeout", b"db01.corp", b"issue_created", b"audit_log"):
        assert marker not in blob
    for extra in store_path.parent.glob("tftsr.db-*"):
        assert b"MARKER" not in extra.read_bytes()


def test_permissions(store_path: Path, raw_key: str) -> None:
    Store(store_path, raw_key).close()
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_path.parent.stat().st_mode) == 0o700


def test_missing_key_says_how_to_set_it(store_path: Path) -> None:
    with pytest.raises(KeyMissingError, match="set TFTSR_DB_KEY"):
        Store(store_path)
    assert not store_path.exists()


def test_key_from_environment(store_path: Path, keyed_env: str) -> None:
    with Store(store_path) as s:
        create_issue(s, "from env", "low")
    with Store(store_path, keyed_env) as s:
        assert [i["title"] for i in list_issues(s)] == ["from env"]


def test_wrong_key_fails_at_open(store_path: Path, raw_key: str) -> None:
    Store(store_path, raw_key).close()
    with pytest.raises(WrongKeyError) as err:
        Store(store_path, make_raw_key())
    assert str(err.value) == f"cannot open {store_path}: wrong key or not a TFTSR store"
    with pytest.raises(WrongKeyError):
        Store(store_path, "a passphrase")


def test_not_a_store(tmp_path: Path, raw_key: str) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    with pytest.raises(WrongKeyError, match="wrong key or not a TFTSR store"):
        Store(junk, raw_key)


def test_malformed_raw_key(store_path: Path) -> None:
    with pytest.raises(KeyMissingError, match="64 hex digits"):
        Store(store_path, "x'abcd'")


def test_passphrase_store_reopens(store_path: Path) -> None:
    with Store(store_path, "correct horse 'battery' staple") as s:
        create_issue(s, "t", "low")
    with Store(store_path, "correct horse 'battery' staple") as s:
        assert len(list_issues(s)) == 1
        assert s.info().key_kind == "passphrase"


def test_plaintext_only_when_named(store_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("TFTSR_INSECURE_PLAINTEXT", "1")
    with Store(store_path) as s:
        create_issue(s, "plain marker", "low")
    assert "UNENCRYPTED" in caplog.text
    caplog.clear()
    with Store(store_path) as s:
        assert not s.info().encrypted
    assert "UNENCRYPTED" in caplog.text, "the warning repeats at every open"
    assert store_path.read_bytes().startswith(b"SQLite format 3")


def test_key_never_in_repr_or_info(store_path: Path, raw_key: str) -> None:
    with Store(store_path, raw_key) as s:
        hexpart = raw_key[2:-1]
        assert hexpart not in repr(s)
        assert hexpart not in repr(s.info())
        info = s.info()
        assert info.cipher_settings["kdf_iter"] == 256000
        assert info.cipher_settings["cipher_hmac_algorithm"] == "HMAC_SHA512"
        assert info.schema_version == "001_initial.sql"


def test_pragmas(store: Store) -> None:
    assert store.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_schema_has_seed_tables(store: Store) -> None:
    names = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type IN ('table')")}
    for table in ("issues", "log_files", "pii_spans", "ai_conversations", "ai_messages", "resolution_steps",
                  "documents", "audit_log", "settings", "issues_fts", "credentials", "integration_config",
                  "image_attachments", "_migrations"):
        assert table in names
    cols = {r["name"] for r in store.query("PRAGMA table_info(pii_spans)")}
    assert {"status", "value_hash", "original_value"} <= cols


def test_cascade_and_checks(store: Store) -> None:
    issue = create_issue(store, "cascade", "low")
    store.execute("INSERT INTO log_files (id, issue_id, file_name, file_path, file_size, content_hash, uploaded_at) "
                  "VALUES ('f1', ?, 'a.log', '/a.log', 1, ?, 'now')", (issue["id"], "0" * 64))
    with pytest.raises(sqlcipher3.IntegrityError):
        store.execute("INSERT INTO issues (id, title, severity, created_at, updated_at) "
                      "VALUES ('x', 't', 'urgent', 'now', 'now')")
    store.execute("DELETE FROM issues WHERE id = ?", (issue["id"],))
    assert store.query("SELECT * FROM log_files") == []


def _copy_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for f in store_paths.resource_dir("migrations").glob("*.sql"):
        (folder / f.name).write_bytes(f.read_bytes())
    monkeypatch.setattr("tftsr_kernel.store.connection.resource_dir", lambda name: folder)
    return folder


def test_changed_migration_is_an_error(tmp_path: Path, store_path: Path, raw_key: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy_migrations(tmp_path, monkeypatch)
    Store(store_path, raw_key).close()
    first = sorted(folder.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match=first.name):
        Store(store_path, raw_key)


def test_new_migration_applies_once_and_failure_rolls_back(tmp_path: Path, store_path: Path, raw_key: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy_migrations(tmp_path, monkeypatch)
    Store(store_path, raw_key).close()
    (folder / "900_bad.sql").write_text("CREATE TABLE half_done (x);\nCREATE TABLE half_done (y);\n")
    with pytest.raises(MigrationError, match="900_bad.sql"):
        Store(store_path, raw_key)
    (folder / "900_bad.sql").unlink()
    (folder / "900_extra.sql").write_text("CREATE TABLE extra (x TEXT);\n")
    with Store(store_path, raw_key) as s:
        names = [r["name"] for r in s.query("SELECT name FROM _migrations ORDER BY name")]
        assert names[-1] == "900_extra.sql"
        assert not s.query("SELECT name FROM sqlite_master WHERE name = 'half_done'")
    Store(store_path, raw_key).close()


OPENER = textwrap.dedent("""
    import sys, time
    from tftsr_kernel.store import Store
    from tftsr_kernel.rca.issues import create_issue
    path, key, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    while time.time() < start:
        time.sleep(0.001)
    s = Store(path, key)
    create_issue(s, "from " + sys.argv[4], "low")
    s.close()
""")


def test_concurrent_first_open(store_path: Path, raw_key: str) -> None:
    start = time.time() + 1.5
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(store_path), raw_key, str(start), str(n)],
                              stderr=subprocess.PIPE) for n in range(3)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    with Store(store_path, raw_key) as s:
        assert s.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(
            list(store_paths.resource_dir("migrations").glob("*.sql")))
        assert len(list_issues(s)) == 3
        assert audit.verify(s).ok


def test_rekey(store_path: Path, raw_key: str) -> None:
    new_key = make_raw_key()
    with Store(store_path, raw_key) as s:
        create_issue(s, "before rekey", "low")
        s.rekey(new_key)
        create_issue(s, "after rekey", "low")
    with pytest.raises(WrongKeyError):
        Store(store_path, raw_key)
    with Store(store_path, new_key) as s:
        assert len(list_issues(s)) == 2
        assert audit.verify(s).ok, "audit signatures survive a rekey"


def test_backup_opens_with_same_key(tmp_path: Path, store_path: Path, raw_key: str) -> None:
    dest = tmp_path / "backup" / "copy.db"
    with Store(store_path, raw_key) as s:
        create_issue(s, "backed up", "low")
        s.backup(dest)
        with pytest.raises(StoreError, match="already exists"):
            s.backup(dest)
    assert not dest.read_bytes().startswith(b"SQLite format 3")
    assert b"backed up" not in dest.read_bytes()
    with Store(dest, raw_key) as copy:
        assert [i["title"] for i in list_issues(copy)] == ["backed up"]
        assert audit.verify(copy).ok
    with pytest.raises(WrongKeyError):
        Store(dest, make_raw_key())


WRITER = textwrap.dedent("""
    import sys
    from tftsr_kernel.store import Store
    from tftsr_kernel.rca.issues import create_issue
    s = Store(sys.argv[1], sys.argv[2])
    print("ready", flush=True)
    i = 0
    while True:
        with s.transaction():
            for _ in range(20):
                create_issue(s, f"batch {i}", "low")
                i += 1
""")


def test_kill_9_mid_batch_leaves_consistent_store(store_path: Path, raw_key: str) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(store_path), raw_key], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    with Store(store_path, raw_key) as s:
        n_issues = s.execute("SELECT count(*) FROM issues").fetchone()[0]
        n_audit = s.execute("SELECT count(*) FROM audit_log WHERE action = 'issue_created'").fetchone()[0]
        assert n_issues > 0
        assert n_issues == n_audit
        assert n_issues % 20 == 0, "a batch is all or nothing"
        assert audit.verify(s).ok


def test_closed_store_says_so(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.query("SELECT 1")
