"""`roleport sso populate`: discovered roles written into the AWS config as SSO profiles.

Rules:
- a profile it writes is the AWS CLI's own SSO profile form (``sso_session``,
  ``sso_account_id``, ``sso_role_name``; "Configuring IAM Identity Center authentication with
  the AWS CLI", https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html), plus
  ``roleport_account_name`` and the marker ``roleport_populated_from = <session>``;
- only sections carrying that marker for this session are ever rewritten or removed: a
  hand-written profile is never touched, and a discovered role a hand-written profile already
  names (same session, account and role) gets no second profile; a name a hand-written
  profile already uses is skipped and reported;
- names come from a template (``{account_name}``, ``{account_id}``, ``{role}``,
  ``{sso_session}``), spaces and characters the AWS CLI's ``--profile`` users would have to
  quote becoming "-";
- ``--prune`` removes marked profiles whose role the portal no longer lists (without it they
  stay);
- the new file replaces the old one atomically (a temporary file in the same folder, then
  ``os.replace``), keeping its permissions, after the old one is copied to
  ``<config>.roleport-backup``.

Which sections carry the marker is read through botocore's config loader; only the removal
of those sections works on the text, so every other byte of the file stays as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from typing import Any

from roleport.errors import RoleportError
from roleport.sso.portal import DiscoveredAccount
from roleport.sso.sessions import SsoSession

MARKER = "roleport_populated_from"
DEFAULT_TEMPLATE = "{account_name}-{role}"
BACKUP_SUFFIX = ".roleport-backup"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+=,-]+")
_HEADER = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]")


@dataclass
class Plan:
    """What populate will do: the sections to write, the marked profiles to drop, notes."""

    write: dict[str, dict[str, str]] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def profile_name(template: str, session: SsoSession, account: DiscoveredAccount,
                 role: str) -> str:
    try:
        raw = template.format(account_name=account.name or account.account_id,
                              account_id=account.account_id, role=role,
                              sso_session=session.key)
    except (KeyError, IndexError, ValueError) as exc:
        raise RoleportError("invalid_request", detail=f"the name template {template!r} "
                            f"is not usable ({type(exc).__name__}: use {{account_name}}, "
                            "{account_id}, {role}, {sso_session})") from None
    name = _UNSAFE.sub("-", raw).strip("-")
    if not name:
        raise RoleportError("invalid_request", detail=f"the template {template!r} gives an "
                            "empty profile name")
    return name


def plan(full_config: dict[str, Any], session: SsoSession,
         accounts: list[DiscoveredAccount], template: str = DEFAULT_TEMPLATE,
         prune: bool = False, region: str | None = None) -> Plan:
    if session.name is None:
        raise RoleportError("invalid_request", detail="populate writes profiles for an "
                            "[sso-session] section; legacy start URLs have none to name")
    profiles = full_config.get("profiles", {})
    marked = {name for name, section in profiles.items()
              if isinstance(section, dict) and section.get(MARKER) == session.key}
    hand_written_roles = {
        (section.get("sso_account_id"), section.get("sso_role_name"))
        for name, section in profiles.items()
        if isinstance(section, dict) and name not in marked
        and section.get("sso_session") == session.name}
    result = Plan()
    wanted: set[str] = set()
    for account in accounts:
        for role in account.roles:
            if (account.account_id, role) in hand_written_roles:
                continue
            name = profile_name(template, session, account, role)
            if name in result.write:
                name = f"{name}-{account.account_id}"
            if name in profiles and name not in marked:
                result.skipped.append(name)
                continue
            section = {"sso_session": session.key, "sso_account_id": account.account_id,
                       "sso_role_name": role}
            if region:
                section["region"] = region
            if account.name:
                section["roleport_account_name"] = account.name
            section[MARKER] = session.key
            result.write[name] = section
            wanted.add(name)
    for name in sorted(marked - wanted):
        (result.remove if prune else result.kept).append(name)
    return result


def _section_name(header: str) -> str | None:
    header = header.strip()
    if header.startswith("profile "):
        return header[len("profile "):].strip()
    return header if header == "default" else None


def render(text: str, plan_: Plan) -> str:
    """The config text without the marked sections being replaced or pruned, with the
    planned sections appended."""
    drop = set(plan_.write) | set(plan_.remove)
    kept_lines: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        header = _HEADER.match(line)
        if header:
            dropping = _section_name(header.group(1)) in drop
        if not dropping:
            kept_lines.append(line)
    result = "".join(kept_lines).rstrip("\n")
    blocks = []
    for name, section in plan_.write.items():
        body = "".join(f"{key} = {value}\n" for key, value in section.items())
        blocks.append(f"[profile {name}]\n{body}")
    if blocks:
        result = (result + "\n\n" if result else "") + "\n".join(blocks)
    return result.rstrip("\n") + "\n" if result else ""


def write_config(path: str, text: str) -> str | None:
    """Replace ``path`` atomically, after a backup copy; returns the backup's path."""
    backup = None
    mode = 0o600
    if os.path.exists(path):
        backup = path + BACKUP_SUFFIX
        shutil.copy2(path, backup)
        mode = stat.S_IMODE(os.stat(path).st_mode)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".config-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return backup
