"""The mapping of botocore/STS failures onto stable roleport codes (pure logic, no network)."""

from __future__ import annotations

import pytest
from botocore import exceptions as bx
from roleport.credentials.mfa import MfaCodeNeeded
from roleport.error_map import AWS_ERROR_CODES, map_error
from roleport.errors import RoleportError


@pytest.fixture(autouse=True)
def _sealed(aws_home):
    """Even pure tests run with a temporary HOME: botocore's loader looks in ~/.aws/models."""
    return aws_home


def client_error(code: str, message: str, status: int = 403) -> bx.ClientError:
    return bx.ClientError({"Error": {"Code": code, "Message": message},
                           "ResponseMetadata": {"HTTPStatusCode": status}}, "AssumeRole")


@pytest.mark.parametrize("exc, code", [
    (MfaCodeNeeded("Enter MFA code for arn:aws:iam::1:mfa/me: "), "mfa_required"),
    (bx.RefreshWithMFAUnsupportedError(), "mfa_required"),
    (client_error("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time "
                  "pass code."), "mfa_invalid"),
    (client_error("AccessDenied", "User: x is not authorized to perform: sts:AssumeRole"),
     "access_denied"),
    (client_error("InvalidClientTokenId", "The security token included in the request is "
                  "invalid."), "access_denied"),
    (client_error("ExpiredToken", "The security token included in the request is expired",
                  400), "credentials_expired"),
    (client_error("Throttling", "Rate exceeded", 400), "throttled"),
    (client_error("ThrottlingException", "Rate exceeded", 400), "throttled"),
    (client_error("TooManyRequests", "Too Many Requests", 429), "throttled"),
    (client_error("InternalFailure", "unknown error", 500), "aws_unavailable"),
    (client_error("ValidationError", "DurationSeconds exceeds the 1 hour limit", 400),
     "config_error"),
    (client_error("UnauthorizedException", "Session token not found", 401),
     "sso_login_required"),
    (bx.UnauthorizedSSOTokenError(), "sso_login_required"),
    (bx.SSOTokenLoadError(error_msg="Token for x does not exist"), "sso_login_required"),
    (bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "network_error"),
    (bx.ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"), "timeout"),
    (bx.ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), "timeout"),
    (bx.ProfileNotFound(profile="ghost"), "profile_not_found"),
    (bx.InvalidConfigError(error_msg='The source_profile "x" does not exist.'),
     "config_error"),
    (bx.InfiniteLoopConfigError(source_profile="a", visited_profiles=["a", "b"]),
     "config_error"),
    (bx.PartialCredentialsError(provider="config-file", cred_var="aws_secret_access_key"),
     "no_credentials"),
    (bx.CredentialRetrievalError(provider="custom-process", error_msg="boom SECRET"),
     "no_credentials"),
    (bx.NoCredentialsError(), "no_credentials"),
    (ValueError("something odd"), "internal_error"),
])
def test_errors_map_to_stable_codes(exc, code):
    error = map_error(exc, "prof", "arn:aws:iam::1:mfa/me")
    assert isinstance(error, RoleportError)
    assert error.code == code
    assert "{" not in error.message  # every template field was filled


def test_sso_error_hint_is_the_exact_login_command():
    error = map_error(bx.UnauthorizedSSOTokenError(), "sso-dev")
    assert "`aws sso login --profile sso-dev`" in error.hint


def test_mfa_required_carries_the_serial_of_the_prompt():
    error = map_error(MfaCodeNeeded("Enter MFA code for arn:aws:iam::2:mfa/bob: "), "p",
                      "arn:aws:iam::1:mfa/fallback")
    assert error.to_dict()["mfa_serial"] == "arn:aws:iam::2:mfa/bob"


def test_key_shaped_text_in_aws_messages_is_scrubbed():
    error = map_error(client_error("AccessDenied", "denied for AKIAABCDEFGHIJKLMNOP and "
                                   "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYxx"), "p")
    assert "AKIAABCDEFGHIJKLMNOP" not in error.message
    assert "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYxx" not in error.message


def test_process_output_never_reaches_the_message():
    error = map_error(bx.CredentialRetrievalError(provider="custom-process",
                                                  error_msg="token=SUPERSECRET"), "p")
    assert "SUPERSECRET" not in error.message + error.hint


def test_timeout_message_names_the_configured_seconds():
    error = map_error(bx.ReadTimeoutError(endpoint_url="x"), "p", timeouts=(2.0, 0.5))
    assert "0.5 seconds" in error.message


