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
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

CHAINED_MIN_REMAINING = timedelta(minutes=50)


def aws_cli_cache_dir() -> str:
    """~/.aws/cli/cache, where the AWS CLI caches assumed-role credentials."""
    return os.path.join(os.path.expanduser("~"), ".aws", "cli", "cache")


def sso_token_cache_dir() -> str:
    """~/.aws/sso/cache, where `aws sso login` stores tokens (resolved per call, not import)."""
    return os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache")


def new_file_cache() -> Any:
    """The AWS CLI's assumed-role cache; the directory is private to the user."""
    from botocore.utils import JSONFileCache

    directory = aws_cli_cache_dir()
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return JSONFileCache(directory)  # mkstemp + os.replace: files are created 0600


def new_sso_token_cache() -> Any:
    """The SSO token cache `aws sso login` writes, with the file format it writes.

    A refreshed token is saved back with RFC 3339 UTC timestamps ("...Z"), as botocore's own
    SSOTokenProvider writes them, not JSONFileCache's default ("...UTC").
    """
    from botocore.utils import JSONFileCache

    return JSONFileCache(sso_token_cache_dir(),
                         dumps_func=lambda token: json.dumps(token, default=_utc_timestamp))


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
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment
