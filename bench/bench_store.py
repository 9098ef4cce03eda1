"""Store and audit-log figures: appends/s in batches, verify entries/s over 100k entries, open times.

Each figure is also given as a ratio to plain stdlib sqlite3 inserting the same rows in the same run.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import tempfile
import time
from pathlib import Path

from tftsr_kernel import audit
from tftsr_kernel.store import Store

ENTRIES = 100_000
BATCH = 1_000


def _sqlite_baseline(path: Path, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE audit_log (id TEXT, seq INTEGER, timestamp TEXT, action TEXT, entity_type TEXT, "
                 "entity_id TEXT, user_id TEXT, details TEXT, prev_hash TEXT, entry_hash TEXT, signature TEXT)")
    row = ("01", 1, "2026-01-01T00:00:00+00:00", "bench", "thing", "x", "u", json.dumps({"i": 1}), "0" * 64,
           "1" * 64, "2" * 64)
    start = time.perf_counter()
    for _ in range(n // BATCH):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?,?,?)", [row] * BATCH)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        key = f"x'{secrets.token_hex(32)}'"
        store = Store(folder / "bench.db", key)
        start = time.perf_counter()
        for b in range(ENTRIES // BATCH):
            with store.transaction():
                for i in range(BATCH):
                    audit.append(store, "bench", "thing", str(i), {"batch": b, "i": i})
        append_rate = ENTRIES / (time.perf_counter() - start)
        start = time.perf_counter()
        result = audit.verify(store)
        verify_rate = result.count / (time.perf_counter() - start)
        assert result.ok
        store.close()
        baseline = _sqlite_baseline(folder / "plain.db", ENTRIES)

        opens = {}
        for label, k in (("raw key (no KDF)", key), ("passphrase (PBKDF2 256k)", "bench passphrase")):
            path = folder / f"open-{len(opens)}.db"
            Store(path, k).close()
            times = []
            for _ in range(5):
                t = time.perf_counter()
                Store(path, k).close()
                times.append(time.perf_counter() - t)
            opens[label] = sorted(times)[2]

    print(f"audit append, batches of {BATCH}: {append_rate:,.0f} entries/s "
          f"({append_rate / baseline:.3f}x of stdlib sqlite3 inserting the same rows: {baseline:,.0f} rows/s)")
    print(f"audit verify over {ENTRIES:,} entries: {verify_rate:,.0f} entries/s "
          f"({verify_rate / baseline:.3f}x of the sqlite3 insert rate)")
    for label, seconds in opens.items():
        print(f"store open, {label}: {seconds * 1000:.1f} ms (median of 5)")
    raw, kdf = opens.values()
    print(f"KDF open / raw open: {kdf / raw:.1f}x")


if __name__ == "__main__":
    main()
