"""The engine pauses the cyclic collector only around its own work on long texts, and always resumes it."""

from __future__ import annotations

import gc
import io
import threading
from collections.abc import Iterator

import pytest

from tftsr_kernel.pii import Scanner
from tftsr_kernel.pii.gcpause import collector_paused

LONG = "login from 10.0.0.1 user=alice key AKIAQ3EGRTY5WXZ7ABCD\n" * 3000  # past the prefilter's minimum


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def _recording(sc: Scanner) -> list[bool]:
    """Whether the collector ran, each time the scanner looked for candidates."""
    seen: list[bool] = []
    find = sc._candidates

    def candidates(text: str) -> list[tuple[int, int, int, str, str]]:
        seen.append(gc.isenabled())
        return find(text)

    sc._candidates = candidates  # type: ignore[method-assign]
    return seen


def test_a_long_scan_runs_with_the_collector_paused_and_resumes_it() -> None:
    sc = Scanner()
    seen = _recording(sc)
    assert sc.scan(LONG) and seen == [False] and gc.isenabled()
    assert sc.scan("one line from 10.0.0.1") and seen == [False, True]  # a short text: not paused


def test_a_stream_resumes_the_collector_while_the_caller_holds_a_span() -> None:
    sc = Scanner()
    seen = _recording(sc)
    during = [gc.isenabled() for _ in sc.scan_stream(io.StringIO(LONG * 3), chunk_size=100_000)]
    assert seen and not any(seen) and all(during) and gc.isenabled()


def test_a_collector_the_caller_turned_off_stays_off() -> None:
    gc.disable()
    Scanner().scan(LONG)
    assert not gc.isenabled()


def test_an_error_inside_still_resumes_the_collector() -> None:
    with pytest.raises(RuntimeError), collector_paused:
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_overlapping_pauses_resume_the_collector_once_the_last_ends() -> None:
    inside, release = threading.Barrier(3), threading.Event()
    states: list[bool] = []

    def pause() -> None:
        with collector_paused:
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=pause) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    states.append(gc.isenabled())  # both inside
    release.set()
    for t in threads:
        t.join()
    with collector_paused, collector_paused:  # nested in one thread
        states.append(gc.isenabled())
    assert states == [False, False] and gc.isenabled()
