"""Who started the host, and whether that caller may use it.

Rules:
- Chrome passes the caller's origin as the first argument, "chrome-extension://<id>/", and on
  Windows also "--parent-window=<handle>" (Chrome for Developers, "Native messaging",
  "Native messaging protocol");
- Firefox passes two arguments: the complete path of the host manifest, then the ID of the
  add-on that started the host (MDN, "Native messaging", "Connection-based messaging");
- the allowed callers are ROLEPORT_ALLOWED_CALLERS, comma-separated, written into the
  launcher by the installer. A caller not in it gets forbidden_caller.
"""

from __future__ import annotations

from collections.abc import Mapping

from roleport.actions.registry import shorten
from roleport.errors import RoleportError
from roleport.rules import ENV_ALLOWED_CALLERS

CHROME_ORIGIN_PREFIX = "chrome-extension://"
WINDOWS_WINDOW_ARGUMENT = "--parent-window"
MAX_CALLER_SHOWN = 200


def identify_caller(argv: list[str]) -> str | None:
    """The caller named by the browser: Chromium's origin or Firefox's add-on id."""
    args = [arg for arg in argv if not arg.startswith(WINDOWS_WINDOW_ARGUMENT)]
    if not args:
        return None
    if args[0].startswith(CHROME_ORIGIN_PREFIX):
        return normalise_caller(args[0])
    if len(args) >= 2:
        return normalise_caller(args[1])
    return normalise_caller(args[0])


def normalise_caller(entry: str) -> str:
    """Spaces trimmed; a Chrome origin always ends in "/", as allowed_origins spells it."""
    entry = entry.strip()
    if entry.startswith(CHROME_ORIGIN_PREFIX) and not entry.endswith("/"):
        entry += "/"
    return entry


def allowed_callers(environ: Mapping[str, str]) -> frozenset[str]:
    """The callers ROLEPORT_ALLOWED_CALLERS names; none when it is unset."""
    raw = environ.get(ENV_ALLOWED_CALLERS, "")
    return frozenset(normalise_caller(entry) for entry in raw.split(",") if entry.strip())


def check_caller(caller: str, environ: Mapping[str, str]) -> RoleportError | None:
    """None when the caller is allowed, else the forbidden_caller error to answer with."""
    if caller in allowed_callers(environ):
        return None
    return RoleportError("forbidden_caller", caller=shorten(caller, MAX_CALLER_SHOWN))
