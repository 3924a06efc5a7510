"""`roleport doctor`: is the host registered, reachable and able to talk? One line per check.

Per browser: manifest present, valid JSON with the right name, type, path and allowed
ids, launcher executable, then a real `hello` round trip through the launcher with real frames,
started exactly as the browser starts it. Then: the AWS config parses (profile count, or file
and line of the error) and the federation test hook is not set. Every failure carries its fix.
"""

from __future__ import annotations

import configparser
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roleport.config_files import ConfigFiles
from roleport.rules import ENV_FEDERATION_URL

from .errors import InstallerError
from .identity import ExtensionIdentity, chrome_origin, load_identity
from .launcher import flatpak_host_command, launcher_interpreter
from .platforms import Places
from .registration import RECORD_FILE_NAME, InstallRecord, default_registry, is_executable
from .registry import Registry
from .table import HOST_NAME, Scope
from .targets import Target, check_scope, data_folder, plan_targets

HELLO_TIMEOUT_SECONDS = 15.0
"""Generous for a cold start of botocore on a slow disk; a healthy host answers in < 1 s."""


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"
        return text if self.ok or not self.fix else f"{text}. Fix: {self.fix}"


def doctor(browsers: Iterable[str] | None = None, scope: str = "user",
           user_data_dir: str | os.PathLike[str] | None = None,
           extension_ids: Iterable[str] = (), *, platform: str | None = None,
           env: Mapping[str, str] | None = None, registry: Registry | None = None,
           extension_manifest: str | os.PathLike[str] | None = None,
           system_root: str | os.PathLike[str] | None = None,
           timeout: float = HELLO_TIMEOUT_SECONDS) -> list[Check]:
    """Run every check and return them in order; none raises for a broken install."""
    places = Places.resolve(platform, env, system_root)
    checked_scope = check_scope(scope)
    checks: list[Check] = []
    try:
        targets, record = _doctor_targets(places, checked_scope, browsers, user_data_dir)
        identity = load_identity(extension_manifest, tuple(extension_ids))
        reg = default_registry(places, registry)
    except InstallerError as exc:
        checks.append(Check("install", False, exc.message, exc.hint))
    else:
        fix = _install_command(checked_scope, user_data_dir)
        for target in targets:
            extra = tuple(record.targets.get(target.key, {}).get("extension_ids", ()))
            expected = ExtensionIdentity(identity.chrome_id, identity.gecko_id,
                                         (*identity.extra_chrome_ids, *extra))
            checks.extend(check_target(target, expected, places, reg,
                                       f"{fix} --browser {target.browser.name}", timeout))
    checks.append(check_aws_config(places))
    checks.append(check_federation_override(places.env))
    return checks


def _install_command(scope: Scope, user_data_dir: str | os.PathLike[str] | None) -> str:
    command = "run `roleport install"
    if scope == "system":
        command += " --scope system"
    if user_data_dir is not None:
        command += f" --user-data-dir {shlex.quote(str(user_data_dir))}"
    return command


def _doctor_targets(places: Places, scope: Scope, browsers: Iterable[str] | None,
                    user_data_dir: str | os.PathLike[str] | None
                    ) -> tuple[list[Target], InstallRecord]:
    """Named browsers; else the ones install recorded; else the ones detected here."""
    record = InstallRecord.load(data_folder(places, scope, user_data_dir) / RECORD_FILE_NAME)
    if browsers is not None:
        return plan_targets(places, scope, list(browsers), user_data_dir), record
    if record.targets:
        names = list(dict.fromkeys(entry["browser"] for entry in record.targets.values()))
        targets = plan_targets(places, scope, names, user_data_dir)
        return [target for target in targets if target.key in record.targets], record
    return plan_targets(places, scope, None, user_data_dir), record


