"""`roleport-host` as a real subprocess over pipes, against moto + the federation stand-in.

Covers hello / profiles / login, many requests on one process, concurrent out-of-order
replies, forbidden caller, clean exit on EOF, garbage streams; plus the in-process Host loop
with deadlines (real threads and pipes, a deliberately slow action).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from roleport import actions, callers, native
from roleport.deadlines import DeadlineWatch
from roleport.errors import ERRORS, RoleportError
from roleport.framing import MAX_OUTBOUND_BYTES, encode_message, read_message

from support.hostproc import (
    CHROME_CALLER,
    FIREFOX_CALLER,
    HostProcess,
    frame,
    host_env,
    wait_for_log,
)
from support.standin import StandIn
from tests.conftest import AwsHome

ACCOUNT = "111122223333"
BASE_KEY_ID = "AKIAROLEPORTTEST0001"
BASE_SECRET = "hostTestSecret0000000000000000000000Key1"

CONFIG = """
    [default]
    region = eu-west-1

    [profile base]
    region = eu-west-1

    [profile admin]
    role_arn = arn:aws:iam::111122223333:role/Admin
    source_profile = base
    region = eu-west-1
    roleport_color = red
    roleport_account_name = Production

    [profile guarded]
    role_arn = arn:aws:iam::111122223333:role/Guarded
    source_profile = base
    mfa_serial = arn:aws:iam::111122223333:mfa/alice
    region = eu-west-1

    [profile reader]
    role_arn = arn:aws:iam::111122223333:role/ReadOnly
    source_profile = base
    region = us-east-1
"""
CREDENTIALS = f"""
    [base]
    aws_access_key_id = {BASE_KEY_ID}
    aws_secret_access_key = {BASE_SECRET}
