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