def check_target(target: Target, identity: ExtensionIdentity, places: Places,
                 registry: Registry | None, install_command: str,
                 timeout: float = HELLO_TIMEOUT_SECONDS) -> list[Check]:
    """The per-browser checks; stops at the first failure that makes later ones meaningless."""
    name = target.label
    reinstall = f"{install_command}`"
    checks: list[Check] = []
    if registry is not None and target.registry_key is not None:
        value = registry.get_default(target.registry_key)
        if value is None:
            return [Check(f"{name} registry", False, f"{target.registry_key} is missing",
                          reinstall)]
        checks.append(Check(f"{name} registry", value == str(target.manifest_path),
                            f"{target.registry_key} -> {value}", reinstall))
        manifest_path = Path(value)
    else:
        manifest_path = target.manifest_path
    try:
        text = manifest_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [*checks, Check(f"{name} manifest present", False,
                               f"no host manifest at {manifest_path}", reinstall)]
    except (OSError, UnicodeDecodeError) as exc:
        return [*checks, Check(f"{name} manifest present", False,
                               f"{manifest_path} cannot be read ({exc})", reinstall)]
    checks.append(Check(f"{name} manifest present", True, str(manifest_path)))
    try:
        manifest = json.loads(text)
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        return [*checks, Check(f"{name} manifest JSON", False,
                               f"{manifest_path} is not valid JSON ({exc})", reinstall)]
    checks.append(Check(f"{name} manifest JSON", True, "a JSON object"))
    checks.append(_check_fields(name, manifest, target, identity, reinstall))
    checks.append(_check_allowed(name, manifest, target, identity, reinstall))
    launcher = Path(str(manifest.get("path", "")))
    launcher_check = _check_launcher(name, launcher, reinstall)
    checks.append(launcher_check)
    if launcher_check.ok:
        checks.append(check_hello(name, target, launcher, manifest_path, identity, places,
                                  reinstall, timeout))
    return checks


def _check_fields(name: str, manifest: dict[str, Any], target: Target,
                  identity: ExtensionIdentity, reinstall: str) -> Check:
    problems = []
    if manifest.get("name") != HOST_NAME:
        problems.append(f"name is {manifest.get('name')!r}, expected {HOST_NAME!r}")
    if manifest.get("type") != "stdio":
        problems.append(f"type is {manifest.get('type')!r}, expected 'stdio'")
    if manifest.get("path") != str(target.launcher_path):
        problems.append(f"path is {manifest.get('path')!r}, expected '{target.launcher_path}'")
    if problems:
        return Check(f"{name} manifest fields", False, "; ".join(problems), reinstall)
    return Check(f"{name} manifest fields", True, f"name, type and path -> {target.launcher_path}")


def _check_allowed(name: str, manifest: dict[str, Any], target: Target,
                   identity: ExtensionIdentity, reinstall: str) -> Check:
    if target.browser.family == "chromium":
        field, expected = "allowed_origins", identity.allowed_origins
    else:
        field, expected = "allowed_extensions", [identity.gecko_id]
    present = manifest.get(field)
    present_list = present if isinstance(present, list) else []
    missing = [value for value in expected if value not in present_list]
    if missing:
        return Check(f"{name} allowed ids", False,
                     f"{field} lacks {', '.join(missing)} (the extension's id), so the browser "
                     "refuses to start the host", reinstall)
    return Check(f"{name} allowed ids", True, f"{field} has {', '.join(expected)}")


