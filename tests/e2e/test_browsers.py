"""The harness itself, against a tiny throw-away extension and a loopback page.

These checks need no product part: they prove that both browsers start sealed off, load an
unpacked extension at a pinned ID, open its pages, see focus, open container tabs and report
each tab's URL, container and text, take screenshots and leave no process behind.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from support import browsers

POPUP = """<!doctype html><meta charset=utf-8><title>probe</title>
<input type=search autofocus placeholder=filter>
<input id=target><button id=open>open</button><div role=alert></div>
<script src=popup.js></script>"""

POPUP_JS = """
const api = globalThis.browser ?? globalThis.chrome;
document.getElementById('open').addEventListener('click', async () => {
  const url = document.getElementById('target').value;
  const props = {url};
  if (api.contextualIdentities) {
    const box = await api.contextualIdentities.create(
        {name: 'probe-A', color: 'blue', icon: 'circle'});
    props.cookieStoreId = box.cookieStoreId;
  }
  await api.tabs.create(props);
  document.querySelector('[role=alert]').textContent = 'opened';
});
"""


def write_probe_extension(folder: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    manifest = {
        "manifest_version": 3, "name": "probe", "version": "1.0",
        "key": base64.b64encode(der).decode(),
        "browser_specific_settings": {"gecko": {"id": "probe@roleport.test"}},
        "permissions": ["tabs", "contextualIdentities", "cookies"],
        "action": {"default_popup": "extension/popup.html"},
    }
    (folder / "extension").mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "extension" / "popup.html").write_text(POPUP)
    (folder / "extension" / "popup.js").write_text(POPUP_JS)
    return folder


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server API
        body = f"<!doctype html><p>loopback page {self.path}</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_chromium_extension_id_follows_the_manifest_key(tmp_path: Path) -> None:
    extension = write_probe_extension(tmp_path / "ext")
    extension_id = browsers.chromium_extension_id(extension)
    assert len(extension_id) == 32 and set(extension_id) <= set("abcdefghijklmnop")
    assert browsers.chromium_extension_id(browsers.REPO_ROOT) == "lcdhbonoaganhbjkpgecgonmncjbaiij"


def test_sealed_env_drops_real_aws_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "prod")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREAL")
    env = browsers.sealed_env(tmp_path, {"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1"})
    assert "AWS_PROFILE" not in env and "AWS_ACCESS_KEY_ID" not in env
    assert env["HOME"] == str(tmp_path)
    assert env["AWS_CONFIG_FILE"].startswith(str(tmp_path))
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"
    assert env["AWS_ENDPOINT_URL_STS"] == "http://127.0.0.1:1"


def test_redact_line_removes_tokens_queries_and_temporary_keys() -> None:
    line = ('[INFO]: RESPONSE GetCurrentUrl "http://127.0.0.1:5/federation?Action=login'
            '&SigninToken=abcDEF123&Destination=x" key ASIAABCDEFGHIJKLMNOP '
            '{"SigninToken": "zzz"} sessionToken=qqq')
    redacted = browsers.redact_line(line)
    for secret in ("abcDEF123", "ASIAABCDEFGHIJKLMNOP", "zzz", "qqq", "Action=login"):
        assert secret not in redacted
    assert "http://127.0.0.1:5/federation" in redacted


def test_wait_for_reports_what_it_waited_for() -> None:
    with pytest.raises(browsers.HarnessError, match="the moon"):
        browsers.wait_for(lambda: False, timeout=0.3, message="the moon")


@pytest.mark.browser
@pytest.mark.parametrize("browser_name", ["chromium", "firefox"])
def test_browser_loads_extension_opens_tabs_and_cleans_up(
    browser_name: str, tmp_path: Path, page_url: str, request: pytest.FixtureRequest
) -> None:
    extension = write_probe_extension(tmp_path / "ext")
    browser = browsers.make_browser(
        browser_name, tmp_path / "home", extension_dir=extension, install_host=False,
        artifacts=browsers.artifacts_dir(request.node.name),
    )
    with browser:
        browser.open_popup()
        assert browser.focused_matches("input[type=search]")
        shot = browser.screenshot("probe-popup")
        assert shot.read_bytes().startswith(b"\x89PNG")
        browser.set_field("#target", f"{page_url}/console")
        browser.click("#open")
        tab = browser.wait_for_tab(lambda t: "loopback page /console" in t.text)
        if browser_name == "firefox":
            assert tab.user_context_id > 0
            names = {c["name"] for c in browser.containers()}  # type: ignore[attr-defined]
            assert "probe-A" in names
        else:
            assert tab.user_context_id == 0
        process = (browser._service.process if browser_name == "chromium"  # type: ignore[attr-defined]
                   else browser._process)  # type: ignore[attr-defined]
        group = process.pid
        helpers = browsers._crash_helpers_of(group)
        if browser_name == "firefox":
            assert helpers, "expected Firefox's crash helper (the check below would be vacuous)"
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)

    def helpers_gone() -> bool:
        for helper in helpers:
            with contextlib.suppress(OSError):
                if b"crashhelper" in Path(f"/proc/{helper}/cmdline").read_bytes():
                    return False
        return True

    browsers.wait_for(helpers_gone, timeout=5, message="Firefox's crash helper to exit")
