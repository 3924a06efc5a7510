"""IAM Identity Center tokens and client registrations, shared with the AWS CLI.

Rules (the AWS CLI v2's SSO token fetcher and botocore's SSOTokenLoader / SSOTokenProvider;
"Configuring IAM Identity Center authentication with the AWS CLI",
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html):
- everything lives in ~/.aws/sso/cache as JSON, one 0600 file per entry, in a 0700 folder;
- a token's file is sha1(session name) or, for a legacy profile, sha1(start URL) + ".json",
  holding startUrl, region, accessToken, expiresAt and, after a device sign-in, clientId,
  clientSecret, registrationExpiresAt and (when granted) refreshToken; timestamps are
  RFC 3339 UTC ("2026-01-01T00:00:00Z");
- a client registration's file is sha1 of the JSON (sorted keys) of {"tool": "botocore",
  "startUrl", "region", "scopes", "session_name"} and holds clientId, clientSecret,
  expiresAt and scopes; it is reused until 15 minutes before it expires;
- a token that expires within 15 minutes is refreshed with its refresh token through
  botocore's own SSOTokenProvider, which writes the new token back (sso-sessions only: a
  legacy token has no refresh token).

No function here logs or returns a token's secret parts except ``access_token``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, cast

from roleport.credentials.caches import SafeFileCache, expiration_moment, new_sso_token_cache
from roleport.errors import RoleportError
from roleport.sso.sessions import SsoSession

if TYPE_CHECKING:  # pragma: no cover - typing only
    from botocore.session import Session
    from botocore.utils import JSONFileCache

logger = logging.getLogger(__name__)

EXPIRY_WINDOW = timedelta(minutes=15)
"""A registration or token closer than this to its end is not used (botocore, AWS CLI)."""

_SYNTHETIC_PROFILE = "roleport-sso-session"
client_lock = threading.Lock()
"""Held while a client is built on roleport.sso's botocore session (not thread-safe)."""


def token_key(session: SsoSession) -> str:
    """The token's file name without ".json": sha1 of the session name, else the start URL."""
    return hashlib.sha1((session.name or session.start_url).encode("utf-8")).hexdigest()


def registration_key(session: SsoSession) -> str:
    """The client registration's file name without ".json", as the AWS CLI computes it."""
    args = {"tool": "botocore", "startUrl": session.start_url, "region": session.region,
            "scopes": list(session.scopes) or None, "session_name": session.name}
    return hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class TokenState:
    """What the popup needs to know about a session's sign-in (no secret inside)."""

    signed_in: bool       # a usable token now, or one botocore can refresh
    expires_at: str | None
    refreshable: bool


class TokenCache:
    """The SSO cache folder, read defensively (SafeFileCache) and written as the CLI does."""

    def __init__(self, files: SafeFileCache | None = None) -> None:
        self.files = files if files is not None else new_sso_token_cache()

    @property
    def folder(self) -> str:
        return self.files.directory

    def store(self, key: str, entry: dict[str, Any]) -> None:
        """Write an entry (0600, atomic); sso_cache_unwritable when it cannot be."""
        self.files.store(key, entry, lambda detail: RoleportError(
            "sso_cache_unwritable", folder=self.folder, detail=detail))

    def registration(self, session: SsoSession, now: datetime) -> dict[str, Any] | None:
        """A cached device-flow client registration still valid for 15 minutes, or None."""
        entry = self._get(registration_key(session))
        if entry is None or "authorization_code" in entry.get("grantTypes", ()):
            return None
        expires = expiration_moment(entry.get("expiresAt"))
        if not (isinstance(entry.get("clientId"), str) and isinstance(
                entry.get("clientSecret"), str)) or expires is None:
            return None
        return entry if expires - now > EXPIRY_WINDOW else None

    def token(self, session: SsoSession) -> dict[str, Any] | None:
        entry = self._get(token_key(session))
        if entry is None or not isinstance(entry.get("accessToken"), str):
            return None
        return entry

    def state(self, session: SsoSession, now: datetime | None = None) -> TokenState:
        now = now or utc_now()
        entry = self.token(session)
        if entry is None:
            return TokenState(False, None, False)
        expires = expiration_moment(entry.get("expiresAt"))
        registration_ends = expiration_moment(entry.get("registrationExpiresAt"))
        refreshable = (session.name is not None and isinstance(entry.get("refreshToken"), str)
                       and registration_ends is not None and registration_ends > now)
        valid = expires is not None and expires > now
        return TokenState(valid or refreshable, rfc3339(expires) if expires else None,
                          refreshable)

    def _get(self, key: str) -> dict[str, Any] | None:
        try:
            entry = self.files[key]
        except KeyError:
            return None
        except RoleportError as error:  # an unusable folder: nothing to read from it
            logger.warning("cannot read the SSO cache: %s", error.message)
            return None
        return entry if isinstance(entry, dict) else None


