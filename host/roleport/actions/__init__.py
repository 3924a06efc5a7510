"""The host's actions: one module per action, each registering itself in the dispatch table.

- ``registry``: Action, Param, the ACTIONS table and parameter validation;
- ``context``: HostContext, the state the handlers of one process share;
- ``hello``, ``profiles``, ``login``, ``regions``, ``mfa_sessions``: one handler each
  (PROTOCOL.md, "Actions");
- ``sso``: IAM Identity Center sign-in, discovery and discovered-role logins.

Importing this package registers every action. Nothing here imports botocore or requests:
the pipeline is made on first use (HostContext).
"""

from __future__ import annotations

from roleport.actions.context import HostContext, HostPipeline, PipelineFactory
from roleport.actions.hello import PROTOCOL_VERSION, handle_hello
from roleport.actions.login import handle_login, login_result
from roleport.actions.mfa_sessions import handle_mfa_sessions
from roleport.actions.profiles import (
    MAX_CELL_CHARS,
    PROFILE_COLUMNS,
    ProfilePages,
    config_generation,
    handle_profiles,
    page_rows,
    profile_pages,
    profile_rows,
)
from roleport.actions.regions import handle_regions
from roleport.actions.registry import (
    ACTIONS,
    Action,
    Lane,
    Param,
    capabilities,
    register,
    validate_params,
)
from roleport.actions.sso import SSO_ROLE_COLUMNS

__all__ = [
    "ACTIONS",
    "MAX_CELL_CHARS",
    "PROFILE_COLUMNS",
    "PROTOCOL_VERSION",
    "SSO_ROLE_COLUMNS",
    "Action",
    "HostContext",
    "HostPipeline",
    "Lane",
    "Param",
    "PipelineFactory",
    "ProfilePages",
    "capabilities",
    "config_generation",
    "handle_hello",
    "handle_login",
    "handle_mfa_sessions",
    "handle_profiles",
    "handle_regions",
    "login_result",
    "page_rows",
    "profile_pages",
    "profile_rows",
    "register",
    "validate_params",
]
