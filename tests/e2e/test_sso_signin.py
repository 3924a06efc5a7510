"""IAM Identity Center from the popup, in Chromium and Firefox: a config with only an
sso-session and one SSO profile and no token -> Sign in -> the verification page opens in a
normal tab (no container) -> Approve -> the discovered accounts are listed -> a discovered
role opens its console. And the sign-in's faults as the popup shows them: denied on the
verification page, cancelled, the code expired while the popup waits, an unusable token
cache, two popups starting a sign-in at once. The panel's states are screenshotted at popup
width, light and dark (sso-*-350px-*.png in artifacts/e2e/<test>/)."""

from __future__ import annotations

from typing import Any

import pytest

from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.test_sso import CONFIG, START_URL

pytestmark = pytest.mark.browser

SIGN_IN = "button.sso-sign-in"
PANEL_ERROR = "#sso-error"
DISCOVERED_DEVELOPER = 'button.role[data-profile$="Developer"]'


def has(browser: browsers.Browser, css: str) -> bool:
    return bool(browser.execute("return document.querySelector(arguments[0]) !== null;", css))


def popup_shots(browser: browsers.Browser, name: str) -> None:
    """The popup at popup width, light and dark. Its tab comes to the front first: the
    verification page opens as the active tab, and Firefox narrows the selected tab."""
    browser.switch_to(browser.current_handle())
    browser.popup_screenshots(name)


def approve_on_the_page(browser: browsers.Browser, user_code: str, button: str = "#approve"
                        ) -> None:
    """Approve (or Deny) on the verification tab, as the user does, then back to the popup."""
    popup = browser.current_handle()
    page = browser.wait_for_tab(lambda tab: f"user_code={user_code}" in tab.url,
                                message="the verification page")
    browser.switch_to(page.handle)
    browser.click(button)
    browsers.wait_for(lambda: browser.text_of("#result"), message="the page's answer")
    browser.switch_to(popup)


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
    assert not has(browser, PANEL_ERROR)
    assert browser.text_of(SIGN_IN) == f"Sign in to {START_URL}"
    # Nothing is listed without a token (the sign-in lists), and nothing is said to be.
    assert "Listing" not in browser.text_of("#sso-panel")
    assert not [c for c in standin.identity_center.calls if c.operation == "ListAccounts"]
    popup_shots(browser, "sso-offer")
    browser.click(SIGN_IN)
    user_code = browsers.wait_for(lambda: browser.text_of("#sso-user-code"),
                                  message="the user code in the popup")
    assert browser.text_of("#sso-cancel") == "Cancel"
    popup_shots(browser, "sso-waiting")
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
    popup_shots(browser, "sso-discovered")
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


def panel_error(browser: browsers.Browser, needle: str) -> str:
    """The IAM Identity Center panel's own alert, once it says `needle`."""
    return browsers.wait_for(
        lambda: (text := browser.text_of(PANEL_ERROR)) and needle in text and text,
        timeout=60,
        message=lambda: f"the panel's error with {needle!r}: {browser.text_of(PANEL_ERROR)!r} "
                        f"(popup: {browser.page_text()[:300]!r})")


def start_sign_in(browser: browsers.Browser) -> str:
    browsers.wait_for(lambda: START_URL in browser.text_of(SIGN_IN), message="a sign-in offer")
    browser.click(SIGN_IN)
    code: str = browsers.wait_for(lambda: browser.text_of("#sso-user-code"),
                                  message="the user code")
    return code


