"""Discovered IAM Identity Center roles in the popup, in Chromium and Firefox, when things go
wrong and when the options say when to list again: the portal failing (5xx, throttling) after
botocore's retries keeps the list and says so in the panel, "Try again" works; a token revoked
in the middle of a discovery is offered "Sign in again"; the options page's maximum age reaches
the host and decides whether a cached listing is fetched again."""

from __future__ import annotations

from typing import Any

import pytest

from support import browsers
from support.standin.identity_center import SsoAccount
from tests.e2e.conftest import ListedPopup, wait_listed
from tests.e2e.test_options import saved_settings
from tests.e2e.test_sso_signin import (
    DISCOVERED_DEVELOPER,
    PANEL_ERROR,
    SIGN_IN,
    approve_on_the_page,
    has,
    panel_error,
    popup_shots,
)
from tests.test_sso import CONFIG, START_URL, seed_discovery_cache

pytestmark = pytest.mark.browser

SANDBOX_ROLE = 'button.role[data-profile$="Tinkerer"]'
CACHED_ROLE = 'button.role[data-profile$="OldRole"]'
# botocore's "standard" retry mode makes PORTAL_ATTEMPTS (6) attempts before giving up.
EVERY_ATTEMPT = 6
AGE_FIELD = "#sso-discovery-max-age"


def signed_in_home(aws_home: Any, standin: Any) -> None:
    """The config and a token `aws sso login` left behind (the AWS CLI's cache file)."""
    aws_home.write_config(CONFIG)
    standin.sso_login(str(aws_home.home), start_url=START_URL, region="eu-west-1",
                      session_name="corp")


