"""Hostile and broken credential sources, through the real pipeline against the stand-in: a
credential_process that misbehaves, a credential cache that was tampered with or damaged,
AWS STS failing or hanging, role chains too deep to follow; and whose name a role session
carries."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import stat
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from roleport import clients, rules
from roleport.actions import ACTIONS
from roleport.credentials import process as credential_process
from roleport.credentials.profile import MAX_ROLE_CHAIN
from roleport.credentials.session_name import person_session_name
from roleport.error_map import map_error
from roleport.errors import ERRORS, RoleportError
from roleport.federation import READ_TIMEOUT_SECONDS
from roleport.pipeline import Pipeline

from support.waiting import wait_for
from tests.test_pipeline import (  # the pipeline suite's config and helpers
    CONFIG,
    CREDENTIALS,
    _issue_role_credentials,
    _write_issuing_process,
    cache_dir,
    login_query,
    sts_actions,
)

ADMIN_ARN = "arn:aws:iam::123456789012:role/Admin"
FOREIGN_UID = 54321  # tests run as root, which may hand a file to any uid


@pytest.fixture
def aws(standin, aws_home):
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    return standin


def aws_cli_key(arguments: dict) -> str:
    """The file name the AWS CLI gives the cache entry of these AssumeRole arguments."""
    return hashlib.sha1(json.dumps(arguments, sort_keys=True).encode()).hexdigest()


ADMIN_ENTRY = aws_cli_key({"RoleArn": ADMIN_ARN}) + ".json"


def process_state(pid: int) -> str | None:
    """The /proc state letter of `pid` (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as status:
            return status.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def is_running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for init to reap it)."""
    return process_state(pid) not in (None, "Z")


def add_profile(aws_home, text: str) -> None:
    aws_home.write_config(CONFIG + "\n" + text.strip() + "\n")


def login_bounded(pipeline: Pipeline, profile: str, seconds: float = 30.0, **kwargs):
    """pipeline.login that fails the test instead of hanging it (a daemon thread: a login
    stuck for good cannot hold the test run either)."""
    outcome: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            outcome.put((True, pipeline.login(profile, **kwargs)))
        except BaseException as exc:  # handed to the test thread below
            outcome.put((False, exc))

    threading.Thread(target=run, daemon=True).start()
    try:
        succeeded, value = outcome.get(timeout=seconds)
    except queue.Empty:
        pytest.fail(f"login of {profile!r} still running after {seconds} s")
    if not succeeded:
        raise value
    return value


def login_error(pipeline: Pipeline, profile: str, **kwargs) -> RoleportError:
    with pytest.raises(RoleportError) as caught:
        login_bounded(pipeline, profile, **kwargs)
    return caught.value


# -- credential_process ---------------------------------------------------------------------

def test_a_background_child_holding_the_output_does_not_hold_the_login(
        aws, aws_home, pipeline, tmp_path):
    pid_file = tmp_path / "child.pid"
    add_profile(aws_home, f"""
[profile bg]
credential_process = sh -c "sleep 600 & echo $! > {pid_file}"
""")
    started = time.monotonic()
    error = login_error(pipeline, "bg")
    assert time.monotonic() - started < 10
    assert error.code == "no_credentials" and "'bg'" in error.message
    assert "did not print a JSON document" in error.message
    child = int(pid_file.read_text())
    wait_for(lambda: not is_running(child), message="the background child being stopped")
    assert login_bounded(pipeline, "admin").identity["role"] == "Admin"


def test_a_timed_out_process_is_stopped_with_everything_it_started(
        aws, aws_home, pipeline, tmp_path, monkeypatch):
    import roleport.botocore_hooks

    monkeypatch.setattr(roleport.botocore_hooks, "CREDENTIAL_PROCESS_TIMEOUT_SECONDS", 1.0)
    pid_file = tmp_path / "child.pid"
    add_profile(aws_home, f"""
