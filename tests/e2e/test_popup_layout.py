"""The popup as a daily tool, in Chromium and Firefox: errors at the row, colours per account
that agree with the containers and tab groups, readable text, favourites with their account,
focus kept across a refresh, and first contact (empty and broken configs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser, ListedPopup
from tests.e2e.test_chromium import ROLE_BUTTON, console_tab_of

pytestmark = pytest.mark.browser

BOTH = pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
GATED = "zz-gated"
# Chrome's tab group colours for the container colours that are named differently.
TAB_GROUP_COLOR = {"turquoise": "cyan", "toolbar": "grey"}


def many_accounts(count: int) -> str:
    """``count`` named accounts of one role each: a list far taller than the window."""
    return "\n".join(
        f"[profile team{i:02d}-admin]\nrole_arn = arn:aws:iam::{400000000000 + i}:role/Admin\n"
        f"source_profile = {aws.STATIC}\nregion = eu-west-1\nroleport_account_name = Team {i:02d}\n"
        for i in range(count))


def gate_script(folder: Path) -> tuple[Path, Path]:
    """A credential_process that fails once the file ``go`` exists: the test decides when."""
    go = folder / "go"
    script = folder / "gate.sh"
    script.write_text(f'#!/bin/sh\nwhile [ ! -e "{go}" ]; do sleep 0.05; done\n'
                      'echo "the token service refused" >&2\nexit 3\n', encoding="utf-8")
    script.chmod(0o755)
    return script, go


def in_viewport(browser: browsers.Browser, css: str) -> bool:
    """The element is entirely visible: below the sticky search bar and above the bottom."""
    return bool(browser.execute(
        """
        const el = document.querySelector(arguments[0]);
        if (!el) return false;
        const box = el.getBoundingClientRect();
        const bar = document.querySelector('.search-bar').getBoundingClientRect();
        return box.height > 0 && box.top >= bar.bottom - 1 && box.bottom <= innerHeight + 1;
        """, css))


def write_gated_below_the_fold(aws_home: Any, tmp_path: Path) -> Path:
    """A config whose GATED profile (a credential_process that fails once the returned file
    exists) is listed far below the fold, under 36 accounts."""
    script, go = gate_script(tmp_path)
    aws_home.write_config(aws.CONFIG + many_accounts(36)
                          + f"\n[profile {GATED}]\ncredential_process = {script}\n")
    aws_home.write_credentials(aws.CREDENTIALS)
    return go


@BOTH
def test_an_error_below_the_fold_is_shown_at_its_row(
    listed_popup: ListedPopup, aws_home: Any, tmp_path: Path, browser_name: str
) -> None:
    go = write_gated_below_the_fold(aws_home, tmp_path)
    browser = listed_popup(browser_name)
    row = f'li.row[data-profile="{GATED}"]'
    assert not in_viewport(browser, row), "the profile starts below the fold"

    browser.click(ROLE_BUTTON.format(GATED))
    browser.wait_css(f'{row} button.role[aria-busy="true"]')
    # While the login runs the user scrolls back up: the error must come back into view.
    browser.execute("window.scrollTo(0, 0);")
    assert not in_viewport(browser, row)
    go.touch()

    message = f"{row} .row-message[role=alert]"
    browser.wait_css(message)
    browsers.wait_for(lambda: in_viewport(browser, message),
                      message="the row's error scrolled into view")
    text = browser.text_of(message)
    assert GATED in text, text
    assert browser.text_of("#error") == "", "the top alert is only for the whole list"
    assert browser.texts_of(f"{message} button.row-action") == ["Retry"]
    assert browser.execute(
        "return getComputedStyle(document.querySelector(arguments[0])).backgroundColor !== "
        "getComputedStyle(document.body).backgroundColor;", message), "styled as an error"
    browser.popup_screenshots("row-error")


@BOTH
def test_a_row_error_does_not_pull_the_list_back_when_the_list_is_rebuilt(
    listed_popup: ListedPopup, aws_home: Any, tmp_path: Path, browser_name: str
) -> None:
    go = write_gated_below_the_fold(aws_home, tmp_path)
    browser = listed_popup(browser_name)
    message = f'li.row[data-profile="{GATED}"] .row-message'
    browser.click(ROLE_BUTTON.format(GATED))
    go.touch()
    browsers.wait_for(lambda: in_viewport(browser, message), message="the row's error in view")
    # The user reads the top of the list again; then the list is rebuilt (a star, here).
    browser.execute("window.scrollTo(0, 0);")
    browsers.wait_for(lambda: not in_viewport(browser, message), message="scrolled to the top")
    star = 'button.star[data-favourite="team00-admin"]'
    browser.execute("document.querySelector(arguments[0]).click();", star)
    browser.wait_css('section[data-section="favourites"] li.row[data-profile="team00-admin"]')
    assert browser.execute("return document.querySelector(arguments[0]) !== null;", message)
    assert not in_viewport(browser, message), "the rebuilt list jumped back to the error"
    assert in_viewport(browser, star)


@BOTH
def test_a_rebuilt_list_keeps_the_place_of_a_user_who_scrolled_down(
    listed_popup: ListedPopup, aws_home: Any, browser_name: str
) -> None:
    aws_home.write_config(aws.CONFIG + many_accounts(80))
    aws_home.write_credentials(aws.CREDENTIALS)
    browser = listed_popup(browser_name)
    browser.wait_css("body[data-host-listed]", visible=False)
    rows = "return document.querySelectorAll('li.row').length;"
    whole = browsers.wait_for(lambda: (count := browser.execute(rows)) >= 80 and count,
                              message="the whole list built")
    browser.execute("window.scrollTo(0, document.documentElement.scrollHeight);")
    place = browsers.wait_for(lambda: browser.execute("return window.scrollY;"),
                              message="scrolled to the bottom of the list")
    # A star far down rebuilds the list (its Favourites section gains the row).
    browser.execute("document.querySelector(arguments[0]).click();",
                    'button.star[data-favourite="team79-admin"]')
    browser.wait_css('section[data-section="favourites"] li.row[data-profile="team79-admin"]')
    browsers.wait_for(lambda: browser.execute(rows) > whole, message="the rebuilt list built")
    now = browser.execute("return window.scrollY;")
    assert now >= place - 1, f"the rebuilt list moved the user from {place} px up to {now} px"


@BOTH
def test_a_wrong_mfa_code_is_explained_under_the_field(
    listed_popup: ListedPopup, demo_config: Any, browser_name: str
) -> None:
    browser = listed_popup(browser_name)
    field = "form.mfa input[autocomplete=one-time-code]"
    browser.click(ROLE_BUTTON.format(aws.MFA))
    browser.wait_css(field)
    browser.type_into(field, aws.WRONG_MFA_CODE + browser.key("ENTER"))
    error = "form.mfa .field-error[role=alert]"
    text = browsers.wait_for(
        lambda: "not accepted" in (found := browser.text_of(error)) and found,
        message=lambda: f"the MFA error under the field, page: {browser.page_text()[:300]!r}")
    assert aws.WRONG_MFA_CODE not in text
    assert browser.text_of("#error") == ""
    gap = browser.execute(
        """
        const field = document.querySelector(arguments[0]).getBoundingClientRect();
        const error = document.querySelector(arguments[1]).getBoundingClientRect();
        return error.top - field.bottom;
        """, field, error)
    assert 0 <= gap < 40, f"the message is {gap} px below the field"
    assert browser.execute(
        "return document.querySelector(arguments[0]).getAttribute('aria-describedby');",
        field).split() == ["mfa-help", "mfa-error"]
    assert in_viewport(browser, error)
    browser.popup_screenshots("mfa-wrong-code")


def section_colours(browser: browsers.Browser, account: str) -> dict[str, Any]:
    return dict(browser.execute(
        """
        const section = document.querySelector(`section[data-section="account:${arguments[0]}"]`);
        const header = section.querySelector('.section-header');
        const rows = [...section.querySelectorAll('li.row')];
        return {
          env: header.dataset.env,
          bar: getComputedStyle(header).borderLeftColor,
          rowEnvs: rows.map(r => r.dataset.env),
          rowBars: rows.map(r => getComputedStyle(r).borderLeftColor),
        };
        """, account))


def browser_colour_of(browser: browsers.Browser, profile: str) -> str:
    """The colour Firefox gave the profile's container, or Chromium its tab group."""
    browser.return_to_popup()
    if isinstance(browser, browsers.FirefoxBrowser):
        firefox = browser
        colours = browsers.wait_for(
            lambda: [c["color"] for c in firefox.containers() if c["name"] == profile],
            message=f"the container of {profile}")
        assert len(colours) == 1, colours
        # Newer Firefox releases report the colour created as "turquoise" as "cyan".
        return {"cyan": "turquoise"}.get(str(colours[0]), str(colours[0]))
    script = ("return chrome.tabGroups.query({title: arguments[0]})"
              ".then(found => found.map(g => g.color));")
    colours = browsers.wait_for(lambda: browser.execute(script, profile),
                                message=f"the container or tab group of {profile}")
    assert len(set(colours)) == 1, colours
    return str(colours[0])