"""


@pytest.fixture
def configured(aws_home: AwsHome) -> AwsHome:
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    return aws_home


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "host.log"


@pytest.fixture
def host(configured: AwsHome, standin: StandIn, log_file: Path) -> Iterator[HostProcess]:
    with HostProcess([CHROME_CALLER], host_env(os.environ, log_file)) as process:
        yield process


def assert_no_secret(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, "a secret reached the log or stderr"


def known_secrets(standin: StandIn, login_urls: list[str]) -> list[str]:
    """Every secret the session produced: keys, tokens, SigninTokens, login URLs."""
    found = [BASE_SECRET, BASE_KEY_ID, *login_urls]
    for url in login_urls:
        found += parse_qs(urlsplit(url).query).get("SigninToken", [])
    found += [issued.access_key_id for issued in standin.issued]
    # The stand-in keeps secret keys and session tokens private; read them to prove absence.
    for secret_key, session_token in standin._records.secrets.values():
        found += [secret_key, session_token]
    # IAM Identity Center: access and refresh tokens, client secrets, device codes.
    found += standin.identity_center.known_secrets()
    return [secret for secret in found if secret]


# ---------------------------------------------------------------------------- subprocess

def test_hello_reports_version_protocol_and_paths(host: HostProcess,
                                                  configured: AwsHome) -> None:
    reply = host.call(1, "hello")
    assert reply["ok"] is True
    result = reply["result"]
    assert result["protocol"] == actions.PROTOCOL_VERSION == 1
    assert result["version"]
    assert {"hello", "profiles", "login"} <= set(result["capabilities"])
    assert result["platform"] == sys.platform
    assert result["config_file"] == str(configured.config_file)
    assert result["credentials_file"] == str(configured.credentials_file)
    assert host.wait() == 0


def test_hello_module_path_does_not_import_botocore() -> None:
    code = ("import sys, io; from roleport import native, actions; "
            "ctx = actions.HostContext('x', {}); actions.handle_hello(ctx, {}); "
            "sys.exit(1 if any(m.startswith('botocore') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=30).returncode == 0


def test_profiles_lists_the_config_as_columns(host: HostProcess, configured: AwsHome) -> None:
    reply = host.call("p1", "profiles")
    assert reply["ok"] is True, reply
    result = reply["result"]
    assert result["columns"] == list(actions.PROFILE_COLUMNS)
    rows = {row[0]: dict(itertools.zip_longest(result["columns"], row)) for row in result["rows"]}
    assert {"admin", "reader", "base"} <= set(rows)
    admin = rows["admin"]
    assert admin["account_id"] == ACCOUNT
    assert admin["role"] == "Admin"
    assert admin["region"] == "eu-west-1"
    assert admin["kind"] == "assume-role"
    assert admin["mfa"] is False and admin["chained"] is False
    assert admin["color"] == "red" and admin["account_name"] == "Production"
    assert rows["base"]["kind"] == "static"
    assert result["config_file"] == str(configured.config_file)
    assert result["next_offset"] is None and result["total"] == len(rows)

    first_generation = result["generation"]
    assert host.call("p2", "profiles")["result"]["generation"] == first_generation
    configured.write_config(CONFIG + "\n[profile extra]\nregion = eu-north-1\n")
    os.utime(configured.config_file, ns=(time.time_ns(), time.time_ns() + 10**9))
    changed = host.call("p3", "profiles")["result"]
    assert changed["generation"] != first_generation
    assert "extra" in {row[0] for row in changed["rows"]}
    assert host.wait() == 0


def test_config_edits_are_re_parsed_in_the_background(host: HostProcess, configured: AwsHome,
                                                      log_file: Path) -> None:
    assert host.call(1, "hello")["ok"]
    wait_for_log(log_file, "warm-up done")
    configured.write_config(CONFIG + "\n[profile later]\nregion = eu-north-1\n")
    wait_for_log(log_file, "re-parsing in the background")
    names = {row[0] for row in host.call(2, "profiles")["result"]["rows"]}
    assert "later" in names
    assert host.wait() == 0


def test_login_returns_a_working_console_url(host: HostProcess, standin: StandIn,
                                             log_file: Path) -> None:
    assert host.call(0, "hello")["ok"]
    reply = host.call("L1", "login", {"profile": "admin"}, timeout=30)
    assert reply["ok"] is True, reply
    result = reply["result"]
    assert result["url"].startswith(standin.federation_url + "?")
    query = parse_qs(urlsplit(result["url"]).query)
    assert query["Action"] == ["login"]
    token = query["SigninToken"][0]
    identity = standin.signin_token_identity(token)
    assert identity is not None and identity.account == ACCOUNT and identity.role == "Admin"
    assert result["identity"]["account"] == ACCOUNT
    assert result["identity"]["role"] == "Admin"
    assert result["identity"]["partition"] == "aws"
    assert result["identity"]["region"] == "eu-west-1"
    assert result["identity"]["arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/")
    assert result["expires_at"].endswith("Z")
    assert result["session_expires_at"].endswith("Z")
    assert result["session_expires_at"] > result["expires_at"]  # 12 h, not the URL's 15 min
    assert result["logout_url"].startswith(standin.base_url + "/oauth?Action=logout")
    assert host.wait() == 0
    written = log_file.read_text() + host.stderr
    assert "login id='L1' ok" in written
    assert_no_secret(written, known_secrets(standin, [result["url"]]))


def assert_no_fragment(text: str, secrets: list[str], width: int = 16) -> None:
    """No run of ``width`` characters of a secret survives, in any encoding botocore or a
    traceback might use (as is, URL-encoded, JSON-escaped)."""
    for secret in secrets:
        for start in range(0, max(1, len(secret) - width + 1), 4):
            piece = secret[start:start + width]
            for shown in {piece, quote(piece, safe=""), piece.replace("/", "\\/")}:
                assert shown not in text, f"a fragment of a secret reached the log: {shown}"


def test_debug_log_of_logins_keeps_no_fragment_of_a_secret(host: HostProcess, standin: StandIn,
                                                           log_file: Path) -> None:
    """ROLEPORT_LOG_LEVEL=debug (host_env) lets botocore log its wire dumps: all redacted."""
    urls = []
    for index in range(3):
        reply = host.call(index, "login", {"profile": ("admin", "reader")[index % 2]},
                          timeout=30)
        assert reply["ok"] is True, reply
        urls.append(reply["result"]["url"])
    assert host.wait() == 0
    written = log_file.read_text() + host.stderr
    assert "botocore" in written  # the wire dumps really were logged
    secrets = known_secrets(standin, urls)
    assert len(secrets) >= 8
    assert_no_secret(written, secrets)
    # Login URLs are covered whole above and through their SigninTokens here.
    assert_no_fragment(written, [secret for secret in secrets
                                 if len(secret) >= 20 and not secret.startswith("http")])


def test_end_of_input_with_logins_in_flight_still_answers_them(host: HostProcess) -> None:
    """PROTOCOL.md: at end of input the host answers accepted requests, then exits 0."""
    for index in range(3):
        host.request(f"in-flight-{index}", "login", {"profile": "reader"})
    host.close_stdin()
    replies = [host.reply(timeout=40) for _ in range(3)]
    assert sorted(reply["id"] for reply in replies) == [f"in-flight-{i}" for i in range(3)]
    assert all(reply["ok"] for reply in replies), replies
    assert host.wait(timeout=40) == 0


def test_login_errors_are_specific_and_carry_the_profile(host: HostProcess) -> None:
    missing = host.call(1, "login", {"profile": "nope"})
    assert missing["ok"] is False
    assert missing["error"]["code"] == "profile_not_found"
    assert missing["error"]["profile"] == "nope"
    bad_region = host.call(2, "login", {"profile": "admin", "region": "Mars"})
    assert bad_region["error"]["code"] == "invalid_request"
    assert "region" in bad_region["error"]["message"]
    bad_type = host.call(3, "login", {"profile": "admin", "duration": "3600"})
    assert "must be an integer" in bad_type["error"]["message"]
    typo = host.call(4, "login", {"profile": "admin", "mfa": "123456"})
    assert "unknown parameter" in typo["error"]["message"]
    assert host.call(5, "login", {})["error"]["code"] == "invalid_request"
    assert host.wait() == 0


def test_mfa_round_trip_carries_the_device(host: HostProcess, standin: StandIn) -> None:
    standin.mfa_required_roles.add("arn:aws:iam::111122223333:role/Guarded")
    needs_code = host.call(1, "login", {"profile": "guarded"}, timeout=30)
    assert needs_code["ok"] is False
    assert needs_code["error"]["code"] == "mfa_required"
    assert needs_code["error"]["mfa_serial"] == "arn:aws:iam::111122223333:mfa/alice"
    assert needs_code["error"]["profile"] == "guarded"
    bad_shape = host.call(2, "login", {"profile": "guarded", "mfa_code": "12345"})
    assert "6 digits" in bad_shape["error"]["message"]
    signed_in = host.call(3, "login", {"profile": "guarded", "mfa_code": "123456"}, timeout=30)
    assert signed_in["ok"] is True, signed_in
    assert signed_in["result"]["identity"]["role"] == "Guarded"
    assert host.wait() == 0


def test_two_roles_behind_one_mfa_device_need_one_code(
        configured: AwsHome, standin: StandIn, log_file: Path) -> None:
    configured.write_config(CONFIG + """
    [profile guarded-too]
    role_arn = arn:aws:iam::111122223333:role/GuardedToo
    source_profile = base
    mfa_serial = arn:aws:iam::111122223333:mfa/alice
    region = eu-west-1
    """)
    standin.mfa_required_roles.update({"arn:aws:iam::111122223333:role/Guarded",
                                       "arn:aws:iam::111122223333:role/GuardedToo"})
    urls = []
    with HostProcess([CHROME_CALLER], host_env(os.environ, log_file)) as host:
        assert host.call(1, "mfa_sessions")["result"] == {"sessions": []}
        first = host.call(2, "login", {"profile": "guarded", "mfa_code": "123456"}, timeout=30)
        assert first["ok"] is True, first
        urls.append(first["result"]["url"])
        listed = host.call(3, "mfa_sessions")["result"]["sessions"]
        assert [(s["mfa_serial"], sorted(s["profiles"])) for s in listed] == [
            ("arn:aws:iam::111122223333:mfa/alice", ["guarded", "guarded-too"])]
        assert host.wait() == 0
    # A new host process (the browser starts one per port) reuses the session from disk.
    with HostProcess([CHROME_CALLER], host_env(os.environ, log_file)) as host:
        second = host.call(1, "login", {"profile": "guarded-too"}, timeout=30)
        assert second["ok"] is True, second
        assert second["result"]["identity"]["role"] == "GuardedToo"
        urls.append(second["result"]["url"])
        assert host.wait() == 0
        stderr = host.stderr
    assert [call.action for call in standin.sts_calls if call.params.get("SerialNumber")] == [
        "GetSessionToken"]
    assert_no_secret(log_file.read_text() + stderr, known_secrets(standin, urls))


def test_many_requests_on_one_process(host: HostProcess, standin: StandIn) -> None:
    count = 60
    for index in range(count):
        action = ("hello", "profiles", "login")[index % 3]
        params = {"profile": "reader"} if action == "login" else None
        host.request(index, action, params)
    replies = [host.reply(timeout=60) for _ in range(count)]
    assert sorted(reply["id"] for reply in replies) == list(range(count))
    failures = [reply for reply in replies if not reply["ok"]]
    assert failures == []
    assert host.wait() == 0
    assert host.remaining_replies() == []


def test_slow_login_does_not_block_hello_or_profiles(host: HostProcess,
                                                     standin: StandIn) -> None:
    standin.hang_seconds = 6.0
    standin.inject_federation_fault("timeout")
    host.request("slow", "login", {"profile": "admin"})
    # Wait until the login really sits in the hanging federation call.
    deadline = time.monotonic() + 20
    while not any(r.fault == "timeout" for r in standin.federation_requests):
        assert time.monotonic() < deadline, "the login never reached the federation stand-in"
        time.sleep(0.02)
    started = time.monotonic()
    host.request("quick-hello", "hello")
    host.request("quick-profiles", "profiles")
    first, second = host.reply(), host.reply()
    assert {first["id"], second["id"]} == {"quick-hello", "quick-profiles"}
    assert time.monotonic() - started < 4.0  # the login holds for 6 s: not blocked
    slow = host.reply(timeout=40)
    assert slow["id"] == "slow"  # answered last: out of order, matched by id
    assert slow["ok"] is True or slow["error"]["code"] in ("timeout", "network_error",
                                                           "federation_failed")
    assert host.wait() == 0


def test_firefox_caller_is_accepted(configured: AwsHome, standin: StandIn,
                                    log_file: Path) -> None:
    args = ["/home/me/.mozilla/native-messaging-hosts/roleport.json", FIREFOX_CALLER]
    with HostProcess(args, host_env(os.environ, log_file)) as process:
        assert process.call(1, "hello")["ok"] is True
        assert process.wait() == 0


@pytest.mark.parametrize("args", [
    ["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"],
    ["/tmp/manifest.json", "evil@example.org"],
    ["chrome-extension://lcdhbonoaganhbjkpgecgonmncjbaiij"],  # no slash: normalised, allowed
])
def test_caller_check(configured: AwsHome, standin: StandIn, log_file: Path,
                      args: list[str]) -> None:
    allowed = args[0].startswith("chrome-extension://lcdh")
    with HostProcess(args, host_env(os.environ, log_file)) as process:
        if allowed:
            assert process.call(1, "hello")["ok"] is True
            assert process.wait() == 0
            return
        process.request(1, "login", {"profile": "admin"})
        process.request(2, "hello")
        reply = process.reply()
        # Answered, then gone by itself: stdin is still open, nothing more is answered.
        code = process.process.wait(timeout=20)
        assert process.remaining_replies() == []
    assert reply["id"] == 1 and reply["ok"] is False
    assert reply["error"]["code"] == "forbidden_caller"
    assert code == ERRORS["forbidden_caller"].exit_code != 0
    assert standin.sts_calls == [] and standin.federation_requests == []


def test_unset_allow_list_refuses_everyone(configured: AwsHome, standin: StandIn,
                                           log_file: Path) -> None:
    env = host_env(os.environ, log_file)
    del env["ROLEPORT_ALLOWED_CALLERS"]
    with HostProcess([CHROME_CALLER], env) as process:
        assert process.call(1, "profiles")["error"]["code"] == "forbidden_caller"
        assert process.wait() != 0
    assert standin.sts_calls == []


def test_no_arguments_prints_help_and_fails(aws_home: AwsHome, log_file: Path) -> None:
    with HostProcess([], host_env(os.environ, log_file)) as process:
        code = process.wait()
        assert code == native.EXIT_USAGE != 0
        assert "roleport-host" in process.stderr and "roleport install" in process.stderr
        assert process.raw_frames == []


def test_clean_exit_on_immediate_eof(host: HostProcess) -> None:
    assert host.wait() == 0
    assert host.raw_frames == []


def test_recoverable_garbage_gets_error_replies_and_the_stream_continues(
        host: HostProcess) -> None:
    host.send_raw(frame(b"\xff\xfe not utf-8"))
    host.send_raw(frame(b"{not json"))
    host.send_raw(frame(b"[1, 2]"))
    host.send_raw(frame({"id": True, "action": "hello"}))
    host.send_raw(frame({"id": "x" * 300, "action": "hello"}))
    host.send_raw(frame({"id": 5, "action": 7}))
    host.send_raw(frame({"id": 6, "action": "teleport"}))
    host.send_raw(frame({"id": 7, "action": "hello", "params": [1]}))
    replies = [host.reply() for _ in range(8)]
    assert [r["id"] for r in replies[:5]] == [None] * 5
    assert all(r["error"]["code"] == "invalid_request" for r in replies[:6])
    assert replies[6]["error"]["code"] == "unknown_action"
    assert "teleport" in replies[6]["error"]["message"]
    assert replies[7]["error"]["code"] == "invalid_request"
    assert host.call(8, "hello")["ok"] is True  # still aligned on frame boundaries
    assert host.wait() == 0


@pytest.mark.parametrize(("data", "code", "exit_code"), [
    (b"\x10\x00", "invalid_request", 64),  # truncated length
    (struct.pack("=I", 100) + b'{"id": 1', "invalid_request", 64),  # truncated body
    (struct.pack("=I", 0xFFFFFFF0) + b"x" * 64, "message_too_large", 74),  # oversize
])
def test_unrecoverable_stream_replies_then_exits_non_zero(
        host: HostProcess, data: bytes, code: str, exit_code: int) -> None:
    host.send_raw(frame({"id": "before", "action": "hello"}) + data)
    assert host.reply()["id"] == "before"
    host.close_stdin()  # a truncated frame is only known to be truncated at end of input
    error = host.reply()
    assert error["id"] is None and error["error"]["code"] == code
    assert host.wait(timeout=10) == exit_code


def test_stdout_stays_clean_when_code_prints(configured: AwsHome, standin: StandIn,
                                             log_file: Path) -> None:
    """sys.stdout is rebound to stderr at start: a stray print cannot corrupt the stream."""
    code = ("import sys; from roleport import actions, native; "
            "hello = actions.ACTIONS['hello']; "
            "actions.register(actions.Action('hello', "
            "lambda c, p: (print('stray output'), hello.handler(c, p))[1])); "
            "sys.exit(native.main())")
    command = [sys.executable, "-c", code]
    with HostProcess([CHROME_CALLER], host_env(os.environ, log_file),
                     command=command) as process:
        assert process.call(1, "hello")["ok"] is True
        assert process.call(2, "hello")["ok"] is True
        assert process.wait() == 0
        assert "stray output" in process.stderr


def _open_fd_targets(fds: Path) -> set[str]:
    """What a process's fds point at; fds closed while listing (warm-up threads open and
    close files concurrently) are skipped."""
    targets = set()
    for fd in fds.iterdir():
        try:
            targets.add(os.readlink(fd))
        except FileNotFoundError:
            continue
    return targets


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_protocol_pipes_are_moved_off_fds_0_and_1(host: HostProcess) -> None:
    """A child process or C code using fd 0/1 can neither steal nor corrupt frames."""
    assert host.call(1, "hello")["ok"] is True
    assert host.process.stdin is not None and host.process.stdout is not None
    pipes = {f"pipe:[{os.fstat(host.process.stdin.fileno()).st_ino}]",
             f"pipe:[{os.fstat(host.process.stdout.fileno()).st_ino}]"}
    fds = Path(f"/proc/{host.process.pid}/fd")
    assert os.readlink(fds / "0") == os.devnull
    assert os.readlink(fds / "1") not in pipes
    assert pipes <= _open_fd_targets(fds)  # still held, privately
    assert host.call(2, "hello")["ok"] is True
    assert host.wait() == 0


CREDENTIAL_PROCESS = """\
import json, os, stat, sys
info = os.fstat(0)
with open(sys.argv[1], "w") as marker:
    json.dump({"ino": info.st_ino, "fifo": stat.S_ISFIFO(info.st_mode)}, marker)
