"""Real-world AWS files: one odd profile never hides the others, and each profile is described
the way botocore resolves it (botocore.credentials: AssumeRoleProvider, then
ProfileProviderBuilder.providers: web identity, IAM Identity Center, the credentials file's
keys, login, credential_process, the config file's keys)."""

from __future__ import annotations

import io
import itertools
import json
from typing import Any

import pytest
from roleport import actions, cli
from roleport.errors import ERRORS, RoleportError
from roleport.profiles import (
    MAX_VALUE_LENGTH,
    Profile,
    list_profiles,
    load_snapshot,
    profiles_json,
)

from support.hostproc import CHROME_CALLER
from tests.conftest import AwsHome

INDENTED_CREDENTIAL_SOURCE = """
[profile ec2-admin]
role_arn = arn:aws:iam::123456789012:role/R
credential_source =
    source = Ec2InstanceMetadata

[profile fine]
role_arn = arn:aws:iam::210987654321:role/Fine
credential_source = Ec2InstanceMetadata
region = eu-west-1
"""


def profiles_by_name() -> dict[str, Profile]:
    return {profile.name: profile for profile in list_profiles()}


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def host_rows(aws_home: AwsHome) -> dict[str, dict[str, Any]]:
    """The host's `profiles` reply, rows keyed by name and read by column name."""
    context = actions.HostContext(CHROME_CALLER, {
        "HOME": str(aws_home.home), "AWS_CONFIG_FILE": str(aws_home.config_file),
        "AWS_SHARED_CREDENTIALS_FILE": str(aws_home.credentials_file)})
    reply = json.loads(actions.handle_profiles(context, {}).data)
    return {row[0]: dict(itertools.zip_longest(reply["columns"], row)) for row in reply["rows"]}


# -- one odd profile never hides the others --------------------------------------------------

def test_an_indented_credential_source_never_hides_the_other_profiles(aws_home: AwsHome) -> None:
    aws_home.write_config(INDENTED_CREDENTIAL_SOURCE)
    profiles = profiles_by_name()
    assert set(profiles) == {"ec2-admin", "fine"}
    odd = profiles["ec2-admin"]
    assert (odd.kind, odd.account_id, odd.role_name) == ("assume-role", "123456789012", "R")
    assert odd.problem is not None and "credential_source" in odd.problem
    assert profiles["fine"].problem is None and profiles["fine"].chained is True


def test_roleport_list_shows_the_odd_profile_with_its_problem(aws_home: AwsHome) -> None:
    aws_home.write_config(INDENTED_CREDENTIAL_SOURCE)
    code, out, err = run_cli("list")
    assert (code, err) == (0, "")
    row = next(line for line in out.splitlines() if "ec2-admin" in line)
    assert row.split()[-1] == "problem"
    assert "ec2-admin: credential_source is an indented sub-section" in out

    code, out, err = run_cli("list", "--json")
    assert (code, err) == (0, "")
    listed = {profile["name"]: profile for profile in json.loads(out)}
    assert "sub-section" in listed["ec2-admin"]["problem"]
    assert listed["fine"]["problem"] is None


def test_the_host_lists_the_odd_profile_with_a_problem_column(aws_home: AwsHome) -> None:
    aws_home.write_config(INDENTED_CREDENTIAL_SOURCE)
    assert "problem" in actions.PROFILE_COLUMNS
    rows = host_rows(aws_home)
    assert set(rows) == {"ec2-admin", "fine"}
    assert "credential_source" in rows["ec2-admin"]["problem"]
    assert rows["fine"]["problem"] is None


def test_using_the_odd_profile_is_a_config_error_naming_the_setting(aws_home: AwsHome) -> None:
    aws_home.write_config(INDENTED_CREDENTIAL_SOURCE)
    with pytest.raises(RoleportError) as caught:
        load_snapshot().get("ec2-admin")
    assert caught.value.code == "config_error"
    assert "ec2-admin" in caught.value.message and "credential_source" in caught.value.message
    assert load_snapshot().get("fine").name == "fine"

    code, out, err = run_cli("login", "ec2-admin", "--print")
    assert code == ERRORS["config_error"].exit_code
    assert out == "" and "credential_source" in err


