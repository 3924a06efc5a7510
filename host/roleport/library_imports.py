"""botocore's modules, imported by one thread at a time, once per process.

The rule: Python imports each module under a lock of its own, taken for a submodule before
its parent package, and raises ``_DeadlockError`` (a ``RuntimeError``) in one of two threads
that wait for each other's module lock (The Python Language Reference, "The import system";
the ``_ModuleLock`` of CPython's Lib/importlib/_bootstrap.py). botocore and urllib3 hold
cycles that two threads can enter from opposite ends: botocore.utils, botocore.awsrequest
and botocore.httpsession import each other, and urllib3's package imports its ``util``
package while ``urllib3.util.connection`` needs it as a parent.
A host that imports botocore lazily from several worker threads at once (the warm-up after
``hello`` and the first ``sso_sessions``, say) therefore failed a request now and then with
``internal_error``.

``import_botocore`` imports ``botocore.session``, which pulls in every one of those cycles, under
one process-wide lock; every host thread calls it before its first botocore import (the
request loop before each handler that declares it needs botocore, the warm-up before its
work). Later lazy imports then find the cycles complete. The instant lane never imports
botocore, and ``profiles`` imports only the config reader (botocore.configloader and
botocore.exceptions), whose import graph holds no cycle: a thread importing only those cannot
be part of a deadlock, so the first list does not wait for the whole of botocore.
"""

from __future__ import annotations

import sys
import threading

_LOCK = threading.Lock()
_ENTRY_MODULE = "botocore.session"


def botocore_imported() -> bool:
    """Whether botocore's module graph is completely imported in this process."""
    module = sys.modules.get(_ENTRY_MODULE)
    spec = getattr(module, "__spec__", None)
    return module is not None and not getattr(spec, "_initializing", False)


def import_botocore() -> None:
    """Import botocore's module graph unless it already is; other callers wait for it."""
    if botocore_imported():
        return
    with _LOCK:
        if not botocore_imported():
            import botocore.session  # noqa: F401  # the whole graph, cycles included
