"""IAM Identity Center: device sign-in, the AWS CLI's cache format both ways, refresh,
discovery and discovered-role logins, against the stand-in over HTTP."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from roleport.errors import RoleportError
from roleport.pipeline import Pipeline
from roleport.sso.flows import CANCELLED, FAILED, PENDING, SUCCEEDED, Flow
from roleport.sso.service import SsoService
from roleport.sso.sessions import SsoSession, sso_sessions
from roleport.sso.token_cache import registration_key

from support.standin import StandIn
from support.standin.identity_center import SsoAccount, scale_directory
from support.waiting import wait_for
from tests.conftest import AwsHome

START_URL = "https://corp.awsapps.com/start"
CONFIG = f"""
[sso-session corp]
sso_start_url = {START_URL}
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile prod-admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
"""


@pytest.fixture
def configured(aws_home: AwsHome) -> AwsHome:
    aws_home.write_config(CONFIG)
    return aws_home


@pytest.fixture
def service(configured: AwsHome, standin: StandIn, tmp_path: Path) -> Iterator[SsoService]:
    instance = SsoService(discovery_dir=tmp_path / "discovery")
    yield instance
    instance.close()


def corp(service: SsoService) -> SsoSession:
    return service.session("corp")


def finished(flow: Flow) -> bool:
    return flow.state != PENDING


def sign_in(service: SsoService, standin: StandIn) -> Flow:
    flow = service.flows.start(corp(service))
    assert standin.identity_center.decide(flow.authorization.user_code, approve=True)
    wait_for(lambda: finished(flow), message="the sign-in")
    assert flow.state == SUCCEEDED, flow.error
    return flow


def token_file(home: Path, name: str) -> Path:
    return home / ".aws" / "sso" / "cache" / (hashlib.sha1(name.encode()).hexdigest() + ".json")


def test_sessions_come_from_sso_session_sections_and_legacy_profiles() -> None:
    full_config = {
        "sso_sessions": {"corp": {"sso_start_url": START_URL, "sso_region": "eu-west-1",
                                  "sso_registration_scopes": "sso:account:access, ,x"},
                         "broken": {"sso_start_url": START_URL}},
        "profiles": {"old": {"sso_start_url": "https://old.awsapps.com/start",
                             "sso_region": "us-east-1"},
                     "new": {"sso_session": "corp"}},
    }
    sessions = sso_sessions(full_config)
    assert [(s.key, s.name, s.scopes) for s in sessions] == [
        ("corp", "corp", ("sso:account:access", "x")),
        ("https://old.awsapps.com/start", None, ())]


def test_device_sign_in_writes_the_aws_cli_cache_files(service: SsoService, standin: StandIn,
                                                       configured: AwsHome) -> None:
    flow = service.flows.start(corp(service))
    public = flow.public()
    assert public["state"] == PENDING and public["user_code"]
    assert public["verification_uri_complete"].endswith(public["user_code"])
    assert "device_code" not in json.dumps(public).lower()
    assert standin.identity_center.decide(flow.authorization.user_code, approve=True)
    wait_for(lambda: finished(flow), message="the sign-in")
    assert flow.state == SUCCEEDED, flow.error
    path = token_file(configured.home, "corp")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = json.loads(path.read_text())
    assert set(token) == {"startUrl", "region", "accessToken", "expiresAt", "clientId",
                          "clientSecret", "registrationExpiresAt", "refreshToken"}
    assert token["startUrl"] == START_URL and token["region"] == "eu-west-1"
    assert token["expiresAt"].endswith("Z") and token["registrationExpiresAt"].endswith("Z")
    registration_file = path.parent / (registration_key(corp(service)) + ".json")
    registration = json.loads(registration_file.read_text())
    assert registration["clientId"] == token["clientId"]
    assert registration["scopes"] == ["sso:account:access"]
    assert stat.S_IMODE(registration_file.stat().st_mode) == 0o600
    # botocore's own token provider reads roleport's token.
    import botocore.session
    from botocore.tokens import SSOTokenProvider

    session = botocore.session.Session()
    provider = SSOTokenProvider(session, profile_name="prod-admin")
    frozen = provider.load_token().get_frozen_token()
    assert frozen.token == token["accessToken"]
    # A second sign-in reuses the cached client registration.
    registrations = [c for c in standin.identity_center.calls if c.operation == "RegisterClient"]
    sign_in(service, standin)
    assert [c for c in standin.identity_center.calls
            if c.operation == "RegisterClient"] == registrations


def test_roleport_uses_a_token_the_aws_cli_wrote(service: SsoService, standin: StandIn,
                                                 configured: AwsHome) -> None:
    access_token = standin.sso_login(str(configured.home), start_url=START_URL,
                                     region="eu-west-1", session_name="corp")
    assert service.token_state(corp(service)).signed_in
    assert service.access_token(corp(service)) == access_token
    pipeline = Pipeline()
    try:
        result = pipeline.login_sso_role("corp", "222222222222", "Developer")
    finally:
        pipeline.close()
    assert result.identity["account"] == "222222222222"
    token = parse_qs(urlsplit(result.url).query)["SigninToken"][0]
    identity = standin.signin_token_identity(token)
    assert identity is not None and identity.role == "Developer"


def test_an_expiring_token_is_refreshed_through_botocore(service: SsoService, standin: StandIn,
                                                         configured: AwsHome) -> None:
    standin.identity_center.token_lifetime = standin.identity_center.token_lifetime / 80  # 6 min
    sign_in(service, standin)
    service.discovery.wait(corp(service), 20)  # the discovery after sign-in may refresh too
    before = json.loads(token_file(configured.home, "corp").read_text())
    refreshed = service.access_token(corp(service))  # inside botocore's 15-minute window
    after = json.loads(token_file(configured.home, "corp").read_text())
    assert refreshed != before["accessToken"] and after["accessToken"] == refreshed
    assert after["refreshToken"] != before["refreshToken"]
    assert any(c.operation == "CreateToken" for c in standin.identity_center.calls[-2:])


def test_missing_token_is_sso_signin_required_with_the_command(service: SsoService) -> None:
    with pytest.raises(RoleportError) as caught:
        service.access_token(corp(service))
    assert caught.value.code == "sso_signin_required"
    wire = caught.value.to_dict()
    assert wire["sso_session"] == "corp" and wire["start_url"] == START_URL
    assert wire["command"] == "roleport sso login --sso-session corp"


@pytest.mark.parametrize(("outcome", "code"), [
    ("deny", "sso_login_denied"), ("expire", "sso_login_expired"),
    ("cancel", "sso_login_cancelled")])
def test_sign_in_faults(service: SsoService, standin: StandIn, outcome: str, code: str) -> None:
    flow = service.flows.start(corp(service))
    if outcome == "deny":
        standin.identity_center.decide(flow.authorization.user_code, approve=False)
    elif outcome == "expire":
        standin.advance_clock(3600)
    else:
        service.flows.cancel(flow.flow_id)
    wait_for(lambda: finished(flow), message="the end of the sign-in")
    assert flow.state == (CANCELLED if outcome == "cancel" else FAILED)
    assert flow.error is not None and flow.error.code == code
    assert flow.public()["error"]["code"] == code


@pytest.mark.parametrize(("lifetime", "within"), [
    (600, "within 10 minutes."), (119, "within 1 minute."), (60, "within 1 minute."),
    (45, "within 45 seconds."), (1, "within 1 second.")])
def test_an_expired_code_hint_names_its_lifetime_in_words(
        service: SsoService, standin: StandIn, lifetime: int, within: str) -> None:
    standin.identity_center.device_code_lifetime = timedelta(seconds=lifetime)
    flow = service.flows.start(corp(service))
    standin.advance_clock(lifetime + 1)
    wait_for(lambda: finished(flow), message="the end of the sign-in")
    assert flow.error is not None and flow.error.code == "sso_login_expired"
    assert flow.error.hint == f"Start the sign-in again and approve it {within}"


def test_slow_down_makes_the_flow_poll_slower_and_still_succeed(service: SsoService,
                                                               standin: StandIn) -> None:
    standin.identity_center.inject_fault("slow_down", "CreateToken")
    flow = service.flows.start(corp(service))
    standin.identity_center.decide(flow.authorization.user_code, approve=True)
    wait_for(lambda: finished(flow), timeout=20, message="the sign-in")
    assert flow.state == SUCCEEDED
    polls = [c for c in standin.identity_center.calls if c.operation == "CreateToken"]
    assert polls[0].fault == "slow_down" and polls[-1].status == 200


def test_two_sign_ins_at_once_share_one_flow(service: SsoService, standin: StandIn) -> None:
    flows: list[Flow] = []
    threads = [threading.Thread(target=lambda: flows.append(service.flows.start(corp(service))))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(flows) == 2 and flows[0] is flows[1]
    assert len([c for c in standin.identity_center.calls
                if c.operation == "StartDeviceAuthorization"]) == 1
    service.flows.cancel(flows[0].flow_id)


@pytest.mark.parametrize("how", ["file-in-the-way", "read-only"])
def test_an_unwritable_cache_folder_is_a_clear_error(service: SsoService, configured: AwsHome,
                                                     how: str) -> None:
    folder = configured.home / ".aws" / "sso" / "cache"
    folder.parent.mkdir(parents=True, mode=0o700)
    if how == "file-in-the-way":
        folder.write_text("not a folder")
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders")
        folder.mkdir(mode=0o700)
        folder.chmod(0o500)
    try:
        with pytest.raises(RoleportError) as caught:
            service.flows.start(corp(service))
    finally:
        if folder.is_dir():
            folder.chmod(0o700)
    assert caught.value.code == "sso_cache_unwritable"
    assert str(folder) in caught.value.message


def test_discovery_lists_every_account_and_role_and_caches_it(
        service: SsoService, standin: StandIn, configured: AwsHome, tmp_path: Path) -> None:
    standin.identity_center.directory = scale_directory(30, 3)
    sign_in(service, standin)  # a sign-in starts discovery behind it
    listing = service.discovery.wait(corp(service), 20)
    assert listing.error is None and len(listing.accounts) == 30
    assert listing.accounts[0].name == "Account 0000"
    assert listing.accounts[0].email == "acct0000@example.com"
    assert listing.accounts[0].roles == ("Role1", "Role2", "Role3")
    files = list((tmp_path / "discovery").iterdir())
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    text = files[0].read_text()
    for secret in standin.identity_center.known_secrets():
        assert secret not in text
    # A new process serves the cache at once, without asking the portal.
    calls = len(standin.identity_center.calls)
    fresh = SsoService(discovery_dir=tmp_path / "discovery")
    served = fresh.listing(corp(fresh), max_age=3600)
    assert len(served.accounts) == 30 and not served.refreshing
    assert len(standin.identity_center.calls) == calls


def test_discovery_retries_throttling_and_5xx(service: SsoService, standin: StandIn) -> None:
    sign_in(service, standin)
    service.discovery.wait(corp(service), 20)
    standin.identity_center.inject_fault("throttling", "ListAccountRoles", count=2)
    standin.identity_center.inject_fault("http_500", "ListAccounts")
    service.listing(corp(service), None, refresh=True)
    listing = service.discovery.wait(corp(service), 30)
    assert listing.error is None and len(listing.accounts) == 2
    faults = [c.fault for c in standin.identity_center.calls if c.fault]
    assert faults.count("throttling") == 2 and faults.count("http_500") == 1


def test_a_token_revoked_mid_discovery_keeps_the_old_listing(service: SsoService,
                                                            standin: StandIn) -> None:
    sign_in(service, standin)
    assert len(service.discovery.wait(corp(service), 20).accounts) == 2
    # Signed out everywhere between ListAccounts and the roles of the accounts.
    standin.identity_center.inject_fault("revoked", "ListAccountRoles")
    service.listing(corp(service), None, refresh=True)
    listing = service.discovery.wait(corp(service), 20)
    assert listing.error is not None and listing.error.code == "sso_signin_required"
    assert listing.signin_refused
    assert len(listing.accounts) == 2
    assert listing.summary()["error"]["sso_session"] == "corp"
    # The token file still looks valid, but it no longer works: asking again changes nothing.
    service.listing(corp(service), None, refresh=True)
    assert service.discovery.wait(corp(service), 20).signin_refused
    # A new sign-in clears the refusal at once and lists again with the new token.
    standin.identity_center.directory.append(
        SsoAccount("333333333333", "Sandbox", "sandbox@example.com", ("Tinkerer",)))
    sign_in(service, standin)
    assert not service.discovery.listing(corp(service)).signin_refused
    listing = service.discovery.wait(corp(service), 20)
    assert listing.error is None and len(listing.accounts) == 3


@pytest.mark.parametrize(("fault", "code"), [("http_500", "aws_unavailable"),
                                             ("throttling", "throttled")])
def test_a_portal_failing_after_every_retry_keeps_the_listing_and_says_why(
        service: SsoService, standin: StandIn, monkeypatch: pytest.MonkeyPatch,
        fault: str, code: str) -> None:
    # Two attempts instead of six keep the test short; the retry itself is botocore's.
    monkeypatch.setattr("roleport.sso.service.PORTAL_ATTEMPTS", 2)
    sign_in(service, standin)
    assert len(service.discovery.wait(corp(service), 20).accounts) == 2
    standin.identity_center.inject_fault(fault, "ListAccounts", count=2)
    service.listing(corp(service), None, refresh=True)
    listing = service.discovery.wait(corp(service), 30)
    assert listing.error is not None and listing.error.code == code
    assert "IAM Identity Center" in listing.error.message
    assert len(listing.accounts) == 2 and not listing.signin_refused
    assert [c.fault for c in standin.identity_center.calls if c.fault] == [fault, fault]
    # A failed fetch is not repeated for every popup, only when asked (Try again).
    calls = len(standin.identity_center.calls)
    assert service.listing(corp(service), 0.0).error is listing.error
    assert len(standin.identity_center.calls) == calls
    service.listing(corp(service), None, refresh=True)
    assert service.discovery.wait(corp(service), 30).error is None


def seed_discovery_cache(folder: Path, accounts: list[SsoAccount], age: float) -> None:
    """A listing of the corp session fetched `age` seconds ago, as the host leaves it."""
    from datetime import timedelta

    from roleport.sso.discovery import SessionListing, write_cache
    from roleport.sso.portal import DiscoveredAccount
    from roleport.sso.token_cache import utc_now

    session = SsoSession("corp", START_URL, "eu-west-1", ("sso:account:access",))
    write_cache(folder, SessionListing(
        session, [DiscoveredAccount(a.account_id, a.name, a.email, a.roles) for a in accounts],
        utc_now() - timedelta(seconds=age)))


def test_login_to_a_discovered_role_needs_no_profile(service: SsoService, standin: StandIn,
                                                     configured: AwsHome) -> None:
    sign_in(service, standin)
    pipeline = Pipeline()
    try:
        result = pipeline.login_sso_role("corp", "111111111111", "ReadOnly")
        with pytest.raises(RoleportError) as missing:
            pipeline.login_sso_role("nope", "111111111111", "ReadOnly")
    finally:
        pipeline.close()
    assert missing.value.code == "sso_session_not_found"
    token = parse_qs(urlsplit(result.url).query)["SigninToken"][0]
    identity = standin.signin_token_identity(token)
    assert identity is not None and (identity.account, identity.role) == (
        "111111111111", "ReadOnly")
    assert standin.sso_requests[-1].status == 200


def test_profile_login_without_a_token_names_the_sso_session(standin: StandIn,
                                                             configured: AwsHome) -> None:
    pipeline = Pipeline()
    try:
        with pytest.raises(RoleportError) as caught:
            pipeline.login("prod-admin")
    finally:
        pipeline.close()
    assert caught.value.code == "sso_login_required"
    assert caught.value.to_dict()["sso_session"] == "corp"
    assert caught.value.to_dict()["start_url"] == START_URL


def test_legacy_start_url_sessions_sign_in_under_the_start_url(
        aws_home: AwsHome, standin: StandIn, tmp_path: Path) -> None:
    aws_home.write_config("""
