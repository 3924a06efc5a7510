"""IAM Identity Center portal stand-in (GetRoleCredentials) and botocore's SSO token cache.

botocore reaches it through AWS_ENDPOINT_URL_SSO. Like the real portal it answers
`GET /federation/credentials?account_id=&role_name=` with the bearer token in the
`x-amz-sso_bearer_token` header, 401 UnauthorizedException for an unknown or expired token,
403 ForbiddenException when the token's user has no such assignment. Role credentials are
minted by moto (AssumeRole of arn:aws:iam::<account>:role/<role_name>) so they are real to
the rest of the stand-in, and recorded with kind "sso".
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from botocore.utils import JSONFileCache, SSOTokenLoader

from support.standin._http import StandinHandler

if TYPE_CHECKING:
    from support.standin.standin import StandIn

# The real portal's error type header value carries a coral suffix botocore strips at ":".
_ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"


class SsoPortalHandler(StandinHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        path = urlsplit(self.path).path
        params = self.request_params(b"")
        if path != "/federation/credentials":
            self._error(404, "ResourceNotFoundException", "Not found")
            return
        standin: StandIn = self.server.context
        account_id = params.get("account_id", "")
        role_name = params.get("role_name", "")
        outcome = standin._sso_role_credentials(
            self.headers.get("x-amz-sso_bearer_token"), account_id, role_name)
        if isinstance(outcome, tuple):
            status, error_type, message = outcome
            self._error(status, error_type, message)
            return
        self.send_json(200, {"roleCredentials": outcome})

    def _error(self, status: int, error_type: str, message: str) -> None:
        self.send_json(status, {"message": message},
                       {"x-amzn-ErrorType": error_type + _ERROR_TYPE_SUFFIX})


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
