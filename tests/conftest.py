"""Fixtures every suite shares: a sealed AWS home and the local AWS stand-in.

Tests never touch the real ~/.aws or a real account. `aws_home` seals the environment (temp
HOME, temp config/credentials files, IMDS off, every other AWS_* and ROLEPORT_* removed);
`standin` then adds only the stand-in's documented test hooks.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.credentials import SSOProvider
from botocore.tokens import SSOTokenProvider
from botocore.utils import JSONFileCache
from roleport.pipeline import Pipeline

from support.standin import StandIn, reset_moto, start_moto


@dataclass(frozen=True)
class AwsHome:
    """A temporary HOME with ~/.aws/config and ~/.aws/credentials wired through env vars."""

    home: Path
    config_file: Path
    credentials_file: Path

    def write_config(self, text: str) -> Path:
        """Write ~/.aws/config (dedented), replacing what was there."""
        self.config_file.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return self.config_file

    def write_credentials(self, text: str) -> Path:
        """Write ~/.aws/credentials (dedented), replacing what was there."""
        self.credentials_file.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return self.credentials_file


def seal_aws_environment(monkeypatch: pytest.MonkeyPatch, home: Path) -> AwsHome:
    """Point HOME and the AWS config files into `home` and drop every other AWS_*/ROLEPORT_*
    variable, so neither botocore nor roleport can find a real account or a user setting."""
    aws_dir = home / ".aws"
    aws_dir.mkdir(parents=True, exist_ok=True)
    config_file = aws_dir / "config"
    credentials_file = aws_dir / "credentials"
    config_file.touch()
    credentials_file.touch()
    for name in list(os.environ):
        if name.startswith(("AWS_", "ROLEPORT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_file))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # A proxy configured on the machine must never see loopback traffic (or credentials).
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    # botocore computes these cache directories from HOME once, at import time (class
    # attributes), so an in-process botocore would still read the real ~/.aws/sso/cache.
    monkeypatch.setattr(SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(aws_dir / "sso" / "cache"))
    monkeypatch.setattr(SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(aws_dir / "sso" / "cache"))
    monkeypatch.setattr(JSONFileCache, "CACHE_DIR", str(aws_dir / "boto" / "cache"))
    return AwsHome(home, config_file, credentials_file)


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AwsHome:
    """A sealed, empty AWS home for this test (see seal_aws_environment)."""
    return seal_aws_environment(monkeypatch, tmp_path / "home")


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server for the whole run (starting it costs ~0.3 s); reset per test."""
    server, url = start_moto()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def standin(moto_url: str, aws_home: AwsHome,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    """A fresh stand-in per test (new ports, so no cookie, record or fault carries over),
    in front of the shared moto, with its env applied to os.environ for this test."""
    reset_moto(moto_url)
    with StandIn(moto_url=moto_url) as aws:
        for name, value in aws.env().items():
            monkeypatch.setenv(name, value)
        yield aws


@pytest.fixture
def pipeline() -> Iterator[Pipeline]:
    """A Pipeline for one test, closed afterwards (its HTTP session and clients)."""
    instance = Pipeline()
    yield instance
    instance.close()
