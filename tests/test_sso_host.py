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
    bad = host.call(7, "login_sso_role", {"sso_session": "corp", "account_id": "12",
                                          "role_name": "Developer"})
    assert bad["error"]["code"] == "invalid_request"
