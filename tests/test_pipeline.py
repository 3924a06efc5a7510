"""The whole pipeline against the real stand-in: moto STS behind the stand-in's proxy, the
federation stand-in and the SSO portal stand-in, wired only through the documented env hooks."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from roleport.errors import RoleportError
from roleport.pipeline import LoginResult, Pipeline

from support.standin import CHAINED_ROLE, FEDERATION_TOKEN, ROLE, SSO

CONFIG = """
[profile dev]
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = dev
region = eu-west-1
roleport_container = Production

[profile deep]
role_arn = arn:aws:iam::210987654321:role/Deep
source_profile = admin
region = eu-west-1

[profile short]
role_arn = arn:aws:iam::123456789012:role/Short
source_profile = dev
roleport_console_duration = 3600
region = us-east-2

[profile mfa]
role_arn = arn:aws:iam::123456789012:role/Guarded
source_profile = dev
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile mfa-chained]
role_arn = arn:aws:iam::210987654321:role/AfterMfa
source_profile = mfa

[profile sso-dev]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = Developer
region = us-west-2

[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444444444444
sso_role_name = ReadOnly

[profile gov]
role_arn = arn:aws-us-gov:iam::555555555555:role/GovAdmin
source_profile = dev
region = us-gov-west-1

[profile bad-duration]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = dev
roleport_console_duration = 12h

[profile lonely]
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""

CREDENTIALS = """
[dev]
aws_access_key_id = AKIAEXAMPLEDEVUSER01
aws_secret_access_key = dev-user-secret-not-real
"""


@pytest.fixture
def aws(standin, aws_home):
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    return standin


def login_query(result: LoginResult) -> dict[str, str]:
    parts = urllib.parse.urlsplit(result.url)
    return {key: values[0] for key, values in urllib.parse.parse_qs(parts.query).items()}


def token_requests(aws):
    return [r for r in aws.federation_requests if r.action == "getSigninToken"]


def sts_actions(aws, action: str, role_fragment: str = ""):
    return [call for call in aws.sts_calls if call.action == action
            and role_fragment in call.params.get("RoleArn", "") and call.status == 200]


def cache_dir(aws_home) -> Path:
    return aws_home.home / ".aws" / "cli" / "cache"


# -- the happy paths ----------------------------------------------------------------------

def test_role_profile_login_url_carries_a_token_issued_for_moto_credentials(aws, pipeline):
    result = pipeline.login("admin")
    query = login_query(result)
    assert result.url.startswith(aws.federation_url + "?")
    assert query["Action"] == "login" and query["Issuer"] == "roleport"
    assert query["Destination"] == (
        "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1")

    identity = aws.signin_token_identity(query["SigninToken"])
    assert identity is not None  # the stand-in issued exactly this token
    assert (identity.account, identity.role) == ("123456789012", "Admin")
    [request] = token_requests(aws)
    issued = aws.issued_credential(request.access_key_id)
    assert issued is not None and issued.kind == ROLE  # moto minted these credentials
    assert request.session_duration == "43200"

    assert result.identity == {
        "account": "123456789012", "role": "Admin", "session_name": identity.session_name,
        "partition": "aws", "region": "eu-west-1", "arn": identity.arn}
    assert result.container == "Production"
    assert result.logout_url == aws.logout_url
    expires = datetime.strptime(result.expires_at, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)
    assert abs((expires - datetime.now(timezone.utc)) - timedelta(minutes=15)) < timedelta(
        seconds=30)
    assert "url=<redacted>" in repr(result) and query["SigninToken"] not in repr(result)


def test_cached_role_credentials_are_reused_without_a_second_assume_role(aws, pipeline):
    first = pipeline.login("admin")
    second = pipeline.login("admin")
    assert len(sts_actions(aws, "AssumeRole", "role/Admin")) == 1
    assert len(token_requests(aws)) == 2
    assert login_query(first)["SigninToken"] != login_query(second)["SigninToken"]


def test_login_after_a_config_edit_parses_the_files_once(aws, aws_home, pipeline, monkeypatch):
    """The profile list and botocore's session share one parse of the edited files."""
    import botocore.configloader

    pipeline.login("admin")
    parsed: list[str] = []
    original = botocore.configloader.raw_config_parse

    def counting(path, *args, **kwargs):
        parsed.append(os.path.basename(str(path)))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(botocore.configloader, "raw_config_parse", counting)
    aws_home.write_config(CONFIG + "\n[profile added]\nregion = eu-west-1\n")
    assert "added" in [profile.name for profile in pipeline.profiles()]
    result = pipeline.login("admin")
    assert aws.signin_token_identity(login_query(result)["SigninToken"]) is not None
    # The config file once for both; botocore's SharedCredentialProvider reads the (small)
    # credentials file again by itself when it loads the source profile's keys.
    assert parsed.count("config") == 1
    assert parsed.count("credentials") <= 2


def test_cache_is_shared_with_a_new_pipeline_and_files_are_private(aws, aws_home):
    first = Pipeline()
    try:
        first.login("admin")
    finally:
        first.close()
    second = Pipeline()  # a new process would start like this
    try:
        second.login("admin")
    finally:
        second.close()
    assert len(sts_actions(aws, "AssumeRole", "role/Admin")) == 1
    directory = cache_dir(aws_home)
    files = list(directory.glob("*.json"))
    assert files
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)


