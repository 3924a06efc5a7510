"""Stable error codes shared by the library, the CLI and the native host.

The table is append-only: a code, once published in PROTOCOL.md, keeps its name and meaning
forever because the extension and scripts match on it. Messages are templates filled with
non-secret fields only (profile names, file names, ARNs, HTTP statuses), never with
credentials, SigninTokens or login URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorKind:
    code: str
    exit_code: int
    message: str
    hint: str


# Order matters only for readability; codes and exit codes never change once released.
_KINDS: tuple[ErrorKind, ...] = (
    ErrorKind("internal_error", 70, "Internal error: {detail}",
              "This is a bug in roleport. Run `roleport doctor` and report what it prints."),
    ErrorKind("invalid_request", 64, "Invalid request: {detail}",
              "Check the arguments; `roleport --help` lists them."),
    ErrorKind("profile_not_found", 65, "The AWS profile '{profile}' does not exist.",
              "It is not in {config_file} (renamed or removed?): choose another profile; "
              "`roleport list` shows them all."),
    ErrorKind("config_error", 66, "The AWS config could not be read: {detail}",
              "Fix the AWS config{location}; "
              "`aws configure list-profiles` shows whether it parses."),
    ErrorKind("no_credentials", 67, "No credentials found for profile '{profile}': {detail}",
              "Configure credentials for this profile (source_profile, sso_session, "
              "credential_process or keys) or run `aws configure --profile {profile}`."),
    ErrorKind("mfa_required", 68, "Profile '{profile}' needs a one-time MFA code.",
              "Enter the current code of the MFA device {mfa_serial}."),
    ErrorKind("mfa_invalid", 69, "The MFA code was not accepted for profile '{profile}'.",
              "Wait for the next code of {mfa_serial} and try again; each code works once."),
    ErrorKind("access_denied", 77, "AWS denied access for profile '{profile}': {detail}",
              "Check that the role's trust policy allows your source identity and that your "
              "identity may call sts:AssumeRole on it."),
    ErrorKind("credentials_expired", 72, "The credentials of profile '{profile}' have expired.",
              "Refresh the source credentials of this profile (for example your SSO login or "
              "credential_process) and try again."),
    ErrorKind("sso_login_required", 73,
              "The IAM Identity Center session of profile '{profile}' has expired or is missing.",
              "Run `{command}` and try again."),
    ErrorKind("federation_failed", 74, "The AWS sign-in endpoint refused the request: {detail}",
              "The credentials may have expired, or the console session length is not allowed "
              "for this kind of credentials. Try again; if it persists run `roleport doctor`."),
    ErrorKind("network_error", 75, "Could not reach {service}: {detail}",
              "Check your network connection, proxy and VPN, then try again."),
    ErrorKind("timeout", 76, "{service} did not answer within {seconds} seconds.",
              "Check your network connection and try again."),
    ErrorKind("unknown_action", 64, "Unknown action '{action}'.",
              "The extension and the host disagree on the protocol: update both."),
    ErrorKind("forbidden_caller", 77, "The caller '{caller}' is not allowed to use this host.",
              "Run `roleport install --extension-id <id>` to allow another extension build."),
    ErrorKind("message_too_large", 74, "The {direction} message is too large ({size} bytes).",
              "Native messages are limited to 1 MiB; narrow the request."),
    # 71: the first number of the sysexits range no other code uses (EX_UNAVAILABLE, 69, is
    # mfa_invalid's). A server fault says nothing about the request: trying again later is
    # the remedy ("Error retries and exponential backoff in AWS",
    # https://docs.aws.amazon.com/general/latest/gr/api-retries.html).
    ErrorKind("aws_unavailable", 71,
              "{service} answered HTTP {status}; AWS may be having problems.",
              "Try again in a minute; check the AWS Health Dashboard "
              "(https://health.aws.amazon.com/health/status)."),
    # 75 (EX_TEMPFAIL), as network_error: a temporary condition, trying later is the remedy.
    # AWS throttles by request rate per account and Region and answers Throttling,
    # ThrottlingException or HTTP 429 ("Error retries and exponential backoff in AWS",
    # https://docs.aws.amazon.com/general/latest/gr/api-retries.html); botocore has already
    # retried with backoff.
    ErrorKind("throttled", 75, "{service} is throttling requests (too many in a short time).",
              "Wait a minute and try again; scripts or tools calling AWS with the same "
              "account at the same time share its request rate."),
    # IAM Identity Center sign-in and discovery (PROTOCOL.md, "IAM Identity Center").
    ErrorKind("sso_session_not_found", 65,
              "There is no IAM Identity Center session '{sso_session}' in the AWS config.",
              "Name an [sso-session] section or a profile's sso_start_url (known: {known})."),
    ErrorKind("sso_signin_required", 73,
              "You are not signed in to IAM Identity Center at {start_url}, or the sign-in "
              "has expired.",
              "Sign in from the roleport popup, or run `{command}`."),
    ErrorKind("sso_login_denied", 77,
              "The sign-in to IAM Identity Center at {start_url} was denied.",
              "Start the sign-in again and choose Allow on the verification page."),
    # {minutes}: how long a code lives, in words with its unit ("10 minutes", "1 minute",
    # "45 seconds"); the device flow's lifetime_words().
    ErrorKind("sso_login_expired", 73,
              "The sign-in code for {start_url} expired before it was approved.",
              "Start the sign-in again and approve it within {minutes}."),
    ErrorKind("sso_login_cancelled", 75, "The sign-in to {start_url} was cancelled.",
              "Start it again when you are ready."),
    ErrorKind("sso_flow_not_found", 64, "No sign-in '{flow_id}' is running in this host.",
              "The helper program may have restarted: start the sign-in again."),
    ErrorKind("sso_cache_unwritable", 73,
              "The IAM Identity Center token could not be saved in {folder}: {detail}.",
              "Make {folder} a folder you own and can write to (the AWS CLI uses it too), "
              "then sign in again."),
)

ERRORS: dict[str, ErrorKind] = {kind.code: kind for kind in _KINDS}


class _Defaults(dict[str, str]):
    """Leaves unknown template fields visible instead of raising KeyError."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}" if key not in ("location", "detail") else ""


class RoleportError(Exception):
    """An error the user can act on: a stable code, a message, a hint and safe details."""

    def __init__(self, code: str, **fields: Any) -> None:
        kind = ERRORS.get(code)
        if kind is None:  # programming error: keep the contract, do not invent codes
            fields = {"detail": f"unknown error code {code!r}"}
            kind = ERRORS["internal_error"]
        self.code = kind.code
        self.fields = {k: v for k, v in fields.items() if v is not None}
        values = _Defaults({k: str(v) for k, v in self.fields.items()})
        self.message = kind.message.format_map(values)
        self.hint = kind.hint.format_map(values)
        self.exit_code = kind.exit_code
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """The wire form used by the native host (see PROTOCOL.md)."""
        payload: dict[str, Any] = {"code": self.code, "message": self.message, "hint": self.hint}
        for key in ("profile", "mfa_serial", "command", "config_file", "line", "sso_session",
                    "start_url"):
            if key in self.fields:
                payload[key] = str(self.fields[key])
        return payload
