"""The `roleport` console script: one parser with the host's commands and the installer's.

This is the composition root of the `roleport` command. list and login come from roleport.cli,
install, uninstall and doctor from roleport_installer.cli; each side only knows how to add its
own subcommands (``add_commands(subparsers)``), and only this module knows both.

Why here, in the installer package: the dependencies already point this way. The installer
imports the host package (doctor speaks the host's frames, both read the same rules), while the
host package never imports the installer, so `roleport-host` and roleport.cli keep working on
their own. A separate top-level package would add a third import name to the wheel for a
module this small, with the same dependencies. Both imports below are plain module-level
imports on purpose: if the installer cannot be imported, `roleport` fails at once with that
ImportError, instead of starting without install/uninstall/doctor and answering "invalid
choice" for them. What those commands do is imported only when one of them runs
(roleport_installer.cli), so `roleport login` does not pay for the installer's modules.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from roleport import cli as host_cli

from .cli import add_commands as add_installer_commands


def build_parser() -> argparse.ArgumentParser:
    """`roleport` with list and login (host) and install, uninstall and doctor (installer)."""
    return host_cli.build_parser((host_cli.add_commands, add_installer_commands))


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """The `roleport` console script; returns the exit code (roleport.cli.main's rules)."""
    return host_cli.main(argv, stdout, stderr, parser=build_parser())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