def _check_launcher(name: str, launcher: Path, reinstall: str) -> Check:
    if not launcher.is_absolute() or not launcher.exists():
        return Check(f"{name} launcher", False, f"{launcher} does not exist", reinstall)
    if not is_executable(launcher):
        return Check(f"{name} launcher", False, f"{launcher} is not executable", reinstall)
    try:
        interpreter = launcher_interpreter(launcher.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        interpreter = None
    if interpreter and os.path.isabs(interpreter) and not os.path.exists(interpreter):
        return Check(f"{name} launcher", False,
                     f"{launcher} runs {interpreter}, which no longer exists (moved or deleted "
                     "environment?)", _reinstall_with_this_interpreter(reinstall))
    return Check(f"{name} launcher", True, f"{launcher} is executable")


def _reinstall_with_this_interpreter(reinstall: str) -> str:
    """A moved virtualenv's `roleport` script still names the old interpreter in its shebang,
    so the fix runs the installer with the interpreter doctor itself runs on."""
    here = f"{shlex.quote(sys.executable)} -m roleport_installer install"
    return reinstall.replace("roleport install", here, 1)


def browser_arguments(target: Target, manifest_path: Path, identity: ExtensionIdentity
                      ) -> list[str]:
    """What the browser passes: Chrome the caller's origin (Chrome for Developers, "Native
    messaging"), Firefox the manifest's path and the add-on id (MDN, "Native messaging")."""
    if target.browser.family == "chromium":
        return [chrome_origin(identity.chrome_id)]
    return [str(manifest_path), identity.gecko_id]


def check_hello(name: str, target: Target, launcher: Path, manifest_path: Path,
                identity: ExtensionIdentity, places: Places, reinstall: str,
                timeout: float = HELLO_TIMEOUT_SECONDS) -> Check:
    """Start the launcher like the browser does and exchange a real `hello` frame."""
    check_name = f"{name} hello"
    command, env, via = [str(launcher)], dict(places.env), f"through {launcher}"
    if target.flatpak:
        host_side = _flatpak_host_command(launcher)
        if host_side is None:
            return Check(check_name, False, f"{launcher} is not a flatpak-spawn launcher",
                         reinstall)
        command, variables = host_side
        env.update(variables)
        via = f"as {launcher} starts it outside the sandbox (flatpak-spawn --host)"
    try:
        reply, problem = exchange_hello([*command, *browser_arguments(
            target, manifest_path, identity)], env, launcher.parent, timeout)
    except OSError as exc:
        return Check(check_name, False, f"cannot start {launcher}: {exc.strerror or exc}",
                     reinstall)
    if reply is None:
        return Check(check_name, False, problem,
                     "run the launcher by hand to see its error; if it is a Python error, "
                     f"reinstall roleport, then {reinstall.removeprefix('run ')}")
    if reply.get("ok") is True and isinstance(reply.get("result"), dict):
        version = reply["result"].get("version")
        if isinstance(version, str) and version:
            return Check(check_name, True, f"host {version} answered {via}")
        return Check(check_name, False, "the host's hello reply has no version",
                     "update roleport so extension and host agree on the protocol")
    error: dict[str, Any] = reply["error"] if isinstance(reply.get("error"), dict) else {}
    return Check(check_name, False,
                 f"the host refused hello: {error.get('code', 'no error code')}: "
                 f"{error.get('message', '')}".rstrip(": "),
                 error.get("hint") or reinstall)


def _flatpak_host_command(launcher: Path) -> tuple[list[str], dict[str, str]] | None:
    try:
        return flatpak_host_command(launcher.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def exchange_hello(command: list[str], env: dict[str, str], cwd: Path, timeout: float
                   ) -> tuple[dict[str, Any] | None, str]:
    """Send {"id":1,"action":"hello"}; return (reply, "") or (None, what went wrong).

    The host is always stopped before returning: stdin is closed (a clean end of input), then
    the process is killed if it does not exit promptly, together with anything it started (a
    launcher's child that still holds stdout would otherwise keep doctor waiting past timeout).
    """
    from roleport.framing import FrameError, encode_message, read_message  # lazy: host package

    replies: list[dict[str, Any] | None] = []
    failures: list[str] = []
    with tempfile.TemporaryFile() as stderr_file:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=stderr_file, env=env, cwd=cwd, **_OWN_PROCESS_GROUP)
        assert process.stdin is not None and process.stdout is not None
        stdout = process.stdout

        def read_reply() -> None:
            try:
                replies.append(read_message(stdout))
            except (FrameError, OSError, ValueError) as exc:
                failures.append(f"the host sent a broken frame ({exc})")

        reader = threading.Thread(target=read_reply, name="doctor-hello", daemon=True)
        reader.start()
        try:
            process.stdin.write(encode_message({"id": 1, "action": "hello"}))
            process.stdin.flush()
        except OSError:
            pass  # the host is already gone; the reader reports end of input
        reader.join(timeout)
        timed_out = reader.is_alive()
        try:
            process.stdin.close()
        except OSError:
            pass
        try:
            exit_code = process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            _kill_tree(process)
            exit_code = process.wait()
        reader.join(1)
        if reader.is_alive():  # the host is gone but something it started still holds stdout
            _kill_tree(process)
            reader.join(3)
        if not reader.is_alive():  # closing under a blocked reader would block on its lock
            stdout.close()
        stderr_file.seek(0)
        last_error = _last_line(stderr_file.read())
    if replies and replies[0] is not None:
        return replies[0], ""
    if failures:
        return None, failures[0]
    if timed_out or not replies:
        return None, f"the host did not answer hello within {timeout:g} s"
    detail = f"the host exited with code {exit_code} without answering"
    return None, f"{detail} ({last_error})" if last_error else detail


_OWN_PROCESS_GROUP: dict[str, Any] = (
    {"start_new_session": True} if os.name == "posix"
    else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)})


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    """Kill the host and every process it started (its own process group / Windows tree)."""
    if os.name == "posix":
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return
    # A .cmd launcher's python.exe is a child of cmd.exe: kill the whole tree.
    try:
        subprocess.run(["taskkill", "/T", "/F", "/PID", str(process.pid)],
                       capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        pass
    try:
        process.kill()
    except OSError:
        pass


def _last_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()
             if line.strip()]
    return lines[-1][:200] if lines else ""


