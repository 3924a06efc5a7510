"""The pipeline: profile -> temporary credentials -> SigninToken -> console login URL.

Rules implemented here (docs/ARCHITECTURE.md, "Library API"):
- one Pipeline per process keeps warm state: the botocore session of the current config
  (re-created when the config files change), STS clients per region and credentials, one
  keep-alive HTTP session to the sign-in endpoint;
- a login's credentials come first, within the STS window (roleport.clients), so that the
  sign-in endpoint still has its share of the login deadline;
- a role session botocore would name botocore-session-<seconds> is named after the person
  (roleport.credentials.session_name; roleport.botocore_hooks.name_sessions_after);
- `import roleport.pipeline` stays cheap: botocore is imported on first use;
- thread-safe: the native host calls login() from a thread pool;
- every failure is a RoleportError with a code from errors.py; nothing else escapes.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from roleport import federation
from roleport.arn import partition_of
from roleport.errors import RoleportError
from roleport.profiles import (
    ConfigSnapshot,
    Profile,
    load_snapshot,
    parse_console_duration,
)
from roleport.rules import (
    MAX_CONSOLE_DURATION,
    MIN_CONSOLE_DURATION,
    REGION_VARIABLES,
    account_id_problem,
    is_region,
    normalize_region,
    profile_from_environment,
    role_name_problem,
)
from roleport.sso.sessions import granted_sso, session_for_start_url

logger = logging.getLogger(__name__)

_MAX_ISSUER = 256

__all__ = ["LoginResult", "Pipeline", "Profile", "RoleportError"]


@dataclass(frozen=True)
class LoginResult:
    """A console sign-in URL (a credential, valid 15 minutes) and who it signs in as."""

    url: str = field(repr=False)
    expires_at: str
    identity: dict[str, Any]
    container: str | None
    logout_url: str
    # When the console session this URL opens ends (ISO 8601 UTC "Z"), None when unknown.
    session_expires_at: str | None = None

    def __repr__(self) -> str:
        return (f"LoginResult(url=<redacted>, expires_at={self.expires_at!r}, "
                f"session_expires_at={self.session_expires_at!r}, "
                f"identity={self.identity!r}, container={self.container!r})")


class _Warm:
    """State tied to one parse of the config files."""

    def __init__(self, snapshot: ConfigSnapshot, connect_timeout: float,
                 read_timeout: float) -> None:
        from roleport.botocore_hooks import check_botocore_hooks, name_sessions_after
        from roleport.clients import StsClients, client_config, limit_sts_time
        from roleport.credentials.session_name import person_session_name

        self.snapshot = snapshot
        # Before the first login of this config: a botocore without the internals roleport
        # relies on fails loudly here instead of, say, running credential_process unbounded.
        check_botocore_hooks(snapshot.session, snapshot.full_config)
        snapshot.session.set_default_client_config(client_config(connect_timeout, read_timeout))
        limit_sts_time(snapshot.session)
        name_sessions_after(snapshot.session, person_session_name)
        self.clients = StsClients(snapshot.session, connect_timeout, read_timeout)


class Pipeline:
    """Warm, thread-safe access to profiles and console logins (one per process)."""

    def __init__(self, *, connect_timeout: float | None = None,
                 read_timeout: float | None = None,
                 sts_window_seconds: float | None = None) -> None:
        """Timeouts (seconds) given here apply to STS, the SSO portal and the sign-in endpoint
        alike; by default each has its own (roleport.clients, roleport.federation).
        `sts_window_seconds` bounds one login's STS attempts (clients.STS_WINDOW_SECONDS)."""
        from roleport.clients import STS_CONNECT_TIMEOUT, STS_READ_TIMEOUT, STS_WINDOW_SECONDS

        self._lock = threading.Lock()
        self._warm: _Warm | None = None
        self._connect_timeout = STS_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
        self._read_timeout = STS_READ_TIMEOUT if read_timeout is None else read_timeout
        self._sts_window_seconds = (STS_WINDOW_SECONDS if sts_window_seconds is None
                                    else sts_window_seconds)
        self._sso: Any = None
        self._federation = federation.FederationClient(
            federation.CONNECT_TIMEOUT_SECONDS if connect_timeout is None else connect_timeout,
            federation.READ_TIMEOUT_SECONDS if read_timeout is None else read_timeout)

    # -- warm state ----------------------------------------------------------------------

    def _state(self) -> _Warm:
        snapshot = load_snapshot()  # cached on (path, mtime, size) of both files
        warm = self._warm
        if warm is not None and warm.snapshot is snapshot:
            return warm
        with self._lock:
            if self._warm is None or self._warm.snapshot is not snapshot:
                self._warm = _Warm(snapshot, self._connect_timeout, self._read_timeout)
            return self._warm

    def warm_up(self) -> None:
        """Pay the one-time costs now: imports, config parse, STS model, HTTP session."""
        with _only_roleport_errors("warming up"):
            warm = self._state()
            _ = warm.snapshot.session.full_config  # the session's own parse, used by providers
            try:
                region = _environment_region() or "us-east-1"
            except RoleportError:  # a bad AWS_REGION is reported by the login that uses it
                region = "us-east-1"
            # Placeholder keys: building the client loads the STS model into the shared
            # loader without resolving (or touching) any real credentials.
            warm.clients.client("sts", region, aws_access_key_id="warmup",
                                aws_secret_access_key="warmup")
            federation.partition_for_region(region)
            self._federation.warm_up()

    @property
    def sso(self) -> Any:
        """The process's roleport.sso.service.SsoService (sign-in flows, discovery), made on
        first use."""
        with self._lock:
            if self._sso is None:
                from roleport.sso.service import SsoService

                self._sso = SsoService()
            return self._sso

    def close(self) -> None:
        if self._sso is not None:
            self._sso.close()
        self._federation.close()
        with self._lock:
            if self._warm is not None:
                self._warm.clients.clear()
            self._warm = None

    # -- profiles ------------------------------------------------------------------------

    def profiles(self) -> list[Profile]:
        with _only_roleport_errors("listing profiles"):
            # Only botocore's config loader: listing never waits for botocore.session.
            return list(load_snapshot().profiles)

    # -- logins --------------------------------------------------------------------------

    def login(self, profile: str, region: str | None = None, destination: str | None = None,
              mfa_code: str | None = None, duration: int | None = None,
              issuer: str | None = federation.DEFAULT_ISSUER) -> LoginResult:
        """Console login URL for a profile of the AWS config."""
        with _only_roleport_errors(f"signing in profile '{_printable(profile)}'"):
            try:
                return self._login(profile, region, destination, mfa_code, duration, issuer)
            except RoleportError as error:
                if error.code == "sso_login_required":
                    _name_sso_session(error, profile)
                raise

    def login_role(self, account_id: str, role_name: str, source_profile: str | None = None,
                   region: str | None = None, destination: str | None = None,
                   mfa_code: str | None = None, duration: int | None = None,
                   issuer: str | None = federation.DEFAULT_ISSUER) -> LoginResult:
        """The blog post's flow: assume arn:<partition>:iam::<account>:role/<name> with the
        source profile's credentials (AWS_PROFILE or "default" when not given)."""
        with _only_roleport_errors("signing in to a role"):
            return self._login_role(account_id, role_name, source_profile, region,
                                    destination, mfa_code, duration, issuer)

    def login_sso_role(self, sso_session: str, account_id: str, role_name: str,
                       region: str | None = None, destination: str | None = None,
                       duration: int | None = None,
                       issuer: str | None = federation.DEFAULT_ISSUER) -> LoginResult:
        """A discovered role, no profile needed: the session's token -> GetRoleCredentials ->
        the sign-in endpoint of the session region's partition."""
        with _only_roleport_errors("signing in to an IAM Identity Center role"):
            return self._login_sso_role(sso_session, account_id, role_name, region,
                                        destination, duration, issuer, None)

    def _login_sso_role(self, sso_session: str, account_id: str, role_name: str,
                        region: str | None, destination: str | None, duration: int | None,
                        issuer: str | None, container: str | None) -> LoginResult:
        _require_text(sso_session, "IAM Identity Center session")
        _check_role(account_id, role_name)
        region = _check_region(region)
        issuer = _check_issuer(issuer)
        if duration is not None:
            federation.validate_console_duration(duration)
        session = self.sso.session(sso_session)
        partition = _partition(federation.partition_for_region(session.region), region)
        endpoints = federation.resolve_endpoints(partition, region,
                                                 federation.federation_override())
        landing = federation.build_destination(destination, endpoints)
        resolved = self.sso.role_credentials(session, account_id, role_name)
        return self._finish(resolved, endpoints, landing, duration, issuer, container)

    def _login(self, profile_name: str, region: str | None, destination: str | None,
               mfa_code: str | None, duration: int | None, issuer: str | None) -> LoginResult:
        from roleport.credentials.mfa import validate_mfa_code
        from roleport.credentials.resolver import CredentialResolver

        _require_text(profile_name, "profile")
        region = _check_region(region)
        mfa_code = validate_mfa_code(mfa_code)
        issuer = _check_issuer(issuer)
        warm = self._state()
        profile = warm.snapshot.get(profile_name)
        raw = warm.snapshot.raw_profile(profile_name)
        requested = _requested_duration(duration, profile, raw)
        granted = granted_sso(raw)
        if granted is not None:
            # Granted's profile: its SSO role through roleport's own IAM Identity Center
            # path (same token cache as the AWS CLI), without running `granted`.
            session = session_for_start_url(warm.snapshot.full_config, granted.start_url)
            return self._login_sso_role(session.key, granted.account_id, granted.role_name,
                                        region or _configured_region(profile),
                                        destination or profile.destination, requested,
                                        issuer, profile.container)
        region = region or _configured_region(profile) or _environment_region()
        partition = _partition(partition_of(profile.role_arn)
                               or _sso_partition(raw, warm.snapshot.full_config), region)
        endpoints = federation.resolve_endpoints(partition, region,
                                                 federation.federation_override())
        # Refuse a bad destination before any credentials are fetched.
        landing = federation.build_destination(destination or profile.destination, endpoints)
        sts_region = region or federation.default_region(partition)
        resolver = CredentialResolver(warm.snapshot, warm.clients)
        with self._sts_window():
            resolved = resolver.resolve(profile_name, sts_region, mfa_code,
                                        federation_duration=requested)
        return self._finish(resolved, endpoints, landing, requested, issuer, profile.container)

    def _login_role(self, account_id: str, role_name: str, source_profile: str | None,
                    region: str | None, destination: str | None, mfa_code: str | None,
                    duration: int | None, issuer: str | None) -> LoginResult:
        from roleport.credentials.mfa import validate_mfa_code
        from roleport.credentials.resolver import CredentialResolver
        from roleport.credentials.role_from_source import role_session_name

        _check_role(account_id, role_name)
        region = _check_region(region)
        mfa_code = validate_mfa_code(mfa_code)
        issuer = _check_issuer(issuer)
        if duration is not None:
            federation.validate_console_duration(duration)
        warm = self._state()
        # Named source (argument or AWS_PROFILE), else botocore's default chain: environment
        # keys, then the "default" profile (resolve_source does that part).
        source_name = source_profile or profile_from_environment()
        source = (warm.snapshot.get(source_name) if source_name
                  else warm.snapshot.by_name.get("default"))
        region = (region or (_configured_region(source) if source else None)
                  or _environment_region())
        source_partition = (
            partition_of(source.role_arn)
            or _sso_partition(warm.snapshot.raw_profile(source.name), warm.snapshot.full_config)
        ) if source else None
        partition = _partition(source_partition, region)
        endpoints = federation.resolve_endpoints(partition, region,
                                                 federation.federation_override())
        landing = federation.build_destination(destination, endpoints)
        sts_region = region or federation.default_region(partition)
        role_arn = f"arn:{partition}:iam::{account_id}:role/{role_name}"
        resolver = CredentialResolver(warm.snapshot, warm.clients)
        with self._sts_window():
            resolved = resolver.assume_role_from(source_name, role_arn, sts_region,
                                                 role_session_name(source_name), mfa_code)
        return self._finish(resolved, endpoints, landing, duration, issuer, None)

    def _sts_window(self) -> Any:
        from roleport.clients import sts_window

        return sts_window(self._sts_window_seconds, self._connect_timeout + self._read_timeout)

    def _finish(self, resolved: Any, endpoints: federation.Endpoints, landing: str,
                requested: int | None, issuer: str | None,
                container: str | None) -> LoginResult:
        session_duration = federation.session_duration(resolved.kind, resolved.chained,
                                                       requested)
        try:
            token = self._federation.get_signin_token(resolved.credentials, endpoints,
                                                      session_duration)
        except RoleportError as error:
            if session_duration is None or error.fields.get("status") != 400:
                raise
            # AWS answers 400 when SessionDuration comes with role credentials assumed from
            # temporary ones (role chaining). roleport cannot always see the source's kind
            # (credential_process, environment keys), so it asks once more without it: the
            # console session then lasts as long as the credentials (at most 1 h when chained).
            logger.info("the sign-in endpoint refused SessionDuration; retrying without it")
            token = self._federation.get_signin_token(resolved.credentials, endpoints, None)
            session_duration = None
        # Taken after the token: the console session starts at sign-in, a moment later still,
        # so this end is never later than the real one.
        session_end = federation.console_session_end(session_duration, resolved.expires)
        url = federation.build_login_url(endpoints, token, landing, issuer)
        identity = {
            "account": resolved.account,
            "role": resolved.role,
            "session_name": resolved.session_name,
            "partition": endpoints.partition,
            "region": endpoints.region,
            "arn": resolved.arn,
        }
        logger.info("signed in %s (%s, %s)", resolved.arn or resolved.account,
                    endpoints.partition, endpoints.region or "global")
        return LoginResult(url=url, expires_at=federation.expires_at(), identity=identity,
                           container=container, logout_url=endpoints.logout_url,
                           session_expires_at=session_end)


