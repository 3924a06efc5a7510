"""Federation logic: partitions, endpoints, SessionDuration rules, Destination (no open
redirect), login URLs, the loopback-only override, and the HTTP client against the stand-in."""

from __future__ import annotations

import json
import threading
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from roleport import federation
from roleport.arn import partition_of
from roleport.errors import RoleportError
from roleport.federation import (
    CREDENTIALS_FEDERATION_TOKEN,
    CREDENTIALS_OTHER,
    CREDENTIALS_ROLE,
    CREDENTIALS_SSO,
    Endpoints,
    FederationClient,
    TemporaryCredentials,
    build_destination,
    build_login_url,
    federation_override,
    resolve_endpoints,
    session_duration,
)

AWS_EU = resolve_endpoints("aws", "eu-west-1")


@pytest.fixture(autouse=True)
def _sealed(aws_home):
    """Even pure tests run with a temporary HOME: botocore's loader looks in ~/.aws/models."""
    return aws_home


@pytest.mark.parametrize("region, partition", [
    ("eu-west-1", "aws"), ("us-east-1", "aws"), ("ap-southeast-7", "aws"),
    ("cn-north-1", "aws-cn"), ("cn-northwest-1", "aws-cn"),
    ("us-gov-west-1", "aws-us-gov"), ("us-gov-east-1", "aws-us-gov"),
    ("us-iso-east-1", "aws-iso"),
])
def test_partition_for_region_uses_botocore_partition_data(region, partition):
    assert federation.partition_for_region(region) == partition


def test_default_regions_per_partition():
    assert federation.default_region("aws") == "us-east-1"
    assert federation.default_region("aws-cn").startswith("cn-")
    assert federation.default_region("aws-us-gov").startswith("us-gov-")


def test_partition_of_arn():
    assert partition_of("arn:aws-us-gov:iam::1:role/x") == "aws-us-gov"
    assert partition_of("arn:aws-cn:iam::1:role/x") == "aws-cn"
    assert partition_of(None) is None
    assert partition_of("not-an-arn") is None


def test_aws_uses_the_regional_sign_in_host_and_console():
    assert AWS_EU.federation_url == "https://eu-west-1.signin.aws.amazon.com/federation"
    assert AWS_EU.console_host == "eu-west-1.console.aws.amazon.com"
    assert AWS_EU.logout_url == "https://us-east-1.signin.aws.amazon.com/oauth?Action=logout"


def test_aws_without_region_uses_the_global_hosts():
    endpoints = resolve_endpoints("aws", None)
    assert endpoints.federation_url == "https://signin.aws.amazon.com/federation"
    assert endpoints.console_host == "console.aws.amazon.com"
    assert build_destination(None, endpoints) == "https://console.aws.amazon.com/console/home"


def test_china_endpoints():
    endpoints = resolve_endpoints("aws-cn", "cn-north-1")
    assert endpoints.federation_url == "https://signin.amazonaws.cn/federation"
    assert endpoints.console_host == "console.amazonaws.cn"
    assert endpoints.logout_url == "https://signin.amazonaws.cn/oauth?Action=logout"
    assert build_destination("ec2", endpoints) == (
        "https://console.amazonaws.cn/ec2/home?region=cn-north-1")


def test_govcloud_endpoints():
    endpoints = resolve_endpoints("aws-us-gov", "us-gov-west-1")
    assert endpoints.federation_url == "https://signin.amazonaws-us-gov.com/federation"
    assert endpoints.console_host == "console.amazonaws-us-gov.com"
    assert endpoints.logout_url == "https://signin.amazonaws-us-gov.com/oauth?Action=logout"


def test_partitions_without_console_federation_are_refused():
    with pytest.raises(RoleportError) as caught:
        resolve_endpoints("aws-iso", "us-iso-east-1")
    assert caught.value.code == "invalid_request"
    assert "aws-iso" in caught.value.message


def test_override_keeps_partition_console_and_derives_logout():
    endpoints = resolve_endpoints("aws", "eu-west-1", "http://127.0.0.1:8080/federation")
    assert endpoints.federation_url == "http://127.0.0.1:8080/federation"
    assert endpoints.logout_url == "http://127.0.0.1:8080/oauth?Action=logout"
    assert endpoints.console_host == "eu-west-1.console.aws.amazon.com"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/federation", "http://127.9.8.7/federation",
    "http://localhost:1234/federation", "http://[::1]:5/federation",
    "https://LOCALHOST/federation",
])
def test_loopback_override_is_accepted(url):
    assert federation_override({"ROLEPORT_FEDERATION_URL": url}) == url