def test_cache_file_names_are_the_ones_the_aws_cli_computes(aws, aws_home, pipeline):
    # The AWS CLI names ~/.aws/cli/cache/<sha1 of the AssumeRole arguments as sorted JSON>.json
    # (no RoleSessionName unless configured): the same file means a shared MFA session.
    import hashlib

    def aws_cli_key(arguments: dict) -> str:
        return hashlib.sha1(json.dumps(arguments, sort_keys=True).encode()).hexdigest()

    pipeline.login("admin")
    pipeline.login("mfa", mfa_code="123456")
    names = {path.name for path in cache_dir(aws_home).glob("*.json")}
    assert aws_cli_key({"RoleArn": "arn:aws:iam::123456789012:role/Admin"}) + ".json" in names
    # An MFA role is assumed from the device's MFA session, without SerialNumber (the session
    # carries the MFA); the session has a file of its own.
    assert aws_cli_key({"RoleArn": "arn:aws:iam::123456789012:role/Guarded"}) + ".json" in names
    assert any(name.startswith("roleport-mfa-") for name in names)


def test_console_duration_from_profile_and_argument(aws, pipeline):
    pipeline.login("short")
    pipeline.login("admin", duration=7200)
    assert [r.session_duration for r in token_requests(aws)] == ["3600", "7200"]


def test_chained_role_sends_no_session_duration_and_is_accepted(aws, pipeline):
    result = pipeline.login("deep", duration=7200)
    [request] = token_requests(aws)
    assert request.status == 200
    assert request.session_duration is None
    assert request.kind == CHAINED_ROLE
    assert result.identity["role"] == "Deep"


def _rewrite_cached_expiry(aws_home, role_fragment: str, remaining: timedelta) -> None:
    for path in cache_dir(aws_home).glob("*.json"):
        entry = json.loads(path.read_text())
        if role_fragment in entry.get("AssumedRoleUser", {}).get("Arn", ""):
            entry["Credentials"]["Expiration"] = (
                datetime.now(timezone.utc) + remaining).strftime("%Y-%m-%dT%H:%M:%SZ")
            path.write_text(json.dumps(entry))
            return
    raise AssertionError(f"no cache entry for {role_fragment}")


def test_chained_role_is_reassumed_when_less_than_50_minutes_remain(aws, pipeline, aws_home):
    pipeline.login("deep")
    assert len(sts_actions(aws, "AssumeRole", "role/Deep")) == 1

    _rewrite_cached_expiry(aws_home, "/Deep/", timedelta(minutes=55))
    pipeline.login("deep")
    assert len(sts_actions(aws, "AssumeRole", "role/Deep")) == 1  # still long enough

    _rewrite_cached_expiry(aws_home, "/Deep/", timedelta(minutes=20))
    pipeline.login("deep")
    assert len(sts_actions(aws, "AssumeRole", "role/Deep")) == 2  # re-assumed for a full hour
    assert len(sts_actions(aws, "AssumeRole", "role/Admin")) == 1  # its source stayed cached


def test_chained_mfa_role_reuses_valid_cached_credentials_when_no_code_is_given(
        aws, pipeline, aws_home):
    # Re-assuming for the full hour would need a new MFA code; without one, still-valid
    # cached credentials are used (mfa_required only when none are valid), like the AWS CLI.
    aws_home.write_config(CONFIG + """
[profile mfa-deep]
role_arn = arn:aws:iam::210987654321:role/DeepMfa
source_profile = admin
mfa_serial = arn:aws:iam::111111111111:mfa/alice
""")
    pipeline.login("mfa-deep", mfa_code="123456")
    assert len(sts_actions(aws, "AssumeRole", "role/DeepMfa")) == 1

    _rewrite_cached_expiry(aws_home, "/DeepMfa/", timedelta(minutes=40))
    result = pipeline.login("mfa-deep")
    assert len(sts_actions(aws, "AssumeRole", "role/DeepMfa")) == 1  # reused, no prompt
    assert result.identity["role"] == "DeepMfa"
    assert token_requests(aws)[-1].session_duration is None

    pipeline.login("mfa-deep", mfa_code="123456")  # with a code: a full hour again
    assert len(sts_actions(aws, "AssumeRole", "role/DeepMfa")) == 2

    _rewrite_cached_expiry(aws_home, "/DeepMfa/", timedelta(minutes=5))
    with pytest.raises(RoleportError) as caught:  # too close to expiry to be worth using
        pipeline.login("mfa-deep")
    assert caught.value.code == "mfa_required"


def test_non_chained_role_keeps_botocore_window(aws, pipeline, aws_home):
    pipeline.login("admin")
    _rewrite_cached_expiry(aws_home, "/Admin/", timedelta(minutes=20))
    pipeline.login("admin")
    assert len(sts_actions(aws, "AssumeRole", "role/Admin")) == 1


