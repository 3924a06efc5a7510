"""The botocore internals roleport relies on: present in the supported botocore, and a loud
internal_error (naming the botocore version and the supported range) the moment one is gone."""

from __future__ import annotations

import re
from pathlib import Path

import botocore
import botocore.session
import pytest
from botocore.credentials import ProcessProvider, ProfileProviderBuilder
from packaging.specifiers import SpecifierSet
from roleport.botocore_hooks import (
    SUPPORTED_BOTOCORE,
    bounded_provider_builder,
    check_botocore_hooks,
)
from roleport.errors import RoleportError
from roleport.pipeline import Pipeline
from roleport.profiles import load_snapshot

ROOT = Path(__file__).resolve().parent.parent
CONFIG = """
[profile dev]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
"""


@pytest.fixture
def snapshot(aws_home):
    aws_home.write_config(CONFIG)
    return load_snapshot()


def assert_unsupported_botocore(caught: pytest.ExceptionInfo[RoleportError], hook: str) -> None:
    error = caught.value
    assert error.code == "internal_error"
    assert f"botocore {botocore.__version__}" in error.message
    assert hook in error.message
    assert f"botocore{SUPPORTED_BOTOCORE}" in error.hint
    assert error.to_dict()["hint"] == error.hint


def test_the_installed_botocore_has_every_hook(snapshot):
    check_botocore_hooks(snapshot.session, snapshot.full_config)
    assert snapshot.session.full_config is snapshot.full_config  # no second parse
    builder = bounded_provider_builder(snapshot.session)
    [process] = [provider for provider in builder.providers(profile_name="dev")
                 if isinstance(provider, ProcessProvider)]
    assert isinstance(process, builder.bounded_provider)  # runs the command as a BoundedProcess


def test_a_renamed_process_provider_hook_fails_loudly(snapshot, monkeypatch):
    monkeypatch.delattr(ProfileProviderBuilder, "_create_process_provider")
    with pytest.raises(RoleportError) as caught:
        check_botocore_hooks(snapshot.session, snapshot.full_config)
    assert_unsupported_botocore(caught, "ProfileProviderBuilder._create_process_provider")


def test_a_builder_that_no_longer_calls_the_hook_fails_loudly(snapshot, monkeypatch):
    original = ProfileProviderBuilder.providers

    def providers_without_process(self, profile_name, disable_env_vars=False):
        return [provider for provider in original(self, profile_name, disable_env_vars)
                if not isinstance(provider, ProcessProvider)]

    monkeypatch.setattr(ProfileProviderBuilder, "providers", providers_without_process)
    with pytest.raises(RoleportError) as caught:
        check_botocore_hooks(snapshot.session, snapshot.full_config)
    assert_unsupported_botocore(caught, "providers() calling _create_process_provider")


def test_a_process_provider_without_popen_fails_loudly(snapshot, monkeypatch):
    def init_without_popen(self, profile_name, load_config):
        self._profile_name = profile_name
        self._load_config = load_config

    monkeypatch.setattr(ProcessProvider, "__init__", init_without_popen)
    with pytest.raises(RoleportError) as caught:
        check_botocore_hooks(snapshot.session, snapshot.full_config)
    assert_unsupported_botocore(caught, "ProcessProvider(load_config=..., popen=...)")


def test_a_session_that_ignores_the_shared_parse_fails_loudly(snapshot, monkeypatch):
    session = snapshot.session
    monkeypatch.setattr(botocore.session.Session, "full_config",
                        property(lambda self: {"profiles": {}}))
    with pytest.raises(RoleportError) as caught:
        check_botocore_hooks(session, snapshot.full_config)
    assert_unsupported_botocore(caught, "Session._config")


def test_the_pipeline_checks_the_hooks_before_any_credentials(aws_home, monkeypatch):
    aws_home.write_config(CONFIG)
    # Were the check skipped, the login would go no further than a closed local port.
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    monkeypatch.delattr(ProfileProviderBuilder, "_create_process_provider")
    pipeline = Pipeline()
    try:
        with pytest.raises(RoleportError) as caught:
            pipeline.login("dev")
        assert_unsupported_botocore(caught, "_create_process_provider")
        with pytest.raises(RoleportError) as warm:
            pipeline.warm_up()
        assert warm.value.code == "internal_error"
    finally:
        pipeline.close()


def test_the_supported_range_is_the_one_declared_and_tested():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"botocore{SUPPORTED_BOTOCORE}"' in pyproject
    pinned = re.search(r"^botocore==(\S+)$", (ROOT / "constraints.txt").read_text(),
                       re.MULTILINE)
    assert pinned and pinned.group(1) in SpecifierSet(SUPPORTED_BOTOCORE)
