"""AWS profiles as roleport sees them, read through botocore's own config loader.

Rules implemented here (AWS CLI User Guide, "Configuration and credential file settings"):
- the files are the ones botocore uses: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else
  ~/.aws/config and ~/.aws/credentials; AWS_PROFILE names the default profile;
- parsing is cached on the (path, mtime, size) of both files, so 2,000 profiles cost one parse
  per change, not one per call;
- roleport's own keys live in the same profile section (roleport_container, roleport_color,
  roleport_icon, roleport_destination, roleport_console_duration, roleport_account_name), with
  Granted's granted_color / granted_icon as fallbacks;
- a broken file becomes `config_error` naming the file and line, never the line's content
  (it may hold a secret key).

botocore is imported lazily: the native host answers `hello` without paying for it.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from roleport.arn import role_arn_parts
from roleport.config_files import ConfigFiles
from roleport.errors import RoleportError
from roleport.rules import is_console_duration

if TYPE_CHECKING:  # pragma: no cover - typing only
    import botocore.session

KIND_ASSUME_ROLE = "assume-role"
KIND_SSO = "sso"
KIND_STATIC = "static"
KIND_CREDENTIAL_PROCESS = "credential_process"
KIND_OTHER = "other"

# credential_source values whose credentials are themselves role credentials, so assuming a
# role from them is role chaining (console session capped at one hour).
_ROLE_CREDENTIAL_SOURCES = frozenset({"Ec2InstanceMetadata", "EcsContainer"})


@dataclass(frozen=True)
class Profile:
    """One AWS profile with the fields the CLI and the extension show (ARCHITECTURE.md)."""

    name: str
    account_id: str | None
    account_name: str | None
    role_name: str | None
    role_arn: str | None
    region: str | None
    kind: str
    mfa: bool
    mfa_serial: str | None
    chained: bool
    source_profile: str | None
    container: str | None
    color: str | None
    icon: str | None
    destination: str | None
    console_duration: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ConfigSnapshot:
    """One parse of the config files: the profiles, and a botocore session for credentials.

    Listing profiles needs only botocore's config loader (cheap to import); the botocore
    session (~130 ms to import) is built on first use by the credential path, once per change
    of the files.
    """

    def __init__(self, signature: tuple[Any, ...], files: ConfigFiles,
                 full_config: dict[str, Any], profiles: tuple[Profile, ...]) -> None:
        self.signature = signature
        self.files = files
        self.full_config = full_config
        self.profiles = profiles
        self.by_name = {profile.name: profile for profile in profiles}
        self._session: botocore.session.Session | None = None
        self._session_lock = threading.Lock()

    @property
    def session(self) -> botocore.session.Session:
        if self._session is None:
            with self._session_lock:
                if self._session is None:
                    from roleport.botocore_hooks import share_parsed_config

                    session = new_botocore_session()
                    session.set_config_variable("config_file", self.files.config_file)
                    session.set_config_variable("credentials_file",
                                                self.files.credentials_file)
                    share_parsed_config(session, self.full_config)
                    self._session = session
        return self._session

    def raw_profile(self, name: str) -> dict[str, Any]:
        section: dict[str, Any] = self.full_config.get("profiles", {}).get(name, {})
        return section

    def get(self, name: str) -> Profile:
        profile = self.by_name.get(name)
        if profile is None:
            raise RoleportError("profile_not_found", profile=name,
                                config_file=self.files.config_file)
        return profile


def new_botocore_session() -> botocore.session.Session:
    """A botocore session that ignores AWS_PROFILE for its own scoped config.

    roleport passes the profile explicitly to every provider; letting AWS_PROFILE leak into the
    session would make every client creation fail with ProfileNotFound when it names a profile
    that does not exist.
    """
    import botocore.session

    return botocore.session.Session(session_vars={"profile": (None, None, None, None)})


def read_full_config(files: ConfigFiles) -> dict[str, Any]:
    """Both files through botocore's config loader, merged exactly as
    botocore.session.Session.full_config merges them (credentials-file sections extend the
    config file's profiles)."""
    files.check_sizes()
    import botocore.configloader
    from botocore.exceptions import ConfigNotFound, ConfigParseError

    try:
        try:
            config = botocore.configloader.load_config(files.config_file)
        except ConfigNotFound:
            config = {"profiles": {}}
        try:
            credential_profiles = botocore.configloader.raw_config_parse(files.credentials_file)
        except ConfigNotFound:
            credential_profiles = {}
    except ConfigParseError as exc:
        raise config_error_from_parse_error(exc) from None
    profiles = config.setdefault("profiles", {})
    for name, values in credential_profiles.items():
        if name in profiles:
            profiles[name].update(values)
        else:
            profiles[name] = values
    return config


def parse_config(files: ConfigFiles) -> ConfigSnapshot:
    """Parse both files and build the profile list (no botocore session needed)."""
    signature = files.signature()
    full_config = read_full_config(files)
    profiles = build_profiles(full_config)
    return ConfigSnapshot(signature, files, full_config, tuple(profiles))


def config_error_from_parse_error(exc: Exception) -> RoleportError:
    """config_error with the file and line botocore's parser saw, never the line itself."""
    import configparser

    kwargs = getattr(exc, "kwargs", {}) or {}
    path = str(kwargs.get("path") or "the AWS config file")
    cause = kwargs.get("error")
    line: int | None = None
    why = "it is not a valid INI file"
    # MissingSectionHeaderError is a ParsingError: test it first.
    if isinstance(cause, configparser.MissingSectionHeaderError):
        line = cause.lineno
        why = "a setting appears before any [section] header"
    elif isinstance(cause, configparser.ParsingError) and getattr(cause, "errors", None):
        line = cause.errors[0][0]
        why = "a line is neither a [section] header nor a `key = value` setting"
    elif isinstance(cause, configparser.DuplicateSectionError):
        line = cause.lineno
        why = f"the section [{cause.section}] appears twice"
    elif isinstance(cause, configparser.DuplicateOptionError):
        line = cause.lineno
        why = f"the setting '{cause.option}' appears twice in [{cause.section}]"
    elif isinstance(cause, UnicodeDecodeError):
        why = "it is not valid UTF-8 text"
    elif isinstance(cause, ValueError):
        why = "an indented sub-section has a line without `key = value`"
    location = f" {path}" + (f" at line {line}" if line else "")
    detail = f"{path}" + (f", line {line}" if line else "") + f": {why}"
    return RoleportError("config_error", detail=detail, location=location,
                         config_file=path, line=line)


_snapshot_lock = threading.Lock()
_snapshot: ConfigSnapshot | None = None


def load_snapshot(files: ConfigFiles | None = None) -> ConfigSnapshot:
    """The parsed config, re-parsed only when either file's (path, mtime, size) changed."""
    global _snapshot
    files = files or ConfigFiles.from_environment()
    signature = files.signature()
    current = _snapshot
    if current is not None and current.signature == signature:
        return current
    with _snapshot_lock:
        current = _snapshot
        if current is not None and current.signature == files.signature():
            return current
        fresh = parse_config(files)
        _snapshot = fresh
        return fresh


def list_profiles(files: ConfigFiles | None = None) -> list[Profile]:
    """All profiles of the config and credentials files, in file order."""
    return list(load_snapshot(files).profiles)


def build_profiles(full_config: dict[str, Any]) -> list[Profile]:
    raw_profiles: dict[str, dict[str, Any]] = full_config.get("profiles", {}) or {}
    return [describe_profile(name, raw_profiles) for name in raw_profiles]


def profile_kind(section: dict[str, Any]) -> str:
    """Which botocore provider will answer for this profile (its precedence order)."""
    if "role_arn" in section and "web_identity_token_file" not in section:
        return KIND_ASSUME_ROLE
    if "sso_account_id" in section or "sso_role_name" in section:
        return KIND_SSO
    if "aws_access_key_id" in section or "aws_secret_access_key" in section:
        return KIND_STATIC
    if "credential_process" in section:
        return KIND_CREDENTIAL_PROCESS
    return KIND_OTHER


def role_chain(name: str, raw_profiles: dict[str, dict[str, Any]]) -> list[str]:
    """The profile and its source_profile ancestors, stopping at loops (botocore reports them)."""
    chain = [name]
    current = raw_profiles.get(name, {})
    while "role_arn" in current and current.get("source_profile"):
        source = str(current["source_profile"])
        if source in chain:
            break
        chain.append(source)
        current = raw_profiles.get(source, {})
    return chain


def is_chained(name: str, raw_profiles: dict[str, dict[str, Any]]) -> bool:
    """A role whose source credentials are themselves role credentials (AWS role chaining)."""
    section = raw_profiles.get(name, {})
    if profile_kind(section) != KIND_ASSUME_ROLE:
        return False
    if section.get("credential_source") in _ROLE_CREDENTIAL_SOURCES:
        return True
    source = section.get("source_profile")
    if not source or source == name:  # self-reference = static keys in the same section
        return False
    source_section = raw_profiles.get(str(source), {})
    # A web-identity profile (role_arn + web_identity_token_file) also yields role credentials,
    # and keys with aws_session_token (written by saml2aws, gimme-aws-creds, ...) are temporary:
    # AssumeRole called with either is role chaining.
    return ("role_arn" in source_section or profile_kind(source_section) == KIND_SSO
            or bool(source_section.get("aws_session_token")))


def parse_console_duration(value: Any) -> int | None:
    """roleport_console_duration: whole seconds within the console's 900..43200 range."""
    if value is None or str(value).strip() == "":
        return None
    try:
        seconds = int(str(value).strip())
    except ValueError:
        return None
    return seconds if is_console_duration(seconds) else None


def _text(section: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = section.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def describe_profile(name: str, raw_profiles: dict[str, dict[str, Any]]) -> Profile:
    section = raw_profiles.get(name, {})
    kind = profile_kind(section)
    role_arn = _text(section, "role_arn") if kind == KIND_ASSUME_ROLE else None
    _partition, account_id, role_name = role_arn_parts(role_arn)
    if kind == KIND_SSO:
        account_id = _text(section, "sso_account_id")
        role_name = _text(section, "sso_role_name")
    mfa_serial = None
    for member in role_chain(name, raw_profiles):
        member_section = raw_profiles.get(member, {})
        # botocore sends mfa_serial only with the AssumeRole of a role profile; on a static-key
        # source it is ignored (no GetSessionToken), so it asks for no code.
        if profile_kind(member_section) != KIND_ASSUME_ROLE:
            continue
        mfa_serial = _text(member_section, "mfa_serial")
        if mfa_serial:
            break
    if kind != KIND_ASSUME_ROLE:
        mfa_serial = None  # botocore only sends a serial with AssumeRole
    return Profile(
        name=name,
        account_id=account_id,
        account_name=_text(section, "roleport_account_name"),
        role_name=role_name,
        role_arn=role_arn,
        region=_text(section, "region"),
        kind=kind,
        mfa=mfa_serial is not None,
        mfa_serial=mfa_serial,
        chained=is_chained(name, raw_profiles),
        source_profile=_text(section, "source_profile"),
        container=_text(section, "roleport_container"),
        color=_text(section, "roleport_color", "granted_color"),
        icon=_text(section, "roleport_icon", "granted_icon"),
        destination=_text(section, "roleport_destination"),
        console_duration=parse_console_duration(section.get("roleport_console_duration")),
    )
