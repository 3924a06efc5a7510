"""``mfa_sessions``: the live MFA sessions and the profiles they cover (PROTOCOL.md).

The popup shows "MFA until 18:40" on the rows a session covers. The answer is read from the
session cache on every request (one small file per MFA device), never cached in the host:
a login in another process (the CLI) starts sessions too.
"""

from __future__ import annotations

from typing import Any

from roleport.actions.context import HostContext
from roleport.actions.registry import Action, register


def handle_mfa_sessions(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    from roleport.credentials.mfa_session import active_sessions, new_mfa_sessions
    from roleport.profiles import load_snapshot

    snapshot = load_snapshot()
    raw_profiles = snapshot.full_config.get("profiles", {})
    names = [profile.name for profile in snapshot.profiles if profile.mfa]
    return {"sessions": active_sessions(names, raw_profiles, new_mfa_sessions())}


register(Action("mfa_sessions", handle_mfa_sessions, deadline_seconds=15.0,
                service="Reading the MFA sessions"))
