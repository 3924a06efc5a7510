"""STS stand-in: a recording, rule-enforcing, fault-injecting proxy in front of moto.

moto mints real-looking credentials but enforces nothing that matters here (MFA codes, role
chaining limits, expiry of the caller's own keys). The proxy adds those AWS rules, records
every credential moto issues with the kind of call that minted it, and answers errors in the
real STS XML format so botocore maps them to the same ClientError codes as against AWS.
"""

from __future__ import annotations

import http.client
import re
import secrets
import string
import uuid
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from support.standin._http import StandinHandler
from support.standin.records import (
    CHAINED_ROLE,
    FEDERATION_TOKEN,
    ROLE,
    SESSION_TOKEN,
    SSO,
    IssuedCredential,
)

if TYPE_CHECKING:
    from support.standin.standin import StandIn

STS_XML_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
MFA_FAILED_MESSAGE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
CHAINED_DURATION_MESSAGE = (
    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
    "role chaining.")
# Hard limit of AWS for role-chained sessions (IAM User Guide, "Role chaining").
CHAINED_ROLE_MAX_SECONDS = 3600

# Which STS action mints which kind of credential (before chained detection).
ISSUING_ACTIONS = {
    "AssumeRole": ROLE,
    "AssumeRoleWithSAML": ROLE,
    "AssumeRoleWithWebIdentity": ROLE,
    "GetFederationToken": FEDERATION_TOKEN,
    "GetSessionToken": SESSION_TOKEN,
}
# Credentials of these kinds are role sessions: AssumeRole signed with them is role chaining.
ROLE_SESSION_KINDS = (ROLE, CHAINED_ROLE, SSO)
# Assertions and tokens sent as parameters are secrets and are never recorded.
SECRET_PARAMS = frozenset({"SAMLAssertion", "WebIdentityToken", "ProvidedContexts",
                           "X-Amz-Signature", "X-Amz-Security-Token"})
STS_FAULT_KINDS = ("access_denied", "expired_token", "throttling", "http_500",
                   "connection_reset", "timeout", "http_429")

_CREDENTIAL_SCOPE = re.compile(r"Credential=([A-Za-z0-9]+)/")


def caller_key_id(authorization: str | None) -> str | None:
    """The access key id of a SigV4 `Authorization` header (its Credential scope)."""
    match = _CREDENTIAL_SCOPE.search(authorization or "")
    return match.group(1) if match else None


def sts_error_body(code: str, message: str, sender: bool = True) -> str:
    """An error document in the exact shape STS returns (ErrorResponse/Error/Code...)."""
    return (
        f'<ErrorResponse xmlns="{STS_XML_NAMESPACE}">'
        f"<Error><Type>{'Sender' if sender else 'Receiver'}</Type>"
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>")


def parse_expiration(text: str) -> datetime:
    # Python 3.10's fromisoformat does not accept the trailing "Z" STS uses.
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))


def temporary_access_key_id() -> str:
    """A fresh ASIA... key id, the prefix AWS uses for every temporary credential."""
    alphabet = string.ascii_uppercase + "234567"
    return "ASIA" + "".join(secrets.choice(alphabet) for _ in range(16))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_issued(xml_body: str) -> dict[str, str] | None:
    """AccessKeyId, SecretAccessKey, SessionToken, Expiration and principal Arn of a reply."""
    try:
        root = ElementTree.fromstring(xml_body)
    except ElementTree.ParseError:
        return None
    found: dict[str, str] = {}
    for element in root.iter():
        name = _local(element.tag)
        if name == "Credentials":
            for child in element:
                found[_local(child.tag)] = (child.text or "").strip()
        elif name == "Arn" and "Arn" not in found:
            found["Arn"] = (element.text or "").strip()
    return found if "AccessKeyId" in found and "Expiration" in found else None


