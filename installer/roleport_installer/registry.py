"""A small Windows registry interface: the real winreg on Windows, a recording fake in tests.

Windows browsers find a native host through the default value of
``HKCU|HKLM\\<browser key>\\NativeMessagingHosts\\<name>`` (Chrome for Developers and MDN,
"Native messaging", Windows host location); the installer
only ever sets, reads and deletes that one value, so the interface is exactly those three calls.
Keys are written ``HKCU\\Software\\...``.
"""

from __future__ import annotations

from typing import Any, Protocol


class Registry(Protocol):
    def get_default(self, key: str) -> str | None:
        """The key's default value, or None when the key does not exist."""

    def set_default(self, key: str, value: str) -> None:
        """Create the key if needed and set its default (unnamed) string value."""

    def delete_key(self, key: str) -> None:
        """Delete the key (it has no subkeys); no error when it is already gone."""


def _split(key: str) -> tuple[str, str]:
    hive, _, path = key.partition("\\")
    if hive not in ("HKCU", "HKLM") or not path:
        raise ValueError(f"registry key must start with HKCU\\ or HKLM\\: {key!r}")
    return hive, path


class WindowsRegistry:
    """The real registry through winreg (importable only on Windows)."""

    def __init__(self) -> None:
        import winreg  # noqa: PLC0415 - Windows only

        # Any: type checkers on other systems see a winreg without these names.
        self._winreg: Any = winreg
        self._hives = {"HKCU": self._winreg.HKEY_CURRENT_USER,
                       "HKLM": self._winreg.HKEY_LOCAL_MACHINE}

    def get_default(self, key: str) -> str | None:
        hive, path = _split(key)
        try:
            with self._winreg.OpenKey(self._hives[hive], path) as handle:
                value, _kind = self._winreg.QueryValueEx(handle, "")
        except FileNotFoundError:
            return None
        return str(value)

    def set_default(self, key: str, value: str) -> None:
        hive, path = _split(key)
        with self._winreg.CreateKeyEx(self._hives[hive], path, 0,
                                      self._winreg.KEY_WRITE) as handle:
            self._winreg.SetValueEx(handle, "", 0, self._winreg.REG_SZ, value)

    def delete_key(self, key: str) -> None:
        hive, path = _split(key)
        try:
            self._winreg.DeleteKey(self._hives[hive], path)
        except FileNotFoundError:
            pass


class FakeRegistry:
    """In-memory registry that records every write, so tests can check exactly what changed."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.operations: list[tuple[str, str, str | None]] = []

    def get_default(self, key: str) -> str | None:
        _split(key)
        return self.values.get(key)

    def set_default(self, key: str, value: str) -> None:
        _split(key)
        self.operations.append(("set", key, value))
        self.values[key] = value

    def delete_key(self, key: str) -> None:
        _split(key)
        self.operations.append(("delete", key, None))
        self.values.pop(key, None)
