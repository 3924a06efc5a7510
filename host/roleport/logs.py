"""Logging for the host and the CLI: a size-capped rotating file plus a redaction filter.

Rules implemented here (README, "Security"):
- logs go to a rotating file in the user's state directory, never to stdout (the native
  protocol owns stdout), and to stderr only when asked;
- every record of every logger (ours, botocore's, urllib3's) passes ``RedactionFilter``
  before it is written, so access key ids, secret keys, session tokens, SigninTokens, MFA
  codes and console login URLs never reach a log line, whatever the caller formatted into it;
- a value is recognised by the name it is given (``TokenCode=``, ``"SecretAccessKey": ``,
  ``<SessionToken>...</SessionToken>``) whatever its length, because AWS documents no fixed
  length for secret keys or session tokens (STS API Reference, "Credentials": the key and
  token are plain strings), and by its shape where it stands alone. At DEBUG botocore logs
  each request's parameters (``TokenCode`` of AssumeRole, the MFA code) and each response
  body (the STS XML ``Credentials`` element); IAM Identity Center's OIDC and portal bodies
  carry ``clientSecret``, ``deviceCode``, ``accessToken``, ``refreshToken`` and the
  ``x-amz-sso_bearer_token`` header, all matched by name.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from roleport.rules import ENV_LOG_FILE, ENV_LOG_LEVEL, ENV_LOG_STDERR, ENV_STATE_DIR

LOGGER_NAME = "roleport"
LOG_FILE_NAME = "host.log"
MAX_LOG_BYTES = 1024 * 1024
BACKUP_COUNT = 3
DEFAULT_LEVEL = logging.INFO
REDACTED = "[REDACTED]"

_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"

# Names under which a secret travels. "token_code" and "mfa_code" before "token": a name is
# matched from its start, and TokenCode must not stop at "Token".
_SECRET_NAMES = (r"(?:aws_)?(?:secret_?access_?key|session_?token|security_?token"
                 r"|secret_?key|session_?key|signin_?token|access_?key_?id|token_?code"
                 r"|mfa_?code|client_?secret|device_?code|x-amz-security-token|x-amz-signature|x-amz-credential"
                 r"|credential|signature|password|token|authorization|session)")
# XML elements whose whole text is a secret (STS responses, query bodies echoed as XML).
_SECRET_ELEMENTS = (r"(?:SecretAccessKey|SecretKey|SessionToken|SecurityToken|AccessKeyId"
                    r"|TokenCode|SigninToken|Password|SAMLAssertion|WebIdentityToken)")

# Order matters: whole login/federation URLs first, then named values (XML elements, then
# key=value pairs), then bare values.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A console login URL or a federation call carrying a token or credentials is a credential.
    (re.compile(r"""https?://[^\s"'<>]*?(?:signintoken|action=login|[?&]session=)"""
                r"""[^\s"'<>]*""", re.IGNORECASE), "[REDACTED login URL]"),
    # <SecretAccessKey>...</SecretAccessKey>, with or without a namespace prefix or
    # attributes: everything up to the closing tag, whatever its length.
    (re.compile(r"(?P<open><(?P<tag>(?:[\w.-]+:)?" + _SECRET_ELEMENTS + r")(?:\s[^<>]*)?>)"
                r"[^<]*(?P<close></(?P=tag)\s*>)", re.IGNORECASE),
     r"\g<open>" + REDACTED + r"\g<close>"),
    # Secret-bearing fields as key=value, key: value, "key": "value" (JSON, INI, query, repr),
    # \"key\": \"value\" (JSON escaped inside a string), also 'key': b'value' (botocore
    # logs header values as bytes).
    (re.compile(r"(?P<key>" + _SECRET_NAMES + r""")(?P<sep>\\?["']?\s*[:=]\s*"""
                r"""(?:b(?=["']))?\\?["']?)(?P<value>[^\s"',&;}]+)""", re.IGNORECASE),
     r"\g<key>\g<sep>" + REDACTED),
    # AWS access key ids (long-term AKIA..., temporary ASIA..., and the rarer prefixes), also
    # right after a %XX or \uXXXX escape (URL-encoded or escaped JSON: %22ASIA...) or a "_".
    (re.compile(r"(?:(?<=%[0-9A-Fa-f]{2})|(?<=\\u[0-9A-Fa-f]{4})|(?<![A-Za-z0-9]))"
                r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}"
                r"(?![A-Za-z0-9])"),
     REDACTED),
    # Long base64 runs: session tokens and SigninTokens (>= 64 chars), bounded on both sides,
    # mixing upper case, lower case and digits as random tokens do (file paths do not).
    (re.compile(r"(?<![A-Za-z0-9+/_%-])(?=[A-Za-z0-9+/_%-]*[A-Z])(?=[A-Za-z0-9+/_%-]*[a-z])"
                r"(?=[A-Za-z0-9+/_%-]*[0-9])[A-Za-z0-9+/_%-]{64,}={0,2}(?![A-Za-z0-9+/=_%-])"),
     REDACTED),
)

