"""Installer errors: what happened, why, and what to do.

The installer's failures are about the local machine (folders, browsers, registry), which the
host's stable error table (roleport.errors) does not cover; the CLI prints message and hint and
exits with a sysexits-style code.
"""

from __future__ import annotations

EX_USAGE = 64
EX_UNAVAILABLE = 69
EX_SOFTWARE = 70
EX_CANTCREAT = 73


class InstallerError(Exception):
    """An installer failure the user can act on; never carries secrets."""

    def __init__(self, message: str, hint: str, exit_code: int = EX_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.message} {self.hint}"
