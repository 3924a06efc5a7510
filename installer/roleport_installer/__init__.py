"""roleport's installer: registers the native messaging host with browsers.

Public API (used by the CLI, the browser end-to-end tests and the demo)::

    install(browsers=None, scope="user", user_data_dir=None, extension_ids=(), dry_run=False,
            *, platform=None, env=None, registry=None, ...) -> list[Result]
    uninstall(browsers=None, scope="user", user_data_dir=None, dry_run=False, *, ...)
    doctor(browsers=None, scope="user", user_data_dir=None, extension_ids=(), *, ...)
        -> list[Check]

The names are imported on first use (PEP 562 module ``__getattr__``): the `roleport` console
script imports this package for every command, and `roleport login` must not pay for the
installer's modules. A module that cannot be imported still fails loudly, with its
ImportError, as soon as one of its names is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - the same names, eagerly, for type checkers
    from .checks import Check, doctor
    from .errors import InstallerError
    from .identity import ExtensionIdentity, chrome_id_from_key, load_identity
    from .registration import Result, install, uninstall
    from .registry import FakeRegistry, Registry, WindowsRegistry
    from .table import BROWSERS, HOST_NAME

# Public name -> the submodule defining it.
_EXPORTS = {
    "Check": "checks", "doctor": "checks",
    "InstallerError": "errors",
    "ExtensionIdentity": "identity", "chrome_id_from_key": "identity",
    "load_identity": "identity",
    "Result": "registration", "install": "registration", "uninstall": "registration",
    "FakeRegistry": "registry", "Registry": "registry", "WindowsRegistry": "registry",
    "BROWSERS": "table", "HOST_NAME": "table",
}

__all__ = [
    "BROWSERS", "HOST_NAME", "Check", "ExtensionIdentity", "FakeRegistry", "InstallerError",
    "Registry", "Result", "WindowsRegistry", "chrome_id_from_key", "doctor", "install",
    "load_identity", "uninstall",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
