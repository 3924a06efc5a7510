"""Every place roleport relies on a botocore internal, and the check that each still exists.

botocore documents its session, its clients and their events, not the classes behind its
credential chain. roleport uses these internals:

- ``ProfileProviderBuilder._create_process_provider``, overridden so that a profile's
  credential_process runs as a ``BoundedProcess`` (roleport.credentials.process);
  ``ProfileProviderBuilder.providers()`` must still call it;
- ``ProcessProvider``'s ``popen`` argument, the process class it runs the command with;
- ``Session._config``, the parse of the config files that ``Session.full_config`` returns:
  roleport hands a session the parse it already holds (``share_parsed_config``) instead of
  letting botocore read both files a second time;
- the RoleSessionName botocore's assume-role fetchers make up when a profile sets no
  role_session_name, ``botocore-session-<seconds>``: ``name_sessions_after`` puts a person's
  name in its place when the request is sent (``provide-client-params``, a documented client
  event), after botocore has computed the cache key without it;
- ``Loader.load_service_model`` asking ``self.list_available_services(type_name)`` only
  whether the service exists: ``ServiceFolderLoader`` answers that for the one service being
  loaded by looking in its own folder, instead of listing the ~450 service folders botocore
  ships (twice per client: its model and its endpoint rules). Any other question, and a
  service that does not exist, get botocore's own full listing and its own errors;
- ``JSONFileLoader._load_file(full_path, open_method)``, which decodes one data file with
  ``object_pairs_hook=OrderedDict``: ``PlainJSONFileLoader`` decodes into plain dicts (ordered
  too since Python 3.7, and what botocore.model copies into its own OrderedDicts), half the
  time for endpoints.json (1.2 MB) that every client of a session needs.

``check_botocore_hooks`` runs when the credential path is first built and raises
internal_error, naming the installed botocore version and the supported range, when any of
them is gone. Without it a botocore release that renamed the builder method would silently
drop the credential_process limits.

botocore is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from roleport.credentials.process import (
    TIMEOUT_SECONDS,
    BoundedProcess,
    kill_running_processes,
)
from roleport.errors import RoleportError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import botocore.session

__all__ = ["BoundedProcess", "CREDENTIAL_PROCESS_TIMEOUT_SECONDS", "bounded_provider_builder",
           "check_botocore_hooks", "kill_running_processes", "load_models_by_folder",
           "name_sessions_after", "share_parsed_config"]

# The botocore releases CI tests (constraints.txt) and pyproject.toml declares. A release
# outside the range is still used when check_botocore_hooks finds every hook in place.
SUPPORTED_BOTOCORE = ">=1.44,<1.45"

# Read each time a provider is built (a test may lower it).
CREDENTIAL_PROCESS_TIMEOUT_SECONDS = TIMEOUT_SECONDS

# What BaseAssumeRoleCredentialFetcher._generate_assume_role_name makes up.
BOTOCORE_DEFAULT_SESSION_NAME = re.compile(r"botocore-session-[0-9]+")
_NAMED_OPERATIONS = ("AssumeRole", "AssumeRoleWithWebIdentity")


def bounded_provider_builder(session: Any, **kwargs: Any) -> Any:
    """botocore's ProfileProviderBuilder whose credential_process runs as a BoundedProcess."""
    from botocore.credentials import ProcessProvider, ProfileProviderBuilder

    class BoundedProcessProvider(ProcessProvider):
        """Tells check_botocore_hooks that the override below was called."""

    class Builder(ProfileProviderBuilder):
        bounded_provider = BoundedProcessProvider

        def _create_process_provider(self, profile_name: str) -> ProcessProvider:
            popen = functools.partial(BoundedProcess, profile=profile_name,
                                      timeout_seconds=CREDENTIAL_PROCESS_TIMEOUT_SECONDS)
            return BoundedProcessProvider(profile_name=profile_name,
                                          load_config=lambda: session.full_config,
                                          popen=popen)

    return Builder(session, **kwargs)


def share_parsed_config(session: botocore.session.Session, full_config: dict[str, Any]) -> None:
    """Hand botocore the parse roleport already holds (merged exactly as Session.full_config
    merges both files): with 2,000 profiles a second parse is most of a cold login."""
    session._config = full_config  # type: ignore[attr-defined]  # the private hook itself


def load_models_by_folder(session: botocore.session.Session) -> None:
    """Give `session` a ServiceFolderLoader with the search paths botocore's own would have
    (AWS_DATA_PATH / data_path first, then ~/.aws/models and botocore's data)."""
    import botocore.loaders

    default = botocore.loaders.create_loader(session.get_config_variable("data_path"))
    loader_class, file_loader_class = _loader_classes()
    session.register_component("data_loader", loader_class(
        extra_search_paths=list(default.search_paths), file_loader=file_loader_class(),
        include_default_search_paths=False))


