"""The host's commands of `roleport`: `list`, `login`, `mfa`, plus the runner they share.

This module never imports the installer: ``add_commands(subparsers)`` adds list and login, the
installer's ``roleport_installer.cli.add_commands`` adds install/uninstall/doctor, and the
`roleport` console script (roleport_installer.command) builds one parser from both.

Rules implemented here:
- `roleport list [--json]`: a table ordered by account, or JSON for scripts;
- `roleport login PROFILE [...] [--print]` opens the URL with the stdlib webbrowser; --print
  writes only the URL to stdout and a one-line credential warning to stderr (a sign-in URL
  grants console access to whoever holds it, AWS IAM User Guide, "Enable custom identity
  broker access to the AWS console");
- `roleport login --account-id ID --role-name NAME [--profile SOURCE]`: assume the role named
  by account and role name with the source profile's credentials, then sign in (the AWS
  Security Blog post "How to Enable Cross-Account Access to the AWS Management Console");
- `roleport login --account-id ID --role-name NAME --sso-session SESSION`: a role discovered
  through IAM Identity Center, no profile needed (GetRoleCredentials, then sign in);
- `roleport sso login` and the discovered roles of `roleport list`: roleport.cli_sso;
- MFA: when a code is needed and stdin is a terminal, ask for it (on stderr, never stdout);
  `roleport mfa status|forget` lists or deletes the cached MFA sessions
  (credentials.mfa_session);
- exit codes come from errors.py; an error is one line plus its hint on stderr, never a
  traceback; subcommands dispatch through `set_defaults(func=...)`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

from roleport import __version__
from roleport.errors import RoleportError
from roleport.rules import MAX_CONSOLE_DURATION, MIN_CONSOLE_DURATION

MFA_ATTEMPTS = 3
URL_WARNING = ("roleport: warning: the URL on stdout signs in to the AWS console for 15 "
               "minutes; treat it like a password and do not paste it into chats or logs.")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits with invalid_request's code and a hint."""

    def error(self, message: str) -> NoReturn:
        error = RoleportError("invalid_request", detail=message)
        self.exit(error.exit_code,
                  f"roleport: error: {error.message}\n  hint: see `{self.prog} --help`.\n")


CommandGroup = Callable[[Any], None]
"""``add_commands(subparsers)``: adds a group of subcommands, each with ``func`` as default."""


def add_commands(subparsers: Any) -> None:
    """Add list, login and mfa to the `roleport` command's subparsers."""
    listing = subparsers.add_parser(
        "list", help="list the profiles of your AWS config",
        description="List the profiles of ~/.aws/config and ~/.aws/credentials (or "
                    "AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), ordered by account.")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=run_list)

    login = subparsers.add_parser(
        "login", help="open the AWS console as a profile (or an account's role)",
        description="Sign in to the AWS console as PROFILE, or as the role --role-name in "
                    "--account-id using the credentials of --profile (default: AWS_PROFILE "
                    "or 'default').")
    login.add_argument("profile_name", nargs="?", metavar="PROFILE",
                       help="the AWS profile to sign in as (default: AWS_PROFILE)")
    login.add_argument("--region", help="console region (default: the profile's region)")
    login.add_argument("--destination", metavar="SERVICE_OR_URL",
                       help="a service like 'ec2', a console path like '/ec2/home' or a "
                            "console URL of the same partition")
    login.add_argument("--duration", type=int, metavar="SECONDS",
                       help="console session length, "
                            f"{MIN_CONSOLE_DURATION}-{MAX_CONSOLE_DURATION} seconds "
                            "(where AWS allows it)")
    login.add_argument("--mfa-code", metavar="CODE", help="the current code of your MFA device")
    login.add_argument("--print", action="store_true", dest="print_url",
                       help="print the URL instead of opening a browser (it is a credential)")
    login.add_argument("--account-id", metavar="ID",
                       help="sign in to this account's role (with --role-name)")
    login.add_argument("--role-name", metavar="NAME", help="the role to assume in --account-id")
    login.add_argument("--profile", dest="source_profile", metavar="SOURCE",
                       help="with --account-id: the profile whose credentials assume the role")
    login.add_argument("--issuer", default="roleport",
                       help="where an expired console session sends you (default: roleport)")
    login.add_argument("--sso-session", metavar="NAME",
                       help="with --account-id: sign in through this IAM Identity Center "
                            "session (a discovered role; no profile needed)")
    login.set_defaults(func=run_login)

    mfa = subparsers.add_parser(
        "mfa", help="show or forget the cached MFA sessions",
        description="One MFA code per device: a code starts an MFA session (12 hours unless "
                    "roleport_mfa_session_duration says otherwise) that every role behind the "
                    "device uses. `status` lists the live sessions, `forget` deletes them so "
                    "the next login asks for a code.")
    mfa_commands = mfa.add_subparsers(dest="mfa_command", metavar="ACTION",
                                      parser_class=_Parser, required=True)
    mfa_commands.add_parser("status", help="list the live MFA sessions").set_defaults(
        func=run_mfa_status)
    mfa_commands.add_parser("forget", help="delete every cached MFA session").set_defaults(
        func=run_mfa_forget)

    from roleport.cli_sso import add_sso_commands

    add_sso_commands(subparsers)


