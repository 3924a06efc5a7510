"""The popup tells a host that refuses this extension apart from one that crashes.

The host manifest written by the real installer is edited afterwards: browsers read it on every
connectNative, so the next popup meets the broken host.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from support import browsers
from tests.e2e.conftest import LaunchBrowser
from tests.e2e.test_popup_flows import ALERT, alert_text

pytestmark = pytest.mark.browser

OTHER_EXTENSION = "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"


def installed_manifest(browser: browsers.Browser) -> Path:
    results = browser.install_host()
    manifests = [Path(result.manifest) for result in results if result.manifest]
    assert len(manifests) == 1, results
    return manifests[0]


def edit_manifest(manifest_file: Path, **changes: Any) -> None:
    manifest = json.loads(manifest_file.read_text())
    manifest.update(changes)
    manifest_file.write_text(json.dumps(manifest))


def crashing_host(folder: Path) -> Path:
    """A host that exits at once without a reply, like a broken Python environment."""
    script = folder / "crashing-host"
    script.write_text("#!/bin/sh\necho 'roleport-host: broken install' >&2\nexit 3\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_chromium_forbidden_and_crashed_host_are_told_apart(
    launch: LaunchBrowser, demo_config: Any, tmp_path: Path
) -> None:
    browser = launch("chromium", install_host=False)
    manifest = installed_manifest(browser)

    edit_manifest(manifest, allowed_origins=[OTHER_EXTENSION])
    browser.open_popup()
    forbidden = alert_text(browser, "does not allow this extension",
                           f"roleport install --extension-id {browser.extension_id}")
    assert "not installed" not in forbidden and "stopped" not in forbidden
    browser.screenshot("host-forbidden")

    edit_manifest(manifest, allowed_origins=[f"{browser.extension_base_url}/"],
                  path=str(crashing_host(tmp_path)))
    browser.open_popup()
    crashed = alert_text(browser, "stopped unexpectedly", "roleport doctor")
    assert "not installed" not in crashed and "does not allow" not in crashed
    browser.screenshot("host-crashed")
    assert browser.attributes_of("button.role", "data-profile") == []


def test_firefox_crashed_host_is_not_reported_as_missing(
    launch: LaunchBrowser, demo_config: Any, tmp_path: Path
) -> None:
    browser = launch("firefox", install_host=False)
    manifest = installed_manifest(browser)
    edit_manifest(manifest, path=str(crashing_host(tmp_path)))
    browser.open_popup()
    crashed = alert_text(browser, "stopped unexpectedly", "roleport doctor")
    assert "not installed" not in browser.text_of(ALERT), crashed
    browser.screenshot("host-crashed")
