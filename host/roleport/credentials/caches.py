"""The credential caches roleport shares with the AWS CLI, and the one that tracks a target.

- Assumed-role credentials live in botocore's JSONFileCache at the AWS CLI's location,
  ~/.aws/cli/cache (files 0600, directory 0700), so roleport and the AWS CLI share MFA
  sessions ("Clear cached credentials",
  https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html).
- SSO tokens live in ~/.aws/sso/cache, written as `aws sso login` writes them: timestamps in
  RFC 3339 UTC ("...Z"), which the AWS CLI and the other SDKs read too
  (https://docs.aws.amazon.com/sdkref/latest/guide/understanding-sso.html).
- A chained role session lasts one hour at most ("Role chaining",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html); a cached
  one with less than CHAINED_MIN_REMAINING left is hidden so botocore assumes the role again
  and the console session gets close to its full hour.
- Both caches are read defensively (SafeFileCache): another program, another user or a disk
  error may have left anything there, and an entry decides whose credentials open the
  console. An entry that is not a regular file of the user's own, is writable by others, is
  larger than MAX_ENTRY_BYTES, is not JSON or has the wrong shape is a miss, logged with the
  reason (never the content), and the fresh credentials replace it. The folder is created
  0700 or tightened to it; one that is not a folder, or belongs to another user, is a
  config_error naming it.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from roleport.errors import RoleportError

logger = logging.getLogger(__name__)

CHAINED_MIN_REMAINING = timedelta(minutes=50)
MAX_ENTRY_BYTES = 64 * 1024  # an assumed-role entry is about 2 KB, an SSO token about 4 KB
_CHECKS_OWNER = sys.platform != "win32" and hasattr(os, "getuid")
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_CREDENTIAL_KEYS = ("AccessKeyId", "SecretAccessKey", "SessionToken")


def aws_cli_cache_dir() -> str:
    """~/.aws/cli/cache, where the AWS CLI caches assumed-role credentials."""
    return os.path.join(os.path.expanduser("~"), ".aws", "cli", "cache")


def sso_token_cache_dir() -> str:
    """~/.aws/sso/cache, where `aws sso login` stores tokens (resolved per call, not import)."""
    return os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache")


def new_file_cache() -> SafeFileCache:
    """The AWS CLI's assumed-role cache; the directory is private to the user."""
    return SafeFileCache(aws_cli_cache_dir(), assumed_role_entry_problem)


def new_sso_token_cache() -> SafeFileCache:
    """The SSO token cache `aws sso login` writes, with the file format it writes.

    A refreshed token is saved back with RFC 3339 UTC timestamps ("...Z"), as botocore's own
    SSOTokenProvider writes them, not JSONFileCache's default ("...UTC").
    """
    return SafeFileCache(sso_token_cache_dir(), sso_token_problem,
                         dumps_func=lambda token: json.dumps(token, default=_utc_timestamp))


def assumed_role_entry_problem(entry: Any) -> str | None:
    """Why `entry` is not what botocore's assume-role fetchers cache (None when it is): the
    AssumeRole response, {"Credentials": {AccessKeyId, SecretAccessKey, SessionToken,
    Expiration}, ...}."""
    if not isinstance(entry, dict):
        return "is not a JSON object"
    credentials = entry.get("Credentials")
    if not isinstance(credentials, dict):
        return "has no Credentials object"
    for key in _CREDENTIAL_KEYS:
        if not isinstance(credentials.get(key), str) or not credentials[key]:
            return f"has no Credentials.{key}"
    if _expiration_of(entry) is None:
        return "has no readable Credentials.Expiration"
    return None


def sso_token_problem(entry: Any) -> str | None:
    """Why `entry` is not an SSO token cache entry (botocore checks its fields itself)."""
    return None if isinstance(entry, dict) else "is not a JSON object"


