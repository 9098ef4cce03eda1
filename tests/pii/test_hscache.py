"""Compiled Hyperscan databases are kept on disk: a second build loads them, a damaged entry or a
cache folder that cannot be written only costs a compile, and results never depend on the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from tftsr_kernel.pii import Scanner, triggers

from .pieces import PIECES

pytestmark = pytest.mark.skipif(not triggers.HAVE_HYPERSCAN, reason="the hyperscan wheel is not installed")


def _ends(db: object, data: bytes) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    from tftsr_kernel.pii.hscache import _hs

    db.scan(data, match_event_handler=lambda i, _s, e, _f, _c: found.append((i, e)),  # type: ignore[attr-defined]
            scratch=_hs.Scratch(db))
    return found


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TFTSR_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "hyperscan"


def test_a_compiled_database_is_stored_and_loaded_again(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tftsr_kernel.pii import hscache

    exprs, ids, flags = [b"ab+c", b"[0-9]{3}"], [0, 1], [0, 0]
    first = hscache.compile_database(exprs, ids, flags)
    (entry,) = cache.glob("*.hsdb")
    compiled: list[int] = []
    real = hscache._hs.Database
    monkeypatch.setattr(hscache._hs, "Database", lambda *a, **k: compiled.append(1) or real(*a, **k))
    second = hscache.compile_database(exprs, ids, flags)
    assert not compiled  # loaded, not compiled
    data = b"xabbbc 12345 abc"
    assert _ends(second, data) == _ends(first, data) == [(0, 6), (1, 10), (1, 11), (1, 12), (0, 16)]
    hscache.compile_database([b"other"], [0], [0])
    assert len(list(cache.glob("*.hsdb"))) == 2  # another expression set, another entry
    assert entry.stat().st_mode & 0o077 == 0 and cache.stat().st_mode & 0o077 == 0  # the user's alone


def test_a_damaged_entry_is_compiled_again(cache: Path) -> None:
    from tftsr_kernel.pii import hscache

    hscache.compile_database([b"abc"], [0], [0])
    (entry,) = cache.glob("*.hsdb")
    entry.write_bytes(entry.read_bytes()[:40] + b"\x00" * 64)
    db = hscache.compile_database([b"abc"], [0], [0])
    assert _ends(db, b"xxabc") == [(0, 5)]
    assert hscache._hs.loadb(entry.read_bytes(), hscache._hs.HS_MODE_BLOCK)  # rewritten whole


def test_trial_compiles_are_remembered_including_failures(cache: Path) -> None:
    from tftsr_kernel.pii import hscache

    assert hscache.trial_compile(b"a(?=b)", 0) is None  # look-ahead: Hyperscan refuses it
    took = hscache.trial_compile(b"abc", 0)
    assert took is not None and took >= 0
    assert hscache.trial_compile(b"abc", 0) == took  # the first measurement, from the cache
    assert sorted(p.read_text() == "no" for p in cache.glob("*.trial")) == [False, True]


def test_no_cache_folder_or_an_unwritable_one_still_scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = " ".join(PIECES) * 40  # long enough for the structural prefilter
    monkeypatch.setenv("TFTSR_CACHE_DIR", str(tmp_path / "cache"))
    reference = Scanner().scan(text)
    assert reference and list((tmp_path / "cache" / "hyperscan").iterdir())
    warm = Scanner().scan(text)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TFTSR_CACHE_DIR", str(blocker))
    unwritable = Scanner().scan(text)
    monkeypatch.setenv("TFTSR_CACHE_DIR", "")
    uncached = Scanner().scan(text)
    assert warm == unwritable == uncached == reference
    assert blocker.read_text() == "not a folder"


def test_the_cache_is_trimmed_oldest_first(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tftsr_kernel.pii import hscache

    hscache.compile_database([b"first"], [0], [0])
    size = next(cache.glob("*.hsdb")).stat().st_size
    monkeypatch.setattr(hscache, "_LIMIT_BYTES", size * 2)
    for word in (b"second", b"third", b"fourth"):
        hscache.compile_database([word], [0], [0])
    left = list(cache.glob("*.hsdb"))
    assert 1 <= len(left) < 4 and sum(p.stat().st_size for p in left) <= size * 2
