"""The options page in real browsers: "Test connection", and every option takes effect."""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import ROLE_BUTTON, console_tab_of, open_and_wait_listed

pytestmark = pytest.mark.browser

# What the options page saved, read back through the page's own fields after a reload (the
# same path the page takes on start): Marionette's script sandbox has no extension API.
SAVED_FIELDS = """
    return Object.fromEntries([...document.querySelectorAll('#settings [name]')]
        .map((el) => [el.name, el.type === 'checkbox' ? el.checked : el.value]));
"""


def saved_settings(browser: browsers.Browser) -> dict[str, Any]:
    editing = browser.current_handle()
    browser.open_options()
    try:
        browser.wait_css("body[data-ready]")
        return dict(browser.execute(SAVED_FIELDS))
    finally:
        browser.close_current()
        browser.switch_to(editing)


def set_options(browser: browsers.Browser, **fields: str | bool) -> None:
    """Set the options page's fields (css id -> value) and wait until storage holds them."""
    browser.open_options()
    browser.wait_css("body[data-ready]")
    for field, value in fields.items():
        browser.set_field(f"#{field}", value)
    expected = {
        "containers-enabled": "containersEnabled", "container-prefix": "containerPrefix",
        "open-mode": "openMode", "default-region": "region",
        "session-duration": "sessionDuration", "keep-popup-open": "keepPopupOpen",
    }
    wanted = {expected[field]: value for field, value in fields.items()}
    browsers.wait_for(
        lambda: all((saved := saved_settings(browser)).get(key) == value
                    for key, value in wanted.items()) and saved,
        message=lambda: f"settings {wanted} saved",
    )


def test_chromium_test_connection_region_and_session_length(
    launch: LaunchBrowser, demo_config: Any, standin: Any
) -> None:
    browser = launch("chromium")
    browser.open_options()
    browser.click("#test-connection")
    browser.wait_css("#host-version")
    assert browser.text_of("#host-version") not in ("", "unknown")
    assert browser.text_of("#host-config-file") == str(demo_config.config_file)
    browser.screenshot("options-connected")

    set_options(browser, **{"default-region": "ap-southeast-2", "session-duration": "3600"})
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    console = console_tab_of(browser, aws.PLAIN_DEV)
    assert "ap-southeast-2" in console.text, console.text
    tokens = [r for r in standin.federation_requests if r.action == "getSigninToken"]
    assert tokens and tokens[-1].session_duration == "3600", tokens


def test_chromium_test_connection_without_host_shows_the_fix(
    launch: LaunchBrowser, demo_config: Any
) -> None:
    browser = launch("chromium", install_host=False)
    browser.open_options()
    browser.click("#test-connection")
    browsers.wait_for(
        lambda: "roleport install" in browser.text_of("#connection-status [role=alert]"),
        message=lambda: f"the install fix, got {browser.text_of('#connection-status')!r}",
    )


def test_firefox_container_prefix_and_switch(launch: LaunchBrowser, demo_config: Any) -> None:
    browser = launch("firefox")
    assert isinstance(browser, browsers.FirefoxBrowser)
    set_options(browser, **{"container-prefix": "aws-"})
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    prefixed = console_tab_of(browser, aws.PLAIN_DEV)
    containers = {c["name"]: c["userContextId"] for c in browser.containers()}
    assert containers.get(f"aws-{aws.PLAIN_DEV}") == prefixed.user_context_id > 0, containers

    set_options(browser, **{"containers-enabled": False})
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    plain = console_tab_of(browser, aws.PLAIN_PROD)
    assert plain.user_context_id == 0, "containers switched off, yet the tab is in one"
    assert not any(name.endswith(aws.PLAIN_PROD) for name in
                   (c["name"] for c in browser.containers())), browser.containers()


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_test_connection_by_keyboard_keeps_focus(
    launch: LaunchBrowser, demo_config: Any, browser_name: str
) -> None:
    """Disabling the focused button while it works would drop keyboard users at the top."""
    browser = launch(browser_name)
    browser.open_options()
    browser.wait_css("body[data-ready]")
    browser.execute("document.getElementById('test-connection').focus();")
    browser.send_keys(None, browser.key("ENTER"))
    browser.wait_css("#host-version")
    assert browser.focused_matches("#test-connection"), browser.execute(
        "return document.activeElement && document.activeElement.outerHTML.slice(0, 80);")
    # A second press while nothing runs tests again, and the result stays one result.
    browser.send_keys(None, browser.key("ENTER"))
    browsers.wait_for(lambda: len(browser.texts_of("#host-version")) == 1
                     and browser.find("#connection-status").get_attribute("aria-busy") is None,
                     message="one fresh result")