print(json.dumps({"Version": 1, "AccessKeyId": "AKIAPROCESSTEST00001",
                  "SecretAccessKey": "processSecret0000000000000000000000Key01"}))
"""


def test_credential_process_does_not_inherit_the_protocol_stdin(
        configured: AwsHome, standin: StandIn, log_file: Path, tmp_path: Path) -> None:
    """botocore runs credential_process with stdin inherited: it must not be the browser's."""
    script, marker = tmp_path / "creds.py", tmp_path / "stdin.json"
    script.write_text(CREDENTIAL_PROCESS)
    configured.write_config(CONFIG + f"""
    [profile process]
    credential_process = {sys.executable} {script} {marker}
    region = eu-west-1
""")
    with HostProcess([CHROME_CALLER], host_env(os.environ, log_file)) as process:
        assert process.process.stdin is not None
        protocol_pipe = os.fstat(process.process.stdin.fileno()).st_ino
        login = process.call(1, "login", {"profile": "process"}, timeout=30)
        assert login["id"] == 1, login  # success or a specific error: the core decides
        assert process.call(2, "hello")["ok"] is True
        assert process.wait() == 0
    seen = json.loads(marker.read_text())
    assert seen["fifo"] is False and seen["ino"] != protocol_pipe


# ---------------------------------------------------------------------------- in-process loop

