"""Temporary credentials for a profile, only through botocore's own credential providers.

Rules implemented here (issue 2 step 2):
- botocore's providers do all the work: AssumeRoleProvider (source_profile chains,
  credential_source, external_id, role_session_name, duration_seconds, mfa_serial), the SSO
  provider (sso_session and legacy, cached token), credential_process, static keys;
- assumed-role credentials are cached in botocore's JSONFileCache at the AWS CLI's location
  (~/.aws/cli/cache, files 0600) so roleport and the AWS CLI share MFA sessions;
- MFA never prompts inside the library: with no valid cached credentials and no code the
  answer is `mfa_required` (carrying the serial); a refused code is `mfa_invalid`;
- static IAM user keys cannot sign in: GetFederationToken with an allow-all session policy
  (the effective permissions are the user's own), as aws-vault does;
- chained roles are re-assumed when the cached credentials have less than ~50 minutes left,
  so the (one hour at most) console session gets its full length;
- every botocore/STS failure becomes a RoleportError; no message carries a secret.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shlex
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from roleport.arn import account_of, assumed_role_parts
from roleport.errors import RoleportError
from roleport.federation import (
    CREDENTIALS_FEDERATION_TOKEN,
    CREDENTIALS_OTHER,
    CREDENTIALS_ROLE,
    CREDENTIALS_SSO,
    TemporaryCredentials,
)
from roleport.rules import is_mfa_code, normalize_mfa_code, session_name

if TYPE_CHECKING:  # pragma: no cover - typing only
    import botocore.session

    from roleport.profiles import ConfigSnapshot

logger = logging.getLogger(__name__)

# Chained role sessions last one hour at most; re-assume below this so the console gets ~1 h.
CHAINED_MIN_REMAINING = timedelta(minutes=50)
FEDERATION_TOKEN_DURATION = 43200
ALLOW_ALL_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}, separators=(",", ":"))
STS_CONNECT_TIMEOUT = 5
STS_READ_TIMEOUT = 10


def aws_cli_cache_dir() -> str:
    """~/.aws/cli/cache, where the AWS CLI caches assumed-role credentials."""
    return os.path.join(os.path.expanduser("~"), ".aws", "cli", "cache")


def sso_token_cache_dir() -> str:
    """~/.aws/sso/cache, where `aws sso login` stores tokens (resolved per call, not import)."""
    return os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache")


@dataclass(frozen=True)
class ResolvedCredentials:
    """Temporary credentials and what the federation endpoint needs to know about them."""

    credentials: TemporaryCredentials
    kind: str                 # federation.CREDENTIALS_*
    chained: bool
    account: str | None
    role: str | None
    session_name: str | None
    arn: str | None

    def __repr__(self) -> str:
        return f"ResolvedCredentials(kind={self.kind!r}, arn={self.arn!r}, <redacted>)"


class MfaCodeNeeded(Exception):
    """Raised by the prompter handed to botocore: the library never asks interactively."""

    def __init__(self, prompt: str) -> None:
        super().__init__("an MFA code is needed")
        self.prompt = prompt


class NoPromptMfa:
    """botocore's MFA prompter: returns the caller's code once, else raises MfaCodeNeeded."""

    def __init__(self, mfa_code: str | None) -> None:
        self._code = mfa_code
        self.used = False

    def __call__(self, prompt: str) -> str:
        if self._code is None or self.used:
            raise MfaCodeNeeded(prompt)
        self.used = True
        return self._code


def validate_mfa_code(code: str | None) -> str | None:
    if code is None:
        return None
    code = normalize_mfa_code(code)
    if not is_mfa_code(code):
        raise RoleportError("invalid_request",
                            detail="an MFA code is the 6 digits your MFA device shows")
    return code


def _expiration_of(entry: Any) -> datetime | None:
    try:
        value = entry["Credentials"]["Expiration"]
    except (KeyError, TypeError):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


class TargetTrackingCache:
    """Wraps botocore's JSONFileCache for one resolution.

    botocore's credential fetchers look up the cache of the profile being resolved before they
    resolve its source, so the first key asked for is the target's. For that key this wrapper
    (a) remembers the entry, which carries the AssumedRoleUser ARN (the session name), and
    (b) when `min_remaining` is set (chained roles), hides an entry that would leave the
    console less than that, which makes botocore assume the role again.
    """

    def __init__(self, backing: Any, min_remaining: timedelta | None = None,
                 now: Callable[[], datetime] | None = None) -> None:
        self._backing = backing
        self._min_remaining = min_remaining
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.target_key: str | None = None
        self.target_entry: dict[str, Any] | None = None
        self.target_refreshed = False
        self.hid_valid_target = False  # a still-valid entry was hidden for being too short

    def _too_short(self, key: str) -> bool:
        if self._min_remaining is None or key != self.target_key:
            return False
        try:
            entry = self._backing[key]
        except KeyError:
            return True
        expiration = _expiration_of(entry)
        if expiration is None:
            return True
        remaining = expiration - self._now()
        if remaining < self._min_remaining:
            self.hid_valid_target = remaining > timedelta(0)
            return True
        return False

    def __contains__(self, key: str) -> bool:
        if self.target_key is None:
            self.target_key = key
        return key in self._backing and not self._too_short(key)

    def __getitem__(self, key: str) -> Any:
        value = self._backing[key]
        if key == self.target_key:
            self.target_entry = value
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._backing[key] = value
        if key == self.target_key:
            self.target_entry = value
            self.target_refreshed = True

    def __delitem__(self, key: str) -> None:
        del self._backing[key]


def new_file_cache() -> Any:
    """The AWS CLI's assumed-role cache; the directory is private to the user."""
    from botocore.utils import JSONFileCache

    directory = aws_cli_cache_dir()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return JSONFileCache(directory)  # mkstemp + os.replace: files are created 0600


