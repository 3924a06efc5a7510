"""Where the AWS config lives, and a fingerprint that changes whenever it does.

Rules (AWS CLI User Guide, "Configuration and credential file settings", and botocore's
``configloader.raw_config_parse``): the files are ``AWS_CONFIG_FILE`` and
``AWS_SHARED_CREDENTIALS_FILE``, else ``~/.aws/config`` and ``~/.aws/credentials``; botocore
expands ``$VAR`` / ``${VAR}`` first and ``~`` second. This module does the same expansion
against the environment it is given, so that what roleport stats, reports and watches is the
file botocore parses.

Size limit: each file is at most MAX_CONFIG_FILE_BYTES (16 MiB), checked with stat() before
anything parses it. botocore's loader (configparser, then shlex on every section name) holds
the whole file and every parsed section at once, about 20 times the file's size in memory,
and takes seconds per MiB; a 20,000-profile config is about 3 MiB, so real configs stay far
below the limit while a runaway file (generated or concatenated) cannot exhaust the host.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from roleport.errors import RoleportError
from roleport.rules import ENV_CONFIG_FILE, ENV_CREDENTIALS_FILE

DEFAULT_CONFIG_FILE = os.path.join("~", ".aws", "config")
DEFAULT_CREDENTIALS_FILE = os.path.join("~", ".aws", "credentials")

MAX_CONFIG_FILE_BYTES = 16 * 1024 * 1024
"""Largest AWS config or credentials file roleport parses (PROTOCOL.md, "Limits")."""

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

    def check_sizes(self, limit: int = MAX_CONFIG_FILE_BYTES) -> None:
        """config_error naming the file, its size and the limit if either file is larger
        than ``limit`` bytes; a missing file is not an error here (botocore's rule)."""
        for path in (self.config_file, self.credentials_file):
            try:
                size = os.stat(path).st_size
            except OSError:
                continue
            if size > limit:
                raise RoleportError(
                    "config_error", config_file=path, location=f" {path}",
                    detail=f"{path} is {size:,} bytes, more than the {limit:,} bytes roleport "
                           "reads from one AWS config file")

    def generation(self) -> str:
        """A short fingerprint of ``signature()``: changes when either file does."""
        import hashlib  # here, not at import time: hello's cold start pays for every module

        return hashlib.sha256(repr(self.signature()).encode()).hexdigest()[:16]
