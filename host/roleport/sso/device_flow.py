"""The OAuth 2.0 device authorization grant against IAM Identity Center, through botocore's
own ``sso-oidc`` client.

Rules (RFC 8628, "OAuth 2.0 Device Authorization Grant", sections 3.1-3.5; AWS IAM Identity
Center OIDC API Reference, RegisterClient / StartDeviceAuthorization / CreateToken; the AWS
CLI v2's device-code token fetcher for what is cached):
- a public client is registered once (clientName "botocore-client-<session>", clientType
  "public", the session's sso_registration_scopes) and the registration cached for reuse;
- StartDeviceAuthorization with the start URL gives the user code and verification URI the
  user approves in a browser;
- CreateToken with grantType urn:ietf:params:oauth:grant-type:device_code is polled every
  ``interval`` seconds (5 when not given): AuthorizationPendingException -> keep polling,
  SlowDownException -> the interval grows by 5 seconds for good, AccessDeniedException ->
  the user said no, ExpiredTokenException -> the code expired; the flow also ends at the
  code's own expiry and whenever it is cancelled;
- the token is written where the AWS CLI writes it (roleport.sso.token_cache).

The OIDC calls are unsigned (botocore.UNSIGNED), as the AWS CLI makes them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from roleport.errors import RoleportError
from roleport.sso.sessions import SsoSession
from roleport.sso.token_cache import TokenCache, registration_key, token_key, utc_now

logger = logging.getLogger(__name__)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5
SLOW_DOWN_STEP = 5
SERVICE = "IAM Identity Center"


@dataclass(frozen=True)
class Authorization:
    """A started device authorization. Only ``device_code`` is secret; it is never shown."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_at: datetime
    interval: int
    device_code: str = field(repr=False)
    lifetime_seconds: int = 600


