"""Every command is documented: docs/cli.md is generated from --help and must be current; the README
names every command group."""

from __future__ import annotations

from pathlib import Path

from docs.cli_reference import OUT, commands, render

README = Path(__file__).resolve().parents[1] / "README.md"


def test_cli_reference_is_current() -> None:
    assert OUT.read_text() == render(), "docs/cli.md is stale: run `make docs`"


def test_readme_names_every_command() -> None:
    readme = README.read_text()
    missing = [name for name, _ in commands() if name not in readme]
    assert not missing, f"README.md does not mention: {', '.join(missing)}"
