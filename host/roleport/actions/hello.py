"""``hello``: the host's identity, protocol version and capabilities (PROTOCOL.md, "hello").

It is the extension's first request and the trigger of the background warm-up, so it answers
from the standard library alone: no botocore, no requests.
"""

from __future__ import annotations

import sys
from typing import Any

from roleport import __version__
from roleport.actions.context import HostContext
from roleport.actions.registry import Action, capabilities, register

PROTOCOL_VERSION = 1


def handle_hello(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    """Version, protocol, capabilities, platform and the AWS files this host reads."""
    files = context.config_files()
    return {
        "version": __version__,
        "protocol": PROTOCOL_VERSION,
        "capabilities": capabilities(),
        "platform": sys.platform,
        "config_file": files.config_file,
        "credentials_file": files.credentials_file,
    }


# Its own lane: two `profiles` requests parsing a large config must not hold it back.
register(Action("hello", handle_hello, lane="instant", deadline_seconds=5.0,
                starts_warm_up=True, service="The host"))