def test_parameter_validation_names_settings_but_never_their_values():
    report = ("Invalid length for parameter ExternalId, value: 1300, valid max length: 1224\n"
              "Invalid type for parameter RoleSessionName, value: not-shown-value, type: str")
    error = map_error(bx.ParamValidationError(report=report), "odd")
    assert error.code == "config_error"
    assert "external_id (ExternalId)" in error.message
    assert "role_session_name (RoleSessionName)" in error.message
    assert "not-shown-value" not in error.message + error.hint
    assert "1300" not in error.message


def test_aws_messages_go_through_the_log_redactor():
    secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYxx"
    token = "IQoJb3JpZ2luX2VjEJr" + "AbCd0123" * 8
    error = map_error(client_error("AccessDenied", f"denied for ASIAQWERTYUIOPASDFGH, "
                                   f"secret {secret}, SessionToken={token}"), "p")
    assert error.code == "access_denied"
    for value in ("ASIAQWERTYUIOPASDFGH", secret, token, token[:20]):
        assert value not in error.message
    assert "[REDACTED]" in error.message  # the marker of roleport.logs.redact
    assert "denied for" in error.message  # the rest of AWS's words stay


def test_aws_messages_are_capped_after_redaction():
    # A key straddling the cap: cutting first would leave its first characters behind.
    message = "x" * 290 + " AKIAABCDEFGHIJKLMNOP and more"
    error = map_error(client_error("AccessDenied", message), "p")
    assert len(error.fields["detail"]) == 300
    assert "AKIA" not in error.message
    long = map_error(client_error("ValidationError", "v" * 1000, 400), "p")
    assert long.fields["detail"].count("v") == 300


@pytest.mark.parametrize("code", sorted(AWS_ERROR_CODES))
def test_every_aws_error_code_of_the_table_fills_its_template(code):
    error = map_error(client_error(code, "a message"), "prof", "arn:aws:iam::1:mfa/me")
    assert error.code != "internal_error"
    assert "{" not in error.message + error.hint


@pytest.mark.parametrize("status, code", [(403, "access_denied"), (400, "internal_error")])
def test_an_unknown_aws_error_code_is_judged_by_its_status(status, code):
    error = map_error(client_error("SomethingNew", "text", status), "p")
    assert error.code == code
    assert "AWS answered SomethingNew" in error.message


def test_a_modeled_exception_maps_like_its_client_error_base():
    modeled = type("ExpiredTokenException", (bx.ClientError,), {})
    exc = modeled({"Error": {"Code": "ExpiredTokenException", "Message": "expired"},
                   "ResponseMetadata": {"HTTPStatusCode": 400}}, "AssumeRole")
    assert map_error(exc, "p").code == "credentials_expired"


def test_a_roleport_error_passes_through_unchanged():
    original = RoleportError("timeout", service="x", seconds="1")
    assert map_error(original, "p") is original


def test_throttling_says_throttled_not_network_and_names_the_service():
    error = map_error(client_error("Throttling", "Rate exceeded", 400), "prof")
    assert error.code == "throttled"
    assert "AWS STS" in error.message and "throttl" in error.message.lower()
    assert "network" not in error.hint.lower() and "vpn" not in error.hint.lower()
    assert "wait" in error.hint.lower()


def test_a_server_fault_of_identity_center_names_it():
    exc = bx.ClientError({"Error": {"Code": "InternalServerException", "Message": "x"},
                          "ResponseMetadata": {"HTTPStatusCode": 503}}, "GetRoleCredentials")
    error = map_error(exc, "prof")
    assert error.code == "aws_unavailable"
    assert "AWS IAM Identity Center answered HTTP 503" in error.message
    assert "expired" not in error.hint and "network" not in error.hint.lower()


def test_each_failure_has_its_own_hint():
    hints = {code: RoleportError(code, profile="p", service="AWS STS", status=500,
                                 command="aws sso login --profile p", detail="d",
                                 config_file="~/.aws/config").hint
             for code in ("throttled", "aws_unavailable", "access_denied",
                          "sso_login_required", "profile_not_found", "network_error",
                          "federation_failed")}
    assert len(set(hints.values())) == len(hints)


def test_every_host_error_code_is_documented_in_protocol_md():
    from pathlib import Path

    from roleport.errors import ERRORS

    protocol = (Path(__file__).parent.parent / "PROTOCOL.md").read_text(encoding="utf-8")
    section = protocol.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    undocumented = [code for code in ERRORS if f"`{code}`" not in section]
    assert undocumented == []