@pytest.mark.parametrize("url", [
    "https://signin.aws.amazon.com/federation", "http://10.0.0.1/federation",
    "http://192.168.1.1/federation", "http://localhost.evil.example/federation",
    "http://127.0.0.1.nip.io/federation", "http://user@127.0.0.1/federation",
    "http://evil.example@127.0.0.1/federation", "ftp://127.0.0.1/federation",
    "file:///etc/passwd", "127.0.0.1:80/federation", "http://127.0.0.1:99999/federation",
    "http://0.0.0.0/federation", "http://127.0.0.1\\@evil.example/federation",
])
def test_non_loopback_override_is_refused_clearly(url):
    with pytest.raises(RoleportError) as caught:
        federation_override({"ROLEPORT_FEDERATION_URL": url})
    assert caught.value.code == "invalid_request"
    assert "ROLEPORT_FEDERATION_URL" in caught.value.message
    assert "loopback" in caught.value.message


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/federation?Action=x", "http://127.0.0.1:9/federation#top",
    "http://127.0.0.1:9/federation?",
])
def test_override_with_a_query_or_fragment_is_refused(url):
    # The login URL is built as <override>?Action=login&...: a second '?' would break it.
    with pytest.raises(RoleportError) as caught:
        federation_override({"ROLEPORT_FEDERATION_URL": url})
    assert caught.value.code == "invalid_request"
    assert "without a query or fragment" in caught.value.message


def test_no_override_when_unset_or_empty():
    assert federation_override({}) is None
    assert federation_override({"ROLEPORT_FEDERATION_URL": ""}) is None


# -- SessionDuration ----------------------------------------------------------------------

@pytest.mark.parametrize("kind, chained, requested, expected", [
    (CREDENTIALS_ROLE, False, None, 43200),
    (CREDENTIALS_ROLE, False, 3600, 3600),
    (CREDENTIALS_SSO, False, None, 43200),
    (CREDENTIALS_SSO, False, 900, 900),
    (CREDENTIALS_ROLE, True, None, None),
    (CREDENTIALS_ROLE, True, 3600, None),
    (CREDENTIALS_FEDERATION_TOKEN, False, None, None),
    (CREDENTIALS_FEDERATION_TOKEN, False, 7200, None),
    (CREDENTIALS_OTHER, False, None, None),
])
def test_session_duration_rules(kind, chained, requested, expected):
    assert session_duration(kind, chained, requested) == expected


@pytest.mark.parametrize("bad", [899, 43201, 0, -1, True, "3600", 3600.0])
def test_session_duration_out_of_range_is_invalid_request(bad):
    with pytest.raises(RoleportError) as caught:
        session_duration(CREDENTIALS_ROLE, False, bad)
    assert caught.value.code == "invalid_request"
    assert "900" in caught.value.message and "43200" in caught.value.message


# -- Destination --------------------------------------------------------------------------

@pytest.mark.parametrize("destination, expected", [
    (None, "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"),
    ("", "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"),
    ("ec2", "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"),
    ("cloudwatch", "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"),
    ("/ec2/home?region=eu-west-1#Instances:",
     "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:"),
    ("/s3/buckets/my-bucket", "https://eu-west-1.console.aws.amazon.com/s3/buckets/my-bucket"),
    ("https://console.aws.amazon.com/iam/home", "https://console.aws.amazon.com/iam/home"),
    ("HTTPS://US-EAST-2.CONSOLE.AWS.AMAZON.COM/ec2/home",
     "https://us-east-2.console.aws.amazon.com/ec2/home"),
    ("https://s3.console.aws.amazon.com/s3/home", "https://s3.console.aws.amazon.com/s3/home"),
    ("https://123456789012-abcdefgh.eu-west-1.console.aws.amazon.com/",
     "https://123456789012-abcdefgh.eu-west-1.console.aws.amazon.com/"),
    ("https://console.aws.amazon.com", "https://console.aws.amazon.com/"),
])
def test_valid_destinations(destination, expected):
    assert build_destination(destination, AWS_EU) == expected


