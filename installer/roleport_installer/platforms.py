"""Where things are on this machine: the platform and the folders derived from the environment.

Everything is computed from an injected platform name and environment mapping so tests can
pretend to be macOS or Windows with a temporary HOME, without touching the real one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import InstallerError
from .table import OperatingSystem

_ALIASES: dict[str, OperatingSystem] = {
    "linux": "linux", "linux2": "linux",
    "darwin": "darwin", "macos": "darwin", "mac": "darwin",
    "windows": "windows", "win32": "windows", "cygwin": "windows",
}


def normalize_platform(platform: str | None) -> OperatingSystem:
    """Map sys.platform-style names (and friendly ones) to the table's OS names."""
    name = (platform or sys.platform).lower()
    for prefix, system in _ALIASES.items():
        if name == prefix or name.startswith(prefix):
            return system
    raise InstallerError(
        f"Unsupported platform {name!r}.",
        "roleport supports Linux, macOS and Windows (platform names: linux, darwin, windows).",
    )


def _xdg(env: Mapping[str, str], name: str) -> str | None:
    """An XDG base directory; the spec says a relative one is invalid and must be ignored."""
    value = env.get(name)
    return value if value and os.path.isabs(value) else None


@dataclass(frozen=True)
class Places:
    """The folders a template may name, resolved once from platform + environment."""

    system: OperatingSystem
    env: Mapping[str, str]
    home: Path
    root: Path

    @classmethod
    def resolve(cls, platform: str | None, env: Mapping[str, str] | None,
                root: str | os.PathLike[str] | None = None) -> Places:
        system = normalize_platform(platform)
        environment = dict(os.environ if env is None else env)
        home_value = environment.get("HOME") or (
            environment.get("USERPROFILE") if system == "windows" else None)
        if not home_value:
            raise InstallerError(
                "HOME is not set, so the per-user browser folders cannot be found.",
                "Run roleport from a normal login session, or set HOME to your home folder.",
            )
        default_root = "/" if system != "windows" else (environment.get("SYSTEMDRIVE", "C:") + "/")
        return cls(system=system, env=environment, home=Path(home_value),
                   root=Path(root) if root is not None else Path(default_root))

    def fields(self) -> dict[str, str]:
        """Values for the table's templates; XDG defaults per the XDG base directory spec."""
        home = str(self.home)
        root = str(self.root).rstrip("/\\")
        env = self.env
        return {
            "home": home,
            "root": root,
            "config": _xdg(env, "XDG_CONFIG_HOME") or f"{home}/.config",
            "data": _xdg(env, "XDG_DATA_HOME") or f"{home}/.local/share",
            "appdata": env.get("APPDATA") or f"{home}/AppData/Roaming",
            "localappdata": env.get("LOCALAPPDATA") or f"{home}/AppData/Local",
            "programdata": env.get("PROGRAMDATA") or f"{root}/ProgramData",
        }

    def expand(self, template: str) -> Path:
        return Path(template.format(**self.fields()))

    def flatpak_app_folder(self, app_id: str) -> Path:
        return self.home / ".var" / "app" / app_id
