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
