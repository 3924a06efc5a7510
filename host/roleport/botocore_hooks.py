"""Every place roleport relies on a botocore internal, and the check that each still exists.

botocore documents its session and clients, not the classes behind its credential chain.
roleport uses three of those internals:

- ``ProfileProviderBuilder._create_process_provider``, overridden so that a profile's
  credential_process runs as a ``BoundedProcess``; ``ProfileProviderBuilder.providers()`` must
  still call it;
- ``ProcessProvider``'s ``popen`` argument, the process class it runs the command with;
- ``Session._config``, the parse of the config files that ``Session.full_config`` returns:
  roleport hands a session the parse it already holds (``share_parsed_config``) instead of
  letting botocore read both files a second time.

``check_botocore_hooks`` runs when the credential path is first built and raises
internal_error, naming the installed botocore version and the supported range, when any of
them is gone. Without it a botocore release that renamed the builder method would silently
drop the credential_process time limit.

botocore is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import inspect
import json
import subprocess
from typing import TYPE_CHECKING, Any

from roleport.errors import RoleportError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import botocore.session

# The botocore releases CI tests (constraints.txt) and pyproject.toml declares. A release
# outside the range is still used when check_botocore_hooks finds every hook in place.
SUPPORTED_BOTOCORE = ">=1.44,<1.45"

CREDENTIAL_PROCESS_TIMEOUT_SECONDS = 60.0


class BoundedProcess(subprocess.Popen):  # type: ignore[type-arg]
    """credential_process as botocore's ProcessProvider runs it, bounded in time and checked.

    The command must print one JSON document ("Sourcing credentials with an external
    process", https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html).
    botocore waits for the command without a limit and parses its output with json.loads
    unguarded: a hung command would hang the login and a command printing a prompt on stdout
    would surface as an internal error. Here the command is killed after
    CREDENTIAL_PROCESS_TIMEOUT_SECONDS (timeout) and non-JSON output is botocore's own
    CredentialRetrievalError (no_credentials), never echoing the output.
    """

    def communicate(self, input: Any = None, timeout: float | None = None) -> Any:  # noqa: A002
        limit = timeout if timeout is not None else CREDENTIAL_PROCESS_TIMEOUT_SECONDS
        try:
            stdout, stderr = super().communicate(input, timeout=limit)
        except subprocess.TimeoutExpired:
            self.kill()
            super().communicate()
            raise RoleportError("timeout", service="The profile's credential_process",
                                seconds=f"{limit:g}") from None
        if self.returncode == 0:
            try:
                json.loads(stdout.decode("utf-8"))
            except ValueError:  # UnicodeDecodeError is a ValueError too
                from botocore.exceptions import CredentialRetrievalError

                raise CredentialRetrievalError(provider="custom-process",
                                               error_msg="the output is not JSON") from None
        return stdout, stderr


def bounded_provider_builder(session: Any, **kwargs: Any) -> Any:
    """botocore's ProfileProviderBuilder whose credential_process runs as a BoundedProcess."""
    from botocore.credentials import ProcessProvider, ProfileProviderBuilder

    class BoundedProcessProvider(ProcessProvider):
        """Tells check_botocore_hooks that the override below was called."""

    class Builder(ProfileProviderBuilder):
        bounded_provider = BoundedProcessProvider

        def _create_process_provider(self, profile_name: str) -> ProcessProvider:
            return BoundedProcessProvider(profile_name=profile_name,
                                          load_config=lambda: session.full_config,
                                          popen=BoundedProcess)

    return Builder(session, **kwargs)


def share_parsed_config(session: botocore.session.Session, full_config: dict[str, Any]) -> None:
    """Hand botocore the parse roleport already holds (merged exactly as Session.full_config
    merges both files): with 2,000 profiles a second parse is most of a cold login."""
    session._config = full_config  # type: ignore[attr-defined]  # the private hook itself


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