# Secret access keys: exactly 40 base64 characters, as is or URL-encoded ("+" and "/" become
# %2B and %2F), standing alone or right after another %XX escape (URL-encoded JSON: %22...%22).
# Which ones are secrets is decided by _secret_key_or_not (mixed case).
_SECRET_KEY = re.compile(r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![A-Za-z0-9+/=%]))"
                         r"(?:[A-Za-z0-9+/]|%2[BbFf]){40}"
                         r"(?![A-Za-z0-9+/=]|%2[BbFf]|%3[Dd])")
_URL_ESCAPES = re.compile(r"%2[BbFf]")


def _secret_key_or_not(match: re.Match[str]) -> str:
    """Random 40-character keys mix upper and lower case (all but ~1e-9 of them); hex digests
    (git commits, cache file names) and plain words do not, and are kept. A digit is not
    required: about one secret key in 900 has none."""
    value = _URL_ESCAPES.sub("/", match.group())
    if any(c.isupper() for c in value) and any(c.islower() for c in value):
        return REDACTED
    return match.group()


def redact(text: str) -> str:
    """Return ``text`` with every credential-shaped substring replaced by [REDACTED]."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _SECRET_KEY.sub(_secret_key_or_not, text)


class RedactionFilter(logging.Filter):
    """Rewrites each record's message, exception text and stack text through ``redact``.

    Attached to handlers (not loggers) so that records propagated from third-party loggers are
    filtered too. Formatting happens here once, so a secret passed as a %-argument is caught.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record nor raise
            message = f"{record.msg!r} (unformattable arguments)"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def state_dir(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The per-user directory for roleport's logs (ARCHITECTURE.md: ROLEPORT_STATE_DIR).

    Linux and other Unix: $XDG_STATE_HOME/roleport (default ~/.local/state/roleport); macOS:
    ~/Library/Logs/roleport; Windows: %LOCALAPPDATA%\\roleport.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if env.get(ENV_STATE_DIR):
        return Path(env[ENV_STATE_DIR]).expanduser()
    home = Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())
    if platform == "win32":
        base = env.get("LOCALAPPDATA")
        return Path(base) / "roleport" if base else home / "AppData" / "Local" / "roleport"
    if platform == "darwin":
        return home / "Library" / "Logs" / "roleport"
    xdg = env.get("XDG_STATE_HOME")
    # The XDG spec says relative paths are invalid and must be ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "roleport"
    return home / ".local" / "state" / "roleport"


def log_file(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """ROLEPORT_LOG_FILE if set, else host.log in ``state_dir``."""
    env = os.environ if environ is None else environ
    if env.get(ENV_LOG_FILE):
        return Path(env[ENV_LOG_FILE]).expanduser()
    return state_dir(env, platform) / LOG_FILE_NAME


def log_level(environ: Mapping[str, str] | None = None) -> int:
    """ROLEPORT_LOG_LEVEL as a name (debug, info, warning, error) or a number; INFO otherwise."""
    env = os.environ if environ is None else environ
    raw = (env.get(ENV_LOG_LEVEL) or "").strip()
    if not raw:
        return DEFAULT_LEVEL
    if raw.isdigit():
        return int(raw)
    level = logging.getLevelName(raw.upper())
    return level if isinstance(level, int) else DEFAULT_LEVEL


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Creates log files readable by their owner only: the log describes the user's accounts."""

    def _open(self):  # type: ignore[no-untyped-def]
        old_umask = os.umask(0o077)
        try:
            stream = super()._open()
        finally:
            os.umask(old_umask)
        # The umask only applies to a new file: one left readable by an older version or
        # named by ROLEPORT_LOG_FILE is tightened too.
        if hasattr(os, "fchmod"):
            try:
                os.fchmod(stream.fileno(), 0o600)
            except OSError:  # not our file (shared log path): keep logging, do not fail
                pass
        return stream


def configure_logging(*, stderr: bool | None = None,
                      environ: Mapping[str, str] | None = None) -> logging.Logger:
    """Install the redacting file handler (and optionally a stderr one) on the root logger.

    ``stderr`` defaults to ROLEPORT_LOG_STDERR=1. Idempotent: earlier roleport handlers are
    replaced. A log file that cannot be opened (read-only home, bad override) falls back to
    stderr with a warning instead of failing the host.
    """
    env = os.environ if environ is None else environ
    if stderr is None:
        stderr = env.get(ENV_LOG_STDERR, "") not in ("", "0", "false", "no")
    level = log_level(env)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_roleport", False):
            root.removeHandler(handler)
            handler.close()
    formatter = logging.Formatter(_FORMAT)
    handlers: list[logging.Handler] = []
    path = log_file(env)
    file_problem: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handlers.append(_PrivateRotatingFileHandler(
            path, maxBytes=MAX_LOG_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"))
    except OSError as exc:
        file_problem = f"cannot write the log file {path}: {exc.strerror or exc}"
        stderr = True
    if stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactionFilter())
        handler.setLevel(level)
        handler._roleport = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # Third-party debug output (wire dumps) only when the user asks for DEBUG.
    for noisy in ("botocore", "urllib3", "boto3"):
        logging.getLogger(noisy).setLevel(level if level <= logging.DEBUG
                                          else max(level, logging.WARNING))
    logger = logging.getLogger(LOGGER_NAME)
    if file_problem:
        logger.warning("%s; logging to stderr instead", file_problem)
    return logger
