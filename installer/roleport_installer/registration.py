"""install() and uninstall(): write, repair and remove exactly the host registrations.

Rules implemented: idempotent (unchanged files are not rewritten, so a second run
reports "unchanged"); rerunning after the virtualenv moved rewrites the launchers with the new
interpreter; uninstall removes exactly what install wrote, using a small record of it
(``installed.json`` in roleport's data folder) — files, launchers, registry values and the
folders install created, nothing else.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EX_CANTCREAT, EX_SOFTWARE, EX_USAGE, InstallerError
from .identity import ExtensionIdentity, load_identity
from .launcher import render_launcher
from .platforms import Places
from .registry import Registry, WindowsRegistry
from .table import HOST_NAME, Scope
from .targets import Target, check_scope, data_folder, plan_targets, resolve_browsers

RECORD_FILE_NAME = "installed.json"
RECORD_VERSION = 1
DESCRIPTION = "roleport: open the AWS console of the right account and role"


@dataclass(frozen=True)
class Result:
    """What happened to one target; ``line()`` is what the CLI prints."""

    target: str
    action: str
    """installed | unchanged | would install | removed | would remove | kept | would keep |
    not installed"""
    manifest: str | None = None
    launcher: str | None = None
    registry_key: str | None = None
    kept_because: str | None = None
    """kept / would keep: why uninstall leaves the manifest on disk."""

    def line(self) -> str:
        if self.action == "not installed":
            return f"{self.target}: not installed, nothing to remove"
        where = (f"{self.registry_key} -> {self.manifest}" if self.registry_key
                 else str(self.manifest))
        if self.kept_because is not None:
            return f"{self.target}: {self.action} {where}: {self.kept_because}"
        return f"{self.target}: {self.action} {where} (launcher {self.launcher})"


def manifest_document(target: Target, identity: ExtensionIdentity) -> dict[str, Any]:
    """The host manifest: allowed_origins for Chromium, allowed_extensions for Firefox."""
    document: dict[str, Any] = {
        "name": HOST_NAME,
        "description": DESCRIPTION,
        "path": str(target.launcher_path),
        "type": "stdio",
    }
    if target.browser.family == "chromium":
        document["allowed_origins"] = identity.allowed_origins
    else:
        document["allowed_extensions"] = [identity.gecko_id]
    return document


def render_manifest(target: Target, identity: ExtensionIdentity) -> str:
    return json.dumps(manifest_document(target, identity), indent=2) + "\n"


def default_registry(places: Places, registry: Registry | None) -> Registry | None:
    if places.system != "windows":
        return None
    if registry is not None:
        return registry
    if sys.platform != "win32":
        raise InstallerError(
            "Windows registrations need the Windows registry.",
            "Run on Windows, or pass a Registry implementation (tests use FakeRegistry).",
            EX_USAGE)
    return WindowsRegistry()


def _write_error(path: Path, exc: OSError, scope: Scope) -> InstallerError:
    reason = exc.strerror or exc.__class__.__name__
    if scope == "system":
        hint = "System scope needs administrator rights: run as root/Administrator, " \
               "or use --scope user."
    else:
        hint = (f"Check that {path.parent} is a folder you own and can write "
                "(ls -ld shows owner and mode), then run the command again.")
    return InstallerError(f"Cannot write {path}: {reason}.", hint, EX_CANTCREAT)


def _ensure_folder(folder: Path, created: list[str]) -> None:
    """mkdir -p that remembers the folders it created, outermost first."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for path in reversed(missing):
        path.mkdir()
        created.append(str(path))


def _write_if_changed(path: Path, text: str, *, executable: bool, dry_run: bool,
                      created: list[str]) -> bool:
    """Atomically replace ``path`` with ``text`` unless it already holds exactly that."""
    try:
        with open(path, encoding="utf-8", newline="") as stream:  # keep \r\n as is
            current = stream.read()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError, IsADirectoryError):
        current = None
    mode_ok = not executable or (current is not None and os.access(path, os.X_OK))
    if current == text and mode_ok:
        return False
    if dry_run:
        return True
    _ensure_folder(path.parent, created)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        # newline="" keeps the .cmd launcher's \r\n as written.
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        mode = 0o755 if executable else 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