def build_parser(command_groups: Sequence[CommandGroup] = (add_commands,)
                 ) -> argparse.ArgumentParser:
    """The `roleport` parser (--version, usage errors as invalid_request) with the subcommands
    of ``command_groups``; by default only this module's list and login."""
    parser = _Parser(
        prog="roleport",
        description="Open the AWS Management Console of the right account and role.")
    parser.add_argument("--version", action="version", version=f"roleport {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in command_groups:
        add(subparsers)
    return parser


def report_error(error: RoleportError, stderr: TextIO) -> int:
    """One clear line plus the hint; the exit code of the error class."""
    stderr.write(f"roleport: error: {error.message}\n  hint: {error.hint}\n")
    stderr.flush()
    return error.exit_code


# -- list ---------------------------------------------------------------------------------

def run_list(args: argparse.Namespace, stdout: TextIO | None = None,
             stderr: TextIO | None = None) -> int:
    from roleport.profiles import cyclic_gc_paused

    out, err = stdout or sys.stdout, stderr or sys.stderr
    # The command's own work after the parse (the table, or the JSON) allocates thousands of
    # objects while the parse's hundreds of thousands are still young: each of the collector's
    # passes would walk them all again, for a one-shot command that makes no cycles to free.
    with cyclic_gc_paused():
        return _list(args, out, err)


def _list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from roleport.cli_sso import discovered_rows
    from roleport.profiles import list_profiles, profiles_json
    from roleport.rules import default_profile_name

    profiles = list_profiles()
    discovered, notes = discovered_rows(profiles)
    for note in notes:
        err.write(f"roleport: discovery: {note}\n")
    if args.json:
        if not discovered:
            out.write(profiles_json(profiles))  # a megabyte or more: not copied to add "\n"
            out.write("\n")
            return 0
        import json

        listed = json.loads(profiles_json(profiles)) + discovered
        out.write(json.dumps(listed, indent=2) + "\n")
        return 0
    if not profiles and not discovered:
        from roleport.config_files import ConfigFiles

        files = ConfigFiles.from_environment()
        out.write(f"No profiles in {files.config_file} or {files.credentials_file}.\n")
        return 0
    rows = [("ACCOUNT", "PROFILE", "ROLE", "REGION", "KIND", "NOTES"),
            *profile_table_rows(profiles, default_profile_name())]
    for role in discovered:
        account = role["account_id"]
        if role["account_name"]:
            account = f"{role['account_name']} ({account})"
        rows.append((account, "-", role["role_name"], "-", "sso",
                     f"discovered:{role['sso_session']}"))
    widths = [max(map(len, column)) for column in zip(*rows, strict=True)]
    layout = "  ".join(f"{{:<{width}}}" for width in widths)  # one format call per row
    out.write("".join(layout.format(*row).rstrip() + "\n" for row in rows))
    problems = [profile for profile in profiles if profile.problem]
    if problems:
        out.write("\nProblems:\n")
        for profile in problems:
            out.write(f"  {profile.name}: {profile.problem}\n")
    return 0


# The NOTES cell for each combination of (mfa, chained, default, problem).
_NOTES = tuple(",".join(note for flag, note in zip(
    (index & 8, index & 4, index & 2, index & 1), ("mfa", "chained", "default", "problem"),
    strict=True) if flag) for index in range(16))


def profile_table_rows(profiles: Sequence[Any], default: str) -> list[tuple[str, ...]]:
    """The table's rows of ``profiles`` (ACCOUNT, PROFILE, ROLE, REGION, KIND, NOTES), by
    account id, then name; profiles without an account last, by name.

    One account, one label: a name given on any of its profiles names them all.
    """
    from operator import attrgetter

    account_names = {profile.account_id: profile.account_name for profile in profiles
                     if profile.account_id and profile.account_name}
    # Two stable sorts on C attribute getters: by name, then by account id.
    by_name = sorted(profiles, key=attrgetter("name"))
    ordered = [profile for profile in by_name if profile.account_id is not None]
    ordered.sort(key=attrgetter("account_id"))
    ordered += [profile for profile in by_name if profile.account_id is None]
    rows: list[tuple[str, ...]] = []
    for profile in ordered:
        account = profile.account_id or "-"
        name = profile.account_name or (
            account_names.get(profile.account_id) if profile.account_id else None)
        if name:
            account = f"{name} ({account})"
        notes = _NOTES[(8 if profile.mfa else 0) | (4 if profile.chained else 0)
                       | (2 if profile.name == default else 0) | (1 if profile.problem else 0)]
        rows.append((account, profile.name, profile.role_name or "-", profile.region or "-",
                     profile.kind, notes))
    return rows


# -- login --------------------------------------------------------------------------------

def _prompt_mfa(error: RoleportError, stdin: TextIO, stderr: TextIO) -> str | None:
    serial = error.fields.get("mfa_serial") or "your MFA device"
    stderr.write(f"MFA code for {serial}: ")
    stderr.flush()
    line = stdin.readline()
    return line.strip() or None


def run_login(args: argparse.Namespace, stdout: TextIO | None = None,
              stderr: TextIO | None = None, stdin: TextIO | None = None) -> int:
    from roleport.pipeline import Pipeline
    from roleport.rules import profile_from_environment

    out, err, inp = stdout or sys.stdout, stderr or sys.stderr, stdin or sys.stdin
    role_flow = args.account_id is not None or args.role_name is not None
    if role_flow:
        if not (args.account_id and args.role_name):
            raise RoleportError("invalid_request",
                                detail="--account-id and --role-name go together")
        if args.profile_name:
            raise RoleportError("invalid_request",
                                detail="with --account-id name the source profile with "
                                       "--profile, not as PROFILE")
        if args.sso_session and args.source_profile:
            raise RoleportError("invalid_request",
                                detail="--sso-session and --profile are two sources; give one")
    elif args.sso_session:
        raise RoleportError("invalid_request",
                            detail="--sso-session goes with --account-id and --role-name")
    elif args.source_profile:
        raise RoleportError("invalid_request",
                            detail="--profile names the source profile for --account-id; "
                                   "give the profile to sign in as as PROFILE")
    profile_name = args.profile_name
    if not role_flow and not profile_name:
        profile_name = profile_from_environment()
        if not profile_name:
            raise RoleportError("invalid_request",
                                detail="name the profile to sign in as (`roleport list` "
                                       "shows them)")

    pipeline = Pipeline()
    mfa_code = args.mfa_code
    try:
        for attempt in range(MFA_ATTEMPTS):
            try:
                if role_flow and args.sso_session:
                    result = pipeline.login_sso_role(
                        args.sso_session, args.account_id, args.role_name, region=args.region,
                        destination=args.destination, duration=args.duration,
                        issuer=args.issuer)
                elif role_flow:
                    result = pipeline.login_role(
                        args.account_id, args.role_name, source_profile=args.source_profile,
                        region=args.region, destination=args.destination,
                        mfa_code=mfa_code, duration=args.duration, issuer=args.issuer)
                else:
                    result = pipeline.login(
                        profile_name, region=args.region, destination=args.destination,
                        mfa_code=mfa_code, duration=args.duration, issuer=args.issuer)
                break
            except RoleportError as error:
                interactive = _is_terminal(inp) and args.mfa_code is None
                # A code asked for on the last attempt would never be tried.
                retry = (error.code in ("mfa_required", "mfa_invalid")
                         and attempt < MFA_ATTEMPTS - 1)
                if not interactive and error.code == "mfa_required":
                    # Without a terminal to prompt on, the flag is the only way to give it.
                    error.hint += " Pass it with --mfa-code CODE."
                if not (interactive and retry):
                    raise
                if error.code == "mfa_invalid":
                    err.write("roleport: that code was not accepted; wait for the next one.\n")
                mfa_code = _prompt_mfa(error, inp, err)
                if mfa_code is None:
                    raise
        else:  # pragma: no cover - the last attempt never retries: it breaks or raises
            raise RoleportError("internal_error", detail="the MFA prompt loop ran out")
    finally:
        pipeline.close()

    who = result.identity.get("arn") or result.identity.get("account") or profile_name
    if args.print_url:
        out.write(result.url + "\n")
        out.flush()
        err.write(URL_WARNING + "\n")
        return 0
    import webbrowser

    if not webbrowser.open(result.url, new=2):
        raise RoleportError("invalid_request",
                            detail="no web browser could be started; run again with --print "
                                   "and open the URL yourself")
    err.write(f"roleport: opened the AWS console as {who}.\n")
    return 0


# -- mfa ----------------------------------------------------------------------------------

def run_mfa_status(args: argparse.Namespace, stdout: TextIO | None = None,
                   stderr: TextIO | None = None) -> int:
    from roleport.credentials.mfa_session import active_sessions, new_mfa_sessions
    from roleport.profiles import load_snapshot

    out = stdout or sys.stdout
    snapshot = load_snapshot()
    names = [profile.name for profile in snapshot.profiles if profile.mfa]
    sessions = active_sessions(names, snapshot.full_config.get("profiles", {}),
                               new_mfa_sessions())
    if not sessions:
        out.write("No live MFA session: the next login of an MFA profile asks for a code.\n")
        return 0
    for session in sessions:
        covered = ", ".join(sorted(session["profiles"]))
        out.write(f"{session['mfa_serial']} (keys of {session['source_profile']}): active "
                  f"until {session['expires_at']}; covers {covered}\n")
    return 0


def run_mfa_forget(args: argparse.Namespace, stdout: TextIO | None = None,
                   stderr: TextIO | None = None) -> int:
    from roleport.credentials.mfa_session import forget_all

    out = stdout or sys.stdout
    deleted = forget_all()
    out.write(f"Forgot {len(deleted)} MFA session(s); the next login of an MFA profile asks "
              "for a code.\n")
    return 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# -- entry point --------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None, *, parser: argparse.ArgumentParser | None = None) -> int:
    """Parse ``argv`` with ``parser`` (default: list and login only), run the subcommand and
    return the exit code (0 ok, errors.py codes otherwise); the `roleport` console script
    passes the parser with every command (roleport_installer.command)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    parser = parser or build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        return int(exit_request.code or 0)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(err)
        return RoleportError("invalid_request").exit_code
    try:
        return int(func(args, stdout=out, stderr=err) or 0)
    except RoleportError as error:
        return report_error(error, err)
    except KeyboardInterrupt:
        err.write("\nroleport: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader left (`roleport list | head`): not an error worth a word. Point stdout
        # at /dev/null so the interpreter's final flush does not complain either.
        if out is sys.stdout:
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return 141  # 128 + SIGPIPE, as a shell reports it
    except Exception as exc:  # never a traceback as the user's answer
        return report_error(
            RoleportError("internal_error", detail=type(exc).__name__), err)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
