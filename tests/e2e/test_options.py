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


# Whether an options section is shown: present, not hidden, and laid out.
SHOWN = """
    const el = document.querySelector(arguments[0]);
    return Boolean(el) && !el.hidden && el.getClientRects().length > 0;
"""


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_options_show_only_the_sections_of_this_browser(
    launch: LaunchBrowser, demo_config: Any, browser_name: str
) -> None:
    browser = launch(browser_name)
    browser.open_options()
    browser.wait_css("body[data-ready]")
    containers = browser.execute(SHOWN, "#containers-section")
    open_mode = browser.execute(SHOWN, "#open-mode-section")
    if browser_name == "chromium":
        assert (containers, open_mode) == (False, True), "Chromium has no containers"
    else:
        assert (containers, open_mode) == (True, False), "Firefox opens logins in containers"
        # Containers switched off in roleport: logins open by the open mode, which now shows.
        browser.set_field("#containers-enabled", False)
        browsers.wait_for(lambda: browser.execute(SHOWN, "#open-mode-section"),
                          message="the open-mode section once containers are off")
        assert browser.execute(SHOWN, "#containers-section")
    browser.screenshot(f"options-{browser_name}")


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_region_is_normalised_and_an_invalid_one_blocks_nothing_else(
    launch: LaunchBrowser, demo_config: Any, browser_name: str
) -> None:
    browser = launch(browser_name)
    browser.open_options()
    browser.wait_css("body[data-ready]")
    # botocore's regions, relayed from the host, fill the picker.
    browser.wait_css('#known-regions option[value="eu-west-1"]', visible=False)
    assert browser.execute(
        "return document.querySelector('#known-regions option[value=\"eu-west-1\"]').label;"
    ) == "eu-west-1 \u2013 Europe (Ireland)"

    browser.set_field("#default-region", "EU-WEST-1")
    assert browser.execute("return document.getElementById('default-region').value;") \
        == "eu-west-1", "the field shows the region as it is saved"
    browsers.wait_for(lambda: saved_settings(browser).get("region") == "eu-west-1",
                      message=lambda: f"eu-west-1 saved, got {saved_settings(browser)}")

    browser.set_field("#default-region", "mars-north")
    browser.set_field("#session-duration", "3600")
    browsers.wait_for(lambda: saved_settings(browser).get("sessionDuration") == "3600",
                      message=lambda: f"the session length saved, got {saved_settings(browser)}")
    assert saved_settings(browser)["region"] == "eu-west-1", "the invalid region replaced it"
    field = browser.execute("""
        const input = document.getElementById('default-region');
        const error = document.getElementById('default-region-error');
        const a = input.getBoundingClientRect(), b = error.getBoundingClientRect();
        return {invalid: input.getAttribute('aria-invalid'),
                describedby: input.getAttribute('aria-describedby').split(' '),
                error: error.textContent, gap: b.top - a.bottom, left: b.left - a.left,
                status: document.getElementById('save-status').textContent};
    """)
    assert field["invalid"] == "true", field
    assert "default-region-error" in field["describedby"], field
    assert "\u201cmars-north\u201d is not an AWS region name" in field["error"], field
    assert "stays \u201ceu-west-1\u201d" in field["error"], field
    # Right under the field, not at the bottom of the form.
    assert 0 <= field["gap"] <= 24 and abs(field["left"]) <= 4, field
    assert field["status"] == "The other options are saved.", field
    browser.screenshot(f"options-invalid-region-{browser_name}")

    # Fixed: the message goes, the region is saved.
    browser.set_field("#default-region", "ap-southeast-2")
    browsers.wait_for(lambda: saved_settings(browser).get("region") == "ap-southeast-2",
                      message="the corrected region saved")
    assert browser.execute(
        "return [document.getElementById('default-region').getAttribute('aria-invalid'),"
        " document.getElementById('default-region-error').textContent];") == [None, ""]
