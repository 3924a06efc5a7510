"""The IAM Identity Center sessions a config names, as the AWS CLI reads them.

Rules ("Configuring IAM Identity Center authentication with the AWS CLI",
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html):
- an ``[sso-session NAME]`` section holds ``sso_start_url``, ``sso_region`` and optionally
  ``sso_registration_scopes`` (comma-separated); its token is cached under the session name;
- a legacy profile holds ``sso_start_url`` and ``sso_region`` itself (no ``sso_session``); its
  token is cached under the start URL and it cannot be refreshed.

A session is named on the wire and on the command line by its ``key``: the session name, or
the start URL of a legacy configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roleport.errors import RoleportError
from roleport.rules import is_region

LEGACY_PREFIX = "https://"


@dataclass(frozen=True)
class SsoSession:
    """One place to sign in: a named sso-session, or a legacy start URL (name None)."""

    name: str | None
    start_url: str
    region: str
    scopes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.name if self.name is not None else self.start_url

    @property
    def label(self) -> str:
        return f"'{self.name}'" if self.name is not None else self.start_url


def parse_scopes(raw: Any) -> tuple[str, ...]:
    """sso_registration_scopes: comma-separated, blanks dropped (as the AWS CLI splits it)."""
    if not isinstance(raw, str):
        return ()
    return tuple(scope.strip() for scope in raw.split(",") if scope.strip())


def _text(section: dict[str, Any], key: str) -> str | None:
    value = section.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def sso_sessions(full_config: dict[str, Any]) -> list[SsoSession]:
    """Every complete SSO session of the config: named ones first, then legacy start URLs
    (one per start URL), each once. Incomplete ones are left out (their profiles carry the
    problem)."""
    found: dict[str, SsoSession] = {}
    for name, section in sorted(full_config.get("sso_sessions", {}).items()):
        if not isinstance(section, dict):
            continue
        start_url, region = _text(section, "sso_start_url"), _text(section, "sso_region")
        if start_url and region and is_region(region):
            found[name] = SsoSession(name, start_url, region,
                                     parse_scopes(section.get("sso_registration_scopes")))
    for _, section in sorted(full_config.get("profiles", {}).items()):
        if not isinstance(section, dict) or "sso_session" in section:
            continue
        start_url, region = _text(section, "sso_start_url"), _text(section, "sso_region")
        if start_url and region and is_region(region) and start_url not in found:
            found[start_url] = SsoSession(None, start_url, region)
    return list(found.values())


def find_session(full_config: dict[str, Any], key: str) -> SsoSession:
    """The session named ``key`` (a session name or a legacy start URL); sso_session_not_found
    otherwise."""
    sessions = sso_sessions(full_config)
    for session in sessions:
        if session.key == key:
            return session
    known = ", ".join(session.key for session in sessions[:5]) or "none"
    raise RoleportError("sso_session_not_found", sso_session=key[:128], known=known)


def session_of_profile(full_config: dict[str, Any], profile: str) -> SsoSession | None:
    """The SSO session a profile signs in through (its own sso_session or legacy keys)."""
    section = full_config.get("profiles", {}).get(profile, {})
    if not isinstance(section, dict):
        return None
    key = _text(section, "sso_session") or _text(section, "sso_start_url")
    if key is None:
        return None
    try:
        return find_session(full_config, key)
    except RoleportError:
        return None
