"""Federation endpoint, sign-out endpoint and console page stand-ins (one loopback server).

Rules implemented (AWS IAM User Guide, "Enable custom identity broker access to the AWS
console"; AWS STS API Reference for which credentials may call it):
- getSigninToken accepts only temporary credentials moto issued through the stand-in, with
  the matching secret and session token, not expired; SessionDuration (900..43200) only for
  role (AssumeRole*, SSO) credentials; GetSessionToken credentials never sign in. Every
  refusal is HTTP 400 with an HTML body, like AWS ("Invalid credentials parameter").
- A SigninToken is random, single use, valid 15 minutes, bound to the identity.
- login refuses a cookie jar that already holds a session of a different identity with
  "You must first log out before logging into a different AWS account".
- /oauth?Action=logout clears the session cookie and follows redirect_uri back to us only.
- A console whose session ended on the stand-in's clock redirects to the sign-in host's
  "Your session has expired" page (/signin/session-expired), which links to the login's
  Issuer, as AWS's does.
"""

from __future__ import annotations

import html
import json
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from support.standin._http import StandinHandler
from support.standin.multisession import (
    BOUNCE_REFUSED_TEXT,
    OPT_IN_COOKIE,
    SESSION_LIMIT_TEXT,
    SESSION_LOGOUT_PATH,
    SESSION_PATH,
    cookie_value,
    differentiator,
    session_ids,
)
from support.standin.records import Identity

if TYPE_CHECKING:
    from support.standin.standin import StandIn

INVALID_CREDENTIALS_TEXT = "Invalid credentials parameter"
LOGOUT_FIRST_TEXT = "You must first log out before logging into a different AWS account"
FEDERATION_FAULT_KINDS = ("http_400", "http_500", "garbage", "timeout", "connection_reset",
                          "http_429")


def page(title: str, body_html: str, body_attributes: str = "") -> str:
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head>"
            f"<body{body_attributes}>{body_html}</body></html>")


def error_page(message: str) -> str:
    return page("Amazon Web Services Sign-In",
                f"<h1>Amazon Web Services Sign-In</h1><p id=\"error\">{html.escape(message)}</p>")