OPEN_REDIRECT_ATTEMPTS = [
    "https://evil.example/",
    "https://console.aws.amazon.com.evil.example/",
    "https://evilconsole.aws.amazon.com/",
    "https://console.aws.amazon.com@evil.example/",
    "https://user:pass@console.aws.amazon.com/",
    "https://evil.example\\@console.aws.amazon.com/",
    "https://console.aws.amazon.com\\evil.example",
    "http://console.aws.amazon.com/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/",
    "/\\evil.example/",
    "///evil.example/",
    "/%2f%2fevil.example/",
    "/%5cevil.example",
    "/ec2/../../evil",
    "/ec2/%2e%2e/%2e%2e/x",
    "/ec2/%252e%252e/x",
    "https://console.aws.amazon.com/%2e%2e/",
    "https://console%2eaws.amazon.com/",
    "https://console.aws.amazon.com:8443/",
    "https://console.aws.amazon.com./",
    "https://console.aws.amazon.com\u3002evil.example/",
    "https://сonsole.aws.amazon.com/",  # Cyrillic s
    "https://console.amazonaws.cn/",  # another partition's console
    "https://console.amazonaws-us-gov.com/",
    "https://signin.aws.amazon.com/federation",
    "e c2",
    "ec\n2",
    "/ec2/home\r\nLocation: https://evil.example",
    "/ec2/ho\tme",
    "/ec2%00/home",
    "https:/evil.example",
    "https:evil.example",
    " https://evil.example",
    "ftp://console.aws.amazon.com/",
    "EC2",
    "../ec2",
    "ec2/home",
    "https://[::1]/",
    "https://127.0.0.1/",
    "https://-bad.console.aws.amazon.com/",
    "https://a..console.aws.amazon.com/",
]


@pytest.mark.parametrize("destination", OPEN_REDIRECT_ATTEMPTS)
def test_open_redirect_attempts_are_refused(destination):
    with pytest.raises(RoleportError) as caught:
        build_destination(destination, AWS_EU)
    assert caught.value.code == "invalid_request"
    assert "destination" in caught.value.message


def test_destination_must_match_the_credentials_partition():
    gov = resolve_endpoints("aws-us-gov", "us-gov-west-1")
    assert build_destination("https://console.amazonaws-us-gov.com/ec2/home", gov) == (
        "https://console.amazonaws-us-gov.com/ec2/home")
    with pytest.raises(RoleportError):
        build_destination("https://console.aws.amazon.com/", gov)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_destination_is_refused_or_lands_on_a_console_host(text):
    try:
        url = build_destination(text, AWS_EU)
    except RoleportError as error:
        assert error.code == "invalid_request"
        return
    parts = urllib.parse.urlsplit(url)
    assert parts.scheme == "https"
    assert parts.netloc == parts.hostname
    assert parts.hostname == "console.aws.amazon.com" or parts.hostname.endswith(
        ".console.aws.amazon.com")


# -- login URL ----------------------------------------------------------------------------

def test_login_url_carries_issuer_destination_and_token():
    destination = build_destination("ec2", AWS_EU)
    url = build_login_url(AWS_EU, "tok+en/=", destination)
    parts = urllib.parse.urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AWS_EU.federation_url
    query = urllib.parse.parse_qs(parts.query)
    assert query == {"Action": ["login"], "Issuer": ["roleport"],
                     "Destination": [destination], "SigninToken": ["tok+en/="]}


def test_login_url_with_custom_and_empty_issuer():
    url = build_login_url(AWS_EU, "t", "https://console.aws.amazon.com/", "https://idp.example")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["Issuer"] == [
        "https://idp.example"]
    empty = build_login_url(AWS_EU, "t", "https://console.aws.amazon.com/", None)
    assert "Issuer=&" in empty


def test_expires_at_is_fifteen_minutes_later_in_utc_z():
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert federation.expires_at(now) == "2026-01-02T03:19:05Z"


def test_console_session_end_is_session_duration_else_the_credentials_end():
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    credentials_end = datetime(2026, 1, 2, 4, 0, 0, tzinfo=timezone.utc)
    assert federation.console_session_end(43200, credentials_end, now) == "2026-01-02T15:04:05Z"
    assert federation.console_session_end(None, credentials_end, now) == "2026-01-02T04:00:00Z"
    other_zone = credentials_end.astimezone(timezone(timedelta(hours=2)))
    assert federation.console_session_end(None, other_zone, now) == "2026-01-02T04:00:00Z"
    assert federation.console_session_end(None, None, now) is None
    assert federation.console_session_end(None, datetime(2026, 1, 2), now) is None  # naive


def test_temporary_credentials_repr_hides_secrets():
    creds = TemporaryCredentials("ASIAKEY", "secret-value", "token-value")
    assert "secret-value" not in repr(creds) and "token-value" not in repr(creds)
    assert "ASIAKEY" not in repr(creds)