class _TokenSession:
    """What botocore's SSOTokenProvider needs of a session, for one sso-session.

    The provider reads the session through a profile that names it; a config may have an
    sso-session no profile uses yet (discovery needs no profiles), so this view adds one.
    Clients are built on the real session under one lock (botocore sessions are not
    thread-safe) with roleport's timeouts.
    """

    def __init__(self, botocore_session: Any, full_config: dict[str, Any], session_name: str,
                 config: Any) -> None:
        self._session = botocore_session
        profiles = {_SYNTHETIC_PROFILE: {"sso_session": session_name}}
        self.full_config = {**full_config, "profiles": profiles}
        self._config = config

    def get_config_variable(self, name: str) -> Any:
        return _SYNTHETIC_PROFILE if name == "profile" else None

    def create_client(self, service_name: str, **kwargs: Any) -> Any:
        config = kwargs.pop("config", None)
        merged = self._config.merge(config) if config is not None else self._config
        with client_lock:
            return self._session.create_client(service_name, config=merged, **kwargs)


def access_token(session: SsoSession, botocore_session: Any, full_config: dict[str, Any],
                 client_config: Any, cache: TokenCache | None = None) -> str:
    """The session's access token, refreshed first when it is about to expire (botocore's
    SSOTokenProvider for an sso-session); sso_signin_required when there is none to use."""
    from botocore.exceptions import SSOTokenLoadError, TokenRetrievalError
    from botocore.tokens import SSOTokenProvider

    cache = cache or TokenCache()
    if session.name is None:
        entry = cache.token(session)
        expires = expiration_moment(entry.get("expiresAt")) if entry else None
        if entry is None or expires is None or expires <= utc_now():
            raise signin_required(session)
        return str(entry["accessToken"])
    # Both stand-ins are duck-typed: botocore uses a session's full_config / create_client
    # and a cache's mapping protocol only; its stubs name the concrete classes.
    provider = SSOTokenProvider(
        cast("Session", _TokenSession(botocore_session, full_config, session.name,
                                      client_config)),
        cache=cast("JSONFileCache", cache.files), profile_name=_SYNTHETIC_PROFILE)
    try:
        loaded = provider.load_token()
        frozen = loaded.get_frozen_token() if loaded is not None else None
    except (SSOTokenLoadError, TokenRetrievalError) as exc:
        logger.info("no usable IAM Identity Center token for %s (%s)", session.label,
                    type(exc).__name__)
        raise signin_required(session) from None
    if frozen is None or not frozen.token:
        raise signin_required(session)
    expires = expiration_moment(frozen.expiration)
    if expires is not None and expires <= utc_now():
        raise signin_required(session)
    return str(frozen.token)


def signin_required(session: SsoSession) -> RoleportError:
    command = ("roleport sso login --sso-session " + session.key if session.name is not None
               else "roleport sso login --sso-session " + session.start_url)
    return RoleportError("sso_signin_required", sso_session=session.key,
                         start_url=session.start_url, command=command)
