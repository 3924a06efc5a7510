"""Installer: exact files per browser/OS/scope, Windows registry writes, idempotence, repair,
uninstall leaving nothing, and a clear error (message and hint) for each failure.

Everything runs against a temporary HOME and an injected platform; nothing touches the real
~/.aws or the real browser folders. Expected locations are spelled out literally here (from
the browsers' "Native messaging" documentation: Chrome for Developers, Microsoft Edge, MDN),
not derived from the installer's own table.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import stat
import sys
from pathlib import Path

import pytest
from roleport_installer import (
    BROWSERS,
    FakeRegistry,
    InstallerError,
    chrome_id_from_key,
    install,
    load_identity,
    uninstall,
)
from roleport_installer.cli import add_commands
from roleport_installer.identity import bundled_manifest_path
from roleport_installer.launcher import launcher_interpreter, render_launcher

REPO = Path(__file__).resolve().parents[1]
GECKO_ID = "roleport@roleport.dev"
OTHER_ID = "abcdefghijklmnopabcdefghijklmnop"


def pinned_chrome_id() -> str:
    """Computed here independently of the installer: sha256(DER)[:32] hex mapped to a-p."""
    key = json.loads((REPO / "manifest.json").read_text())["key"]
    digest = hashlib.sha256(base64.b64decode(key)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(digit, 16)) for digit in digest)


@pytest.fixture(autouse=True)
def sealed_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real AWS settings or folders leak in, even through os.environ."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "ROLEPORT_", "XDG_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def make_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        "HOME": str(home),
        "PATH": "",
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "ROLEPORT_STATE_DIR": str(home / "state"),
    }
    env.update(extra)
    return env


def tree(root: Path) -> set[str]:
    """Every file and folder below root, as relative paths."""
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


# --- identity -----------------------------------------------------------------------------

def test_bundled_manifest_is_the_repository_manifest() -> None:
    bundled = bundled_manifest_path()
    assert bundled.read_bytes() == (REPO / "manifest.json").read_bytes()


def test_identity_comes_from_manifest_key_and_gecko_id() -> None:
    identity = load_identity()
    assert identity.chrome_id == pinned_chrome_id()
    assert len(identity.chrome_id) == 32 and set(identity.chrome_id) <= set("abcdefghijklmnop")
    assert identity.gecko_id == GECKO_ID
    assert identity.allowed_callers == [f"chrome-extension://{identity.chrome_id}/", GECKO_ID]


def test_chrome_id_from_key_maps_hex_to_a_to_p() -> None:
    der = b"\x30\x82\x01\x22 any DER bytes"
    expected = hashlib.sha256(der).hexdigest()[:32].translate(
        str.maketrans("0123456789abcdef", "abcdefghijklmnop"))
    assert chrome_id_from_key(base64.b64encode(der).decode()) == expected


def test_broken_key_is_a_clear_error() -> None:
    with pytest.raises(InstallerError, match="not valid base64"):
        chrome_id_from_key("not base64 !!!")


def test_manifest_without_key_is_a_clear_error(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"browser_specific_settings": {"gecko": {"id": GECKO_ID}}}))
    with pytest.raises(InstallerError, match="has no \"key\""):
        load_identity(manifest)


# --- exact files on Linux and macOS ----------------------------------------------------------

LINUX_USER = {
    "chrome": "home/.config/google-chrome/NativeMessagingHosts",
    "chromium": "home/.config/chromium/NativeMessagingHosts",
    "edge": "home/.config/microsoft-edge/NativeMessagingHosts",
    "brave": "home/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "vivaldi": "home/.config/vivaldi/NativeMessagingHosts",
    "firefox": "home/.mozilla/native-messaging-hosts",
    "librewolf": "home/.librewolf/native-messaging-hosts",
}
LINUX_SYSTEM = {
    "chrome": "root/etc/opt/chrome/native-messaging-hosts",
    "chromium": "root/etc/chromium/native-messaging-hosts",
    "edge": "root/etc/opt/edge/native-messaging-hosts",
    "firefox": "root/usr/lib/mozilla/native-messaging-hosts",
}
MAC_SUPPORT = "home/Library/Application Support"
DARWIN_USER = {
    "chrome": f"{MAC_SUPPORT}/Google/Chrome/NativeMessagingHosts",
    "chromium": f"{MAC_SUPPORT}/Chromium/NativeMessagingHosts",
    "edge": f"{MAC_SUPPORT}/Microsoft Edge/NativeMessagingHosts",
    "brave": f"{MAC_SUPPORT}/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    "vivaldi": f"{MAC_SUPPORT}/Vivaldi/NativeMessagingHosts",
    "firefox": f"{MAC_SUPPORT}/Mozilla/NativeMessagingHosts",
    "librewolf": f"{MAC_SUPPORT}/LibreWolf/NativeMessagingHosts",
}
DARWIN_SYSTEM = {
    "chrome": "root/Library/Google/Chrome/NativeMessagingHosts",
    "firefox": "root/Library/Application Support/Mozilla/NativeMessagingHosts",
}
DATA = {
    ("linux", "user"): "home/.local/share/roleport",
    ("linux", "system"): "root/usr/local/lib/roleport",
    ("darwin", "user"): f"{MAC_SUPPORT}/roleport",
    ("darwin", "system"): "root/Library/Application Support/roleport",
}
CASES = [(system, scope, browser, folder)
         for (system, scope), table in {("linux", "user"): LINUX_USER,
                                        ("linux", "system"): LINUX_SYSTEM,
                                        ("darwin", "user"): DARWIN_USER,
                                        ("darwin", "system"): DARWIN_SYSTEM}.items()
         for browser, folder in table.items()]


@pytest.mark.parametrize(("system", "scope", "browser", "folder"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_exact_files_per_browser(tmp_path: Path, system: str, scope: str, browser: str,
                                 folder: str) -> None:
    env = make_env(tmp_path)
    results = install([browser], scope, platform=system, env=env, system_root=tmp_path / "root")

    data = DATA[(system, scope)]
    manifest = f"{folder}/roleport.json"
    launcher = f"{data}/{browser}/roleport-host"
    assert files(tmp_path) == {manifest, launcher, f"{data}/installed.json"}
    assert [(r.target, r.action) for r in results] == [(browser, "installed")]

    document = json.loads((tmp_path / manifest).read_text())
    assert document["name"] == "roleport"
    assert document["type"] == "stdio"
    assert document["path"] == str(tmp_path / launcher)
    if BROWSERS[browser].family == "chromium":
        assert document["allowed_origins"] == [f"chrome-extension://{pinned_chrome_id()}/"]
        assert "allowed_extensions" not in document
    else:
        assert document["allowed_extensions"] == [GECKO_ID]
        assert "allowed_origins" not in document
    assert os.access(tmp_path / launcher, os.X_OK)


def test_system_scope_without_known_location_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InstallerError) as caught:
        install(["brave"], "system", platform="linux", env=make_env(tmp_path),
                system_root=tmp_path / "root")
    assert "no known system-scope" in caught.value.message
    assert "--scope user" in caught.value.hint
    assert not (tmp_path / "root").exists()


def test_xdg_folders_are_honoured(tmp_path: Path) -> None:
    env = make_env(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "cfg"),
                   XDG_DATA_HOME=str(tmp_path / "data"))
    install(["chrome"], platform="linux", env=env)
    assert files(tmp_path) == {"cfg/google-chrome/NativeMessagingHosts/roleport.json",
                               "data/roleport/chrome/roleport-host",
                               "data/roleport/installed.json"}


def test_relative_xdg_folders_are_ignored(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """XDG base directory spec: a relative XDG_* path is invalid and must be ignored."""
    monkeypatch.chdir(tmp_path)  # a regression writes into tmp_path, not the checkout
    env = make_env(tmp_path, XDG_CONFIG_HOME="cfg", XDG_DATA_HOME="data")
    result = install(["chrome"], platform="linux", env=env)[0]
    assert result.manifest == str(
        tmp_path / "home/.config/google-chrome/NativeMessagingHosts/roleport.json")
    assert result.launcher == str(tmp_path / "home/.local/share/roleport/chrome/roleport-host")
    assert not (tmp_path / "cfg").exists() and not (tmp_path / "data").exists()


def test_user_data_dir_keeps_chromium_inside_it(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    profile = tmp_path / "profile"
    results = install(["firefox", "chromium"], user_data_dir=profile, platform="linux", env=env)
    assert [r.target for r in results] == ["firefox", "chromium"]
    assert files(tmp_path) == {
        "profile/NativeMessagingHosts/roleport.json",
        "profile/roleport/chromium/roleport-host",
        "profile/roleport/firefox/roleport-host",
        "profile/roleport/installed.json",
        "home/.mozilla/native-messaging-hosts/roleport.json",
    }
    firefox = json.loads((tmp_path / "home/.mozilla/native-messaging-hosts/roleport.json")
                         .read_text())
    assert firefox["path"] == str(profile / "roleport/firefox/roleport-host")


def test_relative_user_data_dir_gives_absolute_manifest_paths(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Browsers need an absolute launcher path; `--user-data-dir prof` is relative to the shell's
    folder, not to wherever the browser starts the host."""
    env = make_env(tmp_path)
    monkeypatch.chdir(tmp_path)
    results = install(["chromium", "firefox"], user_data_dir="prof", platform="linux", env=env)
    profile = tmp_path / "prof"
    assert [r.manifest for r in results] == [
        str(profile / "NativeMessagingHosts/roleport.json"),
        str(tmp_path / "home/.mozilla/native-messaging-hosts/roleport.json")]
    for result in results:
        path = json.loads(Path(str(result.manifest)).read_text())["path"]
        assert path == result.launcher and os.path.isabs(path), path
        assert path.startswith(str(profile / "roleport")), path
    uninstall(user_data_dir="prof", platform="linux", env=env)
    assert not profile.exists()


