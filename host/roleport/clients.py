"""The botocore clients of the credential path: explicit timeouts, reused, built under a lock.

- Every client botocore builds for roleport has explicit connect and read timeouts and the
  "standard" retry mode with two attempts, so an unreachable STS answers within seconds
  (botocore Config: connect_timeout, read_timeout, retries;
  https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html).
- Clients are kept per (service, region, credentials) and reused across logins: building one
  loads the service model and is the slow part of a warm login.
- Clients are thread-safe once built, sessions are not ("Multithreading or multiprocessing
  with clients", https://boto3.amazonaws.com/v1/documentation/api/latest/guide/clients.html):
  every create_client on the shared session runs under one lock.

- AWS STS fits in the login deadline (roleport.rules.LOGIN_DEADLINE_SECONDS) with room left
  for the sign-in endpoint: a read timeout is not retried (the request may have been
  processed; the user learns at once that AWS STS did not answer), and within one login no
  STS attempt starts unless it can end, at its worst, within STS_WINDOW_SECONDS of the
  login's first STS attempt (the `before-send` and `needs-retry` client events,
  https://boto3.amazonaws.com/v1/documentation/api/latest/guide/events.html).

botocore is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from roleport.errors import RoleportError
from roleport.rules import LOGIN_DEADLINE_SECONDS

if TYPE_CHECKING:  # pragma: no cover - typing only
    import botocore.session

STS_CONNECT_TIMEOUT = 3.0
STS_READ_TIMEOUT = 8.0
STS_MAX_ATTEMPTS = 2  # in all, the first attempt included ("standard" retry mode)
# The sign-in endpoint's share of a login: its read timeout (federation.READ_TIMEOUT_SECONDS)
# after the last STS answer.
FEDERATION_SHARE_SECONDS = 10.0
STS_WINDOW_SECONDS = LOGIN_DEADLINE_SECONDS - FEDERATION_SHARE_SECONDS
STS_SERVICE = "AWS STS"


def client_config(connect_timeout: float = STS_CONNECT_TIMEOUT,
                  read_timeout: float = STS_READ_TIMEOUT) -> Any:
    """Explicit timeouts and a small retry for every client botocore builds for us."""
    from botocore.config import Config

    return Config(connect_timeout=connect_timeout, read_timeout=read_timeout,
                  retries={"max_attempts": STS_MAX_ATTEMPTS, "mode": "standard"})


class StsWindow:
    """The time one login may spend on AWS STS, from its first STS attempt on."""

    def __init__(self, seconds: float, attempt_seconds: float) -> None:
        self.seconds = seconds
        self.attempt_seconds = attempt_seconds  # an attempt's worst case: connect + read
        self.opened_at: float | None = None

    def admit_attempt(self) -> None:
        """Raise timeout (AWS STS) unless an attempt started now ends within the window."""
        now = time.monotonic()
        if self.opened_at is None:
            self.opened_at = now
        if now - self.opened_at + self.attempt_seconds > self.seconds:
            raise RoleportError("timeout", service=STS_SERVICE, seconds=f"{self.seconds:g}")


_window: ContextVar[StsWindow | None] = ContextVar("roleport_sts_window", default=None)


@contextmanager
def sts_window(seconds: float, attempt_seconds: float) -> Iterator[StsWindow]:
    """Every STS attempt made in this block (this thread) shares one StsWindow."""
    window = StsWindow(seconds, attempt_seconds)
    token = _window.set(window)
    try:
        yield window
    finally:
        _window.reset(token)


def _admit_sts_attempt(**_: Any) -> None:
    window = _window.get()
    if window is not None:
        window.admit_attempt()


def _no_retry_after_read_timeout(caught_exception: BaseException | None = None,
                                 **_: Any) -> None:
    from botocore.exceptions import ReadTimeoutError

    if isinstance(caught_exception, ReadTimeoutError):
        raise caught_exception


def limit_sts_time(session: botocore.session.Session) -> None:
    """Register the STS window and the no-retry-after-read-timeout rule on `session`; every
    client created from it afterwards has them (idempotent)."""
    session.register("before-send.sts", _admit_sts_attempt, unique_id="roleport-sts-window")
    session.register("needs-retry.sts", _no_retry_after_read_timeout,
                     unique_id="roleport-sts-read-timeout")


class SerializedSession:
    """A botocore session whose create_client runs under a lock.

    The providers roleport hands this proxy to (SSO, SSO token refresh) build their clients
    through it while logins run in a thread pool.
    """

    def __init__(self, session: botocore.session.Session, lock: Any) -> None:
        self._session = session
        self._lock = lock

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return self._session.create_client(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class StsClients:
    """Clients per (service, region, credentials), reused across logins.

    Keys hold a hash of the secret, never the secret itself. At most MAX_CLIENTS are kept,
    the least recently used going first.
    """

    MAX_CLIENTS = 32

    def __init__(self, session: botocore.session.Session,
                 connect_timeout: float = STS_CONNECT_TIMEOUT,
                 read_timeout: float = STS_READ_TIMEOUT) -> None:
        self._session = session
        self.timeouts = (connect_timeout, read_timeout)
        self._clients: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.RLock()
        self.serialized_session = SerializedSession(session, self._lock)

    def creator(self, region: str) -> Callable[..., Any]:
        """A client_creator, as botocore's credential fetchers take one, for this region."""
        def create(service_name: str, **kwargs: Any) -> Any:
            return self.client(service_name, region, **kwargs)
        return create

    def client(self, service_name: str, region: str, **kwargs: Any) -> Any:
        secret_digest = hashlib.sha256(
            f"{kwargs.get('aws_secret_access_key')}|{kwargs.get('aws_session_token')}".encode()
        ).hexdigest()
        key = (service_name, region, kwargs.get("aws_access_key_id"), secret_digest,
               repr(sorted(k for k in kwargs if not k.startswith("aws_"))))
        with self._lock:
            client = self._clients.get(key)
            if client is not None:
                self._clients.move_to_end(key)
                return client
            kwargs.setdefault("region_name", region)
            client = self._session.create_client(service_name, **kwargs)
            self._clients[key] = client
            while len(self._clients) > self.MAX_CLIENTS:
                self._clients.popitem(last=False)
            return client

    def clear(self) -> None:
        with self._lock:
            self._clients.clear()
