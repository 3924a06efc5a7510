"""The value rules of roleport, each defined once: regions, MFA codes, console session
lengths, the discovered roles' cache age, profile, role and account names, and the
environment variables that name them.

The host's parameter checks, the pipeline, the CLI and the installer's doctor all use these;
the extension mirrors them in extension/lib/rules.js, and tests/rules_cases.json is the one
table of valid and invalid values that both implementations are tested against.

Sources:
- Region names: the shape of every region in botocore's partition data (``endpoints.json``),
  for example ``eu-west-1``, ``us-gov-west-1``, ``cn-north-1``, ``us-isob-east-1``,
  ``eusc-de-east-1``.
- MFA codes: a TOTP device shows 6 digits (AWS STS AssumeRole, ``TokenCode``: "The value
  provided by the MFA device ... The format ... is a sequence of six numeric digits").
- Console session length: the AWS sign-in federation endpoint's ``SessionDuration``, "a
  minimum of 900 seconds (15 minutes) and a maximum of 43200 seconds (12 hours)" (IAM User
  Guide, "Enable custom identity broker access to the AWS console").
- Role names and session names: IAM ``RoleName`` and STS ``RoleSessionName`` patterns
  (``[\\w+=,.@-]``); account ids are 12 digits (AWS General Reference, "AWS account
  identifiers").
- Discovery cache age: AWS IAM Identity Center Portal API Reference (ListAccounts,
  ListAccountRoles): one request per page and per account, so a refresh of many accounts
  costs many requests; the bounds are roleport's own.
- Login deadline: how long the native host lets one ``login`` run before it answers
  ``timeout`` (PROTOCOL.md, "Deadlines and concurrency"); every time limit on the way to a
  console URL (credential_process, AWS STS) is set below it so that the reply names the part
  that did not answer.
- Environment variables: the AWS CLI's and botocore's (``AWS_PROFILE``, ``AWS_CONFIG_FILE``,
  ...; AWS CLI User Guide, "Environment variables to configure the AWS CLI").
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TypeGuard

# -- environment variables -------------------------------------------------------------------

ENV_PROFILE = "AWS_PROFILE"
ENV_DEFAULT_PROFILE = "AWS_DEFAULT_PROFILE"  # older name, still read by the AWS CLI
ENV_REGION = "AWS_REGION"
ENV_DEFAULT_REGION = "AWS_DEFAULT_REGION"
ENV_CONFIG_FILE = "AWS_CONFIG_FILE"
ENV_CREDENTIALS_FILE = "AWS_SHARED_CREDENTIALS_FILE"
ENV_FEDERATION_URL = "ROLEPORT_FEDERATION_URL"
ENV_ALLOWED_CALLERS = "ROLEPORT_ALLOWED_CALLERS"
ENV_LOG_LEVEL = "ROLEPORT_LOG_LEVEL"
ENV_LOG_FILE = "ROLEPORT_LOG_FILE"
ENV_STATE_DIR = "ROLEPORT_STATE_DIR"
ENV_LOG_STDERR = "ROLEPORT_LOG_STDERR"
# Seconds after which discovered IAM Identity Center roles are fetched again in the background.
ENV_SSO_DISCOVERY_MAX_AGE = "ROLEPORT_SSO_DISCOVERY_MAX_AGE"


def sso_discovery_max_age(environ: Mapping[str, str] | None = None) -> int:
    """ROLEPORT_SSO_DISCOVERY_MAX_AGE when it is a valid maximum age (is_sso_discovery_max_age),
    else the default (1 hour)."""
    value = (os.environ if environ is None else environ).get(ENV_SSO_DISCOVERY_MAX_AGE, "")
    seconds = int(value) if value.strip().isdigit() else None
    return seconds if is_sso_discovery_max_age(seconds) else DEFAULT_SSO_DISCOVERY_MAX_AGE

PROFILE_VARIABLES = (ENV_PROFILE, ENV_DEFAULT_PROFILE)
REGION_VARIABLES = (ENV_REGION, ENV_DEFAULT_REGION)
DEFAULT_PROFILE = "default"


def profile_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The profile the environment names (AWS_PROFILE, else AWS_DEFAULT_PROFILE), or None."""
    environ = os.environ if environ is None else environ
    for name in PROFILE_VARIABLES:
        value = environ.get(name)
        if value:
            return value
    return None


def default_profile_name(environ: Mapping[str, str] | None = None) -> str:
    """The profile the AWS CLI uses when none is given: the environment's, else "default"."""
    return profile_from_environment(environ) or DEFAULT_PROFILE


# -- time limits -----------------------------------------------------------------------------

LOGIN_DEADLINE_SECONDS = 30.0


# -- regions ---------------------------------------------------------------------------------

REGION_PATTERN = r"[a-z]{2,4}(?:-[a-z0-9]+)+-[0-9]{1,2}"
_REGION = re.compile(REGION_PATTERN)


