"""CredentialResolver: the one entry point the pipeline uses, composing the credential units.

- a profile: its credentials through botocore's providers (profile.py); an IAM user's
  long-term keys are exchanged with GetFederationToken (long_term_keys.py);
- an account id and role name: AssumeRole with a source profile's credentials
  (role_from_source.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from roleport.clients import StsClients
from roleport.credentials.caches import new_file_cache
from roleport.credentials.long_term_keys import LongTermKeys, exchange_long_term_keys
from roleport.credentials.profile import ProfileCredentials
from roleport.credentials.resolved import ResolvedCredentials
from roleport.credentials.role_from_source import RoleFromSource

if TYPE_CHECKING:  # pragma: no cover - typing only
    from roleport.profiles import ConfigSnapshot


class CredentialResolver:
    """Temporary credentials for one login (new botocore provider objects per call)."""

    def __init__(self, snapshot: ConfigSnapshot, clients: StsClients,
                 cache_factory: Callable[[], Any] = new_file_cache) -> None:
        self._clients = clients
        self._profiles = ProfileCredentials(snapshot, clients, cache_factory)
        self._roles = RoleFromSource(snapshot, clients, self._profiles, cache_factory)

    def resolve(self, profile_name: str, region: str, mfa_code: str | None = None,
                federation_duration: int | None = None) -> ResolvedCredentials:
        """A profile's temporary credentials; `federation_duration` is GetFederationToken's
        DurationSeconds when the profile holds long-term keys."""
        found = self._profiles.resolve(profile_name, region, mfa_code)
        if isinstance(found, LongTermKeys):
            return exchange_long_term_keys(self._clients, profile_name, region, found,
                                           federation_duration)
        return found

    def assume_role_from(self, source_profile: str | None, role_arn: str, region: str,
                         session_name: str, mfa_code: str | None = None) -> ResolvedCredentials:
        """AssumeRole on `role_arn` with the source profile's credentials (the default chain
        when None)."""
        return self._roles.assume(source_profile, role_arn, region, session_name, mfa_code)
