"""`roleport sso login` and the discovered roles `roleport list` shows.

Rules implemented here:
- `roleport sso login [--sso-session NAME] [--no-browser]` runs the device sign-in
  (roleport.sso.device_flow): it prints the verification URL and user code on stderr, opens
  the URL with the stdlib webbrowser unless --no-browser, waits for the approval (Ctrl-C
  cancels) and writes the token where the AWS CLI does; without --sso-session the config's
  only SSO session is used;
- `roleport list` adds the roles discovered through each SSO session (the discovery cache,
  fetched again first when older than ROLEPORT_SSO_DISCOVERY_MAX_AGE and signed in), except
  those a configured profile already names (same account and role).
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any, TextIO

from roleport.errors import RoleportError

LIST_DISCOVERY_WAIT = 120.0


def add_sso_commands(subparsers: Any) -> None:
    sso = subparsers.add_parser(
        "sso", help="IAM Identity Center: sign in",
        description="Sign in to IAM Identity Center (AWS SSO) the way `aws sso login` does; "
                    "the token is shared with the AWS CLI.")
    commands = sso.add_subparsers(dest="sso_command", metavar="COMMAND")
    login = commands.add_parser("login", help="sign in with the device code flow",
                                description="Sign in to an sso-session (or a legacy start URL) "
                                            "and cache the token in ~/.aws/sso/cache.")
    login.add_argument("--sso-session", metavar="NAME",
                       help="the [sso-session NAME] (or legacy sso_start_url) to sign in to "
                            "(default: the config's only one)")
    login.add_argument("--no-browser", action="store_true",
                       help="print the URL instead of opening a browser")
    login.set_defaults(func=run_sso_login)
    populate = commands.add_parser(
        "populate", help="write the discovered roles into ~/.aws/config as profiles",
        description="Write every role the portal lists for an sso-session into the AWS config "
                    "as SSO profiles, marked so that only those are ever rewritten or pruned "
                    "(the old file is kept as <config>.roleport-backup).")
    populate.add_argument("--sso-session", metavar="NAME",
                          help="the [sso-session NAME] (default: the config's only one)")
    populate.add_argument("--template", default="{account_name}-{role}",
                          help="profile name template: {account_name}, {account_id}, {role}, "
                               "{sso_session} (default: %(default)s)")
    populate.add_argument("--region", help="a region to write into every profile")
    populate.add_argument("--prune", action="store_true",
                          help="remove profiles written earlier whose role no longer exists")
    populate.add_argument("--dry-run", action="store_true",
                          help="show what would change, write nothing")
    populate.set_defaults(func=run_sso_populate)
    sso.set_defaults(func=lambda args, **_: _usage(sso))


def _usage(parser: argparse.ArgumentParser) -> int:
    raise RoleportError("invalid_request", detail=f"`{parser.prog}` needs a command: login")


def pick_session(service: Any, key: str | None) -> Any:
    if key:
        return service.session(key)
    sessions = service.sessions()
    if len(sessions) == 1:
        return sessions[0]
    known = ", ".join(session.key for session in sessions) or "none"
    raise RoleportError("invalid_request",
                        detail=f"name the SSO session with --sso-session (known: {known})")


def run_sso_login(args: argparse.Namespace, stdout: TextIO | None = None,
                  stderr: TextIO | None = None, *, open_browser: bool | None = None) -> int:
    from roleport.sso.flows import PENDING, SUCCEEDED
    from roleport.sso.service import SsoService

    err = stderr or sys.stderr
    service = SsoService()
    try:
        session = pick_session(service, args.sso_session)
        flow = service.flows.start(session)
        authorization = flow.authorization
        err.write(f"Sign in to {session.start_url}: open {authorization.verification_uri_complete}"
                  f"\nand check that it shows the code {authorization.user_code}.\n")
        err.flush()
        if not args.no_browser and open_browser is not False:
            import webbrowser

            webbrowser.open(authorization.verification_uri_complete, new=2)
        ended = threading.Event()
        try:
            while flow.state == PENDING:
                ended.wait(0.2)  # the flow's own thread polls IAM Identity Center
        except KeyboardInterrupt:
            service.flows.cancel(flow.flow_id)
            raise
        if flow.state != SUCCEEDED:
            raise flow.error or RoleportError("internal_error", detail="the sign-in ended")
        err.write(f"roleport: signed in to {session.start_url}.\n")
        return 0
    finally:
        service.close()


def run_sso_populate(args: argparse.Namespace, stdout: TextIO | None = None,
                     stderr: TextIO | None = None) -> int:
    from roleport.config_files import ConfigFiles
    from roleport.profiles import load_snapshot
    from roleport.rules import is_region
    from roleport.sso import populate
    from roleport.sso.service import SsoService

    out, err = stdout or sys.stdout, stderr or sys.stderr
    if args.region and not is_region(args.region):
        raise RoleportError("invalid_request", detail=f"{args.region!r} is not a region name")
    service = SsoService()
    try:
        session = pick_session(service, args.sso_session)
        service.listing(session, None, refresh=True)
        listing = service.discovery.wait(session, LIST_DISCOVERY_WAIT)
    finally:
        service.close()
    if listing.error is not None:
        raise listing.error
    plan = populate.plan(load_snapshot().full_config, session, listing.accounts,
                         args.template, args.prune, args.region)
    config_file = ConfigFiles.from_environment().config_file
    for name in plan.skipped:
        err.write(f"roleport: skipped '{name}': a profile you wrote has that name\n")
    for name in plan.kept:
        err.write(f"roleport: kept '{name}': its role is no longer listed (--prune removes it)\n")
    verb = "would write" if args.dry_run else "wrote"
    if not args.dry_run:
        try:
            with open(config_file, encoding="utf-8") as handle:
                text = handle.read()
        except FileNotFoundError:
            text = ""
        except OSError as exc:
            raise RoleportError("config_error", detail=f"{config_file}: {exc.strerror}") from None
        try:
            backup = populate.write_config(config_file, populate.render(text, plan))
        except OSError as exc:
            raise RoleportError("config_error",
                                detail=f"{config_file} could not be written: {exc.strerror}"
                                ) from None
        if backup:
            err.write(f"roleport: the previous config is in {backup}\n")
    out.write(f"{verb} {len(plan.write)} profiles, removed {len(plan.remove)} "
              f"({'dry run' if args.dry_run else config_file})\n")
    return 0


def discovered_rows(configured: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Discovered roles no configured profile names, and notes about sessions that failed."""
    from roleport.rules import sso_discovery_max_age
    from roleport.sso.service import SsoService

    service = SsoService()
    taken = {(profile.account_id, profile.role_name) for profile in configured}
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    try:
        for session in service.sessions():
            signed_in = service.token_state(session).signed_in
            listing = service.listing(session, sso_discovery_max_age() if signed_in else None)
            if listing.refreshing:
                listing = service.discovery.wait(session, LIST_DISCOVERY_WAIT)
            if listing.error is not None and listing.error.code != "sso_signin_required":
                notes.append(f"{session.key}: {listing.error.message}")
            for account in listing.accounts:
                for role in account.roles:
                    if (account.account_id, role) in taken:
                        continue
                    rows.append({"name": None, "account_id": account.account_id,
                                 "account_name": account.name or None,
                                 "account_email": account.email or None, "role_name": role,
                                 "kind": "sso", "discovered": True,
                                 "sso_session": session.key})
    finally:
        service.close()
    return rows, notes