def _utc_timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def new_sso_token_cache() -> Any:
    """The SSO token cache `aws sso login` writes, with the file format it writes.

    A refreshed token is saved back into ~/.aws/sso/cache, which the AWS CLI and the other
    SDKs (Go, JavaScript) read too: timestamps must be RFC 3339 UTC ("...Z"), as botocore's
    own SSOTokenProvider writes them, not JSONFileCache's default ("...UTC").
    """
    from botocore.utils import JSONFileCache

    return JSONFileCache(sso_token_cache_dir(),
                         dumps_func=lambda token: json.dumps(token, default=_utc_timestamp))


class StsClients:
    """STS clients per (region, credentials), reused across logins (client creation is slow).

    botocore clients are thread-safe once built; building them shares the session, so it is
    serialised. Keys hold a hash of the secret, never the secret itself.
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


class SerializedSession:
    """A botocore session whose create_client runs under a lock.

    botocore sessions are not thread-safe; the providers roleport hands this proxy to (SSO,
    SSO token refresh) build their clients through it while logins run in a thread pool.
    """

    def __init__(self, session: botocore.session.Session, lock: Any) -> None:
        self._session = session
        self._lock = lock

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return self._session.create_client(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


CREDENTIAL_PROCESS_TIMEOUT_SECONDS = 60.0


class BoundedProcess(subprocess.Popen):  # type: ignore[type-arg]
    """credential_process as botocore's ProcessProvider runs it, bounded in time and checked.

    botocore waits for the command without a limit and parses its output with json.loads
    unguarded: a hung command would hang the login (house rule: nothing hangs) and a command
    printing a prompt on stdout would surface as an internal error. Here the command is killed
    after CREDENTIAL_PROCESS_TIMEOUT_SECONDS (timeout) and non-JSON output is botocore's own
    CredentialRetrievalError (no_credentials), never echoing the output.
    """

    def communicate(self, input: Any = None, timeout: float | None = None) -> Any:  # noqa: A002
        limit = timeout if timeout is not None else CREDENTIAL_PROCESS_TIMEOUT_SECONDS
        try:
            stdout, stderr = super().communicate(input, timeout=limit)
        except subprocess.TimeoutExpired:
            self.kill()
            super().communicate()
            raise RoleportError("timeout", service="The profile's credential_process",
                                seconds=f"{limit:g}") from None
        if self.returncode == 0:
            try:
                json.loads(stdout.decode("utf-8"))
            except ValueError:  # UnicodeDecodeError is a ValueError too
                from botocore.exceptions import CredentialRetrievalError

                raise CredentialRetrievalError(provider="custom-process",
                                               error_msg="the output is not JSON") from None
        return stdout, stderr


def bounded_provider_builder(session: Any, **kwargs: Any) -> Any:
    """botocore's ProfileProviderBuilder whose credential_process runs as a BoundedProcess."""
    from botocore.credentials import ProcessProvider, ProfileProviderBuilder

    class Builder(ProfileProviderBuilder):  # type: ignore[misc]
        def _create_process_provider(self, profile_name: str) -> ProcessProvider:
            return ProcessProvider(profile_name=profile_name,
                                   load_config=lambda: session.full_config,
                                   popen=BoundedProcess)

    return Builder(session, **kwargs)


