"""Differential tests: roleport's profile list against botocore's own, on random AWS files.

Properties, on random but realistic config and credentials files (every setting botocore
reads for credentials, profiles naming each other, loops, missing targets, the same section in
both files, CRLF, a BOM, comments, odd whitespace, case variants, non-ASCII names, values of
unexpected shapes, and now and then a line botocore refuses):
- `roleport list --json`, the host's `profiles` action (all pages) and botocore
  (``Session.available_profiles``) list the same profiles, in the same order;
- nothing crashes; a file botocore refuses is a config_error naming that file and a line;
- listing never starts a process (a credential_process would leave a marker file) and never
  opens a socket (checked with an audit hook, PEP 578);
- each profile's ``kind`` is the provider botocore's own resolution picks (run here with
  roleport's provider order, with every source that would run a process or touch the network
  answered in memory), a profile botocore refuses carries a ``problem``, and ``chained`` says
  whether the role's source credentials are temporary.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from roleport import actions, cli
from roleport.errors import ERRORS, RoleportError
from roleport.profiles import MAX_VALUE_LENGTH, load_snapshot

from support.hostproc import CHROME_CALLER

EXAMPLES = int(os.environ.get("ROLEPORT_PROPERTY_EXAMPLES", "60"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)

# -- watching for processes and sockets ------------------------------------------------------

_FORBIDDEN_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                     "os.fork", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname")
_watching: list[list[str]] = []


def _audit(event: str, _args: Any) -> None:
    if _watching and event.startswith(_FORBIDDEN_EVENTS):
        _watching[-1].append(event)


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one only records when asked


@contextmanager
def forbidden_events() -> Iterator[list[str]]:
    """Collects process starts and network use (PEP 578 audit events) inside the block."""
    seen: list[str] = []
    _watching.append(seen)
    try:
        yield seen
    finally:
        _watching.pop()


# -- random AWS files ------------------------------------------------------------------------

ACCOUNTS = ("111122223333", "123456789012", "000000000001")
FIXED_NAMES = ("", "default", "dev", "Dev", "prod", "base", "admin", "café", "名前", "a.b-c_d@x",
               "two words", "x" * 300)
names = st.one_of(
    st.sampled_from(FIXED_NAMES), st.sampled_from(FIXED_NAMES), st.sampled_from(FIXED_NAMES),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                          blacklist_characters="\r\n\x85"), min_size=1, max_size=10),
)
SESSION_NAMES = ("corp", "other")
NESTED = "\n    source = Ec2InstanceMetadata\n    other = x"
ODD_VALUES = ("", "x" * 5000, "\u202eüñî😀\u200b", "  spaced  ", "#not-a-comment", NESTED)


def _arns() -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda account, role: f"arn:aws:iam::{account}:role/{role}",
                  st.sampled_from(ACCOUNTS), st.sampled_from(("Admin", "path/ReadOnly", "R"))),
        st.sampled_from(("arn:aws-us-gov:iam::111122223333:role/Gov",
                         "arn:aws:iam::111122223333:user/alice", "not-an-arn")),
    )


def settings_values(profile_names: list[str], marker_command: str) -> dict[str, Any]:
    """Values for every setting botocore reads to find a profile's credentials."""
    sources = st.sampled_from([*profile_names, "missing", ""])
    return {
        "role_arn": _arns(),
        "source_profile": sources,
        "credential_source": st.sampled_from(("Environment", "Ec2InstanceMetadata",
                                              "EcsContainer", "ec2instancemetadata",
                                              "SharedConfig")),
        "web_identity_token_file": st.just("/nonexistent/roleport-test/token"),
        "role_session_name": st.just("session"),
        "external_id": st.just("external"),
        "mfa_serial": st.just("arn:aws:iam::111122223333:mfa/alice"),
        "duration_seconds": st.sampled_from(("3600", "one hour")),
        "sso_session": st.sampled_from((*SESSION_NAMES, "absent")),
        "sso_start_url": st.just("https://example.awsapps.com/start"),
        "sso_region": st.sampled_from(("us-east-1", "eu-west-1")),
        "sso_account_id": st.sampled_from(ACCOUNTS),
        "sso_role_name": st.sampled_from(("Developer", "ReadOnly")),
        "sso_registration_scopes": st.just("sso:account:access"),
        "aws_access_key_id": st.just("AKIAEXAMPLEDIFF00001"),
        "aws_secret_access_key": st.just("diff-secret-not-real"),
        "aws_session_token": st.just("diff-token-not-real"),
        "aws_security_token": st.just("diff-token-not-real"),
        "aws_account_id": st.sampled_from(ACCOUNTS),
        "credential_process": st.just(marker_command),
        "login_session": st.just("arn:aws:iam::111122223333:user/alice"),
        "region": st.sampled_from(("eu-west-1", "us-gov-west-1", "moon-1")),
        "roleport_console_duration": st.sampled_from(("3600", "forever")),
        "roleport_color": st.just("red"),
        "roleport_account_name": st.just("Production"),
    }


