"""The local AWS stand-in used by every test, the demo and the benchmarks.

    from support.standin import StandIn
    with StandIn() as aws:
        os.environ.update(aws.env())   # AWS_ENDPOINT_URL_STS/_SSO, ROLEPORT_FEDERATION_URL, ...
        ...                             # aws.issued, aws.sts_calls, aws.federation_requests

See support/standin/standin.py for the full interface and the AWS rules it enforces.
"""

from support.standin.federation import INVALID_CREDENTIALS_TEXT, LOGOUT_FIRST_TEXT
from support.standin.records import (
    CHAINED_ROLE,
    FEDERATION_TOKEN,
    ROLE,
    SESSION_TOKEN,
    SSO,
    FederationRequest,
    Identity,
    IssuedCredential,
    SsoRequest,
    StsCall,
)
from support.standin.sso import write_sso_token_cache
from support.standin.standin import StandIn, reset_moto, start_moto
from support.standin.sts import MFA_FAILED_MESSAGE

__all__ = [
    "CHAINED_ROLE", "FEDERATION_TOKEN", "INVALID_CREDENTIALS_TEXT", "LOGOUT_FIRST_TEXT",
    "MFA_FAILED_MESSAGE", "ROLE", "SESSION_TOKEN", "SSO", "FederationRequest", "Identity",
    "IssuedCredential", "SsoRequest", "StandIn", "StsCall", "reset_moto", "start_moto",
    "write_sso_token_cache",
]