def client_config(connect_timeout: float = STS_CONNECT_TIMEOUT,
                  read_timeout: float = STS_READ_TIMEOUT) -> Any:
    """Explicit timeouts and a small retry for every client botocore builds for us."""
    from botocore.config import Config

    return Config(connect_timeout=connect_timeout, read_timeout=read_timeout,
                  retries={"max_attempts": 2, "mode": "standard"})


class CredentialResolver:
    """Resolves one profile's credentials with botocore's providers (new objects per call)."""

    def __init__(self, snapshot: ConfigSnapshot, clients: StsClients,
                 cache_factory: Callable[[], Any] = new_file_cache) -> None:
        self._snapshot = snapshot
        self._clients = clients
        self._cache_factory = cache_factory

    def resolve(self, profile_name: str, region: str, mfa_code: str | None = None,
                federation_duration: int | None = None) -> ResolvedCredentials:
        profile = self._snapshot.get(profile_name)
        raw = self._snapshot.raw_profile(profile_name)
        prompter = NoPromptMfa(mfa_code)
        cache = TargetTrackingCache(self._cache_factory(),
                                    CHAINED_MIN_REMAINING if profile.chained else None)
        try:
            try:
                frozen, method = self._frozen(profile_name, region, prompter, cache)
            except MfaCodeNeeded:
                if mfa_code is not None or not cache.hid_valid_target:
                    raise
                # Re-assuming for a full hour would need an MFA code the caller does not
                # have, while valid cached credentials exist: use them (issue 2: mfa_required
                # only when no valid cached credentials exist); the console gets less time.
                prompter = NoPromptMfa(None)
                cache = TargetTrackingCache(self._cache_factory())
                frozen, method = self._frozen(profile_name, region, prompter, cache)
        except RoleportError:
            raise
        except Exception as exc:  # every botocore failure gets a stable code
            raise map_error(exc, profile_name, profile.mfa_serial, prompter,
                            self._clients.timeouts,
                            sso_command=self._sso_login_command(profile_name)) from None
        if not frozen.access_key or not frozen.secret_key:
            raise RoleportError("no_credentials", profile=profile_name,
                                detail="the credentials found are incomplete")
        if not frozen.token:
            return self.federation_token(profile_name, region, frozen, federation_duration)
        credentials = TemporaryCredentials(frozen.access_key, frozen.secret_key, frozen.token)
        if method == "assume-role" or method == "assume-role-with-web-identity":
            arn = _assumed_role_arn(cache.target_entry)
            account, role, session = assumed_role_parts(arn)
            return ResolvedCredentials(
                credentials, CREDENTIALS_ROLE, profile.chained,
                account=account or profile.account_id, role=role or profile.role_name,
                session_name=session, arn=arn)
        if method == "sso":
            return ResolvedCredentials(credentials, CREDENTIALS_SSO, False,
                                       account=profile.account_id, role=profile.role_name,
                                       session_name=None, arn=None)
        # Temporary keys of unknown origin (credential_process, a session token in the
        # credentials file): usable as they are, without SessionDuration.
        return ResolvedCredentials(credentials, CREDENTIALS_OTHER, False,
                                   account=profile.account_id or raw.get("aws_account_id"),
                                   role=profile.role_name, session_name=None, arn=None)

    def _frozen(self, profile_name: str, region: str, prompter: NoPromptMfa,
                cache: TargetTrackingCache) -> tuple[Any, str]:
        botocore_creds = self._load(profile_name, region, prompter, cache)
        if botocore_creds is None:
            raise RoleportError(
                "no_credentials", profile=profile_name,
                detail="the profile has no role_arn, sso settings, credential_process or keys")
        frozen = botocore_creds.get_frozen_credentials()
        return frozen, getattr(botocore_creds, "method", "") or ""

    def _load(self, profile_name: str, region: str, prompter: NoPromptMfa,
              cache: TargetTrackingCache) -> Any:
        from botocore.credentials import (
            AssumeRoleProvider,
            CanonicalNameCredentialSourcer,
            ContainerProvider,
            EnvProvider,
            InstanceMetadataFetcher,
            InstanceMetadataProvider,
        )
        from botocore.credentials import (
            CredentialResolver as BotocoreResolver,
        )

        session = self._snapshot.session
        builder = bounded_provider_builder(
            self._clients.serialized_session, cache=cache, region_name=region,
            sso_token_cache=new_sso_token_cache(),
        )
        # credential_source = Environment / EcsContainer / Ec2InstanceMetadata, as in botocore's
        # default chain (IMDS honours AWS_EC2_METADATA_DISABLED).
        sourcer = CanonicalNameCredentialSourcer([
            EnvProvider(), ContainerProvider(),
            InstanceMetadataProvider(iam_role_fetcher=InstanceMetadataFetcher(
                timeout=1, num_attempts=1)),
        ])
        assume_role = AssumeRoleProvider(
            load_config=lambda: session.full_config,
            client_creator=self._clients.creator(region),
            cache=cache,
            profile_name=profile_name,
            prompter=prompter,
            credential_sourcer=sourcer,
            profile_provider_builder=builder,
        )
        providers = [assume_role, *builder.providers(profile_name=profile_name,
                                                     disable_env_vars=True)]
        return BotocoreResolver(providers=providers).load_credentials()

    def federation_token(self, profile_name: str, region: str, frozen: Any,
                         duration: int | None) -> ResolvedCredentials:
        """Long-term IAM user keys: GetFederationToken with the allow-all session policy."""
        client = self._clients.client(
            "sts", region, aws_access_key_id=frozen.access_key,
            aws_secret_access_key=frozen.secret_key)
        try:
            response = client.get_federation_token(
                Name=federation_user_name(profile_name), Policy=ALLOW_ALL_POLICY,
                DurationSeconds=duration or FEDERATION_TOKEN_DURATION)
        except Exception as exc:
            raise map_error(exc, profile_name, None, None, self._clients.timeouts) from None
        issued = response["Credentials"]
        arn = response.get("FederatedUser", {}).get("Arn")
        account = account_of(arn)
        return ResolvedCredentials(
            TemporaryCredentials(issued["AccessKeyId"], issued["SecretAccessKey"],
                                 issued["SessionToken"]),
            CREDENTIALS_FEDERATION_TOKEN, False, account=account, role=None,
            session_name=federation_user_name(profile_name), arn=arn)

    def assume_role_from(self, source_profile: str | None, role_arn: str, region: str,
                         session_name: str, mfa_code: str | None = None) -> ResolvedCredentials:
        """The blog post's flow: AssumeRole on an ARN built from account id and role name,
        with the source profile's credentials, through botocore's cached fetcher."""
        from botocore.credentials import AssumeRoleCredentialFetcher, Credentials

        source = self.resolve_source(source_profile, region, mfa_code)
        chained = bool(source.token)
        cache = TargetTrackingCache(self._cache_factory(),
                                    CHAINED_MIN_REMAINING if chained else None)
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=self._clients.creator(region),
            source_credentials=Credentials(source.access_key, source.secret_key, source.token),
            role_arn=role_arn, extra_args={"RoleSessionName": session_name}, cache=cache,
            mfa_prompter=NoPromptMfa(None),
        )
        try:
            issued = fetcher.fetch_credentials()
        except Exception as exc:
            raise map_error(exc, source_profile or "default", None, None,
                            self._clients.timeouts) from None
        arn = _assumed_role_arn(cache.target_entry)
        account, role, name = assumed_role_parts(arn)
        return ResolvedCredentials(
            TemporaryCredentials(issued["access_key"], issued["secret_key"], issued["token"]),
            CREDENTIALS_ROLE, chained, account=account, role=role, session_name=name, arn=arn)

    def resolve_source(self, profile_name: str | None, region: str,
                       mfa_code: str | None) -> Any:
        """Frozen credentials of a source profile, as botocore resolves them (any kind).

        With no profile named anywhere (argument, AWS_PROFILE) this follows botocore's default
        chain as the blog's script did: environment keys first, then the "default" profile.
        """
        if profile_name is None:
            from botocore.credentials import EnvProvider

            try:
                from_environment = EnvProvider().load()
            except Exception as exc:
                raise map_error(exc, "default", None, None, self._clients.timeouts) from None
            if from_environment is not None:
                return from_environment.get_frozen_credentials()
            if "default" not in self._snapshot.by_name:
                raise RoleportError(
                    "no_credentials", profile="default",
                    detail="no profile was named (--profile or AWS_PROFILE), no 'default' "
                           "profile exists and AWS_ACCESS_KEY_ID is not set")
            profile_name = "default"
        profile = self._snapshot.get(profile_name)
        prompter = NoPromptMfa(mfa_code)
        cache = TargetTrackingCache(self._cache_factory())
        try:
            creds = self._load(profile_name, region, prompter, cache)
            if creds is None:
                raise RoleportError("no_credentials", profile=profile_name,
                                    detail="the source profile has no credentials")
            return creds.get_frozen_credentials()
        except RoleportError:
            raise
        except Exception as exc:
            raise map_error(exc, profile_name, profile.mfa_serial, prompter,
                            self._clients.timeouts,
                            sso_command=self._sso_login_command(profile_name)) from None

    def _sso_login_command(self, profile_name: str) -> str:
        return sso_login_command(profile_name, self._snapshot.full_config.get("profiles", {}))


