"""Discovered accounts and roles, cached per SSO session on disk, refreshed in the background.

Rules (PROTOCOL.md, "sso_roles"):
- a session's listing is served at once from its cache file, however old; one older than the
  maximum age (ROLEPORT_SSO_DISCOVERY_MAX_AGE, default one hour) or asked for explicitly is
  fetched again on a background thread, one fetch per session at a time;
- the cache holds account ids, names, e-mail addresses, role names and the fetch time, never a
  token: it lives in roleport's own state folder (roleport.logs.state_dir), one 0600 file per
  session named sha1(session key), written atomically;
- a failed fetch keeps the previous listing and reports why (no token, an expired one or one
  the portal refused: sso_signin_required, so the popup can offer to sign in again); a new
  sign-in clears that refusal and fetches again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from roleport.credentials.caches import expiration_moment
from roleport.errors import RoleportError
from roleport.sso.portal import DiscoveredAccount
from roleport.sso.sessions import SsoSession
from roleport.sso.token_cache import rfc3339, utc_now

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1
MAX_CACHE_BYTES = 64 * 1024 * 1024


@dataclass
class SessionListing:
    """One session's discovered roles, when they were fetched, and the last fetch's fate."""

    session: SsoSession
    accounts: list[DiscoveredAccount] = field(default_factory=list)
    fetched_at: datetime | None = None
    refreshing: bool = False
    error: RoleportError | None = None

    @property
    def signin_refused(self) -> bool:
        """The last fetch found no usable token: none, an expired one, or one the portal
        refused (revoked, signed out elsewhere)."""
        return self.error is not None and self.error.code == "sso_signin_required"

    def summary(self) -> dict[str, Any]:
        return {
            "sso_session": self.session.key,
            "start_url": self.session.start_url,
            "region": self.session.region,
            "fetched_at": rfc3339(self.fetched_at) if self.fetched_at else None,
            "refreshing": self.refreshing,
            "accounts": len(self.accounts),
            "roles": sum(len(account.roles) for account in self.accounts),
            "error": self.error.to_dict() if self.error else None,
        }


def cache_path(folder: Path, session: SsoSession) -> Path:
    return folder / (hashlib.sha1(session.key.encode("utf-8")).hexdigest() + ".json")


def read_cache(folder: Path, session: SsoSession) -> SessionListing:
    """The cached listing, or an empty one (a missing, foreign or unreadable file)."""
    listing = SessionListing(session)
    path = cache_path(folder, session)
    try:
        if path.stat().st_size > MAX_CACHE_BYTES:
            raise ValueError("too large")
        document = json.loads(path.read_text(encoding="utf-8"))
        if (document.get("format") != CACHE_FORMAT
                or document.get("sso_session") != session.key
                or document.get("start_url") != session.start_url):
            return listing
        listing.fetched_at = expiration_moment(document.get("fetched_at"))
        listing.accounts = [
            DiscoveredAccount(str(item["id"]), str(item.get("name", "")),
                              str(item.get("email", "")),
                              tuple(str(role) for role in item.get("roles", [])))
            for item in document.get("accounts", [])]
    except FileNotFoundError:
        pass
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        logger.warning("ignoring the discovery cache %s: %s", path, type(exc).__name__)
        listing.accounts, listing.fetched_at = [], None
    return listing


def write_cache(folder: Path, listing: SessionListing) -> None:
    """Atomic 0600 write; a failure is logged (the listing still serves from memory)."""
    document = {
        "format": CACHE_FORMAT,
        "sso_session": listing.session.key,
        "start_url": listing.session.start_url,
        "fetched_at": rfc3339(listing.fetched_at) if listing.fetched_at else None,
        "accounts": [{"id": account.account_id, "name": account.name,
                      "email": account.email, "roles": list(account.roles)}
                     for account in listing.accounts],
    }
    path = cache_path(folder, listing.session)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".discovery-")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(document, handle, separators=(",", ":"))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        logger.warning("could not write the discovery cache %s: %s", path, exc.strerror)


Fetch = Callable[[SsoSession], list[DiscoveredAccount]]


class Discovery:
    """The listings of every session of one process, from disk, refreshed in the background."""

    def __init__(self, folder: Path, fetch: Fetch) -> None:
        self.folder = folder
        self._fetch = fetch
        self._lock = threading.Lock()
        self._listings: dict[str, SessionListing] = {}
        self._done = threading.Condition(self._lock)

    def listing(self, session: SsoSession, max_age: float | None = None,
                refresh: bool = False) -> SessionListing:
        """The session's listing now; a refresh starts behind it when asked for or stale."""
        with self._lock:
            listing = self._listings.get(session.key)
            if listing is None or listing.session != session:
                listing = read_cache(self.folder, session)
                self._listings[session.key] = listing
            # max_age None: serve what is there, fetch only when asked to.
            stale = max_age is not None and (
                listing.fetched_at is None
                or (utc_now() - listing.fetched_at).total_seconds() > max_age)
            # A failed fetch is not retried on every popup: only when asked, or once stale.
            if (refresh or (stale and listing.error is None)) and not listing.refreshing:
                listing.refreshing = True
                threading.Thread(target=self._refresh, args=(listing,), daemon=True,
                                 name="roleport-sso-discovery").start()
            return listing

    def signed_in(self, session: SsoSession) -> SessionListing:
        """A sign-in just succeeded: a refusal of the old token no longer holds, and the
        listing is fetched again with the new one."""
        with self._lock:
            listing = self._listings.get(session.key)
            if listing is not None and listing.signin_refused:
                listing.error = None
        return self.listing(session, refresh=True)

    def wait(self, session: SsoSession, timeout: float) -> SessionListing:
        """Block until the session's running refresh ends (for the CLI and tests)."""
        with self._done:
            listing = self._listings.get(session.key)
            self._done.wait_for(lambda: listing is None or not listing.refreshing, timeout)
            return self._listings.get(session.key) or SessionListing(session)

    def _refresh(self, listing: SessionListing) -> None:
        try:
            accounts = self._fetch(listing.session)
        except RoleportError as error:
            logger.info("discovery for %s failed: %s", listing.session.label, error.code)
            with self._done:
                listing.error = error
                listing.refreshing = False
                self._done.notify_all()
            return
        except Exception as exc:
            logger.exception("discovery for %s failed", listing.session.label)
            with self._done:
                listing.error = RoleportError(
                    "internal_error", detail=f"{type(exc).__name__} while listing roles")
                listing.refreshing = False
                self._done.notify_all()
            return
        with self._done:
            listing.accounts = accounts
            listing.fetched_at = utc_now()
            listing.error = None
        write_cache(self.folder, listing)
        with self._done:
            listing.refreshing = False
            self._done.notify_all()
        logger.info("discovered %d accounts for %s", len(accounts), listing.session.label)
