"""The IAM Identity Center actions through a real host process and real frames."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.hostproc import CHROME_CALLER, HostProcess, host_env
from support.standin import StandIn
from tests.conftest import AwsHome
from tests.test_native_host import assert_no_fragment, assert_no_secret, known_secrets
from tests.test_sso import CONFIG

SSO_ACTIONS = {"sso_sessions", "sso_login_start", "sso_login_status", "sso_login_cancel",
               "sso_roles", "login_sso_role"}


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "host.log"


@pytest.fixture
def host(aws_home: AwsHome, standin: StandIn, log_file: Path) -> Iterator[HostProcess]:
    aws_home.write_config(CONFIG)
    with HostProcess([CHROME_CALLER], host_env(os.environ, log_file)) as process:
        yield process


def ok(reply: dict[str, Any]) -> dict[str, Any]:
    assert reply["ok"] is True, reply
    result: dict[str, Any] = reply["result"]
    return result


def poll_until(host: HostProcess, action: str, params: dict[str, Any], done: Any,
               timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    counter = 0
    while True:
        counter += 1
        result = ok(host.call(f"{action}-{counter}", action, params))
        if done(result):
            return result
        assert time.monotonic() < deadline, f"{action} never reached the state: {result}"
        time.sleep(0.05)  # poll interval of this wait (bounded by the deadline above)


def test_sign_in_discover_and_open_a_discovered_role(host: HostProcess, standin: StandIn,
                                                     log_file: Path) -> None:
    hello = ok(host.call(1, "hello"))
    assert SSO_ACTIONS <= set(hello["capabilities"])
    sessions = ok(host.call(2, "sso_sessions"))["sessions"]
    assert [(s["sso_session"], s["signed_in"]) for s in sessions] == [("corp", False)]
    # Two popups start a sign-in at once: one flow.
    host.request(3, "sso_login_start", {"sso_session": "corp"})
    host.request(4, "sso_login_start", {"sso_session": "corp"})
    first, second = host.reply(timeout=20), host.reply(timeout=20)
    assert ok(first)["flow_id"] == ok(second)["flow_id"]
    flow = ok(first)
    assert flow["state"] == "pending" and flow["verification_uri_complete"].endswith(
        flow["user_code"])
    # The host keeps answering while the sign-in waits.
    assert ok(host.call(5, "hello"))["protocol"] == 1
    assert standin.identity_center.decide(flow["user_code"], approve=True)
    done = poll_until(host, "sso_login_status", {"flow_id": flow["flow_id"]},
                      lambda result: result["state"] != "pending")
    assert done["state"] == "succeeded"
    roles = poll_until(host, "sso_roles", {},
                       lambda result: result["total"] and not result["sessions"][0]["refreshing"])
    assert roles["columns"] == ["sso_session", "account_id", "account_name", "account_email",
                                "role"]
    assert ["corp", "222222222222", "Development", "dev@example.com", "Developer"] in roles["rows"]
    assert roles["sessions"][0]["signed_in"] is True and roles["sessions"][0]["fetched_at"]
    login = ok(host.call(9, "login_sso_role", {"sso_session": "corp",
                                               "account_id": "222222222222",
                                               "role_name": "Developer"}, timeout=30))
    assert login["identity"]["account"] == "222222222222"
    assert login["identity"]["role"] == "Developer"
    assert host.wait() == 0
    written = log_file.read_text() + host.stderr
    secrets = known_secrets(standin, [login["url"]])
    assert len(standin.identity_center.known_secrets()) >= 4
    assert_no_secret(written, secrets)
    assert_no_fragment(written, [s for s in secrets if len(s) >= 20 and not s.startswith("http")])
    # Replies other than the login URL carry no secret either.
    assert_no_secret(repr([flow, done, roles, hello]), secrets)


def test_sign_in_errors_travel_with_their_codes(host: HostProcess, standin: StandIn) -> None:
    unknown = host.call(1, "sso_login_start", {"sso_session": "nope"}, timeout=20)
    assert unknown["error"]["code"] == "sso_session_not_found"
    missing = host.call(2, "sso_login_status", {"flow_id": "abc123"})
    assert missing["error"]["code"] == "sso_flow_not_found"
    flow = ok(host.call(3, "sso_login_start", {"sso_session": "corp"}, timeout=20))
    cancelled = ok(host.call(4, "sso_login_cancel", {"flow_id": flow["flow_id"]}))
    assert cancelled["state"] == "cancelled"
    assert cancelled["error"]["code"] == "sso_login_cancelled"
    no_token = host.call(5, "login_sso_role", {"sso_session": "corp",
                                               "account_id": "222222222222",
                                               "role_name": "Developer"}, timeout=30)
    assert no_token["error"]["code"] == "sso_signin_required"
    assert no_token["error"]["sso_session"] == "corp"
    roles = ok(host.call(6, "sso_roles", {}))
    assert roles["total"] == 0
    # No token: nothing to fetch with; the sign-in is offered, no listing runs or fails.
    session = roles["sessions"][0]
    assert (session["signed_in"], session["refreshing"], session["error"]) == (False, False, None)
    assert portal_listings(standin) == 0
    bad = host.call(7, "login_sso_role", {"sso_session": "corp", "account_id": "12",
                                          "role_name": "Developer"})
    assert bad["error"]["code"] == "invalid_request"


def portal_listings(standin: StandIn) -> int:
    return len([c for c in standin.identity_center.calls if c.operation == "ListAccounts"])


def test_max_age_decides_when_a_cached_listing_is_fetched_again(
        aws_home: AwsHome, standin: StandIn, log_file: Path) -> None:
    """A listing 30 minutes old: served as it is under the default hour, fetched again behind
    the answer under a 15-minute max_age; a max_age outside the rule is refused clearly."""
    from roleport.rules import MAX_SSO_DISCOVERY_MAX_AGE, MIN_SSO_DISCOVERY_MAX_AGE
    from roleport.sso.service import discovery_folder

    from support.standin.identity_center import SsoAccount
    from tests.test_sso import START_URL, seed_discovery_cache

    aws_home.write_config(CONFIG)
    standin.sso_login(str(aws_home.home), start_url=START_URL, region="eu-west-1",
                      session_name="corp")
    seed_discovery_cache(discovery_folder(os.environ),
                         [SsoAccount("444444444444", "Cached", "c@example.com", ("Old",))],
                         age=30 * 60)
    with HostProcess([CHROME_CALLER], host_env(os.environ, log_file)) as host:
        served = ok(host.call(1, "sso_roles", {}))
        assert served["rows"] == [["corp", "444444444444", "Cached", "c@example.com", "Old"]]
        assert served["sessions"][0]["refreshing"] is False
        assert served["sessions"][0]["signed_in"] is True
        assert ok(host.call(2, "sso_roles", {"max_age": 3600}))["sessions"][0]["refreshing"] \
            is False
        assert portal_listings(standin) == 0
        for refused in (0, MIN_SSO_DISCOVERY_MAX_AGE - 1, MAX_SSO_DISCOVERY_MAX_AGE + 1, -60):
            error = host.call(3, "sso_roles", {"max_age": refused})["error"]
            assert error["code"] == "invalid_request", error
            assert f"{refused} seconds is outside 60..604800 (a minute to a week)" \
                in error["message"], error
        assert host.call(4, "sso_roles", {"max_age": "900"})["error"]["code"] \
            == "invalid_request"
        assert ok(host.call(5, "sso_roles", {"max_age": 900}))["sessions"][0]["refreshing"]
        fresh = poll_until(host, "sso_roles", {"max_age": 900},
                           lambda result: not result["sessions"][0]["refreshing"])
        assert ["corp", "222222222222", "Development", "dev@example.com", "Developer"] \
            in fresh["rows"]
        assert not any(row[1] == "444444444444" for row in fresh["rows"])
        assert portal_listings(standin) == 1


def test_a_token_revoked_mid_discovery_asks_for_a_sign_in_again(
        host: HostProcess, standin: StandIn, aws_home: AwsHome) -> None:
    from tests.test_sso import START_URL

    standin.sso_login(str(aws_home.home), start_url=START_URL, region="eu-west-1",
                      session_name="corp")
    listed = poll_until(host, "sso_roles", {},
                        lambda result: result["total"] and not result["sessions"][0]["refreshing"])
    assert listed["sessions"][0]["signed_in"] is True
    standin.identity_center.inject_fault("revoked", "ListAccountRoles")
    ok(host.call(1, "sso_roles", {"refresh": True}))
    after = poll_until(host, "sso_roles", {},
                       lambda result: not result["sessions"][0]["refreshing"])
    session = after["sessions"][0]
    # The token file still looks valid; the portal's refusal decides.
    assert session["signed_in"] is False
    assert session["error"]["code"] == "sso_signin_required"
    assert after["rows"] == listed["rows"]  # the listing stays
    sessions = ok(host.call(2, "sso_sessions"))["sessions"]
    assert [(s["sso_session"], s["signed_in"]) for s in sessions] == [("corp", False)]
