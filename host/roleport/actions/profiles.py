"""``profiles``: the profile table of the AWS config, as rows of columns, paged by size.

Rules (PROTOCOL.md, "profiles"):
- rows are arrays in PROFILE_COLUMNS order, without trailing nulls, so that 10,000 short
  profiles fit in one reply;
- the whole list comes in one reply whenever it fits under the 1 MiB reply cap that browsers
  enforce (Chrome's and MDN's native messaging docs: "The maximum size of a single message
  from the native messaging host is 1 MB"); only a larger list is split, so a client unaware
  of paging still gets a valid first page instead of a dropped connection;
- ``generation`` changes whenever either AWS file does (roleport.config_files), which is the
  extension's cue to ask again;
- a text cell holds at most MAX_CELL_CHARS characters (a longer value is cut and ends with
  "\u2026"), so one row is at most a few tens of KiB even in \\uXXXX escapes and a page of
  at least one row always fits: paging always moves on, whatever a config value holds.
"""

from __future__ import annotations

import json
import operator
import threading
from collections.abc import Sequence
from typing import Any

from roleport.actions.context import HostContext
from roleport.actions.registry import Action, Param, register, shorten
from roleport.framing import MAX_OUTBOUND_BYTES, EncodedJSON

PROFILE_COLUMNS: tuple[str, ...] = (
    "name", "account_id", "account_name", "role", "region", "kind", "mfa", "chained",
    "container", "color", "icon", "destination", "problem", "account_color", "source_profile",
)
"""Column order of a ``profiles`` row (PROTOCOL.md)."""

# Profile attribute behind each column where the names differ (roleport.profiles.Profile).
PROFILE_ATTRIBUTES = {"role": "role_name"}
BOOLEAN_COLUMNS = ("mfa", "chained")

MAX_CELL_CHARS = 1024
"""Longest text cell of a ``profiles`` row, ellipsis included (PROTOCOL.md, "Limits").

Far above any real name, ARN part, region or colour, and small enough that a row of fifteen
cells (at most 6 bytes per character as a JSON escape) stays under 100 KiB.
"""

PAGE_BUDGET_BYTES = MAX_OUTBOUND_BYTES - 16 * 1024
"""Room for rows in one reply; the rest covers the envelope, id and paths (PROTOCOL.md)."""


def config_generation(context: HostContext) -> str:
    """A short fingerprint of the AWS config files: changes when they do."""
    return context.config_files().generation()


def column_value(profile: Any, column: str) -> Any:
    """One cell: a JSON scalar, with empty strings sent as null and text capped at
    MAX_CELL_CHARS."""
    value = getattr(profile, PROFILE_ATTRIBUTES.get(column, column), None)
    if column in BOOLEAN_COLUMNS:
        return bool(value)
    if value is None or isinstance(value, (int, float, bool)):
        return value
    text = value if isinstance(value, str) else str(value)
    return shorten(text, MAX_CELL_CHARS) if text else None


_READ_ROW = operator.attrgetter(*(PROFILE_ATTRIBUTES.get(column, column)
                                  for column in PROFILE_COLUMNS))


def profile_rows(profiles: Sequence[Any]) -> list[list[Any]]:
    from roleport.profiles import Profile  # here: hello must not import the profile reader

    rows = []
    for profile in profiles:
        if type(profile) is Profile:
            # A Profile's values are wire-ready (JSON scalars, booleans for the flags, never
            # ""): one read per row, and only an over-long text is touched, which keeps a cold
            # 5,000-row table cheap.
            row = [shorten(value, MAX_CELL_CHARS)
                   if type(value) is str and len(value) > MAX_CELL_CHARS else value
                   for value in _READ_ROW(profile)]
        else:
            row = [column_value(profile, column) for column in PROFILE_COLUMNS]
        # Trailing nulls are left out (PROTOCOL.md): most profiles set none of the later,
        # optional columns, and 10,000 short profiles still fit in one frame.
        while row[-1] is None:
            row.pop()
        rows.append(row)
    return rows


def encoded_size(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON, as roleport.framing writes it."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8", "replace"))


def page_rows(rows: list[list[Any]], offset: int,
              budget: int = PAGE_BUDGET_BYTES) -> tuple[list[list[Any]], int | None]:
    """The rows from ``offset`` that fit in ``budget`` bytes, and the next offset (or None)."""
    if offset >= len(rows):
        return [], None
    remaining = rows[offset:]
    if encoded_size(remaining) <= budget:
        return remaining, None
    used = 2  # the enclosing brackets
    count = 0
    for row in remaining:
        size = encoded_size(row) + 1  # the separating comma
        if used + size > budget:
            break
        used += size
        count += 1
    count = max(count, 1)  # a single row always fits: its values are bounded in size
    return remaining[:count], offset + count


class ProfilePages:
    """The encoded replies built from one profile list, kept until the list or files change.

    The core hands out the same (frozen) Profile objects until the files change, so the
    pages are cached on that identity: a warm call costs two stat() calls and an identity
    scan instead of rebuilding, measuring and encoding every row. Only page starts (0 and
    the next_offsets handed out) are cached; any other offset would pin another near-1 MiB
    copy of the table for the life of the process. A change replaces the cache whole, so
    memory stays bounded across config edits.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._profiles: Sequence[Any] | None = None
        self._source: tuple[str, str] | None = None  # (generation, config file)
        self._rows: list[list[Any]] = []
        self._pages: dict[int, EncodedJSON] = {}
        self._starts: set[int] = {0}

    def page(self, profiles: Sequence[Any], generation: str, config_file: str,
             offset: int) -> EncodedJSON:
        """The ``profiles`` reply for ``offset``, encoded once per page start."""
        with self._lock:
            if not self._holds(profiles, (generation, config_file)):
                self._profiles = profiles
                self._source = (generation, config_file)
                self._rows = profile_rows(profiles)
                self._pages = {}
                self._starts = {0}
            cached = self._pages.get(offset)
            if cached is not None:
                return cached
            rows, next_offset = page_rows(self._rows, offset)
            reply = EncodedJSON({
                "columns": list(PROFILE_COLUMNS),
                "rows": rows,
                "config_file": config_file,
                "generation": generation,
                "total": len(profiles),
                "next_offset": next_offset,
            })
            if offset in self._starts:
                self._pages[offset] = reply
                if next_offset is not None:
                    self._starts.add(next_offset)
            return reply

    def cached_offsets(self) -> set[int]:
        """The offsets whose replies are held."""
        with self._lock:
            return set(self._pages)

    def _holds(self, profiles: Sequence[Any], source: tuple[str, str]) -> bool:
        cached = self._profiles
        return (cached is not None and self._source == source and len(cached) == len(profiles)
                and all(old is new for old, new in zip(cached, profiles, strict=True)))


def profile_pages(context: HostContext) -> ProfilePages:
    """The process's page cache."""
    return context.shared("profiles", ProfilePages)


def handle_profiles(context: HostContext, params: dict[str, Any]) -> EncodedJSON:
    """The profile table of the core (cached there on the files' mtime/size), paged by size."""
    files = context.config_files()
    generation = files.generation()
    profiles = context.pipeline().profiles()
    return profile_pages(context).page(profiles, generation, files.config_file,
                                       params.get("offset", 0))


def check_offset(value: int) -> str | None:
    return None if value >= 0 else f"{value} is negative"


register(Action(
    "profiles", handle_profiles, deadline_seconds=15.0, service="Reading the AWS config",
    imports_botocore=False,
    params=(Param("offset", (int,), check=check_offset,
                  expected="a row index from a previous reply's next_offset"),),
))
