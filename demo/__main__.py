"""`python -m demo` (= `make demo`): roleport end to end, no AWS account needed.

Writes a demo AWS config (plain roles, a chained role, an MFA role, a static user) into a
temporary HOME, starts the local AWS stand-in, installs the native host with the real
installer into a temporary browser profile and starts Firefox ESR (``BROWSER=chromium`` for
Chromium) with the extension loaded, on its popup.

With a display it is an interactive session until Ctrl-C (or until the browser is closed).
Without one (CI, SSH) it runs headless and performs the tour itself: popup screenshots (also
350 px wide, light and dark, in both browsers), two consoles of two accounts (in two containers
in Firefox), the MFA role, the chained role and the static user; it prints every step, saves
screenshots into the folder it names and exits 0 only if every step worked. Whatever happens,
everything it started stops.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from support import awsconfig as aws
from support import browsers
from support.standin import StandIn

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


@dataclass
class Tour:
    """Runs named steps in order, prints each outcome, stops at the first failure."""

    browser: browsers.Browser | None = None
    failures: list[str] = field(default_factory=list)
    number: int = 0

    def step(self, title: str, action: Callable[[], str | None]) -> None:
        if self.failures:
            return
        self.number += 1
        print(f"[{self.number:2d}] {title} ...", flush=True)
        try:
            detail = action()
        except KeyboardInterrupt:
            raise
        except Exception as error:  # noqa: BLE001 - reported, then the tour stops
            self.failures.append(title)
            print(f"     FAILED: {error}", flush=True)
            if os.environ.get("ROLEPORT_DEMO_DEBUG"):
                traceback.print_exc()
            if self.browser is not None:
                for path in self.browser.screenshot_all("failure"):
                    print(f"     screenshot: {path}", flush=True)
            return
        print(f"     ok{': ' + detail if detail else ''}", flush=True)


DEFAULT_BROWSER = "firefox"


def browser_from_environment(value: str | None) -> tuple[str, str | None]:
    """The demo's browser from $BROWSER, and a note when that variable is ignored.

    Desktops, WSL and editors' terminals set BROWSER for their own use (xdg-open, wslview,
    VS Code's helper script), so a value that names neither supported browser means "not for
    us", not an error that would stop `make demo`.
    """
    name = Path((value or "").strip()).name.lower()
    if not name:
        return DEFAULT_BROWSER, None
    for supported in sorted(browsers.BROWSERS):
        if name.startswith(supported[:6]):  # chromium, chromium-browser; firefox, firefox-esr
            return supported, None
    return DEFAULT_BROWSER, (f"BROWSER={value} is not firefox or chromium: using "
                             f"{DEFAULT_BROWSER} (choose with --browser or BROWSER=chromium)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demo",
        description="roleport end to end against a local AWS stand-in (no AWS account needed).",
    )
    default_browser, browser_note = browser_from_environment(os.environ.get("BROWSER"))
    parser.add_argument("--browser", choices=sorted(browsers.BROWSERS), default=None,
                        help="browser to drive (default: $BROWSER if it names one, else firefox)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--headless", action="store_true",
                      help="run the tour headless even when a display is available")
    mode.add_argument("--interactive", action="store_true",
                      help="open a visible browser and wait for Ctrl-C (needs DISPLAY)")
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="folder for the tour's screenshots (default: artifacts/demo/...)")
    args = parser.parse_args(argv)
    args.browser_note = None
    if args.browser is None:
        args.browser, args.browser_note = default_browser, browser_note
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if args.interactive and not has_display:
        parser.error("--interactive needs a display (DISPLAY or WAYLAND_DISPLAY is not set)")
    args.interactive = args.interactive or (has_display and not args.headless)
    return args


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def console_tab(browser: browsers.Browser, profile: str) -> browsers.Tab:
    role = aws.ROLE_OF.get(profile)
    account = aws.ACCOUNT_OF[profile]

    def matches(tab: browsers.Tab) -> bool:
        who = f"Signed in as {role}/" if role else "Signed in as "
        return who in tab.text and f"in account {account}" in tab.text

    return browser.wait_for_tab(matches, timeout=30,
                                message=f"a console tab signed in as {profile}")


def click_role(browser: browsers.Browser, profile: str) -> None:
    browser.open_popup()
    button = f'button.role[data-profile="{profile}"]'
    # The static user feeds the roles: it is listed under "Source credentials", collapsed.
    browser.wait_css(button, visible=False)
    browser.execute("const group = document.querySelector(arguments[0]).closest('details');"
                    "if (group) group.open = true;", button)
    browser.click(button)


def listed_profiles(browser: browsers.Browser) -> list[str]:
    """Every profile row of the popup, also those of a collapsed group."""
    return list(browser.execute(
        "return [...document.querySelectorAll('button.role')].map(b => b.dataset.profile);"
    ) or [])


def popup_at_popup_size(browser: browsers.Browser) -> list[Path]:
    """The popup 350 px wide, light and dark: what a user sees from the toolbar."""
    browser.open_popup()
    browsers.wait_for(lambda: set(aws.ALL_PROFILES) <= set(listed_profiles(browser)),
                      timeout=30, message="the profiles in the popup")
    return browser.popup_screenshots(f"popup-{browser.name}")


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def run_tour(browser: browsers.Browser, standin: StandIn, tour: Tour) -> None:
    """The headless tour: each step waits on a visible condition, then takes a screenshot."""
    opened: dict[str, browsers.Tab] = {}

    def popup() -> str:
        browser.open_popup()
        names = browsers.wait_for(
            lambda: (found := listed_profiles(browser))
            and set(aws.ALL_PROFILES) <= set(found) and found,
            timeout=30,
            message=lambda: f"the profiles in the popup (popup shows {browser.page_text()!r})",
        )
        shot = browser.screenshot("popup")
        return f"{len(set(names))} profiles, grouped by account; {shot.name}"

    def popup_sizes() -> str:
        shots = popup_at_popup_size(browser)
        return ", ".join(shot.name for shot in shots)

    def open_console(profile: str, shot_name: str) -> Callable[[], str]:
        def action() -> str:
            click_role(browser, profile)
            tab = console_tab(browser, profile)
            opened[profile] = tab
            browser.switch_to(tab.handle)
            shot = browser.screenshot(shot_name)
            where = (f" in container #{tab.user_context_id}"
                     if isinstance(browser, browsers.FirefoxBrowser) else "")
            return f"{first_line(tab.text)}{where}; {shot.name}"
        return action

    def side_by_side() -> str:
        if not isinstance(browser, browsers.FirefoxBrowser):
            logouts = [r for r in standin.federation_requests if r.action == "logout"]
            if not logouts:
                raise browsers.HarnessError("the second login did not sign out the first")
            return "Chromium has no containers: the second login signed out the first one"
        a, b = opened[aws.PLAIN_DEV], opened[aws.PLAIN_PROD]
        if not (a.user_context_id and b.user_context_id
                and a.user_context_id != b.user_context_id):
            raise browsers.HarnessError(
                f"expected two different containers, got {a.user_context_id} and "
                f"{b.user_context_id}")
        tabs = {tab.handle: tab for tab in browser.tabs()}
        for profile, tab in ((aws.PLAIN_DEV, a), (aws.PLAIN_PROD, b)):
            now = tabs.get(tab.handle)
            if now is None or f"in account {aws.ACCOUNT_OF[profile]}" not in now.text:
                raise browsers.HarnessError(f"the {profile} console is no longer signed in")
        names = {c["userContextId"]: c["name"] for c in browser.containers()}
        return (f"both signed in at once: containers '{names.get(a.user_context_id)}' and "
                f"'{names.get(b.user_context_id)}'")

    def mfa() -> str:
        click_role(browser, aws.MFA)
        field_css = "input[autocomplete=one-time-code]"
        browser.wait_css(field_css)
        browser.screenshot("mfa-prompt")
        code = sorted(standin.mfa_codes)[0]
        browser.type_into(field_css, code + browser.key("ENTER"))
        tab = console_tab(browser, aws.MFA)
        browser.switch_to(tab.handle)
        shot = browser.screenshot("console-mfa")
        return f"asked for a code, accepted {code}: {first_line(tab.text)}; {shot.name}"

    tour.step("open the popup", popup)
    tour.step(f"the popup at 350 px, light and dark ({browser.name})", popup_sizes)
    tour.step(f"open {aws.PLAIN_DEV} (account {aws.DEV_ACCOUNT})",
              open_console(aws.PLAIN_DEV, "console-dev-admin"))
    tour.step(f"open {aws.PLAIN_PROD} (account {aws.PROD_ACCOUNT})",
              open_console(aws.PLAIN_PROD, "console-prod-readonly"))
    tour.step("two accounts side by side" if isinstance(browser, browsers.FirefoxBrowser)
              else "second account after signing out of the first", side_by_side)
    tour.step(f"open {aws.MFA} (MFA role)", mfa)
    tour.step(f"open {aws.CHAINED} (role chained from {aws.PLAIN_DEV})",
              open_console(aws.CHAINED, "console-chained"))
    tour.step(f"open {aws.STATIC} (static IAM user)",
              open_console(aws.STATIC, "console-static-user"))


def wait_interactively(browser: browsers.Browser, standin: StandIn) -> None:
    codes = ", ".join(sorted(standin.mfa_codes))
    print(
        "\nThe browser shows roleport's popup. Try:\n"
        f"  - open {aws.PLAIN_DEV} and {aws.PLAIN_PROD}: two accounts side by side"
        " (in Firefox, two containers);\n"
        f"  - open {aws.MFA}: it asks for an MFA code, the stand-in accepts {codes};\n"
        f"  - {aws.CHAINED} is a chained role, {aws.STATIC} a static IAM user.\n"
        "Press Ctrl-C here (or close the browser) to stop everything.",
        flush=True,
    )
    stopped = threading.Event()
    while not stopped.wait(1.0):
        try:
            browser.handles()
        except Exception:  # noqa: BLE001 - the user closed the browser
            print("The browser was closed.", flush=True)
            return


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    screenshots = (args.screenshots or browsers.REPO_ROOT / "artifacts" / "demo"
                   / f"{args.browser}-{stamp}").resolve()
    screenshots.mkdir(parents=True, exist_ok=True)
    home = browsers.temp_home("roleport-demo-")
    tour = Tour()
    standin: StandIn | None = None
    browser: browsers.Browser | None = None
    mode = "interactive" if args.interactive else "headless"
    if args.browser_note:
        print(args.browser_note, flush=True)
    print(f"roleport demo: {args.browser}, {mode}", flush=True)
    try:
        def write_config() -> str:
            config, credentials = home / ".aws" / "config", home / ".aws" / "credentials"
            config.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            config.write_text(aws.CONFIG.lstrip(), encoding="utf-8")
            credentials.write_text(aws.CREDENTIALS.lstrip(), encoding="utf-8")
            credentials.chmod(0o600)
            return f"{config} ({len(aws.ALL_PROFILES)} profiles, 4 accounts)"

        def start_standin() -> str:
            nonlocal standin
            standin = StandIn().start()
            return f"STS {standin.sts_url}, sign-in and console {standin.base_url}"

        def start_browser() -> str:
            nonlocal browser
            assert standin is not None
            browser = browsers.make_browser(
                args.browser, home, env=standin.env(), artifacts=screenshots,
                headless=not args.interactive, install_host=False,
            )
            tour.browser = browser
            results: list[Any] = browser.install_host()
            for result in results:
                print(f"     {result.line()}", flush=True)
            browser.start()
            return f"extension loaded from {browsers.REPO_ROOT}"

        tour.step("write the demo AWS config into a temporary HOME", write_config)
        tour.step("start the local AWS stand-in", start_standin)
        tour.step(f"install the host with the real installer and start {args.browser}",
                  start_browser)
        if tour.failures or browser is None or standin is None:
            return EXIT_FAILED
        if args.interactive:
            browser.open_popup()
            wait_interactively(browser, standin)
            return EXIT_OK
        run_tour(browser, standin, tour)
        other = next(name for name in sorted(browsers.BROWSERS) if name != args.browser)

        def other_browser_popup() -> str:
            assert browser is not None and standin is not None
            browser.stop()  # one browser at a time on this HOME
            second = browsers.make_browser(other, home, env=standin.env(),
                                           artifacts=screenshots, headless=True)
            try:
                second.start()
                shots = popup_at_popup_size(second)
            finally:
                second.stop()
            return ", ".join(shot.name for shot in shots)

        if browsers.browsers_available().get(other):
            tour.step(f"the popup at 350 px, light and dark ({other})", other_browser_popup)
    except KeyboardInterrupt:
        print("\nInterrupted: stopping everything.", flush=True)
        return EXIT_INTERRUPTED
    finally:
        if browser is not None:
            browser.stop()
        if standin is not None:
            standin.stop()
        print(f"Screenshots: {screenshots}", flush=True)
    if tour.failures:
        print(f"Demo FAILED at: {tour.failures[0]}", flush=True)
        return EXIT_FAILED
    print(f"Demo passed: {tour.number} steps.", flush=True)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
