"""The store packages (scripts/build_extension.py): each store gets the one source with only
the manifest keys it accepts, and the Firefox package passes addons.mozilla.org's linter
(`web-ext lint`, the listed-add-on rules: no --self-hosted) without a warning.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "build_extension.py"
WEB_EXT = REPO / "node_modules" / ".bin" / "web-ext"


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_extension", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = load_builder()


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both packages, built by the script's command line as `make dist` runs it."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    version = json.loads((REPO / "manifest.json").read_text())["version"]
    built = {store: out / f"roleport-{store}-{version}.zip" for store in builder.STORES}
    assert sorted(done.stdout.split()) == sorted(str(path) for path in built.values())
    return built


def manifest_of(package: Path) -> dict[str, Any]:
    with zipfile.ZipFile(package) as archive:
        return dict(json.loads(archive.read("manifest.json")))


def names_in(package: Path) -> list[str]:
    with zipfile.ZipFile(package) as archive:
        return archive.namelist()


def test_packages_hold_the_manifest_and_the_extension_folder_only(
    packages: dict[str, Path],
) -> None:
    source_files = sorted(
        path.relative_to(REPO).as_posix() for path in (REPO / "extension").rglob("*")
        if path.is_file())
    for package in packages.values():
        names = names_in(package)
        assert names[0] == "manifest.json"
        assert sorted(names[1:]) == source_files
        assert "extension/welcome.html" in names


def test_chrome_package_drops_what_the_chrome_web_store_refuses_or_ignores(
    packages: dict[str, Path],
) -> None:
    manifest = manifest_of(packages["chrome"])
    source = json.loads((REPO / "manifest.json").read_text())
    assert "key" in source, "the dev manifest pins the unpacked id (the check below is vacuous)"
    assert "key" not in manifest
    assert "browser_specific_settings" not in manifest
    assert manifest["background"] == {"service_worker": "extension/background.js",
                                      "type": "module"}
    assert "contextualIdentities" not in manifest["permissions"]
    assert "tabGroups" in manifest["permissions"]
    assert manifest["minimum_chrome_version"] == source["minimum_chrome_version"]
    assert manifest["commands"] == source["commands"]
    assert manifest["omnibox"] == {"keyword": "aws"}


def test_firefox_package_keeps_the_gecko_id_and_the_data_collection_declaration(
    packages: dict[str, Path],
) -> None:
    manifest = manifest_of(packages["firefox"])
    gecko = manifest["browser_specific_settings"]["gecko"]
    assert gecko["id"] == "roleport@roleport.dev"
    assert gecko["data_collection_permissions"] == {"required": ["none"]}
    assert "key" not in manifest and "minimum_chrome_version" not in manifest
    assert manifest["background"] == {"scripts": ["extension/background.js"], "type": "module"}
    assert "contextualIdentities" in manifest["permissions"]
    # The first releases that know data_collection_permissions (older ones refuse the key).
    assert gecko["strict_min_version"] == "140.0"
    assert manifest["browser_specific_settings"]["gecko_android"]["strict_min_version"] == "142.0"


def test_firefox_package_passes_web_ext_lint_without_a_warning(
    packages: dict[str, Path], tmp_path: Path,
) -> None:
    assert WEB_EXT.exists(), "node_modules is missing: run `make deps` (npm ci)"
    unpacked = tmp_path / "firefox"
    with zipfile.ZipFile(packages["firefox"]) as archive:
        archive.extractall(unpacked)
    done = subprocess.run(
        [str(WEB_EXT), "lint", "--source-dir", str(unpacked), "--output", "json",
         "--no-config-discovery"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(done.stdout)
    problems = [f"{item['code']}: {item['message']} ({item.get('file', '')})"
                for item in (*report["errors"], *report["warnings"])]
    assert problems == [], problems
    assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0


def test_builds_are_reproducible(tmp_path: Path) -> None:
    first = builder.build("firefox", tmp_path / "a").read_bytes()
    second = builder.build("firefox", tmp_path / "b").read_bytes()
    assert first == second


def test_remote_code_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "source"
    shutil.copytree(REPO / "extension", root / "extension")
    shutil.copy2(REPO / "manifest.json", root / "manifest.json")
    assert builder.remote_code_problems(builder.package_files(root), root) == []
    (root / "extension" / "popup.html").write_text(
        '<script src="https://cdn.example.com/lib.js"></script>')
    (root / "extension" / "lib" / "extra.js").write_text(
        "import x from 'https://cdn.example.com/x.js';\nconst f = new Function('return 1');\n")
    problems = builder.remote_code_problems(builder.package_files(root), root)
    assert problems == [
        "extension/lib/extra.js imports a module from the network",
        "extension/lib/extra.js evaluates a string as code",
        "extension/popup.html loads a script from the network",
    ]
    with pytest.raises(builder.BuildError, match="remote code"):
        builder.build("chrome", tmp_path / "out", root)


def test_a_manifest_without_what_a_store_requires_is_refused() -> None:
    source = json.loads((REPO / "manifest.json").read_text())
    no_consent = json.loads(json.dumps(source))
    del no_consent["browser_specific_settings"]["gecko"]["data_collection_permissions"]
    with pytest.raises(builder.BuildError, match="data_collection_permissions"):
        builder.firefox_manifest(no_consent)
    no_worker = json.loads(json.dumps(source))
    no_worker["background"].pop("service_worker")
    with pytest.raises(builder.BuildError, match="service_worker"):
        builder.chrome_manifest(no_worker)
