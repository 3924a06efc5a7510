"""One stable RoleportError for any botocore or STS failure; no message carries a secret.

Two tables decide the answer:
- AWS_ERROR_CODES: the Error.Code of an STS or SSO error response ("Common Errors",
  https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html, and each action's
  Errors section, e.g. API_AssumeRole.html) -> the roleport error it becomes; a throttling
  code or HTTP 429 is `throttled` naming the service; an unknown code
  is aws_unavailable on an HTTP 5xx (a server fault: InternalFailure, ServiceUnavailable,
  ...; botocore has already retried it once), access_denied on HTTP 403, else
  internal_error;
- the exception table (_exception_builders): a class of botocore.exceptions ("Error
  handling", https://boto3.amazonaws.com/v1/documentation/api/latest/guide/error-handling.html)
  -> the builder of its roleport error. The first class of an exception's MRO that the table
  names wins, so a subclass listed on its own row beats its base.

AWS error messages name ARNs and settings, not secrets; they are still passed through
roleport.logs.redact (the one scrubber) and cut to MAX_AWS_MESSAGE characters. The output of
a credential_process and the values in a parameter-validation report are never repeated.
"""

from __future__ import annotations

import functools
import logging
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from roleport.clients import STS_CONNECT_TIMEOUT, STS_READ_TIMEOUT
from roleport.credentials.mfa import MfaCodeNeeded, serial_from_prompt
from roleport.errors import RoleportError
from roleport.logs import redact

logger = logging.getLogger(__name__)

MAX_AWS_MESSAGE = 300


@dataclass(frozen=True)
class _Failure:
    """What the builders may name: the profile, its MFA device, timeouts, the SSO command."""

    profile: str
    mfa_serial: str | None
    timeouts: tuple[float, float]
    sso_command: str


def safe_aws_message(message: str) -> str:
    """An AWS error message fit to show: credential-shaped text redacted, length capped."""
    return redact(message)[:MAX_AWS_MESSAGE]


# -- AWS error codes ------------------------------------------------------------------------

CodeBuilder = Callable[[_Failure, str, str], RoleportError]  # (failure, code, safe message)


def _denied_or_refused_mfa(failure: _Failure, code: str, message: str) -> RoleportError:
    if "MultiFactorAuthentication" in message:
        return RoleportError("mfa_invalid", profile=failure.profile,
                             mfa_serial=failure.mfa_serial)
    return _denied(failure, code, message)


def _denied(failure: _Failure, code: str, message: str) -> RoleportError:
    return RoleportError("access_denied", profile=failure.profile, detail=message or code)


def _expired(failure: _Failure, code: str, message: str) -> RoleportError:
    return RoleportError("credentials_expired", profile=failure.profile)


def _sso_token_refused(failure: _Failure, code: str, message: str) -> RoleportError:
    return RoleportError("sso_login_required", profile=failure.profile,
                         command=failure.sso_command)


def _setting_refused(failure: _Failure, code: str, message: str) -> RoleportError:
    # AWS rejects a setting of the profile (duration_seconds, external_id, session name...);
    # its message names the setting, never a credential.
    return RoleportError("config_error",
                         detail=f"profile '{failure.profile}': AWS refused it: {message}")


def _throttled(failure: _Failure, code: str, message: str,
               operation: str = "") -> RoleportError:
    return RoleportError("throttled", profile=failure.profile,
                         service=_SERVICE_OF_OPERATION.get(operation, "AWS STS"))


_AWS_ERROR_ROWS: tuple[tuple[tuple[str, ...], CodeBuilder], ...] = (
    (("AccessDenied", "AccessDeniedException"), _denied_or_refused_mfa),
    (("InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException",
      "InvalidIdentityToken", "RegionDisabledException"), _denied),
    (("ExpiredToken", "ExpiredTokenException", "RequestExpired"), _expired),
    (("UnauthorizedException",), _sso_token_refused),
    (("ValidationError", "ValidationException", "MalformedPolicyDocument"), _setting_refused),
    (("Throttling", "ThrottlingException", "TooManyRequestsException"), _throttled),
)
AWS_ERROR_CODES: dict[str, CodeBuilder] = {
    code: builder for codes, builder in _AWS_ERROR_ROWS for code in codes}


