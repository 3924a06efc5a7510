"""The redaction filter against botocore's own DEBUG output (README, "Security").

At ROLEPORT_LOG_LEVEL=debug botocore logs every request's parameters (an AssumeRole's
``TokenCode``, the MFA code) and every response body (the STS XML with ``<AccessKeyId>``,
``<SecretAccessKey>`` and ``<SessionToken>``). The host's log must keep none of them, whatever
their length: AWS documents no fixed length for a secret access key or a session token (STS
API Reference, "Credentials"), so the filter must not rely on one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from roleport import logs

from support.hostproc import CHROME_CALLER, HostProcess, host_env
from support.standin import StandIn, reset_moto
from tests.conftest import AwsHome
from tests.test_secrets_core import issued_secrets, scan

ODD_SECRET_LENGTH = 33  # neither the usual 40 characters nor long enough to look like a token
ODD_TOKEN_LENGTH = 48
MFA_CODE = "804217"
GUARDED_ROLE = "arn:aws:iam::111122223333:role/Guarded"

CONFIG = f"""
[profile base]
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = base
region = eu-west-1

[profile guarded]
role_arn = {GUARDED_ROLE}
source_profile = base
mfa_serial = arn:aws:iam::111122223333:mfa/alice
region = eu-west-1
"""
CREDENTIALS = """
[base]
aws_access_key_id = AKIAROLEPORTWIRELOG1
aws_secret_access_key = wireLogTestSecret0000000000000000000Key1
"""


# ------------------------------------------------------------------------ the filter

@pytest.mark.parametrize("text", [
    "body: Action=AssumeRole&SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fa&TokenCode=804217",
    "params: {'RoleArn': 'arn:aws:iam::1:role/R', 'TokenCode': '804217'}",
    '{"SerialNumber": "arn:aws:iam::1:mfa/a", "TokenCode": "804217"}',
    '{\\"TokenCode\\": \\"804217\\"}',
    "<AssumeRole><TokenCode>804217</TokenCode></AssumeRole>",
    "token_code=804217", "mfa_code: 804217",
])
def test_mfa_codes_are_redacted(text: str) -> None:
    redacted = logs.redact(text)
    assert MFA_CODE not in redacted
    assert logs.REDACTED in redacted


@pytest.mark.parametrize("value", ["Q7", "Short/Secret+1", "a" * 39, "Mixed0Case" * 4 + "x",
                                   "UPPERONLY" * 9, "x" * 70, "with space inside"])
@pytest.mark.parametrize("template", [
    "<SecretAccessKey>{}</SecretAccessKey>",
    "<SessionToken>{}</SessionToken>",
    "<AccessKeyId>{}</AccessKeyId>",
    '<sts:SecretAccessKey xmlns:sts="https://sts.amazonaws.com/doc/2011-06-15/">{}'
    "</sts:SecretAccessKey>",
    "b'<Credentials>\\n  <SecretAccessKey>{}</SecretAccessKey>\\n</Credentials>'",
    '"SecretAccessKey": "{}"',
    '"secretAccessKey":"{}"',
    '{{"SessionToken": "{}", "Expiration": "x"}}',
    "'SecretAccessKey': '{}'",
    '\\"SecretAccessKey\\": \\"{}\\"',
    '"accessKeyId":"{}"',
])
def test_key_and_token_elements_are_redacted_whatever_their_length(template: str,
                                                                   value: str) -> None:
    text = template.format(value)
    redacted = logs.redact(text)
    assert value not in redacted, redacted
    assert logs.REDACTED in redacted


@pytest.mark.parametrize("text", [
    "<Expiration>2026-11-30T12:00:00Z</Expiration>",
    "<Arn>arn:aws:sts::111122223333:assumed-role/Admin/roleport</Arn>",
    '"SerialNumber": "arn:aws:iam::111122223333:mfa/alice"',
    "<RoleSessionName>roleport-alice</RoleSessionName>",
])
def test_neighbouring_elements_are_kept(text: str) -> None:
    assert logs.redact(text) == text


# ------------------------------------------------------------------------ real wire logs

class OddLengthStandIn(StandIn):
    """Issues secret keys and session tokens of unusual lengths: AWS promises none."""

    def _record_issued_from_sts(self, action: str, params: dict[str, str],
                                caller: str | None, xml_body: str) -> str:
        def shorten(match: re.Match[str]) -> str:
            length = ODD_SECRET_LENGTH if match.group(1) == "SecretAccessKey" else (
                ODD_TOKEN_LENGTH)
            return f"<{match.group(1)}>{match.group(2)[:length]}</{match.group(1)}>"

        xml_body = re.sub(r"<(SecretAccessKey|SessionToken)>([^<]*)</\1>", shorten, xml_body)
        return super()._record_issued_from_sts(action, params, caller, xml_body)


@pytest.fixture
def odd_standin(moto_url: str, aws_home: AwsHome,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    reset_moto(moto_url)
    with OddLengthStandIn(moto_url=moto_url) as aws:
        for name, value in aws.env().items():
            monkeypatch.setenv(name, value)
        yield aws


def test_debug_log_of_mfa_and_plain_logins_holds_no_secret(
        aws_home: AwsHome, odd_standin: StandIn, tmp_path: Path) -> None:
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    odd_standin.mfa_codes.add(MFA_CODE)
    odd_standin.mfa_required_roles.add(GUARDED_ROLE)
    log_file = tmp_path / "host.log"
    env = host_env(os.environ, log_file)
    env["ROLEPORT_LOG_LEVEL"] = "debug"
    urls = []
    with HostProcess([CHROME_CALLER], env) as host:
        for index, params in enumerate(({"profile": "admin"},
                                        {"profile": "guarded", "mfa_code": MFA_CODE})):
            reply = host.call(index, "login", params, timeout=30)
            assert reply["ok"] is True, reply
            urls.append(reply["result"]["url"])
        assert host.wait() == 0
        written = log_file.read_text(encoding="utf-8") + host.stderr

    issued = [(key, secret, token) for key, (secret, token)
              in odd_standin._records.secrets.items()]  # noqa: SLF001 - what to look for
    assert len(issued) >= 2
    assert all(len(secret) == ODD_SECRET_LENGTH and len(token) == ODD_TOKEN_LENGTH
               for _, secret, token in issued)
    # botocore really logged what the filter has to catch.
    assert "<SecretAccessKey>" in written and "TokenCode" in written
    secrets = issued_secrets(odd_standin) + urls
    assert scan({"host log": written}, secrets) == []
    for match in re.finditer("TokenCode", written):
        assert MFA_CODE not in written[match.end():match.end() + 16], "the MFA code was logged"
