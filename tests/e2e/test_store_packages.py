"""The store packages work in the browsers they are built for, with the host `roleport install`
registers: the Chrome Web Store package (no `key`, so another id, allowed with
`--extension-id`) in Chromium, the addons.mozilla.org package in Firefox ESR.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from support import awsconfig as aws
from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_chromium import ROLE_BUTTON, console_tab_of, open_and_wait_listed
from tests.test_store_builds import builder

pytestmark = pytest.mark.browser


def unpacked(store: str, tmp_path: Path) -> Path:
    package = builder.build(store, tmp_path / "dist")
    folder = tmp_path / f"{store}-package"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(folder)
    return folder


def test_chrome_store_package_connects_once_installed_with_its_id(
    launch: LaunchBrowser, demo_config: Any, tmp_path: Path
) -> None:
    folder = unpacked("chrome", tmp_path)
    browser = launch("chromium", install_host=False, keep_welcome=True, extension_dir=folder)
    store_id = browser.extension_id
    assert store_id != browsers.chromium_extension_id(browsers.REPO_ROOT)

    browser.wait_for_welcome()
    assert browser.welcome_state() == "missing"
    command = f"roleport install --browser chromium --extension-id {store_id}"
    assert command in browser.text_of("#steps")

    # What the user types: the installed package ships the repository's manifest (the pinned
    # development id); --extension-id adds the store build's.
    browser.install_host(extension_manifest=str(browsers.REPO_ROOT / "manifest.json"),
                         extension_ids=[store_id])
    browser.click("#check-again")
    browsers.wait_for(lambda: browser.welcome_state() == "connected",
                      message=lambda: f"a green check: {browser.page_text()[:300]!r}")

    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    console_tab_of(browser, aws.PLAIN_DEV)


def test_firefox_store_package_opens_a_role_in_its_container(
    launch: LaunchBrowser, demo_config: Any, tmp_path: Path
) -> None:
    folder = unpacked("firefox", tmp_path)
    browser = launch("firefox", install_host=False, extension_dir=folder)
    assert browser.extension_id == "roleport@roleport.dev"
    # The installed package's manifest (the repository's) names the same gecko id.
    browser.install_host(extension_manifest=str(browsers.REPO_ROOT / "manifest.json"))
    open_and_wait_listed(browser)
    browser.click(ROLE_BUTTON.format(aws.PLAIN_DEV))
    tab = console_tab_of(browser, aws.PLAIN_DEV)
    assert tab.user_context_id > 0