def test_static_user_signs_in_through_get_federation_token(aws, pipeline):
    result = pipeline.login("dev")
    [call] = sts_actions(aws, "GetFederationToken")
    assert json.loads(call.params["Policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert call.params["DurationSeconds"] == "43200"
    assert call.params["Name"] == "roleport-dev"
    [request] = token_requests(aws)
    assert request.kind == FEDERATION_TOKEN and request.session_duration is None
    assert result.identity["role"] is None
    assert result.identity["arn"].endswith(":federated-user/roleport-dev")
    assert aws.signin_token_identity(login_query(result)["SigninToken"]) is not None


def test_static_user_duration_goes_to_get_federation_token(aws, pipeline):
    pipeline.login("dev", duration=3600)
    [call] = sts_actions(aws, "GetFederationToken")
    assert call.params["DurationSeconds"] == "3600"
    assert token_requests(aws)[0].session_duration is None


def _issue_role_credentials(aws, role: str = "Proc") -> dict:
    import boto3

    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=aws.sts_url,
                       aws_access_key_id="AKIAEXAMPLEPROCESS01",
                       aws_secret_access_key="process-source-secret")
    return sts.assume_role(RoleArn=f"arn:aws:iam::123456789012:role/{role}",
                           RoleSessionName="process")["Credentials"]


def _write_process(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "creds-process.py"
    script.write_text(f"import sys\n{body}\n", encoding="utf-8")
    return script


def _write_issuing_process(tmp_path: Path, issued: dict) -> Path:
    """A credential_process printing ``issued`` (temporary keys) in the process format."""
    payload = json.dumps({"Version": 1, "AccessKeyId": issued["AccessKeyId"],
                          "SecretAccessKey": issued["SecretAccessKey"],
                          "SessionToken": issued["SessionToken"],
                          "Expiration": issued["Expiration"].isoformat()})
    return _write_process(tmp_path, f"sys.stdout.write({payload!r})")


def test_credential_process_credentials_sign_in_without_session_duration(
        aws, aws_home, pipeline, tmp_path):
    issued = _issue_role_credentials(aws)
    script = _write_issuing_process(tmp_path, issued)
    aws_home.write_config(CONFIG + f"\n[profile proc]\ncredential_process = "
                                   f"{sys.executable} {script}\nregion = eu-west-1\n")
    result = pipeline.login("proc")
    [request] = token_requests(aws)
    assert request.access_key_id == issued["AccessKeyId"]
    assert request.session_duration is None
    assert aws.signin_token_identity(login_query(result)["SigninToken"]).role == "Proc"
    assert result.session_expires_at is None  # keys of unknown origin: no known end


def test_role_from_temporary_process_credentials_retries_without_session_duration(
        aws, aws_home, pipeline, tmp_path):
    """AWS refuses SessionDuration for role chaining; a source roleport cannot classify
    (credential_process handing out temporary keys) gets one retry without it."""
    issued = _issue_role_credentials(aws)
    script = _write_issuing_process(tmp_path, issued)
    aws_home.write_config(CONFIG + f"\n[profile proc]\ncredential_process = "
                                   f"{sys.executable} {script}\nregion = eu-west-1\n"
                                   "\n[profile proc-role]\n"
                                   "role_arn = arn:aws:iam::123456789012:role/FromProc\n"
                                   "source_profile = proc\nregion = eu-west-1\n")
    result = pipeline.login("proc-role")
    refused, accepted = token_requests(aws)
    assert (refused.status, refused.session_duration) == (400, "43200")
    assert (accepted.status, accepted.session_duration) == (200, None)
    assert aws.issued_credential(accepted.access_key_id).kind == CHAINED_ROLE
    assert aws.signin_token_identity(login_query(result)["SigninToken"]).role == "FromProc"
    # Without SessionDuration the console lasts as long as the chained credentials.
    assert abs(_session_end(result) - _console_end(aws, result)) < timedelta(seconds=5)


def test_role_from_session_token_keys_is_chained_and_sends_no_session_duration(
        aws, aws_home, pipeline):
    issued = _issue_role_credentials(aws)
    aws_home.write_credentials(CREDENTIALS + (
        f"\n[saml]\naws_access_key_id = {issued['AccessKeyId']}\n"
        f"aws_secret_access_key = {issued['SecretAccessKey']}\n"
        f"aws_session_token = {issued['SessionToken']}\n"))
    aws_home.write_config(CONFIG + "\n[profile from-saml]\n"
                                   "role_arn = arn:aws:iam::123456789012:role/FromSaml\n"
                                   "source_profile = saml\nregion = eu-west-1\n")
    assert {p.name: p.chained for p in pipeline.profiles()}["from-saml"] is True
    pipeline.login("from-saml")
    [request] = token_requests(aws)
    assert (request.status, request.session_duration) == (200, None)


@pytest.mark.parametrize(("body", "leaked"), [
    ("sys.stderr.write('leaked-process-secret')\nsys.exit(3)", "leaked-process-secret"),
    ("sys.stdout.write('Touch your key: leaked-prompt-text')", "leaked-prompt-text"),
], ids=["failing", "printing-no-json"])
def test_broken_credential_process_is_no_credentials_without_its_output(
        aws, aws_home, pipeline, tmp_path, body, leaked):
    script = _write_process(tmp_path, body)
    aws_home.write_config(CONFIG + f"\n[profile proc]\ncredential_process = "
                                   f"{sys.executable} {script}\n")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("proc")
    assert caught.value.code == "no_credentials"
    assert "credential_process" in caught.value.message
    assert leaked not in caught.value.message + caught.value.hint


def test_hanging_credential_process_is_a_timeout_and_is_killed(
        aws, aws_home, pipeline, tmp_path, monkeypatch):
    import roleport.botocore_hooks

    monkeypatch.setattr(roleport.botocore_hooks, "CREDENTIAL_PROCESS_TIMEOUT_SECONDS", 1.0)
    pid_file = tmp_path / "pid"
    script = _write_process(tmp_path, "import os, threading\n"
                            f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                            "threading.Event().wait()")
    aws_home.write_config(CONFIG + f"\n[profile proc]\ncredential_process = "
                                   f"{sys.executable} {script}\n")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("proc")
    assert caught.value.code == "timeout"
    assert "credential_process did not answer within 1 seconds" in caught.value.message
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left behind
        os.kill(int(pid_file.read_text()), 0)


def test_sso_session_profile_signs_in_with_the_cached_token(aws, aws_home, pipeline):
    aws.sso_login(aws_home.home, start_url="https://corp.awsapps.com/start",
                  session_name="corp")
    result = pipeline.login("sso-dev")
    [sso_request] = aws.sso_requests
    assert (sso_request.account_id, sso_request.role_name, sso_request.status) == (
        "333333333333", "Developer", 200)
    [request] = token_requests(aws)
    assert request.kind == SSO and request.session_duration == "43200"
    assert result.identity["account"] == "333333333333"
    assert result.identity["role"] == "Developer"
    assert result.identity["region"] == "us-west-2"


def test_refreshed_sso_token_is_cached_in_the_format_every_sdk_reads(
        aws, aws_home, pipeline, monkeypatch):
    # ~/.aws/sso/cache is shared with the AWS CLI and the other SDKs (Go, JS), which read
    # expiresAt as RFC 3339 ("...Z"); botocore's own token provider writes exactly that.
    import hashlib
    import re
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    fresh = aws.sso_token(user="sso-user", expires_in=8 * 3600)
    oidc_calls: list[str] = []

    class OidcStandIn(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server naming)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            oidc_calls.append(self.path)
            body = json.dumps({"accessToken": fresh, "expiresIn": 8 * 3600,
                               "tokenType": "Bearer", "refreshToken": "next-refresh"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), OidcStandIn)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC",
                           f"http://127.0.0.1:{server.server_address[1]}")
        now = datetime.now(timezone.utc)
        cache_file = (aws_home.home / ".aws" / "sso" / "cache"
                      / f"{hashlib.sha1(b'corp').hexdigest()}.json")
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps({
            "startUrl": "https://corp.awsapps.com/start", "region": "us-east-1",
            "accessToken": "expired-access-token", "refreshToken": "old-refresh",
            "clientId": "client-id", "clientSecret": "client-secret",
            "registrationExpiresAt": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expiresAt": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }))
        result = pipeline.login("sso-dev")
    finally:
        server.shutdown()
        server.server_close()
        serving.join(timeout=5)
    assert oidc_calls == ["/token"]
    assert result.identity["account"] == "333333333333"
    cached = json.loads(cache_file.read_text())
    assert cached["accessToken"] == fresh
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", cached["expiresAt"])
    assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600


def test_legacy_sso_profile_signs_in(aws, aws_home, pipeline):
    aws.sso_login(aws_home.home, start_url="https://legacy.awsapps.com/start")
    result = pipeline.login("sso-legacy")
    assert aws.signin_token_identity(login_query(result)["SigninToken"]) is not None
    assert aws.sso_requests[0].account_id == "444444444444"


def test_expired_sso_token_asks_for_aws_sso_login(aws, aws_home, pipeline):
    aws.sso_login(aws_home.home, start_url="https://corp.awsapps.com/start",
                  session_name="corp", expired=True)
    with pytest.raises(RoleportError) as caught:
        pipeline.login("sso-dev")
    assert caught.value.code == "sso_login_required"
    assert "aws sso login --profile sso-dev" in caught.value.hint
    assert caught.value.to_dict()["command"] == "aws sso login --profile sso-dev"
    assert token_requests(aws) == []


def test_role_chained_from_sso_names_the_sso_profile_in_the_login_command(
        aws, aws_home, pipeline):
    # `aws sso login --profile <role profile>` fails: the AWS CLI reads only that profile's
    # own SSO settings (aws/aws-cli#7632), so the command must name the SSO profile.
    aws_home.write_config(CONFIG + """
[profile sso-admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = sso-dev
""")
    aws.sso_login(aws_home.home, start_url="https://corp.awsapps.com/start",
                  session_name="corp", expired=True)
    with pytest.raises(RoleportError) as caught:
        pipeline.login("sso-admin")
    assert caught.value.code == "sso_login_required"
    assert caught.value.to_dict()["command"] == "aws sso login --profile sso-dev"
    assert "`aws sso login --profile sso-dev`" in caught.value.hint
    assert caught.value.to_dict()["profile"] == "sso-admin"


def test_missing_sso_token_asks_for_aws_sso_login(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("sso-legacy")
    assert caught.value.code == "sso_login_required"


def test_portal_refusing_the_token_asks_for_aws_sso_login(aws, aws_home, pipeline):
    aws.sso_login(aws_home.home, start_url="https://corp.awsapps.com/start",
                  session_name="corp")
    aws.reset()  # the portal forgets the token: it answers 401 like an expired session
    with pytest.raises(RoleportError) as caught:
        pipeline.login("sso-dev")
    assert caught.value.code == "sso_login_required"


# -- MFA ----------------------------------------------------------------------------------

def test_mfa_needed_and_not_given_is_mfa_required_without_any_assume_role(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("mfa")
    assert caught.value.code == "mfa_required"
    assert caught.value.to_dict()["mfa_serial"] == "arn:aws:iam::111111111111:mfa/alice"
    assert sts_actions(aws, "AssumeRole") == []


def test_mfa_code_given_starts_an_mfa_session_and_the_role_is_cached(aws, pipeline):
    pipeline.login("mfa", mfa_code="123456")
    [session] = sts_actions(aws, "GetSessionToken")
    assert session.params["SerialNumber"] == "arn:aws:iam::111111111111:mfa/alice"
    [call] = sts_actions(aws, "AssumeRole", "role/Guarded")
    assert "SerialNumber" not in call.params  # the MFA session carries the MFA
    pipeline.login("mfa")  # no code needed: the cached role credentials are reused
    assert len(sts_actions(aws, "AssumeRole", "role/Guarded")) == 1


def test_wrong_mfa_code_is_mfa_invalid(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("mfa", mfa_code="000000")
    assert caught.value.code == "mfa_invalid"
    assert caught.value.to_dict()["mfa_serial"] == "arn:aws:iam::111111111111:mfa/alice"


def test_mfa_in_the_middle_of_a_chain_is_required_too(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("mfa-chained")
    assert caught.value.code == "mfa_required"
    assert caught.value.to_dict()["mfa_serial"] == "arn:aws:iam::111111111111:mfa/alice"
    result = pipeline.login("mfa-chained", mfa_code="123456")
    assert result.identity["role"] == "AfterMfa"


def test_mfa_serial_on_a_static_source_is_not_asked_for(aws, aws_home, pipeline):
    # Only a role profile's own mfa_serial goes with AssumeRole (botocore); the listing must
    # agree with what the login really needs.
    aws_home.write_config(CONFIG + """
[profile keys-mfa]
mfa_serial = arn:aws:iam::111111111111:mfa/ignored

[profile via-keys]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = keys-mfa
""")
    aws_home.write_credentials(CREDENTIALS + """
[keys-mfa]
aws_access_key_id = AKIAEXAMPLEKEYSMFA01
aws_secret_access_key = keys-mfa-secret-not-real
""")
    assert {p.name: p for p in pipeline.profiles()}["via-keys"].mfa is False
    result = pipeline.login("via-keys")
    [call] = sts_actions(aws, "AssumeRole", "role/Admin")
    assert "SerialNumber" not in call.params
    assert result.identity["role"] == "Admin"


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "12 456"])
def test_malformed_mfa_code_is_invalid_request_before_any_call(aws, pipeline, code):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("mfa", mfa_code=code)
    assert caught.value.code == "invalid_request"
    assert aws.sts_calls == []


# -- partitions and destinations ----------------------------------------------------------

def test_govcloud_role_lands_on_the_govcloud_console(aws, pipeline):
    result = pipeline.login("gov")
    query = login_query(result)
    assert query["Destination"] == (
        "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1")
    assert result.identity["partition"] == "aws-us-gov"
    [call] = sts_actions(aws, "AssumeRole", "GovAdmin")
    assert call.params["RoleArn"].startswith("arn:aws-us-gov:")


@pytest.mark.parametrize("session_section, profile_keys", [
    ("[sso-session gov]\nsso_start_url = https://start.us-gov-home.awsapps.com/directory/x\n"
     "sso_region = us-gov-west-1\n", "sso_session = gov\n"),
    ("", "sso_start_url = https://start.us-gov-home.awsapps.com/directory/x\n"
         "sso_region = us-gov-west-1\n"),
])
def test_govcloud_sso_profile_without_region_signs_in_to_govcloud(
        aws, aws_home, pipeline, session_section, profile_keys):
    # IAM Identity Center in us-gov-west-1 hands out GovCloud credentials: they only work at
    # the GovCloud sign-in endpoint, even when the profile names no region of its own.
    aws_home.write_config(CONFIG + "\n[profile gov-sso]\nsso_account_id = 555555555555\n"
                          "sso_role_name = GovReader\n" + profile_keys + "\n"
                          + session_section)
    aws.sso_login(aws_home.home, start_url="https://start.us-gov-home.awsapps.com/directory/x",
                  region="us-gov-west-1", session_name="gov" if session_section else None)
    result = pipeline.login("gov-sso")
    assert result.identity["partition"] == "aws-us-gov"
    assert login_query(result)["Destination"].startswith(
        "https://console.amazonaws-us-gov.com/")


def test_login_role_from_a_govcloud_sso_source_builds_a_govcloud_arn(aws, aws_home, pipeline):
    aws_home.write_config(CONFIG + "\n[profile gov-sso]\nsso_account_id = 555555555555\n"
                          "sso_role_name = GovReader\nsso_session = gov\n\n"
                          "[sso-session gov]\nsso_start_url = https://gov.awsapps.com/start\n"
                          "sso_region = us-gov-west-1\n")
    aws.sso_login(aws_home.home, start_url="https://gov.awsapps.com/start",
                  region="us-gov-west-1", session_name="gov")
    result = pipeline.login_role("666666666666", "GovCross", source_profile="gov-sso")
    [call] = sts_actions(aws, "AssumeRole", "GovCross")
    assert call.params["RoleArn"] == "arn:aws-us-gov:iam::666666666666:role/GovCross"
    assert result.identity["partition"] == "aws-us-gov"


def test_region_argument_moves_the_console(aws, pipeline):
    result = pipeline.login("admin", region="ap-southeast-2", destination="ec2")
    assert login_query(result)["Destination"] == (
        "https://ap-southeast-2.console.aws.amazon.com/ec2/home?region=ap-southeast-2")
    assert result.identity["region"] == "ap-southeast-2"


def test_region_of_another_partition_is_refused(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("gov", region="eu-west-1")
    assert caught.value.code == "invalid_request"
    assert aws.sts_calls == []


@pytest.mark.parametrize("destination", [
    "https://evil.example/", "https://console.aws.amazon.com@evil.example/",
    "//evil.example", "javascript:alert(1)", "/%2e%2e/x",
])
def test_bad_destination_is_refused_before_any_credentials_are_fetched(
        aws, pipeline, destination):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin", destination=destination)
    assert caught.value.code == "invalid_request"
    assert aws.sts_calls == [] and aws.federation_requests == []


def test_profile_destination_is_used(aws, aws_home, pipeline):
    aws_home.write_config(CONFIG.replace("roleport_container = Production",
                                         "roleport_destination = /s3/buckets"))
    result = pipeline.login("admin")
    assert login_query(result)["Destination"] == (
        "https://eu-west-1.console.aws.amazon.com/s3/buckets")


def test_non_loopback_federation_override_is_refused(aws, pipeline, monkeypatch):
    monkeypatch.setenv("ROLEPORT_FEDERATION_URL", "https://evil.example/federation")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == "invalid_request"
    assert "ROLEPORT_FEDERATION_URL" in caught.value.message
    assert aws.sts_calls == []


# -- failures -----------------------------------------------------------------------------

@pytest.mark.parametrize("fault, code", [
    ("http_400", "federation_failed"), ("http_500", "aws_unavailable"),
    ("http_429", "throttled"),
    ("garbage", "federation_failed"), ("connection_reset", "network_error"),
])
def test_federation_failures(aws, pipeline, fault, code):
    aws.inject_federation_fault(fault, count=10)
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == code


def test_federation_timeout(aws):
    aws.inject_federation_fault("timeout", count=10)
    quick = Pipeline(connect_timeout=2, read_timeout=0.5)
    try:
        with pytest.raises(RoleportError) as caught:
            quick.login("admin")
    finally:
        quick.close()
    assert caught.value.code == "timeout"


def test_sts_access_denied(aws, pipeline):
    aws.inject_sts_fault("access_denied", action="AssumeRole", count=5)
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == "access_denied"
    assert "admin" in caught.value.message


def test_trust_policy_requiring_mfa_is_access_denied(aws, pipeline):
    aws.mfa_required_roles.add("arn:aws:iam::123456789012:role/Admin")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == "access_denied"
    assert "sts:AssumeRole" in caught.value.message


def test_sts_expired_token(aws, pipeline):
    aws.inject_sts_fault("expired_token", action="AssumeRole", count=5)
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == "credentials_expired"


def test_expired_source_session_is_credentials_expired(aws, aws_home, pipeline):
    issued = _issue_role_credentials(aws, "Source")
    aws_home.write_credentials(CREDENTIALS + (
        f"\n[temp]\naws_access_key_id = {issued['AccessKeyId']}\n"
        f"aws_secret_access_key = {issued['SecretAccessKey']}\n"
        f"aws_session_token = {issued['SessionToken']}\n"))
    aws_home.write_config(CONFIG + "\n[profile from-temp]\nrole_arn = "
                          "arn:aws:iam::123456789012:role/Next\nsource_profile = temp\n")
    aws.expire_credentials(issued["AccessKeyId"])
    with pytest.raises(RoleportError) as caught:
        pipeline.login("from-temp")
    assert caught.value.code == "credentials_expired"


def test_sts_unreachable_is_network_error(aws, pipeline):
    aws.sts_down = True
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == "network_error"
    assert "STS" in caught.value.message


def test_sts_hanging_is_timeout(aws):
    aws.inject_sts_fault("timeout", count=10)
    quick = Pipeline(connect_timeout=2, read_timeout=0.5)
    try:
        with pytest.raises(RoleportError) as caught:
            quick.login("admin")
    finally:
        quick.close()
    assert caught.value.code == "timeout"
    assert "0.5 seconds" in caught.value.message


def test_throttling_after_retries_is_a_clear_error(aws, pipeline):
    aws.inject_sts_fault("throttling", count=10)
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == "throttled"
    assert "AWS STS" in caught.value.message and "throttl" in caught.value.message
    assert "VPN" not in caught.value.hint


def test_sts_http_429_is_throttled(aws, pipeline):
    aws.inject_sts_fault("http_429", count=10)
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == "throttled"


def test_sts_server_fault_is_aws_unavailable_naming_sts(aws, pipeline):
    aws.inject_sts_fault("http_500", count=10)
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == "aws_unavailable"
    assert "AWS STS answered HTTP 500" in caught.value.message


def test_unknown_profile_hint_names_the_config_file(aws, aws_home, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("ghost")
    assert caught.value.code == "profile_not_found"
    assert str(aws_home.config_file) in caught.value.hint


def test_broken_config_is_config_error(aws, aws_home, pipeline):
    aws_home.write_config(CONFIG + "\nthis is not ini\n")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("admin")
    assert caught.value.code == "config_error"
    assert str(aws_home.config_file) in caught.value.message


def test_bad_console_duration_in_config_is_config_error(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("bad-duration")
    assert caught.value.code == "config_error"
    assert "roleport_console_duration" in caught.value.message


def test_missing_source_profile_is_config_error(aws, aws_home, pipeline):
    aws_home.write_config(CONFIG + "\n[profile orphan]\nrole_arn = "
                          "arn:aws:iam::123456789012:role/X\nsource_profile = nowhere\n")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("orphan")
    assert caught.value.code == "config_error"
    assert "nowhere" in caught.value.message


def test_profile_without_credentials_is_no_credentials(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("lonely")
    assert caught.value.code == "no_credentials"


def test_unknown_profile(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("nope")
    assert caught.value.code == "profile_not_found"


def test_aws_profile_naming_a_missing_profile_does_not_break_other_logins(
        aws, pipeline, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "missing")
    assert pipeline.login("admin").identity["role"] == "Admin"


@pytest.mark.parametrize("kwargs", [
    {"profile": ""}, {"profile": None}, {"profile": 42}, {"profile": "a\x00b"},
    {"profile": "admin", "region": "moon-1"}, {"profile": "admin", "duration": 10},
    {"profile": "admin", "duration": "3600"}, {"profile": "admin", "issuer": "x" * 300},
])
def test_bad_arguments_are_invalid_request(aws, pipeline, kwargs):
    with pytest.raises(RoleportError) as caught:
        pipeline.login(**kwargs)
    assert caught.value.code == "invalid_request"


# -- warm state ---------------------------------------------------------------------------

def test_config_changes_are_picked_up_by_the_same_pipeline(aws, aws_home, pipeline):
    assert "added" not in [profile.name for profile in pipeline.profiles()]
    aws_home.write_config(CONFIG + "\n[profile added]\nrole_arn = "
                          "arn:aws:iam::123456789012:role/Added\nsource_profile = dev\n")
    assert "added" in [profile.name for profile in pipeline.profiles()]
    assert pipeline.login("added").identity["role"] == "Added"


def test_warm_up_makes_no_aws_call(aws, pipeline):
    pipeline.warm_up()
    assert aws.sts_calls == [] and aws.federation_requests == []
    assert pipeline.login("admin").identity["account"] == "123456789012"


def test_concurrent_logins_from_a_thread_pool(aws, pipeline):
    names = ["admin", "deep", "dev", "short"] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(pipeline.login, names))
    tokens = {login_query(result)["SigninToken"] for result in results}
    assert len(tokens) == len(names)
    assert all(aws.signin_token_identity(token) is not None for token in tokens)
    assert [result.identity["role"] for result in results[:4]] == [
        "Admin", "Deep", None, "Short"]


def test_importing_the_pipeline_does_not_import_botocore_or_requests():
    code = ("import sys, roleport.pipeline, roleport.profiles, roleport.federation, "
            "roleport.cli; "
            "print(sorted(m for m in ('botocore', 'requests', 'urllib3') if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60, env={**os.environ, "PYTHONPATH": ""})
    assert output.stdout.strip() == "[]"


# -- the blog post's flow -----------------------------------------------------------------

def test_login_role_assumes_the_role_built_from_account_and_name(aws, pipeline):
    result = pipeline.login_role("999999999999", "CrossAccountSignin", source_profile="dev")
    [call] = sts_actions(aws, "AssumeRole", "CrossAccountSignin")
    assert call.params["RoleArn"] == "arn:aws:iam::999999999999:role/CrossAccountSignin"
    assert call.params["RoleSessionName"] == "roleport-dev"
    assert result.identity["account"] == "999999999999"
    assert result.identity["role"] == "CrossAccountSignin"
    identity = aws.signin_token_identity(login_query(result)["SigninToken"])
    assert identity is not None and identity.account == "999999999999"
    assert token_requests(aws)[0].session_duration == "43200"


def test_login_role_uses_aws_profile_as_default_source(aws, pipeline, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "dev")
    assert pipeline.login_role("999999999999", "Reader").identity["role"] == "Reader"


def test_login_role_from_a_role_is_chained(aws, pipeline):
    pipeline.login_role("999999999999", "CrossAccountSignin", source_profile="admin")
    [request] = token_requests(aws)
    assert request.kind == CHAINED_ROLE and request.session_duration is None


def test_login_role_partition_follows_the_source(aws, pipeline):
    result = pipeline.login_role("999999999999", "Cross", source_profile="gov")
    [call] = sts_actions(aws, "AssumeRole", "role/Cross")
    assert call.params["RoleArn"] == "arn:aws-us-gov:iam::999999999999:role/Cross"
    assert result.identity["partition"] == "aws-us-gov"


@pytest.mark.parametrize("account, role", [
    ("12345", "Role"), ("12345678901a", "Role"), ("123456789012", "bad/role"),
    ("123456789012", ""), ("123456789012", "x" * 65),
    ("\u0661" * 12, "Role"), ("123456789012", "R\u00f4le"),
])
def test_login_role_refuses_bad_account_or_role(aws, pipeline, account, role):
    with pytest.raises(RoleportError) as caught:
        pipeline.login_role(account, role, source_profile="dev")
    assert caught.value.code == "invalid_request"
    assert aws.sts_calls == []


def test_concurrent_first_logins_on_a_cold_pipeline_including_sso(aws, aws_home):
    aws.sso_login(aws_home.home, start_url="https://corp.awsapps.com/start",
                  session_name="corp")
    aws.sso_login(aws_home.home, start_url="https://legacy.awsapps.com/start")
    names = ["sso-dev", "sso-legacy", "admin", "dev", "deep", "gov", "short", "sso-dev"]
    cold = Pipeline()  # no warm_up: every lazy botocore component is built under load
    try:
        with ThreadPoolExecutor(max_workers=len(names)) as pool:
            results = list(pool.map(cold.login, names))
    finally:
        cold.close()
    assert [result.identity["account"] for result in results] == [
        "333333333333", "444444444444", "123456789012", "123456789012", "210987654321",
        "555555555555", "123456789012", "333333333333"]
    tokens = {login_query(result)["SigninToken"] for result in results}
    assert all(aws.signin_token_identity(token) is not None for token in tokens)


def test_aws_validation_error_names_the_profile_setting(aws, aws_home, pipeline):
    aws_home.write_config(CONFIG + "\n[profile long-chain]\nrole_arn = "
                          "arn:aws:iam::210987654321:role/Long\nsource_profile = admin\n"
                          "duration_seconds = 7200\n")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("long-chain")
    assert caught.value.code == "config_error"
    assert "long-chain" in caught.value.message
    assert "DurationSeconds" in caught.value.message  # AWS's own explanation


@pytest.mark.parametrize("setting, parameter", [
    ("duration_seconds = 60", "DurationSeconds"),
    ("role_session_name = x", "RoleSessionName"),
    ("external_id = x", "ExternalId"),
])
def test_a_profile_setting_botocore_refuses_is_config_error_not_a_bug(
        aws, aws_home, pipeline, setting, parameter):
    # botocore validates parameters before calling STS: a setting out of range is the user's
    # config to fix, not an internal error asking for a bug report.
    aws_home.write_config(CONFIG + "\n[profile odd]\nrole_arn = "
                          "arn:aws:iam::123456789012:role/Admin\nsource_profile = dev\n"
                          f"{setting}\n")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("odd")
    assert caught.value.code == "config_error"
    assert "'odd'" in caught.value.message
    assert parameter in caught.value.message
    assert sts_actions(aws, "AssumeRole") == []


@pytest.mark.parametrize("region", ["eu-west", "x.evil.example#", "EU-WEST-1"])
def test_a_malformed_region_in_the_profile_is_config_error_before_any_call(
        aws, aws_home, pipeline, region):
    # The region becomes the STS and sign-in host names: a typo must say so, and must never
    # steer credentials to another host.
    aws_home.write_config(CONFIG + "\n[profile typo]\nrole_arn = "
                          "arn:aws:iam::123456789012:role/Admin\nsource_profile = dev\n"
                          f"region = {region}\n")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("typo")
    assert caught.value.code == "config_error"
    assert "'typo'" in caught.value.message and "region" in caught.value.message
    assert aws.sts_calls == [] and aws.federation_requests == []


def test_a_malformed_aws_region_variable_is_config_error(aws, pipeline, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west")
    pipeline.warm_up()  # warming up is not the place to report it
    with pytest.raises(RoleportError) as caught:
        pipeline.login("mfa", mfa_code="123456")  # a profile without its own region
    assert caught.value.code == "config_error"
    assert "AWS_REGION='eu-west'" in caught.value.message
    assert aws.sts_calls == []


def test_login_role_without_any_profile_uses_environment_keys(aws, aws_home, pipeline,
                                                              monkeypatch):
    aws_home.write_config("")
    aws_home.write_credentials("")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEENVKEY001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret-not-real")
    result = pipeline.login_role("999999999999", "CrossAccountSignin")
    [call] = sts_actions(aws, "AssumeRole", "CrossAccountSignin")
    assert call.caller_key_id == "AKIAEXAMPLEENVKEY001"
    assert call.params["RoleSessionName"] == "roleport-user"
    assert result.identity["partition"] == "aws"


def test_login_role_without_any_source_is_no_credentials(aws, aws_home, pipeline):
    aws_home.write_config("")
    aws_home.write_credentials("")
    with pytest.raises(RoleportError) as caught:
        pipeline.login_role("999999999999", "CrossAccountSignin")
    assert caught.value.code == "no_credentials"
    assert "AWS_PROFILE" in caught.value.message


def test_login_role_with_a_missing_named_source(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login_role("999999999999", "CrossAccountSignin", source_profile="ghost")
    assert caught.value.code == "profile_not_found"


def test_listing_profiles_does_not_need_the_botocore_session(aws_home):
    aws_home.write_config(CONFIG)
    code = ("import sys; from roleport.pipeline import Pipeline; "
            "names = [p.name for p in Pipeline().profiles()]; "
            "print('admin' in names, 'botocore.session' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert output.stdout.split() == ["True", "False"]


# -- the console session's end (PROTOCOL.md "login": session_expires_at) -------------------
def _session_end(result: LoginResult) -> datetime:
    assert result.session_expires_at is not None
    return datetime.strptime(result.session_expires_at, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)


def _console_end(aws, result: LoginResult) -> datetime:
    end = aws.signin_token_console_end(login_query(result)["SigninToken"])
    assert end is not None
    return end


@pytest.mark.parametrize(("profile", "duration", "expected"), [
    ("admin", None, timedelta(hours=12)),          # SessionDuration 43200 sent
    ("admin", 7200, timedelta(hours=2)),           # the asked duration
    ("short", None, timedelta(hours=1)),           # roleport_console_duration
    ("deep", 7200, timedelta(hours=1)),            # chained: the credentials' hour, not 7200
    ("dev", None, timedelta(hours=12)),            # GetFederationToken's own 43200 s
])
def test_session_end_is_the_console_session_the_stand_in_opens(
        aws, pipeline, profile, duration, expected):
    result = pipeline.login(profile, duration=duration)
    end = _session_end(result)
    # The stand-in decides like AWS (SessionDuration, else the credentials' expiration).
    assert abs(end - _console_end(aws, result)) < timedelta(seconds=5)
    assert abs(end - datetime.now(timezone.utc) - expected) < timedelta(minutes=1)
    assert result.session_expires_at in repr(result)


def test_session_end_of_cached_chained_credentials_is_their_remaining_time(
        aws, pipeline, aws_home):
    pipeline.login("deep")
    _rewrite_cached_expiry(aws_home, "/Deep/", timedelta(minutes=55))
    result = pipeline.login("deep")
    assert len(sts_actions(aws, "AssumeRole", "role/Deep")) == 1  # from the cache
    remaining = _session_end(result) - datetime.now(timezone.utc)
    assert timedelta(minutes=54) < remaining <= timedelta(minutes=55)


def test_session_end_of_an_sso_profile(aws, aws_home, pipeline):
    aws.sso_login(aws_home.home, start_url="https://corp.awsapps.com/start",
                  session_name="corp")
    result = pipeline.login("sso-dev", duration=3600)
    assert abs(_session_end(result) - _console_end(aws, result)) < timedelta(seconds=5)


def test_session_end_of_login_role(aws, pipeline):
    result = pipeline.login_role("123456789012", "Admin", source_profile="dev")
    assert abs(_session_end(result) - _console_end(aws, result)) < timedelta(seconds=5)


# -- a bug inside the pipeline ----------------------------------------------------------------

SECRET_IN_A_BUG = "ASIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG"


def _raise_bug(*_args, **_kwargs):
    raise RuntimeError(f"boom {SECRET_IN_A_BUG}")


@pytest.mark.parametrize(("broken", "call", "detail"), [
    ("load_snapshot", lambda pipeline: pipeline.profiles(), "RuntimeError while listing profiles"),
    ("load_snapshot", lambda pipeline: pipeline.warm_up(), "RuntimeError while warming up"),
    ("Pipeline._login", lambda pipeline: pipeline.login("ad\nmin"),
     "RuntimeError while signing in profile 'ad?min'"),
    ("Pipeline._login_role", lambda pipeline: pipeline.login_role("123456789012", "Admin"),
     "RuntimeError while signing in to a role"),
    ("Pipeline._login_sso_role",
     lambda pipeline: pipeline.login_sso_role("corp", "333333333333", "Developer"),
     "RuntimeError while signing in to an IAM Identity Center role"),
])
def test_an_unexpected_exception_is_an_internal_error_naming_its_class_not_its_text(
        aws, monkeypatch, broken, call, detail):
    import roleport.pipeline as module

    owner, _, name = broken.rpartition(".")
    monkeypatch.setattr(getattr(module, owner) if owner else module, name, _raise_bug)
    pipeline = Pipeline()
    try:
        with pytest.raises(RoleportError) as caught:
            call(pipeline)
    finally:
        pipeline.close()
    assert caught.value.code == "internal_error"
    assert caught.value.message == f"Internal error: {detail}"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert SECRET_IN_A_BUG not in json.dumps(caught.value.to_dict())
