"""Firefox ESR: one container per role, two identities side by side, containers reused."""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import ROLE_BUTTON, console_tab_of, open_and_wait_listed

pytestmark = pytest.mark.browser


def test_firefox_opens_each_role_in_its_own_container_side_by_side(
    launch: LaunchBrowser, demo_config: Any
) -> None:
    browser = launch("firefox")
    assert isinstance(browser, browsers.FirefoxBrowser)
    open_and_wait_listed(browser)
    browser.screenshot("popup")

    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    tab_a = console_tab_of(browser, aws.PLAIN_DEV)
    assert tab_a.user_context_id > 0, "role A did not open in a container"

    browser.open_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    tab_b = console_tab_of(browser, aws.PLAIN_PROD)
    assert tab_b.user_context_id > 0, "role B did not open in a container"
    assert tab_b.user_context_id != tab_a.user_context_id

    # Both sessions live at the same time: re-read every tab, A still shows A.
    tabs = browser.tabs()
    by_context = {tab.user_context_id: tab for tab in tabs if "Signed in as" in tab.text}
    assert f"in account {aws.DEV_ACCOUNT}" in by_context[tab_a.user_context_id].text
    assert f"in account {aws.PROD_ACCOUNT}" in by_context[tab_b.user_context_id].text
    containers = {c["name"]: c["userContextId"] for c in browser.containers()}
    assert containers.get(aws.PLAIN_DEV) == tab_a.user_context_id, containers
    assert containers.get(aws.PLAIN_PROD) == tab_b.user_context_id, containers
    for tab in (tab_a, tab_b):
        browser.switch_to(tab.handle)
        browser.screenshot(f"console-container-{tab.user_context_id}")

    # A again, as a fresh sign-in (Alt+Enter; a plain click would focus A's live tab): same
    # container, no duplicate container, a second tab signed in as A.
    browser.open_popup()
    browser.wait_css(ROLE_BUTTON.format(aws.PLAIN_DEV))
    browser.send_keys(ROLE_BUTTON.format(aws.PLAIN_DEV), browser.key("ALT"), browser.key("ENTER"))
    browser.wait_for_tabs(
        lambda tabs: sum(
            1 for tab in tabs
            if tab.user_context_id == tab_a.user_context_id and "Signed in as Admin/" in tab.text
        ) == 2,
        message="a second tab of role A in container A",
    )
    names = [c["name"] for c in browser.containers()]
    assert names.count(aws.PLAIN_DEV) == 1, names
    assert names.count(aws.PLAIN_PROD) == 1, names
