"""Drive Debian's Chromium and Firefox ESR with the unpacked roleport extension loaded.

Used by the end-to-end tests (tests/e2e) and by the demo (``python -m demo``). Chromium runs
through Selenium and Debian's /usr/bin/chromedriver; Firefox ESR through marionette_driver,
started with ``--remote-allow-system-access`` so that Marionette may use the privileged
(chrome) context it installs the temporary add-on from (Firefox source docs, "Marionette").

Rules this module implements:
- every browser runs with its own temporary HOME and profile, and an environment sealed off
  from the real AWS account (no inherited AWS_* variable, no instance metadata), so a test can
  never reach a real account;
- the environment of the stand-in is given to the browser, and the native host inherits it;
- the host is installed through the real installer (roleport_installer.install), never by hand;
- every process started here is killed on stop(), on test failure and at interpreter exit;
- waits poll a condition until a deadline; nothing waits a fixed time.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.awsconfig import sealed_environment

# The suites and the demo use these as browsers.wait_for, browsers.HarnessError.
from support.waiting import DEFAULT_TIMEOUT, HarnessError, wait_for

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS_ROOT = REPO_ROOT / "artifacts" / "e2e"
CHROMIUM_BINARY = "/usr/lib/chromium/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FIREFOX_BINARY = "/usr/bin/firefox-esr"
POPUP_PATH = "extension/popup.html"
OPTIONS_PATH = "extension/options.html"
WELCOME_PATH = "extension/welcome.html"
# extension/welcome.js PAGE_TITLES: the tab's title once the page's host check is over.
WELCOME_SETTLED_TITLES = ("roleport is ready", "Set up roleport")
# The page's check is a hello and a profile listing, each bounded by the background's timeouts
# (10 s, 20 s): on a loaded machine it may take longer than DEFAULT_TIMEOUT.
WELCOME_TIMEOUT = 60.0
# Fixed moz-extension:// host so popup and options URLs are known before the add-on loads.
FIREFOX_EXTENSION_UUID = "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b"

# ---------------------------------------------------------------------------------------------
# Environment


def sealed_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a browser (and the host it starts): private HOME, no real AWS.

    Every inherited AWS_* variable is dropped so nothing can reach a real account; the AWS
    files default to paths inside the private HOME; ``extra`` (the stand-in's env()) wins.
    """
    env = sealed_environment(home)
    env.update(
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_RUNTIME_DIR=str(home / ".run"),
    )
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(proxy, None)
    (home / ".run").mkdir(parents=True, exist_ok=True, mode=0o700)
    if extra:
        env.update({k: str(v) for k, v in extra.items()})
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def artifacts_dir(name: str) -> Path:
    """artifacts/e2e/<name>/ (git-ignored), created on demand."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "run"
    path = ARTIFACTS_ROOT / safe
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---------------------------------------------------------------------------------------------
# Extension identity (read from manifest.json, never hard-coded)


def read_manifest(extension_dir: Path = REPO_ROOT) -> dict[str, Any]:
    return json.loads((extension_dir / "manifest.json").read_text(encoding="utf-8"))


def chromium_extension_id(extension_dir: Path = REPO_ROOT) -> str:
    """The ID Chromium gives the unpacked extension: pinned by the manifest ``key``, else
    derived from the folder's path.

    Rule (Chrome for Developers, manifest "key"): the first 32 hex digits of the SHA-256 of
    the DER public key, each digit 0-f written as a letter a-p.
    """
    key = read_manifest(extension_dir).get("key")
    if key:
        digest = hashlib.sha256(base64.b64decode(key)).hexdigest()[:32]
    else:
        # Without a key (a store build loaded unpacked) Chromium derives the id from the
        # folder's absolute path the same way (extensions' id_util, GenerateIdForPath).
        digest = hashlib.sha256(str(Path(extension_dir).resolve()).encode()).hexdigest()[:32]
    return "".join(chr(ord("a") + int(digit, 16)) for digit in digest)


def gecko_extension_id(extension_dir: Path = REPO_ROOT) -> str:
    manifest = read_manifest(extension_dir)
    settings = manifest.get("browser_specific_settings") or manifest.get("applications") or {}
    gecko_id = (settings.get("gecko") or {}).get("id")
    if not gecko_id:
        raise HarnessError("manifest.json has no browser_specific_settings.gecko.id")
    return str(gecko_id)


# ---------------------------------------------------------------------------------------------
# Process bookkeeping: whatever happens, nothing outlives the interpreter

_LIVE: set[Browser] = set()


def _stop_all_live() -> None:
    for browser in list(_LIVE):
        with contextlib.suppress(Exception):
            browser.stop()


atexit.register(_stop_all_live)


def _kill_group(process: subprocess.Popen[bytes] | None, grace: float = 5.0) -> None:
    """SIGTERM the process group (browser + native hosts), SIGKILL what is left after grace."""
    if process is None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    # Children that re-parented (renderers, native hosts) keep the group id: kill them too
    # and wait until the kernel has removed the whole group.
    def group_gone() -> bool:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return True
        except PermissionError:
            return True
        return False

    with contextlib.suppress(HarnessError):
        wait_for(group_gone, timeout=grace, interval=0.05, message="the browser's processes")


# ---------------------------------------------------------------------------------------------
# Browsers


@dataclass(frozen=True)
class Tab:
    """One open tab as seen from outside the extension."""

    handle: str
    url: str
    user_context_id: int  # Firefox container number; 0 = no container (always 0 in Chromium)
    text: str


class Browser(ABC):
    """A running browser with the extension loaded. Use as a context manager or call stop().

    ``env`` is the stand-in's environment (AWS_ENDPOINT_URL_STS, ROLEPORT_FEDERATION_URL, ...);
    it is layered over a sealed environment whose HOME is ``home``.
    """

    name: str  # the installer's browser name

    def __init__(
        self,
        home: Path,
        *,
        env: Mapping[str, str] | None = None,
        extension_dir: Path = REPO_ROOT,
        artifacts: Path | None = None,
        headless: bool = True,
        install_host: bool = True,
        keep_welcome: bool = False,
    ) -> None:
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.extension_dir = Path(extension_dir)
        self.env = sealed_env(self.home, env)
        self.artifacts = artifacts or artifacts_dir(f"{self.name}-{os.getpid()}")
        self.headless = headless
        self.should_install_host = install_host
        self.keep_welcome = keep_welcome
        self.profile_dir = self.home / f"{self.name}-profile"
        self.popup_handle: str | None = None
        self._screenshot_count = 0

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Browser:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> Browser:
        _LIVE.add(self)
        fresh_profile = not self.profile_dir.exists()
        try:
            if self.should_install_host:
                self.install_host()
            self._launch()
            if fresh_profile and not self.keep_welcome and self.has_welcome_page:
                self.dismiss_welcome()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        try:
            self._quit()
        finally:
            # Helpers that left the browser's process group (Chromium's crashpad handler)
            # still name the private HOME on their command line.
            _kill_processes_mentioning(str(self.home))
            _LIVE.discard(self)

    @abstractmethod
    def _launch(self) -> None: ...

    @abstractmethod
    def _quit(self) -> None: ...

    @property
    @abstractmethod
    def extension_id(self) -> str:
        """The ID the host manifest must allow (Chromium ID or gecko add-on id)."""

    @property
    @abstractmethod
    def extension_base_url(self) -> str: ...

    def install_host(self, **overrides: Any) -> Any:
        """Install the native host with the real installer, for this browser and profile only."""
        from roleport_installer import install  # imported late: only host-backed runs need it

        arguments: dict[str, Any] = dict(
            browsers=[self.name],
            scope="user",
            user_data_dir=str(self.profile_dir) if self.name == "chromium" else None,
            extension_manifest=str(self.extension_dir / "manifest.json"),
            env=self.env,
        )
        arguments.update(overrides)
        return install(**arguments)

    # -- pages -----------------------------------------------------------------------------

    def extension_url(self, path: str) -> str:
        return f"{self.extension_base_url}/{path.lstrip('/')}"

    def open_popup(self, wait_ready: bool = True) -> None:
        """Open the popup as a page in a fresh tab and wait until its search box is focused.

        A fresh tab per opening mirrors the toolbar popup, which is a new document each time.
        """
        self.open_in_new_tab(self.extension_url(POPUP_PATH))
        self.popup_handle = self.current_handle()
        if wait_ready:
            self.wait_css("input[type=search]")

    def open_options(self) -> None:
        self.open_in_new_tab(self.extension_url(OPTIONS_PATH))
        self.wait_css("body")

    # -- the first-run page ----------------------------------------------------------------

    @property
    def has_welcome_page(self) -> bool:
        return (self.extension_dir / WELCOME_PATH).exists()

    @property
    def welcome_url(self) -> str:
        return self.extension_url(WELCOME_PATH)

    def wait_for_welcome(self, *, timeout: float = WELCOME_TIMEOUT) -> Tab:
        """The tab of the welcome page the extension opens on install; switches to it and
        waits until its host check has settled (body[data-state] other than "checking")."""
        tab = self.wait_for_tab(lambda tab: tab.url.startswith(self.welcome_url),
                                timeout=timeout, message="the welcome page opened on install")
        self.switch_to(tab.handle)
        self.wait_welcome_settled(timeout=timeout)
        return tab

    def welcome_state(self) -> str:
        return str(self.execute("return document.body ? document.body.dataset.state : '';") or "")

    def wait_welcome_settled(self, *, timeout: float = WELCOME_TIMEOUT) -> str:
        return wait_for(
            lambda: (state := self.welcome_state()) not in ("", "checking") and state,
            timeout=timeout,
            message=lambda: f"the welcome page's check (page: {self.page_text()[:300]!r})",
        )

    def dismiss_welcome(self) -> None:
        """Close the welcome tab once its check has settled, as a user who read it would.

        The extension opens it on install, i.e. at every start of a fresh profile; suites that
        are not about it would otherwise meet an extra tab, and a check still running (it
        starts the host and lists the profiles) would race with what they do first.
        """
        self.wait_for_welcome()
        self.close_current()
        remaining = self.handles()
        if remaining:
            self.switch_to(remaining[0])

    @abstractmethod
    def open_in_new_tab(self, url: str) -> None: ...

    @abstractmethod
    def navigate(self, url: str) -> None: ...

    @abstractmethod
    def current_handle(self) -> str: ...

    @abstractmethod
    def handles(self) -> list[str]: ...

    @abstractmethod
    def switch_to(self, handle: str) -> None: ...

    @abstractmethod
    def close_current(self) -> None: ...

    @abstractmethod
    def execute(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body using ``arguments``) in the current page."""

    @abstractmethod
    def find(self, css: str) -> Any: ...

    @abstractmethod
    def send_keys(self, css: str | None, *keys: str) -> None:
        """Type into the element matching ``css``, or into the focused element if None."""

    @abstractmethod
    def key(self, name: str) -> str:
        """A special key by name ("ARROW_DOWN", "ENTER", "ESCAPE", ...)."""

    @abstractmethod
    def _screenshot_png(self) -> bytes: ...

    @abstractmethod
    def set_color_scheme(self, scheme: str | None) -> None:
        """Make pages see ``prefers-color-scheme: scheme`` ("light" or "dark"); None gives them
        the browser's own again."""

    @abstractmethod
    def set_page_size(self, width: int | None, height: int | None) -> None:
        """Give the page a viewport of ``width`` x ``height`` CSS px; None gives it the
        window's again."""

    # -- DOM helpers shared by both browsers (plain DOM through execute) ----------------------

    def wait_css(self, css: str, *, timeout: float = DEFAULT_TIMEOUT, visible: bool = True) -> Any:
        """Wait until an element matching ``css`` exists (and is displayed) in the current page,
        and return that very element: the script that sees it hands it back, because a list
        rebuilt in chunks (the popup) can lack it for a moment between two commands."""
        script = """
            const el = document.querySelector(arguments[0]);
            if (!el) return null;
            if (!arguments[1]) return el;
            const box = el.getBoundingClientRect();
            const shown = box.width > 0 && box.height > 0
              && getComputedStyle(el).visibility !== 'hidden';
            return shown ? el : null;
        """
        return wait_for(
            lambda: self.execute(script, css, visible),
            timeout=timeout,
            message=lambda: f"{css!r} in {self.safe_url()} (page text: {self.page_text()[:300]!r})",
        )

    def click(self, css: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Click the element matching ``css``; a list re-rendered between finding and
        clicking (stale element) is found again rather than failing the test."""
        self.wait_css(css, timeout=timeout)

        def clicked() -> bool:
            self.find(css).click()
            return True

        wait_for(clicked, timeout=timeout, message=f"a click on {css!r} to land")

    def _send_keys_to(self, css: str, send: Callable[[Any], None]) -> None:
        """Type into the element matching ``css``; as with a click, a list re-rendered
        between finding and typing (stale element) is found again."""
        self.wait_css(css)

        def typed() -> bool:
            send(self.find(css))
            return True

        wait_for(typed, message=f"keys typed into {css!r}")

    def type_into(self, css: str, text: str, *, clear: bool = True) -> None:
        """Focus the field, optionally empty it, and type ``text`` as real key presses."""
        element = self.wait_css(css)
        if clear:
            element.clear()
        element.send_keys(text)

    def text_of(self, css: str) -> str:
        return str(self.execute(
            "const el = document.querySelector(arguments[0]); return el ? el.innerText : '';",
            css,
        ) or "")

    def texts_of(self, css: str) -> list[str]:
        return list(self.execute(
            "return [...document.querySelectorAll(arguments[0])]"
            ".filter(el => el.getClientRects().length > 0).map(el => el.innerText);",
            css,
        ) or [])

    def attributes_of(self, css: str, attribute: str) -> list[str]:
        """``attribute`` of every visible element matching ``css``, in document order."""
        return list(self.execute(
            "return [...document.querySelectorAll(arguments[0])]"
            ".filter(el => el.getClientRects().length > 0)"
            ".map(el => el.getAttribute(arguments[1]));",
            css, attribute,
        ) or [])

    def extension_call(self, expression: str, *args: Any) -> Any:
        """Evaluate ``expression`` in the current extension page with ``api`` bound to the
        WebExtension API (``args`` as ``arguments``); a promise is awaited; the result comes
        back through JSON. Marionette runs scripts behind Xray wrappers, through which the
        page's ``browser`` global is only visible as window.wrappedJSObject.browser."""
        script = f"""
            const api = window.wrappedJSObject?.browser ?? globalThis.browser ?? globalThis.chrome;
            return Promise.resolve((function () {{ return {expression}; }}).apply(null, arguments))
              .then((value) => JSON.stringify(value ?? null));
        """
        return json.loads(self.execute(script, *args))

    def focused_matches(self, css: str) -> bool:
        return bool(self.execute(
            "const el = document.activeElement; return !!el && el.matches(arguments[0]);", css
        ))

    def page_text(self) -> str:
        try:
            return str(self.execute(
                "return document.body ? document.body.innerText : '';"
            ) or "")
        except Exception:  # noqa: BLE001 - diagnostics only
            return ""

    def safe_url(self) -> str:
        """The current URL without its query: login URLs carry a SigninToken."""
        try:
            url = str(self.execute("return location.href;"))
        except Exception:  # noqa: BLE001 - diagnostics only
            return "?"
        return redact_url(url)

    def set_field(self, css: str, value: str | bool) -> None:
        """Set a form control and fire input+change so the page's listeners see it."""
        self.wait_css(css)
        self.execute(
            """
            const el = document.querySelector(arguments[0]);
            if (el.type === 'checkbox') el.checked = !!arguments[1];
            else el.value = arguments[1];
            el.dispatchEvent(new Event('input', {bubbles: true}));
            el.dispatchEvent(new Event('change', {bubbles: true}));
            """,
            css, value,
        )

    # -- tabs ------------------------------------------------------------------------------

    @abstractmethod
    def tabs(self) -> list[Tab]:
        """Every open tab with its URL, container and page text. Keeps the current tab."""

    def wait_for_tab(
        self,
        predicate: Callable[[Tab], bool],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        message: str = "a matching tab",
    ) -> Tab:
        def matching() -> Tab | None:
            return next((tab for tab in self.tabs() if predicate(tab)), None)

        return wait_for(
            matching, timeout=timeout, interval=0.25,
            message=lambda: f"{message}; open tabs: {self.describe_tabs()}",
        )

    def wait_for_tabs(
        self,
        predicate: Callable[[list[Tab]], bool],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        message: str = "the expected tabs",
    ) -> list[Tab]:
        def check() -> list[Tab] | None:
            tabs = self.tabs()
            return tabs if predicate(tabs) else None

        return wait_for(
            check, timeout=timeout, interval=0.25,
            message=lambda: f"{message}; open tabs: {self.describe_tabs()}",
        )

    def describe_tabs(self) -> str:
        try:
            return "; ".join(
                f"[{tab.user_context_id}] {redact_url(tab.url)} {tab.text[:120]!r}"
                for tab in self.tabs()
            )
        except Exception as error:  # noqa: BLE001 - diagnostics only
            return f"(tabs unavailable: {error})"

    def close_tabs_except(self, keep: Iterable[str]) -> None:
        keep = set(keep)
        for handle in self.handles():
            if handle not in keep:
                self.switch_to(handle)
                self.close_current()
        remaining = self.handles()
        if remaining:
            self.switch_to(remaining[0])

    def return_to_popup(self) -> None:
        """Switch back to the popup tab if it is still open, else to any tab."""
        handles = self.handles()
        if self.popup_handle in handles:
            self.switch_to(self.popup_handle)
        elif handles:
            self.switch_to(handles[0])

    # -- artifacts -------------------------------------------------------------------------

    def screenshot(self, name: str) -> Path:
        """Save a PNG of the current tab to the artifacts folder; returns its path."""
        self._screenshot_count += 1
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        path = self.artifacts / f"{self._screenshot_count:02d}-{safe}.png"
        path.write_bytes(self._screenshot_png())
        return path

    def screenshot_all(self, prefix: str = "failure") -> list[Path]:
        """A screenshot of every tab (used on failure); never raises."""
        saved: list[Path] = []
        with contextlib.suppress(Exception):
            current = self.current_handle()
            for handle in self.handles():
                with contextlib.suppress(Exception):
                    self.switch_to(handle)
                    saved.append(self.screenshot(f"{prefix}-{handle[:8]}"))
            self.switch_to(current)
        return saved

    # -- the popup at popup size -------------------------------------------------------------

    def popup_screenshots(self, name: str, *, width: int = 350, height: int = 600,
                          schemes: Iterable[str] = ("light", "dark")) -> list[Path]:
        """Screenshots of the current page (the popup) ``width`` CSS px wide, one per colour
        scheme, named ``<name>-<width>px-<scheme>``; the page's size and scheme are restored."""
        try:
            self.set_page_size(width, height)
            wait_for(lambda: self.execute("return Math.abs(innerWidth - arguments[0]) <= 20;",
                                          width), message=f"the page at {width} px")
            return self.scheme_screenshots(f"{name}-{width}px", schemes=schemes)
        finally:
            self.set_page_size(None, None)

    def scheme_screenshots(self, name: str, *,
                           schemes: Iterable[str] = ("light", "dark")) -> list[Path]:
        """Screenshots of the current page at its size, one per colour scheme, named
        ``<name>-<scheme>``; the browser's own scheme is restored."""
        saved: list[Path] = []
        try:
            for scheme in schemes:
                self.set_color_scheme(scheme)
                wait_for(lambda dark=(scheme == "dark"): self.execute(
                    "return matchMedia('(prefers-color-scheme: dark)').matches === arguments[0];",
                    dark), message=f"the page in the {scheme} colour scheme")
                saved.append(self.screenshot(f"{name}-{scheme}"))
        finally:
            self.set_color_scheme(None)
        return saved


def redact_url(url: str) -> str:
    """Drop query and fragment: login and logout URLs carry a SigninToken."""
    return re.split(r"[?#]", url, maxsplit=1)[0]


_URL = re.compile(r"""[a-z][a-z0-9+.-]*://[^\s"'<>]*""", re.IGNORECASE)
_SECRET_WORDS = re.compile(
    r"(SigninToken|sessionToken|sessionKey|SecretAccessKey|SessionToken)([\"'=:\s]+)[^\s&\"',}]+",
    re.IGNORECASE,
)
_TEMPORARY_KEY = re.compile(r"\bASIA[A-Z0-9]{12,}\b")


def redact_line(line: str) -> str:
    """A browser/driver log line with URL queries, tokens and temporary key ids removed."""
    line = _URL.sub(lambda match: redact_url(match.group(0)), line)
    line = _SECRET_WORDS.sub(r"\1\2<redacted>", line)
    return _TEMPORARY_KEY.sub("ASIA<redacted>", line)


class RedactingLog:
    """A pipe whose lines land in ``path`` redacted (redact_line).

    Browser and driver logs echo the URLs they navigate, and a login URL carries a
    SigninToken, and no secret may reach a file (AWS: a sign-in URL grants console access to
    whoever holds it), so raw output never does.
    """

    def __init__(self, path: Path) -> None:
        read_fd, write_fd = os.pipe()
        # A file object, not a bare fd: Selenium os.close()s an int log_output on stop, which
        # would close whatever socket reused the number after we closed it ourselves.
        self.writer = os.fdopen(write_fd, "wb", buffering=0)
        self._reader = os.fdopen(read_fd, "r", encoding="utf-8", errors="replace")
        self._file = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by the pump
        self._thread = threading.Thread(target=self._pump, name=f"log {path.name}",
                                        daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        with self._reader, self._file:
            for line in self._reader:
                self._file.write(redact_line(line))
                self._file.flush()

    def close_writer(self) -> None:
        """Close our copy of the write end (idempotent) once the child has inherited it."""
        self.writer.close()

    def close(self, timeout: float = 5.0) -> None:
        self.close_writer()
        self._thread.join(timeout)


class ChromiumBrowser(Browser):
    """Debian's Chromium through Selenium and /usr/bin/chromedriver (never Selenium Manager)."""

    name = "chromium"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.driver: Any = None
        self._service: Any = None
        self._log: RedactingLog | None = None

    @property
    def extension_id(self) -> str:
        return chromium_extension_id(self.extension_dir)

    @property
    def extension_base_url(self) -> str:
        return f"chrome-extension://{self.extension_id}"

    def _launch(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile_dir.mkdir(parents=True, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM_BINARY
        arguments = [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            "--disable-dev-shm-usage", "--window-size=1024,768", "--no-default-browser-check",
            "--disable-default-apps", "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--metrics-recording-only", "--password-store=basic", "--use-mock-keychain",
            f"--user-data-dir={self.profile_dir}",
            f"--load-extension={self.extension_dir}",
            f"--disable-extensions-except={self.extension_dir}",
        ]
        if self.headless:
            arguments.insert(0, "--headless=new")
        for argument in arguments:
            options.add_argument(argument)
        self._log = RedactingLog(self.artifacts / "chromedriver.log")
        # Own process group: stop() can kill chromedriver, Chromium and the hosts together.
        self._service = Service(
            CHROMEDRIVER, env=self.env, log_output=self._log.writer,
            popen_kw={"start_new_session": True},
        )
        try:
            self.driver = webdriver.Chrome(service=self._service, options=options)
        finally:
            self._log.close_writer()
        self.driver.set_page_load_timeout(30)

    def _quit(self) -> None:
        process = getattr(self._service, "process", None) if self._service else None
        if self.driver is not None:
            with contextlib.suppress(Exception):
                self.driver.quit()
            self.driver = None
        _kill_group(process)
        self._service = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def open_in_new_tab(self, url: str) -> None:
        self.driver.switch_to.new_window("tab")
        self.driver.get(url)

    def navigate(self, url: str) -> None:
        self.driver.get(url)

    def current_handle(self) -> str:
        return str(self.driver.current_window_handle)

    def handles(self) -> list[str]:
        return list(self.driver.window_handles)

    def switch_to(self, handle: str) -> None:
        self.driver.switch_to.window(handle)

    def close_current(self) -> None:
        self.driver.close()

    def execute(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def send_keys(self, css: str | None, *keys: str) -> None:
        if css is not None:
            self._send_keys_to(css, lambda element: element.send_keys(*keys))
            return
        # Keys for "whatever has the focus" go through the input actions, which address the
        # focused element itself: a reference to it would go stale when the popup re-renders
        # and moves the focus to the rebuilt element between the lookup and the typing.
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.driver).send_keys(*keys).perform()

    def key(self, name: str) -> str:
        from selenium.webdriver.common.keys import Keys

        return str(getattr(Keys, name))

    def _screenshot_png(self) -> bytes:
        return bytes(self.driver.get_screenshot_as_png())

    # DevTools protocol, "Emulation" domain: the viewport and media features of the current tab.

    def set_color_scheme(self, scheme: str | None) -> None:
        """Emulation.setEmulatedMedia; no features clears the emulation."""
        features = [] if scheme is None else [{"name": "prefers-color-scheme", "value": scheme}]
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})

    def set_page_size(self, width: int | None, height: int | None) -> None:
        """Emulation.setDeviceMetricsOverride, or clearDeviceMetricsOverride."""
        if width is None or height is None:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        else:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    # -- the first-run page: opened before chromedriver attaches ------------------------------

    def _welcome_targets(self) -> list[dict[str, Any]]:
        """The welcome page's tabs as DevTools targets (Target.getTargets).

        The extension opens the page while Chromium starts, before chromedriver attaches, and
        chromedriver never lists a tab opened then among its window handles; DevTools does.
        """
        infos = self.driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]
        return [info for info in infos
                if info.get("type") == "page" and str(info.get("url", "")).startswith(
                    self.welcome_url)]

    def _settled_welcome_target(self, timeout: float) -> dict[str, Any]:
        """The welcome tab once its check is over, told by its title (welcome.js PAGE_TITLES)."""
        return wait_for(
            lambda: next((info for info in self._welcome_targets()
                          if info.get("title") in WELCOME_SETTLED_TITLES), None),
            timeout=timeout,
            message=lambda: "the welcome page opened on install and its check; DevTools "
                            f"targets: {[t.get('title') for t in self._welcome_targets()]}",
        )

    def wait_for_welcome(self, *, timeout: float = WELCOME_TIMEOUT) -> Tab:
        """The welcome page opened on install, as a tab WebDriver can drive.

        The tab the extension opened is proven by DevTools (see _welcome_targets); as
        chromedriver cannot drive it, it is closed once settled and the same page is opened in a
        tab chromedriver does track, which runs the same check again.
        """
        target = self._settled_welcome_target(timeout)
        if target["targetId"] not in self.handles():
            self.driver.execute_cdp_cmd("Target.closeTarget", {"targetId": target["targetId"]})
            self.open_in_new_tab(self.welcome_url)
        else:
            self.switch_to(target["targetId"])
        self.wait_welcome_settled(timeout=timeout)
        return Tab(handle=self.current_handle(), url=self.welcome_url, user_context_id=0,
                   text=self.page_text())

    def dismiss_welcome(self) -> None:
        target = self._settled_welcome_target(WELCOME_TIMEOUT)
        self.driver.execute_cdp_cmd("Target.closeTarget", {"targetId": target["targetId"]})
        remaining = self.handles()
        if remaining and self.current_handle() not in remaining:
            self.switch_to(remaining[0])

    def tabs(self) -> list[Tab]:
        current = None
        with contextlib.suppress(Exception):
            current = self.driver.current_window_handle
        found: list[Tab] = []
        for handle in self.driver.window_handles:
            try:
                self.driver.switch_to.window(handle)
                url = str(self.driver.current_url)
                text = str(self.driver.execute_script(
                    "return document.body ? document.body.innerText : '';") or "")
            except Exception:  # noqa: BLE001 - a tab closing while we look is not an error
                continue
            found.append(Tab(handle=handle, url=url, user_context_id=0, text=text))
        if current in self.driver.window_handles:
            self.driver.switch_to.window(current)
        return found


class FirefoxBrowser(Browser):
    """Firefox ESR through marionette_driver; the add-on is installed as a temporary add-on."""

    name = "firefox"

    # Quiet, loopback-only profile (after the remote agent's RecommendedPreferences in Firefox's
    # source): no updates, telemetry, remote settings, captive portal or connectivity checks,
    # so the browser talks to nothing but 127.0.0.1.
    PREFS: dict[str, Any] = {
        "app.update.disabledForTesting": True,
        "app.update.auto": False,
        "browser.shell.checkDefaultBrowser": False,
        "browser.startup.page": 0,
        "browser.startup.homepage": "about:blank",
        "browser.startup.homepage_override.mstone": "ignore",
        "browser.aboutwelcome.enabled": False,
        "browser.newtabpage.enabled": False,
        "browser.tabs.warnOnClose": False,
        "browser.warnOnQuit": False,
        "browser.safebrowsing.malware.enabled": False,
        "browser.safebrowsing.phishing.enabled": False,
        "browser.safebrowsing.downloads.enabled": False,
        "browser.region.network.url": "",
        "browser.topsites.contile.enabled": False,
        "browser.discovery.enabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "datareporting.healthreport.uploadEnabled": False,
        "toolkit.telemetry.enabled": False,
        "toolkit.telemetry.server": "",
        "network.captive-portal-service.enabled": False,
        "network.connectivity-service.enabled": False,
        "network.dns.disablePrefetch": True,
        "network.prefetch-next": False,
        "network.http.speculative-parallel-limit": 0,
        "services.settings.server": "http://127.0.0.1:9/remote-settings",
        "extensions.update.enabled": False,
        "extensions.getAddons.cache.enabled": False,
        "extensions.blocklist.enabled": False,
        "extensions.autoDisableScopes": 0,
        "geo.provider.network.url": "",
        "privacy.userContext.enabled": True,
        "privacy.userContext.ui.enabled": True,
        "dom.disable_open_during_load": False,
        "devtools.console.stdout.content": False,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marionette: Any = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: RedactingLog | None = None

    @property
    def extension_id(self) -> str:
        return gecko_extension_id(self.extension_dir)

    @property
    def extension_base_url(self) -> str:
        return f"moz-extension://{FIREFOX_EXTENSION_UUID}"

    def _write_prefs(self, port: int) -> None:
        prefs = dict(self.PREFS)
        prefs["marionette.port"] = port
        prefs["extensions.webextensions.uuids"] = json.dumps(
            {self.extension_id: FIREFOX_EXTENSION_UUID}
        )
        lines = [f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in prefs.items()]
        (self.profile_dir / "user.js").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _launch(self) -> None:
        from marionette_driver.addons import Addons
        from marionette_driver.marionette import Marionette

        self.profile_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self._write_prefs(port)
        env = dict(self.env)
        if self.headless:
            env.update(MOZ_HEADLESS="1", MOZ_HEADLESS_WIDTH="1024", MOZ_HEADLESS_HEIGHT="768")
        command = [
            FIREFOX_BINARY, "--marionette", "--remote-allow-system-access", "--no-remote",
            "--profile", str(self.profile_dir), "about:blank",
        ]
        if self.headless:
            command.insert(1, "--headless")
        self._log = RedactingLog(self.artifacts / "firefox.log")
        try:
            self._process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=self._log.writer,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        finally:
            self._log.close_writer()

        def marionette_listening() -> bool:
            if self._process is not None and self._process.poll() is not None:
                raise HarnessError(
                    f"firefox-esr exited with {self._process.returncode}; "
                    f"see {self.artifacts / 'firefox.log'}"
                )
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True

        wait_for(marionette_listening, timeout=60, message="Firefox's Marionette port")
        self.marionette = Marionette(host="127.0.0.1", port=port, socket_timeout=60)
        self.marionette.start_session()
        self.marionette.timeout.page_load = 30
        Addons(self.marionette).install(str(self.extension_dir), temp=True)

    def _quit(self) -> None:
        if self.marionette is not None:
            with contextlib.suppress(Exception):
                self.marionette.delete_session()
            self.marionette = None
        # Firefox's crash helper leaves the browser's process group (setsid): find it by the
        # parent pid it is given on its command line and stop it with the browser.
        helpers = _crash_helpers_of(self._process.pid) if self._process is not None else []
        _kill_group(self._process)
        for helper in helpers:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(helper, signal.SIGKILL)
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def open_in_new_tab(self, url: str) -> None:
        before = set(self.marionette.window_handles)
        result = self.marionette.open(type="tab", focus=True)
        handle = result.get("handle") if isinstance(result, dict) else None
        if not handle:
            handle = wait_for(lambda: next(iter(set(self.marionette.window_handles) - before),
                                           None), message="a new tab")
        self.marionette.switch_to_window(handle)
        self.marionette.navigate(url)

    def navigate(self, url: str) -> None:
        self.marionette.navigate(url)

    def current_handle(self) -> str:
        return str(self.marionette.current_window_handle)

    def handles(self) -> list[str]:
        return list(self.marionette.window_handles)

    def switch_to(self, handle: str) -> None:
        self.marionette.switch_to_window(handle)

    def close_current(self) -> None:
        self.marionette.close()

    def execute(self, script: str, *args: Any) -> Any:
        return self.marionette.execute_script(script, script_args=list(args), new_sandbox=False)

    def find(self, css: str) -> Any:
        from marionette_driver.by import By

        return self.marionette.find_element(By.CSS_SELECTOR, css)

    def send_keys(self, css: str | None, *keys: str) -> None:
        if css is not None:
            self._send_keys_to(css, lambda element: element.send_keys("".join(keys)))
            return
        # As in Chromium: type through the input actions into whatever has the focus, so that
        # a re-render that rebuilds the focused element cannot leave a stale reference.
        self.marionette.actions.sequence("key", "keyboard").send_keys("".join(keys)).perform()

    def key(self, name: str) -> str:
        from marionette_driver.keys import Keys

        return str(getattr(Keys, name))

    def _screenshot_png(self) -> bytes:
        return bytes(self.marionette.screenshot(format="binary", full=False))

    # layout.css.prefers-color-scheme.content-override: 0 dark, 1 light, 2 the browser's.
    _SCHEME_OVERRIDE = {"dark": 0, "light": 1, None: 2}

    def set_color_scheme(self, scheme: str | None) -> None:
        """Firefox's own override of the colour scheme pages see (Settings, "Website
        appearance"): the pref layout.css.prefers-color-scheme.content-override."""
        with self.marionette.using_context("chrome"):
            self.marionette.execute_script(
                "Services.prefs.setIntPref("
                "'layout.css.prefers-color-scheme.content-override', arguments[0]);",
                script_args=[self._SCHEME_OVERRIDE[scheme]])

    def set_page_size(self, width: int | None, height: int | None) -> None:
        """Firefox windows are at least 500 px wide: the tab's <browser> element is narrowed
        inside the window instead, as Responsive Design Mode does, so the page gets ``width``."""
        with self.marionette.using_context("chrome"):
            self.marionette.execute_script(
                """
                const [width, height] = arguments;
                const win = Services.wm.getMostRecentWindow('navigator:browser');
                const style = win.gBrowser.selectedBrowser.style;
                if (width === null) {
                  style.removeProperty('max-width');
                  style.removeProperty('max-height');
                } else {
                  style.setProperty('max-width', width + 'px', 'important');
                  style.setProperty('max-height', height + 'px', 'important');
                }
                """,
                script_args=[width, height])

    def tabs(self) -> list[Tab]:
        """Tabs of every browser window, read from the chrome context (userContextId is not
        visible to content), then each tab's text from its content.

        Marionette names content windows through its NavigableManager (a UUID per browser);
        older releases used TabManager or the browserId.
        """
        with self.marionette.using_context("chrome"):
            rows = self.marionette.execute_script(
                """
                let handleOf = browser => String(browser.browserId);
                for (const [url, name] of [
                    ["chrome://remote/content/shared/NavigableManager.sys.mjs", "NavigableManager"],
                    ["chrome://remote/content/shared/TabManager.sys.mjs", "TabManager"]]) {
                  try {
                    const manager = ChromeUtils.importESModule(url)[name];
                    if (manager && typeof manager.getIdForBrowser === "function") {
                      handleOf = browser => String(manager.getIdForBrowser(browser));
                      break;
                    }
                  } catch (error) { /* not in this Firefox release */ }
                }
                const rows = [];
                for (const win of Services.wm.getEnumerator("navigator:browser")) {
                  for (const tab of win.gBrowser.tabs) {
                    const browser = tab.linkedBrowser;
                    rows.push({handle: handleOf(browser),
                               url: browser.currentURI.spec,
                               userContextId: tab.userContextId || 0});
                  }
                }
                return rows;
                """
            )
        current = None
        with contextlib.suppress(Exception):
            current = self.marionette.current_window_handle
        found: list[Tab] = []
        for row in rows:
            text = ""
            with contextlib.suppress(Exception):
                self.marionette.switch_to_window(row["handle"], focus=False)
                text = str(self.marionette.execute_script(
                    "return document.body ? document.body.innerText : '';") or "")
            found.append(Tab(handle=row["handle"], url=row["url"],
                             user_context_id=int(row["userContextId"]), text=text))
        if current is not None:
            with contextlib.suppress(Exception):
                self.marionette.switch_to_window(current, focus=False)
        return found

    # -- the address bar (chrome context): the omnibox keyword as a user types it ----------

    def address_bar_type(self, text: str) -> None:
        """Empty the address bar and type ``text`` into it as key presses."""
        from marionette_driver.by import By

        with self.marionette.using_context("chrome"):
            self.marionette.execute_script("gURLBar.focus(); gURLBar.select();")
            field = self.marionette.find_element(By.ID, "urlbar-input")
            field.clear()
            field.send_keys(text)

    def screenshot_window(self, name: str) -> Path:
        """A PNG of the whole browser window (toolbar, address bar and its dropdown included),
        taken from the chrome context; screenshot() shows only the page."""
        self._screenshot_count += 1
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        path = self.artifacts / f"{self._screenshot_count:02d}-{safe}.png"
        with self.marionette.using_context("chrome"):
            path.write_bytes(bytes(self.marionette.screenshot(format="binary", full=False)))
        return path

    def address_bar_press(self, key_name: str) -> None:
        from marionette_driver.by import By

        with self.marionette.using_context("chrome"):
            self.marionette.find_element(By.ID, "urlbar-input").send_keys(self.key(key_name))

    def address_bar_results(self) -> list[dict[str, Any]]:
        """The rows of the address bar's dropdown for the last query: {title, content,
        keyword, selected} (UrlbarResult payloads, Firefox's browser/components/urlbar)."""
        with self.marionette.using_context("chrome"):
            return list(self.marionette.execute_script(
                """
                const context = gURLBar.controller._lastQueryContextWrapper?.queryContext;
                const selected = gURLBar.view.selectedResult;
                return (context?.results ?? []).map((result) => ({
                  title: String(result.payload.title ?? ''),
                  content: String(result.payload.content ?? ''),
                  keyword: String(result.payload.keyword ?? ''),
                  selected: result === selected,
                }));
                """
            ))

    def containers(self) -> list[dict[str, Any]]:
        """Every container Firefox knows (name, userContextId, color, icon), from the chrome
        context."""
        with self.marionette.using_context("chrome"):
            return list(self.marionette.execute_script(
                """
                const {ContextualIdentityService} = ChromeUtils.importESModule(
                  "resource://gre/modules/ContextualIdentityService.sys.mjs");
                return ContextualIdentityService.getPublicIdentities().map(identity => ({
                  userContextId: identity.userContextId,
                  color: identity.color, icon: identity.icon,
                  name: identity.name || ContextualIdentityService.getUserContextLabel(
                    identity.userContextId)}));
                """
            ))


def _kill_processes_mentioning(text: str) -> None:
    """SIGKILL every process of ours whose command line contains ``text`` (a private HOME)."""
    needle = text.encode()
    spared = {os.getpid(), os.getppid()}
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        pid = int(cmdline.parent.name)
        if pid in spared:
            continue
        try:
            if needle in cmdline.read_bytes():
                os.kill(pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            continue


def _crash_helpers_of(browser_pid: int) -> list[int]:
    helpers: list[int] = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if len(argv) > 1 and argv[0].endswith(b"crashhelper") and argv[1] == str(
                browser_pid).encode():
            helpers.append(int(cmdline.parent.name))
    return helpers


BROWSERS: dict[str, type[Browser]] = {"chromium": ChromiumBrowser, "firefox": FirefoxBrowser}


def make_browser(name: str, home: Path, **kwargs: Any) -> Browser:
    try:
        return BROWSERS[name](home, **kwargs)
    except KeyError:
        raise HarnessError(f"unknown browser {name!r}; choose one of {sorted(BROWSERS)}") from None


def temp_home(prefix: str = "roleport-e2e-") -> Path:
    """A private HOME removed at interpreter exit (the demo uses it; tests use tmp_path)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def browsers_available() -> dict[str, bool]:
    return {
        "chromium": Path(CHROMIUM_BINARY).exists() and Path(CHROMEDRIVER).exists(),
        "firefox": Path(FIREFOX_BINARY).exists(),
    }


if __name__ == "__main__":  # pragma: no cover - manual smoke run
    sys.exit("import this module; see tests/e2e and demo/")