def _name_sso_session(error: RoleportError, profile: str) -> None:
    """Add the SSO session (and start URL) to an sso_login_required error, so that the popup
    can offer to sign in there (the profile at the bottom of a role chain holds it)."""
    from roleport.profiles import role_chain
    from roleport.sso.sessions import session_of_profile

    try:
        full_config = load_snapshot().full_config
        for member in role_chain(profile, full_config.get("profiles", {})):
            session = session_of_profile(full_config, member)
            if session is not None:
                error.fields.setdefault("sso_session", session.key)
                error.fields.setdefault("start_url", session.start_url)
                return
    except Exception:  # the error itself is what matters; this only adds a hint
        logger.debug("could not name the SSO session of profile %s", _printable(profile))


@contextmanager
def _only_roleport_errors(doing: str) -> Iterator[None]:
    """Let a RoleportError through; any other exception becomes internal_error naming its
    class and ``doing`` (the class name only: an arbitrary exception's text could carry
    anything, a secret included)."""
    try:
        yield
    except RoleportError:
        raise
    except Exception as exc:
        logger.debug("unexpected %s while %s", type(exc).__name__, doing)
        raise RoleportError("internal_error",
                            detail=f"{type(exc).__name__} while {doing}") from None


def _printable(value: Any) -> str:
    text = str(value)
    return "".join(char if char.isprintable() else "?" for char in text)[:128]


