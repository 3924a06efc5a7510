"""Profiles through botocore's config loader: kinds, roleport keys, caching, broken files."""

from __future__ import annotations

import os

import pytest
from roleport.config_files import ConfigFiles
from roleport.errors import RoleportError
from roleport.profiles import (
    list_profiles,
    load_snapshot,
    parse_console_duration,
)
from roleport.rules import default_profile_name


@pytest.fixture(autouse=True)
def _sealed(aws_home):
    """Even pure tests run with a temporary HOME: botocore's loader looks in ~/.aws/models."""
    return aws_home


CONFIG = """
[default]
region = eu-west-1

[profile base]
region = us-east-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-central-1
roleport_container = Production
roleport_color = red
roleport_icon = briefcase
roleport_destination = ec2
roleport_console_duration = 3600
roleport_account_name = prod

[profile deep]
role_arn = arn:aws:iam::210987654321:role/team/Deep
source_profile = admin
granted_color = blue
granted_icon = fingerprint

[profile sso-dev]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = Developer
region = us-west-2

[profile from-sso]
role_arn = arn:aws:iam::444444444444:role/Cross
source_profile = sso-dev

[profile legacy-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 555555555555
sso_role_name = ReadOnly

[profile proc]
credential_process = /bin/false

[profile on-ec2]
role_arn = arn:aws:iam::666666666666:role/FromInstance
credential_source = Ec2InstanceMetadata

[profile gov]
role_arn = arn:aws-us-gov:iam::777777777777:role/Gov
source_profile = base
region = us-gov-west-1

[profile web]
role_arn = arn:aws:iam::888888888888:role/Web
web_identity_token_file = /tmp/token

[profile bad-duration]
role_arn = arn:aws:iam::123456789012:role/X
source_profile = base
roleport_console_duration = forever

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""

CREDENTIALS = """
[base]
aws_access_key_id = AKIAEXAMPLEBASE00001
aws_secret_access_key = base-secret-not-real

[creds-only]
aws_access_key_id = AKIAEXAMPLECREDS0001
aws_secret_access_key = creds-secret-not-real
"""


@pytest.fixture
def config(aws_home):
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    return aws_home


def by_name(config) -> dict:
    return {profile.name: profile for profile in list_profiles()}


def test_every_profile_of_both_files_is_listed_in_file_order(config):
    names = [profile.name for profile in list_profiles()]
    assert names[:3] == ["default", "base", "admin"]
    assert "creds-only" in names  # only in the credentials file
    assert "corp" not in names  # an sso-session section is not a profile


def test_kinds_follow_botocore_provider_precedence(config):
    profiles = by_name(config)
    assert profiles["admin"].kind == "assume-role"
    assert profiles["sso-dev"].kind == "sso"
    assert profiles["legacy-sso"].kind == "sso"
    assert profiles["base"].kind == "static"
    assert profiles["creds-only"].kind == "static"
    assert profiles["proc"].kind == "credential_process"
    assert profiles["default"].kind == "other"
    # role_arn + web_identity_token_file: botocore's AssumeRoleWithWebIdentityProvider answers
    assert profiles["web"].kind == "web-identity"
    assert (profiles["web"].account_id, profiles["web"].role_name) == ("888888888888", "Web")


def test_role_profile_fields_and_roleport_keys(config):
    admin = by_name(config)["admin"]
    assert admin.account_id == "123456789012"
    assert admin.role_name == "Admin"
    assert admin.role_arn == "arn:aws:iam::123456789012:role/Admin"
    assert admin.region == "eu-central-1"
    assert admin.mfa is True
    assert admin.mfa_serial == "arn:aws:iam::111111111111:mfa/alice"
    assert admin.chained is False
    assert admin.source_profile == "base"
    assert (admin.container, admin.color, admin.icon) == ("Production", "red", "briefcase")
    assert admin.destination == "ec2"
    assert admin.console_duration == 3600
    assert admin.account_name == "prod"


def test_granted_keys_are_fallbacks_and_role_path_is_stripped(config):
    deep = by_name(config)["deep"]
    assert (deep.color, deep.icon) == ("blue", "fingerprint")
    assert deep.role_name == "Deep"
    assert deep.account_id == "210987654321"


def test_chained_roles_are_roles_whose_source_is_a_role(config):
    profiles = by_name(config)
    assert profiles["deep"].chained is True  # source admin is a role
    assert profiles["from-sso"].chained is True  # SSO credentials are role credentials
    assert profiles["on-ec2"].chained is True  # the instance profile is a role
    assert profiles["admin"].chained is False
    assert profiles["gov"].chained is False


def test_a_role_assumed_from_web_identity_credentials_is_chained(aws_home):
    # AssumeRoleWithWebIdentity gives role credentials: assuming another role from them is
    # role chaining, and the sign-in endpoint refuses SessionDuration for it.
    aws_home.write_config("""