@pytest.mark.parametrize("region", ["eu-west-1", "us-gov-west-1", "cn-north-1", "ap-east-2"])
def test_region_names_are_validated(region):
    assert federation.validate_region(region) == region


@pytest.mark.parametrize("region", ["EU-WEST-1", "eu-west", "evil.example/x", "", "eu_west_1"])
def test_bad_region_names_are_refused(region):
    with pytest.raises(RoleportError) as caught:
        federation.validate_region(region)
    assert caught.value.code == "invalid_request"


# -- HTTP client against the stand-in's federation endpoint --------------------------------

def _issue_role_credentials(standin) -> TemporaryCredentials:
    import boto3

    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=standin.sts_url,
                       aws_access_key_id="AKIAEXAMPLESOURCE001",
                       aws_secret_access_key="source-secret")
    issued = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/Direct",
                             RoleSessionName="direct")["Credentials"]
    return TemporaryCredentials(issued["AccessKeyId"], issued["SecretAccessKey"],
                                issued["SessionToken"])


def _endpoints(standin) -> Endpoints:
    return resolve_endpoints("aws", "eu-west-1", standin.federation_url)


def test_signin_token_is_posted_as_a_form_and_recorded(standin):
    creds = _issue_role_credentials(standin)
    client = FederationClient()
    try:
        token = client.get_signin_token(creds, _endpoints(standin), 3600)
        again = client.get_signin_token(creds, _endpoints(standin), None)
    finally:
        client.close()
    assert token and again and token != again
    requests_seen = [r for r in standin.federation_requests if r.action == "getSigninToken"]
    assert [r.method for r in requests_seen] == ["POST", "POST"]
    assert [r.session_duration for r in requests_seen] == ["3600", None]
    assert requests_seen[0].access_key_id == creds.access_key_id
    identity = standin.signin_token_identity(token)
    assert identity is not None and identity.role == "Direct"


