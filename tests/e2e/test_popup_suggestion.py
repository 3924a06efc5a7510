"""The popup's "Did you mean ...": a typo finds the profile, the correction is one click or
one key away, in Chromium and Firefox."""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import ROLE_BUTTON, open_and_wait_listed

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_a_typo_finds_the_profile_and_did_you_mean_corrects_the_query(
    launch: LaunchBrowser, demo_config: Any, browser_name: str
) -> None:
    browser = launch(browser_name)
    open_and_wait_listed(browser)
    browser.type_into("#search", "prdo depoly")
    browsers.wait_for(
        lambda: browser.attributes_of("button.role", "data-profile") == [aws.CHAINED],
        message=lambda: f"only {aws.CHAINED} listed, got "
                        f"{browser.attributes_of('button.role', 'data-profile')}",
    )
    browser.wait_css("#suggestion button")
    assert browser.text_of("#suggestion") == (
        "No exact match for \u201cprdo depoly\u201d. Did you mean prod deploy?")
    browser.screenshot(f"popup-did-you-mean-{browser_name}")

    # Keyboard: Tab from the search field reaches the suggestion before the list.
    browser.execute("document.getElementById('search').focus();")
    for _ in range(3):
        browser.send_keys(None, browser.key("TAB"))
        if browser.focused_matches("#suggestion button"):
            break
    assert browser.focused_matches("#suggestion button"), browser.execute(
        "return document.activeElement && document.activeElement.outerHTML.slice(0, 80);")
    browser.send_keys(None, browser.key("ENTER"))
    browsers.wait_for(
        lambda: browser.execute("return document.getElementById('search').value;")
        == "prod deploy" and not browser.texts_of("#suggestion"),
        message="the corrected query in the field, the suggestion gone",
    )
    assert browser.focused_matches("#search")
    assert browser.attributes_of("button.role", "data-profile")[0] == aws.CHAINED
    assert browser.find(ROLE_BUTTON.format(aws.CHAINED))
