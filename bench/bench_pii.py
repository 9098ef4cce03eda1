"""PII engine throughput and memory, against a naive regex list, Presidio's pattern recognizers and
detect-secrets on the same text, plus the regex engines considered for the engine (``re``, ``regex``,
google-re2, Hyperscan). Prints MB/s (one core) and peak memory; never asserts on time."""

from __future__ import annotations

import io
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from tftsr_kernel.pii import DEFAULT_DETECTORS, Scanner, frames, scan_dataframe

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


def run_engine(path: Path, nbytes: int, cache: Path) -> float:
    """Streaming the file on a machine's first run (an empty cache: the Hyperscan databases the prefilter needs
    are compiled, then kept in the cache), in a process of its own, and then as every later run finds it (the
    databases cached): the figure for the engine. Both on the same cache folder, so that neither depends on
    what an earlier run left in the user's cache."""
    env = {**os.environ, "TFTSR_CACHE_DIR": str(cache)}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", _STREAM_ONE, str(path)], capture_output=True, check=True, env=env)
    first = time.perf_counter() - t
    print(f"  first run on a machine (empty cache: compiles its Hyperscan databases; a process, imports included): "
          f"{first:6.2f} s  ({mbps(nbytes, first):7.2f} MB/s)")
    before = os.environ.get("TFTSR_CACHE_DIR")
    os.environ["TFTSR_CACHE_DIR"] = str(cache)
    try:
        sc = Scanner()
        t = time.perf_counter()
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            n = sum(1 for _ in sc.scan_stream(fh))
        dt = time.perf_counter() - t
    finally:
        if before is None:
            del os.environ["TFTSR_CACHE_DIR"]
        else:
            os.environ["TFTSR_CACHE_DIR"] = before
    print(f"  tftsr engine, streaming a {nbytes / 1e6:.0f} MB file (full catalog, validators, spans; databases "
          f"cached): {mbps(nbytes, dt):7.2f} MB/s  ({n} spans; triggers: {sc.trigger_engine}; {sc.prefilter_summary})")
    return mbps(nbytes, dt)


_STREAM_ONE = """
import sys, time
from tftsr_kernel.pii import Scanner, native
sc = Scanner()
t = time.process_time()
with open(sys.argv[1], encoding="utf-8", errors="replace", newline="") as fh:
    n = sum(1 for _ in sc.scan_stream(fh))
print(time.process_time() - t, n, native.matcher is not None)
"""


def run_native_parts(base: str, workdir: Path) -> None:
    """The engine with and without its C++ parts (:mod:`tftsr_kernel.pii.native`), each in fresh processes."""
    path = workdir / "native.log"
    nbytes = write_file(base, path, 20_000_000)
    got: dict[str, tuple[float, int, bool]] = {}
    for flag in ("1", "0", "0", "1"):  # best of two each, alternating: the first run also fills the Hyperscan cache
        out = subprocess.run([sys.executable, "-c", _STREAM_ONE, str(path)], capture_output=True, text=True,
                             check=True, env={**os.environ, "TFTSR_PII_NATIVE": flag}).stdout.split()
        run = (mbps(nbytes, float(out[0])), int(out[1]), out[2] == "True")
        got[flag] = max(got.get(flag, run), run)
    (on, spans_on, built), (off, spans_off, _) = got["1"], got["0"]
    if not built:
        print("  the C++ parts are not built here (make native): both runs used the Python loops")
    print(f"  {nbytes / 1e6:.0f} MB streamed, CPU time: with the C++ parts {on:7.2f} MB/s, Python loops only "
          f"{off:7.2f} MB/s: {on / off:5.2f}x (spans {spans_on} / {spans_off})")
    os.unlink(path)


