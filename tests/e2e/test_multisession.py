"""Real Chromium with the console's multi-session support (the stand-in's model): roles open
side by side as their own identities in one browser profile, each in its tab group; the first
sign-in finds out through the refused sign-out bounce; a sixth identity is announced in the
popup before anything is opened, and signing the least recently used one out lets it in; that
sign-out, and a sixth identity opened anyway onto AWS's session limit page, end no other
session."""

from __future__ import annotations

import re
from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import ROLE_BUTTON, open_and_wait_listed

pytestmark = pytest.mark.browser

EXTRA = {f"extra-{index}": f"44444444440{index}" for index in range(1, 5)}
CONFIG = aws.CONFIG + "".join(
    f"\n[profile {name}]\nrole_arn = arn:aws:iam::{account}:role/Admin\n"
    f"source_profile = {aws.STATIC}\nregion = eu-west-1\nroleport_account_name = Extra {name}\n"
    for name, account in EXTRA.items())
ACCOUNTS = {aws.PLAIN_DEV: aws.DEV_ACCOUNT, aws.PLAIN_PROD: aws.PROD_ACCOUNT, **EXTRA}

GROUPS = """
const done = arguments[arguments.length - 1];
(async () => {
  const groups = Object.fromEntries((await chrome.tabGroups.query({})).map((g) => [g.id, g.title]));
  const tabs = await chrome.tabs.query({});
  done(tabs.filter((t) => t.groupId >= 0).map((t) => [t.url.split('?')[0], groups[t.groupId]]));
})();
"""


def session_tab(browser: browsers.Browser, profile: str) -> browsers.Tab:
    account = ACCOUNTS[profile]
    return browser.wait_for_tab(
        lambda tab: re.search(rf"/s/{account}-[a-z0-9]{{8}}/console", tab.url) is not None
        and f"in account {account}" in tab.text,
        message=f"{profile}'s console on its own session path")


def open_role(browser: browsers.Browser, profile: str) -> browsers.Tab:
    browser.open_popup()
    browser.click(ROLE_BUTTON.format(profile))
    return session_tab(browser, profile)


def logins_of(standin: Any, account: str) -> int:
    return sum(1 for r in standin.federation_requests if r.action == "login" and r.status == 302
               and r.identity is not None and r.identity.account == account)


def test_chromium_multi_session_roles_side_by_side_in_their_tab_groups(
    launch: LaunchBrowser, aws_home: Any, standin: Any
) -> None:
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(aws.CREDENTIALS)
    browser = launch("chromium")
    assert isinstance(browser, browsers.ChromiumBrowser)
    # The user turns multi-session on in the console (the stand-in's opt-in cookie).
    browser.open_in_new_tab(f"{standin.base_url}/multi-session?enable=true")
    browser.wait_css("#multi-session")
    open_and_wait_listed(browser)

    # The first sign-in: roleport cannot know yet, signs out first, AWS refuses the bounce
    # with 400, and roleport opens the login itself.
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    first = session_tab(browser, aws.PLAIN_DEV)
    assert [r.status for r in standin.federation_requests if r.action == "logout"] == [400]

    # Two more: no bounce any more, each signed in beside the others.
    second = open_role(browser, aws.PLAIN_PROD)
    third = open_role(browser, "extra-1")
    assert [r.status for r in standin.federation_requests if r.action == "logout"] == [400]
    for tab, profile in ((first, aws.PLAIN_DEV), (second, aws.PLAIN_PROD), (third, "extra-1")):
        browser.switch_to(tab.handle)
        browser.navigate(tab.url)
        assert f"in account {ACCOUNTS[profile]}" in browser.page_text(), profile
    browser.screenshot("three-sessions")

    # Each in its own tab group, named after the profile.
    browser.return_to_popup()
    grouped = dict(browser.driver.execute_async_script(GROUPS))
    for tab, profile in ((first, aws.PLAIN_DEV), (second, aws.PLAIN_PROD), (third, "extra-1")):
        assert grouped.get(tab.url.split("?")[0]) == profile, grouped

    # Five identities: the sixth is announced before anything is opened.
    open_role(browser, "extra-2")
    open_role(browser, "extra-3")
    browser.open_popup()
    before = len(standin.federation_requests)
    browser.click(ROLE_BUTTON.format("extra-4"))
    browsers.wait_for(lambda: "5 identities" in browser.text_of("#error"),
                      message=lambda: f"the session limit, popup: {browser.page_text()[:300]!r}")
    assert len(standin.federation_requests) == before, "nothing opened yet"
    assert "Sign out dev-admin, then open" in browser.text_of("#session-limit-sign-out")
    browser.screenshot("sixth-identity")

    # Sign the least recently used (dev) out through its own session sign-out, then open.
    browser.click("#session-limit-sign-out")
    session_tab(browser, "extra-4")
    assert any(r.action == "session-logout" and r.status == 200
               for r in standin.federation_requests)
    browser.switch_to(first.handle)
    browser.navigate(first.url)
    assert "Not signed in" in browser.page_text()
    browser.switch_to(second.handle)
    browser.navigate(second.url)
    assert f"in account {aws.PROD_ACCOUNT}" in browser.page_text()
    assert logins_of(standin, EXTRA["extra-4"]) == 1
    # Dev's own sign-out ended dev's session only: the popup still marks the other four.
    browser.open_popup()
    browsers.wait_for(lambda: "Signed in (5)" in browser.text_of("#live-only"),
                      message=lambda: f"five live sessions, got {browser.text_of('#live-only')!r}")
    dev_marker = ROLE_BUTTON.format(aws.PLAIN_DEV) + " .session-marker"
    assert browser.execute("return document.querySelector(arguments[0]) === null", dev_marker)

    # Dev again is a sixth identity; opened anyway, AWS shows its tab the session limit page,
    # which ends nothing else: the five stay marked.
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    browser.wait_css("#session-limit-open-anyway")
    browser.click("#session-limit-open-anyway")
    browser.wait_for_tab(lambda tab: "Session limit reached" in tab.text,
                         message="the session limit page")
    browser.open_popup()
    browsers.wait_for(lambda: "Signed in (5)" in browser.text_of("#live-only"),
                      message=lambda: f"five live sessions, got {browser.text_of('#live-only')!r}")
    assert browser.execute("return document.querySelector(arguments[0]) === null", dev_marker)
