"""Tests of roleport.logs: redaction of every secret shape, file location, rotation, levels."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from roleport import logs

ACCESS_KEY = "ASIAIOSFODNN7EXAMPLE"
LONG_TERM_KEY = "AKIAI44QH8DHBEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = ("FwoGZXIvYXdzEBYaDHqa0AP1Km4mZ2J3EiKGAWb7XZ7Zp3xRpJ8xq1+Hn0Zs3yKk2sQv0Tt"
                 "ZJ7nq+4gF0v8oT3cTQ0E8Y1W2Xn7S9gD3fT7Rj4Jp7mU1l0cH5sR3gVw==")
SIGNIN_TOKEN = "VCQgTcSpp0sD2zjXcf_0tQ8P4a9xP0cJqZ3pk1m5Qn8eQ6T1HhZLBd2_JRkK7N3cS4UZ" * 3
LOGIN_URL = ("https://signin.aws.amazon.com/federation?Action=login&Issuer=roleport"
             "&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=" + SIGNIN_TOKEN)
SECRETS = (ACCESS_KEY, LONG_TERM_KEY, SECRET_KEY, SESSION_TOKEN, SIGNIN_TOKEN, LOGIN_URL)


@pytest.fixture
def log_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {"HOME": str(tmp_path / "home"), "ROLEPORT_LOG_FILE": str(tmp_path / "logs" / "h.log"),
           "ROLEPORT_LOG_LEVEL": "DEBUG"}
    yield env
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_roleport", False):
            root.removeHandler(handler)
            handler.close()


@pytest.mark.parametrize("text", [
    f"key id {ACCESS_KEY} used",
    f"long-term {LONG_TERM_KEY}",
    f"aws_secret_access_key = {SECRET_KEY}",
    f"secret alone {SECRET_KEY} here",
    f'{{"SessionToken": "{SESSION_TOKEN}"}}',
    f"token {SESSION_TOKEN}",
    f'{{"SigninToken": "{SIGNIN_TOKEN}"}}',
    f"opening {LOGIN_URL} now",
    f"quoted '{LOGIN_URL}'",
    f"Session={quote(SESSION_TOKEN)}&x=1",
    f"Credentials(access_key='{ACCESS_KEY}', secret_key='{SECRET_KEY}', token='x')",
    f"Authorization: AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20260101/us-east-1/sts",
])
def test_redact_removes_every_secret_shape(text: str) -> None:
    redacted = logs.redact(text)
    for secret in SECRETS:
        assert secret not in redacted
    assert quote(SESSION_TOKEN) not in redacted
    assert "[REDACTED" in redacted


DIGITLESS_SECRET = "sHzYTPytaUbejq+ec+phQ/OMTqPiepOzWP+tvkCi"  # ~1 real key in 900 has no digit


@pytest.mark.parametrize("text", [
    f"<SecretAccessKey>{DIGITLESS_SECRET}</SecretAccessKey>",
    f"secret alone {DIGITLESS_SECRET}",
    f"url-encoded {quote(SECRET_KEY, safe='')} here",
    f"url-encoded {quote(DIGITLESS_SECRET, safe='')}",
    "Session=" + quote(f'{{"sessionId":"{ACCESS_KEY}","sessionKey":"{SECRET_KEY}"}}', safe=""),
    "encoded JSON " + quote(f'["{SECRET_KEY}"]', safe=""),
])
def test_redact_catches_secret_keys_without_digits_or_url_encoded(text: str) -> None:
    redacted = logs.redact(text)
    for secret in (SECRET_KEY, DIGITLESS_SECRET):
        assert secret not in redacted and quote(secret, safe="") not in redacted
    assert "[REDACTED" in redacted


@pytest.mark.parametrize("text", [
    "encoded " + quote(f'{{"AccessKeyId": "{ACCESS_KEY}"}}', safe=""),
    f'escaped {{"k": "\\u0022{ACCESS_KEY}"}}',
    f"key_{LONG_TERM_KEY}",
])
def test_redact_catches_key_ids_after_escapes(text: str) -> None:
    redacted = logs.redact(text)
    assert ACCESS_KEY not in redacted and LONG_TERM_KEY not in redacted
    assert logs.REDACTED in redacted


SSO_BEARER = "sso-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"


def test_redact_catches_header_values_logged_as_bytes() -> None:
    """botocore DEBUG: headers={'x-amz-sso_bearer_token': b'...'}; short tokens included."""
    text = (f"Sending http request: headers={{'User-Agent': b'Botocore/1.44', "
            f"'x-amz-sso_bearer_token': b'{SSO_BEARER}', 'X-Amz-Security-Token': b'abc'}}")
    redacted = logs.redact(text)
    assert SSO_BEARER not in redacted and "b'abc'" not in redacted
    assert "'User-Agent': b'Botocore/1.44'" in redacted
    assert "token=b[REDACTED]" not in logs.redact("token=bogus")


@pytest.mark.parametrize("text", [
    "cache file 0123456789abcdef0123456789abcdef01234567.json",
    "commit 0123456789ABCDEF0123456789ABCDEF01234567",
])
def test_redact_keeps_hex_digests(text: str) -> None:
    assert logs.redact(text) == text


@pytest.mark.parametrize("text", [
    "profile 'dev-admin' in /home/u/.aws/config",
    "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole",
    "login id=42 ok in 12.5 ms",
    "region eu-west-1, account 123456789012",
    "Loading JSON file: /home/u/roleport/.venv/lib/python3.11/site-packages/botocore/data/sts/"
    "2011-06-15/endpoint-rule-set-1.json.gz",
])
def test_redact_keeps_ordinary_text(text: str) -> None:
    assert logs.redact(text) == text


def test_file_handler_redacts_messages_args_and_tracebacks(log_env: dict[str, str]) -> None:
    logger = logs.configure_logging(environ=log_env)
    logger.info("credentials %s %s", ACCESS_KEY, SECRET_KEY)
    logging.getLogger("botocore.endpoint").debug("Sending %s", {"SessionToken": SESSION_TOKEN})
    try:
        raise RuntimeError(f"failed to open {LOGIN_URL}")
    except RuntimeError:
        logger.exception("login failed")
    logger.warning("token %s", SIGNIN_TOKEN, stack_info=True)
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = Path(log_env["ROLEPORT_LOG_FILE"]).read_text()
    assert "login failed" in written and "RuntimeError" in written
    assert "Sending" in written
    for secret in SECRETS:
        assert secret not in written


def test_stderr_handler_redacts_too(log_env: dict[str, str],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    logger = logs.configure_logging(stderr=True, environ=log_env)
    logger.error("leaked %s", LOGIN_URL)
    captured = capsys.readouterr()
    assert "leaked [REDACTED login URL]" in captured.err
    assert LOGIN_URL not in captured.err and captured.out == ""


def test_log_file_is_private_and_size_capped(log_env: dict[str, str]) -> None:
    logger = logs.configure_logging(environ=log_env)
    for index in range(3000):
        logger.info("line %d %s", index, "filler " * 150)
    path = Path(log_env["ROLEPORT_LOG_FILE"])
    files = sorted(path.parent.iterdir())
    assert len(files) == logs.BACKUP_COUNT + 1
    assert all(f.stat().st_size <= logs.MAX_LOG_BYTES + 2000 for f in files)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_existing_log_file_is_made_private(log_env: dict[str, str]) -> None:
    path = Path(log_env["ROLEPORT_LOG_FILE"])
    path.parent.mkdir(parents=True)
    path.write_text("old line\n")
    path.chmod(0o644)
    logs.configure_logging(environ=log_env).info("new line")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("old line\n")


def test_level_comes_from_the_environment(log_env: dict[str, str]) -> None:
    log_env["ROLEPORT_LOG_LEVEL"] = "warning"
    logger = logs.configure_logging(environ=log_env)
    logger.info("quiet-info")
    logger.warning("loud-warning")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = Path(log_env["ROLEPORT_LOG_FILE"]).read_text()
    assert "loud-warning" in written and "quiet-info" not in written


@pytest.mark.parametrize(("value", "level"), [
    ("", logging.INFO), ("debug", logging.DEBUG), ("ERROR", logging.ERROR), ("10", 10),
    ("nonsense", logging.INFO),
])
def test_log_level_parsing(value: str, level: int) -> None:
    assert logs.log_level({"ROLEPORT_LOG_LEVEL": value}) == level


def test_unwritable_log_file_falls_back_to_stderr(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = {"ROLEPORT_LOG_FILE": str(blocker / "sub" / "h.log")}
    try:
        logger = logs.configure_logging(environ=env)
        logger.warning("still visible")
        assert "cannot write the log file" in capsys.readouterr().err
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_roleport", False):
                logging.getLogger().removeHandler(handler)
                handler.close()


@pytest.mark.parametrize(("platform", "env", "expected"), [
    ("linux", {"HOME": "/h"}, "/h/.local/state/roleport"),
    ("linux", {"HOME": "/h", "XDG_STATE_HOME": "/x"}, "/x/roleport"),
    ("linux", {"HOME": "/h", "XDG_STATE_HOME": "relative"}, "/h/.local/state/roleport"),
    ("darwin", {"HOME": "/Users/u"}, "/Users/u/Library/Logs/roleport"),
    ("win32", {"HOME": "/h", "LOCALAPPDATA": "/appdata"}, "/appdata/roleport"),
    ("linux", {"HOME": "/h", "ROLEPORT_STATE_DIR": "/s"}, "/s"),
])
def test_state_dir_per_platform(platform: str, env: dict[str, str], expected: str) -> None:
    assert logs.state_dir(env, platform) == Path(expected)


def test_log_file_override_and_default() -> None:
    assert logs.log_file({"ROLEPORT_LOG_FILE": "/tmp/x.log"}) == Path("/tmp/x.log")
    assert logs.log_file({"HOME": "/h"}, "linux") == Path("/h/.local/state/roleport/host.log")
