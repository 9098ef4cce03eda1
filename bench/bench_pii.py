"""PII engine throughput and memory, against a naive regex list, Presidio's pattern recognizers and
detect-secrets on the same text, plus the regex engines considered for the engine (``re``, ``regex``,
google-re2, Hyperscan). Prints MB/s (one core) and peak memory; never asserts on time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from tftsr_kernel.pii import DEFAULT_DETECTORS, Scanner, scan_dataframe

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


def run_engine(path: Path, nbytes: int) -> float:
    sc = Scanner()
    t = time.perf_counter()
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        n = sum(1 for _ in sc.scan_stream(fh))
    dt = time.perf_counter() - t
    print(f"  tftsr engine, streaming a {nbytes / 1e6:.0f} MB file (full catalog, validators, spans): "
          f"{mbps(nbytes, dt):7.2f} MB/s  ({n} spans; triggers: {sc.trigger_engine}; {sc.prefilter_summary})")
    return mbps(nbytes, dt)


def _best_seconds(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        run()
        best = min(best, time.process_time() - t)
    return best


def run_dataframe(base: str) -> None:
    """``scan_dataframe`` over the corpus lines as a DataFrame column, against scanning cell by cell
    (``Scanner.scan`` per row, as ``scan_dataframe`` did before it scanned blocks), in the same run:
    best of three, one core, after a pass that warms the validators' memos for both."""
    import pandas as pd

    lines = base.splitlines()
    nbytes = sum(len(line.encode("utf-8")) for line in lines)
    df = pd.DataFrame({"message": lines})
    sc = Scanner()
    plain = Scanner()
    plain.GATE_AFTER = 1 << 62  # no presence gate: every short text takes the hint path, as before it
    for line in lines:
        plain.scan(line)
    scan_dataframe(df, "message", scanner=sc)
    rows = _best_seconds(lambda: [plain.scan(line) for line in lines])
    gated = _best_seconds(lambda: [sc.scan(line) for line in lines])
    frame = _best_seconds(lambda: scan_dataframe(df, "message", scanner=sc))
    print(f"  {len(lines)} lines ({nbytes / 1e6:.2f} MB) as a DataFrame column:")
    print(f"    Scanner.scan per cell, no presence gate (scan_dataframe before): {mbps(nbytes, rows):7.2f} MB/s")
    print(f"    Scanner.scan per cell, with the presence gate:                 {mbps(nbytes, gated):7.2f} MB/s")
    print(f"    scan_dataframe (blocks of cells):                               {mbps(nbytes, frame):7.2f} MB/s"
          f"  = {rows / frame:.1f}x the per-cell loop")


def run_cli(path: Path, nbytes: int, cache: Path) -> None:
    """``tftsr scan --json`` as users run it (a process: start-up, reading, JSON out), cold and warm cache."""
    env = {**os.environ, "TFTSR_CACHE_DIR": str(cache)}
    for label in ("cold cache", "warm cache"):
        t = time.perf_counter()
        with open(os.devnull, "w") as sink:
            subprocess.run([sys.executable, "-m", "tftsr_kernel.cli", "scan", "--json", str(path)],
                           stdout=sink, env=env, check=False)
        dt = time.perf_counter() - t
        print(f"  tftsr scan --json, {nbytes / 1e6:6.1f} MB file, {label}: {dt:6.2f} s  ({mbps(nbytes, dt):7.2f} MB/s)")


def run_naive(text: str) -> float:
    pats = [re.compile(d.pattern) for d in DEFAULT_DETECTORS]
    t = time.perf_counter()
    for p in pats:
        for _ in p.finditer(text):
            pass
    dt = time.perf_counter() - t
    return mbps(len(text), dt)