class DeviceFlow:
    """One sign-in: ``start()`` then ``wait()`` (from another thread, cancellable)."""

    def __init__(self, session: SsoSession, client: Any, cache: TokenCache, *,
                 now: Callable[[], datetime] = utc_now) -> None:
        self.session = session
        self._client = client
        self._cache = cache
        self._now = now
        self._registration: dict[str, Any] | None = None

    def start(self) -> Authorization:
        """Register (or reuse the cached registration) and start the device authorization."""
        registration = self._registration_entry()
        try:
            response = self._client.start_device_authorization(
                clientId=registration["clientId"], clientSecret=registration["clientSecret"],
                startUrl=self.session.start_url)
        except Exception as exc:
            raise oidc_error(exc, self.session) from None
        interval = response.get("interval") or DEFAULT_INTERVAL
        return Authorization(
            user_code=str(response["userCode"]),
            verification_uri=str(response["verificationUri"]),
            verification_uri_complete=str(response.get("verificationUriComplete")
                                          or response["verificationUri"]),
            expires_at=self._now() + timedelta(seconds=int(response["expiresIn"])),
            interval=int(interval), device_code=str(response["deviceCode"]),
            lifetime_seconds=int(response["expiresIn"]))

    def wait(self, authorization: Authorization, cancelled: threading.Event,
             deadline: float | None = None) -> dict[str, Any]:
        """Poll until the user approves (the token is then cached and returned), denies, the
        code expires, ``deadline`` (time.monotonic) passes, or ``cancelled`` is set."""
        interval = authorization.interval
        while True:
            if cancelled.wait(interval):
                raise RoleportError("sso_login_cancelled", start_url=self.session.start_url,
                                    sso_session=self.session.key)
            if self._now() >= authorization.expires_at or (
                    deadline is not None and time.monotonic() >= deadline):
                raise self._expired(authorization)
            try:
                response = self._client.create_token(
                    grantType=DEVICE_GRANT, clientId=self._registration_or_fail()["clientId"],
                    clientSecret=self._registration_or_fail()["clientSecret"],
                    deviceCode=authorization.device_code)
            except Exception as exc:
                code = _error_code(exc)
                if code == "AuthorizationPendingException":
                    continue
                if code == "SlowDownException":
                    interval += SLOW_DOWN_STEP
                    logger.info("IAM Identity Center asked to poll slower (%d s)", interval)
                    continue
                if code == "ExpiredTokenException":
                    raise self._expired(authorization) from None
                if code == "AccessDeniedException":
                    raise RoleportError("sso_login_denied", start_url=self.session.start_url,
                                        sso_session=self.session.key) from None
                raise oidc_error(exc, self.session) from None
            token = self._token_entry(response)
            self._cache.store(token_key(self.session), token)
            logger.info("signed in to IAM Identity Center %s", self.session.label)
            return token

    # -- pieces ---------------------------------------------------------------------------

    def _registration_entry(self) -> dict[str, Any]:
        now = self._now()
        cached = self._cache.registration(self.session, now)
        if cached is not None:
            self._registration = cached
            return cached
        name = self.session.name if self.session.name is not None else str(
            int(now.timestamp()))
        kwargs: dict[str, Any] = {"clientName": f"botocore-client-{name}",
                                  "clientType": "public"}
        if self.session.scopes:
            kwargs["scopes"] = list(self.session.scopes)
        try:
            response = self._client.register_client(**kwargs)
        except Exception as exc:
            raise oidc_error(exc, self.session) from None
        registration: dict[str, Any] = {
            "clientId": response["clientId"],
            "clientSecret": response["clientSecret"],
            "expiresAt": datetime.fromtimestamp(int(response["clientSecretExpiresAt"]),
                                                tz=now.tzinfo),
        }
        if self.session.scopes:
            registration["scopes"] = list(self.session.scopes)
        self._cache.store(registration_key(self.session), registration)
        self._registration = registration
        return registration

    def _registration_or_fail(self) -> dict[str, Any]:
        if self._registration is None:  # pragma: no cover - start() always sets it
            raise RoleportError("internal_error", detail="the device flow was not started")
        return self._registration

    def _token_entry(self, response: dict[str, Any]) -> dict[str, Any]:
        registration = self._registration_or_fail()
        token: dict[str, Any] = {
            "startUrl": self.session.start_url,
            "region": self.session.region,
            "accessToken": response["accessToken"],
            "expiresAt": self._now() + timedelta(seconds=int(response["expiresIn"])),
            "clientId": registration["clientId"],
            "clientSecret": registration["clientSecret"],
            "registrationExpiresAt": registration["expiresAt"],
        }
        if response.get("refreshToken"):
            token["refreshToken"] = response["refreshToken"]
        return token

    def _expired(self, authorization: Authorization) -> RoleportError:
        return RoleportError("sso_login_expired", start_url=self.session.start_url,
                             sso_session=self.session.key,
                             minutes=lifetime_words(authorization.lifetime_seconds))


def lifetime_words(seconds: int) -> str:
    """A user code's lifetime for the hint: whole minutes, rounded down so the user is never
    told they have longer than the code lives ("10 minutes", "1 minute"); seconds below one
    minute ("45 seconds")."""
    if seconds >= 60:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    seconds = max(1, seconds)
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def oidc_error(exc: BaseException, session: SsoSession) -> RoleportError:
    """A RoleportError for a failed OIDC or portal call (no token or secret in it)."""
    from botocore.exceptions import (
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    if isinstance(exc, RoleportError):
        return exc
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
        return RoleportError("timeout", service=SERVICE, seconds="10")
    if isinstance(exc, EndpointConnectionError):
        return RoleportError("network_error", service=SERVICE, detail=type(exc).__name__)
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = _error_code(exc)
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "UnauthorizedException" or status == 401:
            from roleport.sso.token_cache import signin_required

            return signin_required(session)
        from roleport.error_map import builder_is_throttling

        if status == 429 or builder_is_throttling(code):
            return RoleportError("throttled", service=SERVICE)
        if isinstance(status, int) and status >= 500:
            return RoleportError("aws_unavailable", service=SERVICE, status=status)
        return RoleportError("internal_error", detail=f"{SERVICE} answered {code or status}")
    from botocore.exceptions import BotoCoreError

    if isinstance(exc, BotoCoreError):
        return RoleportError("network_error", service=SERVICE, detail=type(exc).__name__)
    return RoleportError("internal_error", detail=f"{type(exc).__name__} talking to {SERVICE}")
