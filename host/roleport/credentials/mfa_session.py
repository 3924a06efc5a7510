"""One MFA code per device: an MFA session (GetSessionToken) shared by every role behind it.

A role profile with ``mfa_serial`` whose ``source_profile`` holds an IAM user's long-term keys
would need a fresh code for each AssumeRole. Instead, as aws-vault does, the code is spent
once on GetSessionToken (SerialNumber + TokenCode) and every role behind that device is
assumed with the session's credentials, without SerialNumber or TokenCode, while it lasts:

- AssumeRole may be called with GetSessionToken credentials, and because they were issued
  with MFA, the role's ``aws:MultiFactorAuthPresent`` condition is satisfied ("Configuring
  MFA-protected API access", https://docs.aws.amazon.com/IAM/latest/UserGuide/
  id_credentials_mfa_configure-api-require.html; "Compare AWS STS credentials",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html).
- Such a role session is not role chaining (chaining is assuming a role with a role's
  credentials, "Role chaining", https://docs.aws.amazon.com/IAM/latest/UserGuide/
  id_roles_terms-and-concepts.html), so the console session may still last 12 hours.
- GetSessionToken must be called with the IAM user's long-term keys; its DurationSeconds is
  900..129600 for an IAM user, 43200 by default (API_GetSessionToken.html), which roleport
  uses unless the user's profile sets ``roleport_mfa_session_duration``.

Sessions are cached per (source profile, MFA device) in the AWS CLI's credential folder
(~/.aws/cli/cache, private files and folder, read defensively by caches.SafeFileCache) under
names starting ``roleport-mfa-``, in the same entry format as an AssumeRole response. An entry
records a digest of the access key id it was issued for, so rotated keys ask again. A refused
code stores nothing; an entry that expires within MIN_REMAINING is not used (a new code is
asked for).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from roleport.credentials.caches import SafeFileCache, expiration_moment, new_file_cache
from roleport.rules import (
    DEFAULT_MFA_SESSION_DURATION,
    MFA_SESSION_DURATION_KEY,
    is_mfa_session_duration,
)

logger = logging.getLogger(__name__)

SESSION_KEY_PREFIX = "roleport-mfa-"
MIN_REMAINING = timedelta(minutes=2)
"""An MFA session with less left is not used: AssumeRole must still be signed in time."""

_STATIC_KEYS = ("aws_access_key_id", "aws_secret_access_key")
# Settings that make botocore take a source profile's credentials from elsewhere than its keys
# (its provider order: web identity, SSO, then the keys, then credential_process).
_OTHER_SOURCES = ("web_identity_token_file", "sso_session", "sso_start_url", "role_arn",
                  "aws_session_token", "credential_source")


@dataclass(frozen=True)
class MfaStep:
    """The AssumeRole in a profile's chain that needs the device's code."""

    role_profile: str     # the profile with role_arn and mfa_serial
    source_profile: str   # its source: an IAM user's long-term keys
    mfa_serial: str


def mfa_step(profile_name: str, raw_profiles: dict[str, dict[str, Any]]) -> MfaStep | None:
    """The MFA step an MFA session can replace, from the config alone (None when there is
    none): the role at the bottom of the source_profile chain, when it has mfa_serial and
    its source profile holds long-term keys."""
    from roleport.profiles import role_chain

    chain = role_chain(profile_name, raw_profiles)
    if len(chain) < 2:
        return None
    role, source = chain[-2], chain[-1]
    role_section = raw_profiles.get(role, {})
    source_section = raw_profiles.get(source, {})
    serial = role_section.get("mfa_serial")
    if not isinstance(serial, str) or not serial.strip():
        return None
    if not all(isinstance(source_section.get(key), str) and source_section[key]
               for key in _STATIC_KEYS):
        return None
    if any(key in source_section for key in _OTHER_SOURCES):
        return None
    return MfaStep(role, source, serial.strip())


def session_duration(raw_profiles: dict[str, dict[str, Any]], step: MfaStep) -> int:
    """GetSessionToken's DurationSeconds: the source profile's roleport_mfa_session_duration
    when it is a valid number of seconds, else AWS's default of 12 hours."""
    value = raw_profiles.get(step.source_profile, {}).get(MFA_SESSION_DURATION_KEY)
    try:
        seconds = int(str(value).strip()) if value is not None else None
    except ValueError:
        seconds = None
    if seconds is not None and is_mfa_session_duration(seconds):
        return seconds
    if value is not None:
        logger.warning("profile %s: %s is not 900..129600 seconds; using %d",
                       step.source_profile, MFA_SESSION_DURATION_KEY,
                       DEFAULT_MFA_SESSION_DURATION)
    return DEFAULT_MFA_SESSION_DURATION


