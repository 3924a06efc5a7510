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


# -- models loaded from the service's own folder ----------------------------------------------

def _full_listings(loader) -> list[str]:
    # instance_cache keys: (method name, *args); a full listing leaves one behind.
    return [key[1] for key in loader._cache if key[0] == "list_available_services"]


def test_an_sts_client_loads_its_models_without_listing_every_service(snapshot):
    loader = snapshot.session.get_component("data_loader")
    client = snapshot.session.create_client("sts", region_name="eu-west-1",
                                            aws_access_key_id="AKIAEXAMPLE",
                                            aws_secret_access_key="not-a-secret")
    assert _full_listings(loader) == []
    assert client.meta.service_model.service_name == "sts"
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.endpoint_url == "https://sts.eu-west-1.amazonaws.com"
    # The same model botocore's own loader returns.
    plain = botocore.session.Session().get_component("data_loader")
    assert (loader.load_service_model("sts", "service-2")
            == plain.load_service_model("sts", "service-2"))
    assert (loader.load_service_model("sts", "endpoint-rule-set-1")
            == plain.load_service_model("sts", "endpoint-rule-set-1"))


def test_an_unknown_service_gets_botocores_own_error(snapshot):
    from botocore.exceptions import UnknownServiceError

    with pytest.raises(UnknownServiceError) as caught:
        snapshot.session.create_client("no-such-service", region_name="eu-west-1")
    assert "sts" in str(caught.value)  # botocore's full list of the services it knows
    loader = snapshot.session.get_component("data_loader")
    assert _full_listings(loader) == ["service-2"]


@pytest.mark.parametrize("name", ["../sts", "sts/..", "..", ""])
def test_a_name_that_is_not_a_folder_name_is_left_to_botocore(snapshot, name):
    from botocore.exceptions import UnknownServiceError

    loader = snapshot.session.get_component("data_loader")
    with pytest.raises(UnknownServiceError):
        loader.load_service_model(name, "service-2")


def test_models_in_aws_data_path_come_first(aws_home, monkeypatch, tmp_path):
    # AWS_DATA_PATH (botocore's data_path) is searched before botocore's own data, as botocore
    # does: a customised STS model there is the one the client gets.
    import json

    plain = botocore.session.Session().get_component("data_loader")
    model = plain.load_service_model("sts", "service-2")
    model["metadata"]["serviceId"] = "STS from AWS_DATA_PATH"
    version = model["metadata"]["apiVersion"]
    folder = tmp_path / "models" / "sts" / version
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model), encoding="utf-8")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models"))
    aws_home.write_config(CONFIG)
    session = load_snapshot().session
    client = session.create_client("sts", region_name="eu-west-1",
                                   aws_access_key_id="AKIAEXAMPLE",
                                   aws_secret_access_key="not-a-secret")
    assert client.meta.service_model.service_id == "STS from AWS_DATA_PATH"
    assert session.get_component("data_loader").search_paths[0] == str(tmp_path / "models")


def test_data_files_decode_to_what_botocore_decodes(snapshot):
    loader = snapshot.session.get_component("data_loader")
    plain = botocore.session.Session().get_component("data_loader")
    for name in ("endpoints", "partitions", "_retry", "sdk-default-configuration"):
        ours, theirs = loader.load_data(name), plain.load_data(name)
        assert ours == theirs, name
        assert type(ours) is dict  # noqa: E721 - plain dicts, not botocore's OrderedDicts
