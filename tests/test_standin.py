"""The stand-in itself, proven with boto3 and requests directly (no roleport code)."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from support.standin import (
    CHAINED_ROLE,
    FEDERATION_TOKEN,
    INVALID_CREDENTIALS_TEXT,
    LOGOUT_FIRST_TEXT,
    MFA_FAILED_MESSAGE,
    ROLE,
    SESSION_TOKEN,
    StandIn,
)

STATIC_KEY = ("AKIASTATICUSER000001", "static-secret")
ROLE_A = "arn:aws:iam::111111111111:role/Admin"
ROLE_B = "arn:aws:iam::222222222222:role/ReadOnly"
DESTINATION = "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1},
                    connect_timeout=2, read_timeout=5)


def sts_client(standin: StandIn, key_id: str, secret: str, token: str | None = None,
               config: Config = NO_RETRIES) -> Any:
    return boto3.client("sts", endpoint_url=standin.sts_url, region_name="us-east-1",
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        aws_session_token=token, config=config)


def assume(standin: StandIn, role_arn: str = ROLE_A, session: str = "alice",
           creds: dict[str, str] | None = None, **extra: Any) -> dict[str, str]:
    if creds is None:
        client = sts_client(standin, *STATIC_KEY)
    else:
        client = sts_client(standin, creds["AccessKeyId"], creds["SecretAccessKey"],
                            creds["SessionToken"])
    return client.assume_role(RoleArn=role_arn, RoleSessionName=session, **extra)["Credentials"]


def session_param(creds: dict[str, str]) -> str:
    return json.dumps({"sessionId": creds["AccessKeyId"], "sessionKey": creds["SecretAccessKey"],
                       "sessionToken": creds["SessionToken"]})


def get_signin_token(standin: StandIn, creds: dict[str, str],
                     duration: int | None = None) -> requests.Response:
    form = {"Action": "getSigninToken", "Session": session_param(creds)}
    if duration is not None:
        form["SessionDuration"] = str(duration)
    return requests.post(standin.federation_url, data=form, timeout=5)


def signin_token(standin: StandIn, creds: dict[str, str]) -> str:
    response = get_signin_token(standin, creds)
    assert response.status_code == 200, response.text
    return response.json()["SigninToken"]


def login(standin: StandIn, browser: requests.Session, token: str,
          destination: str = DESTINATION) -> requests.Response:
    return browser.get(standin.federation_url, timeout=5, params={
        "Action": "login", "Issuer": "https://example.invalid/roleport",
        "Destination": destination, "SigninToken": token})


# -- STS: recording and chained detection --------------------------------------------------
def test_assume_role_is_recorded_with_kind_arn_and_caller(standin: StandIn) -> None:
    creds = assume(standin)
    [issued] = standin.issued
    assert issued.access_key_id == creds["AccessKeyId"]
    assert issued.access_key_id.startswith("ASIA")
    assert issued.kind == ROLE
    assert issued.arn == "arn:aws:sts::111111111111:assumed-role/Admin/alice"
    assert issued.caller_key_id == STATIC_KEY[0]
    assert issued.expiration == creds["Expiration"]
    [call] = standin.sts_calls
    assert (call.action, call.status, call.caller_key_id) == ("AssumeRole", 200, STATIC_KEY[0])
    assert call.params["RoleArn"] == ROLE_A


def test_assume_role_signed_with_role_credentials_is_chained(standin: StandIn) -> None:
    first = assume(standin)
    second = assume(standin, ROLE_B, "bob", creds=first)
    kinds = {record.access_key_id: record.kind for record in standin.issued}
    assert kinds == {first["AccessKeyId"]: ROLE, second["AccessKeyId"]: CHAINED_ROLE}
    assert standin.issued_credential(second["AccessKeyId"]).caller_key_id == first["AccessKeyId"]


def test_chained_role_longer_than_one_hour_is_refused(standin: StandIn) -> None:
    first = assume(standin)
    with pytest.raises(ClientError) as error:
        assume(standin, ROLE_B, creds=first, DurationSeconds=7200)
    assert error.value.response["Error"]["Code"] == "ValidationError"


def test_federation_and_session_tokens_are_recorded_with_their_kinds(standin: StandIn) -> None:
    client = sts_client(standin, *STATIC_KEY)
    federated = client.get_federation_token(Name="carol")["Credentials"]
    session = client.get_session_token()["Credentials"]
    kinds = {record.access_key_id: record.kind for record in standin.issued}
    assert kinds == {federated["AccessKeyId"]: FEDERATION_TOKEN,
                     session["AccessKeyId"]: SESSION_TOKEN}
    # moto answers GetSessionToken with a fixed AKIA key; the proxy makes it a fresh ASIA key.
    assert session["AccessKeyId"].startswith("ASIA")


def test_unknown_temporary_key_is_rejected_like_aws(standin: StandIn) -> None:
    client = sts_client(standin, "ASIANEVERISSUED00000", "secret", "token")
    with pytest.raises(ClientError) as error:
        client.get_caller_identity()
    assert error.value.response["Error"]["Code"] == "InvalidClientTokenId"


# -- federation: getSigninToken rules ------------------------------------------------------
def test_signin_token_for_role_credentials_with_session_duration(standin: StandIn) -> None:
    creds = assume(standin)
    response = get_signin_token(standin, creds, duration=43200)
    assert response.status_code == 200
    token = response.json()["SigninToken"]
    assert standin.signin_token_identity(token).arn.endswith(":assumed-role/Admin/alice")
    [request] = standin.federation_requests
    assert (request.action, request.status, request.kind, request.session_duration) == (
        "getSigninToken", 200, ROLE, "43200")
    assert request.access_key_id == creds["AccessKeyId"]


@pytest.mark.parametrize("duration", [899, 43201])
def test_session_duration_outside_range_is_400(standin: StandIn, duration: int) -> None:
    response = get_signin_token(standin, assume(standin), duration=duration)
    assert response.status_code == 400
    assert INVALID_CREDENTIALS_TEXT in response.text


def test_session_duration_with_chained_role_is_400_but_allowed_without(
        standin: StandIn) -> None:
    chained = assume(standin, ROLE_B, creds=assume(standin))
    refused = get_signin_token(standin, chained, duration=3600)
    assert refused.status_code == 400
    assert refused.headers["Content-Type"].startswith("text/html")
    assert INVALID_CREDENTIALS_TEXT in refused.text
    assert standin.federation_requests[-1].reason == "SessionDuration not allowed for chained_role"
    assert get_signin_token(standin, chained).status_code == 200


def test_session_duration_with_federation_token_is_400(standin: StandIn) -> None:
    federated = sts_client(standin, *STATIC_KEY).get_federation_token(Name="carol")["Credentials"]
    assert get_signin_token(standin, federated, duration=3600).status_code == 400
    response = get_signin_token(standin, federated)
    assert response.status_code == 200
    identity = standin.signin_token_identity(response.json()["SigninToken"])
    assert (identity.role, identity.session_name) == (None, "carol")


def test_long_term_keys_and_session_tokens_cannot_sign_in(standin: StandIn) -> None:
    static = {"AccessKeyId": STATIC_KEY[0], "SecretAccessKey": STATIC_KEY[1], "SessionToken": ""}
    assert get_signin_token(standin, static).status_code == 400
    assert "long-term" in (standin.federation_requests[-1].reason or "")
    session = sts_client(standin, *STATIC_KEY).get_session_token()["Credentials"]
    assert get_signin_token(standin, session).status_code == 400


def test_wrong_secret_or_token_and_expired_credentials_are_400(standin: StandIn) -> None:
    creds = assume(standin)
    assert get_signin_token(standin, {**creds, "SecretAccessKey": "wrong"}).status_code == 400
    assert get_signin_token(standin, {**creds, "SessionToken": "wrong"}).status_code == 400
    assert get_signin_token(standin, {"AccessKeyId": "x"}
                            | {"SecretAccessKey": "", "SessionToken": ""}).status_code == 400
    standin.expire_credentials(creds["AccessKeyId"])
    assert get_signin_token(standin, creds).status_code == 400
    assert standin.federation_requests[-1].reason == "credentials expired"


def test_get_signin_token_also_works_with_get(standin: StandIn) -> None:
    creds = assume(standin)
    response = requests.get(standin.federation_url, timeout=5, params={
        "Action": "getSigninToken", "Session": session_param(creds)})
    assert response.status_code == 200
    assert standin.federation_requests[-1].method == "GET"


# -- federation: login, console, logout ----------------------------------------------------
def test_login_sets_cookie_and_console_shows_identity_and_destination(
        standin: StandIn) -> None:
    browser = requests.Session()
    response = login(standin, browser, signin_token(standin, assume(standin)))
    assert response.status_code == 200
    assert response.url.startswith(standin.console_url)
    assert "Signed in as Admin/alice in account 111111111111" in response.text
    assert 'data-account="111111111111"' in response.text
    assert 'data-role="Admin"' in response.text
    assert DESTINATION.replace("&", "&amp;") in response.text
    again = browser.get(standin.console_url, timeout=5)
    assert "Signed in as Admin/alice" in again.text
    assert "Not signed in" in requests.get(standin.console_url, timeout=5).text


def test_console_session_expires_on_the_stand_in_clock_to_the_session_expired_page(
        standin: StandIn) -> None:
    browser = requests.Session()
    creds = assume(standin)
    response = get_signin_token(standin, creds, duration=900)
    assert response.status_code == 200, response.text
    login(standin, browser, response.json()["SigninToken"])
    assert "Signed in as Admin/alice" in browser.get(standin.console_url, timeout=5).text
    standin.advance_clock(899)
    assert "Signed in as Admin/alice" in browser.get(standin.console_url, timeout=5).text
    standin.advance_clock(2)
    expired = browser.get(standin.console_url, timeout=5)
    assert expired.url == f"{standin.base_url}/signin/session-expired"
    assert "Your session has expired." in expired.text
    assert 'href="https://example.invalid/roleport"' in expired.text  # the login's Issuer
    # A jar that never signed in is not "expired": the console says not signed in.
    assert "Not signed in" in requests.get(standin.console_url, timeout=5).text


# -- multi-session (support/standin/multisession.py) ---------------------------------------
def opted_in_browser(standin: StandIn) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{standin.base_url}/multi-session", params={"enable": "true"}, timeout=5)
    assert "Multi-session support is on." in page.text
    assert browser.cookies.get("aws-prism-opt-in") == "true"
    return browser


def role_token(standin: StandIn, account: int, session: str = "alice") -> str:
    return signin_token(standin, assume(standin, f"arn:aws:iam::{account}:role/Admin", session))


def test_multi_session_keeps_identities_side_by_side_on_their_own_console_paths(
        standin: StandIn) -> None:
    browser = opted_in_browser(standin)
    first = login(standin, browser, role_token(standin, 111111111111))
    second = login(standin, browser, role_token(standin, 222222222222))
    for response, account in ((first, "111111111111"), (second, "222222222222")):
        assert f"in account {account}" in response.text
        path = urllib.parse.urlsplit(response.url).path
        assert re.fullmatch(rf"/s/{account}-[a-z0-9]{{8}}/console", path), path
    # Each session's console still shows its own identity.
    assert "in account 111111111111" in browser.get(first.url, timeout=5).text
    assert "in account 222222222222" in browser.get(second.url, timeout=5).text
    # The same identity again replaces its own session, at the same console path.
    again = login(standin, browser, role_token(standin, 111111111111))
    assert again.url.split("?")[0] == first.url.split("?")[0]
    assert len(browser.cookies.get(standin.cookie_name).split(".")) == 2


def test_multi_session_refuses_the_sign_out_bounce_with_400(standin: StandIn) -> None:
    browser = opted_in_browser(standin)
    login(standin, browser, role_token(standin, 111111111111))
    bounce = browser.get(standin.logout_url, timeout=5, params={
        "redirect_uri": login_url(standin, role_token(standin, 222222222222))})
    assert bounce.status_code == 400
    assert standin.federation_requests[-1].action == "logout"
    assert standin.federation_requests[-1].status == 400
    # Not opted in (another jar), the same bounce signs out and in.
    plain = requests.Session()
    login(standin, plain, role_token(standin, 111111111111))
    swapped = plain.get(standin.logout_url, timeout=5, params={
        "redirect_uri": login_url(standin, role_token(standin, 222222222222))})
    assert "in account 222222222222" in swapped.text


def test_multi_session_sixth_identity_gets_the_session_limit_page(standin: StandIn) -> None:
    browser = opted_in_browser(standin)
    for index in range(5):
        signed_in = login(standin, browser, role_token(standin, 100000000000 + index))
        assert "Signed in as" in signed_in.text
    sixth = login(standin, browser, role_token(standin, 100000000005))
    assert sixth.url == f"{standin.base_url}/sessions/limit"
    assert "Session limit reached" in sixth.text
    assert sixth.text.count("<li") == 5
    # The same identity as one of the five is not a sixth: it replaces its session.
    assert "Signed in as" in login(standin, browser, role_token(standin, 100000000002)).text


def test_multi_session_signs_one_session_out_and_expires_on_the_clock(standin: StandIn) -> None:
    browser = opted_in_browser(standin)
    first = login(standin, browser, role_token(standin, 111111111111))
    second = login(standin, browser, role_token(standin, 222222222222))
    differentiator = urllib.parse.urlsplit(first.url).path.split("/")[2]
    out = browser.get(f"{standin.base_url}/sessions/{differentiator}/v1/logout", timeout=5)
    assert "You have signed out." in out.text
    assert "Not signed in" in browser.get(first.url, timeout=5).text
    assert "in account 222222222222" in browser.get(second.url, timeout=5).text
    standin.advance_clock(43201)
    assert "Your session has expired." in browser.get(second.url, timeout=5).text


def test_signin_token_is_single_use(standin: StandIn) -> None:
    token = signin_token(standin, assume(standin))
    assert login(standin, requests.Session(), token).status_code == 200
    reused = login(standin, requests.Session(), token)
    assert reused.status_code == 400
    assert "already been used" in reused.text


def test_signin_token_expires_after_15_minutes(standin: StandIn) -> None:
    token = signin_token(standin, assume(standin))
    standin.advance_clock(15 * 60 + 1)
    expired = login(standin, requests.Session(), token)
    assert expired.status_code == 400
    assert "expired" in expired.text
    assert login(standin, requests.Session(), "forged").status_code == 400


def test_second_identity_in_same_jar_is_refused_until_logout(standin: StandIn) -> None:
    browser = requests.Session()
    assert login(standin, browser, signin_token(standin, assume(standin))).status_code == 200
    token_b = signin_token(standin, assume(standin, ROLE_B, "bob"))
    refused = login(standin, browser, token_b)
    assert refused.status_code == 400
    assert LOGOUT_FIRST_TEXT in refused.text
    # The logout wrapper the product uses: sign out, then follow redirect_uri to the login.
    login_url = requests.Request("GET", standin.federation_url, params={
        "Action": "login", "Destination": DESTINATION, "SigninToken": token_b}).prepare().url
    landed = browser.get(f"{standin.base_url}/oauth", timeout=5,
                         params={"Action": "logout", "redirect_uri": login_url})
    assert landed.status_code == 200
    assert "Signed in as ReadOnly/bob in account 222222222222" in landed.text
    assert [r.status for r in standin.federation_requests if r.action == "logout"] == [302]


def test_same_identity_may_log_in_again_in_same_jar(standin: StandIn) -> None:
    browser = requests.Session()
    assert login(standin, browser, signin_token(standin, assume(standin))).status_code == 200
    assert login(standin, browser, signin_token(standin, assume(standin))).status_code == 200


def test_logout_never_redirects_elsewhere(standin: StandIn) -> None:
    browser = requests.Session()
    login(standin, browser, signin_token(standin, assume(standin)))
    response = browser.get(f"{standin.base_url}/oauth", timeout=5, allow_redirects=False,
                           params={"Action": "logout", "redirect_uri": "https://evil.example/"})
    assert response.status_code == 200
    assert "signed out" in response.text
    assert "Not signed in" in browser.get(standin.console_url, timeout=5).text


# -- STS: MFA ------------------------------------------------------------------------------
MFA_SERIAL = "arn:aws:iam::123456789012:mfa/alice"


def test_mfa_code_accepted_when_in_mfa_codes(standin: StandIn) -> None:
    standin.mfa_codes = {"654321"}
    creds = assume(standin, SerialNumber=MFA_SERIAL, TokenCode="654321")
    assert standin.issued_credential(creds["AccessKeyId"]).kind == ROLE
    assert standin.sts_calls[-1].params["SerialNumber"] == MFA_SERIAL


@pytest.mark.parametrize("code", ["000000", None])
def test_wrong_or_missing_mfa_code_is_access_denied(standin: StandIn, code: str | None) -> None:
    extra = {"SerialNumber": MFA_SERIAL} | ({"TokenCode": code} if code else {})
    with pytest.raises(ClientError) as error:
        assume(standin, **extra)
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    assert error.value.response["Error"]["Message"] == MFA_FAILED_MESSAGE
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert standin.issued == []


def test_role_requiring_mfa_denies_assume_role_without_it(standin: StandIn) -> None:
    standin.mfa_required_roles.add(ROLE_A)
    with pytest.raises(ClientError) as error:
        assume(standin)
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    assert "not authorized to perform: sts:AssumeRole" in error.value.response["Error"]["Message"]
    assert assume(standin, SerialNumber=MFA_SERIAL, TokenCode="123456")["AccessKeyId"]


# -- STS: faults ---------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "code", "status"), [
    ("access_denied", "AccessDenied", 403),
    ("expired_token", "ExpiredToken", 400),
    ("throttling", "Throttling", 400),
    ("http_500", "InternalFailure", 500),
])
def test_sts_error_faults_answer_real_sts_errors(standin: StandIn, kind: str, code: str,
                                                  status: int) -> None:
    standin.inject_sts_fault(kind, action="AssumeRole")
    client = sts_client(standin, *STATIC_KEY)
    client.get_caller_identity()  # another action is not affected
    with pytest.raises(ClientError) as error:
        assume(standin)
    assert error.value.response["Error"]["Code"] == code
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert [call.fault for call in standin.sts_calls] == [None, kind]
    assert assume(standin)["AccessKeyId"]  # count=1: the next call goes through


def test_sts_fault_count_and_clear(standin: StandIn) -> None:
    standin.inject_sts_fault("throttling", count=2)
    client = sts_client(standin, *STATIC_KEY)
    for _ in range(2):
        with pytest.raises(ClientError):
            client.get_caller_identity()
    client.get_caller_identity()
    standin.inject_sts_fault("access_denied", count=5)
    standin.clear_faults()
    client.get_caller_identity()
    with pytest.raises(ValueError, match="unknown STS fault kind"):
        standin.inject_sts_fault("meltdown")


def test_sts_connection_reset_fault(standin: StandIn) -> None:
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    standin.inject_sts_fault("connection_reset")
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        assume(standin)
    assert standin.issued == []


def test_sts_timeout_fault_outlasts_read_timeout(standin: StandIn) -> None:
    from botocore.exceptions import ReadTimeoutError

    standin.hang_seconds = 5
    standin.inject_sts_fault("timeout")
    quick = Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=0.5)
    with pytest.raises(ReadTimeoutError):
        sts_client(standin, *STATIC_KEY, config=quick).get_caller_identity()


def test_hanging_request_is_released_by_stop(moto_url: str, aws_home: Any) -> None:
    standin = StandIn(moto_url=moto_url, hang_seconds=60).start()
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            requests.post(standin.sts_url, data={"Action": "GetCallerIdentity"}, timeout=30)
        except requests.RequestException as error:
            outcome.append(error)

    try:
        standin.inject_sts_fault("timeout")
        caller = threading.Thread(target=call, daemon=True)
        caller.start()
        # Wait until the request reached the proxy, then stop while it hangs.
        deadline = time.monotonic() + 5
        while not standin.sts_calls and time.monotonic() < deadline:
            caller.join(0.02)
        assert standin.sts_calls[0].fault == "timeout"
    finally:
        standin.stop()
    caller.join(5)
    assert not caller.is_alive()
    assert len(outcome) == 1


def test_sts_down_refuses_connections_then_recovers(standin: StandIn) -> None:
    from botocore.exceptions import EndpointConnectionError

    standin.sts_down = True
    assert standin.sts_down
    with pytest.raises(EndpointConnectionError):
        sts_client(standin, *STATIC_KEY).get_caller_identity()
    standin.sts_down = False
    assert sts_client(standin, *STATIC_KEY).get_caller_identity()["Account"]


# -- federation: faults --------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "status"), [("http_400", 400), ("http_500", 500)])
def test_federation_http_faults(standin: StandIn, kind: str, status: int) -> None:
    creds = assume(standin)
    standin.inject_federation_fault(kind)
    assert get_signin_token(standin, creds).status_code == status
    assert standin.federation_requests[-1].fault == kind
    assert get_signin_token(standin, creds).status_code == 200


def test_federation_garbage_fault_is_200_without_json(standin: StandIn) -> None:
    creds = assume(standin)
    standin.inject_federation_fault("garbage")
    response = get_signin_token(standin, creds)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_federation_timeout_and_reset_faults(standin: StandIn) -> None:
    creds = assume(standin)
    standin.hang_seconds = 5
    standin.inject_federation_fault("timeout")
    form = {"Action": "getSigninToken", "Session": session_param(creds)}
    with pytest.raises(requests.Timeout):
        requests.post(standin.federation_url, data=form, timeout=0.5)
    standin.inject_federation_fault("connection_reset")
    with pytest.raises(requests.ConnectionError):
        requests.post(standin.federation_url, data=form, timeout=5)
    with pytest.raises(ValueError, match="unknown federation fault kind"):
        standin.inject_federation_fault("garbage_in")


# -- SSO portal ----------------------------------------------------------------------------
def sso_client(standin: StandIn) -> Any:
    return boto3.client("sso", endpoint_url=standin.sso_url, region_name="eu-west-1",
                        config=NO_RETRIES)


def test_sso_portal_mints_role_credentials_recorded_as_sso(standin: StandIn) -> None:
    token = standin.sso_token(user="dana")
    response = sso_client(standin).get_role_credentials(
        roleName="Admin", accountId="111111111111", accessToken=token)
    creds = response["roleCredentials"]
    record = standin.issued_credential(creds["accessKeyId"])
    assert record.kind == "sso"
    assert record.arn == "arn:aws:sts::111111111111:assumed-role/Admin/dana"
    assert creds["expiration"] == int(record.expiration.timestamp() * 1000)
    # SSO role credentials sign in, SessionDuration included (they are role sessions).
    federation_creds = {"AccessKeyId": creds["accessKeyId"],
                        "SecretAccessKey": creds["secretAccessKey"],
                        "SessionToken": creds["sessionToken"]}
    assert get_signin_token(standin, federation_creds, duration=7200).status_code == 200
    assert [(r.account_id, r.role_name, r.status) for r in standin.sso_requests] == [
        ("111111111111", "Admin", 200)]


@pytest.mark.parametrize("expired", [False, True])
def test_sso_portal_rejects_unknown_and_expired_tokens(standin: StandIn, expired: bool) -> None:
    token = standin.sso_token(expires_in=-1) if expired else "never-registered"
    with pytest.raises(ClientError) as error:
        sso_client(standin).get_role_credentials(
            roleName="Admin", accountId="111111111111", accessToken=token)
    assert error.value.response["Error"]["Code"] == "UnauthorizedException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert standin.issued == []


def test_sso_portal_enforces_assignments(standin: StandIn) -> None:
    token = standin.sso_token(assignments={("111111111111", "Admin")})
    with pytest.raises(ClientError) as error:
        sso_client(standin).get_role_credentials(
            roleName="Admin", accountId="222222222222", accessToken=token)
    assert error.value.response["Error"]["Code"] == "ForbiddenException"


def test_botocore_sso_profile_resolves_through_cached_token(standin: StandIn,
                                                             aws_home: Any) -> None:
    aws_home.write_config("""
        [profile dev]
        sso_session = corp
        sso_account_id = 111111111111
        sso_role_name = Admin
        region = eu-west-1

        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1
        """)
    standin.sso_login(str(aws_home.home), session_name="corp",
                      start_url="https://corp.awsapps.com/start", region="eu-west-1")
    credentials = boto3.Session(profile_name="dev").get_credentials().get_frozen_credentials()
    record = standin.issued_credential(credentials.access_key)
    assert record is not None and record.kind == "sso"
    assert record.role_arn == "arn:aws:iam::111111111111:role/Admin"


def test_botocore_sso_profile_with_expired_cached_token_fails(standin: StandIn,
                                                              aws_home: Any) -> None:
    from botocore.exceptions import UnauthorizedSSOTokenError

    aws_home.write_config("""
        [profile legacy]
        sso_start_url = https://legacy.awsapps.com/start
        sso_region = us-east-1
        sso_account_id = 111111111111
        sso_role_name = Admin
        """)
    standin.sso_login(str(aws_home.home), start_url="https://legacy.awsapps.com/start",
                      expired=True)
    with pytest.raises(UnauthorizedSSOTokenError):
        boto3.Session(profile_name="legacy").get_credentials().get_frozen_credentials()
    assert standin.issued == []


def test_sso_token_cache_file_has_botocore_format(tmp_path: Any) -> None:
    import hashlib

    from support.standin import write_sso_token_cache

    path = write_sso_token_cache(tmp_path, access_token="tok", start_url="https://x/start",
                                 session_name="corp", region="eu-west-1")
    assert path == (tmp_path / ".aws" / "sso" / "cache"
                    / f"{hashlib.sha1(b'corp').hexdigest()}.json")
    document = json.loads(path.read_text())
    assert document["accessToken"] == "tok"
    assert document["region"] == "eu-west-1"
    assert document["expiresAt"].endswith("Z")
    assert "refreshToken" not in document  # botocore must never try to refresh


# -- fixtures and standalone run -----------------------------------------------------------
def test_standin_fixture_applies_env_and_seals_aws(standin: StandIn, aws_home: Any) -> None:
    import os

    for name, value in standin.env().items():
        assert os.environ[name] == value
    assert os.environ["ROLEPORT_FEDERATION_URL"] == standin.federation_url
    assert standin.federation_url == f"{standin.base_url}/federation"
    assert os.environ["HOME"] == str(aws_home.home)
    assert os.environ["AWS_CONFIG_FILE"] == str(aws_home.config_file)
    unexpected = {name for name in os.environ if name.startswith("AWS_")} - set(standin.env()) - {
        "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"}
    assert unexpected == set()
    aws_home.write_config("""
        [profile x]
        region = eu-west-1
        """)
    assert boto3.Session(profile_name="x").region_name == "eu-west-1"


def test_python_m_support_standin_serves_until_interrupted(aws_home: Any) -> None:
    import os
    import queue
    import signal
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    process = subprocess.Popen([sys.executable, "-u", "-m", "support.standin"], cwd=repo,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=dict(os.environ))
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                              daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while not any("Serving until Ctrl-C" in line for line in seen):
            assert time.monotonic() < deadline, f"no ready line; output so far: {seen}"
            assert process.poll() is None, f"exited early: {seen}"
            try:
                seen.append(lines.get(timeout=0.5))
            except queue.Empty:
                pass
        exports = dict(line.removeprefix("export ").strip().split("=", 1)
                       for line in seen if line.startswith("export "))
        assert set(exports) >= {"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
                                "ROLEPORT_FEDERATION_URL", "AWS_EC2_METADATA_DISABLED"}
        console = exports["ROLEPORT_FEDERATION_URL"].replace("/federation", "/console")
        assert "Not signed in" in requests.get(console, timeout=5).text
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
    reader.join(5)
    with pytest.raises(requests.ConnectionError):
        requests.get(console, timeout=2)


# -- real browsers: the console cookie lives in each cookie jar ----------------------------
def login_url(standin: StandIn, token: str) -> str:
    return requests.Request("GET", standin.federation_url, params={
        "Action": "login", "Destination": DESTINATION, "SigninToken": token}).prepare().url


def _browser_or_skip(name: str) -> Any:
    from support import browsers

    if not browsers.browsers_available()[name]:
        pytest.skip(f"{name} not installed: run scripts/ensure-system-deps.sh")
    return browsers


@pytest.mark.browser
def test_chromium_single_jar_refuses_second_identity_until_logout(
        standin: StandIn, aws_home: Any, tmp_path: Any) -> None:
    browsers = _browser_or_skip("chromium")
    token_a = signin_token(standin, assume(standin))
    token_b = signin_token(standin, assume(standin, ROLE_B, "bob"))
    token_b2 = signin_token(standin, assume(standin, ROLE_B, "bob"))
    with browsers.make_browser("chromium", aws_home.home, env=standin.env(),
                              artifacts=tmp_path, install_host=False) as browser:
        browser.navigate(login_url(standin, token_a))
        browsers.wait_for(lambda: "Signed in as Admin/alice" in browser.page_text(),
                         message=lambda: f"console A, got {browser.page_text()!r}")
        browser.navigate(login_url(standin, token_b))
        browsers.wait_for(lambda: LOGOUT_FIRST_TEXT in browser.page_text(),
                         message=lambda: f"the refusal, got {browser.page_text()!r}")
        logout = requests.Request("GET", f"{standin.base_url}/oauth", params={
            "Action": "logout", "redirect_uri": login_url(standin, token_b2)}).prepare().url
        browser.navigate(logout)
        browsers.wait_for(lambda: "Signed in as ReadOnly/bob" in browser.page_text(),
                         message=lambda: f"console B, got {browser.page_text()!r}")


@pytest.mark.browser
def test_firefox_containers_hold_one_console_session_each(
        standin: StandIn, aws_home: Any, tmp_path: Any) -> None:
    browsers = _browser_or_skip("firefox")
    token_a = signin_token(standin, assume(standin))
    token_b = signin_token(standin, assume(standin, ROLE_B, "bob"))
    token_b_in_a = signin_token(standin, assume(standin, ROLE_B, "bob"))
    with browsers.make_browser("firefox", aws_home.home, env=standin.env(),
                              artifacts=tmp_path, install_host=False) as browser:
        with browser.marionette.using_context("chrome"):
            browser.marionette.execute_script("""
                const gBrowser = Services.wm.getMostRecentWindow("navigator:browser").gBrowser;
                const principal = Services.scriptSecurityManager.getSystemPrincipal();
                for (const [url, userContextId] of arguments[0]) {
                  gBrowser.addTab(url, {userContextId, triggeringPrincipal: principal});
                }
                """, script_args=[[[login_url(standin, token_a), 1],
                                   [login_url(standin, token_b), 2]]])

        def consoles() -> dict[int, str] | None:
            texts = {tab.user_context_id: tab.text for tab in browser.tabs()
                     if tab.user_context_id and "Signed in as" in tab.text}
            return texts if len(texts) == 2 else None

        texts = browsers.wait_for(consoles, message=lambda: browser.describe_tabs())
        assert "Signed in as Admin/alice in account 111111111111" in texts[1]
        assert "Signed in as ReadOnly/bob in account 222222222222" in texts[2]
        # Container 1's jar already holds A: B is refused there, as in a single-jar browser.
        with browser.marionette.using_context("chrome"):
            browser.marionette.execute_script("""
                const gBrowser = Services.wm.getMostRecentWindow("navigator:browser").gBrowser;
                gBrowser.addTab(arguments[0], {userContextId: 1,
                  triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal()});
                """, script_args=[login_url(standin, token_b_in_a)])
        browsers.wait_for(
            lambda: any(LOGOUT_FIRST_TEXT in tab.text and tab.user_context_id == 1
                        for tab in browser.tabs()),
            message=lambda: browser.describe_tabs())


# -- pure logic and hygiene ----------------------------------------------------------------
def test_identity_from_arn() -> None:
    from support.standin import Identity

    role = Identity.from_arn("arn:aws-us-gov:sts::123456789012:assumed-role/Ops/me@corp")
    assert (role.partition, role.account, role.role, role.session_name) == (
        "aws-us-gov", "123456789012", "Ops", "me@corp")
    assert role.label == "Ops/me@corp"
    federated = Identity.from_arn("arn:aws:sts::123456789012:federated-user/carol")
    assert (federated.role, federated.label) == (None, "federated-user/carol")
    with pytest.raises(ValueError, match="not an assumed-role"):
        Identity.from_arn("arn:aws:iam::123456789012:user/carol")


def test_caller_key_id_and_issued_parsing() -> None:
    from support.standin.sts import caller_key_id, parse_issued

    header = ("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/sts/aws4_request, "
              "SignedHeaders=host, Signature=abc")
    assert caller_key_id(header) == "AKIAEXAMPLE"
    assert caller_key_id(None) is None
    assert parse_issued("<not xml") is None
    assert parse_issued("<GetCallerIdentityResponse/>") is None


def test_sts_error_body_is_parsed_by_botocore() -> None:
    from botocore.parsers import QueryParser

    from support.standin.sts import sts_error_body

    body = sts_error_body("ExpiredToken", "The security token included in the request is expired")
    parsed = QueryParser().parse({"status_code": 400, "headers": {}, "body": body.encode()},
                                 None)
    assert parsed["Error"]["Code"] == "ExpiredToken"
    assert parsed["Error"]["Type"] == "Sender"


def test_bad_federation_requests_are_400_not_crashes(standin: StandIn) -> None:
    for form in ({"Action": "getSigninToken", "Session": "{not json"},
                 {"Action": "getSigninToken", "Session": "[]"},
                 {"Action": "getSigninToken"},
                 {"Action": "bogus"},
                 {}):
        response = requests.post(standin.federation_url, data=form, timeout=5)
        assert response.status_code == 400, form
    reasons = [r.reason for r in standin.federation_requests]
    assert reasons[:3] == ["Session is not JSON",
                           "Session lacks sessionId/sessionKey/sessionToken strings",
                           "Session parameter missing"]
    assert requests.get(f"{standin.base_url}/nowhere", timeout=5).status_code == 404
    assert requests.post(standin.federation_url, data="x" * 10, timeout=5,
                         headers={"Content-Length": "not-a-number"}).status_code == 400


def test_secret_parameters_are_not_recorded(standin: StandIn) -> None:
    client = sts_client(standin, *STATIC_KEY)
    client.assume_role_with_web_identity(RoleArn=ROLE_A, RoleSessionName="web",
                                         WebIdentityToken="very-secret-jwt")
    [call] = standin.sts_calls
    assert "WebIdentityToken" not in call.params
    assert "very-secret-jwt" not in repr(standin.sts_calls) + repr(standin.issued)


def test_standin_writes_no_secret_to_stdout_or_stderr(standin: StandIn,
                                                       capfd: pytest.CaptureFixture[str]) -> None:
    creds = assume(standin)
    token = signin_token(standin, creds)
    login(standin, requests.Session(), token)
    standin.inject_sts_fault("connection_reset")
    with pytest.raises(Exception):  # noqa: B017 - any client error; the output matters here
        assume(standin)
    out, err = capfd.readouterr()
    for secret in (creds["SecretAccessKey"], creds["SessionToken"], token):
        assert secret not in out + err
    assert secret not in repr(standin.federation_requests)


def test_stop_is_idempotent_and_leaves_no_thread(moto_url: str) -> None:
    standin = StandIn(moto_url=moto_url).start()
    url = standin.console_url
    assert requests.get(url, timeout=5).status_code == 200
    standin.stop()
    standin.stop()
    assert not [t for t in threading.enumerate()
                if t.name.startswith("standin-") and t.is_alive()]
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_single_use_mfa_codes_are_spent(standin: StandIn) -> None:
    standin.mfa_codes_single_use = True
    assert assume(standin, SerialNumber=MFA_SERIAL, TokenCode="123456")["AccessKeyId"]
    with pytest.raises(ClientError) as error:
        assume(standin, SerialNumber=MFA_SERIAL, TokenCode="123456")
    assert error.value.response["Error"]["Message"] == MFA_FAILED_MESSAGE