def alternatives(text: str) -> list[tuple[str, float | None]]:
    """One pass per pattern (matching only, no validation) with each engine, and a Hyperscan pass
    over all patterns at once, on the same text."""
    from tftsr_kernel.pii.backend import Compiled, PreparedText

    rows: list[tuple[str, float | None]] = [("Python re, one pass per pattern (the naive baseline)", run_naive(text))]
    try:
        import regex

        pats = [regex.compile(d.pattern) for d in DEFAULT_DETECTORS]
        t = time.perf_counter()
        for p in pats:
            for _ in p.finditer(text):
                pass
        rows.append(("regex module, one pass per pattern", mbps(len(text), time.perf_counter() - t)))
    except ImportError:
        rows.append(("regex module: not installed", None))
    comp = [Compiled(d.pattern, d.value_groups) for d in DEFAULT_DETECTORS]
    if all(c.uses_re2 for c in comp):
        t = time.perf_counter()
        prepared = PreparedText(text)
        for c in comp:
            c.values(prepared)
        rows.append(("google-re2, one pass per pattern", mbps(len(text), time.perf_counter() - t)))
    else:
        rows.append(("google-re2: not installed", None))
    try:
        import hyperscan as hs
    except ImportError:
        rows.append(("hyperscan: not installed", None))
        return rows
    data = text.encode("utf-8")
    exprs = [re.sub(r"\(\?P<\w+>", "(?:", d.pattern).encode() for d in DEFAULT_DETECTORS]
    for label, flag in (("every match end", 0), ("SINGLEMATCH per pattern", hs.HS_FLAG_SINGLEMATCH)):
        db = hs.Database()
        db.compile(expressions=exprs, ids=list(range(len(exprs))), elements=len(exprs),
                   flags=[hs.HS_FLAG_UTF8 | hs.HS_FLAG_PREFILTER | flag] * len(exprs))
        count = [0]

        def on(_i: int, _f: int, _t: int, _fl: int, ctx: list[int]) -> None:
            ctx[0] += 1

        t = time.perf_counter()
        db.scan(data, match_event_handler=on, context=count)
        dt = time.perf_counter() - t
        rows.append((f"hyperscan, all patterns in one pass, {label} ({count[0]} reports)", mbps(len(data), dt)))
    return rows


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


def write_file(base: str, path: Path, target_bytes: int) -> int:
    chunk = base.encode("utf-8")
    reps = max(1, -(-target_bytes // len(chunk)))
    with open(path, "wb") as fh:
        for _ in range(reps):
            fh.write(chunk)
    return reps * len(chunk)


def streaming_memory(base: str, workdir: Path) -> None:
    """Peak traced memory while streaming a file from disk, at two file sizes."""
    sc = Scanner()
    for mb in (8, 32):
        path = workdir / f"stream-{mb}.log"
        nbytes = write_file(base, path, mb * 1_000_000)
        tracemalloc.start()
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            for _ in sc.scan_stream(fh):
                pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        path.unlink()
        print(f"  streaming a {nbytes / 1e6:5.1f} MB file from disk: peak traced memory {peak / 1e6:6.1f} MB")


def main() -> None:
    base, what = corpus_text()
    with tempfile.TemporaryDirectory(prefix="tftsr-bench-") as tmp:
        workdir = Path(tmp)
        big_path = workdir / "big.log"
        nbytes = write_file(base, big_path, TARGET_MB * 1_000_000)
        print(f"text: {what}, {len(base.encode()) / 1e6:.2f} MB repeated into a {nbytes / 1e6:.1f} MB file")
        ours = run_engine(big_path, nbytes)
        print("the command line, end to end:")
        small_path = workdir / "small.log"
        small = write_file(base[:200_000], small_path, 200_000)
        run_cli(small_path, small, workdir / "cache")
        run_cli(big_path, nbytes, workdir / "cache-big")
        os.unlink(big_path)
        print("engines considered (matching only, on the base text):")
        rows = alternatives(base)
        naive = rows[0][1] or 1.0
        for label, speed in rows:
            print(f"  {label:78s} {speed:8.2f} MB/s" if speed else f"  {label}")
        slice_ = base[: 200_000]
        pres = run_presidio(slice_)
        ds = run_detect_secrets(slice_)
        print("ratios (tftsr engine, full catalog with validation / other):")
        print(f"  vs naive re:      {ours / naive:8.1f}x")
        if pres:
            print(f"  vs presidio:      {ours / pres:8.1f}x")
        if ds:
            print(f"  vs detect-secrets:{ours / ds:8.1f}x")
        print("short texts (log lines in a DataFrame):")
        run_dataframe(base)
        print("memory when streaming (flat in file size is the goal):")
        streaming_memory(base, workdir)


if __name__ == "__main__":
    main()