class MotoClient:
    """Plain HTTP to the moto server (one connection per request; loopback is cheap)."""

    def __init__(self, moto_url: str) -> None:
        parts = urlsplit(moto_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80

    def request(self, method: str, path: str, body: bytes,
                headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def call(self, params: dict[str, str], access_key_id: str) -> tuple[int, str]:
        """A form-encoded STS query call made by the stand-in itself (moto checks no
        signatures; the Credential scope only tells moto which account is calling)."""
        from urllib.parse import urlencode

        body = urlencode({"Version": "2011-06-15", **params}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": (f"AWS4-HMAC-SHA256 Credential={access_key_id}/20260101/"
                              "us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0"),
        }
        status, _, payload = self.request("POST", "/", body, headers)
        return status, payload.decode("utf-8", "replace")


class StsProxyHandler(StandinHandler):
    """Parses each STS query request, applies faults and AWS rules, forwards to moto."""

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        self._handle()

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        standin: StandIn = self.server.context
        body = self.read_body()
        params = self.request_params(body)
        action = params.get("Action", "")
        # Signed requests name their key in the Authorization header; presigned ones in
        # the X-Amz-Credential query parameter.
        caller = (caller_key_id(self.headers.get("Authorization"))
                  or params.get("X-Amz-Credential", "").split("/")[0] or None)
        recorded = {k: v for k, v in params.items()
                    if k not in SECRET_PARAMS and k not in ("Action", "Version")}

        # Records are written before answering: a client that got its answer must find
        # its request recorded.
        fault = standin._take_fault("sts", action)
        if fault is not None:
            standin._record_sts_call(action, recorded, caller,
                                     _FAULT_STATUS.get(fault.kind, 0), fault=fault.kind)
            self._apply_fault(fault.kind, action, params)
            return

        refusal = standin._sts_refusal(action, params, caller,
                                       self.headers.get("X-Amz-Security-Token"))
        if refusal is not None:
            status, code, message = refusal
            standin._record_sts_call(action, recorded, caller, status, error_code=code)
            self.send(status, sts_error_body(code, message), "text/xml")
            return

        forward_headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "keep-alive",
                                                "content-length", "transfer-encoding")}
        try:
            status, headers, payload = standin._moto.request(
                self.command, self.path, body, forward_headers)
        except OSError as error:
            message = f"moto is unreachable: {type(error).__name__}"
            standin._record_sts_call(action, recorded, caller, 503,
                                     error_code="ServiceUnavailable")
            self.send(503, sts_error_body("ServiceUnavailable", message, sender=False),
                      "text/xml")
            return

        text = payload.decode("utf-8", "replace")
        error_code = None
        if status == 200 and action in ISSUING_ACTIONS:
            text = standin._record_issued_from_sts(action, params, caller, text)
        elif status >= 400:
            match = re.search(r"<Code>([^<]+)</Code>", text)
            error_code = match.group(1) if match else None
        standin._record_sts_call(action, recorded, caller, status, error_code=error_code)
        self.send(status, text, headers.get("Content-Type", "text/xml"))

    def _apply_fault(self, kind: str, action: str, params: dict[str, str]) -> None:
        standin: StandIn = self.server.context
        if kind == "connection_reset":
            self.reset_connection()
            return
        if kind == "timeout":
            self.hang(standin.hang_seconds)
            return
        if kind == "access_denied":
            resource = params.get("RoleArn", "*")
            message = (f"User: arn:aws:iam::123456789012:user/standin is not authorized to "
                       f"perform: sts:{action or 'Unknown'} on resource: {resource}")
            status, code = 403, "AccessDenied"
        elif kind == "expired_token":
            status, code = 400, "ExpiredToken"
            message = "The security token included in the request is expired"
        elif kind == "throttling":
            status, code, message = 400, "Throttling", "Rate exceeded"
        elif kind == "http_429":  # a rate limit in front of the service, no STS error code
            status, code, message = 429, "TooManyRequests", "Too Many Requests"
        else:  # http_500
            status, code = 500, "InternalFailure"
            message = "The request processing has failed because of an unknown error."
        self.send(status, sts_error_body(code, message, sender=status < 500), "text/xml")


# Status each fault answers with (0: no HTTP answer at all).
_FAULT_STATUS = {"access_denied": 403, "expired_token": 400, "throttling": 400, "http_500": 500,
                 "http_429": 429}


def issued_record(action: str, caller_kind: str | None, fields: dict[str, str],
                  access_key_id: str, caller: str | None,
                  params: dict[str, Any]) -> IssuedCredential:
    kind = ISSUING_ACTIONS[action]
    if kind == ROLE and caller_kind in ROLE_SESSION_KINDS:
        kind = CHAINED_ROLE
    return IssuedCredential(
        access_key_id=access_key_id, kind=kind, arn=fields.get("Arn") or None,
        expiration=parse_expiration(fields["Expiration"]), caller_key_id=caller,
        role_arn=params.get("RoleArn"), mfa_authenticated=bool(params.get("SerialNumber")))
