"""What the credential units hand back: temporary credentials and who they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from roleport.federation import TemporaryCredentials


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
    # When the credentials stop working (aware datetime), if known: a console session signed
    # in without SessionDuration ends then (federation.console_session_end).
    expires: datetime | None = None

    def __repr__(self) -> str:
        return f"ResolvedCredentials(kind={self.kind!r}, arn={self.arn!r}, <redacted>)"
