"""`roleport install|uninstall|doctor`, plugged into the `roleport` command by command.py.

command.py calls ``add_commands(subparsers)`` next to roleport.cli's; each subcommand sets
``func`` to a callable taking the parsed arguments and returning the exit code. Results go to
stdout (one line per browser or check); errors to stderr as message + hint. ``main`` is
`python -m roleport_installer`: the same three commands without the console script (it still
works after the virtualenv moved and the script's shebang went stale).

Only the parser's own needs (the browser table, the errors) are imported with this module: it
is imported by every `roleport` command, so the work of install, uninstall and doctor is
imported when one of them runs. If that import fails, the command says which module is broken
and how to repair it (exit 70), rather than a traceback or a missing subcommand.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from .errors import EX_SOFTWARE, InstallerError
from .table import BROWSERS, SCOPES


def _add_common(parser: argparse.ArgumentParser, *, ids: bool = True) -> None:
    parser.add_argument("--browser", action="append", metavar="NAME", dest="browsers",
                        help=f"a browser to act on (repeatable): {', '.join(BROWSERS)}; "
                             "default: every supported browser found on this machine")
    parser.add_argument("--scope", choices=SCOPES, default="user",
                        help="user (default) or system-wide (needs administrator rights)")
    parser.add_argument("--user-data-dir", metavar="DIR",
                        help="Chromium family: the --user-data-dir the browser is started with")
    if ids:
        parser.add_argument("--extension-id", action="append", default=[], metavar="ID",
                            dest="extension_ids",
                            help="another Chrome extension id to allow (store builds), "
                                 "repeatable")


def add_commands(subparsers: Any) -> None:
    """Add install, uninstall and doctor to the `roleport` command's subparsers."""
    parser = subparsers.add_parser(
        "install", help="register the native host with your browsers",
        description="Register roleport's native messaging host with browsers. Idempotent; "
                    "run it again after moving roleport's environment.")
    _add_common(parser)
    parser.add_argument("--dry-run", action="store_true", help="show what would be written")
    parser.set_defaults(func=run_install)

    parser = subparsers.add_parser(
        "uninstall", help="remove what `roleport install` wrote",
        description="Remove exactly the manifests, launchers and registry values install wrote.")
    _add_common(parser, ids=False)
    parser.add_argument("--dry-run", action="store_true", help="show what would be removed")
    parser.set_defaults(func=run_uninstall)

    parser = subparsers.add_parser(
        "doctor", help="check the browser registrations, the host and the AWS config",
        description="Check each browser's registration, talk to the host, read the AWS config. "
                    "Exits non-zero if any check fails.")
    _add_common(parser)
    parser.add_argument("--timeout", type=_positive_seconds, default=15.0, metavar="SECONDS",
                        help="how long to wait for the host's hello answer (default 15)")
    parser.set_defaults(func=run_doctor)


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds above 0 (the host needs time to answer hello)")
    return seconds


def _guarded(action: Callable[[], int], stderr: TextIO) -> int:
    try:
        return action()
    except InstallerError as exc:
        stderr.write(f"roleport: {exc.message}\n  {exc.hint}\n")
        return exc.exit_code


@contextmanager
def _installer_import() -> Iterator[None]:
    """An installer module that cannot be imported in this block is a broken installation:
    which one, why, and how to repair."""
    try:
        yield
    except ImportError as exc:
        missing = exc.name or "a module"
        raise InstallerError(
            f"roleport's installer is broken: importing {missing} failed "
            f"({type(exc).__name__}: {exc}).",
            "Reinstall roleport (`pipx reinstall roleport`, or `pip install --force-reinstall "
            "roleport` in its environment).", EX_SOFTWARE) from None


def run_install(args: argparse.Namespace, stdout: TextIO | None = None,
                stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr

    def action() -> int:
        with _installer_import():
            from .registration import install
        for result in install(args.browsers, args.scope, args.user_data_dir,
                              tuple(args.extension_ids), args.dry_run):
            out.write(result.line() + "\n")
        return 0

    return _guarded(action, err)


def run_uninstall(args: argparse.Namespace, stdout: TextIO | None = None,
                  stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr

    def action() -> int:
        with _installer_import():
            from .registration import uninstall
        results = uninstall(args.browsers, args.scope, args.user_data_dir, args.dry_run)
        if not results:
            out.write("nothing to remove: roleport is not installed for any browser here\n")
        for result in results:
            out.write(result.line() + "\n")
        return 0

    return _guarded(action, err)


def run_doctor(args: argparse.Namespace, stdout: TextIO | None = None,
               stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr

    def action() -> int:
        with _installer_import():
            from .checks import doctor
        checks = doctor(args.browsers, args.scope, args.user_data_dir,
                        tuple(args.extension_ids), timeout=args.timeout)
        for check in checks:
            out.write(check.line() + "\n")
        failed = sum(not check.ok for check in checks)
        out.write(f"{failed} check(s) failed\n" if failed else "all checks passed\n")
        return 1 if failed else 0

    return _guarded(action, err)


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry (`python -m roleport_installer`) with the same subcommands."""
    parser = argparse.ArgumentParser(prog="roleport")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))