[profile old]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = ReadOnly
""")
    service = SsoService(discovery_dir=tmp_path / "d")
    try:
        session = service.session("https://old.awsapps.com/start")
        flow = service.flows.start(session)
        standin.identity_center.decide(flow.authorization.user_code, approve=True)
        wait_for(lambda: finished(flow), message="the sign-in")
        assert flow.state == SUCCEEDED
    finally:
        service.close()
    token = json.loads(token_file(aws_home.home, "https://old.awsapps.com/start").read_text())
    assert "refreshToken" not in token  # no scopes were registered
    pipeline = Pipeline()
    try:
        result = pipeline.login("old")
    finally:
        pipeline.close()
    assert result.identity["account"] == "111111111111"
    assert os.environ.get("AWS_ENDPOINT_URL_SSO_OIDC") == standin.sso_url


# -- CLI ---------------------------------------------------------------------------------

def run_cli(*argv: str) -> tuple[int, str, str]:
    import io

    from roleport_installer import command

    out, err = io.StringIO(), io.StringIO()
    code = command.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def approve_when_asked(standin: StandIn) -> threading.Thread:
    def approve() -> None:
        codes = wait_for(standin.identity_center.pending_user_codes, message="a user code")
        standin.identity_center.decide(codes[0], approve=True)

    thread = threading.Thread(target=approve, daemon=True)
    thread.start()
    return thread


def test_cli_sso_login_list_and_login_a_discovered_role(
        standin: StandIn, configured: AwsHome, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("ROLEPORT_STATE_DIR", str(tmp_path / "state"))
    code, out, err = run_cli("list", "--json")
    # Not signed in: no discovered roles, and no noise (`roleport sso login` is the way in).
    assert code == 0 and [p["name"] for p in json.loads(out)] == ["prod-admin"]
    assert err == ""
    thread = approve_when_asked(standin)
    code, out, err = run_cli("sso", "login", "--no-browser")
    thread.join(5)
    assert code == 0, err
    assert "code " in err and "signed in to " + START_URL in err
    code, out, err = run_cli("list", "--json")
    assert code == 0, err
    listed = json.loads(out)
    discovered = [(p["account_id"], p["role_name"]) for p in listed if p.get("discovered")]
    # prod-admin names 111111111111/AdministratorAccess: it is listed once, as configured.
    assert sorted(discovered) == [("111111111111", "ReadOnly"), ("222222222222", "Developer")]
    code, out, _ = run_cli("list")
    assert "discovered:corp" in out and "Development (222222222222)" in out
    code, out, err = run_cli("login", "--account-id", "222222222222", "--role-name",
                             "Developer", "--sso-session", "corp", "--print")
    assert code == 0, err
    token = parse_qs(urlsplit(out.strip()).query)["SigninToken"][0]
    identity = standin.signin_token_identity(token)
    assert identity is not None and identity.role == "Developer"


def test_cli_sso_login_denied_exits_with_the_code(standin: StandIn, configured: AwsHome) -> None:
    def deny() -> None:
        codes = wait_for(standin.identity_center.pending_user_codes, message="a user code")
        standin.identity_center.decide(codes[0], approve=False)

    thread = threading.Thread(target=deny, daemon=True)
    thread.start()
    code, _, err = run_cli("sso", "login", "--sso-session", "corp", "--no-browser")
    thread.join(5)
    assert code == 77 and "was denied" in err
    code, _, err = run_cli("sso", "login", "--sso-session", "nope", "--no-browser")
    assert code == 65 and "no IAM Identity Center session 'nope'" in err


# -- Granted-generated profiles ------------------------------------------------------------

GRANTED_CONFIG = """
[profile granted-dev]
granted_sso_start_url = https://granted.awsapps.com/start
granted_sso_region = eu-west-1
granted_sso_account_id = 222222222222
granted_sso_role_name = Developer
common_fate_generated_from = aws-sso
credential_process = {marker} granted credential-process --profile granted-dev
"""


def test_granted_profiles_are_sso_profiles_signed_in_without_granted(
        aws_home: AwsHome, standin: StandIn, tmp_path: Path) -> None:
    marker = tmp_path / "granted-ran"
    aws_home.write_config(GRANTED_CONFIG.format(marker=f"touch {marker} &&"))
    from roleport.profiles import list_profiles

    [profile] = list_profiles()
    assert (profile.kind, profile.account_id, profile.role_name, profile.problem) == (
        "sso", "222222222222", "Developer", None)
    service = SsoService(discovery_dir=tmp_path / "d")
    try:
        assert [s.key for s in service.sessions()] == ["https://granted.awsapps.com/start"]
        pipeline = Pipeline()
        try:
            with pytest.raises(RoleportError) as caught:
                pipeline.login("granted-dev")
            assert caught.value.code == "sso_signin_required"
            flow = service.flows.start(service.session("https://granted.awsapps.com/start"))
            standin.identity_center.decide(flow.authorization.user_code, approve=True)
            wait_for(lambda: finished(flow), message="the sign-in")
            result = pipeline.login("granted-dev")
        finally:
            pipeline.close()
    finally:
        service.close()
    assert result.identity["account"] == "222222222222"
    assert result.identity["role"] == "Developer"
    assert not marker.exists()  # Granted's credential_process never ran


def test_granted_profiles_use_the_sso_session_of_their_start_url(
        aws_home: AwsHome, standin: StandIn) -> None:
    aws_home.write_config(CONFIG + GRANTED_CONFIG.format(marker="").replace(
        "https://granted.awsapps.com/start", START_URL))
    standin.sso_login(str(aws_home.home), start_url=START_URL, region="eu-west-1",
                      session_name="corp")
    pipeline = Pipeline()
    try:
        result = pipeline.login("granted-dev")
    finally:
        pipeline.close()
    assert result.identity["account"] == "222222222222"
    assert [s.key for s in sso_sessions({"sso_sessions": {"corp": {
        "sso_start_url": START_URL, "sso_region": "eu-west-1"}}, "profiles": {
        "g": {"granted_sso_start_url": START_URL, "granted_sso_region": "eu-west-1",
              "granted_sso_account_id": "222222222222",
              "granted_sso_role_name": "Developer"}}})] == ["corp"]


# -- populate ------------------------------------------------------------------------------

HAND_WRITTEN = CONFIG + """
# my own profile, never touched
[profile Development-Developer]
region = eu-west-2
"""


def test_populate_writes_marked_profiles_prunes_only_its_own_and_keeps_a_backup(
        standin: StandIn, aws_home: AwsHome, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("ROLEPORT_STATE_DIR", str(tmp_path / "state"))
    aws_home.write_config(HAND_WRITTEN)
    original = aws_home.config_file.read_text()
    standin.sso_login(str(aws_home.home), start_url=START_URL, region="eu-west-1",
                      session_name="corp")
    code, out, err = run_cli("sso", "populate", "--region", "eu-west-1")
    assert code == 0, err
    text = aws_home.config_file.read_text()
    assert text.startswith(original.rstrip("\n"))  # every hand-written byte kept
    assert "skipped 'Development-Developer'" in err
    assert "[profile Production-ReadOnly]" in text
    assert "roleport_populated_from = corp" in text
    # prod-admin already names Production/AdministratorAccess: no second profile for it.
    assert "Production-AdministratorAccess" not in text
    backup = Path(str(aws_home.config_file) + ".roleport-backup")
    assert backup.read_text() == original
    from roleport.profiles import list_profiles

    written = {p.name: p for p in list_profiles()}["Production-ReadOnly"]
    assert (written.kind, written.account_id, written.role_name, written.account_name) == (
        "sso", "111111111111", "ReadOnly", "Production")
    # The role disappears from the portal: kept without --prune, removed with it.
    standin.identity_center.directory = [
        account for account in standin.identity_center.directory
        if account.account_id != "111111111111"]
    code, _, err = run_cli("sso", "populate")
    assert code == 0 and "kept 'Production-ReadOnly'" in err
    assert "[profile Production-ReadOnly]" in aws_home.config_file.read_text()
    code, out, err = run_cli("sso", "populate", "--prune")
    assert code == 0, err
    text = aws_home.config_file.read_text()
    assert "Production-ReadOnly" not in text and "removed 1" in out
    assert text == original  # nothing of its own left: the hand-written file, byte for byte
    code, _, err = run_cli("sso", "populate", "--template", "{nope}")
    assert code == 64 and "template" in err