def session_key(step: MfaStep) -> str:
    """The cache entry's name: one per (source profile, MFA device)."""
    digest = hashlib.sha1(  # noqa: S324 - a file name, as botocore's cache keys
        json.dumps([step.source_profile, step.mfa_serial]).encode("utf-8")).hexdigest()
    return SESSION_KEY_PREFIX + digest


def key_digest(access_key_id: str) -> str:
    """Which long-term key a session belongs to, without naming the key."""
    return hashlib.sha256(access_key_id.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class MfaSession:
    access_key: str
    secret_key: str = field(repr=False)
    token: str = field(repr=False)
    expiration: datetime

    def __repr__(self) -> str:
        return f"MfaSession(expiration={self.expiration.isoformat()}, <redacted>)"


class MfaSessions:
    """The cached MFA sessions: read, started with a code, forgotten."""

    def __init__(self, cache: Any, now: Callable[[], datetime] | None = None) -> None:
        self._cache = cache
        self._now = now or (lambda: datetime.now(timezone.utc))

    def valid(self, step: MfaStep, access_key_id: str | None = None) -> MfaSession | None:
        """The step's session when it lasts at least MIN_REMAINING more (and, given the
        source's access key id, was issued for that key)."""
        key = session_key(step)
        try:
            entry = self._cache[key]
        except KeyError:
            return None
        if not isinstance(entry, dict):
            return None
        if access_key_id is not None and entry.get("SourceKeyDigest") != key_digest(
                access_key_id):
            logger.info("the MFA session of %s was issued for other keys; asking again",
                        step.mfa_serial)
            return None
        credentials = entry.get("Credentials", {})
        expiration = expiration_moment(credentials.get("Expiration"))
        if expiration is None or expiration - self._now() < MIN_REMAINING:
            return None
        return MfaSession(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                          credentials["SessionToken"], expiration)

    def expires_at(self, step: MfaStep) -> datetime | None:
        """When the step's usable session ends (None when there is none)."""
        session = self.valid(step)
        return session.expiration if session else None

    def start(self, client: Any, step: MfaStep, access_key_id: str, code: str,
              duration: int) -> MfaSession:
        """GetSessionToken with the device's code; the session is cached only once AWS has
        accepted the code (a refused code raises botocore's ClientError and stores nothing)."""
        response = client.get_session_token(SerialNumber=step.mfa_serial, TokenCode=code,
                                            DurationSeconds=duration)
        issued = response["Credentials"]
        expiration = expiration_moment(issued["Expiration"])
        if expiration is None:  # pragma: no cover - botocore always parses it
            raise ValueError("GetSessionToken answered without an expiration")
        self._cache[session_key(step)] = {
            "Credentials": {
                "AccessKeyId": issued["AccessKeyId"],
                "SecretAccessKey": issued["SecretAccessKey"],
                "SessionToken": issued["SessionToken"],
                "Expiration": expiration.astimezone(timezone.utc).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"),
            },
            "MfaSerial": step.mfa_serial,
            "SourceProfile": step.source_profile,
            "SourceKeyDigest": key_digest(access_key_id),
        }
        logger.info("started an MFA session for %s until %s", step.mfa_serial,
                    expiration.isoformat())
        return MfaSession(issued["AccessKeyId"], issued["SecretAccessKey"],
                          issued["SessionToken"], expiration)

    def forget(self, step: MfaStep) -> bool:
        """Delete the step's session; True when there was one."""
        try:
            del self._cache[session_key(step)]
        except KeyError:
            return False
        return True


def new_mfa_sessions() -> MfaSessions:
    """The sessions in the AWS CLI's credential folder."""
    return MfaSessions(new_file_cache())


def forget_all(cache: SafeFileCache | None = None) -> list[str]:
    """Delete every roleport MFA session file; the paths deleted."""
    import os

    cache = cache or new_file_cache()
    try:
        names = os.listdir(cache.directory)
    except FileNotFoundError:
        return []
    deleted = []
    for name in sorted(names):
        if name.startswith(SESSION_KEY_PREFIX) and name.endswith(".json"):
            path = os.path.join(cache.directory, name)
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            deleted.append(path)
    return deleted


# -- handing the session to botocore --------------------------------------------------------

SESSION_SOURCE_PREFIX = "roleport MFA session for "
"""The in-memory profile that holds a session (a name a config section cannot take: botocore
reads "[profile x]" headers, and no real profile is looked up under this name)."""


def config_with_session(full_config: dict[str, Any], step: MfaStep,
                        session: MfaSession) -> tuple[dict[str, Any], str]:
    """A copy of botocore's parsed config in which the MFA role's source is the session and
    the role has no mfa_serial (the session already carries the MFA), and the name of the
    in-memory source profile. The files are not touched."""
    profiles = dict(full_config.get("profiles", {}))
    source_name = SESSION_SOURCE_PREFIX + step.source_profile
    role = dict(profiles.get(step.role_profile, {}))
    role.pop("mfa_serial", None)
    role["source_profile"] = source_name
    profiles[step.role_profile] = role
    profiles[source_name] = {"aws_access_key_id": session.access_key,
                             "aws_secret_access_key": session.secret_key,
                             "aws_session_token": session.token}
    return {**full_config, "profiles": profiles}, source_name


class SessionSourceBuilder:
    """botocore's ProfileProviderBuilder, except that the in-memory session profile answers
    with the session's credentials (botocore asks the builder for a source profile's
    providers, and the builder reads the files, where that profile does not exist)."""

    def __init__(self, inner: Any, source_name: str, session: MfaSession) -> None:
        self._inner = inner
        self._source_name = source_name
        self._session = session

    def providers(self, profile_name: str, disable_env_vars: bool = False) -> list[Any]:
        if profile_name != self._source_name:
            return list(self._inner.providers(profile_name=profile_name,
                                              disable_env_vars=disable_env_vars))
        return [_session_provider(self._session)]


def _session_provider(session: MfaSession) -> Any:
    from botocore.credentials import CredentialProvider, Credentials

    class MfaSessionProvider(CredentialProvider):
        METHOD = "mfa-session"
        CANONICAL_NAME = None

        def load(self) -> Any:
            return Credentials(session.access_key, session.secret_key, session.token,
                               method=self.METHOD)

    return MfaSessionProvider()


# -- which profiles a live session covers (the `mfa_sessions` action) ----------------------

def active_sessions(profile_names: Any, raw_profiles: dict[str, dict[str, Any]],
                    sessions: MfaSessions) -> list[dict[str, Any]]:
    """The usable MFA sessions, each with the profiles that log in without a code while it
    lasts: [{"mfa_serial", "source_profile", "expires_at" (ISO 8601 UTC, "Z"), "profiles"}].
    One cache read per (source profile, device); the source's keys are not read, so a
    session of rotated keys is listed until a login finds it stale."""
    # One session per (source profile, device), whichever role profile leads to it.
    covered: dict[tuple[str, str], tuple[MfaStep, list[str]]] = {}
    for name in profile_names:
        step = mfa_step(name, raw_profiles)
        if step is not None:
            covered.setdefault((step.source_profile, step.mfa_serial), (step, []))[1].append(
                name)
    answer = []
    for step, names in covered.values():
        expiration = sessions.expires_at(step)
        if expiration is None:
            continue
        answer.append({
            "mfa_serial": step.mfa_serial,
            "source_profile": step.source_profile,
            "expires_at": expiration.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "profiles": names,
        })
    return answer
