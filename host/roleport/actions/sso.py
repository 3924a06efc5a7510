"""IAM Identity Center actions: sign in (start, status, cancel), list the sessions, list the
discovered roles in pages, and sign in to a discovered role.

Rules (PROTOCOL.md, "IAM Identity Center"):
- ``sso_login_start`` answers as soon as IAM Identity Center has handed out the user code;
  the wait for the user's approval runs concurrently with every other request, with its own
  deadline (roleport.sso.flows); ``sso_login_status`` and ``sso_login_cancel`` are instant;
- ``sso_roles`` answers from the discovery cache at once and refreshes it behind the answer
  when it is older than ``max_age`` seconds (default ROLEPORT_SSO_DISCOVERY_MAX_AGE, 1 hour)
  or ``refresh`` is true; rows are arrays in SSO_ROLE_COLUMNS order, paged under the 1 MiB
  reply cap exactly as ``profiles`` pages;
- no reply carries an access token, refresh token, client secret, device code or role
  credentials.
"""

from __future__ import annotations

from typing import Any

from roleport.actions.context import HostContext
from roleport.actions.login import (
    check_destination,
    check_duration,
    check_region,
    login_result,
)
from roleport.actions.profiles import MAX_CELL_CHARS, check_offset, page_rows
from roleport.actions.registry import Action, Param, register, shorten
from roleport.rules import (
    LOGIN_DEADLINE_SECONDS,
    MAX_CONSOLE_DURATION,
    MAX_SSO_DISCOVERY_MAX_AGE,
    MIN_CONSOLE_DURATION,
    MIN_SSO_DISCOVERY_MAX_AGE,
    account_id_problem,
    has_control_characters,
    is_sso_discovery_max_age,
    role_name_problem,
    sso_discovery_max_age,
)

SSO_ROLE_COLUMNS: tuple[str, ...] = (
    "sso_session", "account_id", "account_name", "account_email", "role",
)
"""Column order of an ``sso_roles`` row (PROTOCOL.md)."""

MAX_KEY_CHARS = 512


def check_session_key(value: str) -> str | None:
    if not value or len(value) > MAX_KEY_CHARS or has_control_characters(value):
        return (f"expected an sso-session name or start URL of at most {MAX_KEY_CHARS} "
                "characters")
    return None


def check_flow_id(value: str) -> str | None:
    if not value or len(value) > 64 or not value.isalnum():
        return "expected a flow_id from sso_login_start"
    return None


def check_max_age(value: int) -> str | None:
    if is_sso_discovery_max_age(value):
        return None
    return (f"{value} seconds is outside {MIN_SSO_DISCOVERY_MAX_AGE}..{MAX_SSO_DISCOVERY_MAX_AGE}"
            " (a minute to a week); send whole seconds in that range, or leave max_age out "
            "for the helper's default")


def _sso(context: HostContext) -> Any:
    return context.pipeline().sso


