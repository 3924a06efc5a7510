"""The IAM Identity Center sessions a config names, as the AWS CLI reads them.

Rules ("Configuring IAM Identity Center authentication with the AWS CLI",
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html):
- an ``[sso-session NAME]`` section holds ``sso_start_url``, ``sso_region`` and optionally
  ``sso_registration_scopes`` (comma-separated); its token is cached under the session name;
- a legacy profile holds ``sso_start_url`` and ``sso_region`` itself (no ``sso_session``); its
  token is cached under the start URL and it cannot be refreshed;
- a profile Granted generated names its start URL and region in ``granted_sso_start_url`` and
  ``granted_sso_region`` (Granted's docs, "Automatic Config Generation"); it signs in through
  the sso-session of that start URL when the config has one, else as a legacy start URL.

A session is named on the wire and on the command line by its ``key``: the session name, or
the start URL of a legacy configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roleport.errors import RoleportError
from roleport.rules import is_region

GRANTED_KEYS = ("granted_sso_start_url", "granted_sso_region", "granted_sso_account_id",
                "granted_sso_role_name")


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


@dataclass(frozen=True)
class GrantedSso:
    """The IAM Identity Center role of a profile Granted generated (``granted sso populate``):
    ``granted_sso_start_url``, ``granted_sso_region``, ``granted_sso_account_id``,
    ``granted_sso_role_name``, signed in by Granted's ``credential_process``."""

    start_url: str
    region: str
    account_id: str
    role_name: str


def granted_sso(section: Any) -> GrantedSso | None:
    """The Granted SSO keys of a profile section, when all four are there and sane."""
    # The first test is the cheap one: listing calls this for thousands of sections.
    if not isinstance(section, dict) or "granted_sso_account_id" not in section:
        return None
    if "sso_session" in section:
        return None
    values = [_text(section, key) for key in GRANTED_KEYS]
    start_url, region, account_id, role_name = values
    if not (start_url and region and account_id and role_name) or not is_region(region):
        return None
    if not (len(account_id) == 12 and account_id.isdigit()):
        return None
    return GrantedSso(start_url, region, account_id, role_name)


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
        granted = granted_sso(section)
        if granted is not None and not start_url:
            start_url, region = granted.start_url, granted.region
        if (start_url and region and is_region(region) and start_url not in found
                and not any(session.start_url == start_url for session in found.values())):
            found[start_url] = SsoSession(None, start_url, region)
    return list(found.values())


def session_for_start_url(full_config: dict[str, Any], start_url: str) -> SsoSession:
    """The session signing in to ``start_url``: a named one if the config has it (its token
    is the one the AWS CLI keeps fresh), else the legacy session of that URL."""
    for session in sso_sessions(full_config):
        if session.start_url == start_url:
            return session
    raise RoleportError("sso_session_not_found", sso_session=start_url[:128], known="none")


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
    granted = granted_sso(section)
    if granted is not None:
        try:
            return session_for_start_url(full_config, granted.start_url)
        except RoleportError:
            return None
    key = _text(section, "sso_session") or _text(section, "sso_start_url")
    if key is None:
        return None
    try:
        return find_session(full_config, key)
    except RoleportError:
        return None