def test_user_data_dir_with_tilde_is_in_home(tmp_path: Path) -> None:
    """`--user-data-dir=~/p` reaches us unexpanded (no shell word starts with ~)."""
    result = install(["chromium"], user_data_dir="~/p", platform="linux", env=make_env(tmp_path))
    assert result[0].manifest == str(tmp_path / "home/p/NativeMessagingHosts/roleport.json")


def test_user_data_dir_takes_one_chromium_browser(tmp_path: Path) -> None:
    with pytest.raises(InstallerError, match="one Chromium-family browser"):
        install(["chrome", "chromium"], user_data_dir=tmp_path / "p", platform="linux",
                env=make_env(tmp_path))


# --- launcher -------------------------------------------------------------------------------

def test_posix_launcher_runs_this_interpreter_with_allowed_callers(tmp_path: Path) -> None:
    install(["chrome"], extension_ids=[OTHER_ID], platform="linux", env=make_env(tmp_path))
    launcher = tmp_path / "home/.local/share/roleport/chrome/roleport-host"
    text = launcher.read_text()
    assert text.startswith("#!/bin/sh\n")
    assert launcher_interpreter(text) == sys.executable
    callers = f"chrome-extension://{pinned_chrome_id()}/,chrome-extension://{OTHER_ID}/,{GECKO_ID}"
    assert f"ROLEPORT_ALLOWED_CALLERS={callers}\n" in text
    assert "from roleport.native import main" in text
    assert stat.S_IMODE(launcher.stat().st_mode) == 0o755
    manifest = json.loads((tmp_path / "home/.config/google-chrome/NativeMessagingHosts/"
                           "roleport.json").read_text())
    assert manifest["allowed_origins"] == [f"chrome-extension://{pinned_chrome_id()}/",
                                           f"chrome-extension://{OTHER_ID}/"]


