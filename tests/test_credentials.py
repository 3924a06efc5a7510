"""Credential helpers: the no-prompt MFA prompter, the target-tracking cache, name rules and
the mapping of botocore/STS failures onto stable codes (pure logic, no network)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore import exceptions as bx
from roleport.credentials import (
    MfaCodeNeeded,
    NoPromptMfa,
    ResolvedCredentials,
    TargetTrackingCache,
    federation_user_name,
    map_error,
    new_file_cache,
    role_session_name,
    sso_login_command,
    validate_mfa_code,
)
from roleport.errors import RoleportError
from roleport.federation import TemporaryCredentials

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _sealed(aws_home):
    """Even pure tests run with a temporary HOME: botocore's loader looks in ~/.aws/models."""
    return aws_home


def entry(expires_in: timedelta, arn: str = "arn:aws:sts::1:assumed-role/R/s") -> dict:
    return {"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t",
                            "Expiration": (NOW + expires_in).isoformat()},
            "AssumedRoleUser": {"Arn": arn}}


def test_prompter_without_code_raises_with_the_prompt():
    prompter = NoPromptMfa(None)
    with pytest.raises(MfaCodeNeeded) as caught:
        prompter("Enter MFA code for arn:aws:iam::1:mfa/me: ")
    assert "arn:aws:iam::1:mfa/me" in caught.value.prompt


def test_prompter_returns_the_code_once():
    prompter = NoPromptMfa("123456")
    assert prompter("Enter MFA code for x: ") == "123456"
    assert prompter.used
    with pytest.raises(MfaCodeNeeded):  # a second MFA in one chain needs a second code
        prompter("Enter MFA code for y: ")


@pytest.mark.parametrize("code, expected", [(None, None), ("123456", "123456"),
                                            (" 654321 ", "654321")])
def test_valid_mfa_codes(code, expected):
    assert validate_mfa_code(code) == expected


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "١٢٣٤٥٦"])
def test_invalid_mfa_codes(code):
    with pytest.raises(RoleportError) as caught:
        validate_mfa_code(code)
    assert caught.value.code == "invalid_request"


def test_tracking_cache_remembers_the_first_key_as_target():
    backing = {"target": entry(timedelta(hours=1)), "source": entry(timedelta(hours=1))}
    cache = TargetTrackingCache(backing, now=lambda: NOW)
    assert "target" in cache
    assert "source" in cache
    assert cache.target_key == "target"
    cache["source"]  # noqa: B018 - reading the source does not touch the target entry
    assert cache.target_entry is None
    assert cache["target"]["AssumedRoleUser"]["Arn"].endswith("/R/s")
    assert cache.target_entry is backing["target"]


def test_tracking_cache_hides_a_short_target_entry_only():
    backing = {"target": entry(timedelta(minutes=20)), "source": entry(timedelta(minutes=20))}
    cache = TargetTrackingCache(backing, timedelta(minutes=50), now=lambda: NOW)
    assert "target" not in cache  # makes botocore assume the role again
    assert "source" in cache  # the source keeps botocore's own window
    cache["target"] = entry(timedelta(hours=1))
    assert cache.target_refreshed
    assert "target" in cache


def test_tracking_cache_tells_a_hidden_valid_entry_from_an_expired_one():
    short = TargetTrackingCache({"target": entry(timedelta(minutes=20))}, timedelta(minutes=50),
                                now=lambda: NOW)
    assert "target" not in short and short.hid_valid_target
    gone = TargetTrackingCache({"target": entry(timedelta(minutes=-5))}, timedelta(minutes=50),
                               now=lambda: NOW)
    assert "target" not in gone and not gone.hid_valid_target


def test_tracking_cache_keeps_a_long_enough_target_entry():
    backing = {"target": entry(timedelta(minutes=55))}
    cache = TargetTrackingCache(backing, timedelta(minutes=50), now=lambda: NOW)
    assert "target" in cache


def test_tracking_cache_treats_unreadable_expiry_as_too_short():
    backing = {"target": {"Credentials": {"Expiration": "soon"}}}
    cache = TargetTrackingCache(backing, timedelta(minutes=50), now=lambda: NOW)
    assert "target" not in cache


def test_file_cache_lives_where_the_aws_cli_keeps_it(aws_home):
    cache = new_file_cache()
    cache["key"] = {"Credentials": {"Expiration": NOW.isoformat()}}
    path = aws_home.home / ".aws" / "cli" / "cache" / "key.json"
    assert path.is_file()
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert oct(path.parent.stat().st_mode & 0o777) == oct(0o700)


