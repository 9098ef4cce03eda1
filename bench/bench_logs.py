"""Log loading speed and memory, against pandas.read_csv; Drain grouping accuracy per loghub system.

Builds a mixed-format corpus (the dev corpus repeated; generated text when ../shared is absent) of
``TFTSR_BENCH_LOGS_MB`` megabytes (default 500) in a temporary folder, deleted afterwards. Every
measurement runs in its own subprocess so peak RSS is that measurement's alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
PUBLISHED = {"HDFS": 0.998, "Apache": 1.0, "Linux": 0.690, "OpenSSH": 0.788, "Proxifier": 0.527, "Spark": 0.920,
             "Windows": 0.997, "Zookeeper": 0.967}

_MEASURE = r"""
import json, resource, sys, time
mode, paths = sys.argv[1], sys.argv[2:]
import pandas as pd
if mode != "csv":
    from tftsr_kernel.logs import iter_log_chunks, load_logs
t, cpu = time.perf_counter(), time.process_time()
rows = 0
if mode == "csv":
    for p in paths:
        rows += len(pd.read_csv(p, sep="\x01", header=None, names=["line"], dtype="str", quoting=3,
                                engine="c", skip_blank_lines=False, on_bad_lines="skip"))
elif mode == "stream":
    for chunk in iter_log_chunks(paths, templates=False):
        rows += len(chunk)
else:
    rows = len(load_logs(paths, templates=(mode == "templates"), progress=False))
el, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({"seconds": el, "cpu": cpu, "rows": rows,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def _build(folder: Path, target: int) -> list[Path]:
    sources = sorted((SHARED / "dev").glob("*.log")) if (SHARED / "dev").exists() else []
    if not sources:
        gen = folder / "gen.src"
        gen.write_text("".join(f"2024-03-01 10:{i // 60 % 60:02d}:{i % 60:02d},{i % 1000:03d} INFO [w-{i % 7}] "
                               f"svc.Api - served /orders/{i} in {i % 97} ms from 10.0.{i % 255}.{i % 13}\n"
                               for i in range(20000)))
        sources = [gen]
    per = target // len(sources)
    out = []
    for src in sources:
        data = src.read_bytes()
        dest = folder / f"{src.stem}.log"
        with open(dest, "wb") as fh:
            written = 0
            while written < per:
                fh.write(data)
                written += len(data)
        out.append(dest)
    return out


def _run(mode: str, paths: list[Path]) -> dict[str, float]:
    res = subprocess.run([sys.executable, "-c", _MEASURE, mode, *map(str, paths)], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(res.stdout.strip().splitlines()[-1])


def _accuracy() -> None:
    import pandas as pd

    from tftsr_kernel.logs import load_logs

    root = SHARED / "loghub-dev"
    if not root.exists():
        print("grouping accuracy: ../shared/corpus/loghub-dev is absent; skipped")
        return
    print(f"{'system':<10} {'ours':>6} {'Drain (ICSE-SEIP 2019)':>24}")
    for system, published in PUBLISHED.items():
        log = root / system / f"{system}_2k.log"
        truth = pd.read_csv(f"{log}_structured.csv", dtype=str)
        df = load_logs(log, progress=False)
        frame = pd.DataFrame({"p": df.template_id.astype(str).to_numpy(), "t": truth.EventId.to_numpy()})
        sizes = frame.groupby("t").size()
        ok = sum(len(g) for _, g in frame.groupby("p") if g.t.nunique() == 1 and sizes[g.t.iloc[0]] == len(g))
        print(f"{system:<10} {ok / len(frame):>6.3f} {published:>24.3f}")


def main() -> None:
    target = int(os.environ.get("TFTSR_BENCH_LOGS_MB", "500")) << 20
    with tempfile.TemporaryDirectory(prefix="tftsr-bench-logs-") as tmp:
        paths = _build(Path(tmp), target)
        size = sum(p.stat().st_size for p in paths)
        mb = size / 1e6
        print(f"input: {len(paths)} files, {mb:,.0f} MB (mixed formats); one process per measurement")
        base = _run("csv", paths)
        print("imports are outside the timed part; 'MB/CPU-s' is MB per second of this process's CPU time "
              "(per core, unaffected by other load on the machine)")
        print(f"{'measurement':<26} {'MB/s':>8} {'MB/CPU-s':>9} {'peak RSS MB':>12} {'RSS/input':>10} "
              f"{'time vs csv':>12}")
        for label, mode in (("pandas.read_csv 1 column", "csv"), ("load_logs templates=False", "plain"),
                            ("load_logs templates=True", "templates"), ("iter_log_chunks", "stream")):
            r = base if mode == "csv" else _run(mode, paths)
            print(f"{label:<26} {mb / r['seconds']:>8.1f} {mb / r['cpu']:>9.1f} {r['rss'] / 1e6:>12.0f} "
                  f"{r['rss'] / size:>10.2f} "
                  f"{r['seconds'] / base['seconds']:>11.2f}x")
        quarter = paths[: max(1, len(paths) // 4)]
        small = _run("stream", quarter)
        big = _run("stream", paths)
        qmb = sum(p.stat().st_size for p in quarter) / 1e6
        print(f"streaming peak RSS: {qmb:,.0f} MB input -> {small['rss'] / 1e6:,.0f} MB; "
              f"{mb:,.0f} MB input -> {big['rss'] / 1e6:,.0f} MB")
    _accuracy()


if __name__ == "__main__":
    main()
