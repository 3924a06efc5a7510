"""Typing, deleting and typing again in the popup's search field, in Chromium and Firefox: the
popup reuses the rows earlier lists built (extension/lib/keyed-pool.js), so each list must
still be exactly the one its query gives, with the focus left in the field."""

from __future__ import annotations

from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import open_and_wait_listed

pytestmark = pytest.mark.browser

# Each row as (its section, its row key, its profile, its text): the list as the user sees it.
_ROWS = """
return [...document.querySelectorAll('#results li.row')].map((row) => [
  row.closest('section').dataset.section, row.dataset.rowKey, row.dataset.profile,
  row.querySelector('button.role').innerText.replace(/\\s+/g, ' ').trim()]);
"""


def rows_for(browser: browsers.Browser, query: str) -> list[list[str]]:
    """The rows once the list shows `query`'s result (the field holds it, the status agrees)."""
    def shown() -> list[list[str]] | None:
        if browser.execute("return document.querySelector('#search').value;") != query:
            return None
        rows: list[list[str]] = browser.execute(_ROWS)
        return rows if rows else None
    return browsers.wait_for(shown, message=f"the list for {query!r}")


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_typing_deleting_and_retyping_shows_each_querys_own_rows(
    launch: LaunchBrowser, demo_config: Any, browser_name: str
) -> None:
    browser = launch(browser_name)
    open_and_wait_listed(browser)
    whole = rows_for(browser, "")
    backspace = browser.key("BACK_SPACE")

    browser.send_keys("input[type=search]", "p")
    broad = rows_for(browser, "p")
    browser.send_keys("input[type=search]", "rod")
    narrow = rows_for(browser, "prod")
    assert narrow and len(narrow) < len(whole), narrow
    assert all("prod" in " ".join(row).lower() for row in narrow), narrow

    browser.send_keys("input[type=search]", backspace * 3)
    assert rows_for(browser, "p") == broad, "back to 'p': the same rows as typed first"
    browser.send_keys("input[type=search]", backspace)
    assert rows_for(browser, "") == whole, "an empty field: the whole list again"
    browser.send_keys("input[type=search]", "prod")
    assert rows_for(browser, "prod") == narrow, "typed again: the same rows"

    # Every row sits in its own section, once, and the field keeps the focus while typing.
    rows = rows_for(browser, "prod")
    assert all(key == f"{section}\n{profile}" for section, key, profile, _ in rows), rows
    assert len({key for _, key, _, _ in rows}) == len(rows), rows
    assert browser.focused_matches("input[type=search]")
    # The keyboard still walks the list it shows.
    browser.send_keys("input[type=search]", browser.key("ARROW_DOWN"))
    first = rows[0][2]
    browsers.wait_for(lambda: browser.focused_matches(
        f'button.role[data-profile="{first}"]'), message=f"focus on the first row ({first})")
    browser.popup_screenshots("typed-prod")
    assert aws.PLAIN_PROD in {profile for _, _, profile, _ in rows}


_LIST_COMPLETE = """
const marks = performance.getEntriesByName('roleport:list-complete');
const last = marks[marks.length - 1];
return Boolean(last && last.detail && last.detail.query === arguments[0]
  && document.querySelector('#search').value === arguments[0]);
"""


def complete_rows_for(browser: browsers.Browser, query: str) -> list[list[str]]:
    """The rows once the whole list for `query` is in place, its later rows included."""
    browsers.wait_for(lambda: browser.execute(_LIST_COMPLETE, query),
                      message=f"the whole list for {query!r}")
    rows: list[list[str]] = browser.execute(_ROWS)
    return rows


def fresh_rows_for(browser: browsers.Browser, query: str) -> list[list[str]]:
    """The rows a newly opened popup shows for `query`, built without any earlier list."""
    browser.open_popup()
    complete_rows_for(browser, "")
    browser.send_keys("input[type=search]", query)
    return complete_rows_for(browser, query)


@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_a_long_list_keeps_what_stays_and_ends_as_its_querys_own_list(
    launch: LaunchBrowser, aws_home: Any, browser_name: str
) -> None:
    # 60 accounts: longer than the rows a keystroke builds at once, so the rest of each list
    # is placed after the paint, where the last list's later rows waited.
    aws_home.write_config("\n".join(
        f"[profile team{i:02d}-admin]\nrole_arn = arn:aws:iam::{400000000000 + i}:role/Admin\n"
        f"source_profile = {aws.STATIC}\nroleport_account_name = Team {i:02d}\n"
        for i in range(60)))
    aws_home.write_credentials(aws.CREDENTIALS)
    browser = launch(browser_name)
    browser.open_popup()
    complete_rows_for(browser, "")
    browser.send_keys("input[type=search]", "tea")
    tea = complete_rows_for(browser, "tea")
    assert len(tea) == 60, tea

    # "team" gives the very same list: not one row or section is taken out or put back.
    browser.execute("""
        window.__moves = 0;
        new MutationObserver((records) => { window.__moves += records.length; })
          .observe(document.querySelector('#results'), { childList: true, subtree: true });
    """)
    browser.send_keys("input[type=search]", "m")
    assert complete_rows_for(browser, "team") == tea
    assert browser.execute("return window.__moves;") == 0, "an unchanged list was rebuilt"

    # Narrowing and widening again: each list is exactly what a new popup shows for its query,
    # with nothing left of the list before it.
    backspace = browser.key("BACK_SPACE")
    lists = {}
    for keys, query in (("1", "team1"), (backspace, "team"), (" 4", "team 4"),
                        (backspace * 6, ""), ("t3", "t3")):
        browser.send_keys("input[type=search]", keys)
        lists[query] = complete_rows_for(browser, query)
    for query, rows in lists.items():
        assert rows == fresh_rows_for(browser, query), f"the list for {query!r}"