def sso_login_command(profile_name: str, raw_profiles: dict[str, dict[str, Any]]) -> str:
    """The exact `aws sso login` command that renews the token this profile depends on.

    `aws sso login --profile P` reads the SSO settings of P itself and does not follow
    source_profile (aws/aws-cli#7632), so a role chained from an SSO profile must name the SSO
    profile at the bottom of its chain.
    """
    from roleport.profiles import role_chain

    target = profile_name
    for member in role_chain(profile_name, raw_profiles):
        section = raw_profiles.get(member, {})
        if "sso_session" in section or "sso_start_url" in section:
            target = member
            break
    return f"aws sso login --profile {shlex.quote(target)}"


def federation_user_name(profile_name: str) -> str:
    """GetFederationToken's Name: 2-32 characters of [\\w+=,.@-]."""
    return session_name(f"roleport-{profile_name}", 32)


def role_session_name(profile_name: str | None) -> str:
    """A RoleSessionName (2-64 characters of [\\w+=,.@-]) that says who made the session."""
    return session_name(f"roleport-{profile_name or 'user'}", 64)


def _assumed_role_arn(entry: dict[str, Any] | None) -> str | None:
    if not entry:
        return None
    arn = entry.get("AssumedRoleUser", {}).get("Arn")
    return arn if isinstance(arn, str) else None


_EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}
_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "InvalidClientTokenId",
                 "SignatureDoesNotMatch", "UnrecognizedClientException",
                 "InvalidIdentityToken", "RegionDisabledException"}


# AssumeRole parameters and the profile settings botocore takes them from.
_PROFILE_SETTING = {"DurationSeconds": "duration_seconds", "RoleSessionName": "role_session_name",
                    "ExternalId": "external_id", "SerialNumber": "mfa_serial",
                    "RoleArn": "role_arn", "TokenCode": "the MFA code"}


def _serial_from_prompt(prompt: str, fallback: str | None) -> str | None:
    match = re.search(r"(arn:[^\s]+:mfa/[^\s:]+|GAHT[0-9A-Z]+|[A-Z0-9]{8,})", prompt)
    return match.group(1) if match else fallback


def map_error(exc: BaseException, profile: str, mfa_serial: str | None,
              prompter: NoPromptMfa | None,
              timeouts: tuple[float, float] = (STS_CONNECT_TIMEOUT, STS_READ_TIMEOUT),
              sso_command: str | None = None) -> RoleportError:
    """One stable RoleportError for any botocore/STS failure; messages carry no secret.

    `sso_command` is the `aws sso login` command for the profile's chain (sso_login_command);
    without it the profile itself is named.
    """
    from botocore import exceptions as bx

    sso_command = sso_command or f"aws sso login --profile {shlex.quote(profile)}"

    if isinstance(exc, RoleportError):
        return exc
    if isinstance(exc, MfaCodeNeeded):
        return RoleportError("mfa_required", profile=profile,
                             mfa_serial=_serial_from_prompt(exc.prompt, mfa_serial))
    if isinstance(exc, bx.RefreshWithMFAUnsupportedError):
        return RoleportError("mfa_required", profile=profile, mfa_serial=mfa_serial)
    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = _safe_aws_message(str(error.get("Message", "")))
        if code in ("AccessDenied", "AccessDeniedException") and (
                "MultiFactorAuthentication" in message):
            return RoleportError("mfa_invalid", profile=profile, mfa_serial=mfa_serial)
        if code in _EXPIRED_CODES:
            return RoleportError("credentials_expired", profile=profile)
        if code in ("UnauthorizedException",):
            return RoleportError("sso_login_required", profile=profile,
                                 command=sso_command)
        if code in _DENIED_CODES:
            return RoleportError("access_denied", profile=profile,
                                 detail=message or code)
        if code in ("ValidationError", "ValidationException", "MalformedPolicyDocument"):
            # AWS rejects a setting of the profile (duration_seconds, external_id, session
            # name...); its message names the setting, never a credential.
            return RoleportError("config_error",
                                 detail=f"profile '{profile}': AWS refused it: {message}")
        if code in ("Throttling", "ThrottlingException", "TooManyRequestsException"):
            return RoleportError("network_error", service="AWS STS",
                                 detail="requests are being throttled; wait a moment")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return RoleportError("access_denied" if status == 403 else "internal_error",
                             profile=profile, detail=f"AWS answered {code or status}")
    if isinstance(exc, (bx.UnauthorizedSSOTokenError, bx.SSOTokenLoadError,
                        bx.TokenRetrievalError, bx.SSOError)):
        return RoleportError("sso_login_required", profile=profile,
                             command=sso_command)
    if isinstance(exc, (bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        seconds = timeouts[1] if isinstance(exc, bx.ReadTimeoutError) else timeouts[0]
        return RoleportError("timeout", service="AWS STS", seconds=f"{seconds:g}")
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectionClosedError,
                        bx.ConnectionError, bx.HTTPClientError)):
        return RoleportError("network_error", service="AWS STS",
                             detail="the connection failed")
    if isinstance(exc, bx.ProfileNotFound):
        return RoleportError("profile_not_found", profile=exc.kwargs.get("profile", profile))
    if isinstance(exc, bx.ConfigParseError):
        from roleport.profiles import config_error_from_parse_error

        return config_error_from_parse_error(exc)
    if isinstance(exc, bx.InfiniteLoopConfigError):
        return RoleportError("config_error", detail=f"profile '{profile}': the source_profile "
                             "chain loops back on itself")
    if isinstance(exc, bx.InvalidConfigError):
        return RoleportError("config_error", detail=f"profile '{profile}': {exc}")
    if isinstance(exc, bx.PartialCredentialsError):
        return RoleportError("no_credentials", profile=profile,
                             detail=f"{exc.kwargs.get('cred_var', 'a value')} is missing")
    if isinstance(exc, bx.CredentialRetrievalError):
        provider = exc.kwargs.get("provider", "")
        if provider == "custom-process":
            # The process's own error output may contain anything: do not repeat it.
            return RoleportError("no_credentials", profile=profile,
                                 detail="its credential_process failed or printed invalid "
                                        "output; run the command in a terminal to see why")
        return RoleportError("no_credentials", profile=profile,
                             detail=f"the {provider or 'credential'} source gave nothing")
    if isinstance(exc, bx.NoCredentialsError):
        return RoleportError("no_credentials", profile=profile, detail="none were found")
    if isinstance(exc, bx.ParamValidationError):
        # botocore checked a profile setting before calling STS. Its report quotes values
        # (an external_id, say): name only the settings.
        report = str(exc.kwargs.get("report", ""))
        parameters = sorted(set(re.findall(r"parameter (\w+)", report)))
        settings = ", ".join(f"{_PROFILE_SETTING.get(name, name)} ({name})"
                             for name in parameters) or "a setting"
        return RoleportError("config_error", detail=f"profile '{profile}': botocore refused "
                             f"{settings}; check the allowed length and range in the AWS CLI docs")
    if isinstance(exc, bx.NoRegionError):
        return RoleportError("config_error", detail=f"profile '{profile}' has no region")
    logger.debug("unexpected credential error %s", type(exc).__name__)
    return RoleportError("internal_error", detail=f"{type(exc).__name__} while resolving "
                         f"credentials for profile '{profile}'")


_SECRETISH = re.compile(r"(A[SK]IA[0-9A-Z]{12,}|[A-Za-z0-9/+=]{40,})")


def _safe_aws_message(message: str) -> str:
    """AWS error messages name ARNs, not secrets; scrub anything key-shaped just in case."""
    return _SECRETISH.sub("<redacted>", message)[:300]
