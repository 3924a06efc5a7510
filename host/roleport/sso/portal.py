"""The AWS access portal API: every account and role a token may use, and role credentials.

Rules (AWS IAM Identity Center Portal API Reference, ListAccounts, ListAccountRoles,
GetRoleCredentials; "Error retries and exponential backoff in AWS",
https://docs.aws.amazon.com/general/latest/gr/api-retries.html):
- both listings are paginated (nextToken); botocore's paginators follow them;
- one ListAccountRoles per account, at most ROLE_WORKERS at a time, so 1,000 accounts take
  seconds without flooding the portal;
- throttling (429 TooManyRequestsException) and server faults (5xx) are retried with
  backoff by botocore's "standard" retry mode (PORTAL_ATTEMPTS attempts in all); a 401
  UnauthorizedException (revoked or expired token) ends the discovery at once.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from roleport.credentials.resolved import ResolvedCredentials
from roleport.federation import CREDENTIALS_SSO, TemporaryCredentials
from roleport.sso.device_flow import oidc_error
from roleport.sso.sessions import SsoSession

logger = logging.getLogger(__name__)

ROLE_WORKERS = 8
PORTAL_ATTEMPTS = 6
PAGE_SIZE = 100


@dataclass(frozen=True)
class DiscoveredAccount:
    account_id: str
    name: str
    email: str
    roles: tuple[str, ...]


def list_roles(client: Any, token: str, session: SsoSession,
               workers: int = ROLE_WORKERS) -> list[DiscoveredAccount]:
    """Every account and its roles, ordered by account name then id."""
    try:
        accounts = [account for page in client.get_paginator("list_accounts").paginate(
            accessToken=token, PaginationConfig={"PageSize": PAGE_SIZE})
            for account in page.get("accountList", [])]
    except Exception as exc:
        raise oidc_error(exc, session) from None

    def roles_of(account: dict[str, Any]) -> DiscoveredAccount:
        account_id = str(account.get("accountId", ""))
        try:
            roles = [str(role.get("roleName", "")) for page in client.get_paginator(
                "list_account_roles").paginate(accessToken=token, accountId=account_id,
                                               PaginationConfig={"PageSize": PAGE_SIZE})
                for role in page.get("roleList", [])]
        except Exception as exc:
            raise oidc_error(exc, session) from None
        return DiscoveredAccount(account_id, str(account.get("accountName") or ""),
                                 str(account.get("emailAddress") or ""),
                                 tuple(sorted(role for role in roles if role)))

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="roleport-sso-roles") as pool:
        found = list(pool.map(roles_of, accounts))
    return sorted(found, key=lambda account: (account.name.lower(), account.account_id))


def role_credentials(client: Any, token: str, session: SsoSession, account_id: str,
                     role_name: str) -> ResolvedCredentials:
    """GetRoleCredentials for one discovered role: temporary keys for the sign-in endpoint."""
    try:
        response = client.get_role_credentials(roleName=role_name, accountId=account_id,
                                               accessToken=token)
    except Exception as exc:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        if code == "ForbiddenException":
            from roleport.errors import RoleportError

            raise RoleportError(
                "access_denied", profile=f"{account_id}/{role_name}",
                detail=f"IAM Identity Center does not assign the role {role_name} in "
                       f"account {account_id} to you") from None
        raise oidc_error(exc, session) from None
    creds = response["roleCredentials"]
    return ResolvedCredentials(
        TemporaryCredentials(creds["accessKeyId"], creds["secretAccessKey"],
                             creds["sessionToken"]),
        CREDENTIALS_SSO, False, account=account_id, role=role_name, session_name=None,
        arn=None)
