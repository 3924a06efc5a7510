"""`make demo` headless: the whole tour passes, names its screenshots and leaks no secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from support import awsconfig as aws
from support import browsers

pytestmark = pytest.mark.browser

SECRET_MARKERS = ("SigninToken", "Action=login", "ASIA", "aws_secret_access_key",
                  aws.CREDENTIALS.split("aws_secret_access_key = ")[1].split()[0])


@pytest.mark.parametrize("browser_name", ["firefox", "chromium"])
def test_demo_runs_headless_and_passes(tmp_path: Path, browser_name: str) -> None:
    screenshots = tmp_path / "shots"
    env = browsers.sealed_env(tmp_path / "home")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["BROWSER"] = browser_name
    process = subprocess.Popen(
        [sys.executable, "-m", "demo", "--headless", "--screenshots", str(screenshots)],
        cwd=browsers.REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, output
    assert "Demo passed" in output, output
    assert str(screenshots) in output
    for marker in SECRET_MARKERS:
        assert marker not in output, f"the demo printed {marker!r}"
    names = sorted(path.name for path in screenshots.glob("*.png"))
    for expected in ("popup", "console-dev-admin", "console-prod-readonly", "console-mfa"):
        assert any(expected in name for name in names), names
    # The popup as users see it, in both browsers, light and dark.
    for browser in ("chromium", "firefox"):
        for scheme in ("light", "dark"):
            assert any(f"popup-{browser}-350px-{scheme}" in name for name in names), names
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in screenshots.glob("*.png"))
    if browser_name == "firefox":
        assert output.count("in container #") >= 2, output


def test_demo_interrupted_stops_everything(tmp_path: Path) -> None:
    """Ctrl-C in the middle of the tour: exit 130, no browser or host left behind."""
    env = browsers.sealed_env(tmp_path / "home")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["BROWSER"] = "chromium"
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "demo", "--headless", "--screenshots",
         str(tmp_path / "shots")],
        cwd=browsers.REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # blocks per line; the demo prints every step
            lines.append(line)
            if "open the popup" in line:
                break
        demo_home = next(line.split("ok: ")[1].split("/.aws/")[0]
                         for line in lines if "/.aws/config" in line)
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
        lines.append(rest)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    output = "".join(lines)
    assert process.returncode == 130, output
    assert "Interrupted" in output, output
    assert not processes_mentioning(demo_home), output


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention ``text`` (the demo's private HOME)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found
