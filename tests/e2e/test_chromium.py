"""Chromium: grouped list, filter, two roles through the logout wrapper, and its negative."""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from support.standin.federation import LOGOUT_FIRST_TEXT
from tests.e2e.conftest import LaunchBrowser, open_and_wait_listed

pytestmark = pytest.mark.browser

ROLE_BUTTON = 'button.role[data-profile="{}"]'


def signed_in_as(profile: str) -> str:
    return f"Signed in as {aws.ROLE_OF[profile]}/"


def console_tab_of(browser: browsers.Browser, profile: str) -> browsers.Tab:
    account = aws.ACCOUNT_OF[profile]
    return browser.wait_for_tab(
        lambda tab: signed_in_as(profile) in tab.text and f"in account {account}" in tab.text,
        message=f"a console tab signed in as {profile}",
    )


def test_chromium_lists_grouped_filters_and_opens_two_roles(
    launch: LaunchBrowser, demo_config: Any, standin: Any
) -> None:
    browser = launch("chromium")
    open_and_wait_listed(browser)
    headings = browser.texts_of("#results h2")
    assert any("Development" in h and aws.DEV_ACCOUNT in h for h in headings), headings
    assert any("Production" in h and aws.PROD_ACCOUNT in h for h in headings), headings
    production_rows = browser.execute(
        """
        const section = [...document.querySelectorAll('#results section')]
            .find(s => s.querySelector('h2').innerText.includes(arguments[0]));
        return section ? [...section.querySelectorAll('button.role')]
            .map(b => b.dataset.profile) : [];
        """,
        aws.PROD_ACCOUNT,
    )
    assert set(production_rows) == {aws.PLAIN_PROD, aws.CHAINED}
    browser.screenshot("popup-grouped")

    browser.send_keys("input[type=search]", "readonly")
    browsers.wait_for(
        lambda: browser.attributes_of("button.role", "data-profile") == [aws.PLAIN_PROD],
        message=lambda: "the filter to leave only prod-readonly, got "
        f"{browser.attributes_of('button.role', 'data-profile')}",
    )
    browser.screenshot("popup-filtered")

    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    first = console_tab_of(browser, aws.PLAIN_PROD)
    browser.switch_to(first.handle)
    browser.screenshot("console-prod")

    browser.open_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    second = console_tab_of(browser, aws.PLAIN_DEV)
    browser.switch_to(second.handle)
    browser.screenshot("console-dev")
    assert LOGOUT_FIRST_TEXT not in second.text
    logouts = [r for r in standin.federation_requests if r.action == "logout"]
    assert logouts, "the second login did not go through the sign-out endpoint"


def test_chromium_second_identity_refused_without_logout_wrapper(
    launch: LaunchBrowser, demo_config: Any
) -> None:
    """Proves the wrapper test can fail: with "keep other sessions" the stand-in refuses."""
    browser = launch("chromium")
    browser.open_options()
    browser.set_field("#open-mode", "keep-sessions")
    browser.wait_css("form[data-saved]")
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    console_tab_of(browser, aws.PLAIN_PROD)

    browser.open_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    refused = browser.wait_for_tab(lambda tab: LOGOUT_FIRST_TEXT in tab.text,
                                   message="the stand-in's log-out-first refusal")
    browser.switch_to(refused.handle)
    browser.screenshot("refused-without-wrapper")
    assert not any(signed_in_as(aws.PLAIN_DEV) in tab.text for tab in browser.tabs())