def offered_again(browser: browsers.Browser) -> None:
    browsers.wait_for(lambda: START_URL in browser.text_of(SIGN_IN)
                      and not has(browser, "#sso-user-code"),
                      message=lambda: f"the offer again (popup: {browser.page_text()[:300]!r})")


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
    # The user chooses Deny on the verification page.
    approve_on_the_page(browser, user_code, "#deny")
    text = panel_error(browser, "was denied")
    assert f"The sign-in to IAM Identity Center at {START_URL} was denied." in text
    assert "choose Allow on the verification page" in text
    offered_again(browser)
    popup_shots(browser, "sso-denied")

    start_sign_in(browser)
    # Starting again clears the old error.
    assert not has(browser, PANEL_ERROR)
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
    offered_again(browser)
    browser.click(SIGN_IN)
    panel_error(browser, "could not be saved")
    offered_again(browser)
    browser.screenshot("sso-cache-unwritable")


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_a_code_that_expires_while_the_popup_waits(launch: LaunchBrowser, aws_home: Any,
                                                   standin: Any, browser_name: str) -> None:
    """IAM Identity Center says the code expired (ten minutes went by): the popup says so,
    the code goes, the sign-in is offered again, and starting again works."""
    aws_home.write_config(CONFIG)
    browser = launch(browser_name)
    browser.open_popup()
    user_code = start_sign_in(browser)
    standin.advance_clock(11 * 60)
    text = panel_error(browser, "expired before it was approved")
    assert f"The sign-in code for {START_URL} expired before it was approved." in text
    assert "approve it within 10 minutes" in text
    offered_again(browser)
    assert not has(browser, "#sso-cancel")
    popup_shots(browser, "sso-expired")
    # The expired code is dead on the page too; a new sign-in gets a new code that works.
    assert not standin.identity_center.decide(user_code, approve=True)
    second = start_sign_in(browser)
    assert second != user_code
    assert not has(browser, PANEL_ERROR)
    approve_on_the_page(browser, second)
    browsers.wait_for(lambda: has(browser, DISCOVERED_DEVELOPER), timeout=60,
                      message=lambda: f"discovered roles (popup: {browser.page_text()[:300]!r})")
    assert not has(browser, SIGN_IN)


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_two_popups_starting_a_sign_in_at_once_share_one(launch: LaunchBrowser, aws_home: Any,
                                                         standin: Any,
                                                         browser_name: str) -> None:
    """Both popups click Sign in before IAM Identity Center has answered either: one device
    authorization, one code in both popups, one verification tab; approving it signs both in."""
    aws_home.write_config(CONFIG)
    browser = launch(browser_name)
    browser.open_popup()
    first = browser.current_handle()
    browsers.wait_for(lambda: START_URL in browser.text_of(SIGN_IN), message="a sign-in offer")
    browser.open_popup()
    second = browser.current_handle()
    browsers.wait_for(lambda: START_URL in browser.text_of(SIGN_IN), message="a sign-in offer")
    center = standin.identity_center
    center.hold("StartDeviceAuthorization")
    try:
        for handle in (first, second):
            browser.switch_to(handle)
            browser.click(SIGN_IN)
            browsers.wait_for(lambda: "Starting the sign-in" in browser.text_of("#sso-status"),
                              message="the popup waiting for its sign-in to start")
        # Both clicks are in flight; the host lets one through to IAM Identity Center.
        browsers.wait_for(lambda: center.held_callers("StartDeviceAuthorization") == 1,
                          message="the device authorization request at the gate")
    finally:
        center.release("StartDeviceAuthorization")
    codes = []
    for handle in (first, second):
        browser.switch_to(handle)
        codes.append(browsers.wait_for(lambda: browser.text_of("#sso-user-code"),
                                       message="the user code"))
    assert codes[0] == codes[1]
    assert len([c for c in center.calls if c.operation == "StartDeviceAuthorization"]) == 1
    pages = browser.wait_for_tabs(
        lambda tabs: any("user_code=" in tab.url for tab in tabs), message="the verification tab")
    assert len([tab for tab in pages if "user_code=" in tab.url]) == 1
    approve_on_the_page(browser, codes[0])
    for handle in (first, second):
        browser.switch_to(handle)
        browsers.wait_for(lambda: has(browser, DISCOVERED_DEVELOPER), timeout=60,
                          message=lambda: f"discovered roles ({browser.page_text()[:300]!r})")
        assert not has(browser, PANEL_ERROR)
