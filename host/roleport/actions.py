"""The host's actions: one handler each, found through the ACTIONS dispatch table.

Rules implemented here (PROTOCOL.md, "Actions"; issue 3):
- params are validated against the action's declared Params *before* the handler runs, so a
  handler only ever sees well-typed input and bad input gets a specific invalid_request;
- ``hello`` answers without importing botocore (the pipeline is imported on first use);
- handlers return plain JSON-ready dicts and raise only RoleportError;
- a new action (sso_login, status, ...) is a handler plus one ``register`` call: the framing
  and the host loop do not change.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from roleport import __version__
from roleport.config_files import ConfigFiles
from roleport.errors import RoleportError
from roleport.framing import MAX_OUTBOUND_BYTES, EncodedJSON
from roleport.rules import (
    MAX_CONSOLE_DURATION,
    MIN_CONSOLE_DURATION,
    has_control_characters,
    is_console_duration,
    is_mfa_code,
    is_region,
    profile_name_problem,
)

PROTOCOL_VERSION = 1

PROFILE_COLUMNS: tuple[str, ...] = (
    "name", "account_id", "account_name", "role", "region", "kind", "mfa", "chained",
    "container", "color", "icon", "destination", "problem",
)
"""Column order of a ``profiles`` row (PROTOCOL.md): rows are arrays to fit 10,000 in 1 MiB."""

# Profile attribute behind each column where the names differ (ARCHITECTURE.md: Profile).
_PROFILE_ATTRIBUTES = {"role": "role_name"}

Lane = Literal["fast", "slow"]


class HostContext:
    """State shared by the handlers of one host process: caller, environment, warm pipeline."""

    def __init__(self, caller: str, environ: Mapping[str, str] | None = None) -> None:
        self.caller = caller
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self._pipeline: Any = None
        self._pipeline_lock = threading.Lock()
        self._warm_up_started = False
        # ((the core's profile list, generation, config file), {"rows": all rows,
        #  page start offset: encoded reply}); replaced whole when any part of the key changes
        self.profiles_cache: tuple[Any, dict[Any, Any]] = (None, {})
        self.profiles_lock = threading.Lock()

    def pipeline(self) -> Any:
        """The process-wide Pipeline, created on first use (ARCHITECTURE.md: one per process).

        Imported here, not at module level, so that ``hello`` never pays for botocore.
        """
        with self._pipeline_lock:
            if self._pipeline is None:
                from roleport.pipeline import Pipeline

                self._pipeline = Pipeline()
            return self._pipeline

    def claim_warm_up(self) -> bool:
        """True exactly once: the caller then runs the background warm-up."""
        with self._pipeline_lock:
            if self._warm_up_started:
                return False
            self._warm_up_started = True
            return True

    def config_files(self) -> ConfigFiles:
        """The files botocore reads under this context's environment."""
        return ConfigFiles.from_environment(self.environ)

    def config_file(self) -> str:
        return self.config_files().config_file

    def credentials_file(self) -> str:
        return self.config_files().credentials_file


Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Param:
    """One request parameter: its JSON type(s), whether it is required, and a value check.

    ``check`` returns a sentence saying what is wrong, or None when the value is fine.
    """

    name: str
    types: tuple[type, ...]
    required: bool = False
    check: Check | None = None
    expected: str = ""


@dataclass(frozen=True)
class Action:
    """A dispatch-table entry: handler, declared params, deadline and scheduling lane.

    ``lane`` "slow" actions (network calls) run on their own workers so that they can never
    delay a "fast" one such as hello or profiles (issue 3: a slow login never blocks hello).
    """

    name: str
    handler: Callable[[HostContext, dict[str, Any]], dict[str, Any] | EncodedJSON]
    params: tuple[Param, ...] = ()
    deadline_seconds: float = 10.0
    lane: Lane = "fast"
    starts_warm_up: bool = False
    service: str = ""  # names the work in a timeout message: "<service> did not answer ..."


ACTIONS: dict[str, Action] = {}


def register(action: Action) -> Action:
    """Add an action to the dispatch table (the only step a new action needs)."""
    ACTIONS[action.name] = action
    return action


