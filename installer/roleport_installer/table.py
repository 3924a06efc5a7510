"""The one data table: browser x OS x scope -> where its native messaging manifests go.

Adding a browser is adding one row. Locations come from Chrome for Developers' and Microsoft
Edge's "Native messaging" pages, MDN's "Native manifests", Firefox's NativeManifests.sys.mjs
and KeePassXC's NativeMessageInstaller.cpp. A scope that none of these documents is simply
absent from ``where``; the installer then says so instead of guessing.

Templates use these fields, filled by :mod:`roleport_installer.platforms`:
``{home}``, ``{config}`` (XDG_CONFIG_HOME), ``{appdata}``, ``{localappdata}`` and ``{root}``
(the file system root, injectable so tests can exercise system scope). Windows entries are
registry keys (``HKCU\\...`` or ``HKLM\\...``) whose ``roleport`` subkey's default value holds the
manifest's path.

Opera is left out: none of these sources documents where it reads host manifests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Family = Literal["chromium", "firefox"]
OperatingSystem = Literal["linux", "darwin", "windows"]
Scope = Literal["user", "system"]

SCOPES: tuple[Scope, ...] = ("user", "system")

HOST_NAME = "roleport"
"""The native messaging host name; Firefox requires the manifest file to be `<name>.json`."""

_MAC_SUPPORT = "{home}/Library/Application Support"
_CHROME_KEY = "Software\\Google\\Chrome\\NativeMessagingHosts"
_MOZILLA_KEY = "Software\\Mozilla\\NativeMessagingHosts"


@dataclass(frozen=True)
class BrowserRow:
    """One browser: its family, where it reads host manifests, and how to tell it is there."""

    name: str
    label: str
    family: Family
    where: dict[tuple[OperatingSystem, Scope], str]
    detect: dict[OperatingSystem, tuple[str, ...]] = field(default_factory=dict)
    binaries: tuple[str, ...] = ()
    flatpak_app_id: str | None = None
    flatpak_manifest_dir: str | None = None
    """Inside ``~/.var/app/<app id>/``: where the sandboxed browser looks for manifests."""


BROWSERS: dict[str, BrowserRow] = {row.name: row for row in (
    BrowserRow(
        name="chrome", label="Google Chrome", family="chromium",
        where={
            ("linux", "user"): "{config}/google-chrome/NativeMessagingHosts",
            ("linux", "system"): "{root}/etc/opt/chrome/native-messaging-hosts",
            ("darwin", "user"): f"{_MAC_SUPPORT}/Google/Chrome/NativeMessagingHosts",
            ("darwin", "system"): "{root}/Library/Google/Chrome/NativeMessagingHosts",
            ("windows", "user"): f"HKCU\\{_CHROME_KEY}",
            ("windows", "system"): f"HKLM\\{_CHROME_KEY}",
        },
        detect={
            "linux": ("{config}/google-chrome",),
            "darwin": (f"{_MAC_SUPPORT}/Google/Chrome", "{root}/Applications/Google Chrome.app"),
            "windows": ("{localappdata}/Google/Chrome/User Data",),
        },
        binaries=("google-chrome", "google-chrome-stable"),
        flatpak_app_id="com.google.Chrome",
        flatpak_manifest_dir="config/google-chrome/NativeMessagingHosts",
    ),
    BrowserRow(
        name="chromium", label="Chromium", family="chromium",
        where={
            ("linux", "user"): "{config}/chromium/NativeMessagingHosts",
            ("linux", "system"): "{root}/etc/chromium/native-messaging-hosts",
            ("darwin", "user"): f"{_MAC_SUPPORT}/Chromium/NativeMessagingHosts",
            ("windows", "user"): "HKCU\\Software\\Chromium\\NativeMessagingHosts",
            ("windows", "system"): "HKLM\\Software\\Chromium\\NativeMessagingHosts",
        },
        detect={
            "linux": ("{config}/chromium",),
            "darwin": (f"{_MAC_SUPPORT}/Chromium", "{root}/Applications/Chromium.app"),
            "windows": ("{localappdata}/Chromium/User Data",),
        },
        binaries=("chromium", "chromium-browser"),
        flatpak_app_id="org.chromium.Chromium",
        flatpak_manifest_dir="config/chromium/NativeMessagingHosts",
    ),
    BrowserRow(
        name="edge", label="Microsoft Edge", family="chromium",
        where={
            ("linux", "user"): "{config}/microsoft-edge/NativeMessagingHosts",
            ("linux", "system"): "{root}/etc/opt/edge/native-messaging-hosts",
            ("darwin", "user"): f"{_MAC_SUPPORT}/Microsoft Edge/NativeMessagingHosts",
            ("windows", "user"): "HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts",
            ("windows", "system"): "HKLM\\Software\\Microsoft\\Edge\\NativeMessagingHosts",
        },
        detect={
            "linux": ("{config}/microsoft-edge",),
            "darwin": (f"{_MAC_SUPPORT}/Microsoft Edge", "{root}/Applications/Microsoft Edge.app"),
            "windows": ("{localappdata}/Microsoft/Edge/User Data",),
        },
        binaries=("microsoft-edge", "microsoft-edge-stable"),
        flatpak_app_id="com.microsoft.Edge",
        flatpak_manifest_dir="config/microsoft-edge/NativeMessagingHosts",
    ),
    BrowserRow(
        name="brave", label="Brave", family="chromium",
        where={
            ("linux", "user"): "{config}/BraveSoftware/Brave-Browser/NativeMessagingHosts",
            ("darwin", "user"): f"{_MAC_SUPPORT}/BraveSoftware/Brave-Browser/NativeMessagingHosts",
            # Brave reads Chrome's registry key on Windows.
            ("windows", "user"): f"HKCU\\{_CHROME_KEY}",
            ("windows", "system"): f"HKLM\\{_CHROME_KEY}",
        },
        detect={
            "linux": ("{config}/BraveSoftware/Brave-Browser",),
            "darwin": (f"{_MAC_SUPPORT}/BraveSoftware/Brave-Browser",
                       "{root}/Applications/Brave Browser.app"),
            "windows": ("{localappdata}/BraveSoftware/Brave-Browser/User Data",),
        },
        binaries=("brave-browser", "brave"),
        flatpak_app_id="com.brave.Browser",
        flatpak_manifest_dir="config/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    ),
    BrowserRow(
        name="vivaldi", label="Vivaldi", family="chromium",
        where={
            ("linux", "user"): "{config}/vivaldi/NativeMessagingHosts",
            ("darwin", "user"): f"{_MAC_SUPPORT}/Vivaldi/NativeMessagingHosts",
            # Vivaldi reads Chrome's registry key on Windows.
            ("windows", "user"): f"HKCU\\{_CHROME_KEY}",
            ("windows", "system"): f"HKLM\\{_CHROME_KEY}",
        },
        detect={
            "linux": ("{config}/vivaldi",),
            "darwin": (f"{_MAC_SUPPORT}/Vivaldi", "{root}/Applications/Vivaldi.app"),
            "windows": ("{localappdata}/Vivaldi/User Data",),
        },
        binaries=("vivaldi", "vivaldi-stable"),
        flatpak_app_id="com.vivaldi.Vivaldi",
        flatpak_manifest_dir="config/vivaldi/NativeMessagingHosts",
    ),
    BrowserRow(
        name="firefox", label="Firefox", family="firefox",
        where={
            ("linux", "user"): "{home}/.mozilla/native-messaging-hosts",
            ("linux", "system"): "{root}/usr/lib/mozilla/native-messaging-hosts",
            ("darwin", "user"): f"{_MAC_SUPPORT}/Mozilla/NativeMessagingHosts",
            ("darwin", "system"): "{root}/Library/Application Support/Mozilla/NativeMessagingHosts",
            ("windows", "user"): f"HKCU\\{_MOZILLA_KEY}",
            ("windows", "system"): f"HKLM\\{_MOZILLA_KEY}",
        },
        detect={
            "linux": ("{home}/.mozilla/firefox",),
            "darwin": (f"{_MAC_SUPPORT}/Firefox", "{root}/Applications/Firefox.app"),
            "windows": ("{appdata}/Mozilla/Firefox",),
        },
        binaries=("firefox", "firefox-esr"),
        flatpak_app_id="org.mozilla.firefox",
        flatpak_manifest_dir=".mozilla/native-messaging-hosts",
    ),
    BrowserRow(
        name="librewolf", label="LibreWolf", family="firefox",
        where={
            # Recent LibreWolf versions ignore ~/.mozilla.
            ("linux", "user"): "{home}/.librewolf/native-messaging-hosts",
            ("darwin", "user"): f"{_MAC_SUPPORT}/LibreWolf/NativeMessagingHosts",
            # LibreWolf reads Mozilla's registry key on Windows.
            ("windows", "user"): f"HKCU\\{_MOZILLA_KEY}",
            ("windows", "system"): f"HKLM\\{_MOZILLA_KEY}",
        },
        detect={
            "linux": ("{home}/.librewolf",),
            "darwin": (f"{_MAC_SUPPORT}/LibreWolf", "{root}/Applications/LibreWolf.app"),
            "windows": ("{appdata}/LibreWolf",),
        },
        binaries=("librewolf",),
        flatpak_app_id="io.gitlab.librewolf-community",
        flatpak_manifest_dir=".librewolf/native-messaging-hosts",
    ),
)}

DATA_FOLDERS: dict[tuple[OperatingSystem, Scope], str] = {
    ("linux", "user"): "{data}/roleport",
    ("linux", "system"): "{root}/usr/local/lib/roleport",
    ("darwin", "user"): f"{_MAC_SUPPORT}/roleport",
    ("darwin", "system"): "{root}/Library/Application Support/roleport",
    ("windows", "user"): "{localappdata}/roleport",
    ("windows", "system"): "{programdata}/roleport",
}
"""roleport's own folder, holding launchers, Windows manifests and the install record."""
