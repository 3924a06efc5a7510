"""SsoService: sign-in, discovery and discovered-role credentials for one process.

It reads the config through roleport.profiles (cached on the files' mtime and size) and
builds its botocore clients from that snapshot's session, unsigned (the OIDC and portal APIs
take a bearer token or a client secret, not SigV4), with explicit timeouts and botocore's
"standard" retries.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from roleport.credentials.resolved import ResolvedCredentials
from roleport.sso.device_flow import DeviceFlow
from roleport.sso.discovery import Discovery, SessionListing
from roleport.sso.flows import SignInFlows
from roleport.sso.portal import PORTAL_ATTEMPTS, DiscoveredAccount, list_roles, role_credentials
from roleport.sso.sessions import SsoSession, find_session, sso_sessions
from roleport.sso.token_cache import TokenCache, TokenState, access_token, client_lock

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0


def discovery_folder(environ: Any = None) -> Path:
    from roleport.logs import state_dir

    return state_dir(environ) / "sso-discovery"


class SsoService:
    def __init__(self, *, discovery_dir: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._clients_session: Any = None
        self._token_lock = threading.Lock()
        self.flows = SignInFlows(self._device_flow, on_success=self._signed_in)
        self.discovery = Discovery(discovery_dir or discovery_folder(), self._discover)

    # -- config ---------------------------------------------------------------------------

    def _snapshot(self) -> Any:
        from roleport.profiles import load_snapshot

        return load_snapshot()

    def sessions(self) -> list[SsoSession]:
        return sso_sessions(self._snapshot().full_config)

    def session(self, key: str) -> SsoSession:
        return find_session(self._snapshot().full_config, key)

    def token_state(self, session: SsoSession) -> TokenState:
        return TokenCache().state(session)

    # -- clients --------------------------------------------------------------------------

    def client_config(self, region: str, attempts: int = 2) -> Any:
        import botocore
        from botocore.config import Config

        return Config(region_name=region, signature_version=botocore.UNSIGNED,
                      connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                      retries={"total_max_attempts": attempts, "mode": "standard"})

    def _botocore_session(self) -> Any:
        """A botocore session of its own: botocore sessions are not thread-safe, and the
        pipeline builds STS clients on the snapshot's session from other threads. Clients
        are built on this one under token_cache's client lock only."""
        with self._lock:
            if self._clients_session is None:
                from roleport.profiles import new_botocore_session

                self._clients_session = new_botocore_session()
            return self._clients_session

    def client(self, service: str, region: str, attempts: int = 2) -> Any:
        botocore_session = self._botocore_session()
        key = (service, region, str(attempts))
        with self._lock:
            client = self._clients.get(key)
        if client is None:
            with client_lock:
                client = botocore_session.create_client(
                    service, config=self.client_config(region, attempts))
            with self._lock:
                client = self._clients.setdefault(key, client)
        return client

    def access_token(self, session: SsoSession) -> str:
        """The session's token; one caller at a time per process, because a refresh spends
        the refresh token: two at once would leave one of them refused."""
        snapshot = self._snapshot()
        with self._token_lock:
            return access_token(session, self._botocore_session(), snapshot.full_config,
                                self.client_config(session.region))

    # -- sign-in and discovery -------------------------------------------------------------

    def _device_flow(self, session: SsoSession) -> DeviceFlow:
        return DeviceFlow(session, self.client("sso-oidc", session.region), TokenCache())

    def _signed_in(self, session: SsoSession) -> None:
        self.discovery.signed_in(session)

    def _discover(self, session: SsoSession) -> list[DiscoveredAccount]:
        token = self.access_token(session)
        return list_roles(self.client("sso", session.region, PORTAL_ATTEMPTS), token, session)

    def listing(self, session: SsoSession, max_age: float | None,
                refresh: bool = False) -> SessionListing:
        return self.discovery.listing(session, max_age, refresh)

    def role_credentials(self, session: SsoSession, account_id: str,
                         role_name: str) -> ResolvedCredentials:
        token = self.access_token(session)
        return role_credentials(self.client("sso", session.region), token, session,
                                account_id, role_name)

    def close(self) -> None:
        self.flows.cancel_all()
