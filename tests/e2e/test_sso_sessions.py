"""A role discovered through IAM Identity Center (no profile in the config) has a live console
session like a profile, in Chromium and Firefox: after its first sign-in its row shows the
signed-in marker, and a second click brings its console tab to the front instead of signing in
again (no GetRoleCredentials, no federation login, no new tab). The session registry keeps no
secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.test_sso import CONFIG, START_URL

pytestmark = pytest.mark.browser

DISCOVERED_DEVELOPER = 'button.role[data-profile$="Developer"]'
MARKER = DISCOVERED_DEVELOPER + " .session-marker"
# The tabs the extension sees, and which one its window shows, from the popup page.
TABS_SCRIPT = """api.tabs.getCurrent().then((popup) => api.tabs.query({}).then((tabs) => ({
      active: tabs.filter((tab) => tab.active && tab.windowId === popup.windowId)
        .map((tab) => tab.id),
      consoles: tabs.filter((tab) => tab.url.includes('/console')).map((tab) => tab.id),
    })))
"""


def sign_in_counts(standin: Any) -> tuple[int, int]:
    """GetRoleCredentials calls and federation logins so far: a sign-in adds one of each."""
    logins = sum(1 for request in standin.federation_requests if request.action == "login")
    return len(standin.sso_requests), logins


def wait_for_row(browser: browsers.Browser, css: str) -> None:
    browsers.wait_for(lambda: browser.execute(
        "return document.querySelector(arguments[0]) !== null;", css),
        timeout=60, message=lambda: f"{css} (popup: {browser.page_text()[:400]!r})")


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_a_discovered_role_reuses_its_live_console_session(
    launch: LaunchBrowser, aws_home: Any, standin: Any, browser_name: str
) -> None:
    aws_home.write_config(CONFIG)
    # What `aws sso login` leaves behind: the discovered roles can be listed at once.
    standin.sso_login(str(aws_home.home), start_url=START_URL, region="eu-west-1",
                      session_name="corp")
    browser = launch(browser_name)
    browser.open_popup()
    wait_for_row(browser, DISCOVERED_DEVELOPER)
    assert sign_in_counts(standin) == (0, 0)
    browser.click(DISCOVERED_DEVELOPER)
    browser.wait_for_tab(
        lambda tab: "Signed in as Developer/" in tab.text and "222222222222" in tab.text,
        timeout=60, message="the discovered role's console")
    after_first = sign_in_counts(standin)
    assert after_first == (1, 1)

    # A new popup marks the discovered row signed in, its Sign out named for people.
    browser.open_popup()
    wait_for_row(browser, MARKER)
    assert "signed in" in browser.text_of(MARKER)
    # (A row in Recently used and one in its account.)
    sign_out = set(browser.attributes_of(
        DISCOVERED_DEVELOPER + " ~ button.session-sign-out", "aria-label"))
    assert sign_out == {"Sign out of Development/Developer"}, sign_out
    browser.screenshot("sso-discovered-signed-in")
    tab_count = len(browser.tabs())
    tabs = browser.extension_call(TABS_SCRIPT)
    assert len(tabs["consoles"]) == 1, tabs
    assert tabs["active"] != tabs["consoles"], "the popup's tab is in front"

    # The second click brings that console to the front: no sign-in, no new tab.
    browser.click(DISCOVERED_DEVELOPER)
    browsers.wait_for(
        lambda: browser.extension_call(TABS_SCRIPT)["active"] == tabs["consoles"],
        message=lambda: f"the console tab in front: {browser.extension_call(TABS_SCRIPT)}")
    assert sign_in_counts(standin) == after_first
    assert len(browser.tabs()) == tab_count

    # The popup names it as the user knows it, not by its internal list key.
    browser.return_to_popup()
    assert browser.text_of("#list-status") == \
        "Switched to the open console of Development/Developer.", browser.text_of("#list-status")

    # The registry names the role by its list key and label; nothing secret is in it.
    stored = json.dumps(browser.extension_call("api.storage.session.get(null)"))
    assert "Development/Developer" in stored and "222222222222" in stored, stored
    assert "SigninToken" not in stored and "Action=login" not in stored, stored
    secrets = standin.identity_center.known_secrets() + [
        secret for pair in standin._records.secrets.values() for secret in pair]
    assert secrets and not [secret for secret in secrets if secret in stored]


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_the_aws_keyword_suggests_and_opens_a_discovered_role(
    launch: LaunchBrowser, aws_home: Any, standin: Any, browser_name: str
) -> None:
    aws_home.write_config(CONFIG)
    standin.sso_login(str(aws_home.home), start_url=START_URL, region="eu-west-1",
                      session_name="corp")
    browser = launch(browser_name)
    browser.open_popup()
    wait_for_row(browser, DISCOVERED_DEVELOPER)  # the popup has listed (and stored) the roles
    # The address bar's handlers, called as the omnibox events call them (tests/e2e/
    # test_keyboard.py explains the route).
    reply = browser.extension_call(
        "api.runtime.sendMessage({type: 'omniboxSuggest', text: arguments[0]})",
        "development dev")
    assert reply["ok"], reply
    contents = [suggestion["content"] for suggestion in reply["result"]["suggestions"]]
    assert contents[0] == "Development/Developer (222222222222, corp)", contents
    assert all("\n" not in content for content in contents), contents
    opened = browser.extension_call(
        "api.runtime.sendMessage({type: 'omniboxEnter', text: arguments[0], "
        "disposition: 'newForegroundTab'})", contents[0])
    assert opened["ok"], opened
    browser.wait_for_tab(
        lambda tab: "Signed in as Developer/" in tab.text and "222222222222" in tab.text,
        timeout=60, message="the discovered role's console")
    assert sign_in_counts(standin) == (1, 1)
