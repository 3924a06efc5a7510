"""The console's multi-session support, as the stand-in models it (support/standin/README.md
lists each behaviour and what it is based on).

- Opt-in per cookie jar: the cookie ``aws-prism-opt-in=true``; set or cleared by
  ``/multi-session?enable=true|false`` (AWS: "Turn on multi-session support" in the console's
  account menu, which sets that cookie).
- Each session has a differentiator ``<account>-<8 characters>``, stable per identity. AWS puts
  it in the console's host name (``<account>-<8>.<region>.console.aws.amazon.com``); on
  127.0.0.1 the stand-in puts it in the path instead: ``/s/<differentiator>/console``.
- The session cookie holds every session id of the jar, joined with ".".
- A federation login adds a session; the same identity again replaces its own session; a sixth
  identity is sent to ``/sessions/limit`` ("Session limit reached") and nothing is added.
- The sign-out bounce (``/oauth?Action=logout``) is answered with HTTP 400.
- ``/sessions/<differentiator>/v1/logout`` signs that one session out.
"""

from __future__ import annotations

import hashlib
import re

from support.standin.records import Identity

OPT_IN_COOKIE = "aws-prism-opt-in"
SESSION_LIMIT = 5
SESSION_PATH = re.compile(r"^/s/(?P<differentiator>[0-9]{12}-[a-z0-9]{8})(?P<rest>/.*)?$")
SESSION_LOGOUT_PATH = re.compile(r"^/sessions/(?P<differentiator>[0-9]{12}-[a-z0-9]{8})/v1/logout$")
SESSION_LIMIT_TEXT = "Session limit reached"
BOUNCE_REFUSED_TEXT = "Bad request: sign-out redirects are not supported with multi-session"


def differentiator(identity: Identity) -> str:
    """``<account>-<8 lowercase characters>``, the same for the same identity every time."""
    digest = hashlib.sha256(f"{identity.arn}".encode()).hexdigest()
    return f"{identity.account}-{digest[:8]}"


def session_ids(cookie_value: str | None) -> list[str]:
    return [part for part in (cookie_value or "").split(".") if part]


def cookie_value(ids: list[str]) -> str:
    return ".".join(ids)
