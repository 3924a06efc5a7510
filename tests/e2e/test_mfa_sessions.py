"""One MFA code per device in the real browsers: the second role behind the same MFA device
opens without a code, and its row says until when ("MFA until HH:MM")."""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import ROLE_BUTTON, open_and_wait_listed

pytestmark = pytest.mark.browser

MFA_FIELD = "input[autocomplete=one-time-code]"
SECOND = "audit-mfa-second"
SECOND_ROLE = "SecondAuditor"
SECOND_CONFIG = aws.CONFIG + f"""
[profile {SECOND}]
role_arn = arn:aws:iam::{aws.AUDIT_ACCOUNT}:role/{SECOND_ROLE}
source_profile = {aws.STATIC}
mfa_serial = {aws.MFA_SERIAL}
region = us-east-1
roleport_account_name = Audit
"""


def console_of(browser: browsers.Browser, role: str) -> Any:
    return browser.wait_for_tab(
        lambda tab: f"Signed in as {role}/" in tab.text
        and f"in account {aws.AUDIT_ACCOUNT}" in tab.text,
        message=f"a console tab signed in as {role}")


def code_calls(standin: Any) -> list[Any]:
    """STS calls that carried an MFA code."""
    return [call for call in standin.sts_calls if call.params.get("SerialNumber")]


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_two_roles_behind_one_mfa_device_need_one_code(
    launch: LaunchBrowser, demo_config: Any, standin: Any, browser_name: str
) -> None:
    demo_config.write_config(SECOND_CONFIG)
    browser = launch(browser_name)
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.MFA))
    browser.wait_css(MFA_FIELD)
    browser.type_into(MFA_FIELD, sorted(standin.mfa_codes)[0] + browser.key("ENTER"))
    console_of(browser, "Auditor")
    assert [(c.action, c.status) for c in code_calls(standin)] == [("GetSessionToken", 200)]

    # The popup again: both roles behind the device say until when no code is needed.
    browser.open_popup()
    badges = browsers.wait_for(
        lambda: (found := browser.execute(
            # A profile has a row in each section it is in (Recently used, its account).
            "return [...new Set([...document.querySelectorAll('button.role')]"
            ".filter((b) => /MFA until \\d\\d:\\d\\d/.test(b.textContent))"
            ".map((b) => b.dataset.profile))];")) and len(found) == 2 and found,
        message=lambda: f"two 'MFA until' badges (popup: {browser.page_text()[:400]!r})")
    assert sorted(badges) == sorted([aws.MFA, SECOND])
    browser.screenshot("mfa-session-badges")

    browser.click(ROLE_BUTTON.format(SECOND))
    console_of(browser, SECOND_ROLE)
    browser.return_to_popup()
    assert browser.execute("return document.querySelector(arguments[0]) === null;", MFA_FIELD)
    assert len(code_calls(standin)) == 1  # one code for both roles
    [assume] = [c for c in standin.sts_calls
                if c.action == "AssumeRole" and SECOND_ROLE in c.params.get("RoleArn", "")]
    assert "SerialNumber" not in assume.params


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_throttling_and_a_sign_in_server_fault_say_what_happened(
    launch: LaunchBrowser, demo_config: Any, standin: Any, browser_name: str
) -> None:
    browser = launch(browser_name)
    open_and_wait_listed(browser)
    standin.inject_sts_fault("throttling", count=20)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    text = browsers.wait_for(
        lambda: (page := browser.page_text()) and "throttling requests" in page and page,
        message=lambda: f"a throttling message (popup: {browser.page_text()[:400]!r})")
    assert "AWS STS" in text and "Wait a minute" in text
    assert "VPN" not in text and "could not reach" not in text.lower()
    browser.screenshot("throttled")

    standin.clear_faults()
    standin.inject_federation_fault("http_500", count=20)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    text = browsers.wait_for(
        lambda: (page := browser.page_text()) and "answered HTTP 500" in page and page,
        message=lambda: f"a server-fault message (popup: {browser.page_text()[:400]!r})")
    assert "sign-in endpoint" in text and "refused" not in text
    assert "Try again in a minute" in text
    browser.screenshot("sign-in-server-fault")