def test_launcher_ignores_a_roleport_package_in_its_working_directory(tmp_path: Path) -> None:
    """Browsers start hosts in folders other programs can write to: nothing there is imported."""
    import subprocess

    from roleport.framing import encode_message, read_message

    install(["chrome"], platform="linux", env=make_env(tmp_path))
    launcher = tmp_path / "home/.local/share/roleport/chrome/roleport-host"
    planted = tmp_path / "cwd/roleport"
    planted.mkdir(parents=True)
    (planted / "__init__.py").write_text("raise SystemExit('planted package imported')\n")
    (planted / "native.py").write_text("raise SystemExit('planted package imported')\n")
    caller = f"chrome-extension://{pinned_chrome_id()}/"
    done = subprocess.run([str(launcher), caller], cwd=planted.parent, timeout=60,
                          input=encode_message({"id": 1, "action": "hello"}),
                          capture_output=True, env={**os.environ, "HOME": str(tmp_path / "home")})
    assert b"planted" not in done.stderr
    import io
    reply = read_message(io.BytesIO(done.stdout))
    assert reply["id"] == 1 and reply["ok"] is True


@pytest.mark.parametrize("variable", ["PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE"])
def test_launcher_ignores_the_browsers_python_variables(tmp_path: Path, variable: str) -> None:
    """The browser's environment reaches the host (the user's shell profile, a developer's
    PYTHONPATH); no PYTHON* variable decides which `roleport` the host imports, nor breaks it."""
    import io
    import subprocess
    import sysconfig

    from roleport.framing import encode_message, read_message

    install(["chrome"], platform="linux", env=make_env(tmp_path))
    launcher = tmp_path / "home/.local/share/roleport/chrome/roleport-host"
    marker = tmp_path / "planted-imported"
    planted_source = f"open({str(marker)!r}, 'w').close()\n"
    planted = tmp_path / "planted"
    user_base = tmp_path / "userbase"
    user_site = Path(sysconfig.get_path("purelib", f"{os.name}_user",
                                        vars={"userbase": str(user_base)}))
    for folder in (planted, user_site):
        (folder / "roleport").mkdir(parents=True)
        (folder / "roleport/__init__.py").write_text(planted_source)
        (folder / "roleport/native.py").write_text(planted_source)
    value = {"PYTHONPATH": str(planted), "PYTHONHOME": str(planted),
             "PYTHONUSERBASE": str(user_base)}[variable]
    caller = f"chrome-extension://{pinned_chrome_id()}/"
    done = subprocess.run([str(launcher), caller], cwd=tmp_path, timeout=60,
                          input=encode_message({"id": 1, "action": "hello"}), capture_output=True,
                          env={**os.environ, "HOME": str(tmp_path / "home"), variable: value})
    assert not marker.exists(), f"{variable} made the host import a planted roleport"
    assert done.returncode == 0, done.stderr
    reply = read_message(io.BytesIO(done.stdout))
    assert reply["id"] == 1 and reply["ok"] is True


