"""Live console sessions in real browsers: a click on a signed-in role focuses its console
tab without a request to STS or the federation endpoint; once the stand-in's console says the
session expired, the next click signs in again; the popup marks signed-in roles."""

from __future__ import annotations

import json
from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import ROLE_BUTTON, console_tab_of, open_and_wait_listed

pytestmark = pytest.mark.browser

MARKER = ROLE_BUTTON + " .session-marker"
SHORT_SESSION = 900  # seconds: the shortest console session, so the stand-in can end it


def selected_tab(browser: browsers.FirefoxBrowser) -> dict[str, Any]:
    """The selected tab of the front window (chrome context): its URL and container."""
    with browser.marionette.using_context("chrome"):
        return dict(browser.marionette.execute_script(
            """
            const win = Services.wm.getMostRecentWindow("navigator:browser");
            const tab = win.gBrowser.selectedTab;
            return {url: tab.linkedBrowser.currentURI.spec, userContextId: tab.userContextId || 0};
            """
        ))


def session_storage(browser: browsers.FirefoxBrowser) -> str:
    """Everything in the extension's storage.session, read from the popup page, as JSON."""
    browser.return_to_popup()
    stored = browser.marionette.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        // The page's own `browser` (Marionette's script sees the page through an X-ray).
        const api = window.wrappedJSObject.browser;
        api.storage.session.get(null).then(
            (items) => done(window.wrappedJSObject.JSON.stringify(items)),
            (error) => done(`error: ${error}`));
        """,
        new_sandbox=False,
    )
    return str(stored)


def write_short_dev_session_config(aws_home: Any) -> None:
    """The test config and credentials, with the Development account's console sessions at
    SHORT_SESSION, so the stand-in can end them and the popup marks them as expiring soon."""
    aws_home.write_config(aws.CONFIG.replace(
        "roleport_account_name = Development",
        f"roleport_account_name = Development\nroleport_console_duration = {SHORT_SESSION}"))
    aws_home.write_credentials(aws.CREDENTIALS)


def federation_and_sts_counts(standin: Any) -> tuple[int, int]:
    return len(standin.federation_requests), len(standin.sts_calls)


def test_firefox_click_on_a_live_role_focuses_its_tab_without_any_request(
    launch: LaunchBrowser, aws_home: Any, standin: Any
) -> None:
    write_short_dev_session_config(aws_home)
    browser = launch("firefox")
    assert isinstance(browser, browsers.FirefoxBrowser)
    open_and_wait_listed(browser)

    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    tab_a = console_tab_of(browser, aws.PLAIN_DEV)
    assert tab_a.user_context_id > 0
    browser.open_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    tab_b = console_tab_of(browser, aws.PLAIN_PROD)

    # The popup marks both: prod with hours left, dev (15 minutes) as expiring soon.
    browser.open_popup()
    browsers.wait_for(lambda: "left" in browser.text_of(MARKER.format(aws.PLAIN_PROD)),
                      message=lambda: f"prod's marker, popup: {browser.page_text()[:300]!r}")
    assert "11 h" in browser.text_of(MARKER.format(aws.PLAIN_PROD))
    assert "expires in 14 min" in browser.text_of(MARKER.format(aws.PLAIN_DEV))
    assert browser.execute("return document.querySelector(arguments[0]).classList.contains('soon')",
                           MARKER.format(aws.PLAIN_DEV))
    # Part of the role button: a screen reader reads it with the role's name.
    label = browser.execute("return document.querySelector(arguments[0]).innerText",
                            ROLE_BUTTON.format(aws.PLAIN_PROD))
    assert "signed in" in label and "left" in label
    assert "Signed in (2)" in browser.text_of("#live-only")
    browser.click("#live-only")
    # A profile has a row in each section it is in (Recently used, its account); the filter
    # shows each signed-in role once, under its account.
    visible = ("return [...document.querySelectorAll('button.role')].filter(b => b.offsetParent)"
               ".map(b => [b.dataset.profile, b.closest('section').dataset.section])")
    browsers.wait_for(
        lambda: sorted(profile for profile, _ in browser.execute(visible))
        == sorted([aws.PLAIN_DEV, aws.PLAIN_PROD]),
        message=lambda: f"the Signed in filter's rows, got {browser.execute(visible)}")
    assert all(section.startswith("account:") for _, section in browser.execute(visible))
    browser.screenshot("popup-live-only")
    browser.click("#live-only")

    # Storage holds the registry, and no secret of the sign-in.
    stored = session_storage(browser)
    assert aws.PLAIN_DEV in stored and "consoleSessions" in stored, stored
    assert "SigninToken" not in stored and "Action=login" not in stored, stored
    assert not any(issued.access_key_id in stored for issued in standin.issued)

    # A click on dev (live): its tab comes to the front, no STS call, no federation request.
    before = federation_and_sts_counts(standin)
    tab_count = len(browser.tabs())
    browser.return_to_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    browsers.wait_for(lambda: selected_tab(browser)["userContextId"] == tab_a.user_context_id,
                      message=lambda: f"dev's console tab in front, not {selected_tab(browser)}")
    assert "/console" in selected_tab(browser)["url"]
    assert federation_and_sts_counts(standin) == before
    assert len(browser.tabs()) == tab_count, "no new tab"

    # Its tab closed: the console opens again in dev's container, still without a request.
    browser.switch_to(tab_a.handle)
    browser.close_current()
    browser.return_to_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    reopened = browser.wait_for_tab(
        lambda tab: tab.user_context_id == tab_a.user_context_id and "Signed in as Admin/"
        in tab.text, message="dev's console reopened in its container")
    assert federation_and_sts_counts(standin) == before
    assert "SigninToken" not in reopened.url

    # The stand-in's clock passes the session's end: the console shows "session expired"...
    standin.advance_clock(SHORT_SESSION + 1)
    browser.switch_to(reopened.handle)
    browser.navigate(standin.console_url)
    browser.wait_for_tab(lambda tab: "Your session has expired" in tab.text,
                         message="the stand-in's session-expired page")
    # ... the popup no longer marks dev, and the next click signs in again.
    browser.open_popup()
    browsers.wait_for(lambda: browser.execute(
        "return document.querySelector(arguments[0]) === null", MARKER.format(aws.PLAIN_DEV))
        and browser.execute("return document.querySelector(arguments[0]) !== null",
                            MARKER.format(aws.PLAIN_PROD)),
        message="dev unmarked, prod still marked")
    logins_before = sum(1 for r in standin.federation_requests if r.action == "login")
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    browsers.wait_for(
        lambda: sum(1 for r in standin.federation_requests
                    if r.action == "login" and r.status == 302) > logins_before,
        message="a new federation login for dev")
    browser.wait_for_tab(
        lambda tab: tab.user_context_id == tab_a.user_context_id and "Signed in as Admin/"
        in tab.text, message="dev signed in again in its container")
    assert tab_b.user_context_id != tab_a.user_context_id
    assert json.loads(session_storage(browser))  # still readable JSON


def _popup_png(browser: browsers.Browser) -> bytes:
    """The popup's body alone, at its toolbar width (the in-tab layout switched off)."""
    browser.execute("document.body.classList.remove('in-tab');")
    if isinstance(browser, browsers.FirefoxBrowser):
        body = browser.marionette.find_element("css selector", "body")
        return bytes(browser.marionette.screenshot(element=body, format="binary"))
    return bytes(browser.find("body").screenshot_as_png)


