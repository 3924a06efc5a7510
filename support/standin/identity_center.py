"""IAM Identity Center stand-in: the OIDC device flow and the portal's account directory.

Rules implemented (AWS IAM Identity Center OIDC API Reference: RegisterClient,
StartDeviceAuthorization, CreateToken; AWS IAM Identity Center Portal API Reference:
ListAccounts, ListAccountRoles, GetRoleCredentials; RFC 8628, "OAuth 2.0 Device Authorization
Grant", sections 3.2-3.5):
- RegisterClient gives a public client an id and a secret valid 90 days;
- StartDeviceAuthorization answers a device code, a user code, the verification URIs, how
  long the code lives (expiresIn) and the polling interval;
- CreateToken with the device code answers AuthorizationPendingException until the user has
  approved on the verification page, SlowDownException when polled faster than the interval,
  AccessDeniedException once the user denied, ExpiredTokenException once the code expired; an
  approved code is exchanged once. A refresh token comes only to a client registered with the
  scope sso:account:access (as the OIDC API Reference describes for refresh tokens), and the
  refresh_token grant answers a new access token and a new refresh token (the old one is spent);
- ListAccounts and ListAccountRoles are paginated (nextToken, maxResults); a revoked or
  expired token is 401 UnauthorizedException, throttling 429 TooManyRequestsException.

Nothing here records a secret: device codes, tokens and client secrets stay in private maps.
"""

from __future__ import annotations

import secrets
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from support.standin.standin import StandIn

DEVICE_CODE_LIFETIME = timedelta(minutes=10)
CLIENT_SECRET_LIFETIME = timedelta(days=90)
DEFAULT_INTERVAL = 1
REFRESH_SCOPE = "sso:account:access"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SSO_FAULT_KINDS = ("http_500", "throttling", "unauthorized", "slow_down", "revoked")
HOLD_TIMEOUT = 60.0  # seconds a held request waits at most (a test that forgets to release)

# (status, exception name, message): the OIDC and portal error shapes botocore parses.
Refusal = tuple[int, str, str]
_BAD_PAGE: Refusal = (400, "InvalidRequestException", "Bad nextToken or maxResults")


@dataclass(frozen=True)
class SsoAccount:
    account_id: str
    name: str
    email: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class SsoCall:
    """One request to the OIDC or portal stand-in (no token, code or secret inside)."""

    operation: str
    status: int
    fault: str | None = None


@dataclass
class _Client:
    secret: str
    scopes: tuple[str, ...]
    expires_at: datetime


@dataclass
class _Authorization:
    client_id: str
    start_url: str
    user_code: str
    expires_at: datetime
    interval: int
    state: str = "pending"  # pending, approved, denied, redeemed
    last_poll: datetime | None = None


@dataclass
class _Fault:
    kind: str
    operation: str | None
    remaining: int


@dataclass
class _State:
    clients: dict[str, _Client] = field(default_factory=dict)
    authorizations: dict[str, _Authorization] = field(default_factory=dict)  # by device code
    refresh_tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # -> client, user
    calls: list[SsoCall] = field(default_factory=list)
    faults: list[_Fault] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)  # still secrets, for the scans
    held: dict[str, threading.Event] = field(default_factory=dict)  # by operation
    waiting: dict[str, int] = field(default_factory=dict)  # requests at a held gate


def default_directory() -> list[SsoAccount]:
    """A small organisation: two accounts, a few roles each."""
    return [
        SsoAccount("111111111111", "Production", "prod@example.com",
                   ("AdministratorAccess", "ReadOnly")),
        SsoAccount("222222222222", "Development", "dev@example.com", ("Developer",)),
    ]


def scale_directory(accounts: int = 1000, roles: int = 3) -> list[SsoAccount]:
    """The scale fixture: `accounts` accounts with `roles` roles each."""
    role_names = tuple(f"Role{index + 1}" for index in range(roles))
    return [SsoAccount(f"{100000000000 + index:012d}", f"Account {index:04d}",
                       f"acct{index:04d}@example.com", role_names)
            for index in range(accounts)]


