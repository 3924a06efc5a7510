"""The dispatch table: each action's handler, declared parameters, deadline and lane.

Rules (PROTOCOL.md, "Actions"):
- a request's ``params`` are checked against the action's declared ``Param``s before the
  handler runs, so a handler only ever sees well-typed input and bad input gets a specific
  ``invalid_request``; unknown parameters are refused, not ignored;
- a handler returns a JSON-ready dict (or an ``EncodedJSON``) and raises only RoleportError;
- a new action is a handler plus one ``register`` call: the framing and the request loop do
  not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from roleport.errors import RoleportError

if TYPE_CHECKING:
    from roleport.actions.context import HostContext
    from roleport.framing import EncodedJSON

Lane = Literal["instant", "fast", "slow"]
Check = Callable[[Any], "str | None"]
Handler = Callable[["HostContext", dict[str, Any]], "dict[str, Any] | EncodedJSON"]

MAX_NAMES_SHOWN = 5
"""Unknown parameter names listed in an error; thousands would outgrow the 1 MiB reply cap."""


@dataclass(frozen=True)
class Param:
    """One request parameter: its JSON type(s), whether it is required, and a value check.

    ``check`` returns a sentence saying what is wrong, or None when the value is fine.
    ``expected`` describes an acceptable value for the error message.
    """

    name: str
    types: tuple[type, ...]
    required: bool = False
    check: Check | None = None
    expected: str = ""


@dataclass(frozen=True)
class Action:
    """A dispatch-table entry: handler, declared params, deadline and scheduling lane.

    Each lane has workers of its own, so no lane can delay another (PROTOCOL.md, "Deadlines
    and concurrency"): "slow" for network calls (login), "fast" for local work that may
    still take seconds (profiles parses the config), "instant" for answers that are cheap
    whatever the config holds and must come within their deadline whatever else runs
    (hello); they never import botocore.
    ``imports_botocore``: the handler needs botocore beyond its config reader, so the request
    loop has botocore imported first, by one thread at a time (roleport.library_imports).
    False for a handler that only reads the config files (botocore.configloader and
    botocore.exceptions, whose imports hold no cycle, so they cannot deadlock against that
    import): it must not wait for the whole of botocore. Instant-lane handlers never import it.
    ``service`` names the work in a timeout message: "<service> did not answer ...".
    """

    name: str
    handler: Handler
    params: tuple[Param, ...] = ()
    deadline_seconds: float = 10.0
    lane: Lane = "fast"
    starts_warm_up: bool = False
    imports_botocore: bool = True
    service: str = ""


ACTIONS: dict[str, Action] = {}


def register(action: Action) -> Action:
    """Add an action to the dispatch table (the only step a new action needs)."""
    ACTIONS[action.name] = action
    return action


def capabilities() -> list[str]:
    """The names of the registered actions, as ``hello`` reports them."""
    return sorted(ACTIONS)


def validate_params(action: Action, params: Any) -> dict[str, Any]:
    """Return the params checked against ``action.params``; RoleportError(invalid_request).

    Unknown keys are rejected rather than ignored: a typo such as "mfa" for "mfa_code" would
    otherwise fail later with a far less helpful message.
    """
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise RoleportError("invalid_request", detail=f"'params' of '{action.name}' must be "
                            f"an object, not {json_type(params)}")
    declared = {param.name: param for param in action.params}
    unknown = sorted(key for key in params if key not in declared)
    if unknown:
        allowed = ", ".join(declared) or "none"
        shown = ", ".join(repr(shorten(key)) for key in unknown[:MAX_NAMES_SHOWN])
        if len(unknown) > MAX_NAMES_SHOWN:
            shown += f" and {len(unknown) - MAX_NAMES_SHOWN} more"
        raise RoleportError("invalid_request", detail=f"unknown parameter(s) {shown} for "
                            f"'{action.name}' (allowed: {allowed})")
    clean: dict[str, Any] = {}
    for param in action.params:
        value = params.get(param.name)
        if value is None:
            if param.required:
                raise RoleportError("invalid_request", detail=f"'{action.name}' needs the "
                                    f"parameter '{param.name}' ({param.expected})")
            continue
        # JSON true/false are Python bools, and bool is an int: only accept one if declared.
        if isinstance(value, bool) and bool not in param.types or not isinstance(
                value, param.types):
            raise RoleportError("invalid_request", detail=f"parameter '{param.name}' of "
                                f"'{action.name}' must be {param.expected}, not "
                                f"{json_type(value)}")
        problem = param.check(value) if param.check else None
        if problem:
            raise RoleportError("invalid_request", detail=f"parameter '{param.name}' of "
                                f"'{action.name}': {problem}")
        clean[param.name] = value
    return clean


def json_type(value: Any) -> str:
    """The JSON type of a decoded value, as an error message names it ("a string")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, to echo input in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