def _prefer_dark(browser: browsers.Browser, dark: bool) -> None:
    if isinstance(browser, browsers.FirefoxBrowser):
        with browser.marionette.using_context("chrome"):
            # 0 dark, 1 light: what web pages see as prefers-color-scheme.
            browser.marionette.execute_script(
                "Services.prefs.setIntPref('layout.css.prefers-color-scheme.content-override',"
                " arguments[0]);", script_args=[0 if dark else 1])
    else:
        browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_popup_marks_live_roles_light_and_dark(
    launch: LaunchBrowser, aws_home: Any, browser_name: str
) -> None:
    write_short_dev_session_config(aws_home)
    browser = launch(browser_name)
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    console_tab_of(browser, aws.PLAIN_PROD)
    browser.open_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    console_tab_of(browser, aws.PLAIN_DEV)
    browser.open_popup()
    browser.wait_css(MARKER.format(aws.PLAIN_DEV))
    if browser_name == "firefox":
        browser.wait_css(MARKER.format(aws.PLAIN_PROD))  # its own container: still signed in
        normal = MARKER.format(aws.PLAIN_PROD)
    else:
        # One cookie jar without multi-session: signing dev in signed prod out first.
        browsers.wait_for(lambda: browser.execute(
            "return document.querySelector(arguments[0]) === null", MARKER.format(aws.PLAIN_PROD)),
            message="prod unmarked after dev's sign-out-first")
        normal = MARKER.format(aws.PLAIN_DEV)
    colours = {}
    for theme in ("light", "dark"):
        _prefer_dark(browser, theme == "dark")
        browsers.wait_for(lambda theme=theme: browser.execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches") == (theme == "dark"),
            message=f"the {theme} colour scheme")
        colours[theme] = browser.execute(
            "return [getComputedStyle(document.querySelector(arguments[0])).color,"
            " getComputedStyle(document.querySelector(arguments[1])).backgroundColor]",
            normal, MARKER.format(aws.PLAIN_DEV))
        path = browser.artifacts / f"popup-live-{browser_name}-{theme}.png"
        path.write_bytes(_popup_png(browser))
    # The soon marker has a background of its own; the themes differ.
    assert colours["light"] != colours["dark"], colours
    assert all(background not in ("rgba(0, 0, 0, 0)", "transparent")
               for _, background in colours.values()), colours


