"""Credential helpers: the no-prompt MFA prompter, the target-tracking cache, name rules and
the sso login command (pure logic, no network)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from roleport.credentials.caches import TargetTrackingCache, new_file_cache
from roleport.credentials.long_term_keys import LongTermKeys, federation_user_name
from roleport.credentials.mfa import MfaCodeNeeded, NoPromptMfa, validate_mfa_code
from roleport.credentials.profile import sso_login_command
from roleport.credentials.resolved import ResolvedCredentials
from roleport.credentials.role_from_source import role_session_name
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


def test_long_term_keys_repr_hides_the_secret_key():
    keys = LongTermKeys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert "wJalrXUtnFEMI" not in repr(keys) and "AKIAIOSFODNN7EXAMPLE" in repr(keys)


def test_resolved_credentials_repr_hides_secrets():
    resolved = ResolvedCredentials(TemporaryCredentials("ASIAKEY", "sekret", "tok"), "role",
                                   False, "1", "R", "s", "arn:aws:sts::1:assumed-role/R/s")
    assert "sekret" not in repr(resolved) and "tok'" not in repr(resolved)


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
