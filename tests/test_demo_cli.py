"""`make demo`'s browser choice: $BROWSER is often set by desktops and editors for their own use
(xdg-open, wslview, VS Code's helper); only a value naming a supported browser selects it."""

from __future__ import annotations

import pytest

from demo.__main__ import browser_from_environment, parse_args


@pytest.mark.parametrize(("value", "expected"), [
    (None, "firefox"), ("", "firefox"), ("chromium", "chromium"), ("Chromium", "chromium"),
    ("/usr/bin/chromium", "chromium"), ("chromium-browser", "chromium"),
    ("firefox-esr", "firefox"), ("/usr/bin/firefox", "firefox"),
])
def test_browser_variable_naming_a_supported_browser(value: str | None, expected: str) -> None:
    assert browser_from_environment(value) == (expected, None)


@pytest.mark.parametrize("value", ["/usr/bin/xdg-open", "wslview",
                                   "/home/u/.vscode-server/bin/abc/helpers/browser.sh"])
def test_foreign_browser_variable_falls_back_to_firefox_with_a_note(value: str) -> None:
    name, note = browser_from_environment(value)
    assert name == "firefox"
    assert note is not None and value in note and "--browser" in note


def test_demo_starts_with_a_foreign_browser_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER", "/usr/bin/xdg-open")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    args = parse_args([])
    assert (args.browser, args.interactive) == ("firefox", False)
    assert parse_args(["--browser", "chromium"]).browser == "chromium"
    with pytest.raises(SystemExit):
        parse_args(["--browser", "netscape"])
