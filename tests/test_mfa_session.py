"""One MFA code per device: GetSessionToken once, every role behind the device from that
session, against the real stand-in (moto STS behind the rule-enforcing proxy)."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from roleport.credentials.mfa_session import (
    MfaSessions,
    MfaStep,
    active_sessions,
    forget_all,
    mfa_step,
    session_key,
)
from roleport.errors import RoleportError
from roleport.pipeline import Pipeline

from support.standin import CHAINED_ROLE, ROLE, SESSION_TOKEN

SERIAL = "arn:aws:iam::111111111111:mfa/alice"

CONFIG = f"""
[profile dev]
region = eu-west-1

[profile guarded]
role_arn = arn:aws:iam::123456789012:role/Guarded
source_profile = dev
mfa_serial = {SERIAL}
region = eu-west-1

[profile other]
role_arn = arn:aws:iam::210987654321:role/Other
source_profile = dev
mfa_serial = {SERIAL}
region = eu-west-1

[profile after-guarded]
role_arn = arn:aws:iam::333333333333:role/AfterGuarded
source_profile = guarded
region = eu-west-1

[profile plain]
role_arn = arn:aws:iam::123456789012:role/Plain
source_profile = dev
region = eu-west-1
"""

CREDENTIALS = """
[dev]
aws_access_key_id = AKIAEXAMPLEDEVUSER01
aws_secret_access_key = dev-user-secret-not-real
"""

STEP = MfaStep("guarded", "dev", SERIAL)


@pytest.fixture
def aws(standin, aws_home):
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    return standin


def calls(aws, action: str, role_fragment: str = "") -> list:
    return [call for call in aws.sts_calls if call.action == action and call.status == 200
            and role_fragment in call.params.get("RoleArn", "")]


def session_file(aws_home) -> Path:
    return aws_home.home / ".aws" / "cli" / "cache" / (session_key(STEP) + ".json")


def token_requests(aws) -> list:
    return [r for r in aws.federation_requests if r.action == "getSigninToken"]


# -- one code per device --------------------------------------------------------------------

def test_two_roles_behind_one_device_need_one_code(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("guarded")
    assert caught.value.code == "mfa_required"
    assert caught.value.to_dict()["mfa_serial"] == SERIAL

    first = pipeline.login("guarded", mfa_code="123456")
    second = pipeline.login("other")  # the same device: no code
    assert (first.identity["role"], second.identity["role"]) == ("Guarded", "Other")

    [session_call] = calls(aws, "GetSessionToken")
    assert session_call.params["SerialNumber"] == SERIAL
    assert session_call.params["TokenCode"] == "123456"
    assert session_call.params["DurationSeconds"] == "43200"  # AWS's default, 12 hours
    session_key_id = next(c.access_key_id for c in aws.issued if c.kind == SESSION_TOKEN)
    for role in ("role/Guarded", "role/Other"):
        [assume] = calls(aws, "AssumeRole", role)
        assert "SerialNumber" not in assume.params and "TokenCode" not in assume.params
        assert assume.caller_key_id == session_key_id  # signed with the MFA session


def test_a_trust_policy_requiring_mfa_accepts_the_session(aws, pipeline):
    aws.mfa_required_roles.update({"arn:aws:iam::123456789012:role/Guarded",
                                   "arn:aws:iam::210987654321:role/Other"})
    pipeline.login("guarded", mfa_code="123456")
    assert pipeline.login("other").identity["role"] == "Other"


def test_another_process_reuses_the_session(aws, pipeline):
    # The CLI and the browser's host are separate processes: the session lives on disk.
    pipeline.login("guarded", mfa_code="123456")
    other_process = Pipeline()
    try:
        assert other_process.login("other").identity["role"] == "Other"
    finally:
        other_process.close()
    assert len(calls(aws, "GetSessionToken")) == 1


def test_a_profile_without_mfa_is_untouched(aws, pipeline):
    pipeline.login("guarded", mfa_code="123456")
    pipeline.login("plain")
    [assume] = calls(aws, "AssumeRole", "role/Plain")
    assert assume.caller_key_id == "AKIAEXAMPLEDEVUSER01"  # the user's own keys


def test_an_account_role_assumed_from_an_mfa_role_uses_the_session(aws, pipeline):
    # `roleport login --account-id ... --role-name ... --profile guarded`: the source is the
    # MFA role, assumed from the device's session; the target is chained behind it.
    pipeline.login("other", mfa_code="123456")
    result = pipeline.login_role("444444444444", "CrossAccount", source_profile="guarded")
    assert result.identity["role"] == "CrossAccount"
    assert len(calls(aws, "GetSessionToken")) == 1
    assert [c for c in aws.sts_calls if c.params.get("SerialNumber")] == calls(
        aws, "GetSessionToken")
    [request] = token_requests(aws)[-1:]
    assert request.kind == CHAINED_ROLE and request.session_duration is None


def test_an_account_role_from_an_mfa_role_without_a_session_asks_for_the_code(aws, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login_role("444444444444", "CrossAccount", source_profile="guarded")
    assert caught.value.code == "mfa_required"
    assert caught.value.to_dict()["mfa_serial"] == SERIAL
    result = pipeline.login_role("444444444444", "CrossAccount", source_profile="guarded",
                                 mfa_code="123456")
    assert result.identity["role"] == "CrossAccount"


# -- the console session rules ------------------------------------------------------------

def test_a_role_from_the_session_is_not_chained_and_gets_twelve_hours(aws, pipeline):
    pipeline.login("guarded", mfa_code="123456")
    pipeline.login("other", duration=43200)
    requests = token_requests(aws)
    assert [r.session_duration for r in requests] == ["43200", "43200"]
    assert [r.kind for r in requests] == [ROLE, ROLE]
    assert all(r.status == 200 for r in requests)


def test_a_role_chained_behind_the_mfa_role_keeps_the_one_hour_rule(aws, pipeline):
    pipeline.login("guarded", mfa_code="123456")
    result = pipeline.login("after-guarded", duration=43200)  # no code: the session covers it
    [request] = token_requests(aws)[-1:]
    assert request.kind == CHAINED_ROLE and request.status == 200
    assert request.session_duration is None  # chained: no SessionDuration
    assert result.identity["role"] == "AfterGuarded"
    [assume] = calls(aws, "AssumeRole", "role/AfterGuarded")
    assert int(assume.params.get("DurationSeconds", "3600")) <= 3600


def test_the_session_duration_comes_from_the_users_profile(aws, aws_home, pipeline):
    aws_home.write_config(CONFIG.replace("[profile dev]\n",
                                         "[profile dev]\nroleport_mfa_session_duration = 3600\n"))
    pipeline.login("guarded", mfa_code="123456")
    [session_call] = calls(aws, "GetSessionToken")
    assert session_call.params["DurationSeconds"] == "3600"


# -- the cache -----------------------------------------------------------------------------

def test_the_session_file_is_private_and_no_secret_reaches_the_log(aws, aws_home, pipeline,
                                                                    caplog):
    caplog.set_level("DEBUG")
    aws.mfa_codes = {"864209"}  # a code no account id or timestamp contains
    pipeline.login("guarded", mfa_code="864209")
    path = session_file(aws_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    entry = json.loads(path.read_text())
    assert entry["MfaSerial"] == SERIAL and entry["SourceProfile"] == "dev"
    assert "AKIAEXAMPLEDEVUSER01" not in path.read_text()  # only a digest of the user's key
    secret = entry["Credentials"]["SecretAccessKey"]
    token = entry["Credentials"]["SessionToken"]
    # roleport's own records (botocore's wire dumps at DEBUG go through the log file's
    # redaction filter, tested in test_logs.py).
    logged = "\n".join(record.getMessage() for record in caplog.records
                       if record.name.startswith("roleport"))
    assert "started an MFA session" in logged
    assert secret not in logged
    assert token not in logged
    assert "864209" not in logged
    assert entry["Credentials"]["AccessKeyId"] not in logged


def test_a_wrong_code_stores_nothing_and_the_right_one_works(aws, aws_home, pipeline):
    with pytest.raises(RoleportError) as caught:
        pipeline.login("guarded", mfa_code="000000")
    assert caught.value.code == "mfa_invalid"
    assert caught.value.to_dict()["mfa_serial"] == SERIAL
    assert not session_file(aws_home).exists()
    with pytest.raises(RoleportError) as again:
        pipeline.login("other")  # still no session: a code is asked for
    assert again.value.code == "mfa_required"
    assert pipeline.login("other", mfa_code="123456").identity["role"] == "Other"


def _set_session_expiry(aws_home, remaining: timedelta) -> None:
    path = session_file(aws_home)
    entry = json.loads(path.read_text())
    entry["Credentials"]["Expiration"] = (
        datetime.now(timezone.utc) + remaining).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(entry))


def test_an_expired_session_asks_again(aws, aws_home, pipeline):
    pipeline.login("guarded", mfa_code="123456")
    _set_session_expiry(aws_home, timedelta(seconds=30))  # about to end: not worth using
    with pytest.raises(RoleportError) as caught:
        pipeline.login("other")
    assert caught.value.code == "mfa_required"
    pipeline.login("other", mfa_code="123456")
    assert len(calls(aws, "GetSessionToken")) == 2


def test_a_session_aws_no_longer_accepts_is_forgotten(aws, aws_home, pipeline):
    pipeline.login("guarded", mfa_code="123456")
    session_key_id = next(c.access_key_id for c in aws.issued if c.kind == SESSION_TOKEN)
    aws.expire_credentials(session_key_id)  # AWS says ExpiredToken, the file does not know
    with pytest.raises(RoleportError) as caught:
        pipeline.login("other")
    assert caught.value.code == "mfa_required"
    assert caught.value.to_dict()["mfa_serial"] == SERIAL
    assert not session_file(aws_home).exists()


def test_rotated_keys_ask_again(aws, aws_home, pipeline):
    pipeline.login("guarded", mfa_code="123456")
    aws_home.write_credentials(CREDENTIALS.replace("AKIAEXAMPLEDEVUSER01",
                                                   "AKIAEXAMPLEDEVUSER02"))
    with pytest.raises(RoleportError) as caught:
        pipeline.login("other")
    assert caught.value.code == "mfa_required"


def test_a_broken_session_file_is_a_miss(aws, aws_home, pipeline):
    pipeline.login("guarded", mfa_code="123456")
    session_file(aws_home).write_text("{not json")
    with pytest.raises(RoleportError) as caught:
        pipeline.login("other")
    assert caught.value.code == "mfa_required"


def test_forget_all_deletes_only_mfa_sessions(aws, aws_home, pipeline):
    pipeline.login("plain")
    pipeline.login("guarded", mfa_code="123456")
    folder = session_file(aws_home).parent
    before = {p.name for p in folder.glob("*.json")}
    [deleted] = forget_all()
    assert Path(deleted) == session_file(aws_home)
    assert {p.name for p in folder.glob("*.json")} == before - {session_file(aws_home).name}


# -- which profiles a session covers --------------------------------------------------------

def test_active_sessions_list_the_covered_profiles(aws, aws_home, pipeline):
    from roleport.credentials.mfa_session import new_mfa_sessions
    from roleport.profiles import load_snapshot

    def listed():
        snapshot = load_snapshot()
        names = [p.name for p in snapshot.profiles if p.mfa]
        return active_sessions(names, snapshot.full_config["profiles"], new_mfa_sessions())

    assert listed() == []
    pipeline.login("guarded", mfa_code="123456")
    [session] = listed()
    assert session["mfa_serial"] == SERIAL and session["source_profile"] == "dev"
    assert sorted(session["profiles"]) == ["after-guarded", "guarded", "other"]
    expires = datetime.fromisoformat(session["expires_at"].replace("Z", "+00:00"))
    assert timedelta(hours=11) < expires - datetime.now(timezone.utc) <= timedelta(hours=12)


# -- pure rules ------------------------------------------------------------------------------

@pytest.mark.parametrize(("profiles", "expected"), [
    ({"r": {"role_arn": "a", "source_profile": "u", "mfa_serial": "s"},
      "u": {"aws_access_key_id": "k", "aws_secret_access_key": "x"}}, MfaStep("r", "u", "s")),
    # a source with a session token, SSO or a role cannot call GetSessionToken
    ({"r": {"role_arn": "a", "source_profile": "u", "mfa_serial": "s"},
      "u": {"aws_access_key_id": "k", "aws_secret_access_key": "x",
            "aws_session_token": "t"}}, None),
    ({"r": {"role_arn": "a", "source_profile": "u", "mfa_serial": "s"},
      "u": {"sso_session": "corp"}}, None),
    ({"r": {"role_arn": "a", "source_profile": "u"},
      "u": {"aws_access_key_id": "k", "aws_secret_access_key": "x"}}, None),
    ({"r": {"role_arn": "a", "credential_source": "Environment", "mfa_serial": "s"}}, None),
    # an MFA role in the middle of a chain, over another role, is left to botocore
    ({"top": {"role_arn": "a", "source_profile": "r"},
      "r": {"role_arn": "b", "source_profile": "u", "mfa_serial": "s"},
      "u": {"aws_access_key_id": "k", "aws_secret_access_key": "x"}}, MfaStep("r", "u", "s")),
    ({"r": {"role_arn": "a", "source_profile": "mid", "mfa_serial": "s"},
      "mid": {"role_arn": "b", "source_profile": "u"},
      "u": {"aws_access_key_id": "k", "aws_secret_access_key": "x"}}, None),
])
def test_mfa_step(profiles, expected):
    name = "top" if "top" in profiles else "r"
    assert mfa_step(name, profiles) == expected


def test_a_session_is_valid_only_for_its_keys_and_before_its_end():
    now = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    cache: dict = {}
    sessions = MfaSessions(cache, now=lambda: now)

    class Client:
        def get_session_token(self, **params):
            assert params == {"SerialNumber": "s", "TokenCode": "123456",
                              "DurationSeconds": 3600}
            return {"Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret-x",
                                    "SessionToken": "t",
                                    "Expiration": now + timedelta(hours=1)}}

    step = MfaStep("r", "u", "s")
    sessions.start(Client(), step, "AKIAUSER", "123456", 3600)
    assert sessions.valid(step, "AKIAUSER") is not None
    assert sessions.valid(step, "AKIAOTHER") is None
    later = MfaSessions(cache, now=lambda: now + timedelta(minutes=59))
    assert later.valid(step, "AKIAUSER") is None  # under two minutes left
    assert "secret-x" not in repr(sessions.valid(step))
    assert sessions.forget(step) and not sessions.forget(step)