def capabilities() -> list[str]:
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
                            f"an object, not {_json_type(params)}")
    declared = {param.name: param for param in action.params}
    unknown = sorted(key for key in params if key not in declared)
    if unknown:
        allowed = ", ".join(declared) or "none"
        # A few names say enough; listing thousands would outgrow the 1 MiB reply cap and
        # turn this error into a confusing message_too_large.
        shown = ", ".join(repr(_short(k)) for k in unknown[:_MAX_NAMES_SHOWN])
        if len(unknown) > _MAX_NAMES_SHOWN:
            shown += f" and {len(unknown) - _MAX_NAMES_SHOWN} more"
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
        if isinstance(value, bool) and bool not in param.types or not isinstance(
                value, param.types):
            raise RoleportError("invalid_request", detail=f"parameter '{param.name}' of "
                                f"'{action.name}' must be {param.expected}, not "
                                f"{_json_type(value)}")
        problem = param.check(value) if param.check else None
        if problem:
            raise RoleportError("invalid_request", detail=f"parameter '{param.name}' of "
                                f"'{action.name}': {problem}")
        clean[param.name] = value
    return clean


_MAX_NAMES_SHOWN = 5


def _json_type(value: Any) -> str:
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


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# ---------------------------------------------------------------------------- value checks

def _check_profile_name(value: str) -> str | None:
    return profile_name_problem(value)


def _check_region(value: str) -> str | None:
    if not is_region(value):
        return f"'{_short(value)}' is not an AWS region name such as eu-west-1"
    return None


def _check_destination(value: str) -> str | None:
    # The core decides which console hosts are allowed; this only bounds the input.
    if not value or len(value) > 2048 or has_control_characters(value) or " " in value:
        return "expected a console URL or path of at most 2048 characters without spaces"
    return None


def _check_mfa_code(value: str) -> str | None:
    if not is_mfa_code(value):
        return "an MFA code is exactly 6 digits (send it as a string)"
    return None


def _check_offset(value: int) -> str | None:
    return None if value >= 0 else f"{value} is negative"


def _check_duration(value: int) -> str | None:
    if not is_console_duration(value):
        return f"{value} is outside {MIN_CONSOLE_DURATION}..{MAX_CONSOLE_DURATION} seconds"
    return None


# ---------------------------------------------------------------------------- handlers

def handle_hello(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    """Host identity and capabilities; must not import botocore (issue 3)."""
    return {
        "version": __version__,
        "protocol": PROTOCOL_VERSION,
        "capabilities": capabilities(),
        "platform": sys.platform,
        "config_file": context.config_file(),
        "credentials_file": context.credentials_file(),
    }


def config_generation(context: HostContext) -> str:
    """A short fingerprint of the config files: changes when they do."""
    return context.config_files().generation()


def _column_value(profile: Any, column: str) -> Any:
    value = getattr(profile, _PROFILE_ATTRIBUTES.get(column, column), None)
    if column in ("mfa", "chained"):
        return bool(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value if value != "" else None
    return str(value)


def profile_rows(profiles: Any) -> list[list[Any]]:
    from roleport.profiles import Profile

    # A Profile's values are wire-ready already (JSON scalars, never ""): one C-level read
    # per row instead of a conversion per cell, which was most of a cold 5,000-row table.
    read = operator.attrgetter(*(_PROFILE_ATTRIBUTES.get(column, column)
                                 for column in PROFILE_COLUMNS))
    return [list(read(profile)) if type(profile) is Profile
            else [_column_value(profile, column) for column in PROFILE_COLUMNS]
            for profile in profiles]


PAGE_BUDGET_BYTES = MAX_OUTBOUND_BYTES - 16 * 1024
"""Room for rows in one reply; the rest covers the envelope, id and paths (PROTOCOL.md)."""


def _encoded_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8",
                                                                               "replace"))


def page_rows(rows: list[list[Any]], offset: int,
              budget: int = PAGE_BUDGET_BYTES) -> tuple[list[list[Any]], int | None]:
    """The rows from ``offset`` that fit in ``budget`` bytes, and the next offset (or None).

    Rule (PROTOCOL.md, profiles): the whole list comes in one reply whenever it fits; only a
    list larger than one frame is split, so a client unaware of paging still gets a valid
    first page instead of a dropped connection.
    """
    if offset >= len(rows):
        return [], None
    remaining = rows[offset:]
    if _encoded_size(remaining) <= budget:
        return remaining, None
    used = 2  # the enclosing brackets
    count = 0
    for row in remaining:
        size = _encoded_size(row) + 1  # the separating comma
        if used + size > budget:
            break
        used += size
        count += 1
    count = max(count, 1)  # a single row always fits: its values are bounded in size
    return remaining[:count], offset + count


