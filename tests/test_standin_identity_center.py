"""The Identity Center stand-in: OIDC device flow, portal listing, faults (botocore clients)."""

from __future__ import annotations

from typing import Any

import boto3
import botocore
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from support.standin import StandIn
from support.standin.identity_center import scale_directory

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
START_URL = "https://corp.awsapps.com/start"


def unsigned(service: str, standin: StandIn) -> Any:
    return boto3.client(service, endpoint_url=standin.sso_url, region_name="eu-west-1",
                        config=Config(signature_version=botocore.UNSIGNED,
                                      retries={"total_max_attempts": 1}))


def start(standin: StandIn, scopes: list[str] | None = None) -> tuple[Any, dict[str, Any],
                                                                     dict[str, Any]]:
    oidc = unsigned("sso-oidc", standin)
    registration = oidc.register_client(clientName="test", clientType="public",
                                        **({"scopes": scopes} if scopes else {}))
    authorization = oidc.start_device_authorization(
        clientId=registration["clientId"], clientSecret=registration["clientSecret"],
        startUrl=START_URL)
    return oidc, registration, authorization


def poll(oidc: Any, registration: dict[str, Any], authorization: dict[str, Any]) -> Any:
    return oidc.create_token(grantType=DEVICE_GRANT, clientId=registration["clientId"],
                             clientSecret=registration["clientSecret"],
                             deviceCode=authorization["deviceCode"])


def error_code(exc: ClientError) -> str:
    return str(exc.response["Error"]["Code"])


def test_device_flow_pending_then_approved_on_the_verification_page(standin: StandIn) -> None:
    oidc, registration, authorization = start(standin, ["sso:account:access"])
    assert authorization["verificationUriComplete"].endswith(
        "?user_code=" + authorization["userCode"])
    with pytest.raises(ClientError) as pending:
        poll(oidc, registration, authorization)
    assert error_code(pending.value) == "AuthorizationPendingException"
    page = requests.get(authorization["verificationUriComplete"], timeout=5)
    assert authorization["userCode"] in page.text and 'id="approve"' in page.text
    answer = requests.post(authorization["verificationUri"] + "/approve",
                           data={"user_code": authorization["userCode"]}, timeout=5)
    assert 'data-state="approved"' in answer.text
    standin.advance_clock(authorization["interval"])
    token = poll(oidc, registration, authorization)
    assert token["accessToken"] and token["refreshToken"] and token["expiresIn"] > 0
    # The code is spent.
    standin.advance_clock(authorization["interval"])
    with pytest.raises(ClientError) as again:
        poll(oidc, registration, authorization)
    assert error_code(again.value) == "InvalidGrantException"
    # The refresh grant answers a new access token; the old refresh token is spent.
    refreshed = oidc.create_token(grantType="refresh_token", clientId=registration["clientId"],
                                  clientSecret=registration["clientSecret"],
                                  refreshToken=token["refreshToken"])
    assert refreshed["accessToken"] != token["accessToken"]
    with pytest.raises(ClientError) as spent:
        oidc.create_token(grantType="refresh_token", clientId=registration["clientId"],
                          clientSecret=registration["clientSecret"],
                          refreshToken=token["refreshToken"])
    assert error_code(spent.value) == "InvalidGrantException"


def test_no_refresh_token_without_the_scope(standin: StandIn) -> None:
    oidc, registration, authorization = start(standin)
    assert standin.identity_center.decide(authorization["userCode"], approve=True)
    token = poll(oidc, registration, authorization)
    assert "refreshToken" not in token


def test_polling_faster_than_the_interval_is_slow_down(standin: StandIn) -> None:
    standin.identity_center.interval = 5
    oidc, registration, authorization = start(standin)
    with pytest.raises(ClientError):
        poll(oidc, registration, authorization)
    with pytest.raises(ClientError) as fast:
        poll(oidc, registration, authorization)
    assert error_code(fast.value) == "SlowDownException"


