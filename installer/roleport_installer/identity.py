"""The extension's identities, read from manifest.json so they are never typed twice.

Chrome pins an unpacked extension's id with the manifest ``key`` (base64 DER public key): the id
is the first 32 hex digits of SHA-256(DER), each digit 0-f mapped to a-p (Chrome for
Developers, manifest "key"). Firefox uses ``browser_specific_settings.gecko.id`` (MDN,
"browser_specific_settings").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import EX_SOFTWARE, EX_USAGE, InstallerError

CHROME_ID_PATTERN = re.compile(r"^[a-p]{32}$")
_HEX_TO_CHROME = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


@dataclass(frozen=True)
class ExtensionIdentity:
    chrome_id: str
    gecko_id: str
    extra_chrome_ids: tuple[str, ...] = ()

    @property
    def chrome_ids(self) -> tuple[str, ...]:
        """The pinned id first, then extra ids (store builds), without duplicates."""
        return tuple(dict.fromkeys((self.chrome_id, *self.extra_chrome_ids)))

    @property
    def allowed_origins(self) -> list[str]:
        return [chrome_origin(extension_id) for extension_id in self.chrome_ids]

    @property
    def allowed_callers(self) -> list[str]:
        """What the host accepts (ROLEPORT_ALLOWED_CALLERS): Chrome origins and the gecko id."""
        return [*self.allowed_origins, self.gecko_id]


def chrome_origin(extension_id: str) -> str:
    return f"chrome-extension://{extension_id}/"


def chrome_id_from_key(key: str) -> str:
    """Chrome's extension id for a manifest ``key`` (base64 DER SubjectPublicKeyInfo)."""
    try:
        der = base64.b64decode("".join(key.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InstallerError(
            "The extension manifest's \"key\" is not valid base64.",
            "Put the base64 DER public key of the extension in manifest.json's \"key\".",
            EX_SOFTWARE,
        ) from None
    return hashlib.sha256(der).hexdigest()[:32].translate(_HEX_TO_CHROME)


def validate_chrome_id(extension_id: str) -> str:
    candidate = extension_id.strip()
    if candidate.startswith("chrome-extension://"):
        candidate = candidate.removeprefix("chrome-extension://").rstrip("/")
    if not CHROME_ID_PATTERN.match(candidate):
        raise InstallerError(
            f"{extension_id!r} is not a Chrome extension id.",
            "An id is 32 letters from a to p, as shown on chrome://extensions.",
            EX_USAGE,
        )
    return candidate


def bundled_manifest_path() -> Path:
    """manifest.json shipped in the package (a symlink to the repository's one in a checkout)."""
    return Path(str(resources.files(__package__).joinpath("manifest.json")))


def load_identity(manifest_path: str | os.PathLike[str] | None = None,
                  extension_ids: tuple[str, ...] | list[str] = ()) -> ExtensionIdentity:
    """Read the pinned Chrome id and the gecko id from the extension manifest."""
    path = Path(manifest_path) if manifest_path is not None else bundled_manifest_path()
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstallerError(
            f"The extension manifest {path} is missing.",
            "Reinstall roleport; the package ships manifest.json next to the installer.",
            EX_SOFTWARE,
        ) from None
    except (OSError, ValueError) as exc:
        raise InstallerError(
            f"The extension manifest {path} cannot be read: {exc}.",
            "Reinstall roleport or fix manifest.json.", EX_SOFTWARE,
        ) from None
    key = manifest.get("key") if isinstance(manifest, dict) else None
    gecko = ((manifest.get("browser_specific_settings") or {}).get("gecko") or {}
             if isinstance(manifest, dict) else {})
    gecko_id = gecko.get("id") if isinstance(gecko, dict) else None
    if not isinstance(key, str) or not key:
        raise InstallerError(
            f"The extension manifest {path} has no \"key\", so the Chrome extension id is unknown.",
            "Add the extension's public key to manifest.json (\"key\").", EX_SOFTWARE,
        )
    if not isinstance(gecko_id, str) or not gecko_id:
        raise InstallerError(
            f"The extension manifest {path} has no browser_specific_settings.gecko.id.",
            "Add the Firefox add-on id to manifest.json.", EX_SOFTWARE,
        )
    extra = tuple(validate_chrome_id(value) for value in extension_ids)
    return ExtensionIdentity(chrome_id=chrome_id_from_key(key), gecko_id=gecko_id,
                             extra_chrome_ids=extra)
