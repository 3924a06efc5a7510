"""AWS profiles as roleport sees them, read through botocore's own config loader.

Rules implemented here (AWS CLI User Guide, "Configuration and credential file settings"):
- the files are the ones botocore uses: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else
  ~/.aws/config and ~/.aws/credentials (roleport.config_files); AWS_PROFILE names the default
  profile;
- the profiles are exactly those botocore lists (``botocore.session.Session.full_config``,
  parsed by ``botocore.configloader``): parsing is cached on the (path, mtime, size, inode) of
  both files, so thousands of profiles cost one parse per change, not one per call;
- listing is total: whatever a profile's values look like (an indented sub-section where a
  value was expected, an empty or huge value, odd Unicode), it is listed; what cannot be
  described is left empty and the profile carries a short ``problem``. Only a file botocore
  itself refuses is a ``config_error``, naming the file and the line (for bytes that are not
  text in the file's encoding, the line of the first such byte), never the line's content
  (it may hold a secret key);
- each profile is described the way botocore will resolve its credentials (``kind``,
  account, role, MFA, role chaining), following ``botocore.credentials``: the
  AssumeRoleProvider first, then ``ProfileProviderBuilder.providers`` in its order (web
  identity, IAM Identity Center, the credentials file's keys, ``aws login``,
  credential_process, the config file's keys), and AssumeRoleProvider's own resolution of a
  role's source (``_get_role_config``, ``_validate_source_profile``,
  ``_resolve_credentials_from_profile``). Listing only reads: it never runs a
  credential_process, reads a token file or touches the network;
- sources: AWS CLI User Guide, "Configuration and credential file settings" (the files,
  [default] and [profile NAME], [sso-session NAME], indented sub-sections) and "Use an IAM
  role in the AWS CLI" (role_arn with source_profile or credential_source = Environment,
  Ec2InstanceMetadata or EcsContainer, web_identity_token_file); the order and the errors are
  botocore's own (botocore/credentials.py, botocore/configloader.py);
- roleport's own keys live in the same profile section (roleport_container, roleport_color,
  roleport_icon, roleport_destination, roleport_console_duration, roleport_account_name,
  roleport_account_color), with Granted's granted_color / granted_icon as fallbacks.

botocore is imported lazily: the native host answers `hello` without paying for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from roleport.arn import role_arn_parts
from roleport.config_files import ConfigFiles
from roleport.errors import RoleportError
from roleport.rules import (
    has_control_characters,
    is_account_id,
    is_console_duration,
    is_region,
    profile_name_problem,
)
from roleport.sso.sessions import granted_sso

if TYPE_CHECKING:  # pragma: no cover - typing only
    import botocore.session

KIND_ASSUME_ROLE = "assume-role"
KIND_WEB_IDENTITY = "web-identity"
KIND_SSO = "sso"
KIND_STATIC = "static"
KIND_LOGIN = "login"
KIND_CREDENTIAL_PROCESS = "credential_process"
KIND_OTHER = "other"

# The canonical names roleport's credential sourcer accepts for credential_source (its
# CanonicalNameCredentialSourcer holds botocore's EnvProvider, ContainerProvider and
# InstanceMetadataProvider, as botocore's default chain does). botocore compares them exactly
# (CanonicalNameCredentialSourcer.is_supported): "ec2instancemetadata" is refused.
CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")
# Sources whose credentials are themselves role credentials: assuming a role from them is role
# chaining (console session capped at one hour).
_ROLE_CREDENTIAL_SOURCES = frozenset({"Ec2InstanceMetadata", "EcsContainer"})

# botocore.credentials.SharedCredentialProvider / ConfigProvider: the key id decides, the
# secret must then be beside it; either token name makes the keys temporary.
_KEY_ID = "aws_access_key_id"
_SECRET = "aws_secret_access_key"
_TOKENS = ("aws_security_token", "aws_session_token")
_ACCOUNT_ID = "aws_account_id"
_KEY_SETTINGS = (_KEY_ID, _SECRET, *_TOKENS, _ACCOUNT_ID)
# SSOProvider._ALL_REQUIRED_CONFIG_VARS, in botocore's order.
_SSO_REQUIRED = ("sso_role_name", "sso_account_id", "sso_start_url", "sso_region")

MAX_VALUE_LENGTH = 2048
"""A shown value longer than this is left out (STS AssumeRole takes a RoleArn of at most 2048
characters): one profile row must always fit in a native-messaging reply."""
_SHOWN_NAME_LENGTH = 40


@dataclass(frozen=True)
class Profile:
    """One AWS profile with the fields the CLI and the extension show (ARCHITECTURE.md).

    ``problem`` is a short sentence when the profile cannot be fully described or botocore
    will refuse it; it never quotes a value of the file other than profile and session names.
    Every value is wire-ready: a non-empty string of at most MAX_VALUE_LENGTH characters (the
    name excepted: it is botocore's), a bool, an int or None.
    """

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
    problem: str | None = None
    # roleport_account_color: the colour of every profile of this account that sets none.
    account_color: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # The fields are flat values: a plain copy (dataclasses.asdict deep-copies each one,
        # which dominated `roleport list --json` with thousands of profiles).
        return {name: getattr(self, name) for name in _PROFILE_FIELDS}


_PROFILE_FIELDS = tuple(field.name for field in fields(Profile))
# One profile as json.dumps(indent=2) lays it out inside a list; field names need no escaping.
_JSON_BLOCK = "  {\n" + ",\n".join(f'    "{name}": %s' for name in _PROFILE_FIELDS) + "\n  }"


def profiles_json(profiles: Iterable[Profile]) -> str:
    """``json.dumps([p.to_dict() for p in profiles], indent=2)``, byte for byte, but fast.

    json indents in pure Python. These objects are flat: each string goes through json's own
    C string encoder and the fixed layout is a template (tests compare the two).
    """
    from json.encoder import encode_basestring_ascii as encode

    # None first: most of a profile's optional fields are unset.
    blocks = [_JSON_BLOCK % tuple([
        "null" if value is None else encode(value) if value.__class__ is str
        else "true" if value is True else "false" if value is False else repr(value)
        for value in vars(profile).values()]) for profile in profiles]
    if not blocks:
        return "[]"
    # The brackets go on the end blocks, not around the joined text: one copy of it, not three.
    blocks[0] = "[\n" + blocks[0]
    blocks[-1] += "\n]"
    return ",\n".join(blocks)


def _new_profile(fields_in_order: dict[str, Any]) -> Profile:
    """A Profile from its fields, in declaration order.

    A frozen dataclass's __init__ sets each field through object.__setattr__; with 17 fields
    that was a third of describing a profile. Equality, hashing and repr read the same
    attributes either way (tests compare with Profile(**fields)).
    """
    profile = _object_new(Profile)
    _object_setattr(profile, "__dict__", fields_in_order)
    return profile


_object_new = object.__new__
_object_setattr = object.__setattr__


class ParsedConfig(NamedTuple):
    """What botocore's loaders returned for both files.

    ``full_config`` is merged exactly as ``Session.full_config`` merges it. The two other views
    are the ones botocore's key providers read: SharedCredentialProvider parses the
    credentials file alone, ConfigProvider the config file alone.
    """

    full_config: dict[str, Any]
    credentials_sections: dict[str, dict[str, Any]]
    # The config file's own key settings of the profiles the credentials file also defines
    # (the merge overwrote them in full_config); other profiles' sections are untouched.
    config_keys: dict[str, dict[str, Any]]


class DescribedFrom(NamedTuple):
    """The inputs of one Describer: everything of the files a description reads."""

    profiles: dict[str, dict[str, Any]]
    credentials_sections: dict[str, dict[str, Any]]
    config_keys: dict[str, dict[str, Any]]
    sso_sessions: dict[str, Any]


_ABSENT: Any = object()


class ConfigSnapshot:
    """One parse of the config files: the profiles, and a botocore session for credentials.

    Listing profiles needs only botocore's config loader (cheap to import); the botocore
    session (~130 ms to import) is built on first use by the credential path, once per change
    of the files.
    """

    def __init__(self, signature: tuple[Any, ...], files: ConfigFiles,
                 full_config: dict[str, Any], profiles: tuple[Profile, ...],
                 unusable: Mapping[str, str] | None = None,
                 described_from: DescribedFrom | None = None) -> None:
        self.signature = signature
        self.files = files
        self.full_config = full_config
        self.profiles = profiles
        self.by_name = {profile.name: profile for profile in profiles}
        # Profiles botocore cannot even attempt (a sub-section where it needs a value): using
        # one is a config_error naming the setting instead of botocore's TypeError.
        self.unusable = dict(unusable or {})
        # What the profiles were described from: the next parse re-describes only the
        # profiles whose settings (or whose sources' settings) changed.
        self.described_from = described_from
        self._session: botocore.session.Session | None = None
        self._session_lock = threading.Lock()

    @property
    def session(self) -> botocore.session.Session:
        if self._session is None:
            with self._session_lock:
                if self._session is None:
                    from roleport.botocore_hooks import (
                        load_models_by_folder,
                        share_parsed_config,
                    )

                    session = new_botocore_session()
                    session.set_config_variable("config_file", self.files.config_file)
                    session.set_config_variable("credentials_file",
                                                self.files.credentials_file)
                    share_parsed_config(session, self.full_config)
                    load_models_by_folder(session)
                    self._session = session
        return self._session

    def raw_profile(self, name: str) -> dict[str, Any]:
        section: dict[str, Any] = self.full_config.get("profiles", {}).get(name, {})
        return section

    def get(self, name: str) -> Profile:
        """The profile to use; profile_not_found, or config_error for one botocore cannot use."""
        profile = self.by_name.get(name)
        if profile is None:
            raise RoleportError("profile_not_found", profile=name,
                                config_file=self.files.config_file)
        why = self.unusable.get(name)
        if why is not None:
            raise RoleportError("config_error", detail=f"profile {_shown(name)}: {why}")
        return profile


def new_botocore_session() -> botocore.session.Session:
    """A botocore session that ignores AWS_PROFILE for its own scoped config.

    roleport passes the profile explicitly to every provider; letting AWS_PROFILE leak into the
    session would make every client creation fail with ProfileNotFound when it names a profile
    that does not exist.
    """
    import botocore.session

    return botocore.session.Session(session_vars={"profile": (None, None, None, None)})


def read_config(files: ConfigFiles) -> ParsedConfig:
    """Both files through botocore's config loader, merged exactly as
    botocore.session.Session.full_config merges them (credentials-file sections extend the
    config file's profiles), plus the per-file views botocore's key providers read."""
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
    config_keys: dict[str, dict[str, Any]] = {}
    for name, values in credential_profiles.items():
        if name in profiles:
            section = profiles[name]
            config_keys[name] = {key: section[key] for key in _KEY_SETTINGS if key in section}
            section.update(values)
        else:
            profiles[name] = values
    return ParsedConfig(config, credential_profiles, config_keys)


def parse_config(files: ConfigFiles, previous: ConfigSnapshot | None = None) -> ConfigSnapshot:
    """Parse both files and build the profile list (no botocore session needed).

    With the ``previous`` snapshot, a profile whose settings, and whose source profiles'
    settings, are those it was described from keeps its description (Describer.reuse): an
    edit re-describes what it touched, not thousands of profiles.
    """
    signature = files.signature()
    with cyclic_gc_paused():
        parsed = read_config(files)
        describer = Describer(parsed)
        profiles = tuple(describer.describe_all(previous))
    return ConfigSnapshot(signature, files, parsed.full_config, profiles, describer.unusable,
                          describer.described_from())


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the config is parsed and described.

    Parsing thousands of sections allocates hundreds of thousands of containers, none of
    them garbage yet, and every allocation burst makes the collector walk them all: a fifth
    of botocore's parse. Reference counting still frees what can be freed; the collector
    runs again afterwards (it is only re-enabled if it was enabled).
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- files botocore refuses ------------------------------------------------------------------

def config_error_from_parse_error(exc: Exception) -> RoleportError:
    """config_error with the file and line botocore's parser refused, never the line itself."""
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
        if line == 1 and _starts_with_bom(path):
            why = ("it starts with a byte order mark (BOM), which botocore reads as text; "
                   "save it as UTF-8 without BOM")
    elif isinstance(cause, configparser.ParsingError) and getattr(cause, "errors", None):
        line = cause.errors[0][0]
        why = "a line is neither a [section] header nor a `key = value` setting"
    elif isinstance(cause, configparser.DuplicateSectionError):
        line = cause.lineno
        why = f"the section [{_shown_text(cause.section)}] appears twice"
    elif isinstance(cause, configparser.DuplicateOptionError):
        line = cause.lineno
        why = (f"the setting '{_shown_text(cause.option)}' appears twice in "
               f"[{_shown_text(cause.section)}]")
    elif isinstance(cause, UnicodeDecodeError):
        line = _first_undecodable_line(path, cause.encoding)
        why = f"it is not valid {_encoding_label(cause.encoding)} text"
    elif isinstance(cause, ValueError):
        line = _nested_value_error_line(path)
        why = "an indented sub-section has a line without `key = value`"
    location = f" {path}" + (f" at line {line}" if line else "")
    detail = f"{path}" + (f", line {line}" if line else "") + f": {why}"
    return RoleportError("config_error", detail=detail, location=location,
                         config_file=path, line=line)


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _starts_with_bom(path: str) -> bool:
    data = _read_bytes(path)
    return data is not None and data.startswith(b"\xef\xbb\xbf")


def _encoding_label(encoding: str) -> str:
    return "UTF-8" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _line_of_offset(text: str) -> int:
    """The 1-based line a position falls on, counting line ends as configparser reads the file
    (universal newlines: \\r\\n, \\r and \\n)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def _first_undecodable_line(path: str, encoding: str) -> int | None:
    """The line of the first byte that is not text in ``encoding`` (botocore's configparser
    reads the file in the locale's encoding and reports no position)."""
    data = _read_bytes(path)
    if data is None:
        return None
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return _line_of_offset(data[:error.start].decode(encoding, "replace"))
    except LookupError:
        return None
    return None


def _nested_value_error_line(path: str) -> int | None:
    """The line botocore's ``configloader._parse_nested`` refused: the first continuation line
    without ``=`` of a setting whose value starts on the next line.

    botocore reports only a ValueError; this walks the lines with configparser's own patterns
    and continuation rule (a line indented deeper than its setting continues it; blank and
    comment lines do not end it) to name the line. A guess in one corner: with bad lines in
    both [DEFAULT] and a profile, botocore may meet the profile's first; the line named is
    refused all the same.
    """
    import configparser
    import locale

    data = _read_bytes(path)
    if data is None:
        return None
    text = data.decode(locale.getpreferredencoding(False), "replace")
    parser = configparser.RawConfigParser
    in_section = False
    nested_indent: int | None = None  # indentation of a setting whose value is a sub-section
    setting_indent: int | None = None
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"),
                                  start=1):
        value = line.strip()
        if not value or value.startswith(("#", ";")):
            continue
        indent = len(line) - len(line.lstrip())
        if setting_indent is not None and indent > setting_indent:
            if nested_indent is not None and "=" not in value:
                return number
            continue
        setting_indent = None
        nested_indent = None
        if parser.SECTCRE.match(value):
            in_section = True
            continue
        match = parser.OPTCRE.match(value)
        if in_section and match:
            setting_indent = indent
            if not match.group("value").strip():
                nested_indent = indent
    return None


# -- the profile list ------------------------------------------------------------------------

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
        fresh = parse_config(files, current)
        _snapshot = fresh
        return fresh


def list_profiles(files: ConfigFiles | None = None) -> list[Profile]:
    """All profiles of the config and credentials files, in botocore's order."""
    return list(load_snapshot(files).profiles)


def role_chain(name: str, raw_profiles: dict[str, dict[str, Any]]) -> list[str]:
    """The profile and its source_profile ancestors, stopping at loops (botocore reports them)."""
    chain = [name]
    current = raw_profiles.get(name, {})
    while "role_arn" in current and isinstance(current.get("source_profile"), str):
        source = current["source_profile"]
        if source in chain:
            break
        chain.append(source)
        current = raw_profiles.get(source, {})
    return chain


def _loops_back(chain: list[str], raw_profiles: dict[str, dict[str, Any]]) -> bool:
    """Whether role_chain stopped at ``chain`` because its last profile's source is already
    on it."""
    last = raw_profiles.get(chain[-1], {})
    return "role_arn" in last and last.get("source_profile") in chain


def parse_console_duration(value: Any) -> int | None:
    """roleport_console_duration: whole seconds within the console's 900..43200 range."""
    if value is None or isinstance(value, dict) or str(value).strip() == "":
        return None
    try:
        seconds = int(str(value).strip())
    except ValueError:
        return None
    return seconds if is_console_duration(seconds) else None


def _shown_text(text: str) -> str:
    """A name fit for a one-line message: control characters replaced, long names cut."""
    if has_control_characters(text):
        text = "".join("\ufffd" if ch < " " or ch == "\x7f" else ch for ch in text)
    if len(text) > _SHOWN_NAME_LENGTH:
        text = text[: _SHOWN_NAME_LENGTH - 1] + "\u2026"
    return text


def _shown(name: str) -> str:
    return f"'{_shown_text(name)}'"


class _Problem(NamedTuple):
    text: str
    where: str | None = None  # the source profile the problem lives in (None: this one)
    # Using the profile can never work (a sub-section where botocore needs a value, an empty
    # command, a missing botocore extra): roleport refuses it up front (ConfigSnapshot.get)
    # instead of surfacing botocore's TypeError or missing dependency as an internal error.
    fatal: bool = False


class _Source(NamedTuple):
    """What ProfileProviderBuilder.providers finds in one profile."""

    kind: str
    problem: _Problem | None = None
    temporary: bool = False
    account_id: str | None = None
    role_name: str | None = None
    role_arn: str | None = None


class _RoleWalk(NamedTuple):
    """AssumeRoleProvider's resolution from one role profile down its source chain."""

    problem: _Problem | None
    mfa_serial: str | None
    chained: bool
    ends_at: str | None = None  # the profile whose own credentials the chain starts from


class _Step(NamedTuple):
    problem: _Problem | None = None
    next_role: str | None = None  # the source is itself a role profile: walk on
    chained: bool = False
    ends_at: str | None = None


def _sub_section(key: str) -> _Problem:
    return _Problem(f"{key} is an indented sub-section (`key = value` lines), not a value",
                    fatal=True)


def _text(section: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = section.get(key)
        if isinstance(value, str):
            value = value.strip()
            if value and len(value) <= MAX_VALUE_LENGTH:
                return value
    return None


def _is_role_profile(section: Mapping[str, Any]) -> bool:
    """AssumeRoleProvider._has_assume_role_config_vars."""
    return "role_arn" in section and "web_identity_token_file" not in section


def _has_keys(section: Mapping[str, Any]) -> bool:
    """AssumeRoleProvider._has_static_credentials: either key, even without the other."""
    return _SECRET in section or _KEY_ID in section


def _role_arn_problem(role_arn: Any, role_name: str | None) -> _Problem | None:
    """Why AWS STS will refuse this role_arn (``role_name``: of role_arn_parts), or None."""
    if isinstance(role_arn, dict):
        return _sub_section("role_arn")
    if not isinstance(role_arn, str) or role_name is None:
        return _Problem("role_arn is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    if len(role_arn) > MAX_VALUE_LENGTH:
        return _Problem(f"role_arn is longer than {MAX_VALUE_LENGTH} characters")
    return None


# Settings AssumeRoleProvider passes to STS as they are: a sub-section there is never a value.
_ROLE_PARAMETERS = ("mfa_serial", "external_id", "role_session_name", "duration_seconds")
# roleport's own display settings: an odd value there is only left out.
_DISPLAY_SETTINGS = ("roleport_account_name", "roleport_container", "roleport_color",
                     "granted_color", "roleport_icon", "granted_icon", "roleport_destination",
                     "roleport_account_color")
# Every setting shown as it is written.
_SHOWN_SETTINGS = ("region", "source_profile", "roleport_console_duration", *_DISPLAY_SETTINGS)
_SHOWN_SETTING_SET = frozenset(_SHOWN_SETTINGS)


class Describer:
    """Describes every profile of one parse, each the way botocore will resolve it.

    Each profile's credential providers and each role's source chain are worked out once and
    remembered, so describing thousands of profiles that share sources stays linear.
    """

    def __init__(self, parsed: ParsedConfig) -> None:
        full_config = parsed.full_config
        profiles = full_config.get("profiles")
        profiles = profiles if isinstance(profiles, dict) else {}
        # botocore's loader gives every section as a dict; anything else reads as empty.
        if not all(section.__class__ is dict for section in profiles.values()):
            profiles = {name: section if isinstance(section, dict) else {}
                        for name, section in profiles.items()}
        self.profiles: dict[str, dict[str, Any]] = profiles
        # Sections with an indented sub-section somewhere: only these need shape checks.
        self._nested = {name for name, section in profiles.items()
                        if dict in map(type, section.values())}
        sessions = full_config.get("sso_sessions")
        self.sso_sessions: dict[str, Any] = sessions if isinstance(sessions, dict) else {}
        self.credentials_sections = parsed.credentials_sections
        self.config_keys = parsed.config_keys
        self._sources: dict[str, _Source] = {}
        self._roles: dict[str, _RoleWalk] = {}
        self.unusable: dict[str, str] = {}
        self._login_problem: _Problem | Literal[False] | None = None
        self._arn_parts: dict[str, tuple[str | None, str | None, str | None]] = {}
        self._regions: dict[str, bool] = {}

    def section(self, name: str) -> Mapping[str, Any]:
        return self.profiles.get(name) or {}

    def describe_all(self, previous: ConfigSnapshot | None = None) -> Iterable[Profile]:
        """Every profile, in botocore's order; with ``previous``, those whose inputs did not
        change since it are its Profile objects (reuse)."""
        reused = self.reuse(previous) if previous is not None else {}
        for name in self.profiles:
            profile = reused.get(name)
            yield profile if profile is not None else self.describe(name)

    def described_from(self) -> DescribedFrom:
        return DescribedFrom(self.profiles, self.credentials_sections, self.config_keys,
                             self.sso_sessions)

    def reuse(self, previous: ConfigSnapshot) -> dict[str, Profile]:
        """The profiles of ``previous`` this parse would describe the same way.

        A description reads the profile's own sections (config, credentials file, the config
        file's keys it overrides), for a role profile those of every profile down its
        source_profile chain, the [sso-session] sections, and nothing else of the files
        (the rest is fixed for the process: which extras botocore has, roleport's rules).
        So a profile is kept when those inputs compare equal to what ``previous`` was
        described from; the chain is followed in this parse, where any change of it starts
        at a profile whose sections changed. Tests compare the result with a fresh parse.

        A chain that loops is described again whatever changed: which profile the loop
        error names, and the MFA device of the profiles entering it, depend on the profile
        the walk of a parse met the loop from first (Describer.role), so only describing every
        such profile in the file's order, as a fresh parse does, gives the same result.
        """
        before = previous.described_from
        if before is None or before.sso_sessions != self.sso_sessions:
            return {}
        same: dict[str, bool] = {}

        def unchanged(name: str) -> bool:
            known = same.get(name)
            if known is None:
                known = same[name] = (
                    before.profiles.get(name, _ABSENT) == self.profiles.get(name, _ABSENT)
                    and before.credentials_sections.get(name, _ABSENT)
                    == self.credentials_sections.get(name, _ABSENT)
                    and before.config_keys.get(name, _ABSENT)
                    == self.config_keys.get(name, _ABSENT))
            return known

        kept: dict[str, Profile] = {}
        for name in self.profiles:
            profile = previous.by_name.get(name)
            if profile is None:
                continue
            chain = role_chain(name, self.profiles)
            if not all(map(unchanged, chain)) or _loops_back(chain, self.profiles):
                continue
            kept[name] = profile
            why = previous.unusable.get(name)
            if why is not None:
                self.unusable[name] = why
        return kept

    def describe(self, name: str) -> Profile:
        try:
            return self._describe(name)
        except Exception as exc:  # listing is total: never one profile hides the others
            return _undescribed(name, f"roleport could not describe it ({type(exc).__name__})")

    def _describe(self, name: str) -> Profile:
        section = self.profiles[name]
        mfa_serial: str | None = None
        chained = False
        role_arn: str | None
        if "role_arn" in section and "web_identity_token_file" not in section:
            # roleport resolves a profile as botocore's default chain does, AssumeRoleProvider
            # first (credentials.CredentialResolver._load; _is_role_profile).
            kind = KIND_ASSUME_ROLE
            role_arn = section["role_arn"]
            if role_arn.__class__ is not str or not 0 < len(role_arn) <= MAX_VALUE_LENGTH:
                role_arn = None
            _partition, account_id, role_name = self.arn_parts(role_arn)
            walk = self._roles.get(name) or self.role(name)
            problem, mfa_serial, chained = walk.problem, walk.mfa_serial, walk.chained
        else:
            source = self.source(name)
            kind, problem = source.kind, source.problem
            account_id, role_name, role_arn = (source.account_id, source.role_name,
                                               source.role_arn)
        # One pass over the section's few settings (not a look-up of each shown one); only
        # odd values cost more.
        shown: dict[str, str] = {}
        odd: dict[str, bool] = {}  # setting -> is an indented sub-section
        for key, value in section.items():
            if key in _SHOWN_SETTING_SET:
                if value.__class__ is str and 0 < len(value) <= MAX_VALUE_LENGTH:
                    shown[key] = value
                elif value:
                    odd[key] = isinstance(value, dict)
        if len(odd) > 1:  # the first odd one in _SHOWN_SETTINGS order is the problem named
            odd = {key: odd[key] for key in _SHOWN_SETTINGS if key in odd}
        text = None
        first = problem or self._setting_problem(name, shown, odd)
        duration = shown.get("roleport_console_duration")
        if first is not None:
            text = first.text
            if first.where is not None and first.where != name:
                text = f"source profile {_shown(first.where)}: {text}"
            if first.fatal:
                self.unusable[name] = text
        return _new_profile({
            "name": name,
            "account_id": account_id,
            "account_name": shown.get("roleport_account_name"),
            "role_name": role_name,
            "role_arn": role_arn,
            "region": shown.get("region"),
            "kind": kind,
            "mfa": mfa_serial is not None,
            "mfa_serial": mfa_serial,
            "chained": chained,
            "source_profile": shown.get("source_profile"),
            "container": shown.get("roleport_container"),
            "color": shown.get("roleport_color") or shown.get("granted_color"),
            "icon": shown.get("roleport_icon") or shown.get("granted_icon"),
            "destination": shown.get("roleport_destination"),
            "console_duration": None if duration is None else parse_console_duration(duration),
            "problem": text,
            "account_color": shown.get("roleport_account_color"),
        })

    def _setting_problem(self, name: str, shown: Mapping[str, str],
                         odd: Mapping[str, bool]) -> _Problem | None:
        """What roleport itself refuses or leaves out (rules.py), after botocore's problems."""
        name_problem = profile_name_problem(name)
        if name_problem:
            return _Problem(f"{name_problem}, so it cannot be signed in to")
        region = shown.get("region")
        if region is not None:
            known = self._regions.get(region)  # a few regions, thousands of profiles
            if known is None:
                known = self._regions[region] = is_region(region)
            if not known:
                region = ""
        if "region" in odd or region == "":
            return _Problem("region is not an AWS region name such as eu-west-1")
        duration = shown.get("roleport_console_duration")
        if "roleport_console_duration" in odd or (
                duration is not None and parse_console_duration(duration) is None):
            return _Problem("roleport_console_duration is not whole seconds from 900 to 43200")
        for key, sub_section in odd.items():
            if key in _DISPLAY_SETTINGS:
                return _Problem(f"{key} is an indented sub-section, not a value" if sub_section
                                else f"{key} is longer than {MAX_VALUE_LENGTH} characters")
        return None

    def arn_parts(self, role_arn: Any) -> tuple[str | None, str | None, str | None]:
        """role_arn_parts, once per ARN (the description and the role walk both need it)."""
        if not isinstance(role_arn, str):
            return None, None, None
        parts = self._arn_parts.get(role_arn)
        if parts is None:
            parts = self._arn_parts[role_arn] = role_arn_parts(role_arn)
        return parts

    # -- ProfileProviderBuilder.providers ---------------------------------------------------

    def source(self, name: str) -> _Source:
        """The first of botocore's profile providers that answers for ``name``.

        Mirrors ``ProfileProviderBuilder.providers`` (web identity, SSO, the credentials
        file's keys, login, credential_process, the config file's keys), each provider's own
        test for "this profile is mine" included; what it would raise becomes the problem.
        """
        known = self._sources.get(name)
        if known is None:
            known = self._sources[name] = self._find_source(name)
        return known

    def _find_source(self, name: str) -> _Source:
        section = self.section(name)
        # AssumeRoleWithWebIdentityProvider._assume_role_with_web_identity (environment
        # variables are disabled for a named profile).
        token_file = section.get("web_identity_token_file")
        if token_file:
            role_arn = section.get("role_arn")
            problem = None
            if isinstance(token_file, dict):
                problem = _sub_section("web_identity_token_file")
            elif not role_arn:
                problem = _Problem("web_identity_token_file needs a role_arn beside it")
            else:
                problem = _role_arn_problem(role_arn, self.arn_parts(role_arn)[2])
            shown_arn = _text(section, "role_arn")
            _partition, account_id, role_name = self.arn_parts(shown_arn)
            return _Source(KIND_WEB_IDENTITY, problem, True, account_id, role_name, shown_arn)
        # SSOProvider._load_sso_config
        if "sso_role_name" in section or "sso_account_id" in section:
            return self._sso_source(section)
        # SharedCredentialProvider.load: the credentials file's own section.
        credentials = self.credentials_sections.get(name)
        if credentials is not None and _KEY_ID in credentials:
            return _key_source(credentials)
        # LoginProvider.load (its credentials are session credentials: a guess that a role
        # assumed from them is chained, as with any other temporary keys).
        if "login_session" in section:
            problem = (_sub_section("login_session") if isinstance(section["login_session"], dict)
                       else self._login_support())
            return _Source(KIND_LOGIN, problem, True)
        # Granted's generated profiles: their credential_process runs `granted`; roleport
        # reads the account and role from the granted_sso_* keys and signs in through IAM
        # Identity Center itself (Pipeline.login), so they are SSO profiles here.
        granted = granted_sso(section)
        if granted is not None:
            return _Source(KIND_SSO, None, True, granted.account_id, granted.role_name)
        # ProcessProvider.load: run later, never here. Whether its keys are temporary is
        # only known then (a guess: not role credentials).
        process = section.get("credential_process")
        if process is not None:
            problem = None
            if isinstance(process, dict):
                problem = _sub_section("credential_process")
            elif not process.strip():
                problem = _Problem("credential_process is empty", fatal=True)
            return _Source(KIND_CREDENTIAL_PROCESS, problem, False, _account_id(section))
        # ConfigProvider.load: the config file's own section.
        config_section = self._config_file_keys(name, section)
        if config_section is not None and _KEY_ID in config_section:
            return _key_source(config_section)
        problem = None
        if _SECRET in section:
            problem = _Problem("aws_secret_access_key without aws_access_key_id: botocore "
                               "finds no credentials here")
        return _Source(KIND_OTHER, problem)

    def _login_support(self) -> _Problem | None:
        """LoginProvider.load refuses to run without ``botocore.compat.EC``, which botocore
        imports from awscrt; whether awscrt is installed stands in for that import (a guess
        that does not import it: listing stays cheap)."""
        if self._login_problem is None:
            import importlib.util

            missing = importlib.util.find_spec("awscrt") is None
            self._login_problem = (
                _Problem("login_session needs botocore's CRT support (pip install "
                         "'botocore[crt]' beside roleport)", fatal=True) if missing else False)
        return self._login_problem or None

    def _config_file_keys(self, name: str, section: Mapping[str, Any]) -> Mapping[str, Any] | None:
        if name in self.config_keys:
            return self.config_keys[name]
        if name in self.credentials_sections:
            return None  # defined by the credentials file only
        return section

    def _sso_source(self, section: Mapping[str, Any]) -> _Source:
        """SSOProvider._load_sso_config and _resolve_sso_session_reference."""
        resolved: Mapping[str, Any] = section
        problem: _Problem | None = None
        required: tuple[str, ...] = _SSO_REQUIRED
        session_name = section.get("sso_session")
        if session_name is not None:
            required = (*_SSO_REQUIRED, "sso_session")
            if isinstance(session_name, dict):
                problem = _sub_section("sso_session")
            elif session_name not in self.sso_sessions:
                problem = _Problem(f"its sso_session {_shown(session_name)} has no "
                                   "[sso-session] section")
            else:
                merged = dict(section)
                session = self.sso_sessions[session_name]
                for key, value in (session.items() if isinstance(session, dict) else ()):
                    if merged.get(key, value) != value:
                        problem = _Problem(f"{key} differs between the profile and its "
                                           f"[sso-session {_shown_text(session_name)}]")
                        break
                    merged[key] = value
                resolved = merged
        if problem is None:
            missing = [key for key in required if key not in resolved]
            if missing:
                problem = _Problem("IAM Identity Center settings are missing: "
                                   + ", ".join(missing))
        if problem is None:
            for key in required:
                if isinstance(resolved[key], dict):
                    problem = _sub_section(key)
                    break
        account_id = _text(resolved, "sso_account_id")
        return _Source(KIND_SSO, problem, True,
                       account_id if is_account_id(account_id) else None,
                       _text(resolved, "sso_role_name"))

    # -- AssumeRoleProvider ------------------------------------------------------------------

    def role(self, name: str) -> _RoleWalk:
        """AssumeRoleProvider's walk from the role profile ``name`` down its sources.

        A role profile whose source is itself a role profile without keys is walked on
        (``_resolve_credentials_from_profile``); the walk stops at a credential_source, at a
        source answered by the profile providers, at an error, or at a loop. Each profile's
        walk is remembered, so a chain shared by many profiles is walked once.

        botocore's loop check (``_validate_source_profile``) looks at the profiles visited
        so far. Only two shapes of visit matter: a cycle of role profiles without keys (a
        loop from wherever it is entered) and a chain that ends at the keys of the profile it
        started from (a loop for that profile only; a profile may name itself directly to
        use its own keys). Both are checked here, so each remembered walk is the walk that
        starts at its profile.
        """
        known = self._roles.get(name)
        if known is not None:
            return known
        step = self._role_step(name)
        if step.next_role is None:  # the common walk: one role, its source answers
            known = self._roles[name] = _RoleWalk(step.problem, _mfa_of(self.profiles[name]),
                                                  step.chained, step.ends_at)
            return known
        path: list[tuple[str, _Step]] = []
        on_path: set[str] = set()
        current = name
        while True:
            known = self._roles.get(current)
            if known is not None:
                outcome = known
                break
            if current in on_path:
                outcome = _RoleWalk(_loop(current), None, True)
                for member, _step in path:
                    self._roles[member] = outcome._replace(
                        mfa_serial=_mfa_of(self.section(member)))
                return self._roles[name]
            step = self._role_step(current) if current != name else step
            if step.next_role is None:
                outcome = _RoleWalk(step.problem, _mfa_of(self.section(current)), step.chained,
                                    step.ends_at)
                self._roles[current] = outcome
                break
            path.append((current, step))
            on_path.add(current)
            current = step.next_role
        for member, step in reversed(path):
            deeper = outcome
            if deeper.ends_at == member:
                outcome = _RoleWalk(_loop(member), _mfa_of(self.section(member)), True)
            else:
                # botocore resolves the source (and its errors) before its own AssumeRole.
                outcome = _RoleWalk(deeper.problem or step.problem,
                                    _mfa_of(self.section(member)) or deeper.mfa_serial,
                                    step.chained, deeper.ends_at)
            self._roles[member] = outcome
        return self._roles[name]

    def _role_step(self, name: str) -> _Step:
        """One profile of the walk: _get_role_config, then _resolve_source_credentials."""
        section = self.profiles[name]
        source_profile = section.get("source_profile")
        credential_source = section.get("credential_source")
        role_arn = section.get("role_arn")
        own = None
        if role_arn.__class__ is not str or self.arn_parts(role_arn)[2] is None \
                or len(role_arn) > MAX_VALUE_LENGTH:
            own = _role_arn_problem(role_arn, self.arn_parts(role_arn)[2])
        if own is None and name in self._nested:
            own = next((_sub_section(key) for key in _ROLE_PARAMETERS
                        if isinstance(section.get(key), dict)), None)
        if own is not None:
            own = own._replace(where=name)
        if credential_source is not None and source_profile is not None:
            return _Step(_Problem("it has both source_profile and credential_source; botocore "
                                  "allows one", where=name))
        if credential_source is None and source_profile is None:
            return _Step(_Problem("role_arn needs a source_profile or a credential_source",
                                  where=name))
        if credential_source is not None:
            if isinstance(credential_source, dict):
                return _Step(_sub_section("credential_source")._replace(where=name))
            if credential_source not in CREDENTIAL_SOURCES:
                return _Step(_Problem("credential_source is not one of "
                                      + ", ".join(CREDENTIAL_SOURCES), where=name))
            # A guess for Environment (EnvProvider.load): the variables are taken as long-term
            # keys; temporary ones there make AWS refuse SessionDuration, and the pipeline
            # then signs in without it.
            return _Step(own, chained=credential_source in _ROLE_CREDENTIAL_SOURCES)
        if isinstance(source_profile, dict):
            return _Step(_sub_section("source_profile")._replace(where=name))
        if source_profile not in self.profiles:
            return _Step(_Problem(f"its source_profile {_shown(str(source_profile))} does not "
                                  "exist", where=name))
        source_section = self.profiles[source_profile]
        if source_profile == name and not _has_keys(section):
            # A profile may name itself only to use keys of its own section.
            return _Step(_loop(name))
        if source_profile != name and _is_role_profile(source_section) \
                and not _has_keys(source_section):
            return _Step(own, next_role=source_profile, chained=True)
        source = self._sources.get(source_profile) or self.source(source_profile)
        if source.kind == KIND_OTHER:
            return _Step(_Problem(f"its source_profile {_shown(source_profile)} has no "
                                  "credentials", where=name))
        if source.problem is not None:
            return _Step(source.problem._replace(where=source_profile), chained=source.temporary,
                         ends_at=source_profile)
        return _Step(own, chained=source.temporary, ends_at=source_profile)


def _key_source(section: Mapping[str, Any]) -> _Source:
    """SharedCredentialProvider / ConfigProvider: keys of one file's section."""
    problem = None
    if _SECRET not in section:
        problem = _Problem("aws_access_key_id has no aws_secret_access_key beside it in the "
                           "same file")
    elif isinstance(section[_KEY_ID], dict) or isinstance(section[_SECRET], dict):
        problem = _sub_section(_KEY_ID if isinstance(section[_KEY_ID], dict) else _SECRET)
    token = next((section[key] for key in _TOKENS if key in section), None)
    return _Source(KIND_STATIC, problem, bool(token), _account_id(section))


def _account_id(section: Mapping[str, Any]) -> str | None:
    """aws_account_id, which botocore's key and process providers report as the account."""
    account = _text(section, _ACCOUNT_ID)
    return account if is_account_id(account) else None


def _loop(name: str) -> _Problem:
    """botocore's InfiniteLoopConfigError, as every profile on the way into the loop meets it."""
    return _Problem(f"its source_profile chain loops back to {_shown(name)}")


def _mfa_of(section: Mapping[str, Any]) -> str | None:
    """The mfa_serial botocore sends with this role profile's AssumeRole."""
    return None if "mfa_serial" not in section else _text(section, "mfa_serial")


def _undescribed(name: str, problem: str) -> Profile:
    return Profile(name=name, account_id=None, account_name=None, role_name=None,
                   role_arn=None, region=None, kind=KIND_OTHER, mfa=False, mfa_serial=None,
                   chained=False, source_profile=None, container=None, color=None, icon=None,
                   destination=None, console_duration=None, problem=problem)