class SafeFileCache:
    """botocore's JSONFileCache (the AWS CLI's file format and names), read defensively.

    The dict-like interface botocore's fetchers use: ``in``, ``[]``, ``[]=`` and ``del``. An
    entry that cannot be trusted is absent (see the module docstring); writing never fails a
    login, since the credentials are already issued.
    """

    def __init__(self, directory: str, entry_problem: Callable[[Any], str | None],
                 dumps_func: Callable[[Any], str] | None = None) -> None:
        self.directory = directory
        self._entry_problem = entry_problem
        self._dumps_func = dumps_func
        self._writer: Any = None
        self._folder_ready = False

    @property
    def _files(self) -> Any:
        """botocore's JSONFileCache, built on the first write: reading never needs it, and
        importing botocore.utils (a tenth of a second) would be most of `roleport list`'s
        cost beyond botocore's config parse when the config has an SSO session."""
        if self._writer is None:
            from botocore.utils import JSONFileCache

            self._writer = JSONFileCache(self.directory, dumps_func=self._dumps_func)
        return self._writer

    def path_of(self, key: str) -> str:
        return os.path.join(self.directory, key + ".json")

    def __contains__(self, key: str) -> bool:
        return self._read(key) is not None

    def __getitem__(self, key: str) -> Any:
        entry = self._read(key)
        if entry is None:
            raise KeyError(key)
        return entry

    def __setitem__(self, key: str, value: Any) -> None:
        self._prepare_folder()
        path = self.path_of(key)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)  # an empty folder in the entry's place; a full one stays
            self._files[key] = value  # mkstemp (0600) + os.replace: replaces any file or link
        except (OSError, ValueError) as exc:
            logger.warning("could not write the cache entry %s: %s", path,
                           getattr(exc, "strerror", None) or type(exc).__name__)

    def store(self, key: str, value: Any, failure: Callable[[str], Exception]) -> None:
        """Write an entry like ``[key] = value``, but raise ``failure(reason)`` when it cannot
        be written (an entry the caller cannot do without, such as a new SSO token)."""
        try:
            self._prepare_folder()
        except RoleportError as error:
            raise failure(str(error.fields.get("detail", error.code))) from None
        try:
            self._files[key] = value
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise failure(str(reason)) from None

    def __delitem__(self, key: str) -> None:
        try:
            os.unlink(self.path_of(key))
        except FileNotFoundError:
            raise KeyError(key) from None
        except OSError as exc:
            logger.warning("could not delete the cache entry %s: %s", self.path_of(key),
                           exc.strerror)

    # -- reading -------------------------------------------------------------------------

    def _read(self, key: str) -> Any | None:
        """The entry, or None (a miss) after logging why it was not used."""
        self._prepare_folder()
        path = self.path_of(key)
        try:
            descriptor = os.open(path, _OPEN_FLAGS)
        except FileNotFoundError:
            return None
        except OSError as exc:  # ELOOP: a symbolic link (O_NOFOLLOW); EACCES; ...
            return self._miss(path, "is a symbolic link" if os.path.islink(path)
                              else f"cannot be opened ({exc.strerror})")
        try:
            # Judged by what was opened, not by the name: nothing can be swapped in between.
            problem = _file_problem(os.fstat(descriptor))
            if problem is not None:
                return self._miss(path, problem)
            try:
                data = _read_at_most(descriptor, MAX_ENTRY_BYTES + 1)
            except OSError as exc:
                return self._miss(path, f"cannot be read ({exc.strerror})")
        finally:
            os.close(descriptor)
        if len(data) > MAX_ENTRY_BYTES:
            return self._miss(path, f"is larger than {MAX_ENTRY_BYTES // 1024} KiB")
        try:
            entry = json.loads(data.decode("utf-8"))
        except ValueError:
            return self._miss(path, "is not JSON")
        problem = self._entry_problem(entry)
        if problem is not None:
            return self._miss(path, problem)
        return entry

    @staticmethod
    def _miss(path: str, reason: str) -> None:
        logger.warning("ignoring the cache entry %s: it %s; it will be replaced", path, reason)
        return None

    def _prepare_folder(self) -> None:
        """Create the folder 0700, or tighten it to 0700; config_error when it is not a
        folder of the user's own."""
        if self._folder_ready:
            return
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            real = os.path.realpath(self.directory)
            info = os.stat(real)
        except (FileExistsError, NotADirectoryError):  # a file where a folder should be
            raise self._unusable("is not a folder") from None
        except OSError as exc:
            raise self._unusable(f"cannot be created or opened ({exc.strerror})") from None
        if not stat.S_ISDIR(info.st_mode):
            raise self._unusable("is not a folder")
        if _CHECKS_OWNER:
            if info.st_uid != os.getuid():
                raise self._unusable(f"belongs to another user (uid {info.st_uid})")
            if stat.S_IMODE(info.st_mode) & 0o077:
                try:
                    os.chmod(real, 0o700)
                except OSError as exc:
                    raise self._unusable(f"cannot be made private ({exc.strerror})") from None
                logger.warning("made the cache folder %s private (it was %s)", self.directory,
                               oct(stat.S_IMODE(info.st_mode)))
        self._folder_ready = True

    def _unusable(self, reason: str) -> RoleportError:
        error = RoleportError("config_error",
                              detail=f"the credential cache {self.directory} {reason}")
        error.hint = (f"Move {self.directory} away or fix it; roleport and the AWS CLI create "
                      "it again as a private folder.")
        return error


