"""`roleport doctor` on a good install (with a real `hello` round trip through the written
launcher and the real roleport-host) and on each kind of broken install."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import pytest
from roleport_installer import FakeRegistry, doctor, install
from roleport_installer.checks import Check, check_aws_config, exchange_hello
from roleport_installer.cli import add_commands
from roleport_installer.platforms import Places

from tests.test_installer import OTHER_ID, make_env, pinned_chrome_id, sealed_environment

__all__ = ["sealed_environment"]  # the autouse fixture, re-used from the installer tests

HOST_HELLO_TIMEOUT = 20.0  # the real host's cold start on a loaded CI machine stays far below


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = make_env(tmp_path)
    config = Path(environment["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True)
    config.write_text("[default]\nregion = us-east-1\n\n[profile dev]\nrole_arn = "
                      "arn:aws:iam::111122223333:role/Dev\nsource_profile = default\n")
    Path(environment["AWS_SHARED_CREDENTIALS_FILE"]).write_text(
        "[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE00\n"
        "aws_secret_access_key = not-a-real-secret\n")
    return environment


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "chromium-profile"


@pytest.fixture
def installed(env: dict[str, str], profile: Path) -> dict[str, str]:
    """`roleport install --browser firefox --browser chromium --user-data-dir X`."""
    install(["firefox", "chromium"], user_data_dir=profile, platform="linux", env=env)
    return env


def run_doctor(env: dict[str, str], profile: Path, **options: object) -> dict[str, Check]:
    checks = doctor(user_data_dir=profile, platform="linux", env=env,
                    timeout=options.pop("timeout", HOST_HELLO_TIMEOUT), **options)  # type: ignore[arg-type]
    by_name = {check.name: check for check in checks}
    assert len(by_name) == len(checks), "check names must be unique"
    return by_name


def failures(checks: dict[str, Check]) -> dict[str, Check]:
    return {name: check for name, check in checks.items() if not check.ok}


def test_good_install_is_all_ok_with_a_real_hello(installed: dict[str, str],
                                                  profile: Path) -> None:
    checks = run_doctor(installed, profile)
    assert failures(checks) == {}
    per_browser = ["manifest present", "manifest JSON", "manifest fields", "allowed ids",
                   "launcher", "hello"]
    assert list(checks) == [
        *(f"chromium {check}" for check in per_browser),
        *(f"firefox {check}" for check in per_browser),
        "aws config", "federation endpoint"]
    # The real host answered: its version is the installed roleport package's.
    from roleport import __version__
    for browser in ("chromium", "firefox"):
        assert checks[f"{browser} hello"].detail.startswith(f"host {__version__} answered")
    assert checks["aws config"].detail.startswith("2 profiles in ")
    assert all(check.line().startswith("ok   ") for check in checks.values())


def test_missing_manifest(installed: dict[str, str], profile: Path) -> None:
    (profile / "NativeMessagingHosts/roleport.json").unlink()
    failed = failures(run_doctor(installed, profile))
    assert list(failed) == ["chromium manifest present"]
    line = failed["chromium manifest present"].line()
    assert line.startswith(f"FAIL chromium manifest present: no host manifest at {profile}")
    assert f"run `roleport install --user-data-dir {profile} --browser chromium`" in line


def test_manifest_that_is_not_json(installed: dict[str, str], profile: Path,
                                   tmp_path: Path) -> None:
    (tmp_path / "home/.mozilla/native-messaging-hosts/roleport.json").write_text("{oops")
    failed = failures(run_doctor(installed, profile))
    assert list(failed) == ["firefox manifest JSON"]
    assert "is not valid JSON" in failed["firefox manifest JSON"].detail


def test_wrong_path(installed: dict[str, str], profile: Path) -> None:
    manifest_file = profile / "NativeMessagingHosts/roleport.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["path"] = "/opt/gone/roleport-host"
    manifest_file.write_text(json.dumps(manifest))
    failed = failures(run_doctor(installed, profile))
    assert list(failed) == ["chromium manifest fields", "chromium launcher"]
    fields = failed["chromium manifest fields"]
    assert "path is '/opt/gone/roleport-host', expected" in fields.detail
    assert failed["chromium launcher"].detail == "/opt/gone/roleport-host does not exist"
    assert "roleport install" in failed["chromium launcher"].fix


def test_wrong_id_in_manifest(installed: dict[str, str], profile: Path) -> None:
    manifest_file = profile / "NativeMessagingHosts/roleport.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["allowed_origins"] = [f"chrome-extension://{OTHER_ID}/"]
    manifest_file.write_text(json.dumps(manifest))
    failed = failures(run_doctor(installed, profile))
    assert list(failed) == ["chromium allowed ids"]
    assert failed["chromium allowed ids"].detail.startswith(
        f"allowed_origins lacks chrome-extension://{pinned_chrome_id()}/")


def test_wrong_id_in_launcher_is_refused_by_the_real_host(installed: dict[str, str],
                                                          profile: Path) -> None:
    launcher = profile / "roleport/firefox/roleport-host"
    launcher.write_text(launcher.read_text().replace("roleport@roleport.dev", "other@example"))
    failed = failures(run_doctor(installed, profile))
    assert list(failed) == ["firefox hello"]
    assert "forbidden_caller" in failed["firefox hello"].detail


def test_launcher_not_executable(installed: dict[str, str], profile: Path) -> None:
    (profile / "roleport/chromium/roleport-host").chmod(0o644)
    failed = failures(run_doctor(installed, profile))
    assert list(failed) == ["chromium launcher"]
    assert failed["chromium launcher"].detail.endswith("is not executable")


def test_moved_environment(env: dict[str, str], profile: Path) -> None:
    install(["firefox"], user_data_dir=profile, platform="linux", env=env,
            interpreter="/old/venv/bin/python")
    failed = failures(run_doctor(env, profile))
    assert list(failed) == ["firefox launcher"]
    assert "runs /old/venv/bin/python, which no longer exists" in failed["firefox launcher"].detail
    # The moved environment's `roleport` script names the old interpreter too: the fix runs
    # the installer with the interpreter that runs doctor.
    assert failed["firefox launcher"].fix == (
        f"run `{sys.executable} -m roleport_installer install --user-data-dir {profile} "
        "--browser firefox`")


def install_with_a_fake_host(env: dict[str, str], profile: Path, folder: Path,
                             native_source: str) -> None:
    """Launchers whose interpreter runs a fake `roleport` instead of the real one: the host
    crashes or hangs exactly where the real one would start. (PYTHONPATH cannot shadow the
    real package: the launcher runs Python in isolated mode.)"""
    package = folder / "roleport"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("__version__ = '0-fake'\n")
    (package / "native.py").write_text(native_source)
    entry = (f"import sys; sys.path.insert(0, {str(folder)!r}); "
             "from roleport.native import main; raise SystemExit(main())")
    interpreter = folder / "python"
    interpreter.write_text(f"#!/bin/sh\nexec {shlex.join([sys.executable, '-I', '-c', entry])}\n")
    interpreter.chmod(0o755)
    install(["firefox", "chromium"], user_data_dir=profile, platform="linux", env=env,
            interpreter=str(interpreter))


def test_crashing_host(installed: dict[str, str], profile: Path, tmp_path: Path) -> None:
    install_with_a_fake_host(installed, profile, tmp_path / "crash",
                             "def main():\n    raise RuntimeError('host exploded on start')\n")
    failed = failures(run_doctor(installed, profile))
    assert list(failed) == ["chromium hello", "firefox hello"]
    detail = failed["chromium hello"].detail
    assert detail.startswith("the host exited with code 1 without answering")
    assert "RuntimeError: host exploded on start" in detail
    assert "run the launcher by hand" in failed["chromium hello"].fix


def test_hanging_host_is_bounded_by_the_timeout(installed: dict[str, str], profile: Path,
                                                tmp_path: Path) -> None:
    install_with_a_fake_host(installed, profile, tmp_path / "hang",
                             "import time\n\ndef main():\n    time.sleep(3600)\n")
    failed = failures(run_doctor(installed, profile, browsers=["chromium"], timeout=1.0))
    assert list(failed) == ["chromium hello"]
    assert failed["chromium hello"].detail == "the host did not answer hello within 1 s"


def test_exchange_hello_with_a_fake_host_speaking_real_frames(tmp_path: Path) -> None:
    host = tmp_path / "host.py"
    host.write_text(
        "import json, struct, sys\n"
        "size = struct.unpack('=I', sys.stdin.buffer.read(4))[0]\n"
        "request = json.loads(sys.stdin.buffer.read(size))\n"
        "body = json.dumps({'id': request['id'], 'ok': True,\n"
        "                   'result': {'version': request['action']}}).encode()\n"
        "sys.stdout.buffer.write(struct.pack('=I', len(body)) + body)\n"
        "sys.stdout.buffer.flush()\n")
    reply, problem = exchange_hello([sys.executable, str(host)], {}, tmp_path, 10.0)
    assert problem == ""
    assert reply == {"id": 1, "ok": True, "result": {"version": "hello"}}


def test_missing_install(env: dict[str, str], profile: Path) -> None:
    failed = failures(run_doctor(env, profile, browsers=["firefox"]))
    assert list(failed) == ["firefox manifest present"]


def test_nothing_installed_nor_detected(env: dict[str, str], tmp_path: Path) -> None:
    checks = doctor(platform="linux", env=env)
    assert not checks[0].ok and checks[0].name == "install"
    assert "No supported browser was found" in checks[0].detail


def test_aws_config_parse_error_names_file_and_line(installed: dict[str, str],
                                                    profile: Path) -> None:
    config = Path(installed["AWS_CONFIG_FILE"])
    config.write_text("[default]\nregion = us-east-1\nthis line is garbage\n")
    failed = failures(run_doctor(installed, profile, browsers=["firefox"]))
    assert list(failed) == ["aws config"]
    assert failed["aws config"].detail == (
        f"{config} line 3 cannot be parsed: a line that is neither [section] nor key = value")


def test_aws_config_error_never_shows_the_offending_line(installed: dict[str, str],
                                                         profile: Path) -> None:
    credentials = Path(installed["AWS_SHARED_CREDENTIALS_FILE"])
    credentials.write_text("aws_secret_access_key = TOPSECRETVALUE\n[default]\n")
    check = run_doctor(installed, profile, browsers=["firefox"])["aws config"]
    assert not check.ok
    assert check.detail == (f"{credentials} line 1 cannot be parsed: an entry before any "
                            "[section] header")
    assert "TOPSECRETVALUE" not in check.line()


def test_aws_config_paths_expand_variables_and_tilde_as_botocore_does(
        env: dict[str, str]) -> None:
    home = Path(env["HOME"])
    env["AWS_CONFIG_FILE"] = "$HOME/.aws/config"
    env["AWS_SHARED_CREDENTIALS_FILE"] = "~/.aws/credentials"
    check = check_aws_config(Places.resolve("linux", env))
    assert check.ok, check.line()
    assert check.detail == (
        f"2 profiles in {home / '.aws' / 'config'} and {home / '.aws' / 'credentials'}")


def test_no_aws_profiles(installed: dict[str, str], profile: Path) -> None:
    Path(installed["AWS_CONFIG_FILE"]).unlink()
    Path(installed["AWS_SHARED_CREDENTIALS_FILE"]).unlink()
    failed = failures(run_doctor(installed, profile, browsers=["firefox"]))
    assert list(failed) == ["aws config"]
    assert "aws configure" in failed["aws config"].fix


def test_federation_override_outside_tests(installed: dict[str, str], profile: Path) -> None:
    installed["ROLEPORT_FEDERATION_URL"] = "http://127.0.0.1:9/federation"
    failed = failures(run_doctor(installed, profile, browsers=["firefox"]))
    assert list(failed) == ["federation endpoint"]
    assert failed["federation endpoint"].fix == (
        "unset ROLEPORT_FEDERATION_URL (it exists for tests)")


def test_windows_registry_missing_value(tmp_path: Path) -> None:
    registry = FakeRegistry()
    env = make_env(tmp_path, LOCALAPPDATA=str(tmp_path / "local"))
    install(["firefox"], platform="windows", env=env, registry=registry)
    registry.delete_key(r"HKCU\Software\Mozilla\NativeMessagingHosts\roleport")
    checks = doctor(["firefox"], platform="windows", env=env, registry=registry)
    assert checks[0].name == "firefox registry" and not checks[0].ok
    assert checks[0].detail.endswith("NativeMessagingHosts\\roleport is missing")


def test_cli_doctor_exit_code(installed: dict[str, str], profile: Path,
                              monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in installed.items():
        monkeypatch.setenv(name, value)
    parser = argparse.ArgumentParser(prog="roleport")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["doctor", "--user-data-dir", str(profile)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert out.count("\nok   ") + out.startswith("ok   ") == 14
    assert out.endswith("all checks passed\n")

    (profile / "NativeMessagingHosts/roleport.json").unlink()
    assert args.func(args) == 1
    out = capsys.readouterr().out
    assert "FAIL chromium manifest present" in out
    assert out.endswith("1 check(s) failed\n")


def test_roleport_command_install_doctor_uninstall(env: dict[str, str], tmp_path: Path) -> None:
    """install, doctor, uninstall through the installed `roleport` console script, in a sealed
    env."""
    import subprocess

    roleport = Path(sys.executable).with_name("roleport")
    profile = tmp_path / "X"

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(roleport), *arguments], env=env, capture_output=True,
                              text=True, timeout=60, check=False)

    done = run("install", "--browser", "firefox", "--browser", "chromium",
               "--user-data-dir", str(profile))
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == ["firefox", "chromium"]
    done = run("doctor", "--user-data-dir", str(profile))
    assert done.returncode == 0, done.stdout
    assert "ok   chromium hello: host " in done.stdout
    assert "ok   firefox hello: host " in done.stdout
    done = run("install", "--browser", "safari")
    assert done.returncode == 64
    assert "Unknown browser 'safari'" in done.stderr and done.stdout == ""
    done = run("uninstall", "--user-data-dir", str(profile))
    assert done.returncode == 0, done.stderr
    assert not profile.exists()
    assert not (tmp_path / "home/.mozilla/native-messaging-hosts/roleport.json").exists()


def test_flatpak_install_is_checked_outside_the_sandbox(env: dict[str, str]) -> None:
    """flatpak-spawn exists only inside a sandbox: doctor runs the launcher's host-side command
    (with the variables it forwards) instead of failing every flatpak install."""
    home = Path(env["HOME"])
    (home / ".var/app/org.mozilla.firefox").mkdir(parents=True)
    install(["firefox"], platform="linux", env=env)
    checks = {check.name: check for check in
              doctor(platform="linux", env=env, timeout=HOST_HELLO_TIMEOUT)}
    hello = checks["firefox (flatpak) hello"]
    assert hello.ok, hello.line()
    assert "outside the sandbox (flatpak-spawn --host)" in hello.detail
    assert checks["firefox hello"].ok


def test_flatpak_host_command_forwards_the_allowed_callers(env: dict[str, str],
                                                           tmp_path: Path) -> None:
    """A wrong id in the flatpak launcher's --env is refused by the real host, as in the
    sandbox: the variable is really forwarded, not taken from doctor's own environment."""
    home = Path(env["HOME"])
    (home / ".var/app/org.mozilla.firefox").mkdir(parents=True)
    install(["firefox"], platform="linux", env=env)
    launcher = home / ".var/app/org.mozilla.firefox/data/roleport/roleport-host"
    launcher.write_text(launcher.read_text().replace("roleport@roleport.dev", "other@example"))
    checks = {check.name: check for check in
              doctor(["firefox"], platform="linux", env=env, timeout=HOST_HELLO_TIMEOUT)}
    assert checks["firefox hello"].ok
    assert not checks["firefox (flatpak) hello"].ok
    assert "the host refused hello" in checks["firefox (flatpak) hello"].detail