class InstallRecord:
    """installed.json: per target what was written, so uninstall removes exactly that."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.targets: dict[str, dict[str, Any]] = {}
        self.created_folders: list[str] = []
        self._loaded_text: str | None = None

    @classmethod
    def load(cls, path: Path) -> InstallRecord:
        record = cls(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return record
        try:
            data = json.loads(text)
            record.targets = dict(data["targets"])
            record.created_folders = list(data.get("created_folders", []))
        except (ValueError, KeyError, TypeError):
            raise InstallerError(
                f"The install record {path} is damaged.",
                "Remove it and run `roleport install` again; roleport then overwrites its own "
                "manifests and launchers.", EX_SOFTWARE) from None
        record._loaded_text = text
        return record

    def render(self) -> str:
        return json.dumps({"version": RECORD_VERSION, "created_folders": self.created_folders,
                           "targets": self.targets}, indent=2, sort_keys=True) + "\n"

    def save(self) -> None:
        if not self.targets:
            self.path.unlink(missing_ok=True)
            for folder in _deepest_first(self.created_folders):
                _remove_empty_folder(Path(folder))
            return
        text = self.render()
        if text != self._loaded_text:
            _write_if_changed(self.path, text, executable=False, dry_run=False,
                              created=self.created_folders)
            self._loaded_text = text


def _remove_empty_folder(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty (someone else's files) or already gone: leave it


def _prepare(platform: str | None, env: Mapping[str, str] | None, scope: str,
             system_root: str | os.PathLike[str] | None) -> tuple[Places, Scope]:
    return Places.resolve(platform, env, system_root), check_scope(scope)


def install(browsers: Iterable[str] | None = None, scope: str = "user",
            user_data_dir: str | os.PathLike[str] | None = None,
            extension_ids: Iterable[str] = (), dry_run: bool = False, *,
            platform: str | None = None, env: Mapping[str, str] | None = None,
            registry: Registry | None = None, interpreter: str | None = None,
            extension_manifest: str | os.PathLike[str] | None = None,
            system_root: str | os.PathLike[str] | None = None) -> list[Result]:
    """Register the `roleport` host with the named browsers, or with every detected one.

    ``interpreter`` defaults to sys.executable (the environment roleport runs from);
    ``extension_manifest`` to the manifest.json shipped in the package; ``system_root`` to "/"
    (tests point it at a temporary folder to exercise system scope).
    """
    places, checked_scope = _prepare(platform, env, scope, system_root)
    browser_list = None if browsers is None else list(browsers)
    identity = load_identity(extension_manifest, tuple(extension_ids))
    targets = plan_targets(places, checked_scope, browser_list, user_data_dir)
    reg = default_registry(places, registry)
    folder = data_folder(places, checked_scope, user_data_dir)
    record = InstallRecord.load(folder / RECORD_FILE_NAME)
    results: list[Result] = []
    try:
        for target in targets:
            results.append(_install_target(target, identity, places, checked_scope, reg,
                                           record, interpreter, dry_run))
    except InstallerError:
        if not dry_run:
            # Targets written before the failure stay removable by uninstall.
            try:
                record.save()
            except OSError:
                pass  # the original error says more than this one
        raise
    if not dry_run:
        try:
            record.save()
        except OSError as exc:
            raise _write_error(record.path, exc, checked_scope) from None
    return results


def _install_target(target: Target, identity: ExtensionIdentity, places: Places, scope: Scope,
                    registry: Registry | None, record: InstallRecord,
                    interpreter: str | None, dry_run: bool) -> Result:
    entry = record.targets.get(target.key, {})
    previous = dict(entry)
    created: list[str] = list(entry.get("created_folders", []))
    try:
        launcher_text = render_launcher(places.system, identity.allowed_callers, interpreter,
                                        flatpak=target.flatpak)
    except ValueError as exc:
        raise InstallerError(
            f"Cannot write a launcher for {target.label}: {exc}.",
            "Install roleport into an environment whose path has no such characters.",
            EX_CANTCREAT) from None
    if not dry_run:
        # Recorded before writing (``created`` fills in as folders appear), so a failure
        # halfway leaves nothing uninstall does not know about.
        record.targets[target.key] = {
            "browser": target.browser.name,
            "manifest": str(target.manifest_path),
            "launcher": str(target.launcher_path),
            "registry_key": target.registry_key,
            "extension_ids": list(identity.extra_chrome_ids),
            "created_folders": created,
        }
    path = target.launcher_path
    try:
        changed = _write_if_changed(path, launcher_text, executable=True, dry_run=dry_run,
                                    created=created)
        path = target.manifest_path
        changed |= _write_if_changed(path, render_manifest(target, identity), executable=False,
                                     dry_run=dry_run, created=created)
    except OSError as exc:
        raise _write_error(path, exc, scope) from None
    if registry is not None and target.registry_key is not None:
        if registry.get_default(target.registry_key) != str(target.manifest_path):
            changed = True
            if not dry_run:
                try:
                    registry.set_default(target.registry_key, str(target.manifest_path))
                except OSError as exc:
                    raise InstallerError(
                        f"Cannot write the registry key {target.registry_key}: {exc}.",
                        "System scope (HKLM) needs an elevated prompt; or use --scope user.",
                        EX_CANTCREAT) from None
    if previous and not dry_run:
        _remove_stale_location(previous, target, record, registry, created)
    action = ("would install" if dry_run else "installed") if changed else "unchanged"
    return Result(target.label, action, str(target.manifest_path), str(target.launcher_path),
                  target.registry_key)


def _remove_stale_location(previous: dict[str, Any], target: Target, record: InstallRecord,
                           registry: Registry | None, created: list[str]) -> None:
    """The target's files moved since the last install (XDG_CONFIG_HOME changed, say): remove
    what the old install wrote there, so uninstall keeps its promise of leaving nothing."""
    current = {str(target.manifest_path), str(target.launcher_path), target.registry_key}
    if {previous.get("manifest"), previous.get("launcher"),
            previous.get("registry_key")} <= current:
        return
    still_used = {value for key, entry in record.targets.items() if key != target.key
                  for value in (entry.get("manifest"), entry.get("launcher"),
                                entry.get("registry_key")) if value} | {
                  value for value in current if value}
    try:
        _remove_entry({**previous, "created_folders": created}, still_used, registry)
    except OSError:
        return  # the new location works; a leftover in the old one is harmless
    created[:] = [folder for folder in created if Path(folder).exists()]


def uninstall(browsers: Iterable[str] | None = None, scope: str = "user",
              user_data_dir: str | os.PathLike[str] | None = None, dry_run: bool = False, *,
              platform: str | None = None, env: Mapping[str, str] | None = None,
              registry: Registry | None = None,
              system_root: str | os.PathLike[str] | None = None) -> list[Result]:
    """Remove what install recorded for the named browsers (default: all), nothing else.

    A file, launcher or registry value shared with a browser that stays installed is kept.
    """
    places, checked_scope = _prepare(platform, env, scope, system_root)
    folder = data_folder(places, checked_scope, user_data_dir)
    record = InstallRecord.load(folder / RECORD_FILE_NAME)
    if browsers is None:
        keys = list(record.targets)
    else:
        names = {row.name for row in resolve_browsers(browsers)}
        keys = [key for key, entry in record.targets.items() if entry.get("browser") in names]
        for name in sorted(names - {record.targets[key].get("browser") for key in keys}):
            keys.append(name)
    reg = default_registry(places, registry) if any(
        record.targets.get(key, {}).get("registry_key") for key in keys) else None
    results: list[Result] = []
    removed = {key: record.targets.pop(key) for key in keys if key in record.targets}
    # What the targets that stay installed use, and which of them uses it.
    still_used = {value: _label(other_key, other)
                  for other_key, other in record.targets.items()
                  for value in (other.get("manifest"), other.get("launcher"),
                                other.get("registry_key")) if value}
    for key in keys:
        entry = removed.get(key)
        if entry is None:
            results.append(Result(key, "not installed"))
            continue
        kept_because = _manifest_kept_because(entry, still_used, dry_run)
        if kept_because is not None:
            action = "would keep" if dry_run else "kept"
        else:
            action = "would remove" if dry_run else "removed"
        if not dry_run:
            try:
                _remove_entry(entry, still_used, reg)
            except OSError as exc:
                raise InstallerError(
                    f"Cannot remove {exc.filename or 'a file'}: {exc.strerror or exc}.",
                    "Check the folder's permissions (system scope needs administrator "
                    "rights) and run `roleport uninstall` again.", EX_CANTCREAT) from None
        results.append(Result(_label(key, entry), action, entry.get("manifest"),
                              entry.get("launcher"), entry.get("registry_key"), kept_because))
    if not dry_run and removed:
        # Folders a removed target created that still hold other targets' files go away
        # together with the last target.
        leftovers = [folder for entry in removed.values()
                     for folder in entry.get("created_folders", []) if Path(folder).exists()]
        record.created_folders = _deepest_first([*record.created_folders, *leftovers])[::-1]
        try:
            record.save()
        except OSError as exc:
            raise _write_error(record.path, exc, checked_scope) from None
    return results


def _label(key: str, entry: Mapping[str, Any]) -> str:
    return f"{entry['browser']} (flatpak)" if key.endswith("-flatpak") else entry["browser"]


def _manifest_kept_because(entry: Mapping[str, Any], still_used: Mapping[str, str],
                           dry_run: bool) -> str | None:
    """Why uninstalling ``entry`` leaves its manifest on disk; None when it goes (or is gone).

    The same decisions as _remove_entry, taken before anything is removed so that a dry run
    says the same as the real run.
    """
    manifest, launcher = entry.get("manifest"), entry.get("launcher")
    if not manifest:
        return None
    if manifest in still_used:
        # The whole registration (registry value, manifest, launcher) is shared.
        return (f"{still_used[manifest]} stays installed and uses the same registration "
                f"(launcher {launcher})")
    if Path(manifest).exists() and not _manifest_points_at(Path(manifest), launcher):
        if not launcher or launcher in still_used:
            return "it no longer points at this install's launcher"
        removal = "would remove" if dry_run else "removed"
        return f"it no longer points at this install's launcher ({removal} {launcher})"
    return None


def _remove_entry(entry: dict[str, Any], still_used: Collection[str],
                  registry: Registry | None) -> None:
    registry_key = entry.get("registry_key")
    manifest = entry.get("manifest")
    if registry is not None and registry_key and registry_key not in still_used:
        # Only our value: another tool may have registered the same name meanwhile.
        if registry.get_default(registry_key) == manifest:
            registry.delete_key(registry_key)
    launcher = entry.get("launcher")
    if manifest and manifest not in still_used and _manifest_points_at(Path(manifest), launcher):
        Path(manifest).unlink()
    if launcher and launcher not in still_used:
        path = Path(launcher)
        if path.is_file() or path.is_symlink():
            path.unlink()
    for folder in _deepest_first(entry.get("created_folders", [])):
        _remove_empty_folder(Path(folder))


def _manifest_points_at(manifest: Path, launcher: str | None) -> bool:
    """Whether the manifest is still the one we wrote: a later install from another record
    (say without --user-data-dir) may have rewritten it to point at its own launcher."""
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("path") == launcher


def _deepest_first(folders: Iterable[str]) -> list[str]:
    return sorted(set(folders), key=lambda folder: len(Path(folder).parts), reverse=True)


def is_executable(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and os.access(path, os.X_OK)