def _best_seconds(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        run()
        best = min(best, time.process_time() - t)
    return best


_TOKEN = string.ascii_letters + string.digits


def fresh_text(seed: int, nbytes: int) -> str:
    """Log lines (access log, JSON lines, sshd, app key=value) whose every sensitive value is new: a
    token, session, client IP, user, e-mail, phone number or card per line, as a gateway log carries.
    The repeated corpus lets the validators' memos answer all but its first copy; this text does not."""
    r = random.Random(seed)

    def tok(n: int) -> str:
        return "".join(r.choices(_TOKEN, k=n))

    def ip() -> str:
        return f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def user() -> str:
        return r.choice(("alice", "bob", "carol", "dave")) + tok(4).lower()

    def card() -> str:
        digits = [4] + r.choices(range(10), k=14)
        odd = sum(d * 2 - 9 * (d > 4) for d in digits[::-2]) + sum(digits[-2::-2])
        return "".join(map(str, [*digits, -odd % 10]))

    lines = (
        lambda: f'{ip()} - - [26/Nov/2026:10:{r.randint(10, 59)}:07 +0000] "GET /api/items?token={tok(32)}'
                f'&page=2 HTTP/1.1" 200 {r.randint(100, 99999)} "-" "curl/8.1"',
        lambda: f'{{"ts": "2026-11-26T10:00:00Z", "user": "{user()}", "email": "{user()}@mail.example.org", '
                f'"api_key": "{tok(40)}", "client_ip": "{ip()}"}}',
        lambda: f'{{"level": "debug", "authorization": "Bearer {tok(48)}", "ip": "2001:db8:{r.randint(1, 65535):x}'
                f':{r.randint(1, 65535):x}::{r.randint(1, 65535):x}"}}',
        lambda: f"Nov 26 10:00:{r.randint(10, 59)} bastion sshd[{r.randint(1000, 99999)}]: Invalid user {user()} "
                f"from {ip()} port {r.randint(1024, 65535)}",
        lambda: f"2026-11-26T10:00:00Z WARN db connect user={user()} password={tok(14)} secret={tok(28)}",
        lambda: f"2026-11-26T10:00:00Z INFO contact phone=+1 415 {r.randint(200, 999)} {r.randint(1000, 9999)} "
                f"card={card()}",
        lambda: f"2026-11-26T10:00:00Z DEBUG worker[{r.randint(1, 64)}] job {r.randint(1, 10**9)} done",
    )
    out: list[str] = []
    size = 0
    while size < nbytes:
        line = r.choice(lines)() + "\n"
        out.append(line)
        size += len(line)
    return "".join(out)


def run_fresh(base: str, repeat: int = 3) -> None:
    """Streaming MB/s on text whose values are all new against the repeated corpus, the same size, in one
    run: alternating, best of ``repeat``, one core. Each fresh pass gets a text of its own seed, so no
    memo holds its values; the repeated corpus is scanned with its values seen before, as in ``make bench``."""
    repeated = base * max(1, -(-8_000_000 // len(base)))
    sizes = {"repeated": len(repeated.encode())}
    best = {"repeated": float("inf"), "fresh": float("inf")}
    sc = Scanner()
    for _ in sc.scan_stream(io.StringIO(base)):  # warm: the presence gate and the corpus's memos
        pass
    for i in range(repeat):
        fresh = fresh_text(i + 1, len(repeated))
        sizes["fresh"] = len(fresh.encode())
        for name, text in (("repeated", repeated), ("fresh", fresh)):
            best[name] = min(best[name], _best_seconds(lambda t=text: sum(1 for _ in sc.scan_stream(io.StringIO(t))),
                                                       repeat=1))
    rep, new = (mbps(sizes[k], best[k]) for k in ("repeated", "fresh"))
    print(f"  repeated corpus ({sizes['repeated'] / 1e6:.1f} MB, values seen before): {rep:7.2f} MB/s")
    print(f"  fresh values    ({sizes['fresh'] / 1e6:.1f} MB, every value new):       {new:7.2f} MB/s"
          f"  = {new / rep:.2f}x the repeated corpus")


def run_dataframe(base: str) -> None:
    """``scan_dataframe`` over the corpus lines as a DataFrame column, against scanning cell by cell
    (``Scanner.scan`` per row, with and without the presence gate) and in blocks, in the same run:
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
    frames.BLOCKS_WITH_GATE = True  # the blocks it no longer takes where the gate is there, for comparison
    try:
        blocks = _best_seconds(lambda: scan_dataframe(df, "message", scanner=sc))
    finally:
        frames.BLOCKS_WITH_GATE = False
    print(f"  {len(lines)} lines ({nbytes / 1e6:.2f} MB) as a DataFrame column:")
    print(f"    Scanner.scan per cell, no presence gate:                        {mbps(nbytes, rows):7.2f} MB/s")
    print(f"    Scanner.scan per cell, with the presence gate:                  {mbps(nbytes, gated):7.2f} MB/s")
    print(f"    cells in blocks (scan_dataframe without Hyperscan):             {mbps(nbytes, blocks):7.2f} MB/s")
    print(f"    scan_dataframe:                                                 {mbps(nbytes, frame):7.2f} MB/s"
          f"  = {rows / frame:.1f}x the per-cell loop without the gate")


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
    for mb in (8, 32, 96):
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
        ours = run_engine(big_path, nbytes, workdir / "cache-engine")
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
        print("the engine's C++ parts (search loop, finders, validators, overlaps, spans) against its Python loops:")
        run_native_parts(base, workdir)
        print("fresh values (streaming, best of three, one core):")
        run_fresh(base)
        print("short texts (log lines in a DataFrame):")
        run_dataframe(base)
        print("memory when streaming (flat in file size is the goal):")
        streaming_memory(base, workdir)


if __name__ == "__main__":
    main()
