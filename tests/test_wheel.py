"""The published artefacts work on their own: the wheel and sdist `python -m build` makes hold
the two packages and nothing else, and the wheel installed into a fresh virtualenv (no path
back to this checkout) gives a `roleport` whose `install` writes a launcher that a browser can
talk to over native-messaging frames, and whose `doctor` passes.

The build runs in a copy of the sources under tmp_path with the test environment's pinned
setuptools (``--no-isolation``: no isolated build environment to download), so nothing is
written into the checkout. Installing the wheel resolves botocore through pip's
configured index with the repository's constraints.txt.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from support.hostproc import HostProcess
from tests.test_installer import pinned_chrome_id

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "MANIFEST.in", "host", "installer")
SHIPPED_PACKAGES = {"roleport", "roleport_installer"}
NOT_SHIPPED = ("support", "tests", "bench", "demo")
STEP_TIMEOUT = 120


def build_distributions(tmp_path: Path) -> tuple[Path, Path]:
    """`python -m build --no-isolation` on a copy of the sources; returns (wheel, sdist)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            shutil.copy2(REPO / name, source / name)
    out = tmp_path / "dist"
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                           str(source)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=STEP_TIMEOUT, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wheels = list(out.glob("roleport-*-py3-none-any.whl"))
    sdists = list(out.glob("roleport-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return wheels[0], sdists[0]


def clean_environment(home: Path) -> dict[str, str]:
    """The user's environment minus everything that could point Python, AWS or roleport back at
    this checkout or at real settings; HOME and the XDG folders are private."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PYTHON", "AWS_", "ROLEPORT_", "XDG_", "VIRTUAL_ENV"))}
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    return env


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=STEP_TIMEOUT, check=False)


def test_wheel_installs_into_a_fresh_venv_and_its_launcher_answers(tmp_path: Path) -> None:
    wheel, sdist = build_distributions(tmp_path)

    wheel_files = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in wheel_files if not name.split("/")[0].endswith(
        ".dist-info")}
    assert top_level == SHIPPED_PACKAGES, sorted(top_level)
    assert "roleport_installer/manifest.json" in wheel_files
    assert "roleport/native.py" in wheel_files and "roleport_installer/command.py" in wheel_files
    entry_points = zipfile.ZipFile(wheel).read(
        next(name for name in wheel_files if name.endswith(".dist-info/entry_points.txt")))
    assert b"roleport = roleport_installer.command:main" in entry_points
    sdist_tops = {"/".join(name.split("/")[1:2]) for name in tarfile.open(sdist).getnames()}
    assert not sdist_tops & set(NOT_SHIPPED), sorted(sdist_tops)

    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws/config").write_text(
        "[default]\nregion = us-east-1\n\n[profile dev]\nrole_arn = "
        "arn:aws:iam::111122223333:role/Dev\nsource_profile = default\n"
        "roleport_account_name = Development\n")
    (home / ".aws/credentials").write_text(
        "[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE00\n"
        "aws_secret_access_key = not-a-real-secret\n")
    env = clean_environment(home)
    elsewhere = tmp_path / "elsewhere"  # a working directory with nothing of the checkout
    elsewhere.mkdir()

    venv = tmp_path / "venv"
    done = run([sys.executable, "-m", "venv", str(venv)], env, elsewhere)
    assert done.returncode == 0, done.stderr
    python = venv / "bin/python"
    done = run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                "-c", str(REPO / "constraints.txt"), str(wheel)], env, elsewhere)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    done = run([str(python), "-c", "import json, sys, sysconfig, roleport, roleport_installer; "
                "print(json.dumps([sysconfig.get_path('purelib'), roleport.__file__, "
                "roleport_installer.__file__, sys.path]))"], env, elsewhere)
    assert done.returncode == 0, done.stderr
    site_packages, roleport_file, installer_file, path = json.loads(done.stdout)
    assert Path(site_packages).is_relative_to(venv)
    assert Path(roleport_file).parent == Path(site_packages) / "roleport"
    assert Path(installer_file).parent == Path(site_packages) / "roleport_installer"
    assert not [entry for entry in path if entry and Path(entry).is_relative_to(REPO)], path

    profile = tmp_path / "chromium-profile"
    roleport = str(venv / "bin/roleport")
    done = run([roleport, "install", "--browser", "chromium", "--user-data-dir", str(profile)],
               env, elsewhere)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((profile / "NativeMessagingHosts/roleport.json").read_text())
    caller = f"chrome-extension://{pinned_chrome_id()}/"
    assert manifest["allowed_origins"] == [caller]
    launcher = Path(manifest["path"])
    assert launcher.is_relative_to(profile), launcher
    # The new venv's interpreter, in isolated mode (the browser's PYTHON* variables ignored).
    assert f"exec {python} -I -c " in launcher.read_text()

    # As Chrome starts a host: by the manifest's path, the caller's origin as the argument.
    with HostProcess([caller], env, command=[str(launcher)]) as host:
        hello = host.call(1, "hello")
        assert hello["ok"] is True, hello
        assert hello["result"]["config_file"] == str(home / ".aws/config")
        assert {"hello", "profiles", "login"} <= set(hello["result"]["capabilities"])
        listing = host.call(2, "profiles")
        assert listing["ok"] is True, listing
        result = listing["result"]
        names = [row[result["columns"].index("name")] for row in result["rows"]]
        assert sorted(names) == ["default", "dev"]
        dev = dict(itertools.zip_longest(result["columns"], result["rows"][names.index("dev")]))
        assert (dev["account_id"], dev["account_name"], dev["role"], dev["kind"]) == (
            "111122223333", "Development", "Dev", "assume-role")
        assert host.wait() == 0, host.stderr
    assert "not-a-real-secret" not in host.stderr

    done = run([roleport, "doctor", "--browser", "chromium", "--user-data-dir", str(profile)],
               env, elsewhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok   chromium hello: host " in done.stdout
    assert "FAIL" not in done.stdout
    assert done.stdout.endswith("all checks passed\n")
