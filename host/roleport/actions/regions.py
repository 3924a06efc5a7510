"""``regions``: the AWS regions botocore knows, for the options page's region picker
(PROTOCOL.md, "regions").

The list comes from botocore's partition data, read on the first request only: importing this
module imports neither botocore nor requests, so ``hello`` stays free of them.
"""

from __future__ import annotations

from typing import Any

from roleport.actions.context import HostContext
from roleport.actions.registry import Action, register


def handle_regions(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    """Every known region: ``{"regions": [{"name", "description", "partition"}, ...]}``."""
    from roleport import federation  # its partition data loads botocore on first use

    return {"regions": federation.known_regions()}


register(Action("regions", handle_regions, lane="fast", deadline_seconds=10.0,
                service="The host"))
