"""The secret-leak scan of the core (README, "Security"): run succeeding and failing logins
through the library and the CLI, capture everything they write (stderr, stdout except the
--print URL, log records, exception text, files in HOME except the AWS CLI cache) and assert
that none of it contains an issued access key id, secret key, session token, SigninToken,
login URL, or the user's long-term secret key."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import traceback
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from roleport import cli
from roleport.errors import RoleportError
from roleport.pipeline import Pipeline

LONG_TERM_SECRET = "dev-user-secret-NOT-REAL-0123456789abcdef"

CONFIG = """
[profile dev]
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = dev
region = eu-west-1

[profile deep]
role_arn = arn:aws:iam::210987654321:role/Deep
source_profile = admin

[profile mfa]
role_arn = arn:aws:iam::123456789012:role/Guarded
source_profile = dev
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile mfa-second]
role_arn = arn:aws:iam::123456789012:role/SecondBehindAlice
source_profile = dev
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile mfa-unused]
role_arn = arn:aws:iam::123456789012:role/NeverCached
source_profile = dev
mfa_serial = arn:aws:iam::111111111111:mfa/bob

[profile sso-dev]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = Developer

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
"""

CREDENTIALS = f"""
[dev]
aws_access_key_id = AKIAEXAMPLEDEVUSER01
aws_secret_access_key = {LONG_TERM_SECRET}
"""


class Capture(logging.Handler):
    """Every log record of every logger, formatted with its exception text."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # botocore's DEBUG wire log prints raw response bodies; the native host's logs.py filter
    # redacts those. The core must be clean at INFO and above for libraries, DEBUG for ours.
    quiet = {name: logging.getLogger(name).level for name in ("botocore", "urllib3")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def issued_secrets(standin) -> list[str]:
    """Everything the stand-in handed out that is a credential, plus the user's own secret.

    The stand-in keeps secrets out of its public records on purpose; the scan reads its
    private maps because it must know what to look for.
    """
    records = standin._records  # noqa: SLF001 - see docstring
    with standin._lock:  # noqa: SLF001
        values = [LONG_TERM_SECRET]
        for access_key_id, (secret, token) in records.secrets.items():
            values += [access_key_id, secret, token]
        values += list(records.signin_grants)
    return [value for value in values if value]


def variants(secret: str) -> set[str]:
    """The secret as written raw, URL-encoded or JSON-escaped."""
    return {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
            secret.replace("/", "\\/")}


def scan(texts: dict[str, str], secrets: list[str]) -> list[str]:
    leaks = []
    for where, text in texts.items():
        for secret in secrets:
            if any(form in text for form in variants(secret)):
                leaks.append(f"{where} contains a secret starting {secret[:4]}...")
    return leaks


def error_texts(error: BaseException) -> str:
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, RoleportError):
        parts += [error.message, error.hint, str(error.to_dict()), str(error.fields)]
    return "\n".join(parts)


def home_files(home: Path, inputs: dict[Path, bytes] | None = None) -> dict[str, str]:
    """Files in HOME except the AWS CLI cache and the test's own unchanged input files."""
    texts = {}
    cli_cache = home / ".aws" / "cli" / "cache"
    for path in home.rglob("*"):
        if not path.is_file() or cli_cache in path.parents:
            continue
        content = path.read_bytes()
        if inputs and inputs.get(path) == content:
            continue
        texts[f"file {path.relative_to(home)}"] = content.decode("utf-8", "replace")
    return texts