def _require_text(value: Any, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise RoleportError("invalid_request", detail=f"the {what} is missing")
    if len(value) > 256 or not value.isprintable():
        raise RoleportError("invalid_request",
                            detail=f"the {what} is too long or has control characters")


def _check_role(account_id: str, role_name: str) -> None:
    """An account id and a role name given by the caller (not read from the config)."""
    _require_text(account_id, "account id")
    _require_text(role_name, "role name")
    problem = account_id_problem(account_id) or role_name_problem(role_name)
    if problem:
        raise RoleportError("invalid_request", detail=problem)


def _check_region(region: str | None) -> str | None:
    if region is None or region == "":
        return None
    if not isinstance(region, str):
        raise RoleportError("invalid_request", detail="the region must be text")
    return federation.validate_region(normalize_region(region))


def _check_issuer(issuer: str | None) -> str | None:
    if issuer is None:
        return None
    if not isinstance(issuer, str) or len(issuer) > _MAX_ISSUER or not issuer.isprintable():
        raise RoleportError("invalid_request",
                            detail="the issuer must be printable text of at most 256 characters")
    return issuer


def _environment_region() -> str | None:
    for name in REGION_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            if not is_region(value):
                raise RoleportError("config_error", detail=f"{name}='{_printable(value)}' is "
                                    "not an AWS region name like eu-west-1")
            return value
    return None


def _configured_region(profile: Profile) -> str | None:
    """The profile's region, checked like --region: it becomes the sign-in and STS host
    names, so a typo must be a clear config error, not a connection failure elsewhere."""
    if profile.region and not is_region(profile.region):
        raise RoleportError("config_error", detail=f"profile '{profile.name}': region "
                            f"'{_printable(profile.region)}' is not an AWS region name "
                            "like eu-west-1")
    return profile.region


def _partition(from_arn: str | None, region: str | None) -> str:
    from_region = federation.partition_for_region(region) if region else None
    if from_arn and from_region and from_arn != from_region:
        raise RoleportError(
            "invalid_request",
            detail=f"the region {region} is in the '{from_region}' partition but the role is "
                   f"in '{from_arn}'; pick a region of the role's partition")
    return from_arn or from_region or "aws"


def _sso_partition(raw: dict[str, Any], full_config: dict[str, Any]) -> str | None:
    """The partition of an SSO profile's IAM Identity Center region (sso_session's or its
    own): its role credentials work only at that partition's sign-in endpoint."""
    if "sso_account_id" not in raw and "sso_role_name" not in raw:
        return None
    sso_region = raw.get("sso_region")
    session_name = raw.get("sso_session")
    if session_name:
        session = full_config.get("sso_sessions", {}).get(session_name, {})
        sso_region = session.get("sso_region") or sso_region
    if isinstance(sso_region, str) and is_region(sso_region.strip()):
        return federation.partition_for_region(sso_region.strip())
    return None


def _requested_duration(duration: int | None, profile: Profile,
                        raw: dict[str, Any]) -> int | None:
    """--duration, else roleport_console_duration (a bad value is a config error)."""
    if duration is not None:
        return federation.validate_console_duration(duration)
    configured = raw.get("roleport_console_duration")
    if configured is not None and str(configured).strip():
        if parse_console_duration(configured) is None:
            raise RoleportError(
                "config_error",
                detail=f"profile '{profile.name}': roleport_console_duration must be whole "
                       f"seconds from {MIN_CONSOLE_DURATION} to {MAX_CONSOLE_DURATION}")
    return profile.console_duration
