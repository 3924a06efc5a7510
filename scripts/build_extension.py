"""Build the store packages of the extension from the one source (manifest.json + extension/).

    python scripts/build_extension.py [--out dist]

writes ``roleport-chrome-<version>.zip`` (Chrome Web Store upload) and
``roleport-firefox-<version>.zip`` (addons.mozilla.org upload) and prints their paths.

The repository's manifest serves every browser during development: it pins the unpacked
Chromium id with ``key`` and carries both background forms. Each store wants only its own part:

Chrome Web Store (Chrome for Developers, "Manifest - key", "Prepare your extension"):
- no ``key``: the store assigns the published item its own id and key, and refuses an upload
  whose manifest carries one;
- no ``browser_specific_settings``: Chrome does not know the key and lists it as a warning;
- ``background`` keeps only ``service_worker`` (+ ``type``): Chrome ignores ``scripts`` in
  Manifest V3 and warns about it;
- no ``contextualIdentities`` permission: a Firefox API, "unknown permission" in Chrome.

addons.mozilla.org (MDN "browser_specific_settings", Extension Workshop "Firefox built-in
consent for data collection and transmission", MDN "background"):
- ``browser_specific_settings.gecko.id`` (the add-on id the host allows) and
  ``gecko.data_collection_permissions`` (required for new add-ons; roleport collects nothing:
  ``{"required": ["none"]}``) must be present, which is checked here;
- no ``key`` and no ``minimum_chrome_version``: Chromium-only keys;
- ``background`` keeps only ``scripts`` (+ ``type``): Firefox runs background scripts and does
  not support ``service_worker``.
``gecko.strict_min_version`` is 140.0 and ``gecko_android.strict_min_version`` 142.0 in the
source manifest: the releases that introduced ``data_collection_permissions`` (older ones refuse
the key). The add-on needs native messaging, which Firefox for Android lacks: list it on AMO for
desktop Firefox only.

Both stores forbid remotely hosted code (Chrome Web Store program policies, "Manifest V3
requirements"; AMO's "Add-on Policies", "No Surprises / remote code"): every script must be in
the package. ``remote_code_problems`` refuses a build whose pages load scripts from the network
or whose code evaluates strings.

The packages are reproducible: files in sorted order with a fixed timestamp and mode.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
EXTENSION_FOLDER = "extension"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip cannot store dates before 1980; any fixed one will do
STORES = ("chrome", "firefox")

FIREFOX_ONLY_PERMISSIONS = frozenset({"contextualIdentities"})

_REMOTE_SCRIPT = re.compile(r"<script[^>]+src\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)
_REMOTE_IMPORT = re.compile(r"""\bimport\b[^;]*?\(?\s*["'](?:https?:)?//""")
_EVALUATION = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|\bimportScripts\s*\(")


class BuildError(Exception):
    """The source cannot be packaged for a store; the message says what and how to fix it."""


def read_manifest(root: Path = REPO_ROOT) -> dict[str, Any]:
    return dict(json.loads((root / "manifest.json").read_text(encoding="utf-8")))


def _without_permissions(manifest: dict[str, Any], dropped: frozenset[str]) -> None:
    for field in ("permissions", "optional_permissions"):
        if field in manifest:
            manifest[field] = [name for name in manifest[field] if name not in dropped]


def chrome_manifest(source: dict[str, Any]) -> dict[str, Any]:
    """The manifest of the Chrome Web Store package (rules in the module docstring)."""
    manifest = copy.deepcopy(source)
    manifest.pop("key", None)
    manifest.pop("browser_specific_settings", None)
    background = manifest.get("background") or {}
    if "service_worker" not in background:
        raise BuildError("manifest.json has no background.service_worker, which Chrome needs.")
    manifest["background"] = {name: background[name] for name in ("service_worker", "type")
                              if name in background}
    _without_permissions(manifest, FIREFOX_ONLY_PERMISSIONS)
    return manifest


def firefox_manifest(source: dict[str, Any]) -> dict[str, Any]:
    """The manifest of the addons.mozilla.org package (rules in the module docstring)."""
    manifest = copy.deepcopy(source)
    manifest.pop("key", None)
    manifest.pop("minimum_chrome_version", None)
    gecko = (manifest.get("browser_specific_settings") or {}).get("gecko") or {}
    if not gecko.get("id"):
        raise BuildError("manifest.json has no browser_specific_settings.gecko.id: "
                         "addons.mozilla.org needs the add-on id the native host allows.")
    if not (gecko.get("data_collection_permissions") or {}).get("required"):
        raise BuildError("manifest.json has no browser_specific_settings.gecko."
                         "data_collection_permissions.required, which addons.mozilla.org "
                         "requires of new add-ons (roleport collects nothing: [\"none\"]).")
    background = manifest.get("background") or {}
    if not background.get("scripts"):
        raise BuildError("manifest.json has no background.scripts, which Firefox needs.")
    manifest["background"] = {name: background[name] for name in ("scripts", "type")
                              if name in background}
    return manifest


MANIFEST_FOR_STORE = {"chrome": chrome_manifest, "firefox": firefox_manifest}


def package_files(root: Path = REPO_ROOT) -> list[Path]:
    """Every file the packages ship besides the manifest: extension/, no hidden files."""
    folder = root / EXTENSION_FOLDER
    files = [path for path in folder.rglob("*") if path.is_file()
             and not any(part.startswith(".") for part in path.relative_to(root).parts)]
    return sorted(files)


def remote_code_problems(files: Iterable[Path], root: Path = REPO_ROOT) -> list[str]:
    """Where a page loads a script from the network or code evaluates a string."""
    problems = []
    for path in files:
        if path.suffix not in {".html", ".js", ".mjs"}:
            continue
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(root)
        if path.suffix == ".html" and _REMOTE_SCRIPT.search(text):
            problems.append(f"{where} loads a script from the network")
        if path.suffix != ".html" and _REMOTE_IMPORT.search(text):
            problems.append(f"{where} imports a module from the network")
        if path.suffix != ".html" and _EVALUATION.search(text):
            problems.append(f"{where} evaluates a string as code")
    return problems


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def build(store: str, out: Path, root: Path = REPO_ROOT) -> Path:
    """Write dist/roleport-<store>-<version>.zip and return its path."""
    if store not in MANIFEST_FOR_STORE:
        raise BuildError(f"unknown store {store!r}; choose one of {', '.join(STORES)}")
    source = read_manifest(root)
    manifest = MANIFEST_FOR_STORE[store](source)
    files = package_files(root)
    problems = remote_code_problems(files, root)
    if problems:
        raise BuildError("the stores forbid remote code: " + "; ".join(problems))
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"roleport-{store}-{manifest['version']}.zip"
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w") as archive:
        _add(archive, "manifest.json",
             (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        for path in files:
            _add(archive, path.relative_to(root).as_posix(), path.read_bytes())
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "dist",
                        help="where the packages go (default: dist/)")
    parser.add_argument("--store", choices=STORES, action="append",
                        help="build only this store's package (repeatable; default: both)")
    args = parser.parse_args(argv)
    try:
        for store in args.store or STORES:
            sys.stdout.write(f"{build(store, args.out)}\n")
    except BuildError as error:
        sys.stderr.write(f"build_extension: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
