"""Long-term IAM user keys cannot sign in to the console: exchange them for a federation token.

The federation endpoint accepts only temporary credentials ("Enable custom identity broker
access to the AWS console",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html).
GetFederationToken turns an IAM user's keys into temporary ones; its effective permissions are
the intersection of the user's policies and the session policy, so an allow-all session policy
keeps exactly the user's own permissions
(https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html), as
aws-vault does. Name is 2-32 characters of [\\w+=,.@-].
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from roleport.arn import account_of
from roleport.clients import StsClients
from roleport.credentials.caches import expiration_moment
from roleport.credentials.resolved import ResolvedCredentials
from roleport.error_map import map_error
from roleport.federation import CREDENTIALS_FEDERATION_TOKEN, TemporaryCredentials
from roleport.rules import session_name

FEDERATION_TOKEN_DURATION = 43200
ALLOW_ALL_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}, separators=(",", ":"))


@dataclass(frozen=True)
class LongTermKeys:
    """An access key id and secret key without a session token (an IAM user's keys)."""

    access_key: str
    secret_key: str = field(repr=False)


def federation_user_name(profile_name: str) -> str:
    """GetFederationToken's Name: 2-32 characters of [\\w+=,.@-]."""
    return session_name(f"roleport-{profile_name}", 32)


def exchange_long_term_keys(clients: StsClients, profile_name: str, region: str,
                            keys: LongTermKeys, duration: int | None) -> ResolvedCredentials:
    """GetFederationToken with the allow-all session policy, for `duration` seconds (12 hours
    when not given)."""
    client = clients.client("sts", region, aws_access_key_id=keys.access_key,
                            aws_secret_access_key=keys.secret_key)
    try:
        response = client.get_federation_token(
            Name=federation_user_name(profile_name), Policy=ALLOW_ALL_POLICY,
            DurationSeconds=duration or FEDERATION_TOKEN_DURATION)
    except Exception as exc:
        raise map_error(exc, profile_name, timeouts=clients.timeouts) from None
    issued = response["Credentials"]
    arn = response.get("FederatedUser", {}).get("Arn")
    return ResolvedCredentials(
        TemporaryCredentials(issued["AccessKeyId"], issued["SecretAccessKey"],
                             issued["SessionToken"]),
        CREDENTIALS_FEDERATION_TOKEN, False, account=account_of(arn), role=None,
        session_name=federation_user_name(profile_name), arn=arn,
        expires=expiration_moment(issued.get("Expiration")))