[profile web]
role_arn = arn:aws:iam::888888888888:role/Web
web_identity_token_file = /tmp/token

[profile from-web]
role_arn = arn:aws:iam::999999999999:role/Next
source_profile = web
""")
    profiles = {profile.name: profile for profile in list_profiles()}
    assert profiles["from-web"].chained is True
    assert profiles["web"].chained is False


def test_mfa_is_inherited_along_the_source_chain(config):
    deep = by_name(config)["deep"]
    assert deep.mfa is True
    assert deep.mfa_serial == "arn:aws:iam::111111111111:mfa/alice"
    assert by_name(config)["gov"].mfa is False


def test_mfa_serial_of_a_static_key_source_is_not_inherited(aws_home):
    # botocore sends mfa_serial only with AssumeRole; on the static-key source profile it is
    # never used, so the role must not be reported as needing a code.
    aws_home.write_config("""
[profile keys]
mfa_serial = arn:aws:iam::111111111111:mfa/ignored

[profile role]
role_arn = arn:aws:iam::123456789012:role/NoMfa
source_profile = keys
""")
    aws_home.write_credentials("""
[keys]
aws_access_key_id = AKIAEXAMPLEKEYS00001
aws_secret_access_key = keys-secret-not-real
""")
    profiles = {profile.name: profile for profile in list_profiles()}
    assert (profiles["role"].mfa, profiles["role"].mfa_serial) == (False, None)
    assert profiles["keys"].mfa is False


def test_sso_profiles_take_account_and_role_from_sso_keys(config):
    sso = by_name(config)["sso-dev"]
    assert (sso.account_id, sso.role_name, sso.role_arn) == ("333333333333", "Developer", None)


def test_static_profiles_have_no_account_until_a_call(config):
    base = by_name(config)["base"]
    assert base.account_id is None and base.role_name is None


def test_invalid_console_duration_is_not_reported_as_a_value(config):
    assert by_name(config)["bad-duration"].console_duration is None


@pytest.mark.parametrize("raw, expected", [
    ("900", 900), (" 43200 ", 43200), ("899", None), ("43201", None), ("1h", None),
    ("", None), (None, None), ("-900", None),
])
def test_parse_console_duration(raw, expected):
    assert parse_console_duration(raw) == expected


def test_profiles_serialise_to_plain_dicts(config):
    data = by_name(config)["admin"].to_dict()
    assert data["name"] == "admin" and data["kind"] == "assume-role"
    assert set(data) >= {"account_id", "container", "color", "icon", "console_duration"}


def test_aws_profile_names_the_default(monkeypatch):
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_PROFILE", raising=False)
    assert default_profile_name() == "default"
    monkeypatch.setenv("AWS_PROFILE", "admin")
    assert default_profile_name() == "admin"


def test_aws_profile_naming_a_missing_profile_does_not_break_listing(config, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    assert "admin" in [profile.name for profile in list_profiles()]


def test_config_files_come_from_the_environment(aws_home, tmp_path, monkeypatch):
    other = tmp_path / "elsewhere.ini"
    other.write_text("[profile only-here]\nregion = sa-east-1\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(other))
    files = ConfigFiles.from_environment()
    assert files.config_file == str(other)
    assert [profile.name for profile in list_profiles()] == ["only-here"]


def test_missing_files_give_an_empty_list(aws_home):
    aws_home.config_file.unlink()
    aws_home.credentials_file.unlink()
    assert list_profiles() == []


def test_unknown_profile_is_profile_not_found_naming_the_config_file(config):
    with pytest.raises(RoleportError) as caught:
        load_snapshot().get("nope")
    assert caught.value.code == "profile_not_found"
    assert "'nope'" in caught.value.message
    assert str(config.config_file) in caught.value.hint


def test_broken_config_is_config_error_with_file_and_line_but_not_its_content(aws_home):
    aws_home.write_config("[profile ok]\nregion = eu-west-1\nAKIABROKENSECRETLINE0 wJalrSecret\n")
    with pytest.raises(RoleportError) as caught:
        list_profiles()
    error = caught.value
    assert error.code == "config_error"
    assert str(aws_home.config_file) in error.message
    assert "line 3" in error.message
    assert "line 3" in error.hint
    text = error.message + error.hint + str(error.to_dict())
    assert "AKIABROKENSECRETLINE0" not in text and "wJalrSecret" not in text


@pytest.mark.parametrize("content, why", [
    ("region = eu-west-1\n", "before any [section]"),
    ("[profile a]\nregion = x\n[profile a]\nregion = y\n", "appears twice"),
    ("[profile a]\nregion = x\nregion = y\n", "appears twice"),
])
def test_broken_config_variants_explain_why(aws_home, content, why):
    aws_home.write_config(content)
    with pytest.raises(RoleportError) as caught:
        list_profiles()
    assert caught.value.code == "config_error"
    assert why in caught.value.message


def test_broken_credentials_file_is_config_error_too(aws_home):
    aws_home.write_config("[profile ok]\nregion = eu-west-1\n")
    aws_home.write_credentials("[base]\nthis line is broken\n")
    with pytest.raises(RoleportError) as caught:
        list_profiles()
    assert caught.value.code == "config_error"
    assert str(aws_home.credentials_file) in caught.value.message


def _count_parses(monkeypatch) -> list[int]:
    import botocore.configloader

    calls: list[int] = []
    real = botocore.configloader.raw_config_parse

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(botocore.configloader, "raw_config_parse", counting)
    return calls


def test_parse_is_cached_until_a_file_changes(config, monkeypatch):
    calls = _count_parses(monkeypatch)
    first = list_profiles()
    parses_after_first = len(calls)
    assert parses_after_first >= 1
    assert list_profiles() == first
    assert load_snapshot().profiles == tuple(first)
    assert len(calls) == parses_after_first  # no re-read while nothing changed

    with open(config.credentials_file, "a", encoding="utf-8") as handle:
        handle.write("\n[added]\naws_access_key_id = AKIAEXAMPLEADDED0001\n"
                     "aws_secret_access_key = x\n")
    assert "added" in [profile.name for profile in list_profiles()]
    assert len(calls) > parses_after_first


def test_atomic_replace_with_same_size_and_mtime_is_noticed(config):
    before = load_snapshot()
    stat = os.stat(config.config_file)
    replacement = config.config_file.with_suffix(".new")
    replacement.write_text(CONFIG.replace("[profile base]", "[profile bass]"), encoding="utf-8")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, config.config_file)
    after = load_snapshot()
    assert after is not before
    assert "bass" in after.by_name and "base" in after.by_name  # base is in credentials


def test_two_thousand_profiles_are_cheap_on_repeat_calls(aws_home, monkeypatch):
    sections = [
        f"[profile p{i:04d}]\nrole_arn = arn:aws:iam::{100000000000 + i}:role/R{i}\n"
        f"source_profile = base\nregion = eu-west-1\nroleport_color = blue\n"
        for i in range(2000)
    ]
    aws_home.write_config("[profile base]\nregion = us-east-1\n" + "\n".join(sections))
    first = list_profiles()
    assert len(first) == 2001

    # Speed itself is measured by `make bench`; here: repeat calls never re-read the files
    # and hand out the very same Profile objects (the host caches its encoded table on them).
    calls = _count_parses(monkeypatch)
    for _ in range(50):
        again = list_profiles()
        assert all(old is new for old, new in zip(first, again, strict=True))
    assert calls == []