def _user_code() -> str:
    letters = string.ascii_uppercase.replace("O", "").replace("I", "")
    raw = "".join(secrets.choice(letters) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


class IdentityCenter:
    """The device flow and account directory of one StandIn (its lock and clock)."""

    def __init__(self, standin: StandIn) -> None:
        self._standin = standin
        self._state = _State()
        self.directory: list[SsoAccount] = default_directory()
        # Overridable per test: token lifetime, the interval handed out, page size.
        self.token_lifetime = timedelta(hours=8)
        self.interval = DEFAULT_INTERVAL
        self.device_code_lifetime = DEVICE_CODE_LIFETIME
        self.user = "sso-user"

    @property
    def _lock(self) -> Any:
        return self._standin._lock

    def reset(self) -> None:
        with self._lock:
            for gate in self._state.held.values():
                gate.set()
            self._state = _State()
            self.directory = default_directory()
            self.token_lifetime = timedelta(hours=8)
            self.interval = DEFAULT_INTERVAL
            self.device_code_lifetime = DEVICE_CODE_LIFETIME

    # -- test controls --------------------------------------------------------------------
    @property
    def calls(self) -> list[SsoCall]:
        with self._lock:
            return list(self._state.calls)

    def inject_fault(self, kind: str, operation: str | None = None, count: int = 1) -> None:
        """The next `count` requests (of `operation`, e.g. "ListAccountRoles", or any) fail:
        http_500, throttling (429), unauthorized (401 once, the token still works after),
        revoked (every token is revoked at that moment, then 401: the user was signed out
        in the middle of a discovery), slow_down (CreateToken answers SlowDownException)."""
        if kind not in SSO_FAULT_KINDS:
            raise ValueError(f"unknown SSO fault {kind!r}; one of {SSO_FAULT_KINDS}")
        with self._lock:
            self._state.faults.append(_Fault(kind, operation, count))

    def hold(self, operation: str) -> None:
        """Requests of `operation` (e.g. "StartDeviceAuthorization") wait until release(), so
        a test can have two callers in flight at once (at most HOLD_TIMEOUT seconds)."""
        with self._lock:
            self._state.held.setdefault(operation, threading.Event())

    def release(self, operation: str) -> None:
        with self._lock:
            gate = self._state.held.pop(operation, None)
        if gate is not None:
            gate.set()

    def held_callers(self, operation: str) -> int:
        """How many requests of `operation` wait at the gate now."""
        with self._lock:
            return self._state.waiting.get(operation, 0)

    def wait_if_held(self, operation: str) -> None:
        with self._lock:
            gate = self._state.held.get(operation)
            if gate is None:
                return
            self._state.waiting[operation] = self._state.waiting.get(operation, 0) + 1
        try:
            gate.wait(HOLD_TIMEOUT)
        finally:
            with self._lock:
                self._state.waiting[operation] -= 1

    def clear_faults(self) -> None:
        with self._lock:
            self._state.faults.clear()

    def pending_user_codes(self) -> list[str]:
        with self._lock:
            return [auth.user_code for auth in self._state.authorizations.values()
                    if auth.state == "pending"]

    def decide(self, user_code: str, approve: bool) -> bool:
        """What the verification page's Approve / Deny buttons do; False for an unknown or
        already decided code."""
        with self._lock:
            for auth in self._state.authorizations.values():
                if auth.user_code == user_code and auth.state == "pending":
                    if self._standin.now() >= auth.expires_at:
                        return False
                    auth.state = "approved" if approve else "denied"
                    return True
        return False

    def revoke_tokens(self) -> None:
        """Sign the user out everywhere: every access and refresh token stops working."""
        with self._lock:
            self._state.revoked += [*self._standin._records.sso_grants,
                                    *self._state.refresh_tokens]
            self._standin._records.sso_grants.clear()
            self._state.refresh_tokens.clear()

    def known_secrets(self) -> list[str]:
        """Every secret this stand-in handed out (access and refresh tokens, client secrets,
        device codes), for tests that prove none reached a log, reply or file."""
        with self._lock:
            return [*self._standin._records.sso_grants, *self._state.refresh_tokens,
                    *(client.secret for client in self._state.clients.values()),
                    *self._state.authorizations, *self._state.revoked]

    def record(self, operation: str, status: int, fault: str | None = None) -> None:
        with self._lock:
            self._state.calls.append(SsoCall(operation, status, fault))

    def take_fault(self, operation: str) -> str | None:
        with self._lock:
            for fault in self._state.faults:
                if fault.operation in (None, operation) and fault.remaining > 0:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._state.faults.remove(fault)
                    return fault.kind
        return None

    # -- OIDC -----------------------------------------------------------------------------
    def register_client(self, body: dict[str, Any]) -> dict[str, Any] | Refusal:
        if not body.get("clientName") or body.get("clientType") != "public":
            return 400, "InvalidRequestException", "clientName and clientType public required"
        scopes = body.get("scopes") or []
        if not isinstance(scopes, list):
            return 400, "InvalidRequestException", "scopes must be a list"
        client_id = "client-" + secrets.token_hex(8)
        now = self._standin.now()
        client = _Client("secret-" + secrets.token_urlsafe(24), tuple(scopes),
                         now + CLIENT_SECRET_LIFETIME)
        with self._lock:
            self._state.clients[client_id] = client
        return {"clientId": client_id, "clientSecret": client.secret,
                "clientIdIssuedAt": int(now.timestamp()),
                "clientSecretExpiresAt": int(client.expires_at.timestamp())}

    def _client(self, body: dict[str, Any]) -> _Client | Refusal:
        with self._lock:
            client = self._state.clients.get(str(body.get("clientId", "")))
        if client is None or not secrets.compare_digest(
                str(body.get("clientSecret", "")), client.secret):
            return 401, "InvalidClientException", "Invalid client"
        if self._standin.now() >= client.expires_at:
            return 401, "InvalidClientException", "Client secret expired"
        return client

    def start_device_authorization(self, body: dict[str, Any],
                                   verification_uri: str) -> dict[str, Any] | Refusal:
        client = self._client(body)
        if isinstance(client, tuple):
            return client
        start_url = body.get("startUrl")
        if not isinstance(start_url, str) or not start_url:
            return 400, "InvalidRequestException", "startUrl required"
        device_code = "device-" + secrets.token_urlsafe(24)
        auth = _Authorization(str(body["clientId"]), start_url, _user_code(),
                              self._standin.now() + self.device_code_lifetime, self.interval)
        with self._lock:
            self._state.authorizations[device_code] = auth
        return {"deviceCode": device_code, "userCode": auth.user_code,
                "verificationUri": verification_uri,
                "verificationUriComplete": f"{verification_uri}?user_code={auth.user_code}",
                "expiresIn": int(self.device_code_lifetime.total_seconds()),
                "interval": auth.interval}

    def create_token(self, body: dict[str, Any]) -> dict[str, Any] | Refusal:
        client = self._client(body)
        if isinstance(client, tuple):
            return client
        grant_type = body.get("grantType")
        if grant_type == "refresh_token":
            return self._refresh(body, client)
        if grant_type != "urn:ietf:params:oauth:grant-type:device_code":
            return 400, "UnsupportedGrantTypeException", "Unsupported grant type"
        now = self._standin.now()
        with self._lock:
            auth = self._state.authorizations.get(str(body.get("deviceCode", "")))
            if auth is None or auth.client_id != body.get("clientId"):
                return 400, "InvalidGrantException", "Invalid device code"
            if now >= auth.expires_at and auth.state in ("pending", "approved"):
                return 400, "ExpiredTokenException", "Device code expired"
            if auth.state == "denied":
                return 400, "AccessDeniedException", "The user denied the request"
            if auth.state == "redeemed":
                return 400, "InvalidGrantException", "Device code already used"
            too_fast = (auth.last_poll is not None
                        and now - auth.last_poll < timedelta(seconds=auth.interval) * 0.5)
            auth.last_poll = now
            if too_fast:
                return 400, "SlowDownException", "Client is polling too fast"
            if auth.state == "pending":
                return 400, "AuthorizationPendingException", "Authorization pending"
            auth.state = "redeemed"
        return self._issue(str(body["clientId"]), client)

    def _refresh(self, body: dict[str, Any], client: _Client) -> dict[str, Any] | Refusal:
        with self._lock:
            owner = self._state.refresh_tokens.pop(str(body.get("refreshToken", "")), None)
        if owner is None or owner[0] != body.get("clientId"):
            return 400, "InvalidGrantException", "Invalid refresh token"
        return self._issue(owner[0], client, owner[1])

    def _issue(self, client_id: str, client: _Client, user: str | None = None
               ) -> dict[str, Any]:
        user = user or self.user
        access_token = self._standin.sso_token(
            user=user, expires_in=self.token_lifetime.total_seconds())
        reply: dict[str, Any] = {"accessToken": access_token, "tokenType": "Bearer",
                                 "expiresIn": int(self.token_lifetime.total_seconds())}
        if REFRESH_SCOPE in client.scopes:
            refresh_token = "refresh-" + secrets.token_urlsafe(32)
            with self._lock:
                self._state.refresh_tokens[refresh_token] = (client_id, user)
            reply["refreshToken"] = refresh_token
        return reply

    # -- portal ---------------------------------------------------------------------------
    def _authorised(self, bearer: str | None) -> Refusal | None:
        with self._lock:
            grant = self._standin._records.sso_grants.get(bearer or "")
        if grant is None or self._standin.now() >= grant.expires_at:
            return 401, "UnauthorizedException", "Session token not found or invalid"
        return None

    @staticmethod
    def _page(items: list[Any], params: dict[str, str]) -> tuple[list[Any], str | None] | None:
        """One page of `items` and the next token; None for a malformed token or size."""
        try:
            size = int(params.get("max_result") or DEFAULT_PAGE_SIZE)
            start = int(params.get("next_token") or 0)
        except ValueError:
            return None
        size = max(1, min(size, MAX_PAGE_SIZE))
        end = start + size
        return items[start:end], (str(end) if end < len(items) else None)

    def list_accounts(self, bearer: str | None,
                      params: dict[str, str]) -> dict[str, Any] | Refusal:
        refusal = self._authorised(bearer)
        if refusal:
            return refusal
        with self._lock:
            accounts = list(self.directory)
        page = self._page(accounts, params)
        if page is None:
            return _BAD_PAGE
        items, next_token = page
        reply: dict[str, Any] = {"accountList": [
            {"accountId": account.account_id, "accountName": account.name,
             "emailAddress": account.email} for account in items]}
        if next_token:
            reply["nextToken"] = next_token
        return reply

    def list_account_roles(self, bearer: str | None,
                           params: dict[str, str]) -> dict[str, Any] | Refusal:
        refusal = self._authorised(bearer)
        if refusal:
            return refusal
        account_id = params.get("account_id", "")
        with self._lock:
            account = next((a for a in self.directory if a.account_id == account_id), None)
        if account is None:
            return 403, "ForbiddenException", "No access to this account"
        page = self._page(list(account.roles), params)
        if page is None:
            return _BAD_PAGE
        items, next_token = page
        reply: dict[str, Any] = {"roleList": [
            {"roleName": role, "accountId": account_id} for role in items]}
        if next_token:
            reply["nextToken"] = next_token
        return reply