@BOTH
def test_an_accounts_header_rows_container_and_tab_group_share_its_colour(
    listed_popup: ListedPopup, demo_config: Any, browser_name: str
) -> None:
    browser = listed_popup(browser_name)
    for account, profile, configured in ((aws.PROD_ACCOUNT, aws.PLAIN_PROD, "red"),
                                         (aws.DEV_ACCOUNT, aws.PLAIN_DEV, None)):
        browser.return_to_popup()
        colours = section_colours(browser, account)
        if configured:
            assert colours["env"] == configured, colours
        assert set(colours["rowEnvs"]) == {colours["env"]}, colours
        assert set(colours["rowBars"]) == {colours["bar"]}, colours
        assert colours["bar"] not in ("rgba(0, 0, 0, 0)", "transparent"), colours
        browser.click(f'section[data-section="account:{account}"] '
                      + ROLE_BUTTON.format(profile))
        console_tab_of(browser, profile)
        expected = colours["env"]
        if not isinstance(browser, browsers.FirefoxBrowser):
            expected = TAB_GROUP_COLOR.get(expected, expected)
        assert browser_colour_of(browser, profile) == expected


@BOTH
def test_readable_text_favourites_with_their_account_and_focus_kept(
    listed_popup: ListedPopup, demo_config: Any, browser_name: str
) -> None:
    browser = listed_popup(browser_name)
    sizes = browser.execute(
        "return [document.body, document.querySelector('.role-name'),"
        " document.querySelector('h2')].map(el => parseFloat(getComputedStyle(el).fontSize));")
    assert min(sizes) >= 13, f"font sizes {sizes} (body, role, account header)"
    assert sizes[2] >= sizes[1], "account headers are at least as prominent as rows"

    # Named accounts first; the static user that feeds the roles is set apart, collapsed.
    sections = browser.execute(
        "return [...document.querySelectorAll('#results section')].map(s => s.dataset.section);")
    assert sections == [f"account:{aws.AUDIT_ACCOUNT}", f"account:{aws.DEV_ACCOUNT}",
                        f"account:{aws.PROD_ACCOUNT}", "sources"], sections
    assert browser.execute(
        "const button = document.querySelector(arguments[0]);"
        "return !button.closest('details').open && !button.checkVisibility();",
        ROLE_BUTTON.format(aws.STATIC)), "the source credentials start collapsed"

    production_star = (f'section[data-section="account:{aws.PROD_ACCOUNT}"] '
                       f'button.star[data-favourite="{aws.PLAIN_PROD}"]')
    browser.execute("document.querySelector(arguments[0]).focus();", production_star)
    browser.send_keys(None, browser.key("ENTER"))
    favourite_row = f'section[data-section="favourites"] li.row[data-profile="{aws.PLAIN_PROD}"]'
    browser.wait_css(favourite_row)
    assert browser.text_of(f"{favourite_row} .row-account") == "Production"
    assert browser.text_of(f"{favourite_row} .role-name") == aws.ROLE_OF[aws.PLAIN_PROD]
    # Still in its account, and the star the user pressed still has the focus.
    assert browser.attributes_of(production_star, "aria-pressed") == ["true"]
    browsers.wait_for(lambda: browser.focused_matches(production_star),
                      message="focus on the star after the list was rebuilt")
    browser.popup_screenshots("favourites")


