"""The host's background work after the first ``hello``: warm up once, then watch the config.

Warming up pays the one-time costs (imports, the config parse, the STS model, HTTP sessions)
while the user is still looking at the popup, and builds the profile table so that the next
``profiles`` request is a lookup. Afterwards the AWS config files are polled with stat()
(roleport.config_files generation) and re-parsed in the background when they change: a
persistent host otherwise pays botocore's full parse (hundreds of ms for thousands of
profiles) inside the first ``profiles`` request after every edit.
"""

from __future__ import annotations

import logging
import threading
import time

from roleport.actions import HostContext, config_generation, handle_profiles
from roleport.errors import RoleportError
from roleport.library_imports import import_botocore

log = logging.getLogger("roleport.host")

CONFIG_POLL_SECONDS = 2.0


class WarmUp:
    """Runs the warm-up at most once per host, then the config watcher until ``stop()``."""

    def __init__(self, context: HostContext, *,
                 poll_seconds: float = CONFIG_POLL_SECONDS) -> None:
        self._context = context
        self._poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._started = False
        self._stopped = threading.Event()

    def start(self) -> None:
        """Start the background thread; later calls do nothing."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, name="roleport-warm-up", daemon=True).start()

    def stop(self) -> None:
        """End the config watcher at its next poll."""
        self._stopped.set()

    def _run(self) -> None:
        started = time.monotonic()
        # Taken before the parse: an edit made while warming up is then seen as a change.
        generation = config_generation(self._context)
        try:
            import_botocore()  # under the lock the request handlers take (library_imports)
            self._context.pipeline().warm_up()
            self._refresh_profiles()
            log.info("warm-up done in %.0f ms", (time.monotonic() - started) * 1000)
        except Exception:  # warm-up is an optimisation: log and carry on cold
            log.warning("warm-up failed", exc_info=True)
            return
        self._watch_config(generation)

    def _refresh_profiles(self) -> None:
        """Build the cached profile table now, so the next ``profiles`` request is a lookup."""
        try:
            handle_profiles(self._context, {})
        except RoleportError as error:  # a broken config is reported when it is asked for
            log.info("profiles not pre-built: %s", error.code)
        except Exception:  # a bug must not kill the config watcher (its thread would die)
            log.warning("profiles not pre-built", exc_info=True)

    def _watch_config(self, generation: str) -> None:
        while not self._stopped.wait(self._poll_seconds):
            current = config_generation(self._context)
            if current != generation:
                generation = current
                log.debug("config files changed; re-parsing in the background")
                started = time.monotonic()
                self._refresh_profiles()
                log.debug("profiles re-built in %.0f ms", (time.monotonic() - started) * 1000)