@pytest.mark.parametrize(("decision", "expected"), [
    ("deny", "AccessDeniedException"), ("expire", "ExpiredTokenException")])
def test_denied_and_expired_codes(standin: StandIn, decision: str, expected: str) -> None:
    oidc, registration, authorization = start(standin)
    if decision == "deny":
        requests.post(authorization["verificationUri"] + "/deny",
                      data={"user_code": authorization["userCode"]}, timeout=5)
    else:
        standin.advance_clock(authorization["expiresIn"] + 1)
        assert not standin.identity_center.decide(authorization["userCode"], approve=True)
    with pytest.raises(ClientError) as refused:
        poll(oidc, registration, authorization)
    assert error_code(refused.value) == expected


def test_portal_pages_accounts_and_roles_and_injects_faults(standin: StandIn) -> None:
    standin.identity_center.directory = scale_directory(45, 3)
    token = standin.sso_token()
    portal = unsigned("sso", standin)
    pages = list(portal.get_paginator("list_accounts").paginate(accessToken=token))
    accounts = [account for page in pages for account in page["accountList"]]
    assert len(pages) == 3 and len(accounts) == 45
    assert accounts[7] == {"accountId": "100000000007", "accountName": "Account 0007",
                           "emailAddress": "acct0007@example.com"}
    roles = portal.list_account_roles(accessToken=token, accountId="100000000007")
    assert [role["roleName"] for role in roles["roleList"]] == ["Role1", "Role2", "Role3"]
    for kind, code in (("throttling", "TooManyRequestsException"),
                       ("http_500", "InternalServerException"),
                       ("unauthorized", "UnauthorizedException")):
        standin.identity_center.inject_fault(kind, "ListAccountRoles")
        with pytest.raises(ClientError) as failed:
            portal.list_account_roles(accessToken=token, accountId="100000000007")
        assert error_code(failed.value) == code
    standin.identity_center.revoke_tokens()
    with pytest.raises(ClientError) as revoked:
        portal.list_accounts(accessToken=token)
    assert error_code(revoked.value) == "UnauthorizedException"
    operations = [(call.operation, call.status, call.fault)
                  for call in standin.identity_center.calls]
    assert ("ListAccountRoles", 429, "throttling") in operations
    assert operations[-1] == ("ListAccounts", 401, None)


def test_a_revoked_fault_signs_the_user_out_at_that_request(standin: StandIn) -> None:
    token = standin.sso_token()
    portal = unsigned("sso", standin)
    assert portal.list_accounts(accessToken=token)["accountList"]
    standin.identity_center.inject_fault("revoked", "ListAccountRoles")
    with pytest.raises(ClientError) as refused:
        portal.list_account_roles(accessToken=token, accountId="111111111111")
    assert error_code(refused.value) == "UnauthorizedException"
    # Not a one-off: the token stays refused afterwards.
    with pytest.raises(ClientError) as still:
        portal.list_accounts(accessToken=token)
    assert error_code(still.value) == "UnauthorizedException"
    assert token in standin.identity_center.known_secrets()


def test_a_held_operation_waits_until_released(standin: StandIn) -> None:
    import threading

    center = standin.identity_center
    token = standin.sso_token()
    portal = unsigned("sso", standin)
    center.hold("ListAccounts")
    answers: list[Any] = []
    caller = threading.Thread(target=lambda: answers.append(portal.list_accounts(
        accessToken=token)))
    caller.start()
    try:
        deadline = threading.Event()
        for _ in range(500):  # at most 5 s for the request to reach the gate
            if center.held_callers("ListAccounts") == 1:
                break
            deadline.wait(0.01)
        assert center.held_callers("ListAccounts") == 1 and not answers
        # Other operations pass.
        assert portal.list_account_roles(accessToken=token, accountId="111111111111")
    finally:
        center.release("ListAccounts")
    caller.join(10)
    assert answers and answers[0]["accountList"]
    assert center.held_callers("ListAccounts") == 0