def builder_is_throttling(code: str) -> bool:
    """Whether the AWS error code is a throttling one (answered as `throttled`, naming the
    service that throttled)."""
    return AWS_ERROR_CODES.get(code) is _throttled


# The service that answered, by operation (ClientError.operation_name).
_SERVICE_OF_OPERATION = {
    "AssumeRole": "AWS STS", "AssumeRoleWithWebIdentity": "AWS STS",
    "AssumeRoleWithSAML": "AWS STS", "GetFederationToken": "AWS STS",
    "GetSessionToken": "AWS STS", "GetCallerIdentity": "AWS STS",
    "GetRoleCredentials": "AWS IAM Identity Center", "CreateToken": "AWS IAM Identity Center",
}


def _client_error(failure: _Failure, exc: Any) -> RoleportError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    operation = str(getattr(exc, "operation_name", "") or "")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if builder_is_throttling(code) or status == 429:
        return _throttled(failure, code, "", operation)
    builder = AWS_ERROR_CODES.get(code)
    if builder is not None:
        return builder(failure, code, safe_aws_message(str(error.get("Message", ""))))
    if isinstance(status, int) and 500 <= status <= 599:
        service = _SERVICE_OF_OPERATION.get(operation, "AWS")
        return RoleportError("aws_unavailable", profile=failure.profile, service=service,
                             status=status)
    return RoleportError("access_denied" if status == 403 else "internal_error",
                         profile=failure.profile, detail=f"AWS answered {code or status}")


# -- exception classes ----------------------------------------------------------------------

ExceptionBuilder = Callable[[_Failure, Any], RoleportError]

# AssumeRole parameters and the profile settings botocore takes them from.
_PROFILE_SETTING = {"DurationSeconds": "duration_seconds", "RoleSessionName": "role_session_name",
                    "ExternalId": "external_id", "SerialNumber": "mfa_serial",
                    "RoleArn": "role_arn", "TokenCode": "the MFA code"}


def _mfa_needed(failure: _Failure, exc: MfaCodeNeeded) -> RoleportError:
    return RoleportError("mfa_required", profile=failure.profile,
                         mfa_serial=serial_from_prompt(exc.prompt, failure.mfa_serial))


