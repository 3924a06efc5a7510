"""From temporary credentials to a console sign-in URL (the AWS federation endpoint).

Rules implemented here (IAM User Guide, "Enable custom identity broker access to the AWS
console"; summarised with its sources in docs/FEDERATION.md):
- endpoints per partition from botocore's partition data: aws (regional sign-in host for the
  profile's region), aws-cn, aws-us-gov; any other partition has no console federation;
- SessionDuration only for role and SSO credentials that are not chained; value =
  roleport_console_duration else 43200; never for chained roles or GetFederationToken;
- getSigninToken is a form-encoded POST (credentials stay out of URLs and proxy logs); the HTTP
  status is checked before the body is parsed (errors come back as HTML);
- keep-alive connections through botocore's own HTTP session, explicit connect/read timeouts,
  a small retry on connection errors and 5xx only;
- Destination is always a console URL of the credentials' partition: the host must never
  become an open redirect;
- ROLEPORT_FEDERATION_URL is honoured only for loopback hosts because it receives credentials,
  and only when the checked string is the one used (no whitespace, no control characters).
No message built here contains a credential, a SigninToken or a login URL.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from roleport.errors import RoleportError
from roleport.rules import (
    DEFAULT_CONSOLE_DURATION,
    ENV_FEDERATION_URL,
    MAX_CONSOLE_DURATION,
    MIN_CONSOLE_DURATION,
    is_console_duration,
    is_region,
)

DEFAULT_ISSUER = "roleport"
LOGIN_URL_LIFETIME = timedelta(minutes=15)
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 10.0
MAX_SIGNIN_TOKEN_BYTES = 16384

# Kinds of temporary credentials, as far as the federation endpoint cares.
CREDENTIALS_ROLE = "role"                  # AssumeRole*
CREDENTIALS_SSO = "sso"                    # IAM Identity Center GetRoleCredentials
CREDENTIALS_FEDERATION_TOKEN = "federation_token"  # GetFederationToken
CREDENTIALS_OTHER = "other"                # temporary keys of unknown origin

_PARTITION_HOSTS: dict[str, tuple[str, str]] = {
    # partition: (sign-in host, console domain); from the IAM User Guide's federation page.
    "aws": ("signin.aws.amazon.com", "console.aws.amazon.com"),
    "aws-cn": ("signin.amazonaws.cn", "console.amazonaws.cn"),
    "aws-us-gov": ("signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"),
}
# The sign-out pattern other tools use; the aws partition signs out on us-east-1.
_LOGOUT_HOSTS = {
    "aws": "us-east-1.signin.aws.amazon.com",
    "aws-cn": "signin.amazonaws.cn",
    "aws-us-gov": "signin.amazonaws-us-gov.com",
}

_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class Endpoints:
    """Where one sign-in goes: federation endpoint, sign-out URL and console host."""

    partition: str
    region: str | None
    federation_url: str
    logout_url: str
    console_domain: str

    @property
    def console_host(self) -> str:
        """The regional console host where the aws partition has one, else the domain."""
        if self.partition == "aws" and self.region:
            return f"{self.region}.{self.console_domain}"
        return self.console_domain


@functools.lru_cache(maxsize=1)
def _partitions() -> list[dict[str, Any]]:
    import botocore.loaders

    partitions: list[dict[str, Any]] = (
        botocore.loaders.create_loader().load_data("partitions")["partitions"])
    return partitions


def known_regions() -> list[dict[str, str]]:
    """Every region of botocore's partition data (``endpoints``/``partitions.json``), partition
    by partition in botocore's order and by name within one: name, description ("Europe
    (Ireland)") and partition. Pseudo-regions such as ``aws-global`` are left out: they are not
    region names (roleport.rules.is_region)."""
    regions: list[dict[str, str]] = []
    for partition in _partitions():
        for name, details in sorted(partition.get("regions", {}).items()):
            if is_region(name):
                regions.append({"name": name, "description": str(details.get("description", "")),
                                "partition": str(partition["id"])})
    return regions


def partition_for_region(region: str) -> str:
    """The partition of a region according to botocore's partition data."""
    for partition in _partitions():
        if region in partition.get("regions", {}):
            return str(partition["id"])
    for partition in _partitions():
        if re.match(partition["regionRegex"], region):
            return str(partition["id"])
    return "aws"