class _Pipe:
    """An OS pipe as a pair of binary files (real blocking reads, like the browser's)."""

    def __init__(self) -> None:
        read_fd, write_fd = os.pipe()
        self.reader = os.fdopen(read_fd, "rb", buffering=0)
        self.writer = os.fdopen(write_fd, "wb", buffering=0)

    def close(self) -> None:
        for stream in (self.writer, self.reader):
            if not stream.closed:
                stream.close()


def _slow(context: actions.HostContext, params: dict[str, Any]) -> dict[str, Any]:
    release = params["seconds"]
    end = time.monotonic() + release
    while time.monotonic() < end:  # a handler stuck in "network I/O"
        time.sleep(0.01)
    return {"slept": release}


# Released by the test that holds "held" requests: they stay in flight until it says so.
_HELD_UNTIL = threading.Event()


def _held(context: actions.HostContext, params: dict[str, Any]) -> dict[str, Any]:
    assert _HELD_UNTIL.wait(30), "the test never released its held requests"
    return {}


def _huge(context: actions.HostContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"blob": "x" * (MAX_OUTBOUND_BYTES + 1)}


def _crash(context: actions.HostContext, params: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("boom with ASIAIOSFODNN7EXAMPLE inside")


def _not_json(context: actions.HostContext, params: dict[str, Any]) -> dict[str, Any]:
    return {"value": float("nan"), "other": object()}


TEST_ACTIONS = {
    "not_json": actions.Action("not_json", _not_json),
    **actions.ACTIONS,
    "slow": actions.Action("slow", _slow, params=(actions.Param(
        "seconds", (int, float), required=True, expected="seconds"),),
        deadline_seconds=0.5, lane="slow", service="The slow test action"),
    "held": actions.Action("held", _held, lane="slow", deadline_seconds=60.0,
                           service="The held test action"),
    "huge": actions.Action("huge", _huge),
    "crash": actions.Action("crash", _crash),
}


@pytest.fixture
def loop(aws_home: AwsHome, tmp_path: Path) -> Iterator[tuple[_Pipe, _Pipe, list[int]]]:
    inbound, outbound = _Pipe(), _Pipe()
    context = actions.HostContext(CHROME_CALLER, {"HOME": str(aws_home.home)})
    server = native.Host(inbound.reader, outbound.writer, context, actions=TEST_ACTIONS)
    exit_codes: list[int] = []

    def serve() -> None:
        exit_codes.append(server.serve())
        outbound.writer.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield inbound, outbound, exit_codes
    finally:
        inbound.writer.close()
        thread.join(10)
        inbound.close()
        outbound.close()
    assert not thread.is_alive()


def _send(pipe: _Pipe, message: dict[str, Any]) -> None:
    pipe.writer.write(encode_message(message))


def test_deadline_turns_a_stuck_request_into_a_timeout_reply(loop: Any) -> None:
    inbound, outbound, exit_codes = loop
    started = time.monotonic()
    _send(inbound, {"id": "stuck", "action": "slow", "params": {"seconds": 3}})
    _send(inbound, {"id": "fast", "action": "hello"})
    first = read_message(outbound.reader)
    second = read_message(outbound.reader)
    assert first is not None and second is not None
    assert first["id"] == "fast"
    assert second["id"] == "stuck" and second["error"]["code"] == "timeout"
    assert "0.5 seconds" in second["error"]["message"]
    assert time.monotonic() - started < 2.5
    inbound.writer.close()
    assert read_message(outbound.reader) is None  # the late result is discarded
    assert exit_codes == [0]


class _FlakyPipeline:
    """Warms up fine, then fails to list profiles with an unexpected exception."""

    def __init__(self) -> None:
        self.calls = 0

    def warm_up(self) -> None:
        pass

    def profiles(self) -> list[Any]:
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("unexpected")
        return []


def test_config_watcher_survives_an_unexpected_error(aws_home: AwsHome,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    crashed: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: crashed.append(args.exc_value))
    inbound, outbound = _Pipe(), _Pipe()
    pipeline = _FlakyPipeline()
    context = actions.HostContext(CHROME_CALLER, {"HOME": str(aws_home.home)},
                                  pipeline_factory=lambda: pipeline)
    server = native.Host(inbound.reader, outbound.writer, context, config_poll_seconds=0.05)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        _send(inbound, {"id": 1, "action": "hello"})
        assert read_message(outbound.reader)["ok"] is True
        deadline = time.monotonic() + 10
        edits = 0
        while pipeline.calls < 3:  # each edit is a re-parse; the second fails, a third follows
            assert time.monotonic() < deadline, f"watcher stopped after {pipeline.calls} calls"
            edits += 1
            aws_home.write_config(f"[profile p{edits}]\n")
            time.sleep(0.1)  # poll interval of this wait (bounded by the deadline above)
        assert crashed == []
    finally:
        inbound.writer.close()
        thread.join(10)
        inbound.close()
        outbound.close()
    assert not thread.is_alive()


class _HeldTimeoutSink(io.BytesIO):
    """Holds the write of a timeout reply until released, like a full pipe to the browser."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = threading.Event()
        self.release = threading.Event()

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if b'"timeout"' in data:
            self.holding.set()
            assert self.release.wait(10)
        return super().write(data)


def test_end_of_input_waits_for_a_timeout_reply_being_written(aws_home: AwsHome) -> None:
    """A reply counts as in flight until it is written whole: serve() must not return (and
    the process exit) while the deadline watchdog is still writing it."""
    inbound, sink = _Pipe(), _HeldTimeoutSink()
    context = actions.HostContext(CHROME_CALLER, {"HOME": str(aws_home.home)})
    server = native.Host(inbound.reader, sink, context, actions=TEST_ACTIONS)
    exit_codes: list[int] = []
    thread = threading.Thread(target=lambda: exit_codes.append(server.serve()), daemon=True)
    thread.start()
    try:
        _send(inbound, {"id": "late", "action": "slow", "params": {"seconds": 0.7}})
        inbound.writer.close()
        assert sink.holding.wait(10)  # the watchdog is writing the timeout reply
        deadline = time.monotonic() + 10
        while server.busy:  # the handler finishes after its deadline; its result is dropped
            assert time.monotonic() < deadline
            time.sleep(0.01)
        thread.join(1.0)
        assert thread.is_alive(), "serve() returned while a reply was still being written"
    finally:
        sink.release.set()
        thread.join(10)
        inbound.close()
    assert exit_codes == [0]
    reply = read_message(io.BytesIO(sink.getvalue()))
    assert reply is not None and reply["id"] == "late" and reply["error"]["code"] == "timeout"


def test_out_of_order_replies_are_matched_by_id(loop: Any) -> None:
    inbound, outbound, _ = loop
    _send(inbound, {"id": 1, "action": "slow", "params": {"seconds": 0.3}})
    _send(inbound, {"id": 2, "action": "slow", "params": {"seconds": 0.05}})
    _send(inbound, {"id": 3, "action": "hello"})
    order = [read_message(outbound.reader)["id"] for _ in range(3)]
    assert order[0] == 3 and order[1:] == [2, 1]


def test_oversize_reply_becomes_message_too_large(loop: Any) -> None:
    inbound, outbound, _ = loop
    _send(inbound, {"id": "big", "action": "huge"})
    reply = read_message(outbound.reader)
    assert reply["id"] == "big" and reply["error"]["code"] == "message_too_large"
    assert "reply" in reply["error"]["message"]


def test_unexpected_exception_is_an_internal_error_without_its_text(loop: Any) -> None:
    inbound, outbound, _ = loop
    _send(inbound, {"id": "c", "action": "crash"})
    reply = read_message(outbound.reader)
    assert reply["error"]["code"] == "internal_error"
    assert "RuntimeError" in reply["error"]["message"]
    assert "ASIA" not in str(reply)


def test_unencodable_reply_becomes_an_internal_error(loop: Any) -> None:
    inbound, outbound, _ = loop
    _send(inbound, {"id": "n", "action": "not_json"})
    reply = read_message(outbound.reader)
    assert reply["id"] == "n" and reply["error"]["code"] == "internal_error"
    assert read_message_after_hello(inbound, outbound)["ok"] is True


def read_message_after_hello(inbound: _Pipe, outbound: _Pipe) -> dict[str, Any]:
    _send(inbound, {"id": "after", "action": "hello"})
    reply = read_message(outbound.reader)
    assert reply is not None and reply["id"] == "after"
    return reply


def test_flood_is_bounded_and_every_request_answered(loop: Any) -> None:
    """Requests beyond MAX_IN_FLIGHT are refused at once, the others all answered. They are
    held until the refusals are read, so how fast the machine runs the handlers (or reads the
    flood) cannot free a slot early."""
    inbound, outbound, _ = loop
    over = 40
    total = native.MAX_IN_FLIGHT + over
    data = b"".join(encode_message({"id": index, "action": "held"}) for index in range(total))
    _HELD_UNTIL.clear()
    writer = threading.Thread(target=inbound.writer.write, args=(data,), daemon=True)
    writer.start()
    try:
        refused = [read_message(outbound.reader) for _ in range(over)]
    finally:
        _HELD_UNTIL.set()
    assert [reply["id"] for reply in refused] == list(range(native.MAX_IN_FLIGHT, total))
    assert all(reply["error"]["code"] == "invalid_request"
               and "in flight" in reply["error"]["message"] for reply in refused)
    answered = [read_message(outbound.reader) for _ in range(native.MAX_IN_FLIGHT)]
    writer.join(10)
    assert sorted(reply["id"] for reply in answered) == list(range(native.MAX_IN_FLIGHT))
    assert all(reply["ok"] for reply in answered)
    assert read_message_after_hello(inbound, outbound)["ok"] is True


def test_broken_stdout_ends_the_host(aws_home: AwsHome) -> None:
    inbound = _Pipe()
    outbound = _Pipe()
    outbound.reader.close()  # the browser went away
    context = actions.HostContext(CHROME_CALLER, {"HOME": str(aws_home.home)})
    server = native.Host(inbound.reader, outbound.writer, context)
    _send(inbound, {"id": 1, "action": "hello"})
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(server.serve()), daemon=True)
    thread.start()
    time.sleep(0)  # let it start; the wait below is on a condition
    deadline = time.monotonic() + 10
    while not result and time.monotonic() < deadline:
        _send(inbound, {"id": 2, "action": "hello"})
        thread.join(0.05)
    inbound.close()
    outbound.close()
    assert result == [74]


# ---------------------------------------------------------------------------- pure logic

@pytest.mark.parametrize(("argv", "caller"), [
    ([], None),
    (["chrome-extension://abc/"], "chrome-extension://abc/"),
    (["chrome-extension://abc/", "--parent-window=0"], "chrome-extension://abc/"),
    (["--parent-window=5", "chrome-extension://abc"], "chrome-extension://abc/"),
    (["/path/roleport.json", "id@example.org"], "id@example.org"),
])
def test_identify_caller(argv: list[str], caller: str | None) -> None:
    assert callers.identify_caller(argv) == caller


@pytest.mark.parametrize(("value", "usable"), [
    ("r1", True), (0, True), (-3, True), (1.5, True), (2**53, True), (2**53 + 1, False),
    (True, False), (None, False), ([], False), ({}, False), ("x" * 257, False),
    (float("inf"), False), (float("nan"), False),
])
def test_usable_id(value: Any, usable: bool) -> None:
    assert (native.usable_id(value) is not None) is usable


class _Profile:
    def __init__(self, index: int, name: str, account_name: str | None, role: str) -> None:
        self.name = name
        self.account_id = f"{100000000000 + index // 3}"
        self.account_name = account_name
        self.role_name = role
        self.region = "eu-west-1"
        self.kind = "assume-role"
        self.mfa = index % 7 == 0
        self.chained = False
        self.container = None
        self.color = None
        self.icon = None
        self.destination = None


def _reply_size(rows: list[list[Any]], next_offset: int | None) -> int:
    result = {"columns": list(actions.PROFILE_COLUMNS), "rows": rows,
              "config_file": "/home/someone/.aws/config", "generation": "0123456789abcdef",
              "total": 10_000, "next_offset": next_offset}
    return len(encode_message({"id": "some-request-id-1234", "ok": True, "result": result}))


def test_ten_thousand_short_profiles_fit_in_one_frame() -> None:
    profiles = [_Profile(i, f"p{i:05d}", None, "admin") for i in range(10_000)]
    rows = actions.profile_rows(profiles)
    page, next_offset = actions.page_rows(rows, 0)
    assert next_offset is None and len(page) == 10_000
    assert _reply_size(page, next_offset) <= MAX_OUTBOUND_BYTES + 4


def test_ten_thousand_long_profiles_are_paged_within_the_cap() -> None:
    roles = ("AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess")
    profiles = [_Profile(i, f"{100000000000 + i // 3}-{roles[i % 3]}",
                         f"acme-workload-{i // 3:04d}", roles[i % 3]) for i in range(10_000)]
    rows = actions.profile_rows(profiles)
    collected: list[list[Any]] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        page, next_offset = actions.page_rows(rows, offset)
        assert _reply_size(page, next_offset) <= MAX_OUTBOUND_BYTES + 4
        collected += page
        offset = next_offset
        pages += 1
    assert pages == 2
    assert collected == rows


class _StubPipeline:
    def __init__(self, profiles: list[_Profile]) -> None:
        self.list = profiles

    def profiles(self) -> list[_Profile]:
        return self.list


def test_profiles_cache_keeps_only_page_starts(aws_home: AwsHome) -> None:
    """Arbitrary offsets are answered but not cached: memory stays flat."""
    pipeline = _StubPipeline([_Profile(i, f"p{i}", None, "admin") for i in range(300)])
    context = actions.HostContext(CHROME_CALLER, {"HOME": str(aws_home.home)},
                                  pipeline_factory=lambda: pipeline)
    for offset in range(0, 300, 3):
        reply = json.loads(actions.handle_profiles(context, {"offset": offset}).data)
        assert reply["rows"][0][0] == f"p{offset}" and reply["total"] == 300
    assert actions.profile_pages(context).cached_offsets() == {0}
    aws_home.write_config("[profile other]\nregion = eu-west-1\n")  # new generation
    reply = json.loads(actions.handle_profiles(context, {}).data)
    assert reply["generation"] == actions.config_generation(context)
    assert actions.profile_pages(context).cached_offsets() == {0}


def test_pipeline_is_made_once_on_first_use() -> None:
    made: list[_StubPipeline] = []

    def factory() -> _StubPipeline:
        made.append(_StubPipeline([]))
        return made[-1]

    context = actions.HostContext(CHROME_CALLER, {}, pipeline_factory=factory)
    actions.handle_hello(context, {})
    assert made == []  # hello never needs the pipeline
    assert context.pipeline() is context.pipeline() is made[0]
    assert len(made) == 1


def test_deadline_watch_reports_in_deadline_order_and_stops() -> None:
    reported: list[int] = []
    both = threading.Event()

    def on_overdue(key: int) -> None:
        reported.append(key)
        if len(reported) == 2:
            both.set()

    watch = DeadlineWatch(on_overdue)
    watch.start()
    now = time.monotonic()
    watch.add(now + 0.3, 1)
    watch.add(now + 0.1, 2)  # added later, due earlier
    watch.add(now + 60, 3)
    assert both.wait(5)
    watch.stop()
    assert reported == [2, 1]


def test_profiles_offset_param_is_validated() -> None:
    with pytest.raises(Exception) as caught:
        actions.validate_params(actions.ACTIONS["profiles"], {"offset": -1})
    assert "negative" in str(caught.value)
    assert actions.validate_params(actions.ACTIONS["profiles"], {"offset": 5}) == {"offset": 5}
    assert actions.validate_params(actions.ACTIONS["profiles"], None) == {}


@pytest.mark.parametrize(("name", "value"), [
    ("region", "eu-west-1\n"), ("region", "EU-WEST-1"), ("region", "eu-west-1 "),
    ("mfa_code", "123456\n"), ("mfa_code", "12345"), ("mfa_code", "１２３４５６"),
])
def test_login_params_refuse_near_misses(name: str, value: str) -> None:
    with pytest.raises(RoleportError) as caught:
        actions.validate_params(actions.ACTIONS["login"], {"profile": "p", name: value})
    assert caught.value.code == "invalid_request" and name in caught.value.message


def test_many_unknown_params_get_a_short_invalid_request(loop: Any) -> None:
    """A request just under the inbound cap must not produce a reply over the outbound cap."""
    inbound, outbound, _ = loop
    # Backslashes double in repr and again in JSON: the listing would outgrow the request.
    params = {f"{index:05d}" + "\\" * 35: 0 for index in range(9_000)}
    request = {"id": "many", "action": "hello", "params": params}
    assert len(encode_message(request)) <= MAX_OUTBOUND_BYTES
    _send(inbound, request)
    reply = read_message(outbound.reader)
    assert reply["id"] == "many" and reply["error"]["code"] == "invalid_request"
    assert "unknown parameter" in reply["error"]["message"]
    assert "8995 more" in reply["error"]["message"]


def test_error_replies_fit_and_round_trip() -> None:
    reply = native.error_reply("x", callers.check_caller("c" * 10_000, {}))
    decoded = read_message(io.BytesIO(encode_message(reply)))
    assert decoded["error"]["code"] == "forbidden_caller"
    assert len(decoded["error"]["message"]) < 400