# Realistic profiles, as people write them; random settings and odd values are added on top.
RECIPES = {
    "role": ("role_arn", "source_profile"),
    "role with MFA": ("role_arn", "source_profile", "mfa_serial", "region"),
    "role from a credential_source": ("role_arn", "credential_source"),
    "IAM Identity Center": ("sso_session", "sso_account_id", "sso_role_name", "region"),
    "legacy IAM Identity Center": ("sso_start_url", "sso_region", "sso_account_id",
                                   "sso_role_name"),
    "web identity": ("role_arn", "web_identity_token_file"),
    "keys": ("aws_access_key_id", "aws_secret_access_key"),
    "temporary keys": ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"),
    "credential_process": ("credential_process", "region"),
    "keys and credential_process": ("aws_access_key_id", "aws_secret_access_key",
                                    "credential_process"),
    "key id and credential_process": ("aws_access_key_id", "credential_process"),
    "secret only": ("aws_secret_access_key",),
    "role with its own keys": ("role_arn", "source_profile", "aws_access_key_id",
                               "aws_secret_access_key"),
    "aws login": ("login_session", "region"),
    "settings only": ("region",),
    "random": (),
}
CREDENTIALS_RECIPES = ("keys", "keys", "temporary keys", "temporary keys", "role",
                       "credential_process", "secret only", "random")


@st.composite
def section(draw: Any, name: str, profile_names: list[str], marker_command: str,
            for_credentials: bool) -> list[str]:
    """One section: its header line and its setting lines."""
    if for_credentials:
        header = draw(st.sampled_from((f"[{name}]", f"[{name}]", f"[profile {name}]")))
        recipe = draw(st.sampled_from(CREDENTIALS_RECIPES))
    else:
        if name == "default" and draw(st.booleans()):
            header = "[default]"
        else:
            header = draw(st.sampled_from((
                f"[profile {name}]", f"[profile {name}]", f"[profile {name}]",
                f"[profile  {name} ]", f"[Profile {name}]", f'[profile "{name}"]',
                f"[profiles {name}]", f"[profile {name} extra]")))
        recipe = draw(st.sampled_from(sorted(RECIPES)))
    values = settings_values(profile_names, marker_command)
    extra = draw(st.lists(st.sampled_from(sorted(values)), unique=True,
                          max_size=7 if recipe == "random" else 2))
    keys = list(dict.fromkeys([*RECIPES[recipe], *extra]))
    lines = [header]
    for key in keys:
        odd = draw(st.integers(0, 5)) == 0
        value = draw(st.sampled_from(ODD_VALUES) if odd else values[key])
        if recipe == "role with its own keys" and key == "source_profile" and not odd:
            value = name
        shown_key = draw(st.sampled_from((key, key, key, key.upper(), key.title())))
        separator = draw(st.sampled_from((" = ", " = ", "=", "   =  ", " : ")))
        if value.startswith("\n"):
            separator = " ="
        lines.append(f"{shown_key}{separator}{value}")
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(("# a comment", "; another", "", "   "))))
    return lines


