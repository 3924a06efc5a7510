"""First run: the welcome page opens when the extension is installed, shows the commands that
install the helper program for this browser and system, and turns green with the profile count
once the host answers. The popup's "not installed" error leads back to it.

The harness installs the extension at every browser start, so the page opens in every suite;
these tests keep it (keep_welcome=True) instead of letting the harness close it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_popup_flows import alert_text

pytestmark = pytest.mark.browser

STEPS = "#steps"
SETUP_LINK = "a.setup-guide"
# The URL of the tab the browser shows (WebDriver's current tab is the page the script runs in,
# whichever tab the browser shows).
ACTIVE_TAB_URL = ("api.tabs.query({active: true, lastFocusedWindow: true})"
                  ".then((tabs) => tabs[0]?.url)")


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_welcome_page_opens_on_install_and_turns_green_once_the_host_answers(
    launch: LaunchBrowser, demo_config: Any, browser_name: str
) -> None:
    browser = launch(browser_name, install_host=False, keep_welcome=True)

    welcome = browser.wait_for_welcome()
    assert browser.welcome_state() == "missing"
    steps = browser.text_of(STEPS)
    assert "pipx install roleport" in steps
    assert "pipx install ." in steps
    assert "sudo apt install pipx" in steps, "Linux commands for a Linux browser"
    # The pinned development build: the installer knows its id, no --extension-id needed.
    assert f"roleport install --browser {browser_name}\n" in steps + "\n", steps
    assert "not installed" in browser.text_of("#status")
    assert not browser.find("#ready").is_displayed()
    browser.scheme_screenshots("welcome-missing")

    # The popup's error links to the same page: the background focuses the open one.
    browser.open_popup()
    alert_text(browser, "not installed")
    assert browser.text_of(SETUP_LINK) == "Show me how to set it up"
    browser.scheme_screenshots("popup-setup-link")
    browser.click(SETUP_LINK)
    browsers.wait_for(lambda: browser.extension_call(ACTIVE_TAB_URL) == browser.welcome_url,
                      message="the welcome tab brought to the front")
    welcome_tabs = [tab for tab in browser.tabs() if tab.url.startswith(browser.welcome_url)]
    assert [tab.handle for tab in welcome_tabs] == [welcome.handle]

    browser.install_host()
    browser.switch_to(welcome.handle)
    browser.click("#check-again")
    browsers.wait_for(lambda: browser.welcome_state() == "connected",
                      message=lambda: f"a green check (page: {browser.page_text()[:400]!r})")
    found = browser.text_of("#profile-count")
    count = re.search(r"found (\d+) AWS profiles", found)
    assert count and int(count.group(1)) == len(aws.ALL_PROFILES), found
    assert "answers this browser" in browser.text_of("#status")
    assert not browser.find("#setup").is_displayed()
    assert "Pin" in browser.text_of("#ready") and "Extensions button" in browser.text_of("#ready")
    assert "Alt+Shift+L" in browser.text_of("#shortcut-help")
    browser.scheme_screenshots("welcome-connected")
