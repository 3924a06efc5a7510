"""Sign-ins that wait for the user without holding up the host.

Rules (PROTOCOL.md, "IAM Identity Center"):
- starting a sign-in answers at once with the user code and verification URI; the wait for
  the user's approval runs on a thread of its own with its own deadline (the code's expiry,
  at most MAX_WAIT), so every other request keeps being answered;
- one sign-in per SSO session at a time: a second start while one waits returns the same
  flow, so two popups opening at once show one code, not two;
- a finished flow is kept for FINISHED_KEPT so that a late status request still learns how
  it ended.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from roleport.errors import RoleportError
from roleport.sso.device_flow import Authorization, DeviceFlow
from roleport.sso.sessions import SsoSession
from roleport.sso.token_cache import rfc3339, utc_now

logger = logging.getLogger(__name__)

MAX_WAIT = timedelta(minutes=15)
FINISHED_KEPT = 600.0  # seconds

PENDING, SUCCEEDED, FAILED, CANCELLED = "pending", "succeeded", "failed", "cancelled"


@dataclass
class Flow:
    flow_id: str
    session: SsoSession
    authorization: Authorization
    cancelled: threading.Event = field(default_factory=threading.Event)
    state: str = PENDING
    error: RoleportError | None = None
    finished_at: float | None = None

    def public(self) -> dict[str, Any]:
        """The wire form: no device code, no token."""
        reply: dict[str, Any] = {
            "flow_id": self.flow_id,
            "sso_session": self.session.key,
            "start_url": self.session.start_url,
            "state": self.state,
            "user_code": self.authorization.user_code,
            "verification_uri": self.authorization.verification_uri,
            "verification_uri_complete": self.authorization.verification_uri_complete,
            "expires_at": rfc3339(self.authorization.expires_at),
            "interval": self.authorization.interval,
        }
        if self.error is not None:
            reply["error"] = self.error.to_dict()
        return reply


class SignInFlows:
    """The sign-ins of one process, at most one waiting per SSO session."""

    def __init__(self, new_flow: Callable[[SsoSession], DeviceFlow],
                 on_success: Callable[[SsoSession], None] | None = None) -> None:
        self._new_flow = new_flow
        self._on_success = on_success
        self._lock = threading.Lock()
        self._flows: dict[str, Flow] = {}
        self._starting: dict[str, threading.Lock] = {}

    def start(self, session: SsoSession) -> Flow:
        """The waiting flow of this session, or a new one (network: register + authorize)."""
        with self._lock:
            starting = self._starting.setdefault(session.key, threading.Lock())
        with starting:  # a second start for the same session waits here, then joins
            existing = self._waiting(session.key)
            if existing is not None:
                return existing
            device = self._new_flow(session)
            authorization = device.start()
            flow = Flow(secrets.token_hex(8), session, authorization)
            with self._lock:
                self._prune()
                self._flows[flow.flow_id] = flow
            threading.Thread(target=self._wait, args=(flow, device), daemon=True,
                             name=f"roleport-sso-{flow.flow_id}").start()
            return flow

    def get(self, flow_id: str) -> Flow:
        with self._lock:
            flow = self._flows.get(flow_id)
        if flow is None:
            raise RoleportError("sso_flow_not_found", flow_id=flow_id[:64])
        return flow

    def cancel(self, flow_id: str) -> Flow:
        flow = self.get(flow_id)
        flow.cancelled.set()
        if flow.state == PENDING:
            # Said at once: the waiting thread may be between two polls for a while.
            self._finish(flow, CANCELLED, RoleportError(
                "sso_login_cancelled", start_url=flow.session.start_url,
                sso_session=flow.session.key))
        return flow

    def cancel_all(self) -> None:
        with self._lock:
            flows = list(self._flows.values())
        for flow in flows:
            flow.cancelled.set()

    def waiting(self, key: str) -> Flow | None:
        """The sign-in of this session still waiting for the user, if any."""
        return self._waiting(key)

    def _waiting(self, key: str) -> Flow | None:
        now = utc_now()
        with self._lock:
            for flow in self._flows.values():
                if (flow.session.key == key and flow.state == PENDING
                        and flow.authorization.expires_at > now):
                    return flow
        return None

    def _wait(self, flow: Flow, device: DeviceFlow) -> None:
        lifetime = (flow.authorization.expires_at - utc_now()).total_seconds()
        deadline = time.monotonic() + min(max(lifetime, 0.0), MAX_WAIT.total_seconds())
        try:
            device.wait(flow.authorization, flow.cancelled, deadline)
        except RoleportError as error:
            state = CANCELLED if error.code == "sso_login_cancelled" else FAILED
            self._finish(flow, state, error)
            logger.info("sign-in %s to %s ended: %s", flow.flow_id, flow.session.label,
                        error.code)
            return
        except Exception as exc:  # a thread must not die silently
            logger.exception("sign-in %s failed", flow.flow_id)
            self._finish(flow, FAILED, RoleportError(
                "internal_error", detail=f"{type(exc).__name__} while signing in"))
            return
        if self._finish(flow, SUCCEEDED, None) and self._on_success is not None:
            try:
                self._on_success(flow.session)
            except Exception:  # discovery is a follow-up, the sign-in itself succeeded
                logger.exception("follow-up after the sign-in to %s failed", flow.session.label)

    def _finish(self, flow: Flow, state: str, error: RoleportError | None) -> bool:
        with self._lock:
            if flow.state != PENDING:
                return False
            flow.state = state
            flow.error = error
            flow.finished_at = time.monotonic()
            return True

    def _prune(self) -> None:
        now = time.monotonic()
        for flow_id in [flow_id for flow_id, flow in self._flows.items()
                        if flow.finished_at is not None
                        and now - flow.finished_at > FINISHED_KEPT]:
            del self._flows[flow_id]