class FederationHandler(StandinHandler):
    """Routes /federation, /oauth and /console on the federation stand-in's port."""

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._route(b"")

    def do_HEAD(self) -> None:  # noqa: N802
        self._route(b"")

    def do_POST(self) -> None:  # noqa: N802
        self._route(self.read_body())

    @property
    def standin(self) -> StandIn:
        return self.server.context

    def _route(self, body: bytes) -> None:
        path = urlsplit(self.path).path.rstrip("/") or "/"
        params = self.request_params(body)
        if path == "/federation":
            action = params.get("Action", "")
            if action == "getSigninToken":
                self._get_signin_token(params)
            elif action == "login":
                self._login(params)
            else:
                self.standin._record_federation(action or "(none)", self.command, 400,
                                                reason="unknown Action")
                self.send(400, error_page("Unknown or missing Action."), "text/html")
        elif path == "/oauth" and params.get("Action") == "logout":
            self._logout(params)
        elif path == "/console" or path.startswith("/console/"):
            self._console(params)
        elif (match := SESSION_PATH.match(path)) and (match["rest"] or "").startswith("/console"):
            self._console(params, match["differentiator"])
        elif path == "/signin/session-expired":
            self._session_expired()
        elif path == "/multi-session":
            self._opt_in(params)
        elif path == "/sessions/limit":
            self._session_limit()
        elif match := SESSION_LOGOUT_PATH.match(path):
            self._session_logout(match["differentiator"])
        elif path == "/":
            self._index()
        else:
            self.send(404, error_page("Not found."), "text/html")

    # -- getSigninToken ------------------------------------------------------------------
    def _get_signin_token(self, params: dict[str, str]) -> None:
        standin = self.standin
        duration = params.get("SessionDuration")
        fault = standin._take_fault("federation", "getSigninToken")
        if fault is not None:
            # Recorded before answering: a client that got its answer finds its record.
            standin._record_federation("getSigninToken", self.command,
                                       _FAULT_STATUS.get(fault.kind, 0),
                                       session_duration=duration, fault=fault.kind)
            self._apply_fault(fault.kind)
            return
        access_key_id, kind, refusal, identity = standin._check_session(
            params.get("Session"), duration)
        if refusal is not None:
            standin._record_federation("getSigninToken", self.command, 400,
                                       access_key_id=access_key_id, kind=kind,
                                       session_duration=duration, reason=refusal)
            self.send(400, error_page(INVALID_CREDENTIALS_TEXT), "text/html")
            return
        assert access_key_id is not None and identity is not None
        token = standin._mint_signin_token(access_key_id, duration)
        standin._record_federation("getSigninToken", self.command, 200,
                                   access_key_id=access_key_id, kind=kind,
                                   session_duration=duration, identity=identity)
        self.send_json(200, {"SigninToken": token})

    def _apply_fault(self, kind: str) -> None:
        if kind == "connection_reset":
            self.reset_connection()
        elif kind == "timeout":
            self.hang(self.standin.hang_seconds)
        elif kind == "garbage":
            self.send(200, "<html><body>Service temporarily unavailable</body></html>",
                      "text/html")
        elif kind == "http_500":
            self.send(500, error_page("Internal server error."), "text/html")
        elif kind == "http_429":
            self.send(429, error_page("Too many requests."), "text/html")
        else:  # http_400
            self.send(400, error_page(INVALID_CREDENTIALS_TEXT), "text/html")

    # -- login / logout ------------------------------------------------------------------
    def _session_cookie(self) -> str | None:
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie") or "")
        except Exception:  # a malformed Cookie header means: no session
            return None
        morsel = cookie.get(self.standin.cookie_name)
        return morsel.value if morsel else None

    def _cookie(self, name: str) -> str | None:
        cookie = SimpleCookie()
        try:
            cookie.load(self.headers.get("Cookie") or "")
        except Exception:
            return None
        morsel = cookie.get(name)
        return morsel.value if morsel else None

    def _opted_in(self) -> bool:
        return self._cookie(OPT_IN_COOKIE) == "true"

    def _session_cookie_header(self, ids: list[str]) -> str:
        if not ids:
            return f"{self.standin.cookie_name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        return (f"{self.standin.cookie_name}={cookie_value(ids)}; Path=/; HttpOnly; "
                "SameSite=Lax")

    def _login(self, params: dict[str, str]) -> None:
        standin = self.standin
        destination = params.get("Destination") or "https://console.aws.amazon.com/"
        if self._opted_in():
            self._login_multi(params, destination)
            return
        result = standin._redeem_signin_token(params.get("SigninToken"),
                                              self._session_cookie(), destination,
                                              params.get("Issuer") or "")
        if isinstance(result, str):  # a refusal message
            standin._record_federation("login", self.command, 400, reason=result,
                                       destination=destination)
            self.send(400, error_page(result), "text/html")
            return
        session_id, console_session = result
        standin._record_federation("login", self.command, 302,
                                   identity=console_session.identity,
                                   destination=destination)
        cookie = (f"{standin.cookie_name}={session_id}; Path=/; HttpOnly; SameSite=Lax")
        self.redirect(f"{standin.console_url}?destination={quote(destination, safe='')}",
                      {"Set-Cookie": cookie})

    def _login_multi(self, params: dict[str, str], destination: str) -> None:
        standin = self.standin
        outcome, ids, detail = standin._redeem_signin_token_multi(
            params.get("SigninToken"), session_ids(self._session_cookie()), destination,
            params.get("Issuer") or "")
        if outcome == "refused":
            message = str(detail)
            standin._record_federation("login", self.command, 400, reason=message,
                                       destination=destination)
            self.send(400, error_page(message), "text/html")
            return
        if outcome == "limit":
            standin._record_federation("login", self.command, 302, reason="session limit",
                                       destination=destination)
            self.redirect(f"{standin.base_url}/sessions/limit")
            return
        assert detail is not None and not isinstance(detail, str)
        standin._record_federation("login", self.command, 302, identity=detail.identity,
                                   destination=destination)
        self.redirect(f"{standin.base_url}/s/{differentiator(detail.identity)}/console"
                      f"?destination={quote(destination, safe='')}",
                      {"Set-Cookie": self._session_cookie_header(ids)})

    def _logout(self, params: dict[str, str]) -> None:
        standin = self.standin
        if self._opted_in():
            standin._record_federation("logout", self.command, 400,
                                       reason="multi-session: sign-out bounce refused")
            self.send(400, error_page(BOUNCE_REFUSED_TEXT), "text/html")
            return
        standin._end_console_session(self._session_cookie())
        expired = f"{standin.cookie_name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri and standin._is_own_url(redirect_uri):
            standin._record_federation("logout", self.command, 302,
                                       destination=urlsplit(redirect_uri).path)
            self.redirect(redirect_uri, {"Set-Cookie": expired})
            return
        standin._record_federation("logout", self.command, 200,
                                   reason="redirect_uri missing or not this stand-in")
        self.send(200, page("Signed out", "<h1 id=\"signed-out\">You have signed out.</h1>"),
                  "text/html", {"Set-Cookie": expired})

    # -- console page --------------------------------------------------------------------
    def _console(self, params: dict[str, str], wanted: str | None = None) -> None:
        ids = session_ids(self._session_cookie())
        live = [(sid, found) for sid, found in self.standin._live_sessions(ids)
                if wanted is None or differentiator(found.identity) == wanted]
        if not live and self.standin._any_expired(ids) is not None:
            # AWS sends a console whose session ended to a sign-in page: "Your session has
            # expired" (on signin.aws.amazon.com), with a link to the login's Issuer.
            self.redirect(f"{self.standin.base_url}/signin/session-expired")
            return
        console_session = live[-1][1] if live else None
        destination = params.get("destination") or (
            console_session.destination if console_session else "")
        if console_session is None:
            body = ("<h1 id=\"identity\">Not signed in</h1>"
                    f"<p>Destination: <span id=\"destination\">{html.escape(destination)}"
                    "</span></p>")
            self.send(200, page("Console stand-in - Not signed in", body,
                                ' data-signed-in="false"'), "text/html")
            return
        identity: Identity = console_session.identity
        text = (f"Signed in as {identity.label} in account {identity.account}")
        body = (f"<h1 id=\"identity\">{html.escape(text)}</h1>"
                f"<p>Destination: <span id=\"destination\">{html.escape(destination)}"
                "</span></p>"
                f"<p>Session expires at <span id=\"expires\">"
                f"{console_session.expires_at.isoformat()}</span></p>")
        attributes = (f' data-signed-in="true" data-account="{html.escape(identity.account)}"'
                      f' data-role="{html.escape(identity.role or "")}"'
                      f' data-session-name="{html.escape(identity.session_name)}"')
        self.send(200, page(f"Console stand-in - {identity.label} @ {identity.account}",
                            body, attributes), "text/html")

    def _opt_in(self, params: dict[str, str]) -> None:
        enable = params.get("enable", "true") == "true"
        value = (f"{OPT_IN_COOKIE}=true; Path=/; SameSite=Lax" if enable
                 else f"{OPT_IN_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax")
        state = "on" if enable else "off"
        self.send(200, page("Console stand-in - Multi-session support",
                            f"<h1 id=\"multi-session\">Multi-session support is {state}.</h1>"),
                  "text/html", {"Set-Cookie": value})

    def _session_limit(self) -> None:
        rows = "".join(
            f"<li data-account=\"{html.escape(found.identity.account)}\">"
            f"{html.escape(found.identity.label)} @ {html.escape(found.identity.account)}</li>"
            for _, found in self.standin._live_sessions(session_ids(self._session_cookie())))
        self.send(200, page(f"Amazon Web Services Sign-In - {SESSION_LIMIT_TEXT}",
                            f"<h1 id=\"session-limit\">{SESSION_LIMIT_TEXT}</h1>"
                            f"<ul id=\"sessions\">{rows}</ul>"), "text/html")

    def _session_logout(self, wanted: str) -> None:
        standin = self.standin
        ids = session_ids(self._session_cookie())
        ended = [sid for sid, found in standin._live_sessions(ids)
                 if differentiator(found.identity) == wanted]
        for sid in ended:
            standin._end_console_session(sid)
        standin._record_federation("session-logout", self.command, 200 if ended else 404,
                                   reason=wanted)
        remaining = [sid for sid in ids if sid not in ended]
        self.send(200, page("Signed out", "<h1 id=\"signed-out\">You have signed out.</h1>"),
                  "text/html", {"Set-Cookie": self._session_cookie_header(remaining)})

    def _session_expired(self) -> None:
        ids = session_ids(self._session_cookie())
        expired = self.standin._any_expired(ids)
        issuer = expired.issuer if expired else ""
        link = (f' <a id="issuer" href="{html.escape(issuer)}">{html.escape(issuer)}</a>'
                if issuer.startswith(("https://", "http://")) else
                f" <span id=\"issuer\">{html.escape(issuer)}</span>")
        body = ("<h1 id=\"session-expired\">Your session has expired.</h1>"
                "<p>To start a new session, click the link provided by your administrator:"
                f"{link}</p>")
        self.send(200, page("Amazon Web Services Sign-In - Session expired", body,
                            ' data-signed-in="false"'), "text/html")

    def _index(self) -> None:
        standin = self.standin
        info = {"federation_url": standin.federation_url, "console_url": standin.console_url,
                "sts_url": standin.sts_url, "sso_url": standin.sso_url}
        self.send(200, page("roleport AWS stand-in",
                            f"<pre>{html.escape(json.dumps(info, indent=2))}</pre>"),
                  "text/html")


_FAULT_STATUS = {"http_400": 400, "http_500": 500, "garbage": 200, "http_429": 429}

