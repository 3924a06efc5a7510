"""The AWS config every browser test and the demo start from: four accounts, every kind.

Account 111111111111 "Development" and 222222222222 "Production" hold plain roles assumed
from the static user; Deploy is chained (assumed from the Admin role's credentials);
Auditor needs an MFA code (the stand-in accepts the codes in StandIn.mfa_codes, by default
123456); demo-user is a static IAM user signed in through GetFederationToken (the popup lists
it under "Source credentials": the roles are assumed from it). Production is red for the whole
account (roleport_account_color), Audit purple (Granted's granted_color); the other accounts
get the colour of their account id.
The keys are fake: only the local stand-in ever sees them.

sealed_environment() is the environment every process the harness, the demo and the
benchmarks start gets: the AWS files of a private HOME and nothing that reaches a real account.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

LOOPBACK = "127.0.0.1,localhost"


def sealed_environment(home: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) without any AWS_* or ROLEPORT_* variable
    (so nothing reaches a real account or a user's setting), HOME and the AWS config and
    credentials files inside ``home``, instance metadata off, and loopback traffic kept away
    from any proxy (it carries credentials to the stand-in)."""
    env = {name: value for name, value in (os.environ if base is None else base).items()
           if not name.startswith(("AWS_", "ROLEPORT_"))}
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
                "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": LOOPBACK, "no_proxy": LOOPBACK})
    return env

DEV_ACCOUNT = "111111111111"
PROD_ACCOUNT = "222222222222"
AUDIT_ACCOUNT = "333333333333"
STATIC_ACCOUNT = "123456789012"  # moto's account for long-term keys

PLAIN_DEV = "dev-admin"
PLAIN_PROD = "prod-readonly"
CHAINED = "prod-deploy"
MFA = "audit-mfa"
STATIC = "demo-user"

MFA_SERIAL = f"arn:aws:iam::{STATIC_ACCOUNT}:mfa/demo-user"
WRONG_MFA_CODE = "000000"

CONFIG = f"""
[profile {STATIC}]
region = us-east-1
roleport_account_name = Identity

[profile {PLAIN_DEV}]
role_arn = arn:aws:iam::{DEV_ACCOUNT}:role/Admin
source_profile = {STATIC}
region = eu-west-1
roleport_account_name = Development

[profile {PLAIN_PROD}]
role_arn = arn:aws:iam::{PROD_ACCOUNT}:role/ReadOnly
source_profile = {STATIC}
region = us-east-1
roleport_account_name = Production
roleport_account_color = red

[profile {CHAINED}]
role_arn = arn:aws:iam::{PROD_ACCOUNT}:role/Deploy
source_profile = {PLAIN_DEV}
region = us-east-1
roleport_account_name = Production

[profile {MFA}]
role_arn = arn:aws:iam::{AUDIT_ACCOUNT}:role/Auditor
source_profile = {STATIC}
mfa_serial = {MFA_SERIAL}
region = us-east-1
roleport_account_name = Audit
granted_color = purple
"""

CREDENTIALS = f"""
[{STATIC}]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
"""

ALL_PROFILES = (STATIC, PLAIN_DEV, PLAIN_PROD, CHAINED, MFA)
ROLE_OF = {PLAIN_DEV: "Admin", PLAIN_PROD: "ReadOnly", CHAINED: "Deploy", MFA: "Auditor"}
ACCOUNT_OF = {STATIC: STATIC_ACCOUNT, PLAIN_DEV: DEV_ACCOUNT, PLAIN_PROD: PROD_ACCOUNT,
              CHAINED: PROD_ACCOUNT, MFA: AUDIT_ACCOUNT}


def organisation_profiles(count: int, source: str = "base") -> list[str]:
    """Config lines of ``count`` role profiles shaped like a large organisation's (four roles
    per account, two regions, an account name each; about 160 bytes a profile), all assumed
    from the profile ``source``. For scale tests and benchmarks."""
    lines: list[str] = []
    for index in range(count):
        account = 100000000000 + index // 4
        role = ("Admin", "ReadOnly", "Dev", "Billing")[index % 4]
        lines += [f"[profile acct{account}-{role.lower()}]",
                  f"role_arn = arn:aws:iam::{account}:role/{role}",
                  f"source_profile = {source}", f"region = {('eu-west-1', 'us-east-1')[index % 2]}",
                  f"roleport_account_name = workload-{index // 4:05d}", ""]
    return lines