def handle_sso_sessions(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    """Every SSO session of the config, whether a usable token exists, and its discovery."""
    sso = _sso(context)
    sessions = []
    for session in sso.sessions():
        state = sso.token_state(session)
        # As in sso_roles: a token the portal refused is no sign-in, whatever its file says.
        refused = sso.listing(session, None).signin_refused
        sessions.append({"sso_session": session.key, "name": session.name,
                         "start_url": session.start_url, "region": session.region,
                         "signed_in": state.signed_in and not refused,
                         "expires_at": state.expires_at})
    return {"sessions": sessions}


def handle_sso_login_start(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    sso = _sso(context)
    flow = sso.flows.start(sso.session(params["sso_session"]))
    public: dict[str, Any] = flow.public()
    return public


def handle_sso_login_status(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    public: dict[str, Any] = _sso(context).flows.get(params["flow_id"]).public()
    return public


def handle_sso_login_cancel(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    public: dict[str, Any] = _sso(context).flows.cancel(params["flow_id"]).public()
    return public


def _cell(value: str) -> str | None:
    return shorten(value, MAX_CELL_CHARS) if value else None


def handle_sso_roles(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    """Discovered roles of every session (or of ``sso_session``), paged like ``profiles``."""
    sso = _sso(context)
    wanted = params.get("sso_session")
    sessions = [sso.session(wanted)] if wanted else sso.sessions()
    max_age = params.get("max_age", sso_discovery_max_age(context.environ))
    refresh = bool(params.get("refresh", False))
    offset = params.get("offset", 0)
    rows: list[list[Any]] = []
    summaries = []
    for session in sessions:
        token_usable = sso.token_state(session).signed_in
        # Only the first page starts refreshes: the following pages belong to the same answer.
        # Without a usable token a stale listing waits for the sign-in (which lists again)
        # instead of a fetch bound to fail.
        listing = sso.listing(session, max_age if offset == 0 and token_usable else None,
                              refresh and offset == 0)
        summary = listing.summary()
        # A token the portal refused (revoked, or signed out elsewhere) looks valid in the
        # cache file until it expires: the refusal decides.
        summary["signed_in"] = token_usable and not listing.signin_refused
        # A popup opened while a sign-in waits shows that sign-in's code (the toolbar popup
        # closes when the user goes to the verification page, and comes back).
        waiting = sso.flows.waiting(session.key)
        summary["sign_in"] = waiting.public() if waiting is not None else None
        summaries.append(summary)
        for account in list(listing.accounts):
            for role in account.roles:
                rows.append([_cell(session.key), account.account_id, _cell(account.name),
                             _cell(account.email), _cell(role)])
    page, next_offset = page_rows(rows, offset)
    return {"columns": list(SSO_ROLE_COLUMNS), "rows": page, "total": len(rows),
            "next_offset": next_offset, "sessions": summaries}


def handle_login_sso_role(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    result = context.pipeline().login_sso_role(
        params["sso_session"], params["account_id"], params["role_name"],
        region=params.get("region"), destination=params.get("destination"),
        duration=params.get("duration"))
    return login_result(result)


_SESSION = Param("sso_session", (str,), required=True, check=check_session_key,
                 expected="an sso-session name or legacy start URL")
_FLOW = Param("flow_id", (str,), required=True, check=check_flow_id,
              expected="the flow_id sso_login_start answered")

register(Action("sso_sessions", handle_sso_sessions, deadline_seconds=15.0,
                service="Reading the AWS config"))
register(Action("sso_login_start", handle_sso_login_start, lane="slow", deadline_seconds=30.0,
                service="IAM Identity Center", params=(_SESSION,)))
register(Action("sso_login_status", handle_sso_login_status, lane="instant",
                deadline_seconds=5.0, service="The host", params=(_FLOW,)))
register(Action("sso_login_cancel", handle_sso_login_cancel, lane="instant",
                deadline_seconds=5.0, service="The host", params=(_FLOW,)))
register(Action(
    "sso_roles", handle_sso_roles, deadline_seconds=15.0, service="Reading the AWS config",
    params=(
        Param("sso_session", (str,), check=check_session_key,
              expected="an sso-session name or legacy start URL"),
        Param("offset", (int,), check=check_offset,
              expected="a row index from a previous reply's next_offset"),
        Param("refresh", (bool,), expected="true or false"),
        Param("max_age", (int,), check=check_max_age,
              expected=f"whole seconds ({MIN_SSO_DISCOVERY_MAX_AGE}.."
                       f"{MAX_SSO_DISCOVERY_MAX_AGE})"),
    )))
register(Action(
    "login_sso_role", handle_login_sso_role, lane="slow",
    deadline_seconds=LOGIN_DEADLINE_SECONDS, service="AWS sign-in",
    params=(
        _SESSION,
        Param("account_id", (str,), required=True, check=account_id_problem,
              expected="a 12-digit account id string"),
        Param("role_name", (str,), required=True, check=role_name_problem,
              expected="a role name string"),
        Param("region", (str,), check=check_region, expected="a region name string"),
        Param("destination", (str,), check=check_destination,
              expected="a console URL string"),
        Param("duration", (int,), check=check_duration,
              expected="an integer number of seconds "
                       f"({MIN_CONSOLE_DURATION}..{MAX_CONSOLE_DURATION})"),
    )))
