"""Who a role session is named after, when the profile sets no role_session_name.

The session name is the last part of the assumed-role ARN, which CloudTrail records with
every action taken with the session, in the console too; administrators read it "to help
identify who performed an action", and may require "your user name as the session name"
(AssumeRole, RoleSessionName: 2-64 characters of [\\w+=,.@-],
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).

The person is the local user running roleport (getpass.getuser(): LOGNAME, USER, LNAME,
USERNAME, then the password database). The identity behind the source credentials (an IAM
user's name, an IAM Identity Center user) would take an extra GetCallerIdentity call per
login to learn, so it is not used.
"""

from __future__ import annotations

import getpass

from roleport.rules import session_name

FALLBACK = "roleport-user"


def person_session_name() -> str:
    """The local user's name made fit for RoleSessionName ("roleport-user" if unknown)."""
    try:
        user = getpass.getuser()
    except Exception:  # no variable and no password database entry (some containers)
        return FALLBACK
    name = session_name(user.strip(), 64)
    if not name:
        return FALLBACK
    return name if len(name) >= 2 else session_name(f"roleport-{name}", 64)
