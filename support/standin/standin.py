"""StandIn: the one local AWS used by every test, the demo and the benchmarks.

Three loopback servers plus moto:
- STS proxy (sts_url)  -> moto; records issued credentials, enforces MFA and chaining rules,
  injects faults. The product reaches it through AWS_ENDPOINT_URL_STS.
- federation (federation_url, console_url, /oauth logout) on one port, so the session cookie
  set by login is the one the console page reads (cookies are per host).
- SSO portal (sso_url) on its own port, reached through AWS_ENDPOINT_URL_SSO.

State is guarded by one lock because every server answers from its own threads.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from support.standin._http import LOOPBACK, LoopbackHTTPServer, ServingThread
from support.standin.federation import FEDERATION_FAULT_KINDS, LOGOUT_FIRST_TEXT, FederationHandler
from support.standin.identity_center import IdentityCenter
from support.standin.multisession import SESSION_LIMIT
from support.standin.records import (
    CHAINED_ROLE,
    FEDERATION_TOKEN,
    SESSION_TOKEN,
    SSO,
    Fault,
    FederationRequest,
    Identity,
    IssuedCredential,
    SsoRequest,
    StsCall,
)
from support.standin.sso import SsoPortalHandler, write_sso_token_cache
from support.standin.sts import (
    CHAINED_DURATION_MESSAGE,
    CHAINED_ROLE_MAX_SECONDS,
    MFA_FAILED_MESSAGE,
    ROLE_SESSION_KINDS,
    STS_FAULT_KINDS,
    MotoClient,
    StsProxyHandler,
    issued_record,
    parse_expiration,
    parse_issued,
    temporary_access_key_id,
)

# AWS: a SigninToken is valid for 15 minutes; SessionDuration must be 900..43200 seconds.
SIGNIN_TOKEN_LIFETIME = timedelta(minutes=15)
SESSION_DURATION_RANGE = (900, 43200)
DEFAULT_MFA_CODES = frozenset({"123456"})
# Key the stand-in signs its own moto calls with (moto checks no signatures).
_STANDIN_CALLER_KEY = "AKIASTANDIN000000000"


@dataclass
class SigninGrant:
    access_key_id: str
    identity: Identity
    expires_at: datetime
    console_expires_at: datetime
    used: bool = False


@dataclass(frozen=True)
class ConsoleSession:
    identity: Identity
    destination: str
    expires_at: datetime
    issuer: str = ""


@dataclass
class SsoGrant:
    user: str
    expires_at: datetime
    # None: any account/role; else only these (account_id, role_name) assignments.
    assignments: frozenset[tuple[str, str]] | None = None


@dataclass
class _Records:
    issued: dict[str, IssuedCredential] = field(default_factory=dict)
    secrets: dict[str, tuple[str, str]] = field(default_factory=dict)
    sts_calls: list[StsCall] = field(default_factory=list)
    federation_requests: list[FederationRequest] = field(default_factory=list)
    sso_requests: list[SsoRequest] = field(default_factory=list)
    signin_grants: dict[str, SigninGrant] = field(default_factory=dict)
    console_sessions: dict[str, ConsoleSession] = field(default_factory=dict)
    sso_grants: dict[str, SsoGrant] = field(default_factory=dict)
    sts_faults: list[Fault] = field(default_factory=list)
    federation_faults: list[Fault] = field(default_factory=list)


def start_moto() -> tuple[Any, str]:
    """Start a moto server on a free loopback port; returns (server, url)."""
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request line to stderr at INFO; keep test output readable.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    server.start()
    port = server._server.server_port  # moto exposes the bound port only here
    return server, f"http://{LOOPBACK}:{port}"


def reset_moto(moto_url: str) -> None:
    """Forget everything moto holds (its documented /moto-api/reset endpoint)."""
    import requests

    requests.post(f"{moto_url}/moto-api/reset", timeout=10).raise_for_status()


class StandIn:
    """Local AWS: STS (moto behind a proxy), federation + console, SSO portal.

    Use as a context manager or call start()/stop(). `moto_url` reuses a running moto
    (e.g. a session-scoped one); otherwise the stand-in starts and stops its own.
    """

    def __init__(self, moto_url: str | None = None, *, hang_seconds: float = 10.0) -> None:
        self._moto_url = moto_url
        self._own_moto: Any = None
        self._lock = threading.RLock()
        self._records = _Records()
        self._clock_offset = timedelta(0)
        self._servers: dict[str, ServingThread] = {}
        self._sts_port = 0
        self._started = False
        self.mfa_codes: set[str] = set(DEFAULT_MFA_CODES)
        # Like AWS, which refuses a one-time code seen before: an accepted code is spent.
        self.mfa_codes_single_use = False
        # Roles whose trust policy demands MFA: AssumeRole without SerialNumber is denied.
        self.mfa_required_roles: set[str] = set()
        # How long a "timeout" fault holds the request (released early by stop()).
        self.hang_seconds = hang_seconds
        self.base_url = self.federation_url = self.console_url = self.logout_url = ""
        self.sts_url = self.sso_url = ""
        # The OIDC device flow, the account directory and SSO faults (identity_center.py).
        self.identity_center = IdentityCenter(self)

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> StandIn:
        if self._started:
            return self
        self._started = True
        try:
            if self._moto_url is None:
                self._own_moto, self._moto_url = start_moto()
            self._moto = MotoClient(self._moto_url)
            self._servers["sts"] = self._serve(StsProxyHandler, "sts")
            self._sts_port = self._servers["sts"].server.port
            self._servers["federation"] = self._serve(FederationHandler, "federation")
            self._servers["sso"] = self._serve(SsoPortalHandler, "sso")
        except BaseException:
            self.stop()
            raise
        federation_port = self._servers["federation"].server.port
        self.base_url = f"http://{LOOPBACK}:{federation_port}"
        self.federation_url = f"{self.base_url}/federation"
        self.console_url = f"{self.base_url}/console"
        self.logout_url = f"{self.base_url}/oauth?Action=logout"
        self.sts_url = f"http://{LOOPBACK}:{self._sts_port}"
        self.sso_url = f"http://{LOOPBACK}:{self._servers['sso'].server.port}"
        return self

    def _serve(self, handler: type, name: str, port: int = 0) -> ServingThread:
        return ServingThread(LoopbackHTTPServer(handler, port, context=self), name).start()

    def stop(self) -> None:
        """Stop every server (idempotent); hanging fault handlers are released at once."""
        for serving in list(self._servers.values()):
            serving.stop()
        self._servers.clear()
        if self._own_moto is not None:
            self._own_moto.stop()
            self._own_moto = None
            self._moto_url = None
        self._started = False

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def moto_url(self) -> str | None:
        return self._moto_url

    @property
    def cookie_name(self) -> str:
        # Cookies are per host, not per port: the port in the name keeps two stand-ins
        # in one browser from seeing each other's sessions.
        port = self._servers["federation"].server.port if "federation" in self._servers else 0
        return f"standin_console_{port}"

    def env(self) -> dict[str, str]:
        """The only wiring the product gets: botocore's standard endpoint overrides and the
        loopback-only ROLEPORT_FEDERATION_URL (docs/ARCHITECTURE.md, "Test hooks")."""
        return {
            "AWS_ENDPOINT_URL_STS": self.sts_url,
            "AWS_ENDPOINT_URL_SSO": self.sso_url,
            # Never let an SSO token refresh leave the machine.
            "AWS_ENDPOINT_URL_SSO_OIDC": self.sso_url,
            "ROLEPORT_FEDERATION_URL": self.federation_url,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def reset(self) -> None:
        """Forget records, faults, tokens, sessions and moto's state; keep the servers."""
        with self._lock:
            self._records = _Records()
            self._clock_offset = timedelta(0)
            self.mfa_codes = set(DEFAULT_MFA_CODES)
            self.mfa_codes_single_use = False
            self.mfa_required_roles = set()
        self.identity_center.reset()
        self.sts_down = False
        if self._moto_url:
            reset_moto(self._moto_url)

    # -- clock ---------------------------------------------------------------------------
    def now(self) -> datetime:
        """The stand-in's clock: UTC now plus whatever advance_clock() added."""
        return datetime.now(timezone.utc) + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the stand-in's clock forward (expiry of tokens, credentials, sessions)."""
        with self._lock:
            self._clock_offset += timedelta(seconds=seconds)

    # -- records (copies, safe to iterate while servers run) ------------------------------
    @property
    def issued(self) -> list[IssuedCredential]:
        with self._lock:
            return list(self._records.issued.values())

    @property
    def sts_calls(self) -> list[StsCall]:
        with self._lock:
            return list(self._records.sts_calls)

    @property
    def federation_requests(self) -> list[FederationRequest]:
        with self._lock:
            return list(self._records.federation_requests)

    @property
    def sso_requests(self) -> list[SsoRequest]:
        with self._lock:
            return list(self._records.sso_requests)

    def issued_credential(self, access_key_id: str) -> IssuedCredential | None:
        with self._lock:
            return self._records.issued.get(access_key_id)

    def signin_tokens_issued(self) -> int:
        with self._lock:
            return len(self._records.signin_grants)

    def expire_credentials(self, access_key_id: str) -> None:
        """Make an issued credential expire now (for expired-credential paths)."""
        with self._lock:
            record = self._records.issued[access_key_id]
            self._records.issued[access_key_id] = IssuedCredential(
                record.access_key_id, record.kind, record.arn,
                self.now() - timedelta(seconds=1), record.caller_key_id, record.role_arn)

    def signin_token_identity(self, token: str) -> Identity | None:
        """The identity a SigninToken was issued for (None if the stand-in never issued it)."""
        with self._lock:
            grant = self._records.signin_grants.get(token)
            return grant.identity if grant else None

    def signin_token_console_end(self, token: str) -> datetime | None:
        """When the console session a SigninToken opens ends (SessionDuration from its
        getSigninToken, else its credentials' expiration); None for an unknown token."""
        with self._lock:
            grant = self._records.signin_grants.get(token)
            return grant.console_expires_at if grant else None

    # -- faults --------------------------------------------------------------------------
    def inject_sts_fault(self, kind: str, action: str | None = None, count: int = 1) -> None:
        """Make the next `count` STS requests (of `action`, or any) fail with `kind`:
        access_denied, expired_token, throttling, http_500, connection_reset, timeout,
        http_429."""
        self._add_fault(self._records.sts_faults, STS_FAULT_KINDS, kind, action, count, "STS")

    def inject_federation_fault(self, kind: str, count: int = 1) -> None:
        """Make the next `count` getSigninToken requests fail with `kind`:
        http_400, http_500, garbage, timeout, connection_reset, http_429."""
        self._add_fault(self._records.federation_faults, FEDERATION_FAULT_KINDS, kind,
                        "getSigninToken", count, "federation")

    def clear_faults(self) -> None:
        with self._lock:
            self._records.sts_faults.clear()
            self._records.federation_faults.clear()

    def _add_fault(self, faults: list[Fault], kinds: tuple[str, ...], kind: str,
                   action: str | None, count: int, service: str) -> None:
        if kind not in kinds:
            raise ValueError(f"unknown {service} fault kind {kind!r}; use one of {kinds}")
        if count < 1:
            raise ValueError(f"fault count must be at least 1, got {count}")
        with self._lock:
            faults.append(Fault(kind, action, count))

    def _take_fault(self, channel: str, action: str) -> Fault | None:
        with self._lock:
            faults = (self._records.sts_faults if channel == "sts"
                      else self._records.federation_faults)
            for fault in faults:
                if fault.action is None or fault.action == action:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        faults.remove(fault)
                    return fault
        return None

    @property
    def sts_down(self) -> bool:
        """True while the STS port refuses connections (the listener is closed)."""
        return self._started and "sts" not in self._servers

    @sts_down.setter
    def sts_down(self, down: bool) -> None:
        if not self._started or down == self.sts_down:
            return
        if down:
            self._servers.pop("sts").stop()
        else:
            # Same port again, so clients configured with sts_url keep working.
            self._servers["sts"] = self._serve(StsProxyHandler, "sts", self._sts_port)

    # -- STS rules (called by StsProxyHandler) -------------------------------------------
    def _record_sts_call(self, action: str, params: dict[str, str], caller: str | None,
                         status: int, fault: str | None = None,
                         error_code: str | None = None) -> None:
        with self._lock:
            self._records.sts_calls.append(
                StsCall(action, params, caller, status, fault, error_code))

    def _sts_refusal(self, action: str, params: dict[str, str], caller: str | None,
                     session_token: str | None) -> tuple[int, str, str] | None:
        """AWS rules moto does not enforce; returns (status, code, message) to refuse."""
        with self._lock:
            caller_record = self._records.issued.get(caller or "")
            caller_secrets = self._records.secrets.get(caller or "")
        invalid_token = (403, "InvalidClientTokenId",
                         "The security token included in the request is invalid.")
        if caller_record is None and caller and caller.startswith("ASIA"):
            return invalid_token  # a temporary key this stand-in never issued
        if caller_record is not None and caller_secrets is not None:
            if not hmac.compare_digest(session_token or "", caller_secrets[1]):
                return invalid_token
            if self.now() >= caller_record.expiration:
                return 400, "ExpiredToken", "The security token included in the request is expired"
            if caller_record.kind == FEDERATION_TOKEN and action != "GetCallerIdentity":
                return 403, "AccessDenied", (
                    f"Cannot call {action} with credentials from GetFederationToken")
            if action in ("GetFederationToken", "GetSessionToken"):
                return 403, "AccessDenied", f"Cannot call {action} with session credentials"
        if action in ("AssumeRole", "GetSessionToken"):
            role_arn = params.get("RoleArn", "")
            if params.get("SerialNumber"):
                with self._lock:
                    code = params.get("TokenCode", "")
                    if code not in self.mfa_codes:
                        return 403, "AccessDenied", MFA_FAILED_MESSAGE
                    if self.mfa_codes_single_use:
                        self.mfa_codes.discard(code)
            elif role_arn in self.mfa_required_roles and not (
                    caller_record is not None and caller_record.kind == SESSION_TOKEN
                    and caller_record.mfa_authenticated):
                # Credentials of an MFA session (GetSessionToken with a code) satisfy an
                # aws:MultiFactorAuthPresent condition; anything else needs the code here.
                who = caller_record.arn if caller_record and caller_record.arn else (
                    "arn:aws:iam::123456789012:user/standin")
                return 403, "AccessDenied", (
                    f"User: {who} is not authorized to perform: sts:AssumeRole on resource: "
                    f"{role_arn}")
            if (action == "AssumeRole" and caller_record is not None
                    and caller_record.kind in ROLE_SESSION_KINDS):
                try:
                    duration = int(params.get("DurationSeconds", "3600"))
                except ValueError:
                    duration = 0
                if duration > CHAINED_ROLE_MAX_SECONDS:
                    return 400, "ValidationError", CHAINED_DURATION_MESSAGE
        return None

    def _record_issued_from_sts(self, action: str, params: dict[str, str],
                                caller: str | None, xml_body: str) -> str:
        fields = parse_issued(xml_body)
        if fields is None:
            return xml_body
        access_key_id = fields["AccessKeyId"]
        if not access_key_id.startswith("ASIA"):
            # moto answers GetSessionToken with a fixed AKIA... example key; AWS issues a
            # fresh ASIA key each time, and a fixed key would collide between calls.
            fresh = temporary_access_key_id()
            xml_body = xml_body.replace(f"<AccessKeyId>{access_key_id}</AccessKeyId>",
                                        f"<AccessKeyId>{fresh}</AccessKeyId>")
            access_key_id = fresh
        with self._lock:
            caller_record = self._records.issued.get(caller or "")
            record = issued_record(action, caller_record.kind if caller_record else None,
                                   fields, access_key_id, caller, params)
            self._records.issued[access_key_id] = record
            self._records.secrets[access_key_id] = (
                fields.get("SecretAccessKey", ""), fields.get("SessionToken", ""))
        return xml_body

    # -- federation (called by FederationHandler) ----------------------------------------
    def _record_federation(self, action: str, method: str, status: int,
                           **details: Any) -> None:
        with self._lock:
            self._records.federation_requests.append(
                FederationRequest(action, method, status, **details))

    def _check_session(self, session_json: str | None, duration: str | None
                       ) -> tuple[str | None, str | None, str | None, Identity | None]:
        """(access_key_id, kind, refusal reason or None, identity) for a Session parameter."""
        if not session_json:
            return None, None, "Session parameter missing", None
        try:
            document = json.loads(session_json)
        except ValueError:
            return None, None, "Session is not JSON", None
        if not isinstance(document, dict) or not all(
                isinstance(document.get(k), str)
                for k in ("sessionId", "sessionKey", "sessionToken")):
            return None, None, "Session lacks sessionId/sessionKey/sessionToken strings", None
        access_key_id = document["sessionId"]
        with self._lock:
            record = self._records.issued.get(access_key_id)
            stored = self._records.secrets.get(access_key_id)
        if record is None or stored is None:
            reason = ("long-term access key (AKIA...) cannot sign in"
                      if access_key_id.startswith("AKIA") else "access key never issued")
            return access_key_id, None, reason, None
        kind = record.kind
        if not (hmac.compare_digest(document["sessionKey"], stored[0])
                and hmac.compare_digest(document["sessionToken"], stored[1])):
            return access_key_id, kind, "secret key or session token does not match", None
        if self.now() >= record.expiration:
            return access_key_id, kind, "credentials expired", None
        if kind == SESSION_TOKEN:
            return access_key_id, kind, "GetSessionToken credentials cannot sign in", None
        if duration is not None:
            try:
                seconds = int(duration)
            except ValueError:
                return access_key_id, kind, "SessionDuration is not an integer", None
            low, high = SESSION_DURATION_RANGE
            if not low <= seconds <= high:
                return access_key_id, kind, f"SessionDuration outside {low}..{high}", None
            if kind in (CHAINED_ROLE, FEDERATION_TOKEN):
                return access_key_id, kind, f"SessionDuration not allowed for {kind}", None
        identity = record.identity
        if identity is None:
            return access_key_id, kind, "credentials have no principal ARN", None
        return access_key_id, kind, None, identity

    def _mint_signin_token(self, access_key_id: str, duration: str | None) -> str:
        token = secrets.token_urlsafe(256)
        now = self.now()
        with self._lock:
            record = self._records.issued[access_key_id]
            assert record.identity is not None
            console_expires = (now + timedelta(seconds=int(duration)) if duration
                               else record.expiration)
            self._records.signin_grants[token] = SigninGrant(
                access_key_id, record.identity, now + SIGNIN_TOKEN_LIFETIME, console_expires)
        return token

    def _redeem_signin_token(self, token: str | None, cookie_session_id: str | None,
                             destination: str,
                             issuer: str = "") -> str | tuple[str, ConsoleSession]:
        """A refusal message, or (new session id, console session) after a valid login."""
        now = self.now()
        with self._lock:
            grant = self._records.signin_grants.get(token or "")
            if grant is None:
                return "The sign-in token in your login link is invalid."
            if grant.used:
                return "The sign-in token in your login link has already been used."
            if now >= grant.expires_at:
                return "The sign-in token in your login link has expired."
            existing = self._console_session_locked(cookie_session_id, now)
            if existing is not None and existing.identity != grant.identity:
                return LOGOUT_FIRST_TEXT
            grant.used = True
            if cookie_session_id:
                self._records.console_sessions.pop(cookie_session_id, None)
            session_id = secrets.token_urlsafe(24)
            console_session = ConsoleSession(grant.identity, destination,
                                             grant.console_expires_at, issuer)
            self._records.console_sessions[session_id] = console_session
            return session_id, console_session

    def _redeem_signin_token_multi(
            self, token: str | None, cookie_ids: list[str], destination: str, issuer: str = "",
    ) -> tuple[str, list[str], ConsoleSession | str | None]:
        """Multi-session login (support/standin/multisession.py): ("refused", [], message),
        ("limit", live ids, None) for a sixth identity, or ("ok", new ids, session)."""
        now = self.now()
        with self._lock:
            grant = self._records.signin_grants.get(token or "")
            if grant is None:
                return "refused", [], "The sign-in token in your login link is invalid."
            if grant.used:
                return "refused", [], "The sign-in token in your login link has already been used."
            if now >= grant.expires_at:
                return "refused", [], "The sign-in token in your login link has expired."
            live = [(sid, found) for sid in cookie_ids
                    if (found := self._console_session_locked(sid, now)) is not None]
            same = {sid for sid, found in live if found.identity == grant.identity}
            if not same and len(live) >= SESSION_LIMIT:
                return "limit", [sid for sid, _ in live], None
            grant.used = True
            for sid in same:
                self._records.console_sessions.pop(sid, None)
            session_id = secrets.token_urlsafe(24)
            console_session = ConsoleSession(grant.identity, destination,
                                             grant.console_expires_at, issuer)
            self._records.console_sessions[session_id] = console_session
            return "ok", [sid for sid, _ in live if sid not in same] + [session_id], console_session

    def _live_sessions(self, ids: list[str]) -> list[tuple[str, ConsoleSession]]:
        now = self.now()
        with self._lock:
            return [(sid, found) for sid in ids
                    if (found := self._console_session_locked(sid, now)) is not None]

    def _any_expired(self, ids: list[str]) -> ConsoleSession | None:
        for sid in ids:
            expired = self._expired_console_session(sid)
            if expired is not None:
                return expired
        return None

    def _console_session_locked(self, session_id: str | None,
                                now: datetime) -> ConsoleSession | None:
        console_session = self._records.console_sessions.get(session_id or "")
        if console_session is None or now >= console_session.expires_at:
            return None
        return console_session

    def _console_session(self, session_id: str | None) -> ConsoleSession | None:
        with self._lock:
            return self._console_session_locked(session_id, self.now())

    def _expired_console_session(self, session_id: str | None) -> ConsoleSession | None:
        """The session the cookie names if it has ended on the stand-in's clock."""
        with self._lock:
            console_session = self._records.console_sessions.get(session_id or "")
            if console_session is None or self.now() < console_session.expires_at:
                return None
            return console_session

    def _end_console_session(self, session_id: str | None) -> None:
        with self._lock:
            self._records.console_sessions.pop(session_id or "", None)

    def _is_own_url(self, url: str) -> bool:
        parts = urlsplit(url)
        federation = urlsplit(self.base_url)
        return (parts.scheme == "http" and parts.hostname in (LOOPBACK, "localhost")
                and parts.port == federation.port)

    # -- SSO portal ----------------------------------------------------------------------
    def sso_token(self, token: str | None = None, *, user: str = "sso-user",
                  expires_in: float = 8 * 3600,
                  assignments: set[tuple[str, str]] | None = None) -> str:
        """Register a portal access token (negative expires_in: already expired).
        `assignments` limits which (account_id, role_name) pairs it may get."""
        token = token or "sso-" + secrets.token_urlsafe(32)
        with self._lock:
            self._records.sso_grants[token] = SsoGrant(
                user, self.now() + timedelta(seconds=expires_in),
                frozenset(assignments) if assignments is not None else None)
        return token

    def sso_login(self, home: str, *, start_url: str = "https://standin.awsapps.com/start",
                  region: str = "us-east-1", session_name: str | None = None,
                  expired: bool = False, user: str = "sso-user",
                  assignments: set[tuple[str, str]] | None = None) -> str:
        """What `aws sso login` leaves behind: a registered token and botocore's cache file
        in `home` (expired=True: both already expired). Returns the token."""
        token = self.sso_token(user=user, expires_in=-3600 if expired else 8 * 3600,
                               assignments=assignments)
        write_sso_token_cache(home, access_token=token, start_url=start_url, region=region,
                              session_name=session_name, expired=expired)
        return token

    def _sso_role_credentials(self, bearer: str | None, account_id: str,
                              role_name: str) -> dict[str, Any] | tuple[int, str, str]:
        def refuse(status: int, error_type: str, message: str,
                   reason: str) -> tuple[int, str, str]:
            with self._lock:
                self._records.sso_requests.append(
                    SsoRequest(account_id, role_name, status, reason=reason))
            return status, error_type, message

        with self._lock:
            grant = self._records.sso_grants.get(bearer or "")
        if grant is None or self.now() >= grant.expires_at:
            return refuse(401, "UnauthorizedException", "Session token not found or invalid",
                          "unknown token" if grant is None else "token expired")
        if not account_id or not role_name:
            return refuse(400, "InvalidRequestException", "account_id and role_name required",
                          "missing parameter")
        if grant.assignments is not None and (account_id, role_name) not in grant.assignments:
            return refuse(403, "ForbiddenException", "No access", "no such assignment")
        role_arn = f"arn:aws:iam::{account_id}:role/{role_name}"
        status, xml_body = self._moto.call(
            {"Action": "AssumeRole", "RoleArn": role_arn, "RoleSessionName": grant.user,
             "DurationSeconds": "3600"}, _STANDIN_CALLER_KEY)
        fields = parse_issued(xml_body) if status == 200 else None
        if fields is None:
            return refuse(500, "InternalServerException", "moto did not issue credentials",
                          f"moto answered {status}")
        access_key_id = fields["AccessKeyId"]
        expiration = parse_expiration(fields["Expiration"])
        with self._lock:
            self._records.issued[access_key_id] = IssuedCredential(
                access_key_id, SSO, fields.get("Arn"), expiration, None, role_arn)
            self._records.secrets[access_key_id] = (fields["SecretAccessKey"],
                                                    fields["SessionToken"])
            self._records.sso_requests.append(
                SsoRequest(account_id, role_name, 200, access_key_id))
        return {"accessKeyId": access_key_id, "secretAccessKey": fields["SecretAccessKey"],
                "sessionToken": fields["SessionToken"],
                "expiration": int(expiration.timestamp() * 1000)}
