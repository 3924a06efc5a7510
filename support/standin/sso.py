"""IAM Identity Center stand-in over HTTP (portal, OIDC, verification page) and botocore's
SSO token cache. The device flow and directory live in identity_center.py.

botocore reaches it through AWS_ENDPOINT_URL_SSO. Like the real portal it answers
`GET /federation/credentials?account_id=&role_name=` with the bearer token in the
`x-amz-sso_bearer_token` header, 401 UnauthorizedException for an unknown or expired token,
403 ForbiddenException when the token's user has no such assignment. Role credentials are
minted by moto (AssumeRole of arn:aws:iam::<account>:role/<role_name>) so they are real to
the rest of the stand-in, and recorded with kind "sso".
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from botocore.utils import JSONFileCache, SSOTokenLoader

from support.standin._http import StandinHandler
from support.standin.federation import page

if TYPE_CHECKING:
    from support.standin.standin import StandIn

# The real portal's error type header value carries a coral suffix botocore strips at ":".
_ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"


class SsoPortalHandler(StandinHandler):
    """The portal (GetRoleCredentials, ListAccounts, ListAccountRoles), the OIDC API
    (RegisterClient, StartDeviceAuthorization, CreateToken) and the verification page, on one
    port: botocore reaches the portal through AWS_ENDPOINT_URL_SSO and OIDC through
    AWS_ENDPOINT_URL_SSO_OIDC, and their paths do not overlap."""

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        path = urlsplit(self.path).path
        params = self.request_params(b"")
        standin: StandIn = self.server.context
        bearer = self.headers.get("x-amz-sso_bearer_token")
        if path == DEVICE_PAGE_PATH:
            self._device_page(params.get("user_code", ""))
            return
        operation = _PORTAL_OPERATIONS.get(path)
        if operation is None:
            self._error(404, "ResourceNotFoundException", "Not found")
            return
        if self._fault(operation):
            return
        if operation == "GetRoleCredentials":
            outcome = standin._sso_role_credentials(
                bearer, params.get("account_id", ""), params.get("role_name", ""))
            if isinstance(outcome, tuple):
                self._answer(operation, outcome)
                return
            self._answer(operation, {"roleCredentials": outcome})
            return
        center = standin.identity_center
        if operation == "ListAccounts":
            self._answer(operation, center.list_accounts(bearer, params))
        else:
            self._answer(operation, center.list_account_roles(bearer, params))

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        raw = self.read_body()
        standin: StandIn = self.server.context
        center = standin.identity_center
        if path in (DEVICE_PAGE_PATH + "/approve", DEVICE_PAGE_PATH + "/deny"):
            params = self.request_params(raw)
            approve = path.endswith("/approve")
            decided = center.decide(params.get("user_code", ""), approve)
            self._decided_page(decided, approve)
            return
        operation = _OIDC_OPERATIONS.get(path)
        if operation is None:
            self._error(404, "ResourceNotFoundException", "Not found")
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._answer(operation, (400, "InvalidRequestException", "Body is not JSON"))
            return
        if self._fault(operation):
            return
        if operation == "RegisterClient":
            self._answer(operation, center.register_client(body))
        elif operation == "StartDeviceAuthorization":
            host = self.headers.get("Host") or f"127.0.0.1:{self.server.port}"
            self._answer(operation, center.start_device_authorization(
                body, f"http://{host}{DEVICE_PAGE_PATH}"))
        else:
            self._answer(operation, center.create_token(body))

    def _fault(self, operation: str) -> bool:
        center = self.server.context.identity_center
        center.wait_if_held(operation)
        kind = center.take_fault(operation)
        if kind is None:
            return False
        if kind == "slow_down" and operation != "CreateToken":
            return False
        if kind == "revoked":
            center.revoke_tokens()
        status, error_type, message = _FAULT_ANSWERS[kind]
        center.record(operation, status, kind)
        self._error(status, error_type, message)
        return True

    def _answer(self, operation: str, outcome: dict[str, Any] | tuple[int, str, str]) -> None:
        center = self.server.context.identity_center
        if isinstance(outcome, tuple):
            status, error_type, message = outcome
            center.record(operation, status)
            self._error(status, error_type, message)
            return
        center.record(operation, 200)
        self.send_json(200, outcome)

    def _error(self, status: int, error_type: str, message: str) -> None:
        self.send_json(status, {"message": message, "error": error_type},
                       {"x-amzn-ErrorType": error_type + _ERROR_TYPE_SUFFIX})

    def _device_page(self, user_code: str) -> None:
        code = html.escape(user_code)
        body = ("<h1>Authorize request</h1>"
                f"<p>Code: <span id=\"user-code\">{code}</span></p>"
                f"<form method=\"post\" action=\"{DEVICE_PAGE_PATH}/approve\">"
                f"<input type=\"hidden\" name=\"user_code\" value=\"{code}\">"
                "<button id=\"approve\" type=\"submit\">Approve</button></form>"
                f"<form method=\"post\" action=\"{DEVICE_PAGE_PATH}/deny\">"
                f"<input type=\"hidden\" name=\"user_code\" value=\"{code}\">"
                "<button id=\"deny\" type=\"submit\">Deny</button></form>")
        self.send(200, page("IAM Identity Center stand-in - Authorize", body), "text/html")

    def _decided_page(self, decided: bool, approve: bool) -> None:
        if not decided:
            text, state = "This code is unknown, expired or already used.", "invalid"
        elif approve:
            text, state = "Request approved. You can close this window.", "approved"
        else:
            text, state = "Request denied.", "denied"
        self.send(200, page("IAM Identity Center stand-in",
                            f"<h1 id=\"result\" data-state=\"{state}\">{text}</h1>"),
                  "text/html")


DEVICE_PAGE_PATH = "/device"
_PORTAL_OPERATIONS = {
    "/federation/credentials": "GetRoleCredentials",
    "/assignment/accounts": "ListAccounts",
    "/assignment/roles": "ListAccountRoles",
}
_OIDC_OPERATIONS = {
    "/client/register": "RegisterClient",
    "/device_authorization": "StartDeviceAuthorization",
    "/token": "CreateToken",
}
_FAULT_ANSWERS = {
    "http_500": (500, "InternalServerException", "Internal server error"),
    "throttling": (429, "TooManyRequestsException", "Rate exceeded"),
    "unauthorized": (401, "UnauthorizedException", "Session token not found or invalid"),
    "revoked": (401, "UnauthorizedException", "Session token not found or invalid"),
    "slow_down": (400, "SlowDownException", "Client is polling too fast"),
}


def write_sso_token_cache(home: str | os.PathLike[str], *, access_token: str,
                          start_url: str, region: str = "us-east-1",
                          session_name: str | None = None,
                          expires_at: datetime | None = None,
                          expired: bool = False) -> Path:
    """Write the token file botocore reads (~/.aws/sso/cache/<sha1>.json) into `home`.

    The cache key is sha1 of the sso_session name, or of the start URL for legacy profiles
    (botocore.utils.SSOTokenLoader computes it; we use it rather than re-deriving it). No
    refresh token is written, so botocore never tries to refresh through SSO-OIDC.
    """
    now = datetime.now(timezone.utc)
    if expires_at is None:
        expires_at = now - timedelta(hours=1) if expired else now + timedelta(hours=8)
    cache_dir = Path(home) / ".aws" / "sso" / "cache"
    token = {
        "startUrl": start_url,
        "region": region,
        "accessToken": access_token,
        "expiresAt": expires_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    SSOTokenLoader(cache=JSONFileCache(str(cache_dir))).save_token(
        start_url, token, session_name=session_name)
    # Same key as SSOTokenLoader: sha1 of the session name, else of the start URL.
    cache_key = hashlib.sha1((session_name or start_url).encode("utf-8")).hexdigest()
    return cache_dir / f"{cache_key}.json"
