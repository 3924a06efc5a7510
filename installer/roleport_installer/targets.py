"""From the data table to concrete targets: which manifest file, launcher and registry key.

A target is one place a browser reads the `roleport` host manifest from. Both install and doctor
plan targets the same way, so doctor checks exactly what install writes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import EX_UNAVAILABLE, EX_USAGE, InstallerError
from .launcher import launcher_file_name
from .platforms import Places
from .table import BROWSERS, DATA_FOLDERS, HOST_NAME, SCOPES, BrowserRow, Scope

MANIFEST_FILE_NAME = f"{HOST_NAME}.json"


@dataclass(frozen=True)
class Target:
    """One manifest location of one browser, with the launcher its manifest points at."""

    browser: BrowserRow
    key: str
    """Unique within an install record: the browser name, plus ``-flatpak`` for the sandbox."""
    manifest_path: Path
    launcher_path: Path
    registry_key: str | None = None
    flatpak: bool = False

    @property
    def label(self) -> str:
        return f"{self.browser.name} (flatpak)" if self.flatpak else self.browser.name


def valid_browser_names() -> str:
    return ", ".join(BROWSERS)


def check_scope(scope: str) -> Scope:
    if scope not in SCOPES:
        raise InstallerError(f"Unknown scope {scope!r}.",
                             f"Use one of: {', '.join(SCOPES)}.", EX_USAGE)
    return scope


def resolve_browsers(names: Iterable[str]) -> list[BrowserRow]:
    """The rows for the named browsers, in the order given; unknown names list the valid ones."""
    rows: list[BrowserRow] = []
    for raw in names:
        name = raw.strip().lower()
        row = BROWSERS.get(name)
        if row is None:
            raise InstallerError(
                f"Unknown browser {raw!r}.",
                f"Supported browsers: {valid_browser_names()}.", EX_USAGE)
        if row not in rows:
            rows.append(row)
    return rows


def absolute_user_data_dir(places: Places, user_data_dir: str | os.PathLike[str] | None
                           ) -> Path | None:
    """--user-data-dir as an absolute path: manifests must name their launcher by absolute
    path on Linux and macOS (Chrome for Developers, "Native messaging": the manifest's
    ``path``), and the browser resolves
    nothing relative to the folder roleport happened to run in."""
    if user_data_dir is None:
        return None
    text = os.fspath(user_data_dir)
    if text == "~" or text.startswith(("~/", "~\\")):
        text = str(places.home) + text[1:]
    return Path(os.path.abspath(text))


def data_folder(places: Places, scope: Scope, user_data_dir: str | os.PathLike[str] | None
                ) -> Path:
    """roleport's folder for launchers and the install record.

    With --user-data-dir everything goes inside that folder so a test (or a throwaway browser
    profile) stays self-contained and is cleaned up with it.
    """
    profile = absolute_user_data_dir(places, user_data_dir)
    if profile is not None:
        return profile / "roleport"
    return places.expand(DATA_FOLDERS[(places.system, scope)])


def is_detected(row: BrowserRow, places: Places) -> bool:
    """A browser counts as present when its config folder or one of its binaries exists."""
    for template in row.detect.get(places.system, ()):
        if places.expand(template).exists():
            return True
    if places.system == "windows":
        return False
    search_path = places.env.get("PATH")
    return bool(search_path) and any(
        shutil.which(binary, path=search_path) for binary in row.binaries)


def flatpak_present(row: BrowserRow, places: Places, scope: Scope) -> bool:
    return (places.system == "linux" and scope == "user" and row.flatpak_app_id is not None
            and places.flatpak_app_folder(row.flatpak_app_id).is_dir())


def _storage_name(row: BrowserRow, location: str, places: Places, scope: Scope) -> str:
    """Browsers sharing one location (Brave and Vivaldi read Chrome's registry key on Windows)
    share one manifest and launcher, named after the first row using that location."""
    for candidate in BROWSERS.values():
        if candidate.where.get((places.system, scope)) == location:
            return candidate.name
    return row.name


def plan_target(row: BrowserRow, places: Places, scope: Scope, folder: Path,
                user_data_dir: str | os.PathLike[str] | None) -> Target:
    launcher_name = launcher_file_name(places.system)
    if user_data_dir is not None and row.family == "chromium":
        # A Chromium started with --user-data-dir looks only in <dir>/NativeMessagingHosts.
        return Target(row, row.name,
                      Path(user_data_dir) / "NativeMessagingHosts" / MANIFEST_FILE_NAME,
                      folder / row.name / launcher_name)
    location = row.where.get((places.system, scope))
    if location is None:
        raise InstallerError(
            f"{row.label} has no known {scope}-scope native messaging location on "
            f"{places.system}.",
            "Use --scope user" + (" or --user-data-dir DIR" if row.family == "chromium" else "")
            + ", or pick another browser.", EX_UNAVAILABLE)
    storage = folder / _storage_name(row, location, places, scope)
    if places.system == "windows":
        return Target(row, row.name, storage / MANIFEST_FILE_NAME, storage / launcher_name,
                      registry_key=f"{location}\\{HOST_NAME}")
    return Target(row, row.name, places.expand(location) / MANIFEST_FILE_NAME,
                  storage / launcher_name)


def plan_flatpak_target(row: BrowserRow, places: Places) -> Target:
    assert row.flatpak_app_id and row.flatpak_manifest_dir
    app = places.flatpak_app_folder(row.flatpak_app_id)
    return Target(row, f"{row.name}-flatpak", app / row.flatpak_manifest_dir / MANIFEST_FILE_NAME,
                  app / "data" / "roleport" / launcher_file_name(places.system), flatpak=True)


def plan_targets(places: Places, scope: Scope, browsers: Iterable[str] | None,
                 user_data_dir: str | os.PathLike[str] | None = None) -> list[Target]:
    """Targets for the named browsers, or for every supported browser detected here."""
    user_data_dir = absolute_user_data_dir(places, user_data_dir)
    folder = data_folder(places, scope, user_data_dir)
    explicit = browsers is not None
    if explicit:
        rows = resolve_browsers(browsers or ())
        if not rows:
            raise InstallerError("No browser named.",
                                 f"Supported browsers: {valid_browser_names()}.", EX_USAGE)
    else:
        rows = list(BROWSERS.values())
    targets: list[Target] = []
    for row in rows:
        has_location = (row.where.get((places.system, scope)) is not None
                        or (user_data_dir is not None and row.family == "chromium"))
        if explicit or (has_location and is_detected(row, places)):
            targets.append(plan_target(row, places, scope, folder, user_data_dir))
        custom_profile = user_data_dir is not None and row.family == "chromium"
        if not custom_profile and flatpak_present(row, places, scope):
            targets.append(plan_flatpak_target(row, places))
    chromium_in_custom = [t for t in targets if user_data_dir is not None
                          and t.browser.family == "chromium" and not t.flatpak]
    if len(chromium_in_custom) > 1:
        raise InstallerError(
            "--user-data-dir belongs to one Chromium-family browser, but "
            f"{', '.join(t.browser.name for t in chromium_in_custom)} were selected.",
            "Name that browser with --browser (Firefox-family browsers may be added).",
            EX_USAGE)
    if not targets:
        raise InstallerError(
            f"No supported browser was found for {scope} scope on {places.system}.",
            f"Name one with --browser ({valid_browser_names()}).", EX_UNAVAILABLE)
    return targets