def test_invalid_extension_id_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InstallerError, match="not a Chrome extension id"):
        install(["chrome"], extension_ids=["xyz"], platform="linux", env=make_env(tmp_path))
    assert not (tmp_path / "home/.config").exists()


def test_windows_launcher_is_a_cmd_shim() -> None:
    text = render_launcher("windows", ["chrome-extension://a/", GECKO_ID],
                           r"C:\venv\Scripts\python.exe")
    assert text.startswith("@echo off\r\n")
    assert 'set "ROLEPORT_ALLOWED_CALLERS=chrome-extension://a/,roleport@roleport.dev"\r\n' in text
    assert text.rstrip().endswith("%*")
    assert '"C:\\venv\\Scripts\\python.exe" -I -c ' in text  # isolated from PYTHON* variables
    assert launcher_interpreter(text) == r"C:\venv\Scripts\python.exe"


def test_flatpak_browser_gets_a_flatpak_spawn_launcher(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    app = tmp_path / "home/.var/app/org.chromium.Chromium"
    app.mkdir(parents=True)
    results = install(platform="linux", env=env)
    assert [r.target for r in results] == ["chromium (flatpak)"]
    assert (app / "config/chromium/NativeMessagingHosts/roleport.json").is_file()
    launcher = app / "data/roleport/roleport-host"
    text = launcher.read_text()
    assert "exec flatpak-spawn --host --env=ROLEPORT_ALLOWED_CALLERS=" in text
    assert launcher_interpreter(text) == sys.executable
    uninstall(platform="linux", env=env)
    assert tree(app) == set()


# --- detection and errors -------------------------------------------------------------------

def test_detects_browsers_by_config_folder_and_binary(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    (tmp_path / "home/.config/google-chrome").mkdir(parents=True)
    (tmp_path / "home/.mozilla/firefox").mkdir(parents=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "vivaldi-stable").write_text("#!/bin/sh\n")
    (bin_dir / "vivaldi-stable").chmod(0o755)
    env["PATH"] = str(bin_dir)
    results = install(platform="linux", env=env)
    assert sorted(r.target for r in results) == ["chrome", "firefox", "vivaldi"]


def test_no_browser_detected_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InstallerError) as caught:
        install(platform="linux", env=make_env(tmp_path))
    assert "No supported browser was found" in caught.value.message
    assert "--browser" in caught.value.hint and "firefox" in caught.value.hint
    assert caught.value.exit_code == 69


def test_unknown_browser_lists_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(InstallerError) as caught:
        install(["firefox", "netscape"], platform="linux", env=make_env(tmp_path))
    assert caught.value.message == "Unknown browser 'netscape'."
    assert caught.value.hint == ("Supported browsers: chrome, chromium, edge, brave, vivaldi, "
                                 "firefox, librewolf.")
    assert caught.value.exit_code == 64
    assert not (tmp_path / "home/.mozilla").exists()


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    (tmp_path / "home/.mozilla").write_text("a file where a folder should be")
    with pytest.raises(InstallerError) as caught:
        install(["firefox"], platform="linux", env=env)
    assert caught.value.message.startswith(
        f"Cannot write {tmp_path}/home/.mozilla/native-messaging-hosts/roleport.json")
    assert "folder you own and can write" in caught.value.hint
    assert caught.value.exit_code == 73


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root ignores folder permissions")
def test_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    hosts = tmp_path / "home/.mozilla/native-messaging-hosts"
    hosts.mkdir(parents=True)
    hosts.chmod(0o500)
    try:
        with pytest.raises(InstallerError, match="Permission denied"):
            install(["firefox"], platform="linux", env=env)
    finally:
        hosts.chmod(0o700)


def test_system_scope_error_suggests_user_scope(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "etc").write_text("not a folder")
    with pytest.raises(InstallerError) as caught:
        install(["chrome"], "system", platform="linux", env=make_env(tmp_path),
                system_root=root)
    assert "--scope user" in caught.value.hint


# --- idempotence, repair, dry run -----------------------------------------------------------

def test_second_install_changes_nothing(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    install(["chrome", "firefox"], platform="linux", env=env)
    before = {path: (tmp_path / path).stat().st_mtime_ns for path in files(tmp_path)}
    inodes = {path: (tmp_path / path).stat().st_ino for path in files(tmp_path)}
    results = install(["chrome", "firefox"], platform="linux", env=env)
    assert [r.action for r in results] == ["unchanged", "unchanged"]
    assert {path: (tmp_path / path).stat().st_mtime_ns for path in files(tmp_path)} == before
    assert {path: (tmp_path / path).stat().st_ino for path in files(tmp_path)} == inodes


def test_install_after_moving_the_environment_repairs_the_launcher(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    install(["firefox"], platform="linux", env=env, interpreter="/old/venv/bin/python")
    launcher = tmp_path / "home/.local/share/roleport/firefox/roleport-host"
    assert launcher_interpreter(launcher.read_text()) == "/old/venv/bin/python"
    results = install(["firefox"], platform="linux", env=env)
    assert results[0].action == "installed"
    assert launcher_interpreter(launcher.read_text()) == sys.executable


def test_lost_executable_bit_is_repaired(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    install(["firefox"], platform="linux", env=env)
    launcher = tmp_path / "home/.local/share/roleport/firefox/roleport-host"
    launcher.chmod(0o644)
    assert install(["firefox"], platform="linux", env=env)[0].action == "installed"
    assert os.access(launcher, os.X_OK)


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    results = install(["chrome", "firefox"], platform="linux", env=env, dry_run=True)
    assert [r.action for r in results] == ["would install", "would install"]
    assert tree(tmp_path) == {"home"}


# --- uninstall ------------------------------------------------------------------------------

def test_uninstall_leaves_exactly_what_was_there(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    # Someone else's host in a shared folder, and a browser config folder: both must stay.
    other = tmp_path / "home/.config/google-chrome/NativeMessagingHosts/other.json"
    other.parent.mkdir(parents=True)
    other.write_text("{}")
    before = tree(tmp_path)
    install(["chrome", "firefox", "edge"], platform="linux", env=env)
    assert tree(tmp_path) != before
    results = uninstall(platform="linux", env=env)
    assert sorted((r.target, r.action) for r in results) == [
        ("chrome", "removed"), ("edge", "removed"), ("firefox", "removed")]
    assert tree(tmp_path) == before
    assert other.read_text() == "{}"


def test_uninstall_one_browser_keeps_the_others(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    install(["chrome", "firefox"], platform="linux", env=env)
    uninstall(["chrome"], platform="linux", env=env)
    assert files(tmp_path) == {"home/.mozilla/native-messaging-hosts/roleport.json",
                               "home/.local/share/roleport/firefox/roleport-host",
                               "home/.local/share/roleport/installed.json"}
    assert [r.action for r in uninstall(["chrome"], platform="linux", env=env)] == [
        "not installed"]
    uninstall(["firefox"], platform="linux", env=env)
    assert tree(tmp_path) == {"home"}


def test_uninstall_keeps_a_manifest_replaced_by_someone_else(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    install(["firefox"], platform="linux", env=env)
    # The record says what we wrote; a file we did not write under another name stays.
    foreign = tmp_path / "home/.mozilla/native-messaging-hosts/keepassxc.json"
    foreign.write_text("{}")
    uninstall(platform="linux", env=env)
    assert files(tmp_path) == {"home/.mozilla/native-messaging-hosts/keepassxc.json"}


def test_reinstall_after_a_location_moved_leaves_nothing_behind(tmp_path: Path) -> None:
    """XDG_CONFIG_HOME changed between two installs: the second one removes what the first
    wrote in the old place, so uninstall still leaves nothing."""
    env = make_env(tmp_path)
    before = tree(tmp_path)
    install(["chrome"], platform="linux", env=env)
    moved = make_env(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "home/elsewhere"))
    assert install(["chrome"], platform="linux", env=moved)[0].action == "installed"
    assert "home/elsewhere/google-chrome/NativeMessagingHosts/roleport.json" in files(tmp_path)
    assert not (tmp_path / "home/.config").exists()
    uninstall(platform="linux", env=moved)
    assert tree(tmp_path) == before


def test_system_scope_round_trip(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    root = tmp_path / "root"
    root.mkdir()
    install(["chrome", "firefox"], "system", platform="darwin", env=env, system_root=root)
    assert len(files(root)) == 5
    uninstall(scope="system", platform="darwin", env=env, system_root=root)
    assert tree(root) == set()


# --- Windows through the registry interface -------------------------------------------------

def windows_env(tmp_path: Path) -> dict[str, str]:
    env = make_env(tmp_path, LOCALAPPDATA=str(tmp_path / "local"),
                   APPDATA=str(tmp_path / "roaming"), PROGRAMDATA=str(tmp_path / "programdata"))
    env["USERPROFILE"] = env.pop("HOME")
    return env


def test_windows_user_scope_registry_writes(tmp_path: Path) -> None:
    registry = FakeRegistry()
    install(["chrome", "firefox", "edge"], platform="windows", env=windows_env(tmp_path),
            registry=registry)
    local = tmp_path / "local/roleport"
    assert registry.operations == [
        ("set", r"HKCU\Software\Google\Chrome\NativeMessagingHosts\roleport",
         str(local / "chrome/roleport.json")),
        ("set", r"HKCU\Software\Mozilla\NativeMessagingHosts\roleport",
         str(local / "firefox/roleport.json")),
        ("set", r"HKCU\Software\Microsoft\Edge\NativeMessagingHosts\roleport",
         str(local / "edge/roleport.json")),
    ]
    assert files(tmp_path) == {f"local/roleport/{name}" for name in (
        "chrome/roleport.json", "chrome/roleport-host.cmd", "firefox/roleport.json",
        "firefox/roleport-host.cmd", "edge/roleport.json", "edge/roleport-host.cmd",
        "installed.json")}
    chrome = json.loads((local / "chrome/roleport.json").read_text())
    assert chrome["path"] == str(local / "chrome/roleport-host.cmd")
    launcher = (local / "chrome/roleport-host.cmd").read_bytes()
    assert launcher.startswith(b"@echo off\r\n") and b"\r\n\"" in launcher

    operations = len(registry.operations)
    assert {r.action for r in install(["chrome", "firefox", "edge"], platform="windows",
                                      env=windows_env(tmp_path), registry=registry)} == {
        "unchanged"}
    assert len(registry.operations) == operations

    uninstall(platform="windows", env=windows_env(tmp_path), registry=registry)
    assert registry.values == {}
    assert tree(tmp_path) == {"home"}


def test_windows_system_scope_uses_hklm_and_programdata(tmp_path: Path) -> None:
    registry = FakeRegistry()
    install(["firefox"], "system", platform="windows", env=windows_env(tmp_path),
            registry=registry)
    assert registry.values == {
        r"HKLM\Software\Mozilla\NativeMessagingHosts\roleport":
            str(tmp_path / "programdata/roleport/firefox/roleport.json")}


def test_windows_browsers_sharing_chromes_key_share_one_registration(tmp_path: Path) -> None:
    registry = FakeRegistry()
    env = windows_env(tmp_path)
    install(["chrome", "brave"], platform="windows", env=env, registry=registry)
    key = r"HKCU\Software\Google\Chrome\NativeMessagingHosts\roleport"
    manifest = str(tmp_path / "local/roleport/chrome/roleport.json")
    assert registry.values == {key: manifest}
    uninstall(["brave"], platform="windows", env=env, registry=registry)
    assert registry.values == {key: manifest}
    assert Path(manifest).is_file()
    uninstall(["chrome"], platform="windows", env=env, registry=registry)
    assert registry.values == {}
    assert tree(tmp_path) == {"home"}


def test_windows_uninstall_leaves_a_foreign_registry_value(tmp_path: Path) -> None:
    registry = FakeRegistry()
    env = windows_env(tmp_path)
    install(["firefox"], platform="windows", env=env, registry=registry)
    key = r"HKCU\Software\Mozilla\NativeMessagingHosts\roleport"
    registry.set_default(key, r"C:\someone\else.json")
    uninstall(platform="windows", env=env, registry=registry)
    assert registry.values == {key: r"C:\someone\else.json"}


def test_windows_without_registry_off_windows_is_a_clear_error(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("the real registry is available")
    with pytest.raises(InstallerError, match="Windows registry"):
        install(["chrome"], platform="windows", env=windows_env(tmp_path))


# --- CLI ------------------------------------------------------------------------------------

def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="roleport")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_cli_install_prints_one_line_per_browser(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "home").mkdir()
    profile = tmp_path / "profile"
    args = parse(["install", "--browser", "firefox", "--browser", "chromium",
                  "--user-data-dir", str(profile), "--extension-id", OTHER_ID])
    assert args.func(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("firefox: installed ")
    assert lines[1].startswith(f"chromium: installed {profile}/NativeMessagingHosts/roleport.json")
    manifest = json.loads((profile / "NativeMessagingHosts/roleport.json").read_text())
    assert f"chrome-extension://{OTHER_ID}/" in manifest["allowed_origins"]

    args = parse(["uninstall", "--user-data-dir", str(profile)])
    assert args.func(args) == 0
    assert sorted(capsys.readouterr().out.splitlines()) == sorted([
        f"chromium: removed {profile}/NativeMessagingHosts/roleport.json "
        f"(launcher {profile}/roleport/chromium/roleport-host)",
        f"firefox: removed {tmp_path}/home/.mozilla/native-messaging-hosts/roleport.json "
        f"(launcher {profile}/roleport/firefox/roleport-host)"])
    assert tree(tmp_path) == {"home"}  # install created the profile folder, so it goes too


@pytest.mark.parametrize(("argv", "module"), [
    (["install", "--browser", "firefox"], "registration"),
    (["uninstall", "--browser", "firefox"], "registration"),
    (["doctor", "--browser", "firefox"], "checks"),
])
def test_cli_with_a_module_that_cannot_be_imported_says_the_installation_is_broken(
        argv: list[str], module: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(argv)
    # None in sys.modules: importing the module fails as a missing file would.
    monkeypatch.setitem(sys.modules, f"roleport_installer.{module}", None)
    assert args.func(args) == 70
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"roleport: roleport's installer is broken: importing roleport_installer.{module} "
        "failed (ModuleNotFoundError: ")
    assert "Reinstall roleport (`pipx reinstall roleport`" in captured.err


def test_cli_unknown_browser_exits_64_with_hint(capsys: pytest.CaptureFixture[str]) -> None:
    args = parse(["install", "--browser", "netscape"])
    assert args.func(args) == 64
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Unknown browser 'netscape'" in captured.err
    assert "chrome, chromium, edge, brave, vivaldi, firefox, librewolf" in captured.err


def test_cli_scope_is_validated() -> None:
    with pytest.raises(SystemExit):
        parse(["install", "--scope", "galaxy"])


def test_uninstall_keeps_a_manifest_another_install_rewrote(tmp_path: Path) -> None:
    """Firefox's manifest is shared by an install with and one without --user-data-dir."""
    env = make_env(tmp_path)
    profile = tmp_path / "profile"
    install(["firefox"], user_data_dir=profile, platform="linux", env=env)
    install(["firefox"], platform="linux", env=env)
    uninstall(user_data_dir=profile, platform="linux", env=env)
    manifest = tmp_path / "home/.mozilla/native-messaging-hosts/roleport.json"
    assert json.loads(manifest.read_text())["path"] == str(
        tmp_path / "home/.local/share/roleport/firefox/roleport-host")
    assert not profile.exists()
    uninstall(platform="linux", env=env)
    # Only the empty folders the first install created remain: that record is gone.
    assert files(tmp_path) == set()


def test_uninstall_says_it_kept_a_manifest_another_install_rewrote(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = make_env(tmp_path)
    profile = tmp_path / "profile"
    install(["firefox"], user_data_dir=profile, platform="linux", env=env)
    install(["firefox"], platform="linux", env=env)
    manifest = tmp_path / "home/.mozilla/native-messaging-hosts/roleport.json"
    launcher = profile / "roleport/firefox/roleport-host"

    args = parse(["uninstall", "--user-data-dir", str(profile), "--dry-run"])
    assert args.func(args) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"firefox: would keep {manifest}: it no longer points at this install's launcher "
        f"(would remove {launcher})"]

    args = parse(["uninstall", "--user-data-dir", str(profile)])
    assert args.func(args) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"firefox: kept {manifest}: it no longer points at this install's launcher "
        f"(removed {launcher})"]
    assert manifest.is_file() and not launcher.exists()


def test_uninstall_says_it_kept_a_registration_another_browser_still_uses(
        tmp_path: Path) -> None:
    registry = FakeRegistry()
    env = windows_env(tmp_path)
    install(["chrome", "brave"], platform="windows", env=env, registry=registry)
    key = r"HKCU\Software\Google\Chrome\NativeMessagingHosts\roleport"
    folder = tmp_path / "local/roleport/chrome"
    [brave] = uninstall(["brave"], platform="windows", env=env, registry=registry)
    assert brave.line() == (
        f"brave: kept {key} -> {folder / 'roleport.json'}: chrome stays installed and uses "
        f"the same registration (launcher {folder / 'roleport-host.cmd'})")
    assert (folder / "roleport.json").is_file() and (folder / "roleport-host.cmd").is_file()
    [chrome] = uninstall(["chrome"], platform="windows", env=env, registry=registry)
    assert chrome.action == "removed"


def test_windows_interpreter_path_cmd_cannot_quote_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InstallerError, match="cannot quote"):
        install(["chrome"], platform="windows", env=windows_env(tmp_path),
                registry=FakeRegistry(), interpreter=r"C:\100%\python.exe")


def test_failure_midway_keeps_what_was_written_uninstallable(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    (tmp_path / "home/.mozilla").write_text("a file where a folder should be")
    with pytest.raises(InstallerError):
        install(["chrome", "firefox"], platform="linux", env=env)
    assert (tmp_path / "home/.config/google-chrome/NativeMessagingHosts/roleport.json").is_file()
    uninstall(platform="linux", env=env)
    assert tree(tmp_path) == {"home", "home/.mozilla"}


# --- fresh machine: scripts/ensure-system-deps.sh (run by `make test` / `make demo`) ---------

def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.mark.skipif(not Path("/usr/bin/chromedriver").exists() or not Path("/bin/bash").exists(),
                    reason="the script checks /usr/bin/chromedriver by absolute path")
@pytest.mark.parametrize(("python_body", "have_node", "expected"), [
    ("exit 1", True, ["python3-venv"]),  # Debian's python3 without ensurepip
    ("exit 0", False, ["nodejs", "npm"]),
    ("exit 0", True, None),
])
def test_system_deps_script_installs_what_a_fresh_debian_lacks(
        tmp_path: Path, python_body: str, have_node: bool, expected: list[str] | None) -> None:
    import subprocess

    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "bash").symlink_to("/bin/bash")
    calls = tmp_path / "apt-calls"
    for name in ("chromium", "firefox-esr", *(("node", "npm") if have_node else ())):
        _stub(stubs, name, "exit 0")
    _stub(stubs, "python3", python_body)
    _stub(stubs, "id", "echo 0")
    _stub(stubs, "apt-get", f'echo "$*" >> {calls}')
    completed = subprocess.run(
        [str(REPO / "scripts/ensure-system-deps.sh")], env={"PATH": str(stubs)},
        capture_output=True, text=True, timeout=30, check=False)
    assert completed.returncode == 0, completed.stderr
    if expected is None:
        assert not calls.exists()
        return
    update, install_line = calls.read_text().splitlines()
    assert update == "update -qq"
    assert install_line.split()[-len(expected):] == expected


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
@pytest.mark.parametrize("have_make", [True, False])
def test_ci_entry_installs_make_on_a_minimal_image(tmp_path: Path, have_make: bool) -> None:
    """.ci/run on a fresh minimal Debian (root, no make): apt-get make, then `make test`."""
    import shutil
    import subprocess

    stubs = tmp_path / "bin"
    stubs.mkdir()
    for tool in ("bash", "dirname"):
        (stubs / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    calls = tmp_path / "calls"
    packaged_make = tmp_path / "make"
    _stub(tmp_path, "make", f'echo "make $*" >> {calls}')
    if have_make:
        shutil.copy2(packaged_make, stubs / "make")
    _stub(stubs, "id", "echo 0")
    # apt-get records its arguments; installing make makes a make appear on PATH.
    _stub(stubs, "apt-get", f'echo "apt-get $*" >> {calls}\n'
                            f"case \"$*\" in *install*make*) /bin/cp -p {packaged_make} {stubs}/;;"
                            " esac")
    completed = subprocess.run([str(REPO / ".ci/run")], env={"PATH": str(stubs)},
                               capture_output=True, text=True, timeout=30, check=False)
    assert completed.returncode == 0, completed.stderr
    expected = [] if have_make else ["apt-get update -qq", "apt-get install -y -qq make"]
    assert calls.read_text().splitlines() == [*expected, "make test"]


# -- the package's exports, imported on first use -------------------------------------------

def test_every_export_is_the_object_its_module_defines() -> None:
    import importlib

    import roleport_installer

    for name in roleport_installer.__all__:
        module = importlib.import_module(
            f"roleport_installer.{roleport_installer._EXPORTS[name]}")
        assert getattr(roleport_installer, name) is getattr(module, name), name
    assert set(roleport_installer.__all__) <= set(dir(roleport_installer))


def test_doctor_stays_the_function_once_its_module_is_imported() -> None:
    # A submodule named like a function would replace it on the package when imported.
    import roleport_installer
    import roleport_installer.checks

    assert roleport_installer.doctor is roleport_installer.checks.doctor
    assert callable(roleport_installer.doctor)


def test_an_unknown_name_is_an_attribute_error() -> None:
    import roleport_installer

    with pytest.raises(AttributeError, match="no_such_name"):
        _ = roleport_installer.no_such_name  # type: ignore[attr-defined]


def test_importing_the_package_imports_none_of_its_work() -> None:
    import subprocess

    code = ("import sys, roleport_installer; "
            "print(sorted(m for m in sys.modules if m.startswith('roleport_installer')))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert output.stdout.strip() == "['roleport_installer']"


def test_an_export_whose_module_cannot_be_imported_raises_that_import_error() -> None:
    import subprocess

    code = ("import sys; sys.modules['roleport_installer.registration'] = None; "
            "from roleport_installer import install")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode != 0
    last_line = completed.stderr.strip().splitlines()[-1]
    assert last_line.startswith(("ImportError", "ModuleNotFoundError"))
    assert "roleport_installer.registration" in last_line