def default_region(partition: str) -> str:
    """The partition's implicit global region (us-east-1 for aws)."""
    for candidate in _partitions():
        if candidate["id"] == partition:
            return str(candidate["outputs"]["implicitGlobalRegion"])
    raise RoleportError("invalid_request", detail=f"unknown AWS partition '{partition}'")


def validate_region(region: str) -> str:
    if not is_region(region):
        raise RoleportError("invalid_request",
                            detail=f"'{region}' is not an AWS region name like eu-west-1")
    return region


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def federation_override(environ: Mapping[str, str] | None = None) -> str | None:
    """ROLEPORT_FEDERATION_URL when it points at a loopback address; refused otherwise.

    The string returned is exactly the string checked. urllib.parse.urlsplit follows the
    WHATWG URL Standard ("basic URL parser": leading and trailing C0 control or space are
    stripped, ASCII tab and newline removed anywhere) and so checks a cleaned copy, while
    the raw value is what would be used: a value with any whitespace or control character is
    refused before it is parsed.
    """
    value = (environ if environ is not None else os.environ).get(ENV_FEDERATION_URL)
    if not value:
        return None
    if any(character.isspace() or not character.isprintable() for character in value):
        raise RoleportError(
            "invalid_request",
            detail=f"{ENV_FEDERATION_URL} contains whitespace or a control character; set it "
                   "to the endpoint's URL alone, like http://127.0.0.1:8080/federation",
        )
    try:
        parts = urllib.parse.urlsplit(value)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        host = None
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or parts.username is not None
            or parts.password is not None or "\\" in value or not is_loopback_host(host)):
        raise RoleportError(
            "invalid_request",
            detail=f"{ENV_FEDERATION_URL} must be an http(s) URL on a loopback address "
                   "(127.0.0.0/8, ::1 or localhost) because it receives credentials; "
                   "unset it to use AWS's own sign-in endpoint",
        )
    if parts.query or parts.fragment or "?" in value or "#" in value:
        # roleport appends ?Action=... itself; a second query would break the login URL.
        raise RoleportError(
            "invalid_request",
            detail=f"{ENV_FEDERATION_URL} must be the endpoint's URL without a query or "
                   "fragment, like http://127.0.0.1:8080/federation",
        )
    return value


def resolve_endpoints(partition: str, region: str | None,
                      override_url: str | None = None) -> Endpoints:
    """Endpoints of a partition; the aws partition uses the regional sign-in host."""
    hosts = _PARTITION_HOSTS.get(partition)
    if hosts is None:
        raise RoleportError(
            "invalid_request",
            detail=f"the AWS partition '{partition}' has no console federation endpoint "
                   "(supported: aws, aws-cn, aws-us-gov)",
        )
    signin_host, console_domain = hosts
    if override_url:
        parts = urllib.parse.urlsplit(override_url)
        base_path = parts.path.rsplit("/", 1)[0]
        logout = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, f"{base_path}/oauth", "Action=logout", ""))
        return Endpoints(partition, region, override_url, logout, console_domain)
    if partition == "aws" and region:
        signin_host = f"{region}.{signin_host}"
    return Endpoints(
        partition=partition,
        region=region,
        federation_url=f"https://{signin_host}/federation",
        logout_url=f"https://{_LOGOUT_HOSTS[partition]}/oauth?Action=logout",
        console_domain=console_domain,
    )


def session_duration(credentials_kind: str, chained: bool, requested: int | None) -> int | None:
    """SessionDuration to send, or None to omit it.

    Allowed only for role and SSO credentials that are not chained (AWS answers 400 otherwise);
    the value is the requested one (roleport_console_duration or --duration) else 43200.
    """
    if requested is not None:
        validate_console_duration(requested)
    if credentials_kind not in (CREDENTIALS_ROLE, CREDENTIALS_SSO) or chained:
        return None
    return requested if requested is not None else DEFAULT_CONSOLE_DURATION