def test_firefox_sign_out_from_the_popup_signs_that_container_out_only(
    launch: LaunchBrowser, demo_config: Any, standin: Any
) -> None:
    browser = launch("firefox")
    assert isinstance(browser, browsers.FirefoxBrowser)
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    tab_a = console_tab_of(browser, aws.PLAIN_DEV)
    browser.open_popup()
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    tab_b = console_tab_of(browser, aws.PLAIN_PROD)

    browser.open_popup()
    sign_out = f'button.session-sign-out[data-sign-out="{aws.PLAIN_DEV}"]'
    browser.wait_css(sign_out)
    assert browser.execute("return document.querySelector(arguments[0]).getAttribute("
                           "'aria-label')", sign_out) == f"Sign out of {aws.PLAIN_DEV}"
    browser.screenshot("popup-sign-out")
    browser.click(sign_out)
    browsers.wait_for(lambda: f"Signed out of {aws.PLAIN_DEV}." in browser.text_of("#list-status"),
                      message=lambda: f"the status line, got {browser.text_of('#list-status')!r}")
    assert any(r.action == "logout" and r.status == 200 for r in standin.federation_requests)
    # Its tab stays (the default), reloaded: that container is signed out...
    browser.wait_for_tab(lambda tab: tab.handle == tab_a.handle and "Not signed in" in tab.text,
                         message="dev's console tab showing it is signed out")
    assert browser.execute("return document.querySelector(arguments[0]) === null",
                           MARKER.format(aws.PLAIN_DEV))
    # ... and only that one: prod's container is still signed in after a reload.
    browser.switch_to(tab_b.handle)
    browser.navigate(standin.console_url)
    browser.wait_for_tab(lambda tab: tab.handle == tab_b.handle and "Signed in as ReadOnly/"
                         in tab.text, message="prod still signed in")
    browser.return_to_popup()
    assert browser.execute("return document.querySelector(arguments[0]) !== null",
                           MARKER.format(aws.PLAIN_PROD))


def test_firefox_opens_this_page_as_another_role(
    launch: LaunchBrowser, demo_config: Any, standin: Any
) -> None:
    from urllib.parse import quote

    browser = launch("firefox")
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    dev = console_tab_of(browser, aws.PLAIN_DEV)
    # In dev's console the user goes to EC2's instances in eu-west-1 (on a per-session host,
    # had multi-session been on: the prefix is dropped all the same).
    ec2 = "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:"
    browser.switch_to(dev.handle)
    browser.navigate(f"{standin.console_url}?destination={quote(ec2, safe='')}")
    browser.wait_for_tab(lambda tab: tab.handle == dev.handle and "ec2/home" in tab.text,
                         message="dev's console on EC2")

    browser.open_popup()
    browsers.wait_for(lambda: "EC2 in eu-west-1" in browser.text_of("label[for=same-page]"),
                      message=lambda: f"the offer, popup: {browser.page_text()[:300]!r}")
    # Unticked at first: a click on a live role must still just focus it.
    assert browser.execute("return document.getElementById('same-page').checked") is False
    browser.click("#same-page")
    browser.screenshot("popup-same-page")
    browser.click(ROLE_BUTTON.format(aws.PLAIN_PROD))
    prod = browser.wait_for_tab(
        lambda tab: "Signed in as ReadOnly/" in tab.text and ec2 in tab.text,
        message="prod's console on the same EC2 page")
    assert prod.user_context_id not in (0, dev.user_context_id)
    [login] = [r for r in standin.federation_requests
               if r.action == "login" and r.identity is not None
               and r.identity.account == aws.PROD_ACCOUNT]
    assert login.destination == ec2

    # Left unticked, a role opens at its usual destination.
    browser.open_popup()
    browser.wait_css("#same-page")
    # The static user feeds the roles: it is listed under "Source credentials", collapsed.
    browser.execute("document.querySelector(arguments[0]).closest('details').open = true;",
                    ROLE_BUTTON.format(aws.STATIC))
    browser.send_keys(ROLE_BUTTON.format(aws.STATIC), browser.key("ALT"), browser.key("ENTER"))
    browser.wait_for_tab(lambda tab: "Signed in as" in tab.text and "console/home" in tab.text
                         and aws.STATIC_ACCOUNT in tab.text, message="demo-user at its home")