@pytest.mark.parametrize("profile, expected", [
    ("dev", "roleport-dev"), ("team/prod admin", "roleport-team-prod-admin"),
    ("a" * 50, "roleport-" + "a" * 23), ("dév", "roleport-d-v"),
])
def test_federation_user_name_fits_sts_rules(profile, expected):
    name = federation_user_name(profile)
    assert name == expected and 2 <= len(name) <= 32


def test_role_session_name_fits_sts_rules():
    assert role_session_name("dev") == "roleport-dev"
    assert role_session_name(None) == "roleport-user"
    assert len(role_session_name("x" * 200)) == 64


def test_resolved_credentials_repr_hides_secrets():
    resolved = ResolvedCredentials(TemporaryCredentials("ASIAKEY", "sekret", "tok"), "role",
                                   False, "1", "R", "s", "arn:aws:sts::1:assumed-role/R/s")
    assert "sekret" not in repr(resolved) and "tok'" not in repr(resolved)


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
    (client_error("Throttling", "Rate exceeded", 400), "network_error"),
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
    error = map_error(exc, "prof", "arn:aws:iam::1:mfa/me", None)
    assert isinstance(error, RoleportError)
    assert error.code == code
    assert "{" not in error.message  # every template field was filled


def test_sso_error_hint_is_the_exact_login_command():
    error = map_error(bx.UnauthorizedSSOTokenError(), "sso-dev", None, None)
    assert "`aws sso login --profile sso-dev`" in error.hint


def test_mfa_required_carries_the_serial_of_the_prompt():
    error = map_error(MfaCodeNeeded("Enter MFA code for arn:aws:iam::2:mfa/bob: "), "p",
                      "arn:aws:iam::1:mfa/fallback", None)
    assert error.to_dict()["mfa_serial"] == "arn:aws:iam::2:mfa/bob"


def test_key_shaped_text_in_aws_messages_is_scrubbed():
    error = map_error(client_error("AccessDenied", "denied for AKIAABCDEFGHIJKLMNOP and "
                                   "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYxx"), "p", None, None)
    assert "AKIAABCDEFGHIJKLMNOP" not in error.message
    assert "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYxx" not in error.message


def test_process_output_never_reaches_the_message():
    error = map_error(bx.CredentialRetrievalError(provider="custom-process",
                                                  error_msg="token=SUPERSECRET"), "p", None, None)
    assert "SUPERSECRET" not in error.message + error.hint


def test_timeout_message_names_the_configured_seconds():
    error = map_error(bx.ReadTimeoutError(endpoint_url="x"), "p", None, None, (2.0, 0.5))
    assert "0.5 seconds" in error.message


def test_sso_login_command_names_the_sso_profile_at_the_bottom_of_the_chain():
    raw = {
        "sso": {"sso_session": "corp", "sso_account_id": "1", "sso_role_name": "R"},
        "legacy": {"sso_start_url": "https://x.awsapps.com/start"},
        "role": {"role_arn": "arn:aws:iam::123456789012:role/A", "source_profile": "sso"},
        "deeper": {"role_arn": "arn:aws:iam::123456789012:role/B", "source_profile": "role"},
        "from-legacy": {"role_arn": "arn:aws:iam::1:role/C", "source_profile": "legacy"},
        "my prof": {"sso_session": "corp"},
    }
    assert sso_login_command("sso", raw) == "aws sso login --profile sso"
    assert sso_login_command("deeper", raw) == "aws sso login --profile sso"
    assert sso_login_command("from-legacy", raw) == "aws sso login --profile legacy"
    assert sso_login_command("my prof", raw) == "aws sso login --profile 'my prof'"
    assert sso_login_command("unknown", raw) == "aws sso login --profile unknown"


def test_parameter_validation_names_settings_but_never_their_values():
    report = ("Invalid length for parameter ExternalId, value: 1300, valid max length: 1224\n"
              "Invalid type for parameter RoleSessionName, value: not-shown-value, type: str")
    error = map_error(bx.ParamValidationError(report=report), "odd", None, None)
    assert error.code == "config_error"
    assert "external_id (ExternalId)" in error.message
    assert "role_session_name (RoleSessionName)" in error.message
    assert "not-shown-value" not in error.message + error.hint
    assert "1300" not in error.message
