"""A profile's credentials, resolved by botocore's own providers and nothing else.

botocore does all the work, in its documented precedence
(https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html): role profiles
through AssumeRoleProvider (source_profile chains, credential_source, external_id,
role_session_name, duration_seconds, mfa_serial), IAM Identity Center profiles (sso_session
and legacy) with the cached token, web identity, credential_process, keys in either file.
The environment's keys are not used for a named profile: a profile named on the command line
overrides them, as in the AWS CLI
(https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html).

The answer is temporary credentials (ResolvedCredentials) or an IAM user's long-term keys
(LongTermKeys), which the resolver exchanges for temporary ones.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from roleport.arn import assumed_role_parts
from roleport.botocore_hooks import bounded_provider_builder
from roleport.clients import StsClients
from roleport.credentials.caches import (
    CHAINED_MIN_REMAINING,
    TargetTrackingCache,
    new_file_cache,
    new_sso_token_cache,
)
from roleport.credentials.long_term_keys import LongTermKeys
from roleport.credentials.mfa import MfaCodeNeeded, NoPromptMfa
from roleport.credentials.mfa_session import (
    MfaSession,
    MfaSessions,
    MfaStep,
    SessionSourceBuilder,
    config_with_session,
    mfa_step,
)
from roleport.credentials.mfa_session import session_duration as mfa_session_duration
from roleport.credentials.resolved import ResolvedCredentials
from roleport.error_map import map_error
from roleport.errors import RoleportError
from roleport.federation import (
    CREDENTIALS_OTHER,
    CREDENTIALS_ROLE,
    CREDENTIALS_SSO,
    TemporaryCredentials,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from roleport.profiles import ConfigSnapshot

# botocore's Credentials.method for the providers whose keys come from AssumeRole*.
_ASSUMED_ROLE_METHODS = frozenset({"assume-role", "assume-role-with-web-identity"})
# Longest source_profile chain roleport follows. botocore follows a chain by recursion, a few
# hundred profiles deep it fails with RecursionError; real chains have a handful.
MAX_ROLE_CHAIN = 50
_CHAIN_SHOWN = 3
# Why an MFA session did not answer (ProfileCredentials._resolve_through_mfa_session).
_SESSION_NEEDS_CODE = object()
_NO_SESSION_POSSIBLE = object()


class ProfileCredentials:
    """One profile's credentials through botocore's providers (new provider objects per call).

    With no valid cached credentials and no MFA code the answer is `mfa_required`, carrying
    the serial; a refused code is `mfa_invalid` (roleport.error_map). Where the chain's MFA
    role takes an IAM user's keys as its source, the code starts (or a cached one reuses) an
    MFA session for that device, and botocore assumes the roles from the session
    (credentials.mfa_session): one code per device.
    """

    def __init__(self, snapshot: ConfigSnapshot, clients: StsClients,
                 cache_factory: Callable[[], Any] = new_file_cache) -> None:
        self._snapshot = snapshot
        self._clients = clients
        self._cache_factory = cache_factory

    def resolve(self, profile_name: str, region: str,
                mfa_code: str | None = None) -> ResolvedCredentials | LongTermKeys:
        self._snapshot.get(profile_name)  # profile_not_found / config_error before anything
        step = mfa_step(profile_name, self._snapshot.full_config.get("profiles", {}))
        if step is not None:
            found = self._resolve_through_mfa_session(profile_name, region, mfa_code, step)
            if isinstance(found, ResolvedCredentials):
                return found
            if found is _SESSION_NEEDS_CODE:
                try:
                    return self._resolve_usual(profile_name, region, mfa_code)
                except RoleportError as error:
                    if error.code != "mfa_required":
                        raise
                    # botocore may have asked for an MFA role higher up the chain first; the
                    # device's session comes first, so its code is the one to ask for.
                    raise RoleportError("mfa_required", profile=profile_name,
                                        mfa_serial=step.mfa_serial) from None
        return self._resolve_usual(profile_name, region, mfa_code)

    def _resolve_usual(self, profile_name: str, region: str,
                       mfa_code: str | None) -> ResolvedCredentials | LongTermKeys:
        """The profile's credentials with botocore's providers as they are."""
        profile = self._snapshot.get(profile_name)
        cache = TargetTrackingCache(self._cache_factory(),
                                    CHAINED_MIN_REMAINING if profile.chained else None)
        try:
            try:
                frozen, method = self._frozen(profile_name, region, NoPromptMfa(mfa_code), cache)
            except MfaCodeNeeded:
                if mfa_code is not None or not cache.hid_valid_target:
                    raise
                # Re-assuming for a full hour needs an MFA code the caller does not have,
                # while valid cached credentials exist: use them (mfa_required is only for
                # when none exist); the console gets less time.
                cache = TargetTrackingCache(self._cache_factory())
                frozen, method = self._frozen(profile_name, region, NoPromptMfa(None), cache)
        except RoleportError:
            raise
        except Exception as exc:  # every botocore failure gets a stable code
            raise self._mapped(exc, profile_name) from None
        return self._answer(profile_name, frozen, method, cache)

    def _resolve_through_mfa_session(self, profile_name: str, region: str,
                                     mfa_code: str | None, step: MfaStep,
                                     ) -> ResolvedCredentials | object:
        """The profile's credentials with the MFA step done by a cached (or, given a code, a
        new) MFA session (credentials.mfa_session); else _SESSION_NEEDS_CODE (no session and
        no code: the AWS CLI's cache may still hold the role) or _NO_SESSION_POSSIBLE (the
        source turns out not to hold long-term keys): the usual path answers."""
        keys = self.frozen_source(step.source_profile, region, None)
        if keys.token:
            return _NO_SESSION_POSSIBLE
        sessions = MfaSessions(self._cache_factory())
        session = sessions.valid(step, keys.access_key)
        # A code that started the session is spent; one sent while a session was live is
        # for a second MFA role higher up the chain (botocore asks for it, if there is one).
        unused_code = mfa_code if session is not None else None
        if session is None:
            if mfa_code is None:
                return _SESSION_NEEDS_CODE
            client = self._clients.client("sts", region, aws_access_key_id=keys.access_key,
                                          aws_secret_access_key=keys.secret_key)
            duration = mfa_session_duration(self._snapshot.full_config.get("profiles", {}),
                                            step)
            try:
                session = sessions.start(client, step, keys.access_key, mfa_code, duration)
            except Exception as exc:
                raise map_error(exc, profile_name, step.mfa_serial,
                                timeouts=self._clients.timeouts) from None
        profile = self._snapshot.get(profile_name)
        config, source_name = config_with_session(self._snapshot.full_config, step, session)
        cache = TargetTrackingCache(self._cache_factory(),
                                    CHAINED_MIN_REMAINING if profile.chained else None)
        try:
            frozen, method = self._frozen(profile_name, region, NoPromptMfa(unused_code),
                                          cache, (config, source_name, session))
        except RoleportError:
            raise
        except Exception as exc:
            error = self._mapped(exc, profile_name)
            if error.code != "credentials_expired":
                raise error from None
            # AWS no longer accepts the session (revoked, or the clock moved): forget it and
            # ask for a code again.
            sessions.forget(step)
            raise RoleportError("mfa_required", profile=profile_name,
                                mfa_serial=step.mfa_serial) from None
        found = self._answer(profile_name, frozen, method, cache)
        if not isinstance(found, ResolvedCredentials):  # pragma: no cover - a role answers
            raise RoleportError("no_credentials", profile=profile_name,
                                detail="the MFA session gave no temporary credentials")
        return found

    def _mapped(self, exc: BaseException, profile_name: str) -> RoleportError:
        return map_error(exc, profile_name, self._snapshot.get(profile_name).mfa_serial,
                         timeouts=self._clients.timeouts,
                         sso_command=self.sso_login_command(profile_name))

    def _answer(self, profile_name: str, frozen: Any, method: str,
                cache: TargetTrackingCache) -> ResolvedCredentials | LongTermKeys:
        profile = self._snapshot.get(profile_name)
        raw = self._snapshot.raw_profile(profile_name)
        if not frozen.access_key or not frozen.secret_key:
            raise RoleportError("no_credentials", profile=profile_name,
                                detail="the credentials found are incomplete")
        if not frozen.token:
            return LongTermKeys(frozen.access_key, frozen.secret_key)
        credentials = TemporaryCredentials(frozen.access_key, frozen.secret_key, frozen.token)
        if method in _ASSUMED_ROLE_METHODS:
            arn = cache.target_arn
            account, role, session = assumed_role_parts(arn)
            return ResolvedCredentials(
                credentials, CREDENTIALS_ROLE, profile.chained,
                account=account or profile.account_id, role=role or profile.role_name,
                session_name=session, arn=arn, expires=cache.target_expiration)
        if method == "sso":
            return ResolvedCredentials(credentials, CREDENTIALS_SSO, False,
                                       account=profile.account_id, role=profile.role_name,
                                       session_name=None, arn=None,
                                       expires=cache.target_expiration)
        # Temporary keys of unknown origin (credential_process, a session token in the
        # credentials file): usable as they are, without SessionDuration.
        return ResolvedCredentials(credentials, CREDENTIALS_OTHER, False,
                                   account=profile.account_id or raw.get("aws_account_id"),
                                   role=profile.role_name, session_name=None, arn=None)

    def frozen_source(self, profile_name: str, region: str, mfa_code: str | None) -> Any:
        """The frozen credentials of any profile, as botocore resolves them (keys kept as
        they are: a source of AssumeRole may hold long-term keys); an MFA role behind an IAM
        user's keys through its device's MFA session, as in `resolve`."""
        profile = self._snapshot.get(profile_name)
        if mfa_step(profile_name, self._snapshot.full_config.get("profiles", {})) is not None:
            from botocore.credentials import ReadOnlyCredentials

            resolved = self.resolve(profile_name, region, mfa_code)
            if isinstance(resolved, ResolvedCredentials):
                issued = resolved.credentials
                return ReadOnlyCredentials(issued.access_key_id, issued.secret_access_key,
                                           issued.session_token)
        prompter = NoPromptMfa(mfa_code)
        try:
            creds = self.load(profile_name, region, prompter, TargetTrackingCache(
                self._cache_factory()))
            if creds is None:
                raise RoleportError("no_credentials", profile=profile_name,
                                    detail="the source profile has no credentials")
            return creds.get_frozen_credentials()
        except RoleportError:
            raise
        except Exception as exc:
            raise map_error(exc, profile_name, profile.mfa_serial,
                            timeouts=self._clients.timeouts,
                            sso_command=self.sso_login_command(profile_name)) from None

    def load(self, profile_name: str, region: str, prompter: NoPromptMfa,
             cache: TargetTrackingCache,
             mfa_session: tuple[dict[str, Any], str, MfaSession] | None = None) -> Any:
        """botocore's credentials for the profile (None when no provider has any); with
        `mfa_session` (config_with_session's config and source name, and the session), roles
        are assumed from that config, whose MFA role takes the session as its source."""
        self._check_chain_length(profile_name)
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
        full_config = session.full_config
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
        role_builder = builder
        if mfa_session is not None:
            full_config, source_name, mfa = mfa_session
            role_builder = SessionSourceBuilder(builder, source_name, mfa)
        assume_role = AssumeRoleProvider(
            load_config=lambda: full_config,
            client_creator=self._clients.creator(region),
            # botocore uses its cache through the mapping protocol only; its stubs say dict.
            cache=cast("dict[str, Any]", cache),
            profile_name=profile_name,
            prompter=prompter,
            credential_sourcer=sourcer,
            profile_provider_builder=role_builder,
        )
        providers = [assume_role, *builder.providers(profile_name=profile_name,
                                                     disable_env_vars=True)]
        return BotocoreResolver(providers=providers).load_credentials()

    def _check_chain_length(self, profile_name: str) -> None:
        from roleport.profiles import role_chain

        chain = role_chain(profile_name, self._snapshot.full_config.get("profiles", {}))
        if len(chain) > MAX_ROLE_CHAIN:
            shown = " -> ".join(f"'{name}'" for name in chain[:_CHAIN_SHOWN])
            raise RoleportError(
                "config_error",
                detail=f"profile '{profile_name}': its source_profile chain ({shown} -> ...) "
                       f"is {len(chain)} profiles long; roleport follows at most "
                       f"{MAX_ROLE_CHAIN}")

    def sso_login_command(self, profile_name: str) -> str:
        return sso_login_command(profile_name, self._snapshot.full_config.get("profiles", {}))

    def _frozen(self, profile_name: str, region: str, prompter: NoPromptMfa,
                cache: TargetTrackingCache,
                mfa_session: tuple[dict[str, Any], str, MfaSession] | None = None,
                ) -> tuple[Any, str]:
        botocore_creds = self.load(profile_name, region, prompter, cache, mfa_session)
        if botocore_creds is None:
            raise RoleportError(
                "no_credentials", profile=profile_name,
                detail="the profile has no role_arn, sso settings, credential_process or keys")
        frozen = botocore_creds.get_frozen_credentials()
        return frozen, getattr(botocore_creds, "method", "") or ""


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