def check_aws_config(places: Places) -> Check:
    """Profiles through botocore's own loader (imported lazily: doctor must start fast)."""
    from botocore.configloader import raw_config_parse  # lazy: heavy import
    from botocore.exceptions import ConfigNotFound, ConfigParseError

    located = ConfigFiles.from_environment(places.env)
    files = [Path(located.config_file), Path(located.credentials_file)]
    profiles: set[str] = set()
    found = []
    for index, path in enumerate(files):
        try:
            sections = raw_config_parse(str(path))
        except ConfigNotFound:
            continue
        except ConfigParseError as exc:
            return Check("aws config", False, _describe_parse_error(path, exc.kwargs.get("error")),
                         f"edit {path}: sections look like [profile NAME], entries like "
                         "key = value (`aws configure list-profiles` shows when it parses)")
        found.append(str(path))
        for section in sections:
            if index == 0:  # config: [default] and [profile NAME]
                if section == "default" or section.startswith("profile "):
                    profiles.add(section.removeprefix("profile ").strip())
            else:
                profiles.add(section)
    if not profiles:
        where = " and ".join(found) if found else f"{files[0]} (missing)"
        return Check("aws config", False, f"no AWS profiles in {where}",
                     "create one with `aws configure` or `aws configure sso`")
    return Check("aws config", True, f"{len(profiles)} profiles in {' and '.join(found)}")


def _describe_parse_error(path: Path, error: object) -> str:
    """File, line and kind of a parse error; never the line's text (it may hold a key)."""
    line = getattr(error, "lineno", None)
    if line is None and isinstance(error, configparser.ParsingError) and error.errors:
        line = error.errors[0][0]
    if isinstance(error, configparser.MissingSectionHeaderError):
        kind = "an entry before any [section] header"
    elif isinstance(error, configparser.DuplicateSectionError):
        kind = f"section [{error.section}] appears twice"
    elif isinstance(error, configparser.DuplicateOptionError):
        kind = f"key {error.option!r} appears twice in [{error.section}]"
    elif isinstance(error, UnicodeDecodeError):
        kind = "the file is not UTF-8"
    else:
        kind = "a line that is neither [section] nor key = value"
    at = f" line {line}" if line is not None else ""
    return f"{path}{at} cannot be parsed: {kind}"


def check_federation_override(env: Mapping[str, str]) -> Check:
    value = env.get(ENV_FEDERATION_URL)
    if value:
        return Check("federation endpoint", False,
                     f"{ENV_FEDERATION_URL} is set to {value}, a test hook that sends sign-ins "
                     "to a local stand-in", f"unset {ENV_FEDERATION_URL} (it exists for tests)")
    return Check("federation endpoint", True, "the real AWS sign-in endpoint is used")
