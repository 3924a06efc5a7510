"""The real `roleport-host` process against credential sources that misbehave: background
children holding pipes, floods of output, a host killed while a credential_process runs,
AWS STS that never answers."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from roleport.clients import STS_READ_TIMEOUT
from roleport.rules import LOGIN_DEADLINE_SECONDS

from support.hostproc import CHROME_CALLER, HostProcess, host_env
from support.standin import StandIn
from support.waiting import wait_for
from tests.conftest import AwsHome
from tests.test_hostile_credentials import is_running
from tests.test_native_host import CONFIG, CREDENTIALS

PERSON = "alice-host"


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "host.log"


def start_host(aws_home: AwsHome, log_file: Path, extra_config: str) -> HostProcess:
    aws_home.write_config(CONFIG + extra_config)
    aws_home.write_credentials(CREDENTIALS)
    env = host_env(os.environ, log_file)
    env["LOGNAME"] = PERSON
    return HostProcess([CHROME_CALLER], env)


@pytest.fixture
def pid_file(tmp_path: Path) -> Path:
    return tmp_path / "pids"


def recorded_pids(pid_file: Path) -> list[int]:
    return [int(word) for word in pid_file.read_text().split()] if pid_file.exists() else []


def watching(pgid: int) -> bool:
    """A watcher of process group `pgid` runs (`sh -c ... roleport-watch <pgid>`)."""
    wanted = f"roleport-watch\0{pgid}\0".encode()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and wanted in (entry / "cmdline").read_bytes():
                return True
        except OSError:  # the process ended meanwhile
            continue
    return False


def peak_rss_kib(pid: int) -> int:
    """The process's peak resident set size (VmHWM, Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


def test_background_children_never_hold_the_host(
        aws_home: AwsHome, standin: StandIn, log_file: Path, pid_file: Path) -> None:
    # Each login leaves a child holding the pipes. Before, the four slow workers waited on
    # them for good and every later login of any profile timed out.
    with start_host(aws_home, log_file, f"""
    [profile bg]
    credential_process = sh -c "sleep 600 & echo $! >> {pid_file}"
""") as host:
        for index in range(5):
            host.request(f"bg{index}", "login", {"profile": "bg"})
        replies = [host.reply(timeout=15) for _ in range(5)]
        assert {reply["id"] for reply in replies} == {f"bg{index}" for index in range(5)}
        for reply in replies:
            assert reply["error"]["code"] == "no_credentials"
            assert reply["error"]["profile"] == "bg"
        wait_for(lambda: len(recorded_pids(pid_file)) == 5, message="five children recorded")
        for child in recorded_pids(pid_file):
            wait_for(lambda child=child: not is_running(child), message=f"child {child} stopped")

        login = host.call("admin", "login", {"profile": "admin"}, timeout=15)
        assert login["ok"] is True, login
        identity = login["result"]["identity"]
        assert identity["session_name"] == PERSON  # the session is named after the person
        assert identity["arn"].endswith(f":assumed-role/Admin/{PERSON}")
        assert host.wait() == 0


def test_a_flood_of_output_does_not_grow_the_host(
        aws_home: AwsHome, standin: StandIn, log_file: Path) -> None:
    with start_host(aws_home, log_file, """
    [profile flood-out]
    credential_process = head -c 1000000000 /dev/zero

    [profile flood-err]
    credential_process = sh -c "head -c 300000000 /dev/zero >&2"
""") as host:
        assert host.call("warm", "login", {"profile": "admin"}, timeout=20)["ok"] is True
        before = peak_rss_kib(host.process.pid)

        out = host.call("out", "login", {"profile": "flood-out"}, timeout=20)["error"]
        err = host.call("err", "login", {"profile": "flood-err"}, timeout=20)["error"]
        grown = peak_rss_kib(host.process.pid) - before
        assert grown < 64 * 1024, f"the host's peak memory grew by {grown} KiB"

        assert out["code"] == "no_credentials"
        assert "printed more than 1024 KiB; it was stopped" in out["message"]
        assert err["code"] == "no_credentials"
        assert "did not print a JSON document" in err["message"]
        assert host.wait() == 0


@pytest.mark.parametrize("ending", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_credential_process_does_not_outlive_the_host(
        aws_home: AwsHome, standin: StandIn, log_file: Path, pid_file: Path,
        ending: signal.Signals) -> None:
    with start_host(aws_home, log_file, f"""
    [profile hang]
    credential_process = sh -c "sleep 600 & echo $$ $! > {pid_file}; wait"
""") as host:
        host.request("hang", "login", {"profile": "hang"})
        wait_for(lambda: len(recorded_pids(pid_file)) == 2, message="the process starting")
        command = recorded_pids(pid_file)[0]  # the group's leader: its pid is the group's id
        # The host starts the watcher right after the command; only the instant between the
        # two is not covered.
        wait_for(lambda: watching(command), message="the watcher starting")
        host.process.send_signal(ending)
        host.process.wait(timeout=10)
    for pid in recorded_pids(pid_file):  # the command and its child
        wait_for(lambda pid=pid: not is_running(pid), message=f"process {pid} stopped")


def test_a_hanging_sts_is_named_before_the_login_deadline(
        aws_home: AwsHome, standin: StandIn, log_file: Path) -> None:
    standin.hang_seconds = 2 * LOGIN_DEADLINE_SECONDS
    standin.inject_sts_fault("timeout", action="AssumeRole", count=10)
    with start_host(aws_home, log_file, "") as host:
        started = time.monotonic()
        reply = host.call("sts", "login", {"profile": "admin"}, timeout=LOGIN_DEADLINE_SECONDS + 10)
        elapsed = time.monotonic() - started
        assert reply["error"]["code"] == "timeout"
        assert reply["error"]["message"] == (
            f"AWS STS did not answer within {STS_READ_TIMEOUT:g} seconds.")
        assert elapsed < LOGIN_DEADLINE_SECONDS
        assert host.wait() == 0


@pytest.fixture(autouse=True)
def _no_process_left(pid_file: Path) -> Iterator[None]:
    """Whatever a test's processes did, none of them survives it."""
    yield
    for pid in recorded_pids(pid_file):
        if is_running(pid):
            os.kill(pid, signal.SIGKILL)
