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

botocore is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import botocore.session

STS_CONNECT_TIMEOUT = 5
STS_READ_TIMEOUT = 10


def client_config(connect_timeout: float = STS_CONNECT_TIMEOUT,
                  read_timeout: float = STS_READ_TIMEOUT) -> Any:
    """Explicit timeouts and a small retry for every client botocore builds for us."""
    from botocore.config import Config

    return Config(connect_timeout=connect_timeout, read_timeout=read_timeout,
                  retries={"max_attempts": 2, "mode": "standard"})


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
