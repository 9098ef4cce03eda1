"""Build the engine's C++ parts in place: ``python -m tftsr_kernel.pii.native.build``.

Needs g++ and RE2's headers and library (Debian: ``apt-get install g++ libre2-dev``); ``make`` installs
them. The module is written beside its source, where :mod:`tftsr_kernel.pii.native` imports it.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = {"_matcher": [HERE / "matcher.cpp", HERE / "checks.cpp", HERE / "finders.cpp",
                         HERE / "spans.cpp", HERE / "resolve.cpp"]}


def target(name: str) -> Path:
    return HERE / f"{name}{sysconfig.get_config_var('EXT_SUFFIX')}"


def command(name: str) -> list[str]:
    """The compiler call for one module."""
    return ["g++", "-O2", "-std=c++17", "-shared", "-fPIC", "-fvisibility=hidden", "-Wall",
            f"-I{sysconfig.get_paths()['include']}", *map(str, SOURCES[name]), "-o", str(target(name)), "-lre2"]


def main() -> int:
    for name, sources in SOURCES.items():
        out = target(name)
        newest = max(p.stat().st_mtime for p in [*sources, *HERE.glob("*.h")])
        if out.exists() and out.stat().st_mtime >= newest:
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