def listings(standin: Any) -> int:
    return len([c for c in standin.identity_center.calls if c.operation == "ListAccounts"])


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_portal_failures_keep_the_list_say_why_and_try_again_works(
    listed_popup: ListedPopup, aws_home: Any, standin: Any, browser_name: str
) -> None:
    signed_in_home(aws_home, standin)
    browser = listed_popup(browser_name, until=DISCOVERED_DEVELOPER)
    center = standin.identity_center
    for fault, needle in (("http_500", "IAM Identity Center answered HTTP 500"),
                          ("throttling", "IAM Identity Center is throttling requests")):
        # Every attempt fails; the last answer is the fault under test and decides the error.
        # The ones before it are server faults: botocore's standard mode waits rand() * 50 ms
        # * 2**i after those, rand() * 1 s * 2**i after a throttle (15.5 s on average over six
        # attempts, up to 31 s); that throttles are retried is the host tests' (test_sso.py).
        answers = [*["http_500"] * (EVERY_ATTEMPT - 1), fault]
        center.inject_fault("http_500", "ListAccounts", count=EVERY_ATTEMPT - 1)
        center.inject_fault(fault, "ListAccounts")
        # Refresh the first time, Try again the second: both list again.
        browser.click("#sso-refresh" if fault == "http_500" else "#sso-retry")
        text = panel_error(browser, needle)
        assert text.startswith(f"The accounts and roles of {START_URL} could not be listed: ")
        assert "Try again" in text
        # The list stays, and so does the session's sign-in: no offer to sign in.
        assert has(browser, DISCOVERED_DEVELOPER)
        assert not has(browser, SIGN_IN)
        assert browser.text_of("[role=alert]") == "", "the top alert is the list's own"
        assert [c.fault for c in center.calls if c.fault][-EVERY_ATTEMPT:] == answers
    popup_shots(browser, "sso-error")
    # A popup opened later shows the error again without asking the portal (a failed fetch is
    # retried when asked, not on every popup).
    calls = len(center.calls)
    browser.open_popup()
    panel_error(browser, "throttling")
    wait_listed(browser, DISCOVERED_DEVELOPER)
    assert len(center.calls) == calls
    center.directory.append(
        SsoAccount("333333333333", "Sandbox", "sandbox@example.com", ("Tinkerer",)))
    browser.click("#sso-retry")
    wait_listed(browser, SANDBOX_ROLE)
    browsers.wait_for(lambda: not has(browser, PANEL_ERROR), message="the error gone")
    assert has(browser, "#sso-refresh")


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_a_token_revoked_mid_discovery_offers_to_sign_in_again(
    listed_popup: ListedPopup, aws_home: Any, standin: Any, browser_name: str
) -> None:
    signed_in_home(aws_home, standin)
    browser = listed_popup(browser_name, until=DISCOVERED_DEVELOPER)
    assert not has(browser, SIGN_IN)
    # Signed out everywhere between ListAccounts and the accounts' roles.
    standin.identity_center.inject_fault("revoked", "ListAccountRoles")
    browser.click("#sso-refresh")
    browsers.wait_for(lambda: browser.text_of(SIGN_IN) == f"Sign in again to {START_URL}",
                      timeout=60,
                      message=lambda: f"Sign in again (popup: {browser.page_text()[:400]!r})")
    # The listing stays; refreshing with a refused token would only fail again.
    assert has(browser, DISCOVERED_DEVELOPER)
    assert not has(browser, "#sso-refresh")
    assert not has(browser, PANEL_ERROR)
    assert browser.text_of(".sso-note").startswith(
        "Your sign-in has ended. The roles below were listed on ")
    popup_shots(browser, "sso-sign-in-again")
    standin.identity_center.directory.append(
        SsoAccount("333333333333", "Sandbox", "sandbox@example.com", ("Tinkerer",)))
    browser.click(SIGN_IN)
    user_code = browsers.wait_for(lambda: browser.text_of("#sso-user-code"),
                                  message="the user code")
    approve_on_the_page(browser, user_code)
    wait_listed(browser, SANDBOX_ROLE)
    browsers.wait_for(lambda: not has(browser, SIGN_IN), message="the offer gone")
    browser.click(SANDBOX_ROLE)
    browser.wait_for_tab(
        lambda tab: "Signed in as Tinkerer/" in tab.text and "333333333333" in tab.text,
        timeout=60, message="the role's console with the new token")


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_the_options_maximum_age_decides_when_the_host_lists_again(
    listed_popup: ListedPopup, aws_home: Any, standin: Any, browser_name: str
) -> None:
    """A listing fetched 30 minutes ago: under the default hour the popup shows it as it is
    and the portal is not asked; with 15 minutes set on the options page the host lists again
    behind the popup and the popup shows the new listing."""
    from roleport.sso.service import discovery_folder

    signed_in_home(aws_home, standin)
    # The host's state folder, from the environment the browser gives it.
    folder = discovery_folder(browsers.sealed_env(aws_home.home, standin.env()))
    seed_discovery_cache(folder, [SsoAccount("444444444444", "Cached", "c@example.com",
                                             ("OldRole",))], age=30 * 60)
    browser = listed_popup(browser_name, until=CACHED_ROLE)
    # The host answered (the panel offers Refresh once it has), without a listing behind it.
    browsers.wait_for(lambda: has(browser, "#sso-refresh"), message="the host's answer")
    assert listings(standin) == 0
    assert not has(browser, DISCOVERED_DEVELOPER)

    browser.open_options()
    browser.wait_css("body[data-ready]")
    # Validated per field, like the region: a wrong value keeps the saved one and says why.
    browser.set_field(AGE_FIELD, "0")
    browsers.wait_for(lambda: browser.text_of(f"{AGE_FIELD}-error"), message="the field error")
    field = browser.execute("""
        const input = document.querySelector(arguments[0]);
        return {invalid: input.getAttribute('aria-invalid'),
                describedby: input.getAttribute('aria-describedby').split(' '),
                status: document.getElementById('save-status').textContent};
    """, AGE_FIELD)
    assert browser.text_of(f"{AGE_FIELD}-error") == (
        "\u201c0\u201d is not a whole number of minutes from 1 to 10080 (a week), so the age "
        "stays the default (60 minutes).")
    assert field["invalid"] == "true" and "sso-discovery-max-age-error" in field["describedby"]
    assert field["status"] == "The other options are saved."
    browser.screenshot(f"options-invalid-discovery-age-{browser_name}")
    assert saved_settings(browser)["ssoDiscoveryMaxAge"] == ""
    browser.set_field(AGE_FIELD, " 15 ")
    browsers.wait_for(lambda: saved_settings(browser).get("ssoDiscoveryMaxAge") == "15",
                      message=lambda: f"15 minutes saved, got {saved_settings(browser)}")
    assert browser.text_of(f"{AGE_FIELD}-error") == ""

    browser.open_popup()
    wait_listed(browser, DISCOVERED_DEVELOPER)
    browsers.wait_for(lambda: not has(browser, CACHED_ROLE), message="the old listing replaced")
    assert listings(standin) == 1
