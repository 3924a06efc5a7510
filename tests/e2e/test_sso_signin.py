"""IAM Identity Center from the popup, in Chromium and Firefox: a config with only an
sso-session and one SSO profile and no token -> Sign in -> the verification page opens in a
normal tab (no container) -> Approve -> the discovered accounts are listed -> a discovered
role opens its console."""

from __future__ import annotations

from typing import Any

import pytest

from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.test_sso import CONFIG, START_URL

pytestmark = pytest.mark.browser

SIGN_IN = "button.sso-sign-in"
DISCOVERED_DEVELOPER = 'button.role[data-profile$="Developer"]'


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_sign_in_discover_and_open_a_discovered_role(
    launch: LaunchBrowser, aws_home: Any, standin: Any, browser_name: str
) -> None:
    aws_home.write_config(CONFIG)
    browser = launch(browser_name)
    browser.open_popup()
    browsers.wait_for(lambda: START_URL in browser.text_of(SIGN_IN),
                      message=lambda: f"a sign-in offer (popup: {browser.page_text()[:300]!r})")
    # The missing token is offered as a sign-in, not reported as an error.
    assert browser.text_of("[role=alert]") == ""
    browser.screenshot("sso-offer")
    browser.click(SIGN_IN)
    user_code = browsers.wait_for(lambda: browser.text_of("#sso-user-code"),
                                  message="the user code in the popup")
    assert browser.text_of("#sso-cancel") == "Cancel"
    browser.screenshot("sso-waiting")
    page = browser.wait_for_tab(lambda tab: f"user_code={user_code}" in tab.url,
                                message="the verification page")
    assert page.user_context_id == 0  # a normal tab, never an account's container
    assert user_code in page.text
    popup = browser.current_handle()
    browser.switch_to(page.handle)
    browser.click("#approve")
    browsers.wait_for(lambda: "approved" in browser.text_of("#result"), message="approval")
    browser.switch_to(popup)
    browsers.wait_for(lambda: browser.execute(
        "return document.querySelector(arguments[0]) !== null;", DISCOVERED_DEVELOPER),
        timeout=60, message=lambda: f"discovered roles (popup: {browser.page_text()[:400]!r})")
    text = browser.page_text()
    assert "Development" in text and "discovered" in text
    # prod-admin names 111111111111/AdministratorAccess: listed once, as the profile.
    names = browser.attributes_of("button.role", "data-profile")
    assert "prod-admin" in names
    assert not any(name.endswith("\nAdministratorAccess") for name in names)
    browser.screenshot("sso-discovered")
    # On demand: Refresh lists again (a role added in the portal meanwhile shows up).
    from support.standin.identity_center import SsoAccount

    standin.identity_center.directory.append(
        SsoAccount("333333333333", "Sandbox", "sandbox@example.com", ("Tinkerer",)))
    browser.click("#sso-refresh")
    browsers.wait_for(lambda: browser.execute(
        "return document.querySelector(arguments[0]) !== null;",
        'button.role[data-profile$="Tinkerer"]'), timeout=60, message="the refreshed listing")
    browser.click(DISCOVERED_DEVELOPER)
    console = browser.wait_for_tab(
        lambda tab: "Signed in as Developer/" in tab.text and "222222222222" in tab.text,
        timeout=60, message="the discovered role's console")
    browser.switch_to(console.handle)
    browser.screenshot("sso-console")
    assert standin.sso_requests[-1].status == 200
    # Extension storage holds the discovered table, never a token, secret or credential.
    browser.switch_to(popup)
    # Firefox's Marionette scripts see the page through an Xray wrapper: go through it.
    page_window = "(window.wrappedJSObject ?? window)"
    browser.execute(f"const w = {page_window}; const api = w.browser ?? w.chrome;"
                    "api.storage.local.get(null).then((items) => {"
                    " w.storageDump = JSON.stringify(items); });")
    dump = browsers.wait_for(
        lambda: browser.execute(f"return {page_window}.storageDump || '';"),
        message="a dump of extension storage")
    assert "222222222222" in dump  # the discovered table is there
    secrets = standin.identity_center.known_secrets() + [
        secret for pair in standin._records.secrets.values() for secret in pair]
    assert len(secrets) >= 5
    assert not [secret for secret in secrets if secret in dump]


def alert_text(browser: browsers.Browser, needle: str) -> str:
    return browsers.wait_for(
        lambda: (text := browser.text_of("[role=alert]")) and needle in text and text,
        timeout=60,
        message=lambda: f"an alert with {needle!r}: {browser.text_of('[role=alert]')!r}")


def start_sign_in(browser: browsers.Browser) -> str:
    browsers.wait_for(lambda: START_URL in browser.text_of(SIGN_IN), message="a sign-in offer")
    browser.click(SIGN_IN)
    code: str = browsers.wait_for(lambda: browser.text_of("#sso-user-code"),
                                  message="the user code")
    return code


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_sign_in_faults_in_the_popup(launch: LaunchBrowser, aws_home: Any,
                                     standin: Any, browser_name: str) -> None:
    """Denied, cancelled and an unusable cache folder: each a clear message, the sign-in
    offered again; a popup opened while a sign-in waits shows that sign-in (one code, one
    verification tab)."""
    aws_home.write_config(CONFIG)
    browser = launch(browser_name)
    browser.open_popup()
    user_code = start_sign_in(browser)
    # A popup opened while the sign-in waits (the toolbar popup closes when the user goes to
    # the verification page) shows the same code, and no second verification tab opens.
    browser.open_popup()
    assert browsers.wait_for(lambda: browser.text_of("#sso-user-code"),
                             message="the waiting sign-in's code") == user_code
    pages = [tab for tab in browser.tabs() if "user_code=" in tab.url]
    assert len(pages) == 1
    assert len([c for c in standin.identity_center.calls
                if c.operation == "StartDeviceAuthorization"]) == 1
    assert standin.identity_center.decide(user_code, approve=False)
    alert_text(browser, "was denied")
    browsers.wait_for(lambda: START_URL in browser.text_of(SIGN_IN), message="the offer again")
    browser.screenshot("sso-denied")

    start_sign_in(browser)
    browser.click("#sso-cancel")
    browsers.wait_for(lambda: "cancelled" in browser.text_of("#sso-status"),
                      message="the cancel acknowledged")
    cancelled = [c for c in standin.identity_center.calls if c.operation == "CreateToken"]
    assert all(c.status != 200 for c in cancelled)

    cache = aws_home.home / ".aws" / "sso" / "cache"
    for entry in cache.iterdir():
        entry.unlink()
    cache.rmdir()
    cache.write_text("in the way")
    browsers.wait_for(lambda: START_URL in browser.text_of(SIGN_IN), message="the offer again")
    browser.click(SIGN_IN)
    alert_text(browser, "could not be saved")
    browser.screenshot("sso-cache-unwritable")