def validate_console_duration(seconds: Any) -> int:
    if not is_console_duration(seconds):
        raise RoleportError(
            "invalid_request",
            detail=f"a console session lasts {MIN_CONSOLE_DURATION} to "
                   f"{MAX_CONSOLE_DURATION} seconds (15 minutes to 12 hours)",
        )
    return seconds


# --- Destination -------------------------------------------------------------------------

def _refuse_destination(why: str) -> RoleportError:
    return RoleportError(
        "invalid_request",
        detail=f"the destination {why}; give a service name like 'ec2', a console path "
               "like '/ec2/home', or a full console URL of the same partition",
    )


def _unsafe_characters(value: str) -> bool:
    return (not value.isascii() or "\\" in value
            or any(ord(char) < 0x21 or ord(char) == 0x7F for char in value))


def _fully_unquoted(value: str) -> str:
    for _ in range(5):  # double and triple encodings too
        decoded = urllib.parse.unquote(value)
        if decoded == value:
            break
        value = decoded
    return value


def _check_console_path(path_and_query: str) -> None:
    decoded = _fully_unquoted(path_and_query)
    path = decoded.split("?", 1)[0].split("#", 1)[0]
    if _unsafe_characters(decoded):
        raise _refuse_destination("contains spaces, backslashes, control or non-ASCII "
                                  "characters (also when percent-decoded)")
    if path.startswith("//"):
        raise _refuse_destination("starts with '//', which browsers read as another host")
    if any(segment in ("..", ".") for segment in path.split("/")):
        raise _refuse_destination("contains '.' or '..' path segments")


def _is_console_host(host: str, console_domain: str) -> bool:
    if host == console_domain:
        return True
    if not host.endswith("." + console_domain):
        return False
    labels = host[: -len(console_domain) - 1].split(".")
    return all(_DNS_LABEL.fullmatch(label) for label in labels)


def build_destination(destination: str | None, endpoints: Endpoints) -> str:
    """The console URL to land on: region home, a service, a path or a console URL.

    Anything that is not a console URL of the endpoints' partition is refused with
    invalid_request (no open redirect).
    """
    region_query = f"?region={endpoints.region}" if endpoints.region else ""
    base = f"https://{endpoints.console_host}"
    if destination is None or destination.strip() == "":
        return f"{base}/console/home{region_query}"
    value = destination.strip()
    if _unsafe_characters(value):
        raise _refuse_destination("contains spaces, backslashes, control or non-ASCII "
                                  "characters")
    if _SERVICE_NAME.fullmatch(value):
        return f"{base}/{value}/home{region_query}"
    if value.startswith("/"):
        _check_console_path(value)
        return validate_console_url(base + value, endpoints)
    if value.lower().startswith("https://"):
        return validate_console_url(value, endpoints)
    raise _refuse_destination("is neither a service name, a path starting with '/', nor an "
                              "https:// console URL")


def validate_console_url(url: str, endpoints: Endpoints) -> str:
    """An https URL whose host is the partition's console domain or a subdomain of it."""
    if _unsafe_characters(url):
        raise _refuse_destination("contains spaces, backslashes, control or non-ASCII "
                                  "characters")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse_destination("is not a well-formed URL") from None
    if parts.scheme.lower() != "https":
        raise _refuse_destination("must use https")
    netloc = parts.netloc.lower()
    host = (parts.hostname or "").lower()
    if "@" in parts.netloc or parts.username is not None:
        raise _refuse_destination("contains user information ('@') before the host")
    if port is not None or netloc != host:
        raise _refuse_destination("names a port or a malformed host")
    if not _is_console_host(host, endpoints.console_domain):
        raise _refuse_destination(
            f"points at '{host}', which is not the AWS console of the '{endpoints.partition}' "
            f"partition ({endpoints.console_domain})")
    _check_console_path(urllib.parse.urlunsplit(("", "", parts.path, parts.query,
                                                 parts.fragment)))
    return urllib.parse.urlunsplit(("https", host, parts.path or "/", parts.query,
                                    parts.fragment))