@BOTH
def test_an_opened_source_group_stays_open_when_the_list_is_rebuilt(
    listed_popup: ListedPopup, demo_config: Any, browser_name: str
) -> None:
    browser = listed_popup(browser_name)
    group = 'details.section-sources'
    # The user opens the group while a rebuild is already due (a refresh, a marker, a key):
    # the rebuild runs before the browser reports the toggle, and must keep the group open.
    browser.execute(
        """
        const search = document.querySelector('#search');
        search.value = 'matches-no-profile';
        search.dispatchEvent(new Event('input'));
        document.querySelector(arguments[0]).open = true;
        search.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
        """, group)
    browser.type_into("#search", "")
    browser.execute("document.querySelector('#search').dispatchEvent(new Event('input'));")
    browsers.wait_for(lambda: browser.execute(
        "return document.querySelector(arguments[0])?.open ?? null;", group) is not None,
        message="the list rebuilt with its source group")
    assert browser.execute("return document.querySelector(arguments[0]).open;", group), \
        "the group the user opened is still open"
    assert browser.execute("return document.querySelector(arguments[0]).checkVisibility();",
                           ROLE_BUTTON.format(aws.STATIC)), "its rows can be clicked"


@BOTH
def test_empty_config_names_the_file_and_shows_an_example(
    launch: LaunchBrowser, aws_home: Any, browser_name: str
) -> None:
    aws_home.write_config("")
    browser = launch(browser_name)
    browser.open_popup()
    browser.wait_css(".empty-state")
    text = browser.text_of(".empty-state")
    assert str(aws_home.config_file) in text
    assert "[profile " in text and "role_arn = " in text
    assert "Your first profile" in text
    browser.popup_screenshots("empty-config")


