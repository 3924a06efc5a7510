"""Where the AWS config lives, and a fingerprint that changes whenever it does.

Rules (AWS CLI User Guide, "Configuration and credential file settings", and botocore's
``configloader.raw_config_parse``): the files are ``AWS_CONFIG_FILE`` and
``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/config`` and ``~/.aws/credentials``; botocore
expands ``$VAR`` / ``${VAR}`` first and ``~`` second. This module does the same expansion
against the environment it is given, so that what roleport stats, reports and watches is the
file botocore parses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from roleport.rules import ENV_CONFIG_FILE, ENV_CREDENTIALS_FILE

DEFAULT_CONFIG_FILE = os.path.join("~", ".aws", "config")
DEFAULT_CREDENTIALS_FILE = os.path.join("~", ".aws", "credentials")

# The variable syntax os.path.expandvars understands on POSIX: $NAME and ${NAME}.
_VARIABLE = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)


def expand_path(path: str, environ: Mapping[str, str]) -> str:
    """``$VAR`` then ``~``, as botocore expands its config paths, but against ``environ``.

    Unknown variables stay as written (os.path.expandvars does the same).
    """
    def variable(match: re.Match[str]) -> str:
        name = match.group(1).strip("{}")
        return environ.get(name, match.group(0))

    expanded = _VARIABLE.sub(variable, path)
    if expanded == "~" or expanded.startswith(("~/", "~" + os.sep)):
        home = environ.get("HOME") or environ.get("USERPROFILE")
        if home:
            return home.rstrip("/\\") + expanded[1:] if expanded != "~" else home
        return os.path.expanduser(expanded)
    return expanded


def _stat_key(path: str) -> tuple[int, int, int] | None:
    # The inode too: editors that save by renaming a new file over the old one.
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


@dataclass(frozen=True)
class ConfigFiles:
    """The two files botocore reads, with the environment's overrides applied."""

    config_file: str
    credentials_file: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ConfigFiles:
        env = os.environ if environ is None else environ
        return cls(
            config_file=expand_path(env.get(ENV_CONFIG_FILE) or DEFAULT_CONFIG_FILE, env),
            credentials_file=expand_path(
                env.get(ENV_CREDENTIALS_FILE) or DEFAULT_CREDENTIALS_FILE, env),
        )

    def signature(self) -> tuple[Any, ...]:
        """(path, (mtime, size, inode)) of both files: the key of everything parsed from them."""
        return (self.config_file, _stat_key(self.config_file),
                self.credentials_file, _stat_key(self.credentials_file))

    def generation(self) -> str:
        """A short fingerprint of ``signature()``: changes when either file does."""
        import hashlib  # here, not at import time: hello's cold start pays for every module

        return hashlib.sha256(repr(self.signature()).encode()).hexdigest()[:16]
