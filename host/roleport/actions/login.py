"""``login``: a console sign-in URL for a profile, through the warm pipeline.

Wire form: PROTOCOL.md, "login". Every value is checked with roleport.rules before the
pipeline sees it: the region (a name shaped like botocore's partition data), the MFA code
(six digits, STS ``TokenCode``), the session length (the federation endpoint's
``SessionDuration``, 900..43200 seconds) and the profile name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roleport.actions.context import HostContext
from roleport.actions.registry import Action, Param, register, shorten
from roleport.rules import (
    LOGIN_DEADLINE_SECONDS,
    MAX_CONSOLE_DURATION,
    MIN_CONSOLE_DURATION,
    has_control_characters,
    is_console_duration,
    is_mfa_code,
    is_region,
    profile_name_problem,
)

if TYPE_CHECKING:
    from roleport.pipeline import LoginResult

IDENTITY_KEYS = ("account", "role", "session_name", "partition", "region", "arn")
MAX_DESTINATION = 2048


def check_region(value: str) -> str | None:
    if not is_region(value):
        return f"'{shorten(value)}' is not an AWS region name such as eu-west-1"
    return None


def check_destination(value: str) -> str | None:
    # The core decides which console hosts are allowed; this only bounds the input.
    if (not value or len(value) > MAX_DESTINATION or has_control_characters(value)
            or " " in value):
        return (f"expected a console URL or path of at most {MAX_DESTINATION} characters "
                "without spaces")
    return None


def check_mfa_code(value: str) -> str | None:
    if not is_mfa_code(value):
        return "an MFA code is exactly 6 digits (send it as a string)"
    return None


def check_duration(value: int) -> str | None:
    if not is_console_duration(value):
        return f"{value} is outside {MIN_CONSOLE_DURATION}..{MAX_CONSOLE_DURATION} seconds"
    return None


def login_result(result: LoginResult) -> dict[str, Any]:
    """The wire form of a LoginResult: exactly the identity keys PROTOCOL.md lists."""
    return {
        "url": result.url,
        "expires_at": result.expires_at,
        "identity": {key: result.identity.get(key) for key in IDENTITY_KEYS},
        "container": result.container,
        "logout_url": result.logout_url,
        "session_expires_at": result.session_expires_at,
    }


def handle_login(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    """Console sign-in URL for a profile, through the warm pipeline."""
    result = context.pipeline().login(
        params["profile"],
        region=params.get("region"),
        destination=params.get("destination"),
        mfa_code=params.get("mfa_code"),
        duration=params.get("duration"),
    )
    return login_result(result)


register(Action(
    "login", handle_login, lane="slow", deadline_seconds=LOGIN_DEADLINE_SECONDS,
    service="AWS sign-in",
    params=(
        Param("profile", (str,), required=True, check=profile_name_problem,
              expected="a profile name string"),
        Param("region", (str,), check=check_region, expected="a region name string"),
        Param("destination", (str,), check=check_destination,
              expected="a console URL string"),
        Param("mfa_code", (str,), check=check_mfa_code, expected="a 6-digit string"),
        Param("duration", (int,), check=check_duration,
              expected="an integer number of seconds "
                       f"({MIN_CONSOLE_DURATION}..{MAX_CONSOLE_DURATION})"),
    ),
))
