"""Build the engine's C++ parts in place: ``python -m tftsr_kernel.pii.native.build``.

Needs g++ and RE2's headers and library (Debian: ``apt-get install g++ libre2-dev``); ``make`` installs
them. The module is written beside its source, where :mod:`tftsr_kernel.pii.native` imports it.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from tftsr_kernel.pii.native import source_hash

HERE = Path(__file__).resolve().parent
SOURCES = {"_matcher": [HERE / "matcher.cpp", HERE / "checks.cpp", HERE / "keyvalue.cpp", HERE / "finders.cpp",
                         HERE / "spans.cpp", HERE / "resolve.cpp", HERE / "reports.cpp"]}


def target(name: str) -> Path:
    return HERE / f"{name}{sysconfig.get_config_var('EXT_SUFFIX')}"


def command(name: str) -> list[str]:
    """The compiler call for one module (it records the hash of the sources it was built from)."""
    return ["g++", "-O2", "-std=c++17", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall",
            f'-DTFTSR_SOURCE_HASH="{source_hash(HERE)}"', f"-I{sysconfig.get_paths()['include']}",
            *map(str, SOURCES[name]), "-o", str(target(name)), "-lre2"]


def _records_sources(name: str) -> bool:
    """Whether the built module records the sources' present hash (read in a fresh process: this one may
    hold an older module)."""
    ask = f"import tftsr_kernel.pii.native.{name} as m; print(m.SOURCE_HASH)"
    done = subprocess.run([sys.executable, "-c", ask], capture_output=True, text=True, check=False)
    return done.stdout.strip() == source_hash(HERE)


def main() -> int:
    for name, sources in SOURCES.items():
        out = target(name)
        newest = max(p.stat().st_mtime for p in [*sources, *HERE.glob("*.h")])
        if out.exists() and out.stat().st_mtime >= newest and _records_sources(name):
            continue
        done = subprocess.run(command(name), capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stderr:
            print(done.stderr, file=sys.stderr)  # warnings (-Wall): a build that works may still be wrong
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            print(f"Building {out.name} failed: install g++ and libre2-dev (apt-get install g++ libre2-dev) "
                  "and run this again; without it the engine runs its slower Python loop.", file=sys.stderr)
            return 1
        print(f"built {out.relative_to(HERE.parents[2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
