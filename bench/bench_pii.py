"""PII engine throughput and memory, against a naive regex list, Presidio's pattern recognizers and
detect-secrets on the same text. Prints MB/s (one core) and peak memory; never asserts on time."""

from __future__ import annotations

import io
import re
import time
import tracemalloc
from pathlib import Path

from tftsr_kernel.pii import DEFAULT_DETECTORS, Scanner

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dev"
TARGET_MB = 100


def corpus_text() -> tuple[str, str]:
    if DEV.exists():
        base = "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(DEV.glob("*.log")))
        return base, "dev corpus"
    lines = [f"2024-01-0{i % 9 + 1} 10:00:{i % 60:02d} INFO svc[{i}]: user=u{i} from 10.0.{i % 250}.{i % 200} "
             f"key AKIAQ3EGRTY5WXZ7AB{i % 90 + 10} ok" for i in range(20000)]
    return "\n".join(lines) + "\n", "generated text (../shared absent)"


def mbps(nbytes: int, seconds: float) -> float:
    return nbytes / 1e6 / seconds if seconds > 0 else float("inf")


def run_engine(big: str) -> float:
    sc = Scanner()
    t = time.perf_counter()
    n = sum(1 for _ in sc.scan_stream(io.StringIO(big, newline="")))
    dt = time.perf_counter() - t
    print(f"  tftsr engine (streaming, full catalog): {mbps(len(big), dt):7.2f} MB/s  ({n} spans)")
    return mbps(len(big), dt)


def run_naive(text: str) -> float:
    pats = [re.compile(d.pattern) for d in DEFAULT_DETECTORS]
    t = time.perf_counter()
    for p in pats:
        for _ in p.finditer(text):
            pass
    dt = time.perf_counter() - t
    print(f"  naive Python re, one pass per pattern:  {mbps(len(text), dt):7.2f} MB/s")
    return mbps(len(text), dt)


def run_presidio(text: str) -> float | None:
    try:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine
    except ImportError:
        print("  presidio: not installed")
        return None

    class NoOpNlpEngine(NlpEngine):  # no spaCy model can be downloaded here
        def load(self) -> None: ...
        def is_loaded(self) -> bool: return True
        def process_text(self, text: str, language: str) -> NlpArtifacts:
            return NlpArtifacts([], [], [], [], None, language)
        def process_batch(self, texts, language, **kw):  # type: ignore[no-untyped-def]
            for t in texts:
                yield t, self.process_text(t, language)
        def is_stopword(self, word: str, language: str) -> bool: return False
        def is_punct(self, word: str, language: str) -> bool: return False
        def get_supported_entities(self) -> list[str]: return []
        def get_supported_languages(self) -> list[str]: return ["en"]

    reg = RecognizerRegistry()
    reg.load_predefined_recognizers()
    for name in ("SpacyRecognizer", "UrlRecognizer", "EmailRecognizer"):  # the last two fetch a suffix list online
        reg.remove_recognizer(name)
    engine = AnalyzerEngine(registry=reg, nlp_engine=NoOpNlpEngine(), supported_languages=["en"])
    t = time.perf_counter()
    engine.analyze(text=text, language="en")
    dt = time.perf_counter() - t
    print(f"  presidio pattern recognizers:            {mbps(len(text), dt):7.3f} MB/s  "
          f"(on a {len(text) / 1e6:.2f} MB slice)")
    return mbps(len(text), dt)


def run_detect_secrets(text: str) -> float | None:
    try:
        from detect_secrets.core.scan import scan_line
        from detect_secrets.settings import default_settings
    except ImportError:
        print("  detect-secrets: not installed")
        return None
    t = time.perf_counter()
    with default_settings():
        for line in text.splitlines():
            for _ in scan_line(line):
                pass
    dt = time.perf_counter() - t
    print(f"  detect-secrets (default plugins):        {mbps(len(text), dt):7.3f} MB/s  "
          f"(on a {len(text) / 1e6:.2f} MB slice)")
    return mbps(len(text), dt)


def streaming_memory(base: str) -> None:
    sc = Scanner()
    for reps in (4, 16):
        text = base * reps
        tracemalloc.start()
        for _ in sc.scan_stream(io.StringIO(text, newline="")):
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  streaming {len(text) / 1e6:6.1f} MB: "
              f"peak traced memory {peak / 1e6:6.1f} MB (includes the input held in memory)")


def main() -> None:
    base, what = corpus_text()
    reps = max(1, int(TARGET_MB * 1e6 // len(base)) + 1)
    big = base * reps
    print(f"text: {what}, {len(base) / 1e6:.2f} MB x {reps} = {len(big) / 1e6:.1f} MB")
    ours = run_engine(big)
    naive = run_naive(base)
    slice_ = base[: 200_000]
    pres = run_presidio(slice_)
    ds = run_detect_secrets(slice_)
    print("ratios (ours / other):")
    print(f"  vs naive re:      {ours / naive:8.1f}x")
    if pres:
        print(f"  vs presidio:      {ours / pres:8.1f}x")
    if ds:
        print(f"  vs detect-secrets:{ours / ds:8.1f}x")
    print("memory when streaming (flat in file size is the goal):")
    streaming_memory(base)


if __name__ == "__main__":
    main()