def _same_objects(cached: Any, current: list[Any]) -> bool:
    return (cached is not None and len(cached) == len(current)
            and all(old is new for old, new in zip(cached, current, strict=True)))


def handle_profiles(context: HostContext, params: dict[str, Any]) -> EncodedJSON:
    """The profile table of the core (cached there on the files' mtime/size), paged by size.

    The core hands out the same (frozen) Profile objects until the files change; the encoded
    pages built from them are cached on that identity, so a warm call costs two stat() calls
    and an identity scan instead of rebuilding, measuring and encoding every row.
    """
    generation = config_generation(context)
    profiles = context.pipeline().profiles()
    offset = params.get("offset", 0)
    config_file = context.config_file()
    with context.profiles_lock:
        cached_for, pages = context.profiles_cache
        if (cached_for is None or not _same_objects(cached_for[0], profiles)
                or cached_for[1:] != (generation, config_file)):
            # Replaced whole, never added to: memory stays bounded across config edits.
            pages = {"rows": profile_rows(profiles), "starts": {0}}
            context.profiles_cache = ((profiles, generation, config_file), pages)
        if offset in pages:
            return pages[offset]
        rows, next_offset = page_rows(pages["rows"], offset)
        reply = EncodedJSON({
            "columns": list(PROFILE_COLUMNS),
            "rows": rows,
            "config_file": config_file,
            "generation": generation,
            "total": len(profiles),
            "next_offset": next_offset,
        })
        # Only page starts (0 and the next_offsets handed out) are cached: any other offset
        # would pin another near-1 MiB copy of the table for the life of the process.
        if offset in pages["starts"]:
            pages[offset] = reply
            if next_offset is not None:
                pages["starts"].add(next_offset)
        return reply


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


_IDENTITY_KEYS = ("account", "role", "session_name", "partition", "region", "arn")


def login_result(result: Any) -> dict[str, Any]:
    """The wire form of a LoginResult (PROTOCOL.md: login)."""
    identity = _plain(getattr(result, "identity", None)) or {}
    if not isinstance(identity, dict):
        identity = {key: getattr(identity, key, None) for key in _IDENTITY_KEYS}
    return {
        "url": result.url,
        "expires_at": result.expires_at,
        "identity": {key: identity.get(key) for key in _IDENTITY_KEYS},
        "container": getattr(result, "container", None),
        "logout_url": getattr(result, "logout_url", None),
    }


def handle_login(context: HostContext, params: dict[str, Any]) -> dict[str, Any]:
    """Console sign-in URL for a profile, through the warm pipeline."""
    result = context.pipeline().login(
        params["profile"],
        region=params.get("region"),
        destination=params.get("destination"),
        mfa_code=params.get("mfa_code"),
        duration=params.get("duration"),
    )
    return login_result(result)


register(Action("hello", handle_hello, deadline_seconds=5.0, starts_warm_up=True,
                service="The host"))
register(Action(
    "profiles", handle_profiles, deadline_seconds=15.0, service="Reading the AWS config",
    params=(Param("offset", (int,), check=_check_offset,
                  expected="a row index from a previous reply's next_offset"),),
))
register(Action(
    "login", handle_login, lane="slow", deadline_seconds=30.0, service="AWS sign-in",
    params=(
        Param("profile", (str,), required=True, check=_check_profile_name,
              expected="a profile name string"),
        Param("region", (str,), check=_check_region, expected="a region name string"),
        Param("destination", (str,), check=_check_destination,
              expected="a console URL string"),
        Param("mfa_code", (str,), check=_check_mfa_code, expected="a 6-digit string"),
        Param("duration", (int,), check=_check_duration,
              expected="an integer number of seconds "
                       f"({MIN_CONSOLE_DURATION}..{MAX_CONSOLE_DURATION})"),
    ),
))
