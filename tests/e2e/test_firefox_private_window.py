"""Firefox private windows have no containers: opening a profile from the popup in one says so
and what to do, instead of the generic "could not open the tab"."""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import ROLE_BUTTON, open_and_wait_listed

pytestmark = pytest.mark.browser

# What a user does in about:addons ("Run in Private Windows: Allow"): the add-on's
# private-browsing permission, which takes effect when the add-on is reloaded.
ALLOW_IN_PRIVATE_WINDOWS = """
    const [id, done] = arguments;
    const { ExtensionPermissions } = ChromeUtils.importESModule(
        'resource://gre/modules/ExtensionPermissions.sys.mjs');
    const { AddonManager } = ChromeUtils.importESModule(
        'resource://gre/modules/AddonManager.sys.mjs');
    ExtensionPermissions.add(id, {permissions: ['internal:privateBrowsingAllowed'], origins: []})
        .then(() => AddonManager.getAddonByID(id))
        .then((addon) => addon.reload())
        .then(() => done(true), (error) => done(String(error)));
"""


def allow_in_private_windows(browser: browsers.FirefoxBrowser) -> None:
    with browser.marionette.using_context("chrome"):
        outcome = browser.marionette.execute_async_script(
            ALLOW_IN_PRIVATE_WINDOWS, script_args=[browser.extension_id], new_sandbox=False)
    assert outcome is True, outcome


def test_opening_a_profile_from_a_private_window_explains_containers(
    launch: LaunchBrowser, demo_config: Any, standin: Any
) -> None:
    browser = launch("firefox")
    assert isinstance(browser, browsers.FirefoxBrowser)
    allow_in_private_windows(browser)
    popup_url = browser.extension_url("extension/popup.html")
    normal_window = browser.current_handle()
    result = browser.marionette.open(type="window", focus=True, private=True)
    browser.switch_to(result["handle"])
    browser.navigate(popup_url)
    browser.popup_handle = browser.current_handle()
    browsers.wait_for(
        lambda: aws.PLAIN_DEV in browser.attributes_of("button.role", "data-profile"),
        message=lambda: f"the list in the private window: {browser.page_text()[:300]!r}",
    )
    tabs_before = len(browser.handles())
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    browsers.wait_for(
        lambda: "no containers in private windows" in browser.page_text(),
        message=lambda: f"the private-window message, got {browser.page_text()[:400]!r}",
    )
    text = browser.page_text()
    assert "normal (non-private) window" in text, text
    assert "could not open the AWS console tab" not in text, text
    assert len(browser.handles()) == tabs_before, "a console tab was opened anyway"
    browser.screenshot("private-window-error")
    # The same profile from a normal window opens in its container.
    browser.switch_to(normal_window)
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    tab = browser.wait_for_tab(lambda tab: f"in account {aws.DEV_ACCOUNT}" in tab.text,
                               message="the console from a normal window")
    assert tab.user_context_id > 0