[profile stuck]
credential_process = sh -c "sleep 600 & echo $! > {pid_file}; wait"
""")
    error = login_error(pipeline, "stuck")
    assert error.code == "timeout" and error.to_dict()["profile"] == "stuck"
    assert error.message == ("Profile 'stuck': its credential_process did not answer within "
                             "1 seconds.")
    child = int(pid_file.read_text())
    wait_for(lambda: not is_running(child), message="the grandchild being stopped")


@pytest.mark.parametrize(("command", "detail"), [
    ("head -c 100000000 /dev/zero", "printed more than 1024 KiB; it was stopped"),
    ("sh -c 'exit 3'", "exited with status 3; run it in a terminal"),
    ("sh -c 'kill -TERM $$'", "was ended by signal 15"),
    ("echo '[1, 2]'", "printed JSON that is not an object"),
    ("echo '{\"Version\": 2}'", "printed no \"Version\": 1"),
    ("echo '{\"Version\": 1, \"SecretAccessKey\": \"leaked-value\"}'", "printed no AccessKeyId"),
    ("/nonexistent/credential-helper", "could not be started (No such file or directory)"),
    ("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIAX\", \"SecretAccessKey\": \"s\", "
     "\"SessionToken\": 5}'", "printed a SessionToken that is not text"),
    ("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIAX\", \"SecretAccessKey\": \"s\", "
     "\"Expiration\": \"tomorrow\"}'", "printed an Expiration that is not an ISO 8601 time"),
], ids=["too-much-output", "exit-status", "signal", "json-array", "version", "no-key-id",
        "not-found", "token-not-text", "expiration-garbage"])
def test_each_way_a_process_fails_is_named_without_its_output(
        aws, aws_home, pipeline, command, detail):
    add_profile(aws_home, f"[profile proc]\ncredential_process = {command}\n")
    error = login_error(pipeline, "proc")
    assert error.code == "no_credentials"
    assert error.message.startswith("No credentials found for profile 'proc': its "
                                    "credential_process ")
    assert detail in error.message
    assert "leaked-value" not in error.message + error.hint
    assert aws.sts_calls == []


def test_a_process_flooding_stderr_still_hands_over_its_credentials(
        aws, aws_home, pipeline, tmp_path):
    # stderr is read while stdout is: a full stderr pipe must not block the process, and
    # what goes past the kept 64 KiB is dropped, not stored.
    issued = _issue_role_credentials(aws)
    script = _write_issuing_process(tmp_path, issued)
    flood = tmp_path / "flood.sh"
    flood.write_text(f"head -c 5000000 /dev/zero >&2\nexec {sys.executable} {script}\n")
    add_profile(aws_home, f"[profile proc]\ncredential_process = sh {flood}\nregion = eu-west-1\n")
    result = login_bounded(pipeline, "proc")
    assert aws.signin_token_identity(login_query(result)["SigninToken"]).role == "Proc"


def test_kill_running_processes_stops_every_group_still_running(tmp_path):
    pid_file = tmp_path / "child.pid"
    script = f"sleep 600 & echo $! > {pid_file}; wait"
    process = credential_process.BoundedProcess(["sh", "-c", script], profile="p",
                                                stdout=-1, stderr=-1)
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(process.communicate)
        wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(),
                 message="the child starting")
        assert credential_process.kill_running_processes() >= 1
        with pytest.raises(RoleportError) as caught:
            running.result(timeout=10)
    assert caught.value.fields["detail"].endswith("was ended by signal 9")
    wait_for(lambda: not is_running(int(pid_file.read_text())),
             message="the grandchild being stopped")
    assert credential_process.kill_running_processes() == 0  # nothing left to track


# -- the credential cache -------------------------------------------------------------------

def planted_entry(aws) -> dict:
    """A well-formed cache entry holding real credentials of another role: if roleport used
    it, the console would open as 'Planted'."""
    issued = _issue_role_credentials(aws, "Planted")
    return {"Credentials": {"AccessKeyId": issued["AccessKeyId"],
                            "SecretAccessKey": issued["SecretAccessKey"],
                            "SessionToken": issued["SessionToken"],
                            "Expiration": issued["Expiration"].isoformat()},
            "AssumedRoleUser": {"Arn": "arn:aws:sts::123456789012:assumed-role/Planted/x"}}


def _text(path: Path, content: str) -> None:
    path.write_text(content)
    path.chmod(0o600)


def _foreign(path: Path, content: str) -> None:
    _text(path, content)
    os.chown(path, FOREIGN_UID, FOREIGN_UID)


def _writable(path: Path, content: str) -> None:
    _text(path, content)
    path.chmod(0o666)


def _link_outside(path: Path, content: str) -> None:
    outside = path.parent.parent / "elsewhere.json"
    _text(outside, content)
    path.symlink_to(outside)


def _fifo(path: Path, content: str) -> None:
    os.mkfifo(path, 0o600)  # opening it for reading would wait for a writer forever


def _folder(path: Path, content: str) -> None:
    path.mkdir()


CORRUPT_FORMS = {
    "truncated-json": lambda path, entry: _text(path, "{"),
    "not-utf8": lambda path, entry: path.write_bytes(b"\xff\xfe{}"),
    "a-json-list": lambda path, entry: _text(path, "[]"),
    "no-credentials": lambda path, entry: _text(path, json.dumps({"Credentials": {}})),
    "credentials-a-string": lambda path, entry: _text(path, json.dumps({"Credentials": "x"})),
    "expiration-garbage": lambda path, entry: _text(path, json.dumps(
        {**entry, "Credentials": {**entry["Credentials"], "Expiration": "soon"}})),
    "expiration-a-number": lambda path, entry: _text(path, json.dumps(
        {**entry, "Credentials": {**entry["Credentials"], "Expiration": 4102444800}})),
    "expiration-without-zone": lambda path, entry: _text(path, json.dumps(
        {**entry, "Credentials": {**entry["Credentials"], "Expiration": "2099-01-01T00:00:00"}})),
    "too-large": lambda path, entry: _text(path, json.dumps({**entry, "pad": "x" * 70000})),
    "a-folder": lambda path, entry: _folder(path, ""),
    "a-fifo": lambda path, entry: _fifo(path, ""),
    "owned-by-another-user": lambda path, entry: _foreign(path, json.dumps(entry)),
    "world-writable": lambda path, entry: _writable(path, json.dumps(entry)),
    "a-link-out-of-the-folder": lambda path, entry: _link_outside(path, json.dumps(entry)),
}
REASONS = {
    "truncated-json": "is not JSON", "not-utf8": "is not JSON",
    "a-json-list": "is not a JSON object", "no-credentials": "has no Credentials.AccessKeyId",
    "credentials-a-string": "has no Credentials object",
    "expiration-garbage": "has no readable Credentials.Expiration",
    "expiration-a-number": "has no readable Credentials.Expiration",
    "expiration-without-zone": "has no readable Credentials.Expiration",
    "too-large": "is larger than 64 KiB", "a-folder": "is not a regular file",
    "a-fifo": "is not a regular file",
    "owned-by-another-user": f"belongs to another user (uid {FOREIGN_UID})",
    "world-writable": "can be written by other users (mode 0o666)",
    "a-link-out-of-the-folder": "is a symbolic link",
}


@pytest.mark.parametrize("form", sorted(CORRUPT_FORMS))
def test_an_untrustworthy_cache_entry_is_a_logged_miss_and_is_replaced(
        aws, aws_home, pipeline, caplog, form):
    entry = planted_entry(aws)
    directory = cache_dir(aws_home)
    directory.mkdir(parents=True, mode=0o700)
    path = directory / ADMIN_ENTRY
    CORRUPT_FORMS[form](path, entry)
    caplog.set_level(logging.INFO, logger="roleport")

    for _ in range(2):  # every later login too, not only the first
        result = login_bounded(pipeline, "admin", seconds=20)
        assert result.identity["role"] == "Admin"
    assert len(sts_actions(aws, "AssumeRole", "role/Admin")) == 1  # then the new entry served

    info = path.lstat()
    assert stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid()
    assert stat.S_IMODE(info.st_mode) == 0o600
    replaced = json.loads(path.read_text())
    assert replaced["AssumedRoleUser"]["Arn"].split("/")[1] == "Admin"
    logged = caplog.text
    assert f"ignoring the cache entry {path}: it {REASONS[form]}" in logged
    for secret in entry["Credentials"].values():
        assert secret not in logged


def test_a_full_folder_in_the_place_of_an_entry_does_not_fail_the_login(
        aws, aws_home, pipeline, caplog):
    path = cache_dir(aws_home) / ADMIN_ENTRY
    (path / "inside").mkdir(parents=True)
    caplog.set_level(logging.INFO, logger="roleport")
    assert login_bounded(pipeline, "admin").identity["role"] == "Admin"
    assert path.is_dir()  # left alone: roleport deletes no folder with something in it
    assert f"could not write the cache entry {path}" in caplog.text


def test_a_cache_folder_open_to_others_is_made_private(aws, aws_home, pipeline):
    directory = cache_dir(aws_home)
    directory.mkdir(parents=True)
    directory.chmod(0o777)
    login_bounded(pipeline, "admin")
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert (directory / ADMIN_ENTRY).is_file()


def test_a_cache_folder_created_by_roleport_is_private(aws, aws_home, pipeline):
    login_bounded(pipeline, "admin")
    assert stat.S_IMODE(cache_dir(aws_home).stat().st_mode) == 0o700


def test_a_cache_path_that_is_not_a_folder_is_a_config_error_naming_it(aws, aws_home, pipeline):
    directory = cache_dir(aws_home)
    directory.parent.mkdir(parents=True)
    directory.write_text("not a folder")
    error = login_error(pipeline, "admin")
    assert error.code == "config_error"
    assert str(directory) in error.message and "is not a folder" in error.message
    assert str(directory) in error.hint
    assert sts_actions(aws, "AssumeRole") == []


def test_a_cache_folder_of_another_user_is_a_config_error(aws, aws_home, pipeline):
    directory = cache_dir(aws_home)
    directory.mkdir(parents=True, mode=0o700)
    os.chown(directory, FOREIGN_UID, FOREIGN_UID)
    error = login_error(pipeline, "admin")
    assert error.code == "config_error"
    assert f"{directory} belongs to another user (uid {FOREIGN_UID})" in error.message


def test_a_linked_cache_folder_is_judged_by_the_folder_it_leads_to(
        aws, aws_home, pipeline, tmp_path):
    foreign = tmp_path / "foreign-cache"
    foreign.mkdir(mode=0o777)
    os.chown(foreign, FOREIGN_UID, FOREIGN_UID)
    directory = cache_dir(aws_home)
    directory.parent.mkdir(parents=True)
    directory.symlink_to(foreign)
    error = login_error(pipeline, "admin")
    assert error.code == "config_error" and "belongs to another user" in error.message
    assert list(foreign.iterdir()) == []  # nothing read from or written to it

    own = tmp_path / "own-cache"  # a private folder elsewhere (a tmpfs, say) is fine
    own.mkdir(mode=0o755)
    directory.unlink()
    directory.symlink_to(own)
    login_bounded(pipeline, "admin")
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    assert (own / ADMIN_ENTRY).is_file()


def test_a_chained_role_cached_by_botocore_is_reused(aws, pipeline):
    # botocore writes Expiration as "...UTC"; read as unknown, the entry was hidden as too
    # short and the role assumed again at every login.
    pipeline.login("deep")
    pipeline.login("deep")
    assert len(sts_actions(aws, "AssumeRole", "role/Deep")) == 1


# -- AWS STS --------------------------------------------------------------------------------

def test_an_sts_server_fault_is_aws_unavailable_naming_sts(aws, pipeline):
    aws.inject_sts_fault("http_500", action="AssumeRole", count=5)
    error = login_error(pipeline, "admin")
    assert error.code == "aws_unavailable"
    assert error.message == "AWS STS answered HTTP 500; AWS may be having problems."
    assert error.hint.startswith("Try again in a minute; check the AWS Health Dashboard")
    assert error.to_dict()["profile"] == "admin"


def test_aws_unavailable_has_an_exit_code_of_its_own():
    codes = [kind.exit_code for kind in ERRORS.values() if kind.code != "aws_unavailable"]
    assert ERRORS["aws_unavailable"].exit_code not in codes


def test_an_sts_read_timeout_is_answered_at_once_not_retried(aws):
    aws.hang_seconds = 30.0
    aws.inject_sts_fault("timeout", action="AssumeRole", count=10)
    quick = Pipeline(connect_timeout=1, read_timeout=0.5)
    try:
        with pytest.raises(RoleportError) as caught:
            quick.login("admin")
    finally:
        quick.close()
    assert caught.value.message == "AWS STS did not answer within 0.5 seconds."
    assert len([call for call in aws.sts_calls if call.fault == "timeout"]) == 1


def test_sts_attempts_stop_where_the_window_would_be_overrun(aws, monkeypatch):
    # The stand-in drops the first AssumeRole after 0.8 s, well before the 5 s read timeout
    # (a retryable connection error); a retry could end at 0.8 + 1 + 5 s, past the 6.5 s
    # window opened by the first attempt: it is not started. A busy machine only makes the
    # retry later, further past the window.
    aws.hang_seconds = 0.8
    aws.inject_sts_fault("timeout", action="AssumeRole", count=1)
    windows: list[clients.StsWindow] = []
    real_window = clients.sts_window

    @contextlib.contextmanager
    def recorded_window(seconds, attempt_seconds):
        with real_window(seconds, attempt_seconds) as window:
            windows.append(window)
            yield window

    monkeypatch.setattr(clients, "sts_window", recorded_window)
    quick = Pipeline(connect_timeout=1, read_timeout=5, sts_window_seconds=6.5)
    try:
        with pytest.raises(RoleportError) as caught:
            quick.login("admin")
        ended = time.monotonic()
    finally:
        quick.close()
    assert caught.value.message == "AWS STS did not answer within 6.5 seconds."
    assert len([call for call in aws.sts_calls if call.action == "AssumeRole"]) == 1
    # Timed from the window's opening (the first attempt), not from the config parse and
    # the client set-up before it, which a busy machine stretches.
    [window] = windows
    assert window.opened_at is not None and ended - window.opened_at < window.seconds


def test_every_time_limit_fits_in_the_login_deadline():
    deadline = rules.LOGIN_DEADLINE_SECONDS
    assert ACTIONS["login"].deadline_seconds == deadline
    # STS: its window, then the sign-in endpoint's read timeout, before the deadline.
    assert clients.STS_WINDOW_SECONDS + READ_TIMEOUT_SECONDS <= deadline
    assert clients.STS_CONNECT_TIMEOUT + clients.STS_READ_TIMEOUT <= clients.STS_WINDOW_SECONDS
    assert credential_process.TIMEOUT_SECONDS < deadline


# -- role chains ----------------------------------------------------------------------------

def chain_config(length: int) -> str:
    sections = ["[profile dev]\nregion = eu-west-1\n"]
    for index in range(length):
        source = f"link{index + 1}" if index + 1 < length else "dev"
        sections.append(f"[profile link{index}]\nrole_arn = arn:aws:iam::123456789012:role/"
                        f"R{index}\nsource_profile = {source}\n")
    return "\n".join(sections)


@pytest.mark.parametrize("length", [MAX_ROLE_CHAIN, 400])
def test_a_chain_too_deep_to_follow_is_a_config_error_naming_its_start(
        aws, aws_home, pipeline, length):
    aws_home.write_config(chain_config(length))
    error = login_error(pipeline, "link0")
    assert error.code == "config_error"
    assert ("profile 'link0': its source_profile chain ('link0' -> 'link1' -> 'link2' -> ...) "
            f"is {length + 1} profiles long; roleport follows at most {MAX_ROLE_CHAIN}"
            ) in error.message
    assert aws.sts_calls == []


def test_a_recursion_error_from_botocore_is_a_config_error():
    error = map_error(RecursionError("maximum recursion depth exceeded"), "deep")
    assert error.code == "config_error"
    assert "profile 'deep': its source_profile chain is too long" in error.message


# -- role session names ---------------------------------------------------------------------

@pytest.fixture
def person(monkeypatch):
    """The local user roleport runs as (getpass reads LOGNAME first)."""
    monkeypatch.setenv("LOGNAME", "alice")
    return "alice"


def test_a_role_session_is_named_after_the_person(aws, pipeline, person):
    result = pipeline.login("deep")
    calls = sts_actions(aws, "AssumeRole")
    assert [call.params["RoleSessionName"] for call in calls] == [person, person]
    assert result.identity["session_name"] == person
    assert result.identity["arn"] == f"arn:aws:sts::210987654321:assumed-role/Deep/{person}"
    identity = aws.signin_token_identity(login_query(result)["SigninToken"])
    assert identity.session_name == person  # what the console and CloudTrail show


def test_role_session_name_in_the_profile_still_wins(aws, aws_home, pipeline, person):
    add_profile(aws_home, "[profile named]\nrole_arn = arn:aws:iam::123456789012:role/Named\n"
                          "source_profile = dev\nrole_session_name = ops-audit\n")
    result = pipeline.login("named")
    assert result.identity["session_name"] == "ops-audit"
    [call] = sts_actions(aws, "AssumeRole", "role/Named")
    assert call.params["RoleSessionName"] == "ops-audit"


def test_the_person_keeps_the_aws_cli_cache_key(aws, aws_home, pipeline, person):
    pipeline.login("admin")
    assert (cache_dir(aws_home) / ADMIN_ENTRY).is_file()


@pytest.mark.parametrize(("user", "expected"), [
    ("alice", "alice"), ("Jörg O'Brien", "J-rg-O-Brien"), ("a", "roleport-a"),
    ("x" * 100, "x" * 64), ("bob@corp.example", "bob@corp.example"), (" ", "roleport-user"),
])
def test_the_person_session_name_fits_sts_rules(monkeypatch, user, expected):
    monkeypatch.setenv("LOGNAME", user)
    assert person_session_name() == expected


def test_a_botocore_that_names_sessions_otherwise_fails_the_hook_check(aws_home, monkeypatch):
    # Without botocore's made-up name to recognise, sessions would silently lose the person.
    import botocore
    from botocore.credentials import BaseAssumeRoleCredentialFetcher
    from roleport.botocore_hooks import check_botocore_hooks
    from roleport.profiles import load_snapshot

    def other_name(self):
        self._role_session_name = "session-from-elsewhere"
        self._assume_kwargs["RoleSessionName"] = self._role_session_name
        self._using_default_session_name = True

    monkeypatch.setattr(BaseAssumeRoleCredentialFetcher, "_generate_assume_role_name",
                        other_name)
    snapshot = load_snapshot()
    with pytest.raises(RoleportError) as caught:
        check_botocore_hooks(snapshot.session, snapshot.full_config)
    assert caught.value.code == "internal_error"
    assert f"botocore {botocore.__version__}" in caught.value.message
    assert "default RoleSessionName botocore-session-<seconds>" in caught.value.message