# --- SigninToken and login URL -----------------------------------------------------------

@dataclass(frozen=True)
class TemporaryCredentials:
    """Credentials to exchange; repr hides the secrets so they never reach a log or traceback."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None

    def __repr__(self) -> str:
        return "TemporaryCredentials(<redacted>)"


def expires_at(now: datetime | None = None) -> str:
    """ISO 8601 UTC with "Z": when a login URL created now stops working (15 minutes)."""
    moment = (now or datetime.now(timezone.utc)) + LOGIN_URL_LIFETIME
    return _utc_z(moment)


def console_session_end(session_duration: int | None, credentials_expire: datetime | None,
                        now: datetime | None = None) -> str | None:
    """ISO 8601 UTC with "Z": when the console session a login URL opens ends, or None when
    nobody knows.

    "Enable custom identity broker access to the AWS console" (IAM User Guide): with
    SessionDuration the console session lasts that many seconds from sign-in; without it,
    as long as the temporary credentials (role-chained credentials: at most one hour, their
    own limit; GetFederationToken credentials: their DurationSeconds).
    """
    if session_duration is not None:
        return _utc_z((now or datetime.now(timezone.utc)) + timedelta(seconds=session_duration))
    if credentials_expire is None or credentials_expire.tzinfo is None:
        return None
    return _utc_z(credentials_expire)


def _utc_z(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_login_url(endpoints: Endpoints, signin_token: str, destination: str,
                    issuer: str | None = DEFAULT_ISSUER) -> str:
    query = urllib.parse.urlencode(
        [("Action", "login"), ("Issuer", issuer or ""), ("Destination", destination),
         ("SigninToken", signin_token)],
        quote_via=urllib.parse.quote,
    )
    return f"{endpoints.federation_url}?{query}"


class FederationClient:
    """getSigninToken over keep-alive HTTP connections (thread-safe for concurrent logins).

    The HTTP client is botocore's own (``botocore.httpsession.URLLib3Session``, the one every
    botocore client sends with): the sign-in endpoint is reached with the same TLS settings,
    certificate bundle and proxy rules as AWS STS, and a one-shot `roleport login` does not
    import a second HTTP library (requests costs about a fifth of botocore's own import).
    Proxies come from the environment (HTTP(S)_PROXY, NO_PROXY) as botocore reads them; the
    certificate bundle is AWS_CA_BUNDLE, else REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE (what
    roleport honoured when it sent with requests), else botocore's default.
    """

    def __init__(self, connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
                 read_timeout: float = READ_TIMEOUT_SECONDS, retries: int = 2) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retries = retries
        # One botocore HTTP session per set of proxies (it holds its proxies for its life).
        self._sessions: dict[tuple[tuple[str, str], ...], Any] = {}
        self._lock = threading.Lock()

    def http_for(self, url: str) -> Any:
        """The keep-alive HTTP session for ``url``: never through a proxy for a loopback
        host, else with the environment's proxies for it."""
        from botocore.httpsession import URLLib3Session
        from botocore.utils import get_environ_proxies

        hostname = urllib.parse.urlsplit(url).hostname
        # A loopback endpoint (ROLEPORT_FEDERATION_URL) is reached directly: an HTTP(S)_PROXY
        # without a matching NO_PROXY would otherwise receive the credentials in clear text,
        # which is exactly what the loopback-only rule exists to prevent.
        proxies: dict[str, str] = {} if is_loopback_host(hostname) else dict(
            get_environ_proxies(url))
        key = tuple(sorted(proxies.items()))
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                # botocore takes a bundle path for verify and a (connect, read) pair for
                # timeout, as its own endpoints pass them; its type stubs know less.
                http_session: Any = URLLib3Session
                session = http_session(
                    verify=_ca_bundle() or True, proxies=proxies or None,
                    timeout=(self.connect_timeout, self.read_timeout), max_pool_connections=8)
                self._sessions[key] = session
        return session

    @staticmethod
    def warm_up() -> None:
        """Import what a sign-in sends with, before the first one needs it."""
        import botocore.awsrequest
        import botocore.httpsession  # noqa: F401

    def close(self) -> None:
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            session.close()

    def get_signin_token(self, credentials: TemporaryCredentials, endpoints: Endpoints,
                         duration: int | None) -> str:
        """POST Action=getSigninToken; the SigninToken or a federation_failed/network error.

        Connection failures (connect timeouts included) and 5xx answers are tried again, at
        most ``retries`` times; a read timeout or a connection lost after the request was
        sent is answered at once (the request may have been processed), and a 4xx will not
        change on retry.
        """
        from botocore.awsrequest import AWSRequest
        from botocore.exceptions import (
            ConnectTimeoutError,
            EndpointConnectionError,
            HTTPClientError,
            ProxyConnectionError,
            ReadTimeoutError,
        )

        session_json = json.dumps({
            "sessionId": credentials.access_key_id,
            "sessionKey": credentials.secret_access_key,
            "sessionToken": credentials.session_token or "",
        })
        form = {"Action": "getSigninToken", "Session": session_json}
        if duration is not None:
            form["SessionDuration"] = str(duration)
        body = urllib.parse.urlencode(form).encode("ascii")
        url = endpoints.federation_url
        target = urllib.parse.urlsplit(url)
        service = f"the AWS sign-in endpoint ({target.netloc})"
        http = self.http_for(url)
        for attempt in range(self.retries + 1):
            last_attempt = attempt == self.retries
            if attempt:
                time.sleep(_RETRY_BACKOFF_SECONDS * (2 ** (attempt - 1)))
            request = AWSRequest(method="POST", url=url, data=body, headers={
                "Accept": "application/json", "User-Agent": "roleport",
                "Content-Type": "application/x-www-form-urlencoded"}).prepare()
            try:
                response = http.send(request)
            except ConnectTimeoutError:
                if last_attempt:
                    raise RoleportError("timeout", service=service,
                                        seconds=_seconds(self.connect_timeout)) from None
                continue
            except ReadTimeoutError:
                raise RoleportError("timeout", service=service,
                                    seconds=_seconds(self.read_timeout)) from None
            except (EndpointConnectionError, ProxyConnectionError):
                if last_attempt:
                    raise RoleportError("network_error", service=service,
                                        detail="the connection failed") from None
                continue
            except HTTPClientError as exc:  # lost after sending, TLS failures, the rest
                raise RoleportError("network_error", service=service,
                                    detail=type(exc).__name__) from None
            if response.status_code in _RETRIED_STATUSES and not last_attempt:
                continue
            return _signin_token_from(response, "The AWS sign-in endpoint "
                                                f"({target.netloc})")
        raise RoleportError("internal_error",  # pragma: no cover - the last attempt returns
                            detail="the sign-in retries ran out")


# What a 5xx gets: tried again after 0.05 s, then 0.1 s.
_RETRIED_STATUSES = frozenset({500, 502, 503, 504})
_RETRY_BACKOFF_SECONDS = 0.05


def _ca_bundle() -> str | None:
    for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _signin_token_from(response: Any, service: str) -> str:
    """The SigninToken of a getSigninToken answer (a botocore AWSResponse: status_code,
    content). A server fault (5xx, after the retries) is aws_unavailable and a rate limit (429)
    is throttled, naming the endpoint: neither says anything about the credentials; only a 400
    refuses them."""
    status = response.status_code
    if status != 200:
        if 500 <= status < 600:
            raise RoleportError("aws_unavailable", service=service, status=status)
        if status == 429:
            raise RoleportError("throttled", service=service)
        if status == 400:
            detail = ("HTTP 400: the credentials were not accepted (expired or long-term keys, "
                      "or a console session length not allowed for them)")
        else:
            detail = f"HTTP {status}"
        raise RoleportError("federation_failed", detail=detail, status=status)
    if len(response.content) > MAX_SIGNIN_TOKEN_BYTES:
        raise RoleportError("federation_failed", detail="the answer was unexpectedly large")
    try:
        token = json.loads(response.content).get("SigninToken")
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token or _unsafe_characters(token):
        raise RoleportError("federation_failed",
                            detail="the answer did not contain a sign-in token")
    return token
