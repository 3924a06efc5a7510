"""Keyboard-first use: the toolbar shortcut and the `aws` address-bar keyword.

What a real-browser test can drive, and what it cannot:
- The shortcut: both browsers assign the suggested key (commands.getAll, what Firefox's Manage
  Extension Shortcuts shows), and Chromium's chrome://extensions/shortcuts, where users change
  it, shows it. Pressing it opens the toolbar popup, which neither WebDriver nor Marionette can
  press or see in a headless browser: that part is not tested here.
- The keyword in Firefox: typed into the real address bar (Marionette's chrome context),
  suggestions read from the dropdown, a row chosen with the arrow keys and opened with Enter.
- The keyword in Chromium: WebDriver cannot type into Chromium's address bar (browser UI, not a
  page). The test calls the background's omnibox handlers (the functions the onInputChanged /
  onInputEntered listeners call) through the runtime messages the extension's own pages may send;
  the event wiring itself is covered by tests/js/background-omnibox.test.js.
"""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import console_tab_of, open_and_wait_listed

pytestmark = pytest.mark.browser

SHORTCUT = "Alt+Shift+L"
# [aria-label, value] of every shortcut field on chrome://extensions/shortcuts.
SHORTCUT_FIELDS = """
    const fields = [];
    const walk = (root) => {
      for (const element of root.querySelectorAll('*')) {
        if (element.tagName === 'CR-INPUT') {
          fields.push([element.getAttribute('aria-label') || '', element.value || '']);
        }
        if (element.shadowRoot) walk(element.shadowRoot);
      }
    };
    walk(document);
    return fields;
"""
QUERY = "prod"


def popup_order(browser: browsers.Browser, query: str) -> list[str]:
    """The profiles the popup lists for ``query``, in its order."""
    open_and_wait_listed(browser)
    browser.type_into("input[type=search]", query)
    return browsers.wait_for(
        lambda: (names := browser.attributes_of("button.role", "data-profile"))
        and all(query in name for name in names) and names,
        message=lambda: f"the popup filtered by {query!r}: {browser.page_text()[:300]!r}")


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_shortcut_is_assigned_and_shown_where_users_change_it(
    launch: LaunchBrowser, demo_config: Any, browser_name: str
) -> None:
    browser = launch(browser_name)
    browser.open_popup()
    commands = browser.extension_call("api.commands.getAll()")
    action = next(command for command in commands if command["name"] == "_execute_action")
    # Assigned: no browser shortcut or other extension holds the suggested key.
    assert action["shortcut"] == SHORTCUT, commands
    manifest = browser.extension_call("api.runtime.getManifest()")
    assert manifest["commands"]["_execute_action"]["suggested_key"]["default"] == SHORTCUT
    if browser_name == "chromium":
        # The page where users change it shows it (its fields live in nested shadow roots).
        browser.open_in_new_tab("chrome://extensions/shortcuts")
        shown = browsers.wait_for(
            lambda: [value for label, value in browser.execute(SHORTCUT_FIELDS)
                     if "roleport" in label and value],
            message="roleport's shortcut on chrome://extensions/shortcuts")
        assert shown == [SHORTCUT.replace("+", " + ")], shown
        browser.screenshot("extensions-shortcuts")


def test_chromium_omnibox_suggests_like_the_popup_and_enter_opens_the_console(
    launch: LaunchBrowser, demo_config: Any
) -> None:
    browser = launch("chromium")
    expected = popup_order(browser, QUERY)
    assert expected == [aws.CHAINED, aws.PLAIN_PROD]
    reply = browser.extension_call(
        "api.runtime.sendMessage({type: 'omniboxSuggest', text: arguments[0]})", QUERY)
    assert reply["ok"], reply
    suggestions = reply["result"]["suggestions"]
    assert [s["content"] for s in suggestions] == expected
    # Chromium's description XML: the name highlighted, the rest dimmed, nothing unescaped.
    assert suggestions[1]["description"] == (
        f"<match>{aws.PLAIN_PROD}</match> <dim>\u2014 ReadOnly in Production "
        f"({aws.PROD_ACCOUNT}), us-east-1</dim>")
    assert reply["result"]["defaultSuggestion"]["description"] == (
        f"Open the AWS console as <match>{aws.CHAINED}</match>")

    opened = browser.extension_call(
        "api.runtime.sendMessage({type: 'omniboxEnter', text: arguments[0], "
        "disposition: 'newForegroundTab'})", aws.PLAIN_PROD)
    assert opened["ok"], opened
    tab = console_tab_of(browser, aws.PLAIN_PROD)
    assert tab.user_context_id == 0
    # The same tab group a popup click makes.
    groups = browser.extension_call("api.tabGroups.query({title: arguments[0]})", aws.PLAIN_PROD)
    assert len(groups) == 1, groups


def test_firefox_address_bar_keyword_suggests_and_enter_opens_in_the_container(
    launch: LaunchBrowser, demo_config: Any
) -> None:
    browser = launch("firefox")
    assert isinstance(browser, browsers.FirefoxBrowser)
    expected = popup_order(browser, QUERY)

    browser.address_bar_type(f"aws {QUERY}")

    def suggested() -> list[dict[str, Any]] | None:
        rows = [row for row in browser.address_bar_results() if row["keyword"] == "aws"]
        return rows if len(rows) > len(expected) else None

    rows = browsers.wait_for(suggested, message="roleport's suggestions in the address bar")
    # The first row is the keyword itself (Enter on it opens the best match); then the profiles.
    assert [row["content"] for row in rows[1:]] == [f"aws {name}" for name in expected]
    assert rows[2]["title"] == (
        f"{aws.PLAIN_PROD} \u2014 ReadOnly in Production ({aws.PROD_ACCOUNT}), us-east-1")
    browser.screenshot_window("address-bar")

    for _ in range(2):
        browser.address_bar_press("ARROW_DOWN")
    browsers.wait_for(lambda: any(row["selected"] and row["content"] == f"aws {aws.PLAIN_PROD}"
                                  for row in browser.address_bar_results()),
                      message=f"{aws.PLAIN_PROD} selected")
    browser.address_bar_press("ENTER")
    tab = console_tab_of(browser, aws.PLAIN_PROD)
    assert tab.user_context_id > 0, "not opened in the profile's container, as a click would"
    names = {c["userContextId"]: c["name"] for c in browser.containers()}
    assert names[tab.user_context_id] == aws.PLAIN_PROD