@BOTH
def test_broken_config_shows_file_and_line_and_keeps_the_last_list(
    listed_popup: ListedPopup, demo_config: Any, browser_name: str
) -> None:
    browser = listed_popup(browser_name)
    demo_config.write_config(aws.CONFIG + "\nthis line is not a setting\n")
    browser.open_popup()
    alert = browsers.wait_for(lambda: "line" in (found := browser.text_of("#error")) and found,
                              message="the config error")
    line = len((aws.CONFIG.lstrip("\n") + "\n").splitlines()) + 1
    assert f"\u2026/.aws/config, line {line}" in alert, alert
    assert browser.attributes_of("#error code.path", "title") == [str(demo_config.config_file)]
    assert "last one read" in alert
    assert set(aws.ALL_PROFILES) <= set(browser.execute(
        "return [...document.querySelectorAll('li.row')].map(r => r.dataset.profile);"))
    assert "as read at" in browser.text_of("#list-status")
    browser.popup_screenshots("broken-config")


@BOTH
def test_an_expired_sso_session_offers_its_command_at_the_row(
    listed_popup: ListedPopup, aws_home: Any, browser_name: str
) -> None:
    aws_home.write_config(aws.CONFIG + """
[profile sso-dev]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Admin
""")
    aws_home.write_credentials(aws.CREDENTIALS)
    browser = listed_popup(browser_name)
    browser.click(ROLE_BUTTON.format("sso-dev"))
    message = 'li.row[data-profile="sso-dev"] .row-message[role=alert]'
    browser.wait_css(message)
    assert "aws sso login --profile sso-dev" in browser.text_of(message)
    assert browser.texts_of(f"{message} button.row-action") == ["Retry", "Copy command"]
    browser.click(f'{message} button[data-action="copy"]')
    # Copied, or (no clipboard access in this browser) the command selected for Ctrl+C.
    browsers.wait_for(lambda: browser.text_of(f'{message} button[data-action="copy"]')
                      in ("Copied", "Press Ctrl+C"), message="the copy button's answer")
    browser.popup_screenshots("sso-expired")
