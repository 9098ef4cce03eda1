"""Write docs/cli.md from the commands' own --help (``make docs``); a test fails when it is stale."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tftsr_kernel.cli import cli

OUT = Path(__file__).with_name("cli.md")


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ("tftsr",)) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        path = (*prefix, name)
        if isinstance(command, click.Group):
            found += commands(command, path)
        else:
            found.append((" ".join(path), command))
    return found


def render() -> str:
    parts = ["# `tftsr` command reference\n",
             "Generated from each command's `--help` by `make docs`; do not edit by hand.\n",
             "Every command takes `--store PATH` before or after the command word and reads the key from "
             "`TFTSR_DB_KEY`. Exit 0 is success; an error a user can cause exits 2 with one sentence on stderr.\n"]
    for name, command in commands():
        ctx = click.Context(command, info_name=name, terminal_width=100, max_content_width=100,
                            help_option_names=["-h", "--help"])
        parts.append(f"## `{name}`\n\n```\n{command.get_help(ctx)}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    OUT.write_text(render())
    sys.stdout.write(f"wrote {OUT}\n")