@pytest.mark.parametrize("value", ["", " ", "x" * 100_000, "\u202e\u00fc\U0001f600\u200b",
                                   "\n  a = b\n  c = d"])
@pytest.mark.parametrize("key", ["role_arn", "source_profile", "credential_source", "region",
                                 "mfa_serial", "duration_seconds", "sso_session",
                                 "sso_account_id", "credential_process",
                                 "web_identity_token_file", "aws_access_key_id",
                                 "roleport_console_duration", "roleport_color",
                                 "roleport_account_name"])
def test_a_value_of_any_shape_is_tolerated(aws_home: AwsHome, key: str, value: str) -> None:
    settings = {"role_arn": "arn:aws:iam::123456789012:role/Odd", "source_profile": "base",
                "sso_account_id": "123456789012", "sso_role_name": "R", key: value}
    lines = [f"{name} =" + ("" if text.startswith("\n") else " ") + text
             for name, text in settings.items()]
    aws_home.config_file.write_text(
        "[profile base]\naws_access_key_id = AKIAEXAMPLEBASE00001\n"
        "aws_secret_access_key = base-secret-not-real\n\n"
        "[profile odd]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    profiles = profiles_by_name()
    assert set(profiles) == {"base", "odd"}
    odd = profiles["odd"]
    shown = [value for value in odd.to_dict().values() if isinstance(value, str)]
    assert all(len(text) <= MAX_VALUE_LENGTH for text in shown)
    assert odd.problem is None or len(odd.problem) <= 200


def test_the_host_sends_the_account_colour_and_the_source_profile(aws_home: AwsHome) -> None:
    aws_home.write_config("""
        [profile base]
        credential_process = /bin/true
        [profile prod-admin]
        role_arn = arn:aws:iam::111122223333:role/Admin
        source_profile = base
        roleport_account_color = Red
        granted_color = blue
        """)
    rows = host_rows(aws_home)
    assert actions.PROFILE_COLUMNS[-2:] == ("account_color", "source_profile")
    assert rows["prod-admin"]["account_color"] == "Red"  # as written; the extension checks it
    assert rows["prod-admin"]["color"] == "blue"
    assert rows["prod-admin"]["source_profile"] == "base"
    assert rows["base"]["account_color"] is None
    assert rows["base"]["source_profile"] is None


# -- files botocore refuses -------------------------------------------------------------------

def test_a_latin_1_byte_is_refused_with_its_line(aws_home: AwsHome) -> None:
    aws_home.config_file.write_bytes(
        b"[profile a]\nregion = eu-west-1\n\n# caf\xe9 (saved as latin-1)\n[profile b]\n")
    with pytest.raises(RoleportError) as caught:
        list_profiles()
    error = caught.value
    assert error.code == "config_error"
    assert error.fields["line"] == 4
    assert f"{aws_home.config_file}, line 4: it is not valid UTF-8 text" in error.message
    # The popup shows file and line compactly: both travel on the wire.
    wire = error.to_dict()
    assert (wire["config_file"], wire["line"]) == (str(aws_home.config_file), "4")


def test_a_non_utf_8_credentials_file_names_that_file_and_line(aws_home: AwsHome) -> None:
    aws_home.write_config("[profile a]\nregion = eu-west-1\n")
    aws_home.credentials_file.write_bytes(b"[a]\r\naws_access_key_id = AKIA\r\n# \xff\r\n")
    code, _out, err = run_cli("list")
    assert code == ERRORS["config_error"].exit_code
    assert f"{aws_home.credentials_file}, line 3" in err


def test_a_byte_order_mark_is_refused_at_line_1_and_named(aws_home: AwsHome) -> None:
    aws_home.config_file.write_bytes(b"\xef\xbb\xbf[profile a]\nregion = eu-west-1\n")
    with pytest.raises(RoleportError) as caught:
        list_profiles()
    assert caught.value.fields["line"] == 1
    assert "byte order mark" in caught.value.message


def test_a_sub_section_line_without_equals_is_refused_with_its_line(aws_home: AwsHome) -> None:
    aws_home.write_config("""
        [profile a]
        region = eu-west-1
        s3 =
            addressing_style = path

        [profile b]
        credential_source =
            # a comment inside the block
            Ec2InstanceMetadata
        region = eu-west-1
    """)
    with pytest.raises(RoleportError) as caught:
        list_profiles()
    assert caught.value.code == "config_error"
    assert caught.value.fields["line"] == 9
    assert "Ec2InstanceMetadata" not in caught.value.message + caught.value.hint


def test_crlf_files_list_and_their_broken_lines_are_counted_right(aws_home: AwsHome) -> None:
    aws_home.config_file.write_bytes(b"[profile a]\r\nregion = eu-west-1\r\n\r\n[profile b]\r\n")
    assert [profile.name for profile in list_profiles()] == ["a", "b"]
    aws_home.config_file.write_bytes(b"[profile a]\r\nregion = x\r\nbroken line\r\n")
    with pytest.raises(RoleportError) as caught:
        list_profiles()
    assert caught.value.fields["line"] == 3


# -- botocore's resolution order ---------------------------------------------------------------

def test_web_identity_profiles_show_account_and_role(aws_home: AwsHome) -> None:
    aws_home.write_config("""
        [profile ci]
        role_arn = arn:aws:iam::444455556666:role/path/Deployer
        web_identity_token_file = /var/run/token
    """)
    ci = profiles_by_name()["ci"]
    assert (ci.kind, ci.account_id, ci.role_name) == ("web-identity", "444455556666", "Deployer")
    assert ci.role_arn == "arn:aws:iam::444455556666:role/path/Deployer"
    assert (ci.chained, ci.mfa, ci.problem) == (False, False, None)


def test_config_file_keys_beside_a_credential_process_are_the_process(aws_home: AwsHome) -> None:
    # botocore: ProcessProvider comes before ConfigProvider, after SharedCredentialProvider.
    aws_home.write_config("""
        [profile in-config]
        aws_access_key_id = AKIAEXAMPLECONFIG001
        aws_secret_access_key = config-secret-not-real
        credential_process = /usr/local/bin/get-keys

        [profile in-credentials]
        credential_process = /usr/local/bin/get-keys
    """)
    aws_home.write_credentials("""
        [in-credentials]
        aws_access_key_id = AKIAEXAMPLECREDS0001
        aws_secret_access_key = creds-secret-not-real
    """)
    profiles = profiles_by_name()
    assert profiles["in-config"].kind == "credential_process"
    assert profiles["in-credentials"].kind == "static"


def test_a_secret_without_its_key_id_is_no_credentials(aws_home: AwsHome) -> None:
    aws_home.write_credentials("""
        [half]
        aws_secret_access_key = half-secret-not-real
    """)
    half = profiles_by_name()["half"]
    assert half.kind == "other"
    assert "aws_access_key_id" in half.problem
    assert "half-secret-not-real" not in half.problem


def test_a_key_id_without_its_secret_is_static_with_a_problem(aws_home: AwsHome) -> None:
    # SharedCredentialProvider raises PartialCredentialsError: the secret must be in the
    # same file, even when the other file has one.
    aws_home.write_config("""
        [profile split]
        aws_secret_access_key = split-secret-not-real
    """)
    aws_home.write_credentials("""
        [split]
        aws_access_key_id = AKIAEXAMPLESPLIT0001
    """)
    split = profiles_by_name()["split"]
    assert split.kind == "static"
    assert "aws_secret_access_key" in split.problem


def test_the_default_section_is_inherited_by_every_section(aws_home: AwsHome) -> None:
    # configparser's [DEFAULT] (which botocore's loader keeps) is no profile; its settings
    # appear in every section. [default] is the profile "default".
    aws_home.write_config("""
        [DEFAULT]
        region = eu-west-1

        [default]
        output = json

        [profile a]
        region = us-east-1

        [profile b]
        role_arn = arn:aws:iam::123456789012:role/B
        source_profile = a
    """)
    profiles = profiles_by_name()
    assert list(profiles) == ["default", "a", "b"]
    assert profiles["default"].region == "eu-west-1"
    assert profiles["a"].region == "us-east-1"
    assert profiles["b"].region == "eu-west-1"
    assert profiles["b"].problem == "its source_profile 'a' has no credentials"


def test_sso_session_and_legacy_sso_profiles(aws_home: AwsHome) -> None:
    aws_home.write_config("""
        [profile modern]
        sso_session = corp
        sso_account_id = 111122223333
        sso_role_name = Developer

        [profile legacy]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1
        sso_account_id = 111122223333
        sso_role_name = ReadOnly

        [profile legacy-missing]
        sso_account_id = 111122223333
        sso_role_name = ReadOnly

        [profile dangling]
        sso_session = nowhere
        sso_account_id = 111122223333
        sso_role_name = Developer

        [profile conflicting]
        sso_session = corp
        sso_region = eu-west-1
        sso_account_id = 111122223333
        sso_role_name = Developer

        [profile not-sso]
        sso_session = corp

        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1
    """)
    profiles = profiles_by_name()
    assert (profiles["modern"].kind, profiles["modern"].role_name,
            profiles["modern"].problem) == ("sso", "Developer", None)
    assert (profiles["legacy"].kind, profiles["legacy"].problem) == ("sso", None)
    assert "sso_start_url, sso_region" in profiles["legacy-missing"].problem
    assert "'nowhere'" in profiles["dangling"].problem
    assert "sso_region differs" in profiles["conflicting"].problem
    assert profiles["not-sso"].kind == "other"  # no account or role: not botocore's SSO


ROLES = """
[profile keys]
role_arn = arn:aws:iam::123456789012:role/Self
source_profile = keys

[profile loop-a]
role_arn = arn:aws:iam::123456789012:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::123456789012:role/B
source_profile = loop-a

[profile into-loop]
role_arn = arn:aws:iam::123456789012:role/C
source_profile = loop-a

[profile self-without-keys]
role_arn = arn:aws:iam::123456789012:role/S
source_profile = self-without-keys

[profile back-to-start]
role_arn = arn:aws:iam::123456789012:role/Start
source_profile = middle
aws_access_key_id = AKIAEXAMPLESTART0001
aws_secret_access_key = start-secret-not-real

[profile middle]
role_arn = arn:aws:iam::123456789012:role/Middle
source_profile = back-to-start

[profile missing-source]
role_arn = arn:aws:iam::123456789012:role/M
source_profile = nobody

[profile both-sources]
role_arn = arn:aws:iam::123456789012:role/Both
source_profile = keys
credential_source = Environment

[profile no-source]
role_arn = arn:aws:iam::123456789012:role/None

[profile from-environment]
role_arn = arn:aws:iam::123456789012:role/Env
credential_source = Environment

[profile from-ecs]
role_arn = arn:aws:iam::123456789012:role/Ecs
credential_source = EcsContainer

[profile lower-case-source]
role_arn = arn:aws:iam::123456789012:role/Lower
credential_source = ec2instancemetadata

[profile from-temporary-keys]
role_arn = arn:aws:iam::123456789012:role/T
source_profile = temporary

[profile from-role-with-keys]
role_arn = arn:aws:iam::123456789012:role/K
source_profile = back-to-start
mfa_serial = arn:aws:iam::123456789012:mfa/me

[profile deep]
role_arn = arn:aws:iam::123456789012:role/Deep
source_profile = from-role-with-keys

[profile not-a-role-arn]
role_arn = arn:aws:iam::123456789012:user/alice
source_profile = keys
"""
ROLE_KEYS = """
[keys]
aws_access_key_id = AKIAEXAMPLEKEYS00001
aws_secret_access_key = keys-secret-not-real

[temporary]
aws_access_key_id = ASIAEXAMPLETEMP00001
aws_secret_access_key = temp-secret-not-real
aws_session_token = temp-token-not-real
"""


@pytest.fixture
def roles(aws_home: AwsHome) -> dict[str, Profile]:
    aws_home.write_config(ROLES)
    aws_home.write_credentials(ROLE_KEYS)
    return profiles_by_name()


def test_a_role_may_name_itself_to_use_its_own_keys(roles: dict[str, Profile]) -> None:
    assert (roles["keys"].kind, roles["keys"].problem, roles["keys"].chained) == (
        "assume-role", None, False)
    assert "loops" in roles["self-without-keys"].problem


def test_loops_are_problems_of_every_profile_that_walks_into_them(
        roles: dict[str, Profile]) -> None:
    for name in ("loop-a", "loop-b", "into-loop"):
        assert "loops back" in roles[name].problem, name


def test_a_chain_back_to_the_keys_it_started_from_loops_for_that_profile_only(
        roles: dict[str, Profile]) -> None:
    # botocore's visited-profiles check: middle -> back-to-start (keys) is fine, but
    # back-to-start -> middle -> back-to-start revisits it.
    assert "loops back to 'back-to-start'" in roles["back-to-start"].problem
    assert roles["middle"].problem is None


def test_missing_and_conflicting_sources_are_problems(roles: dict[str, Profile]) -> None:
    assert "'nobody' does not exist" in roles["missing-source"].problem
    assert "both source_profile and credential_source" in roles["both-sources"].problem
    assert "needs a source_profile or a credential_source" in roles["no-source"].problem
    assert "credential_source is not one of" in roles["lower-case-source"].problem
    assert "not an IAM role ARN" in roles["not-a-role-arn"].problem


def test_chaining_follows_what_the_source_credentials_are(roles: dict[str, Profile]) -> None:
    assert roles["from-environment"].chained is False
    assert roles["from-ecs"].chained is True
    assert roles["from-temporary-keys"].chained is True
    # a source with keys answers with its keys, even when it also has a role_arn
    assert roles["from-role-with-keys"].chained is False
    assert roles["middle"].chained is False
    assert roles["deep"].chained is True


def test_mfa_follows_the_roles_botocore_assumes(roles: dict[str, Profile]) -> None:
    assert roles["from-role-with-keys"].mfa_serial == "arn:aws:iam::123456789012:mfa/me"
    assert roles["deep"].mfa_serial == "arn:aws:iam::123456789012:mfa/me"
    assert roles["from-ecs"].mfa is False


def test_a_name_login_refuses_is_a_problem(aws_home: AwsHome) -> None:
    long_name = "n" * 300
    aws_home.write_config(f"[profile {long_name}]\nregion = eu-west-1\n"
                          "[profile bad-region]\nregion = moon-1\n")
    profiles = profiles_by_name()
    assert "longer than 256" in profiles[long_name].problem
    assert "region" in profiles["bad-region"].problem


def test_a_huge_value_is_left_out_so_every_row_fits_a_reply(aws_home: AwsHome) -> None:
    aws_home.write_config("[profile big]\nroleport_account_name = " + "A" * 500_000 + "\n")
    big = profiles_by_name()["big"]
    assert big.account_name is None
    assert "longer than" in big.problem
    rows = host_rows(aws_home)
    assert len(json.dumps(rows["big"])) < 1000


def test_profiles_json_is_exactly_the_indented_json_of_the_profiles(aws_home: AwsHome) -> None:
    aws_home.write_config(INDENTED_CREDENTIAL_SOURCE + """
        [profile "odd \\" name"]
        roleport_account_name = caf\u00e9 \U0001f600 \u2028 tab\there
        roleport_console_duration = 3600

        [profile 'a}, {"b, "c']
        roleport_account_name = x, "y" }, {"z": ", "
    """.replace("        ", ""))
    profiles = list_profiles()
    assert len(profiles) == 4
    expected = json.dumps([profile.to_dict() for profile in profiles], indent=2)
    assert profiles_json(profiles) == expected
    assert profiles_json(profiles[:1]) == json.dumps([profiles[0].to_dict()], indent=2)
    assert profiles_json([]) == json.dumps([], indent=2)


def test_listed_profiles_are_ordinary_profiles(aws_home: AwsHome) -> None:
    aws_home.write_config(INDENTED_CREDENTIAL_SOURCE + ROLES)
    aws_home.write_credentials(ROLE_KEYS)
    for profile in list_profiles():
        rebuilt = Profile(**profile.to_dict())
        assert rebuilt == profile and hash(rebuilt) == hash(profile)
        assert repr(rebuilt) == repr(profile)
        assert list(vars(profile)) == list(profile.to_dict())


# -- scale -------------------------------------------------------------------------------------

def test_the_listing_benchmark_config_lists_every_kind(tmp_path, monkeypatch) -> None:
    """bench/listing.py's config is what botocore and roleport both list, every kind in it."""
    from roleport.config_files import ConfigFiles

    from bench.listing import write_listing_config

    expected = write_listing_config(tmp_path, 40)
    files = ConfigFiles(str(tmp_path / ".aws" / "config"), str(tmp_path / ".aws" / "credentials"))
    profiles = list_profiles(files)
    assert len(profiles) == expected == 41
    assert {profile.kind for profile in profiles} == {"static", "assume-role", "sso",
                                                       "web-identity"}
    assert not [profile.name for profile in profiles if profile.problem]
    assert any(profile.chained for profile in profiles) and any(p.mfa for p in profiles)


def test_roleport_list_does_not_import_the_installer(aws_home: AwsHome) -> None:
    import subprocess
    import sys

    aws_home.write_config("[profile a]\nregion = eu-west-1\n")
    probe = ("import io, sys; from roleport.cli import main; "
             "code = main(['list'], stdout=io.StringIO()); "
             "print(code, 'roleport_installer' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.split() == ["0", "False"]


BROKEN_AT_USE = """
[profile missing-source]
role_arn = arn:aws:iam::123456789012:role/M
source_profile = nobody

[profile loop-a]
role_arn = arn:aws:iam::123456789012:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::123456789012:role/B
source_profile = loop-a

[profile lower]
role_arn = arn:aws:iam::123456789012:role/L
credential_source = ec2instancemetadata

[profile nested-source]
role_arn = arn:aws:iam::123456789012:role/N
source_profile =
    a = b

[profile empty-process]
credential_process =

[profile dangling-sso]
sso_session = nowhere
sso_account_id = 123456789012
sso_role_name = R

[profile web-without-arn]
web_identity_token_file = /nonexistent/token

[profile id-only]
aws_access_key_id = AKIAEXAMPLEIDONLY001

[profile nested-duration]
role_arn = arn:aws:iam::123456789012:role/D
credential_source = Environment
duration_seconds =
    a = b
"""


@pytest.mark.parametrize(("name", "code"), [
    ("missing-source", "config_error"), ("loop-a", "config_error"), ("lower", "config_error"),
    ("nested-source", "config_error"), ("empty-process", "config_error"),
    ("dangling-sso", "config_error"), ("web-without-arn", "config_error"),
    ("id-only", "no_credentials"), ("nested-duration", "config_error"),
])
def test_a_listed_problem_is_a_clear_error_when_the_profile_is_used(
        aws_home: AwsHome, name: str, code: str) -> None:
    aws_home.write_config(BROKEN_AT_USE)
    profiles = profiles_by_name()
    assert len(profiles) == 10 and profiles[name].problem
    exit_code, out, err = run_cli("login", name, "--print")
    assert exit_code == ERRORS[code].exit_code, err
    assert out == "" and "Traceback" not in err


def test_profiles_json_equals_json_dumps_whatever_the_values_hold() -> None:
    # The fast layout splits at `, "` and `}, {"`; values made of such pieces (quotes,
    # backslashes, braces, commas, line breaks, non-ASCII) must not move a line break.
    import random

    from roleport.profiles import Profile

    rng = random.Random(3)
    pieces = ['"', "\\", ", ", "}, {", '{"', ": ", "\n", "\u2028", "\U0001f600", "name",
              "a", " ", "null", ",", "}", "]", ', "region": ', '}, {"name": ', '"name": ']
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 8)))
             for _ in range(300)]
    fields = {name: None for name in Profile.__dataclass_fields__}
    profiles = [Profile(**{**fields, "name": rng.choice(texts), "kind": rng.choice(texts),
                           "account_name": rng.choice([None, *texts]),
                           "problem": rng.choice([None, *texts]), "mfa": rng.random() < 0.5,
                           "chained": False, "console_duration": rng.choice([None, 3600])})
                for _ in range(200)]
    for count in (0, 1, 2, 200):
        assert profiles_json(profiles[:count]) == json.dumps(
            [profile.to_dict() for profile in profiles[:count]], indent=2)
