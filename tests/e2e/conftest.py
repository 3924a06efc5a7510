"""Fixtures of the browser suites: a started browser per test, wired to this test's stand-in.

Each test gets its own HOME, AWS config, browser profile and stand-in (the shared `aws_home`
and `standin` fixtures of tests/conftest.py); the browser inherits the stand-in's env, and so
does the native host it starts. On failure every tab is screenshotted into
artifacts/e2e/<test>/ before the browser is stopped; the browser is always stopped.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support import awsconfig, browsers

LaunchBrowser = Callable[..., browsers.Browser]
ListedPopup = Callable[..., browsers.Browser]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(item: pytest.Item) -> bool:
    return any(getattr(getattr(item, f"rep_{when}", None), "failed", False)
               for when in ("setup", "call"))


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """artifacts/e2e/<test name>/, emptied at the start of the test."""
    folder = browsers.artifacts_dir(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def demo_config(aws_home: Any) -> Any:
    """The standard AWS files (support/awsconfig.py) in this test's sealed home."""
    aws_home.write_config(awsconfig.CONFIG)
    aws_home.write_credentials(awsconfig.CREDENTIALS)
    return aws_home


@pytest.fixture
def launch(request: pytest.FixtureRequest, aws_home: Any, standin: Any,
           artifacts: Path) -> Iterator[LaunchBrowser]:
    """launch("chromium" | "firefox", install_host=True) -> a started browsers.Browser."""
    started: list[browsers.Browser] = []

    def start(name: str, *, install_host: bool = True, **kwargs: Any) -> browsers.Browser:
        browser = browsers.make_browser(
            name, aws_home.home, env=standin.env(), artifacts=artifacts,
            install_host=install_host, **kwargs,
        )
        started.append(browser)
        return browser.start()

    try:
        yield start
    finally:
        for browser in started:
            if _failed(request.node):
                browser.screenshot_all("failure")
            browser.stop()


def listed_profiles(browser: browsers.Browser) -> list[str]:
    """Every profile row in the popup in page order, also those of a collapsed group."""
    return list(browser.execute(
        "return [...document.querySelectorAll('button.role')].map(b => b.dataset.profile);"
    ) or [])


def open_and_wait_listed(browser: browsers.Browser) -> list[str]:
    browser.open_popup()
    return browsers.wait_for(
        lambda: (names := listed_profiles(browser))
        and set(awsconfig.ALL_PROFILES) <= set(names) and names,
        message=lambda: f"every profile listed (popup: {browser.page_text()[:400]!r})",
    )


def wait_listed(browser: browsers.Browser, css: str) -> None:
    """Wait until the popup has an element matching `css` (a row, say)."""
    browsers.wait_for(
        lambda: browser.execute("return document.querySelector(arguments[0]) !== null;", css),
        timeout=60, message=lambda: f"{css} listed (popup: {browser.page_text()[:400]!r})")


@pytest.fixture
def listed_popup(launch: LaunchBrowser) -> ListedPopup:
    """listed_popup("chromium" | "firefox", until=None, **launch kwargs) -> a started browser
    with its popup open and listed: every profile of support/awsconfig.py, or, with `until`
    (a CSS selector), once that row is there (a discovered role comes from the portal)."""

    def start(name: str, *, until: str | None = None, **kwargs: Any) -> browsers.Browser:
        browser = launch(name, **kwargs)
        if until is None:
            open_and_wait_listed(browser)
            return browser
        browser.open_popup()
        wait_listed(browser, until)
        return browser

    return start
