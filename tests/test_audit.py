"""The audit chain: every append sequence verifies; every kind of tampering is detected."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlcipher3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tftsr_kernel import audit
from tftsr_kernel.crypto import sha256_hex
from tftsr_kernel.store import Store

from .conftest import make_raw_key

details_st = st.dictionaries(st.text(min_size=1, max_size=8), st.one_of(st.integers(), st.text(max_size=20),
                                                                        st.booleans()), max_size=3)
appends_st = st.lists(st.tuples(st.sampled_from(["issue_created", "log_loaded", "ai_send"]),
                                st.text(min_size=1, max_size=12), details_st), min_size=1, max_size=12)
HYP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fresh(tmp_path: Path) -> tuple[Store, str]:
    key = make_raw_key()
    path = tmp_path / f"s{len(list(tmp_path.glob('*.db')))}.db"
    return Store(path, key), key


def fill(store: Store, appends: list[tuple[str, str, dict]]) -> None:
    for action, entity, details in appends:
        audit.append(store, action, "thing", entity, details)


def raw_conn(store: Store, key: str) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(store.path), isolation_level=None)
    conn.execute(f'PRAGMA key = "{key}"')
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    return conn


@HYP
@given(appends=appends_st)
def test_any_append_sequence_verifies(tmp_path: Path, appends: list) -> None:
    store, _ = fresh(tmp_path)
    with store:
        fill(store, appends)
        result = audit.verify(store)
        assert result.ok and result.count == len(appends)
        assert audit.head(store) == (len(appends), result.head_hash)


def test_triggers_refuse_update_and_delete(store: Store) -> None:
    audit.append(store, "x", "thing", "1")
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        store.execute("UPDATE audit_log SET action = 'y'")
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        store.execute("DELETE FROM audit_log")


@HYP
@given(appends=appends_st.filter(lambda a: len(a) >= 2), data=st.data())
def test_edit_of_any_field_is_detected(tmp_path: Path, appends: list, data: st.DataObject) -> None:
    store, key = fresh(tmp_path)
    with store:
        fill(store, appends)
        victim = data.draw(st.integers(1, len(appends)))
        column = data.draw(st.sampled_from(["timestamp", "action", "entity_type", "entity_id", "user_id",
                                            "details", "prev_hash", "entry_hash", "signature"]))
        conn = raw_conn(store, key)
        old = conn.execute(f"SELECT {column}, id FROM audit_log WHERE seq = ?", (victim,)).fetchone()
        new = json.dumps({"forged": True}) if column == "details" else old[0] + "0"
        conn.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = ?", (new, victim))
        conn.close()
        result = audit.verify(store)
        assert not result.ok
        # The edit is found at the victim, or (when the victim's own hash was rewritten) at its successor.
        assert result.bad_seq in (victim, victim + 1)


@HYP
@given(appends=appends_st.filter(lambda a: len(a) >= 2), data=st.data())
def test_deleted_row_is_detected(tmp_path: Path, appends: list, data: st.DataObject) -> None:
    store, key = fresh(tmp_path)
    with store:
        fill(store, appends)
        victim = data.draw(st.integers(1, len(appends) - 1))  # the last one needs an external anchor
        conn = raw_conn(store, key)
        conn.execute("DELETE FROM audit_log WHERE seq = ?", (victim,))
        conn.close()
        result = audit.verify(store)
        assert not result.ok and result.bad_seq == victim + 1
        assert "missing" in result.reason


@HYP
@given(appends=appends_st.filter(lambda a: len(a) >= 2), data=st.data())
def test_swapped_rows_are_detected(tmp_path: Path, appends: list, data: st.DataObject) -> None:
    store, key = fresh(tmp_path)
    with store:
        fill(store, appends)
        a = data.draw(st.integers(1, len(appends) - 1))
        b = data.draw(st.integers(a + 1, len(appends)))
        conn = raw_conn(store, key)
        conn.execute("UPDATE audit_log SET seq = 1000000 WHERE seq = ?", (a,))
        conn.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (a, b))
        conn.execute("UPDATE audit_log SET seq = ? WHERE seq = 1000000", (b,))
        conn.close()
        result = audit.verify(store)
        assert not result.ok and result.bad_seq == a


@HYP
@given(appends=appends_st, data=st.data())
def test_forged_row_with_recomputed_hash_is_detected(tmp_path: Path, appends: list, data: st.DataObject) -> None:
    """An attacker who can write the database but lacks the audit key appends a perfect-looking row."""
    store, key = fresh(tmp_path)
    with store:
        fill(store, appends)
        count, prev = audit.head(store)
        row = {"id": "forged", "seq": count + 1, "timestamp": "2026-01-01T00:00:00+00:00", "action": "issue_created",
               "entity_type": "issue", "entity_id": "x", "user_id": "mallory", "details": "{}"}
        forged_hash = audit.entry_hash(row, prev)
        bogus_sig = sha256_hex(data.draw(st.binary(min_size=1, max_size=16)))
        conn = raw_conn(store, key)
        conn.execute("INSERT INTO audit_log (id, seq, timestamp, action, entity_type, entity_id, user_id, details, "
                     "prev_hash, entry_hash, signature) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     (*row.values(), prev, forged_hash, bogus_sig))
        conn.close()
        result = audit.verify(store)
        assert not result.ok and result.bad_entry_id == "forged" and "signature" in result.reason


def test_separate_audit_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With TFTSR_AUDIT_KEY set, holding the database key alone is not enough to sign entries."""
    monkeypatch.setenv("TFTSR_AUDIT_KEY", "kept-in-a-vault")
    store, _ = fresh(tmp_path)
    with store:
        audit.append(store, "x", "thing", "1")
        assert audit.verify(store).ok
        monkeypatch.delenv("TFTSR_AUDIT_KEY")
        result = audit.verify(store)
        assert not result.ok and "signature" in result.reason


APPENDER = textwrap.dedent("""
    import sys
    from tftsr_kernel import audit
    from tftsr_kernel.store import Store
    s = Store(sys.argv[1], sys.argv[2])
    for i in range(150):
        audit.append(s, "concurrent", "proc", sys.argv[3], {"i": i})
    s.close()
""")


def test_two_processes_append_one_linear_chain(store_path: Path, raw_key: str) -> None:
    Store(store_path, raw_key).close()
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(store_path), raw_key, str(n)],
                              stderr=subprocess.PIPE) for n in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    with Store(store_path, raw_key) as s:
        result = audit.verify(s)
        assert result.ok and result.count == 300