def _mfa_refresh(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("mfa_required", profile=failure.profile, mfa_serial=failure.mfa_serial)


def _sso_login(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("sso_login_required", profile=failure.profile,
                         command=failure.sso_command)


def _connect_timeout(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("timeout", service="AWS STS", seconds=f"{failure.timeouts[0]:g}")


def _read_timeout(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("timeout", service="AWS STS", seconds=f"{failure.timeouts[1]:g}")


def _connection_failed(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("network_error", service="AWS STS", detail="the connection failed")


def _profile_not_found(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("profile_not_found", profile=exc.kwargs.get("profile", failure.profile))


def _config_unparsable(failure: _Failure, exc: Any) -> RoleportError:
    from roleport.profiles import config_error_from_parse_error

    return config_error_from_parse_error(exc)


def _source_loop(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("config_error", detail=f"profile '{failure.profile}': the "
                         "source_profile chain loops back on itself")


def _chain_too_deep(failure: _Failure, exc: Any) -> RoleportError:
    # botocore follows source_profile by recursion; roleport refuses long chains before
    # (credentials.profile.MAX_ROLE_CHAIN), this is the net under that check.
    return RoleportError("config_error", detail=f"profile '{failure.profile}': its "
                         "source_profile chain is too long to follow")


def _config_invalid(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("config_error", detail=f"profile '{failure.profile}': {exc}")


def _partial_credentials(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("no_credentials", profile=failure.profile,
                         detail=f"{exc.kwargs.get('cred_var', 'a value')} is missing")


def _retrieval_failed(failure: _Failure, exc: Any) -> RoleportError:
    provider = exc.kwargs.get("provider", "")
    if provider == "custom-process":
        # The process's own error output may contain anything: do not repeat it.
        return RoleportError("no_credentials", profile=failure.profile,
                             detail="its credential_process failed or printed invalid "
                                    "output; run the command in a terminal to see why")
    return RoleportError("no_credentials", profile=failure.profile,
                         detail=f"the {provider or 'credential'} source gave nothing")


def _no_credentials(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("no_credentials", profile=failure.profile, detail="none were found")


def _parameter_refused(failure: _Failure, exc: Any) -> RoleportError:
    # botocore checked a profile setting before calling STS. Its report quotes values
    # (an external_id, say): name only the settings.
    report = str(exc.kwargs.get("report", ""))
    parameters = sorted(set(re.findall(r"parameter (\w+)", report)))
    settings = ", ".join(f"{_PROFILE_SETTING.get(name, name)} ({name})"
                         for name in parameters) or "a setting"
    return RoleportError("config_error", detail=f"profile '{failure.profile}': botocore "
                         f"refused {settings}; check the allowed length and range in the "
                         "AWS CLI docs")


def _no_region(failure: _Failure, exc: Any) -> RoleportError:
    return RoleportError("config_error", detail=f"profile '{failure.profile}' has no region")


@functools.cache
def _exception_builders() -> dict[type, ExceptionBuilder]:
    """Exception class -> builder (built on first use: botocore is imported lazily)."""
    from botocore import exceptions as bx

    rows: tuple[tuple[tuple[type, ...], ExceptionBuilder], ...] = (
        ((MfaCodeNeeded,), _mfa_needed),
        ((bx.RefreshWithMFAUnsupportedError,), _mfa_refresh),
        ((bx.ClientError,), _client_error),
        ((bx.UnauthorizedSSOTokenError, bx.SSOTokenLoadError, bx.TokenRetrievalError,
          bx.SSOError), _sso_login),
        ((bx.ConnectTimeoutError,), _connect_timeout),
        ((bx.ReadTimeoutError,), _read_timeout),
        ((bx.EndpointConnectionError, bx.ConnectionClosedError, bx.ConnectionError,
          bx.HTTPClientError), _connection_failed),
        ((bx.ProfileNotFound,), _profile_not_found),
        ((bx.ConfigParseError,), _config_unparsable),
        ((bx.InfiniteLoopConfigError,), _source_loop),
        ((bx.InvalidConfigError,), _config_invalid),
        ((bx.PartialCredentialsError,), _partial_credentials),
        ((bx.CredentialRetrievalError,), _retrieval_failed),
        ((bx.NoCredentialsError,), _no_credentials),
        ((bx.ParamValidationError,), _parameter_refused),
        ((bx.NoRegionError,), _no_region),
        ((RecursionError,), _chain_too_deep),
    )
    return {cls: builder for classes, builder in rows for cls in classes}


def map_error(exc: BaseException, profile: str, mfa_serial: str | None = None, *,
              timeouts: tuple[float, float] = (STS_CONNECT_TIMEOUT, STS_READ_TIMEOUT),
              sso_command: str | None = None) -> RoleportError:
    """The RoleportError for `exc`, raised while resolving `profile`'s credentials.

    `mfa_serial` is the profile's MFA device, `timeouts` the (connect, read) seconds of the
    clients, `sso_command` the `aws sso login` command for the profile's chain
    (credentials.profile.sso_login_command); without it the profile itself is named.
    """
    if isinstance(exc, RoleportError):
        return exc
    failure = _Failure(profile, mfa_serial, timeouts,
                       sso_command or f"aws sso login --profile {shlex.quote(profile)}")
    builders = _exception_builders()
    for cls in type(exc).__mro__:
        builder = builders.get(cls)
        if builder is not None:
            return builder(failure, exc)
    logger.debug("unexpected credential error %s", type(exc).__name__)
    return RoleportError("internal_error", detail=f"{type(exc).__name__} while resolving "
                         f"credentials for profile '{profile}'")
