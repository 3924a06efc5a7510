"""roleport's installer: registers the native messaging host with browsers.

Public API (used by the CLI, the browser end-to-end tests and the demo)::

    install(browsers=None, scope="user", user_data_dir=None, extension_ids=(), dry_run=False,
            *, platform=None, env=None, registry=None, ...) -> list[Result]
    uninstall(browsers=None, scope="user", user_data_dir=None, dry_run=False, *, ...)
    doctor(browsers=None, scope="user", user_data_dir=None, extension_ids=(), *, ...)
        -> list[Check]
"""

from .doctor import Check, doctor
from .errors import InstallerError
from .identity import ExtensionIdentity, chrome_id_from_key, load_identity
from .registration import Result, install, uninstall
from .registry import FakeRegistry, Registry, WindowsRegistry
from .table import BROWSERS, HOST_NAME

__all__ = [
    "BROWSERS", "HOST_NAME", "Check", "ExtensionIdentity", "FakeRegistry", "InstallerError",
    "Registry", "Result", "WindowsRegistry", "chrome_id_from_key", "doctor", "install",
    "load_identity", "uninstall",
]
