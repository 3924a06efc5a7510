"""MFA, visible errors and keyboard use of the popup, in Chromium (errors also in Firefox)."""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import (
    ROLE_BUTTON,
    console_tab_of,
    open_and_wait_listed,
    signed_in_as,
)

pytestmark = pytest.mark.browser

MFA_FIELD = "input[autocomplete=one-time-code]"
ALERT = "[role=alert]"


def alerts(browser: browsers.Browser) -> str:
    """The text of every visible alert: the list's at the top, a row's, the MFA field's."""
    return "\n".join(browser.texts_of(ALERT))


def alert_text(browser: browsers.Browser, *needles: str) -> str:
    """Wait until the popup's alerts show every needle; returns their text."""
    return browsers.wait_for(
        lambda: (text := alerts(browser)) and all(n in text for n in needles) and text,
        message=lambda: f"an alert with {needles!r}, alerts are {alerts(browser)!r}",
    )


def mfa_assume_role_calls(standin: Any) -> list[Any]:
    """STS calls that carried an MFA code (GetSessionToken: one MFA session per device)."""
    return [call for call in standin.sts_calls if call.params.get("SerialNumber")]


def test_mfa_wrong_code_then_right_code_then_cached(
    launch: LaunchBrowser, demo_config: Any, standin: Any
) -> None:
    browser = launch("chromium")
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.MFA))
    browser.wait_css(MFA_FIELD)
    browsers.wait_for(lambda: browser.focused_matches(MFA_FIELD), message="focus in the MFA field")
    browser.screenshot("mfa-asked")

    browser.type_into(MFA_FIELD, aws.WRONG_MFA_CODE + browser.key("ENTER"))
    alert = alert_text(browser, "not accepted", aws.MFA)
    assert aws.WRONG_MFA_CODE not in alert
    # The status line must not keep claiming a sign-in is under way.
    assert "Opening" not in browser.text_of("#list-status")
    browser.screenshot("mfa-wrong-code")
    assert not any(signed_in_as(aws.MFA) in tab.text for tab in browser.tabs())
    assert [c.status for c in mfa_assume_role_calls(standin)] == [403]

    good_code = sorted(standin.mfa_codes)[0]
    # Typed the way authenticator apps show and copy it: "123 456".
    browser.type_into(MFA_FIELD, f"{good_code[:3]} {good_code[3:]}" + browser.key("ENTER"))
    console = console_tab_of(browser, aws.MFA)
    browser.switch_to(console.handle)
    browser.screenshot("mfa-console")
    assert [c.status for c in mfa_assume_role_calls(standin)] == [403, 200]

    # Next fresh sign-in (Alt+Enter; a plain click would focus the live console): cached
    # credentials, no code asked, no new MFA AssumeRole.
    browser.open_popup()
    browser.wait_css(ROLE_BUTTON.format(aws.MFA))
    browser.send_keys(ROLE_BUTTON.format(aws.MFA), browser.key("ALT"), browser.key("ENTER"))
    browser.wait_for_tabs(
        lambda tabs: sum(signed_in_as(aws.MFA) in tab.text for tab in tabs) == 2,
        message="a second Auditor console without a code",
    )
    browser.return_to_popup()
    assert browser.execute("return document.querySelector(arguments[0]) === null;", MFA_FIELD)
    assert len(mfa_assume_role_calls(standin)) == 2


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_host_not_installed_shows_the_fix(
    launch: LaunchBrowser, demo_config: Any, browser_name: str
) -> None:
    browser = launch(browser_name, install_host=False)
    browser.open_popup()
    alert_text(browser, "not installed", "roleport install")
    browser.screenshot("host-not-installed")
    assert browser.attributes_of("button.role", "data-profile") == []


def test_removed_profile_shows_profile_not_found(
    launch: LaunchBrowser, demo_config: Any
) -> None:
    browser = launch("chromium")
    open_and_wait_listed(browser)
    # The popup's own refresh from the host is done: it read the config before the edit.
    browser.wait_css("body[data-host-listed]")
    # The profile disappears from the config while the popup still lists it.
    demo_config.write_config(aws.CONFIG.replace(f"[profile {aws.PLAIN_PROD}]", "[profile gone]"))
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    alert_text(browser, f"'{aws.PLAIN_PROD}' does not exist", "roleport list")
    # The popup fetches the list again by itself: the stale row goes, the renamed one comes.
    browsers.wait_for(
        lambda: (names := browser.attributes_of("button.role", "data-profile"))
        and "gone" in names and aws.PLAIN_PROD not in names,
        message=lambda: f"the list refreshed (popup: {browser.page_text()[:400]!r})")
    browser.screenshot("profile-removed")
    assert not any("Signed in as" in tab.text for tab in browser.tabs())


def test_sts_down_is_reported_and_recovers(
    launch: LaunchBrowser, demo_config: Any, standin: Any
) -> None:
    browser = launch("chromium")
    open_and_wait_listed(browser)
    standin.sts_down = True
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    alert_text(browser, "AWS STS")
    browser.screenshot("sts-down")
    assert not any("Signed in as" in tab.text for tab in browser.tabs())

    standin.sts_down = False
    browser.return_to_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    console_tab_of(browser, aws.PLAIN_DEV)


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_keyboard_focus_arrows_and_enter(
    launch: LaunchBrowser, demo_config: Any, browser_name: str
) -> None:
    browser = launch(browser_name)
    listed = open_and_wait_listed(browser)
    assert browser.focused_matches("input[type=search]")

    browser.send_keys(None, browser.key("ARROW_DOWN"))
    browsers.wait_for(lambda: browser.focused_matches(ROLE_BUTTON.format(listed[0])),
                     message=f"focus on the first row ({listed[0]})")
    browser.send_keys(None, browser.key("ARROW_DOWN"))
    second = listed[1]
    browsers.wait_for(lambda: browser.focused_matches(ROLE_BUTTON.format(second)),
                     message=f"focus on the second row ({second})")
    assert second in aws.ROLE_OF and second != aws.MFA, listed
    browser.send_keys(None, browser.key("ENTER"))
    console_tab_of(browser, second)

    # Typing then Enter in the search field opens the best match.
    browser.open_popup()
    browser.send_keys(None, "readonly", browser.key("ENTER"))
    console_tab_of(browser, aws.PLAIN_PROD)