def test_a_proxy_in_the_environment_never_sees_the_loopback_endpoint(standin, monkeypatch):
    # The override is loopback-only because it receives credentials; an HTTP(S)_PROXY without
    # a NO_PROXY entry must not turn that into a clear-text trip through the proxy.
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    creds = _issue_role_credentials(standin)  # before the proxy: boto3 would use it too
    proxied: list[str] = []

    class RecordingProxy(BaseHTTPRequestHandler):
        def _refuse(self) -> None:
            proxied.append(self.requestline)
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_CONNECT = _refuse

        def log_message(self, format, *args):  # noqa: A002 (stdlib signature)
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), RecordingProxy)
    serving = threading.Thread(target=proxy.serve_forever, daemon=True)
    serving.start()
    proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.setenv(name, proxy_url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = FederationClient()
    try:
        token = client.get_signin_token(creds, _endpoints(standin), None)
    finally:
        client.close()
        proxy.shutdown()
        proxy.server_close()
        serving.join(timeout=5)
    assert proxied == []
    assert standin.signin_token_identity(token) is not None


@pytest.mark.parametrize("fault, code, needle", [
    ("http_400", "federation_failed", "HTTP 400"),
    ("http_500", "aws_unavailable", "The AWS sign-in endpoint (127.0.0.1"),
    ("http_429", "throttled", "The AWS sign-in endpoint (127.0.0.1"),
    ("garbage", "federation_failed", "did not contain a sign-in token"),
    ("connection_reset", "network_error", "sign-in endpoint"),
])
def test_federation_faults_map_to_stable_codes(standin, fault, code, needle):
    creds = _issue_role_credentials(standin)
    standin.inject_federation_fault(fault, count=5)
    client = FederationClient(retries=2)
    try:
        with pytest.raises(RoleportError) as caught:
            client.get_signin_token(creds, _endpoints(standin), None)
    finally:
        client.close()
    assert caught.value.code == code
    assert needle in caught.value.message
    assert creds.secret_access_key not in caught.value.message


def test_server_errors_are_retried_then_succeed(standin):
    creds = _issue_role_credentials(standin)
    standin.inject_federation_fault("http_500", count=2)
    client = FederationClient(retries=2)
    try:
        assert client.get_signin_token(creds, _endpoints(standin), None)
    finally:
        client.close()
    statuses = [r.status for r in standin.federation_requests if r.action == "getSigninToken"]
    assert statuses == [500, 500, 200]


def test_a_400_is_not_retried(standin):
    creds = _issue_role_credentials(standin)
    standin.inject_federation_fault("http_400", count=5)
    client = FederationClient(retries=2)
    try:
        with pytest.raises(RoleportError):
            client.get_signin_token(creds, _endpoints(standin), None)
    finally:
        client.close()
    assert len([r for r in standin.federation_requests if r.action == "getSigninToken"]) == 1


def test_a_hanging_endpoint_is_a_timeout(standin):
    creds = _issue_role_credentials(standin)
    standin.inject_federation_fault("timeout", count=5)
    client = FederationClient(connect_timeout=2, read_timeout=0.5)
    try:
        with pytest.raises(RoleportError) as caught:
            client.get_signin_token(creds, _endpoints(standin), None)
    finally:
        client.close()
    assert caught.value.code == "timeout"
    assert "0.5 seconds" in caught.value.message


def test_a_closed_port_is_a_network_error(standin):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoints = resolve_endpoints("aws", None, f"http://127.0.0.1:{port}/federation")
    client = FederationClient(retries=1)
    try:
        with pytest.raises(RoleportError) as caught:
            client.get_signin_token(TemporaryCredentials("ASIAX", "s", "t"), endpoints, None)
    finally:
        client.close()
    assert caught.value.code == "network_error"


def test_long_term_keys_are_refused_by_the_endpoint(standin):
    client = FederationClient()
    try:
        with pytest.raises(RoleportError) as caught:
            client.get_signin_token(
                TemporaryCredentials("AKIAEXAMPLELONGTERM1", "secret", None),
                _endpoints(standin), None)
    finally:
        client.close()
    assert caught.value.code == "federation_failed"
    refused = standin.federation_requests[-1]
    assert refused.status == 400 and "long-term" in (refused.reason or "")


def test_session_json_has_exactly_the_three_documented_fields(standin):
    creds = _issue_role_credentials(standin)
    seen: list[dict] = []
    client = FederationClient()
    http = client.http_for(_endpoints(standin).federation_url)
    real_send = http.send

    def spy(request):
        seen.append(dict(urllib.parse.parse_qsl(request.body.decode("ascii"))))
        return real_send(request)

    http.send = spy  # observe the form the real session sends
    try:
        client.get_signin_token(creds, _endpoints(standin), None)
    finally:
        client.close()
    assert seen[0]["Action"] == "getSigninToken"
    assert "SessionDuration" not in seen[0]
    assert json.loads(seen[0]["Session"]) == {
        "sessionId": creds.access_key_id, "sessionKey": creds.secret_access_key,
        "sessionToken": creds.session_token}


def test_a_sign_in_server_fault_does_not_blame_the_credentials(standin):
    creds = _issue_role_credentials(standin)
    standin.inject_federation_fault("http_500", count=5)
    client = FederationClient(retries=1)
    try:
        with pytest.raises(RoleportError) as caught:
            client.get_signin_token(creds, _endpoints(standin), None)
    finally:
        client.close()
    assert caught.value.code == "aws_unavailable"
    assert "HTTP 500" in caught.value.message
    assert "refused" not in caught.value.message
    assert "expired" not in caught.value.hint and "credentials" not in caught.value.hint
def test_the_certificate_bundle_is_the_aws_one_first(monkeypatch):
    from roleport.federation import _ca_bundle

    for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    assert _ca_bundle() is None  # botocore's default bundle
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/curl.pem")
    assert _ca_bundle() == "/etc/curl.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/requests.pem")
    assert _ca_bundle() == "/etc/requests.pem"
    monkeypatch.setenv("AWS_CA_BUNDLE", " /etc/aws.pem ")
    assert _ca_bundle() == "/etc/aws.pem"


def test_a_sign_in_imports_no_second_http_library(standin):
    # requests costs a one-shot `roleport login` about a fifth of botocore's own import.
    import os
    import subprocess
    import sys

    creds = _issue_role_credentials(standin)
    code = ("import os, sys; from roleport.federation import FederationClient, "
            "TemporaryCredentials, resolve_endpoints; "
            "creds = TemporaryCredentials(*os.environ['TEST_CREDENTIALS'].split(',')); "
            "client = FederationClient(); "
            "token = client.get_signin_token(creds, resolve_endpoints("
            "'aws', 'eu-west-1', os.environ['TEST_FEDERATION_URL']), None); "
            "print(bool(token), 'requests' in sys.modules)")
    env = dict(os.environ, TEST_FEDERATION_URL=standin.federation_url,
               TEST_CREDENTIALS=f"{creds.access_key_id},{creds.secret_access_key},"
                                f"{creds.session_token}")
    output = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True, timeout=60).stdout.split()
    assert output == ["True", "False"]