def snapshot_inputs(home: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_no_secret_in_anything_a_succeeding_or_failing_run_writes(
        standin, aws_home, captured_logs, capfd):
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    standin.sso_login(aws_home.home, start_url="https://corp.awsapps.com/start",
                      session_name="corp")
    inputs = snapshot_inputs(aws_home.home)
    texts: dict[str, str] = {}
    urls: list[str] = []

    # Succeeding CLI runs: stdout is exactly the URL (excluded from the scan), stderr scanned.
    for argv in (["login", "admin", "--print"], ["login", "dev", "--print"],
                 ["login", "deep", "--print"], ["login", "sso-dev", "--print"],
                 ["login", "mfa", "--print", "--mfa-code", "123456"],
                 ["login", "--account-id", "999999999999", "--role-name", "Cross",
                  "--profile", "dev", "--print"]):
        code, out, err = run_cli(*argv)
        assert code == 0, err
        url = out.strip()
        assert url.startswith(standin.federation_url) and out == url + "\n"
        urls.append(url)
        texts[f"stderr of {argv}"] = err
    for argv in (["list"], ["list", "--json"]):
        code, out, err = run_cli(*argv)
        assert code == 0
        texts[f"stdout of {argv}"] = out
        texts[f"stderr of {argv}"] = err

    # Succeeding library calls: everything but .url is shown to users and logs.
    pipeline = Pipeline()
    try:
        # "mfa-second" needs no code: the CLI's "mfa" login started alice's MFA session.
        for name in ("admin", "dev", "deep", "mfa-second"):
            result = pipeline.login(name)
            urls.append(result.url)
            texts[f"repr of {name} result"] = repr(result) + str(result)
            texts[f"identity of {name}"] = str(result.identity) + result.logout_url

        # Failing runs, after credentials were issued (the dangerous moment).
        failures = []
        standin.inject_federation_fault("http_400", count=2)  # a 400 is retried once
        failures.append(("federation 400", lambda: pipeline.login("admin")))
        standin_fault = standin.inject_federation_fault
        failures.append(("federation garbage",
                         lambda: (standin_fault("garbage", count=5), pipeline.login("dev"))))
        failures.append(("sts denied", lambda: (
            standin.inject_sts_fault("access_denied", action="AssumeRole", count=5),
            pipeline.login_role("888888888888", "Denied", source_profile="dev"))))
        failures.append(("mfa invalid", lambda: (
            standin.clear_faults(), pipeline.login("mfa-unused", mfa_code="000000"))))
        failures.append(("mfa required", lambda: pipeline.login("mfa-unused")))
        failures.append(("bad destination",
                         lambda: pipeline.login("admin", destination="https://evil.example/")))
        for label, action in failures:
            with pytest.raises(RoleportError) as caught:
                action()
            texts[f"exception of {label}"] = error_texts(caught.value)

        # Expired credentials still in the cache: the sign-in endpoint refuses them.
        for issued in standin.issued:
            standin.expire_credentials(issued.access_key_id)
        with pytest.raises(RoleportError) as caught:
            pipeline.login("admin")
        assert caught.value.code == "federation_failed"
        texts["exception of expired credentials"] = error_texts(caught.value)
    finally:
        pipeline.close()

    for argv in (["login", "admin", "--print"],
                 ["login", "mfa-unused", "--print", "--mfa-code", "000000"]):
        code, out, err = run_cli(*argv)
        assert code != 0
        texts[f"stdout of failing {argv}"] = out
        texts[f"stderr of failing {argv}"] = err

    captured = capfd.readouterr()
    texts["process stdout"] = captured.out
    texts["process stderr"] = captured.err
    texts["log records"] = "\n".join(captured_logs.lines)
    texts.update(home_files(aws_home.home, inputs))
    assert inputs == {path: content for path, content in snapshot_inputs(aws_home.home).items()
                      if path in inputs}  # the user's files were not rewritten

    secrets = issued_secrets(standin)
    secrets += urls
    assert len(secrets) > 20  # the scan must know what it is looking for
    assert all(len(secret) >= 16 for secret in secrets)
    assert any("roleport" in line for line in captured_logs.lines)  # logs were captured
    assert (aws_home.home / ".aws" / "cli" / "cache").is_dir()
    assert scan(texts, secrets) == []


def test_scan_detects_a_planted_leak(standin, aws_home):
    """The scan itself can fail: a secret written to a file in HOME is found."""
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    pipeline = Pipeline()
    try:
        result = pipeline.login("admin")
    finally:
        pipeline.close()
    (aws_home.home / "leak.txt").write_text(f"oops {result.url}", encoding="utf-8")
    secrets = issued_secrets(standin) + [result.url]
    leaks = scan(home_files(aws_home.home), secrets)
    assert any("leak.txt" in leak for leak in leaks)


def test_console_script_subprocess_leaks_nothing_on_stderr(standin, aws_home):
    script = Path(sys.executable).parent / "roleport"
    if not script.exists():
        pytest.skip("the roleport console script is not installed in this environment")
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    env = dict(os.environ, ROLEPORT_LOG_LEVEL="DEBUG")
    ok = subprocess.run([str(script), "login", "admin", "--print"], env=env,
                        capture_output=True, text=True, timeout=60)
    standin.inject_federation_fault("http_400", count=5)
    failed = subprocess.run([str(script), "login", "admin", "--print"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and failed.returncode != 0
    assert failed.stdout == ""
    url = ok.stdout.strip()
    secrets = issued_secrets(standin) + [url]
    assert scan({"stderr ok": ok.stderr, "stderr failed": failed.stderr,
                 "stdout ok minus url": ok.stdout.replace(url, "")}, secrets) == []


SSO_CONFIG = """
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile prod-admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
"""


def test_no_secret_in_anything_the_sso_paths_write(standin, aws_home, captured_logs, capfd):
    """Sign-in (device flow), refresh, discovery, discovered-role logins, populate and their
    failures: no access or refresh token, client secret, device code or role credential
    anywhere but ~/.aws/sso/cache (the AWS CLI's own cache) and the --print URL."""
    import threading
    import time

    aws_home.write_config(SSO_CONFIG)
    texts: dict[str, str] = {}
    urls: list[str] = []

    def approve_next(approve: bool) -> threading.Thread:
        def run() -> None:
            deadline = time.monotonic() + 20
            while not standin.identity_center.pending_user_codes():
                assert time.monotonic() < deadline
                time.sleep(0.02)  # poll interval of this wait (bounded by the deadline)
            standin.identity_center.decide(standin.identity_center.pending_user_codes()[0],
                                           approve)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    approve_next(False)
    code, out, err = run_cli("sso", "login", "--no-browser")
    assert code == 77
    texts["stdout/stderr of a denied sign-in"] = out + err
    approve_next(True).join(0)
    code, out, err = run_cli("sso", "login", "--no-browser")
    assert code == 0, err
    texts["stdout/stderr of sso login"] = out + err
    for argv in (["list"], ["list", "--json"], ["sso", "populate", "--dry-run"]):
        code, out, err = run_cli(*argv)
        assert code == 0, err
        texts[f"output of {argv}"] = out + err
    code, out, err = run_cli("login", "--account-id", "222222222222", "--role-name",
                             "Developer", "--sso-session", "corp", "--print")
    assert code == 0, err
    urls.append(out.strip())
    texts["stderr of a discovered-role login"] = err
    # The token is revoked: discovery and logins fail, naming the sign-in, nothing else.
    standin.identity_center.revoke_tokens()
    code, out, err = run_cli("login", "--account-id", "222222222222", "--role-name",
                             "Developer", "--sso-session", "corp", "--print")
    assert code == 73, err
    texts["output of a login with a revoked token"] = out + err
    pipeline = Pipeline()
    try:
        with pytest.raises(RoleportError) as caught:
            pipeline.login_sso_role("corp", "111111111111", "ReadOnly")
        texts["exception of a revoked token"] = error_texts(caught.value)
    finally:
        pipeline.close()

    captured = capfd.readouterr()
    texts["process stdout"] = captured.out
    texts["process stderr"] = captured.err
    texts["log records"] = "\n".join(captured_logs.lines)
    sso_cache = aws_home.home / ".aws" / "sso" / "cache"
    assert sso_cache.is_dir()
    texts.update({where: text for where, text in home_files(aws_home.home).items()
                  if not where.startswith("file .aws/sso/cache/")})
    assert any("sso-discovery" in where for where in texts)  # the discovery cache is scanned

    secrets = issued_secrets(standin) + standin.identity_center.known_secrets() + urls
    assert len(standin.identity_center.known_secrets()) >= 5
    assert scan(texts, [secret for secret in secrets if len(secret) >= 16]) == []
