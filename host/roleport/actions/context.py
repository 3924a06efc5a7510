"""What the handlers of one host process share: the caller, the environment, the pipeline.

The pipeline is made by an injected factory on first use. The default factory imports
roleport.pipeline only then, so that ``hello`` never pays for botocore or requests.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from roleport.config_files import ConfigFiles

if TYPE_CHECKING:
    from roleport.pipeline import LoginResult

T = TypeVar("T")


class HostPipeline(Protocol):
    """The part of roleport.pipeline.Pipeline the host uses."""

    def warm_up(self) -> None: ...

    def profiles(self) -> Sequence[Any]: ...

    def login(self, profile: str, region: str | None = None, destination: str | None = None,
              mfa_code: str | None = None, duration: int | None = None) -> LoginResult: ...

    @property
    def sso(self) -> Any: ...

    def login_sso_role(self, sso_session: str, account_id: str, role_name: str,
                       region: str | None = None, destination: str | None = None,
                       duration: int | None = None) -> LoginResult: ...


PipelineFactory = Callable[[], HostPipeline]


def default_pipeline() -> HostPipeline:
    """A new roleport.pipeline.Pipeline, imported here rather than at module level."""
    from roleport.pipeline import Pipeline

    return Pipeline()


class HostContext:
    """State shared by the handlers of one host process.

    ``pipeline_factory`` makes the process-wide pipeline the first time a handler needs it
    (one per process: it keeps the parsed config, STS clients and HTTP sessions warm).
    """

    def __init__(self, caller: str, environ: Mapping[str, str] | None = None, *,
                 pipeline_factory: PipelineFactory = default_pipeline) -> None:
        self.caller = caller
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self._pipeline_factory = pipeline_factory
        self._pipeline: HostPipeline | None = None
        self._lock = threading.Lock()
        self._shared: dict[str, Any] = {}

    def pipeline(self) -> HostPipeline:
        """The process-wide pipeline, made on first use."""
        with self._lock:
            if self._pipeline is None:
                self._pipeline = self._pipeline_factory()
            return self._pipeline

    def config_files(self) -> ConfigFiles:
        """The files botocore reads under this context's environment."""
        return ConfigFiles.from_environment(self.environ)

    def shared(self, name: str, factory: Callable[[], T]) -> T:
        """Per-process state of one action (a cache, say), made by ``factory`` on first use."""
        with self._lock:
            if name not in self._shared:
                self._shared[name] = factory()
            return cast(T, self._shared[name])
