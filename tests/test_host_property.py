"""Property tests: random byte streams and random JSON thrown at the real `roleport-host`.

Properties: the host always answers or exits cleanly within a bound, never writes a malformed
frame, and never lets a secret reach a reply, stderr or its log. Example counts stay modest
because every example is a fresh host process (CI has 2 cores).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.hostproc import CHROME_CALLER, HostProcess, frame, host_env
from support.standin import StandIn
from tests.conftest import AwsHome

KEY_ID = "AKIAROLEPORTPROP0001"
SECRET = "propTestSecret000000000000000000000Key01"
CONFIG = """
    [profile base]
    region = eu-west-1

    [profile admin]
    role_arn = arn:aws:iam::111122223333:role/Admin
    source_profile = base
    region = eu-west-1
"""
CREDENTIALS = f"""
    [base]
    aws_access_key_id = {KEY_ID}
    aws_secret_access_key = {SECRET}
"""
EXIT_BOUND_SECONDS = 20
CLEAN_EXIT_CODES = {0, 64, 74}
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("ROLEPORT_PROPERTY_EXAMPLES", "20")), deadline=None,
    database=None,  # keep the working tree clean; failures print their reproducer
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**60, 2**60),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30))
json_values = st.recursive(json_scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=12)
params = st.fixed_dictionaries({}, optional={
    "profile": st.one_of(st.sampled_from(["admin", "base", "missing", ""]), json_values),
    "region": st.one_of(st.sampled_from(["eu-west-1", "us-gov-west-1", "xx"]), json_values),
    "mfa_code": st.one_of(st.just("123456"), json_values),
    "duration": st.one_of(st.integers(0, 50_000), json_values),
    "destination": st.one_of(st.just("https://console.aws.amazon.com/s3/home"), json_values),
    "offset": st.one_of(st.integers(-2, 5), json_values),
})
requests = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.integers(), st.text(max_size=300), json_values),
    "action": st.one_of(st.sampled_from(["hello", "profiles", "login", "status"]),
                        json_values),
    "params": st.one_of(params, json_values),
})
raw_chunks = st.one_of(
    st.binary(max_size=64),
    st.binary(max_size=200).map(frame),
    requests.map(lambda r: frame(json.dumps(r).encode())),
)


def _setup(aws_home: AwsHome, tmp_path: Path) -> Path:
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    return tmp_path / f"host-{os.getpid()}-{id(object())}.log"


def _secrets(standin: StandIn) -> list[str]:
    found = [SECRET, KEY_ID] + [issued.access_key_id for issued in standin.issued]
    for secret_key, session_token in standin._records.secrets.values():
        found += [secret_key, session_token]
    return [secret for secret in found if secret]


def _run(data: bytes, log_file: Path) -> tuple[int, list[dict[str, Any]], str]:
    with HostProcess([CHROME_CALLER], host_env(os.environ, log_file)) as process:
        try:
            process.send_raw(data)
        except BrokenPipeError:
            pass  # the host already gave up on an unrecoverable stream: allowed
        code = process.wait(timeout=EXIT_BOUND_SECONDS)  # raises on a malformed frame
        replies = process.remaining_replies()
        logged = log_file.read_text() if log_file.exists() else ""
        return code, replies, process.stderr + logged


def _assert_no_leak(replies: list[dict[str, Any]], text: str, secrets: list[str]) -> None:
    login_urls = [reply["result"]["url"] for reply in replies
                  if reply["ok"] and isinstance(reply.get("result"), dict)
                  and "url" in reply["result"]]
    tokens = [token for url in login_urls
              for token in parse_qs(urlsplit(url).query).get("SigninToken", [])]
    for reply in replies:
        shown = dict(reply)
        if reply["ok"] and "url" in reply.get("result", {}):
            shown["result"] = {k: v for k, v in reply["result"].items() if k != "url"}
        dumped = json.dumps(shown)
        for secret in secrets:
            assert secret not in dumped
    for secret in [*secrets, *login_urls, *tokens]:
        assert secret not in text


@PROPERTY_SETTINGS
@given(chunks=st.lists(raw_chunks, max_size=8))
def test_random_streams_answer_or_exit_cleanly(chunks: list[bytes], aws_home: AwsHome,
                                              standin: StandIn, tmp_path: Path) -> None:
    log_file = _setup(aws_home, tmp_path)
    code, replies, text = _run(b"".join(chunks), log_file)
    assert code in CLEAN_EXIT_CODES
    for reply in replies:
        assert reply["ok"] or reply["error"]["code"]
    _assert_no_leak(replies, text, _secrets(standin))


@PROPERTY_SETTINGS
@given(messages=st.lists(requests, min_size=1, max_size=6))
def test_every_json_request_gets_exactly_one_reply(messages: list[dict[str, Any]],
                                                   aws_home: AwsHome, standin: StandIn,
                                                   tmp_path: Path) -> None:
    log_file = _setup(aws_home, tmp_path)
    data = b"".join(frame(json.dumps(message).encode()) for message in messages)
    code, replies, text = _run(data, log_file)
    assert code == 0
    assert len(replies) == len(messages)
    sent_ids = [message.get("id") for message in messages]
    for reply in replies:
        assert reply["id"] is None or reply["id"] in sent_ids
        if reply["id"] is None:
            assert reply["ok"] is False
    _assert_no_leak(replies, text, _secrets(standin))