@functools.cache
def _loader_classes() -> tuple[type, type]:
    import json
    import os
    from contextvars import ContextVar

    import botocore.loaders

    loading: ContextVar[str | None] = ContextVar("roleport_loading_service", default=None)

    class ServiceFolderLoader(botocore.loaders.Loader):
        """botocore's Loader; whether the service being loaded exists is asked of its folder.

        botocore's answer, from list_available_services: some search path has a folder named
        after the service holding an API version folder with a `type_name` file (.json or
        .json.gz). The same test, on that one folder.
        """

        def load_service_model(self, service_name: str, type_name: str,
                               api_version: str | None = None) -> Any:
            token = loading.set(service_name)
            try:
                return super().load_service_model(service_name, type_name, api_version)
            finally:
                loading.reset(token)

        def list_available_services(self, type_name: str) -> list[str]:
            service_name = loading.get()
            if service_name is not None and self._in_own_folder(service_name, type_name):
                return [service_name]
            return super().list_available_services(type_name)

        def _in_own_folder(self, service_name: str, type_name: str) -> bool:
            if service_name in ("", os.curdir, os.pardir) or any(
                    separator and separator in service_name
                    for separator in (os.sep, os.altsep)):
                return False  # not a folder name: botocore's listing decides
            for root in self.search_paths:
                folder = os.path.join(root, service_name)
                if not os.path.isdir(folder):
                    continue
                for api_version in os.listdir(folder):
                    if self.file_loader.exists(os.path.join(folder, api_version, type_name)):
                        return True
            return False

    class PlainJSONFileLoader(botocore.loaders.JSONFileLoader):
        """botocore's JSONFileLoader, decoding into plain dicts."""

        def _load_file(self, full_path: str, open_method: Any) -> Any:
            if not os.path.isfile(full_path):
                return None
            with open_method(full_path, "rb") as data:
                return json.loads(data.read().decode("utf-8"))

    return ServiceFolderLoader, PlainJSONFileLoader


def name_sessions_after(session: botocore.session.Session, name: Callable[[], str]) -> None:
    """Role sessions botocore would call ``botocore-session-<seconds>`` get ``name()`` instead.

    Administrators read the session name in CloudTrail "to help identify who performed an
    action" (AssumeRole, RoleSessionName,
    https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html); a number says
    nothing about who it was. A role_session_name in the profile is sent as configured.

    The name is put in when the request is sent, not handed to botocore as RoleSessionName:
    botocore leaves its made-up name out of the key of ~/.aws/cli/cache but puts a given one
    in, so the AWS CLI would no longer find roleport's entries, nor roleport the CLI's (and
    an MFA code typed for one would not serve the other). The price: a session the AWS CLI
    assumed and cached first keeps its botocore-session name until it expires.
    """
    def replace_default(**event: Any) -> None:
        params: dict[str, Any] = event["params"]
        current = params.get("RoleSessionName")
        if isinstance(current, str) and BOTOCORE_DEFAULT_SESSION_NAME.fullmatch(current):
            params["RoleSessionName"] = name()

    for operation in _NAMED_OPERATIONS:
        session.register(f"provide-client-params.sts.{operation}", replace_default,
                         unique_id=f"roleport-session-name-{operation}")


def check_botocore_hooks(session: botocore.session.Session, full_config: dict[str, Any]) -> None:
    """Raise internal_error when a botocore internal listed in this module's docstring is gone.

    `session` is the one `share_parsed_config` handed `full_config` to.
    """
    import botocore
    from botocore.credentials import ProcessProvider, ProfileProviderBuilder

    missing: list[str] = []
    if not callable(getattr(ProfileProviderBuilder, "_create_process_provider", None)):
        missing.append("ProfileProviderBuilder._create_process_provider")
    elif not _builder_calls_override(session):
        missing.append("ProfileProviderBuilder.providers() calling _create_process_provider")
    if not {"popen", "load_config"} <= set(_parameters(ProcessProvider)):
        missing.append("ProcessProvider(load_config=..., popen=...)")
    if not _returns_shared_config(session, full_config):
        missing.append("Session._config as the source of Session.full_config")
    if not _makes_up_default_session_names():
        missing.append("AssumeRoleCredentialFetcher's default RoleSessionName "
                       "botocore-session-<seconds>")
    if missing:
        error = RoleportError(
            "internal_error",
            detail=f"botocore {botocore.__version__} no longer has what roleport relies on: "
                   f"{'; '.join(missing)}")
        error.hint = (f"roleport supports botocore{SUPPORTED_BOTOCORE}: install it with "
                      f"`pip install 'botocore{SUPPORTED_BOTOCORE}'`, or report this "
                      "botocore version as a roleport bug.")
        raise error


def _builder_calls_override(session: Any) -> bool:
    # In-memory caches: the probe builds providers without touching any file.
    builder = bounded_provider_builder(session, cache={}, sso_token_cache={})
    try:
        providers = builder.providers(profile_name="roleport-hooks-check",
                                      disable_env_vars=True)
    except Exception:  # a changed constructor or signature: the hook is not usable either
        return False
    return any(isinstance(provider, builder.bounded_provider) for provider in providers)


def _makes_up_default_session_names() -> bool:
    from botocore.credentials import AssumeRoleCredentialFetcher

    try:
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=None,  # type: ignore[arg-type]  # a probe: nothing is called
            source_credentials=None,
            role_arn="arn:aws:iam::123456789012:role/roleport-hooks-check")
        made_up = fetcher._assume_kwargs.get(  # type: ignore[attr-defined]  # the hook itself
            "RoleSessionName")
    except Exception:
        return False
    return isinstance(made_up, str) and BOTOCORE_DEFAULT_SESSION_NAME.fullmatch(made_up) is not None


def _parameters(callable_: Any) -> dict[str, Any]:
    try:
        return dict(inspect.signature(callable_).parameters)
    except (TypeError, ValueError):
        return {}


def _returns_shared_config(session: Any, full_config: dict[str, Any]) -> bool:
    try:
        return session.full_config is full_config
    except Exception:
        return False