EXTRA_SECTIONS = (
    ["[sso-session corp]", "sso_start_url = https://corp.awsapps.com/start",
     "sso_region = us-east-1"],
    ["[sso-session other]", "sso_start_url = https://other.awsapps.com/start",
     "sso_region = eu-west-1", "sso_registration_scopes = sso:account:access"],
    ["[DEFAULT]", "region = eu-west-1"],
    ["[services dev]", "s3 =", "  endpoint_url = http://localhost"],
    ["[preview]", "cloudfront = true"],
)
BREAKAGES = ("none",) * 30 + ("garbage", "duplicate-option", "orphan-setting", "latin-1",
                              "bom", "nested-without-equals", "duplicate-section")


@st.composite
def aws_file(draw: Any, profile_names: list[str], marker_command: str,
             for_credentials: bool) -> bytes:
    section_names = draw(st.lists(st.sampled_from(profile_names), unique=True,
                                  min_size=len(profile_names) // 2, max_size=6))
    blocks = [draw(section(name, profile_names, marker_command, for_credentials))
              for name in section_names]
    if not for_credentials:
        blocks += draw(st.lists(st.sampled_from(EXTRA_SECTIONS), max_size=3, unique_by=id))
    blocks = draw(st.permutations(blocks))
    lines = [line for block in blocks for line in [*block, ""]]
    breakage = draw(st.sampled_from(BREAKAGES))
    position = draw(st.integers(0, len(lines)))
    if breakage == "garbage":
        lines.insert(position, "this line is broken")
    elif breakage == "orphan-setting":
        lines.insert(0, "region = eu-west-1")
    elif breakage == "duplicate-option" and lines:
        lines += ["[profile dup-option]", "region = a", "region = b"]
    elif breakage == "duplicate-section":
        lines += ["[profile dup]", "region = a", "[profile dup]", "region = b"]
    elif breakage == "nested-without-equals":
        lines += ["[profile nested]", "credential_source =", "    Ec2InstanceMetadata"]
    elif breakage == "latin-1":
        lines.insert(position, "# caf\udce9")  # one byte that is not UTF-8 (surrogateescape)
    newline = draw(st.sampled_from(("\n", "\n", "\r\n")))
    data = newline.join(lines).encode("utf-8", "surrogateescape")
    if breakage == "bom":
        data = b"\xef\xbb\xbf" + data
    return data


@st.composite
def aws_files(draw: Any) -> tuple[bytes, bytes]:
    profile_names = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    return (draw(aws_file(profile_names, MARKER_COMMAND, False)),
            draw(aws_file(profile_names, MARKER_COMMAND, True)))


# The credential_process of every generated profile: it would create MARKER if ever run.
MARKER_DIR = Path(tempfile.mkdtemp(prefix="roleport-marker-"))
MARKER = MARKER_DIR / "credential_process-ran"
MARKER_COMMAND = " ".join(shlex.quote(part) for part in (
    sys.executable, "-c", f"open({str(MARKER)!r}, 'w').close()"))


# -- the three listings ----------------------------------------------------------------------

@contextmanager
def aws_environment(config: bytes, credentials: bytes) -> Iterator[dict[str, str]]:
    """Fresh files (so no parse cache can answer) and an environment naming them."""
    with tempfile.TemporaryDirectory(prefix="roleport-diff-") as scratch:
        config_file, credentials_file = Path(scratch, "config"), Path(scratch, "credentials")
        config_file.write_bytes(config)
        credentials_file.write_bytes(credentials)
        environ = {"AWS_CONFIG_FILE": str(config_file),
                   "AWS_SHARED_CREDENTIALS_FILE": str(credentials_file)}
        with mock.patch.dict(os.environ, environ):
            yield environ


def botocore_session(environ: dict[str, str]) -> Any:
    """A botocore session on the files (the profile is always passed explicitly, as roleport
    does: profiles.new_botocore_session)."""
    import botocore.session

    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    session.set_config_variable("config_file", environ["AWS_CONFIG_FILE"])
    session.set_config_variable("credentials_file", environ["AWS_SHARED_CREDENTIALS_FILE"])
    return session


def botocore_listing(session: Any) -> list[str] | Exception:
    """botocore's own answer: the profile names, or the ConfigParseError it raises."""
    from botocore.exceptions import ConfigParseError

    try:
        return list(session.available_profiles)
    except ConfigParseError as exc:
        return exc


def refused_file(environ: dict[str, str]) -> str:
    """The file botocore refused: the config file is parsed first (Session.full_config)."""
    import botocore.configloader
    from botocore.exceptions import ConfigParseError

    try:
        botocore.configloader.raw_config_parse(environ["AWS_CONFIG_FILE"])
    except ConfigParseError:
        return environ["AWS_CONFIG_FILE"]
    return environ["AWS_SHARED_CREDENTIALS_FILE"]


def cli_listing() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["list", "--json"], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def host_listing(environ: dict[str, str]) -> tuple[list[str], int]:
    """Every page of the host's `profiles` action: the names, and the number of columns.

    The one place this test knows how the host's actions are reached.
    """
    context = actions.HostContext(CHROME_CALLER, environ)
    names: list[str] = []
    offset: int | None = 0
    columns = 0
    while offset is not None:
        reply = json.loads(actions.handle_profiles(context, {"offset": offset}).data)
        columns = len(reply["columns"])
        # Trailing nulls are left out (PROTOCOL.md), never more: a row is never too long.
        assert all(1 <= len(row) <= columns and row[-1] is not None for row in reply["rows"])
        names += [row[0] for row in reply["rows"]]
        assert reply["total"] >= len(names)
        offset = reply["next_offset"]
    return names, columns


def line_count(path: str) -> int:
    text = Path(path).read_bytes().decode("utf-8", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


# -- botocore's own resolution, kept off processes and the network --------------------------

class _InMemorySource:
    """Stands in for botocore's container and instance-metadata providers, which would call
    an HTTP endpoint: answers with temporary (role) credentials at once."""

    METHOD = "in-memory"

    def __init__(self, canonical_name: str) -> None:
        self.CANONICAL_NAME = canonical_name

    def load(self) -> Any:
        from botocore.credentials import Credentials

        return Credentials("ASIAINMEMORY00000001", "in-memory-secret", "in-memory-token")


class _ProcessAnswer:
    """Stands in for subprocess.Popen in botocore's ProcessProvider: answers valid output."""

    returncode = 0

    def __init__(self, args: list[str], **_kwargs: Any) -> None:
        if not args:
            raise IndexError("no command")  # what Popen does with an empty command

    def communicate(self) -> tuple[bytes, bytes]:
        return json.dumps({"Version": 1, "AccessKeyId": "AKIAPROCESS000000001",
                           "SecretAccessKey": "process-secret"}).encode(), b""


def _no_client(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("resolving a profile must not create an AWS client")


def botocore_resolution(session: Any, name: str) -> tuple[str | None, bool | None]:
    """(botocore's credential method, whether a role's source credentials are temporary),
    resolving ``name`` with roleport's provider order (credentials.CredentialResolver._load);
    ("error", None) when botocore raises."""
    from botocore.credentials import (
        AssumeRoleProvider,
        CanonicalNameCredentialSourcer,
        CredentialResolver,
        DeferredRefreshableCredentials,
        EnvProvider,
        ProcessProvider,
        ProfileProviderBuilder,
    )

    class Builder(ProfileProviderBuilder):  # type: ignore[misc]
        def _create_process_provider(self, profile_name: str) -> ProcessProvider:
            return ProcessProvider(profile_name=profile_name,
                                   load_config=lambda: session.full_config,
                                   popen=_ProcessAnswer)

    builder = Builder(session, cache={}, region_name="us-east-1")
    sourcer = CanonicalNameCredentialSourcer([
        EnvProvider(environ={"AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00001",
                             "AWS_SECRET_ACCESS_KEY": "environment-secret"}),
        _InMemorySource("EcsContainer"), _InMemorySource("Ec2InstanceMetadata"),
    ])
    assume_role = AssumeRoleProvider(
        load_config=lambda: session.full_config, client_creator=_no_client, cache={},
        profile_name=name, prompter=_no_client, credential_sourcer=sourcer,
        profile_provider_builder=builder)
    providers = [assume_role, *builder.providers(profile_name=name, disable_env_vars=True)]
    try:
        found = CredentialResolver(providers=providers).load_credentials()
    except Exception:
        return "error", None
    if found is None:
        return None, None
    chained = None
    if found.method == "assume-role":
        refresh = found._refresh_using
        fetcher = getattr(getattr(refresh, "_refresh", refresh), "__self__", None)
        source = getattr(fetcher, "_source_credentials", None)
        if source is not None:
            chained = isinstance(source, DeferredRefreshableCredentials) or bool(source.token)
    return found.method, chained


KIND_OF_METHOD = {
    "assume-role": "assume-role",
    "assume-role-with-web-identity": "web-identity",
    "sso": "sso",
    "shared-credentials-file": "static",
    "config-file": "static",
    "login": "login",
    "custom-process": "credential_process",
    None: "other",
}


# -- the property ----------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(files=aws_files())
def test_roleport_lists_what_botocore_lists(aws_home: Any, files: tuple[bytes, bytes]) -> None:
    config, credentials = files
    with aws_environment(config, credentials) as environ:
        session = botocore_session(environ)
        expected = botocore_listing(session)
        with forbidden_events() as events:
            code, out, err = cli_listing()
            try:
                host: tuple[list[str], int] | RoleportError = host_listing(environ)
            except RoleportError as error:
                host = error
        assert events == [], f"listing started a process or used the network: {events}"
        assert not MARKER.exists(), "listing ran a credential_process"

        if isinstance(expected, Exception):
            event("refused by botocore")
            path = refused_file(environ)
            assert code == ERRORS["config_error"].exit_code, err
            assert path in err and " line " in err
            assert isinstance(host, RoleportError) and host.code == "config_error"
            assert host.fields["config_file"] == path
            assert 1 <= host.fields["line"] <= line_count(path)
            return

        assert code == 0 and err == ""
        listed = json.loads(out)
        assert [profile["name"] for profile in listed] == expected
        assert not isinstance(host, RoleportError), host.message
        assert host[0] == expected
        assert host[1] == len(actions.PROFILE_COLUMNS)
        for profile in listed:
            assert profile["kind"] in set(KIND_OF_METHOD.values())
            for field, value in profile.items():  # wire-ready values (profiles.Profile)
                assert value is None or isinstance(value, (bool, int, str)), field
                if isinstance(value, str) and field != "name":
                    assert 0 < len(value) <= MAX_VALUE_LENGTH, field
            assert profile["problem"] is None or isinstance(profile["problem"], str)
            assert not (profile["problem"] or "").startswith("roleport could not describe")
            method, chained = botocore_resolution(session, profile["name"])
            event(f"botocore: {method}, roleport: {profile['kind']}")
            if method == "error":
                assert profile["problem"], f"botocore refuses {profile['name']!r}"
                continue
            assert profile["kind"] == KIND_OF_METHOD[method], profile["name"]
            if chained is not None:
                event(f"chained compared: {chained}")
                assert profile["chained"] is chained, profile["name"]
        # A profile roleport refuses to use before botocore tries must be one botocore cannot
        # use either: it raises, or a setting it uses is a sub-section (never a valid value).
        snapshot = load_snapshot()
        for name, why in snapshot.unusable.items():
            assert ("sub-section" in why
                    or botocore_resolution(session, name)[0] == "error"), (name, why)


@pytest.fixture(autouse=True)
def _no_marker() -> Iterator[None]:
    MARKER.unlink(missing_ok=True)
    yield
    assert not MARKER.exists()