def test_fix_quotes_a_profile_folder_with_spaces(env: dict[str, str], tmp_path: Path) -> None:
    """Each FAIL line's fix is a command that works when pasted (macOS folders have spaces)."""
    profile = tmp_path / "Application Support" / "chromium profile"
    failed = failures(run_doctor(env, profile, browsers=["chromium"]))
    assert failed["chromium manifest present"].fix == (
        f"run `roleport install --user-data-dir '{profile}' --browser chromium`")


def test_hello_timeout_holds_when_the_launcher_leaves_a_child_on_stdout(tmp_path: Path) -> None:
    """A launcher whose child keeps stdout open (a wrapper that does not exec) must not keep
    doctor past its timeout, and nothing it started may outlive the check."""
    import os
    import signal
    import threading

    pid_file = tmp_path / "child.pid"
    launcher = tmp_path / "launcher"
    launcher.write_text(f"#!/bin/sh\nsleep 600 &\necho $! > {pid_file}\nwait\n")
    launcher.chmod(0o755)
    outcome: list[tuple[object, str]] = []
    worker = threading.Thread(target=lambda: outcome.append(exchange_hello(
        [str(launcher)], {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, tmp_path, 1.0)),
        daemon=True)
    worker.start()
    try:
        worker.join(60)  # far above timeout + grace, far below the child's 600 s
        assert not worker.is_alive(), "doctor waited for the launcher's child"
        assert outcome == [(None, "the host did not answer hello within 1 s")]
        child = Path(f"/proc/{int(pid_file.read_text())}/stat")
        # Gone, or a zombie waiting for init to reap it: either way no longer running.
        assert _wait_until(lambda: not child.exists() or
                           child.read_text().rsplit(")", 1)[1].split()[0] == "Z"), \
            "the launcher's child outlived the check"
    finally:
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass


def _wait_until(condition: object, timeout: float = 10.0) -> bool:
    """Poll a condition (no fixed sleep decides the outcome)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():  # type: ignore[operator]
                return True
        except OSError:
            return True  # the /proc entry vanished between the checks
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_cli_doctor_refuses_a_timeout_that_is_not_positive(
        value: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--timeout 0 or -1 would report every healthy host as not answering."""
    parser = argparse.ArgumentParser(prog="roleport")
    add_commands(parser.add_subparsers(dest="command", required=True))
    with pytest.raises(SystemExit) as caught:
        parser.parse_args(["doctor", "--timeout", value])
    assert caught.value.code == 2
    assert "is not a number of seconds above 0" in capsys.readouterr().err
