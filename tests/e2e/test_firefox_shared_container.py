"""Firefox: two profiles that name the same container (roleport_container) take turns in it.

A container is one cookie jar: the console refuses a login there while another identity is
signed in ("You must first log out"), so a shared container needs the sign-out first.
"""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from support.standin.federation import LOGOUT_FIRST_TEXT
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import ROLE_BUTTON, console_tab_of, open_and_wait_listed

pytestmark = pytest.mark.browser

SHARED = "Work"


def shared_container_config() -> str:
    config = aws.CONFIG
    for profile in (aws.PLAIN_DEV, aws.PLAIN_PROD):
        config = config.replace(f"[profile {profile}]\n",
                                f"[profile {profile}]\nroleport_container = {SHARED}\n")
    return config


def test_firefox_profiles_sharing_a_container_sign_in_one_after_the_other(
    launch: LaunchBrowser, demo_config: Any
) -> None:
    demo_config.write_config(shared_container_config())
    browser = launch("firefox")
    assert isinstance(browser, browsers.FirefoxBrowser)
    open_and_wait_listed(browser)

    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    first = console_tab_of(browser, aws.PLAIN_DEV)
    browser.open_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    second = console_tab_of(browser, aws.PLAIN_PROD)

    assert first.user_context_id == second.user_context_id > 0
    assert [c["name"] for c in browser.containers()].count(SHARED) == 1
    assert not any(LOGOUT_FIRST_TEXT in tab.text for tab in browser.tabs())
