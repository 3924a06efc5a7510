"""What the stand-in records, as plain frozen dataclasses tests can assert on.

None of these records carries a secret (secret keys, session tokens, SigninTokens): the
stand-in keeps those in private maps, so printing a record in a failing test leaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Kinds of issued credentials, following which STS call minted them and with what.
ROLE = "role"
CHAINED_ROLE = "chained_role"
FEDERATION_TOKEN = "federation_token"
SESSION_TOKEN = "session_token"
SSO = "sso"
CREDENTIAL_KINDS = (ROLE, CHAINED_ROLE, FEDERATION_TOKEN, SESSION_TOKEN, SSO)


@dataclass(frozen=True)
class Identity:
    """Who a console session belongs to, derived from the principal ARN STS returned."""

    account: str
    role: str | None          # None for a federated user (GetFederationToken)
    session_name: str         # role session name, or the federated user's name
    arn: str
    partition: str = "aws"

    @classmethod
    def from_arn(cls, arn: str) -> Identity:
        # arn:aws:sts::111111111111:assumed-role/Role/session
        # arn:aws:sts::111111111111:federated-user/name
        parts = arn.split(":", 5)
        if len(parts) != 6:
            raise ValueError(f"not an STS principal ARN: {arn!r}")
        _, partition, _, _, account, resource = parts
        pieces = resource.split("/")
        if pieces[0] == "assumed-role" and len(pieces) >= 3:
            return cls(account, pieces[1], "/".join(pieces[2:]), arn, partition)
        if pieces[0] == "federated-user" and len(pieces) >= 2:
            return cls(account, None, "/".join(pieces[1:]), arn, partition)
        raise ValueError(f"not an assumed-role or federated-user ARN: {arn!r}")

    @property
    def label(self) -> str:
        """`<role>/<session>` as the console stand-in shows it."""
        return f"{self.role or 'federated-user'}/{self.session_name}"


@dataclass(frozen=True)
class IssuedCredential:
    """A temporary credential minted by moto through the stand-in (no secrets inside)."""

    access_key_id: str
    kind: str
    arn: str | None
    expiration: datetime
    caller_key_id: str | None = None
    role_arn: str | None = None
    # Issued with SerialNumber + TokenCode: aws:MultiFactorAuthPresent holds for its calls.
    mfa_authenticated: bool = False

    @property
    def identity(self) -> Identity | None:
        try:
            return Identity.from_arn(self.arn) if self.arn else None
        except ValueError:
            return None


@dataclass(frozen=True)
class StsCall:
    """One request that reached the STS proxy (parameters minus assertions and tokens)."""

    action: str
    params: dict[str, str]
    caller_key_id: str | None
    status: int
    fault: str | None = None
    # Error code returned by the stand-in itself or by moto, e.g. "AccessDenied".
    error_code: str | None = None


@dataclass(frozen=True)
class FederationRequest:
    """One request to the federation endpoint (getSigninToken, login or logout)."""

    action: str
    method: str
    status: int
    access_key_id: str | None = None
    kind: str | None = None
    session_duration: str | None = None
    # Why the stand-in refused, for test diagnostics; never shown in the HTTP body.
    reason: str | None = None
    fault: str | None = None
    identity: Identity | None = None
    destination: str | None = None


@dataclass(frozen=True)
class SsoRequest:
    """One GetRoleCredentials call to the SSO portal stand-in."""

    account_id: str
    role_name: str
    status: int
    access_key_id: str | None = None
    reason: str | None = None


@dataclass
class Fault:
    kind: str
    action: str | None
    remaining: int
    extra: dict[str, Any] = field(default_factory=dict)
