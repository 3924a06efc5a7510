"""A role named by account id and role name, assumed with a source profile's credentials.

This is the flow of the Python sample in "Enable custom identity broker access to the AWS
console"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html):
AssumeRole on arn:<partition>:iam::<account>:role/<name> with the caller's credentials, here a
source profile's, through botocore's AssumeRoleCredentialFetcher and the AWS CLI's cache. With
no source named anywhere it follows the default chain as the sample does: environment keys
first, then the "default" profile
(https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html).
RoleSessionName is 2-64 characters of [\\w+=,.@-]
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from roleport.arn import assumed_role_parts
from roleport.clients import StsClients
from roleport.credentials.caches import CHAINED_MIN_REMAINING, TargetTrackingCache, new_file_cache
from roleport.credentials.mfa import NoPromptMfa
from roleport.credentials.profile import ProfileCredentials
from roleport.credentials.resolved import ResolvedCredentials
from roleport.error_map import map_error
from roleport.errors import RoleportError
from roleport.federation import CREDENTIALS_ROLE, TemporaryCredentials
from roleport.rules import DEFAULT_PROFILE, session_name

if TYPE_CHECKING:  # pragma: no cover - typing only
    from roleport.profiles import ConfigSnapshot


def role_session_name(profile_name: str | None) -> str:
    """A RoleSessionName (2-64 characters of [\\w+=,.@-]) that says who made the session."""
    return session_name(f"roleport-{profile_name or 'user'}", 64)


class RoleFromSource:
    """AssumeRole on a given ARN with the credentials of a source profile (or the default
    chain)."""

    def __init__(self, snapshot: ConfigSnapshot, clients: StsClients,
                 profiles: ProfileCredentials,
                 cache_factory: Callable[[], Any] = new_file_cache) -> None:
        self._snapshot = snapshot
        self._clients = clients
        self._profiles = profiles
        self._cache_factory = cache_factory

    def assume(self, source_profile: str | None, role_arn: str, region: str,
               session_name: str, mfa_code: str | None = None) -> ResolvedCredentials:
        from botocore.credentials import AssumeRoleCredentialFetcher, Credentials

        source = self.source_credentials(source_profile, region, mfa_code)
        chained = bool(source.token)
        cache = TargetTrackingCache(self._cache_factory(),
                                    CHAINED_MIN_REMAINING if chained else None)
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=self._clients.creator(region),
            source_credentials=Credentials(source.access_key, source.secret_key, source.token),
            role_arn=role_arn, extra_args={"RoleSessionName": session_name},
            cache=cast("dict[str, Any]", cache),  # used through the mapping protocol only
            mfa_prompter=NoPromptMfa(None),
        )
        try:
            issued = fetcher.fetch_credentials()
        except Exception as exc:
            raise map_error(exc, source_profile or DEFAULT_PROFILE,
                            timeouts=self._clients.timeouts) from None
        arn = cache.target_arn
        account, role, name = assumed_role_parts(arn)
        return ResolvedCredentials(
            TemporaryCredentials(issued["access_key"], issued["secret_key"], issued["token"]),
            CREDENTIALS_ROLE, chained, account=account, role=role, session_name=name, arn=arn,
            expires=cache.target_expiration)

    def source_credentials(self, profile_name: str | None, region: str,
                           mfa_code: str | None) -> Any:
        """Frozen credentials of the source: the named profile's (any kind), else the
        environment's keys, else the "default" profile's."""
        if profile_name is None:
            from botocore.credentials import EnvProvider

            try:
                from_environment = EnvProvider().load()
            except Exception as exc:
                raise map_error(exc, DEFAULT_PROFILE, timeouts=self._clients.timeouts) from None
            if from_environment is not None:
                return from_environment.get_frozen_credentials()
            if DEFAULT_PROFILE not in self._snapshot.by_name:
                raise RoleportError(
                    "no_credentials", profile=DEFAULT_PROFILE,
                    detail=f"no profile was named (--profile or AWS_PROFILE), no "
                           f"'{DEFAULT_PROFILE}' profile exists and AWS_ACCESS_KEY_ID is not set")
            profile_name = DEFAULT_PROFILE
        return self._profiles.frozen_source(profile_name, region, mfa_code)