def is_region(value: object) -> bool:
    """Shaped like an AWS region name (eu-west-1, us-gov-west-1, eusc-de-east-1)."""
    # fullmatch: match() with "$" would accept a trailing newline ("eu-west-1\n").
    return isinstance(value, str) and _REGION.fullmatch(value) is not None


def normalize_region(text: str) -> str:
    """What a person typed or pasted (" EU-WEST-1 "), as a region is spelled: every region
    name in botocore's partition data is lower case, so case carries no meaning."""
    return text.strip().lower()


# -- MFA codes -------------------------------------------------------------------------------

_MFA_CODE = re.compile(r"[0-9]{6}")
_SPACES = re.compile(r"\s+")


def is_mfa_code(value: object) -> bool:
    """Exactly six digits, as the protocol carries it."""
    return isinstance(value, str) and _MFA_CODE.fullmatch(value) is not None


def normalize_mfa_code(text: str) -> str:
    """What a person typed or pasted ("123 456", " 123456\\n"), without the spaces."""
    return _SPACES.sub("", text)


# -- console session length ------------------------------------------------------------------

MIN_CONSOLE_DURATION = 900
MAX_CONSOLE_DURATION = 43200
DEFAULT_CONSOLE_DURATION = MAX_CONSOLE_DURATION


def is_console_duration(value: object) -> TypeGuard[int]:
    """Whole seconds within the federation endpoint's SessionDuration range."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and MIN_CONSOLE_DURATION <= value <= MAX_CONSOLE_DURATION)


# -- discovered IAM Identity Center roles ---------------------------------------------------

# How old the cached listing of a session's accounts and roles may be before it is fetched
# again behind the answer. At least a minute: every fetch is one ListAccounts plus one
# ListAccountRoles per account, and the portal throttles by request rate ("Error retries and
# exponential backoff in AWS", https://docs.aws.amazon.com/general/latest/gr/api-retries.html);
# at most a week, so roles removed in IAM Identity Center do not linger for ever.
MIN_SSO_DISCOVERY_MAX_AGE = 60
MAX_SSO_DISCOVERY_MAX_AGE = 604800
DEFAULT_SSO_DISCOVERY_MAX_AGE = 3600


def is_sso_discovery_max_age(value: object) -> TypeGuard[int]:
    """Whole seconds from a minute to a week."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and MIN_SSO_DISCOVERY_MAX_AGE <= value <= MAX_SSO_DISCOVERY_MAX_AGE)


# -- MFA sessions (GetSessionToken) ----------------------------------------------------------

# GetSessionToken's DurationSeconds for an IAM user: 900..129600, AWS's default 43200
# (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html).
MIN_MFA_SESSION_DURATION = 900
MAX_MFA_SESSION_DURATION = 129600
DEFAULT_MFA_SESSION_DURATION = 43200
MFA_SESSION_DURATION_KEY = "roleport_mfa_session_duration"  # on the IAM user's profile


def is_mfa_session_duration(value: object) -> TypeGuard[int]:
    """Whole seconds within GetSessionToken's range for an IAM user."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and MIN_MFA_SESSION_DURATION <= value <= MAX_MFA_SESSION_DURATION)


# -- names -----------------------------------------------------------------------------------

MAX_PROFILE_NAME = 256
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
_SESSION_NAME_UNSAFE = re.compile(r"[^\w+=,.@-]", re.ASCII)


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value) is not None


def profile_name_problem(value: str) -> str | None:
    """Why a profile name cannot be one (a sentence), or None when it can."""
    if not value.strip():
        return "the profile name is empty"
    if len(value) > MAX_PROFILE_NAME:
        return f"the profile name is longer than {MAX_PROFILE_NAME} characters"
    if has_control_characters(value):
        return "the profile name contains control characters"
    return None


def is_account_id(value: object) -> bool:
    return isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) is not None


def is_role_name(value: object) -> bool:
    return isinstance(value, str) and _ROLE_NAME.fullmatch(value) is not None


def account_id_problem(value: object) -> str | None:
    """Why ``value`` is not an AWS account id (a sentence), or None when it is: exactly 12
    ASCII digits (AWS General Reference, "AWS account identifiers")."""
    return None if is_account_id(value) else "an AWS account id is exactly 12 digits"


def role_name_problem(value: object) -> str | None:
    """Why ``value`` is not an IAM role name (a sentence), or None when it is: 1-64 letters,
    digits or +=,.@_- (IAM API Reference, CreateRole, RoleName)."""
    return None if is_role_name(value) else "a role name is 1-64 letters, digits or +=,.@_-"


def session_name(text: str, limit: int) -> str:
    """``text`` made safe for RoleSessionName (limit 64) or GetFederationToken's Name (32)."""
    return _SESSION_NAME_UNSAFE.sub("-", text)[:limit]
