"""A click on a signed-in role, measured in a real browser (Chromium) against the stand-in.

The popup sends the background the same `login` message a click sends and times it until the
reply: for a live role the background has focused the role's console tab by then (no host
request: the stand-in's STS and federation records must not grow); beside it, the same click
with a fresh sign-in forced (Alt+click), which goes through the host, STS, getSigninToken and
opens a tab (timed to the tab being created, before the console page loads).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from support import awsconfig, browsers
from support.standin import StandIn

# Runs in the popup page: sends one login message, answers [milliseconds, reply].
_CLICK = """
const done = arguments[arguments.length - 1];
const message = {type: 'login', profile: arguments[0], background: arguments[2]};
if (arguments[1]) message.fresh = true;
const started = performance.now();
chrome.runtime.sendMessage(message).then(
  (reply) => done([performance.now() - started, reply && reply.ok, reply && reply.result
                   && reply.result.reused === true]),
  (error) => done([null, false, String(error)]));
"""


@dataclass
class LiveClick:
    reuse_ms: float
    fresh_ms: float
    host_requests_during_reuse: int
    runs: int
    notes: list[str] = field(default_factory=list)


def _click(browser: Any, profile: str, fresh: bool,
           background: bool = False) -> tuple[float, bool, Any]:
    browser.return_to_popup()
    elapsed, ok, reused = browser.driver.execute_async_script(_CLICK, profile, fresh, background)
    if not ok or elapsed is None:
        raise RuntimeError(f"the login message failed: {reused}")
    return float(elapsed), bool(ok), reused


def measure(runs: int = 20) -> LiveClick | None:
    """None when Chromium is not installed."""
    if not browsers.browsers_available()["chromium"]:
        return None
    home = browsers.temp_home("roleport-bench-live-")
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text(awsconfig.CONFIG, encoding="utf-8")
    (home / ".aws" / "credentials").write_text(awsconfig.CREDENTIALS, encoding="utf-8")
    with StandIn() as aws:
        browser = browsers.make_browser("chromium", home, env=aws.env(),
                                        artifacts=browsers.artifacts_dir("bench-live-click"))
        with browser:
            browser.open_popup()
            browser.driver.set_script_timeout(60)
            profile = awsconfig.PLAIN_DEV
            # The first sign-in warms the host (hello, imports) and lands the console.
            _click(browser, profile, True)
            browser.wait_for_tab(lambda tab: "Signed in as Admin/" in tab.text,
                                 message="the first console")
            # Fresh sign-ins open their tab without focusing it, so the popup page stays
            # visible (Chromium delays pages hidden behind another tab).
            fresh = [_click(browser, profile, True, True)[0] for _ in range(max(3, runs // 4))]
            browsers.wait_for(
                lambda: sum("Signed in as Admin/" in tab.text for tab in browser.tabs())
                > len(fresh), message="the fresh sign-ins' consoles")
            # The toolbar popup is a window of its own, so focusing the console's tab does not
            # hide it: measure from such a window.
            browser.driver.switch_to.new_window("window")
            browser.driver.get(browser.extension_url("extension/popup.html"))
            browser.popup_handle = browser.current_handle()
            before = len(aws.federation_requests) + len(aws.sts_calls)
            reuse: list[float] = []
            for _ in range(runs):
                elapsed, _, reused = _click(browser, profile, False)
                if reused is not True:
                    raise RuntimeError("a click on a live role did not reuse its session")
                reuse.append(elapsed)
            requests = len(aws.federation_requests) + len(aws.sts_calls) - before
    return LiveClick(statistics.median(reuse), statistics.median(fresh), requests, runs)