def _read_at_most(descriptor: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        try:
            chunk = os.read(descriptor, limit - size)
        except BlockingIOError:  # pragma: no cover - O_NONBLOCK on a regular file never waits
            continue
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _file_problem(info: os.stat_result) -> str | None:
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if _CHECKS_OWNER:
        if info.st_uid != os.getuid():
            return f"belongs to another user (uid {info.st_uid})"
        if info.st_mode & 0o022:
            return f"can be written by other users (mode {oct(stat.S_IMODE(info.st_mode))})"
    return None


def _utc_timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


class TargetTrackingCache:
    """Wraps botocore's JSONFileCache for one resolution.

    botocore's credential fetchers look up the cache of the profile being resolved before they
    resolve its source, so the first key asked for is the target's. For that key this wrapper
    (a) remembers the entry, which carries the AssumedRoleUser ARN (the session name), and
    (b) when `min_remaining` is set (chained roles), hides an entry that would leave the
    console less than that, which makes botocore assume the role again.
    """

    def __init__(self, backing: Any, min_remaining: timedelta | None = None,
                 now: Callable[[], datetime] | None = None) -> None:
        self._backing = backing
        self._min_remaining = min_remaining
        self._now = now or (lambda: datetime.now(timezone.utc))
        self.target_key: str | None = None
        self.target_entry: dict[str, Any] | None = None
        self.target_refreshed = False
        self.hid_valid_target = False  # a still-valid entry was hidden for being too short

    @property
    def target_arn(self) -> str | None:
        """The AssumedRoleUser ARN of the target's entry (read or written), if any."""
        if not self.target_entry:
            return None
        arn = self.target_entry.get("AssumedRoleUser", {}).get("Arn")
        return arn if isinstance(arn, str) else None

    @property
    def target_expiration(self) -> datetime | None:
        """When the target's credentials (read or written) expire, if the entry says."""
        return _expiration_of(self.target_entry) if self.target_entry else None

    def _too_short(self, key: str) -> bool:
        if self._min_remaining is None or key != self.target_key:
            return False
        try:
            entry = self._backing[key]
        except KeyError:
            return True
        expiration = _expiration_of(entry)
        if expiration is None:
            return True
        remaining = expiration - self._now()
        if remaining < self._min_remaining:
            self.hid_valid_target = remaining > timedelta(0)
            return True
        return False

    def __contains__(self, key: str) -> bool:
        if self.target_key is None:
            self.target_key = key
        return key in self._backing and not self._too_short(key)

    def __getitem__(self, key: str) -> Any:
        value = self._backing[key]
        if key == self.target_key:
            self.target_entry = value
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._backing[key] = value
        if key == self.target_key:
            self.target_entry = value
            self.target_refreshed = True

    def __delitem__(self, key: str) -> None:
        del self._backing[key]


def _expiration_of(entry: Any) -> datetime | None:
    try:
        value = entry["Credentials"]["Expiration"]
    except (KeyError, TypeError):
        return None
    return expiration_moment(value)


def expiration_moment(value: Any) -> datetime | None:
    """An expiration time read as botocore's credential code reads it (dateutil's parser, so
    both ISO 8601 and the "...UTC" form JSONFileCache writes); None unless it names a moment
    with a time zone, which botocore needs to compare it with the current time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        from dateutil.parser import parse

        try:
            moment = parse(value)
        except (ValueError, OverflowError):
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else None
