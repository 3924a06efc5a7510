"""MFA codes come from the caller, never from an interactive prompt.

botocore asks its `mfa_prompter` for a code when a profile with mfa_serial has no valid
cached credentials (AssumeRoleProvider, "Assume role with MFA",
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html).
roleport's prompter hands over the code the caller sent, once; without one it raises
MfaCodeNeeded, which becomes `mfa_required` carrying the serial botocore named.
"""

from __future__ import annotations

import re

from roleport.errors import RoleportError
from roleport.rules import is_mfa_code, normalize_mfa_code

# botocore's prompt is "Enter MFA code for <serial>: "; the serial is an ARN or a hardware
# token's serial number.
_PROMPT_SERIAL = re.compile(r"(arn:[^\s]+:mfa/[^\s:]+|GAHT[0-9A-Z]+|[A-Z0-9]{8,})")


class MfaCodeNeeded(Exception):
    """Raised by the prompter handed to botocore: the library never asks interactively."""

    def __init__(self, prompt: str) -> None:
        super().__init__("an MFA code is needed")
        self.prompt = prompt


class NoPromptMfa:
    """botocore's MFA prompter: returns the caller's code once, else raises MfaCodeNeeded."""

    def __init__(self, mfa_code: str | None) -> None:
        self._code = mfa_code
        self.used = False

    def __call__(self, prompt: str) -> str:
        if self._code is None or self.used:
            raise MfaCodeNeeded(prompt)
        self.used = True
        return self._code


def validate_mfa_code(code: str | None) -> str | None:
    """The caller's code, normalized as roleport.rules says (six digits), or invalid_request."""
    if code is None:
        return None
    code = normalize_mfa_code(code)
    if not is_mfa_code(code):
        raise RoleportError("invalid_request",
                            detail="an MFA code is the 6 digits your MFA device shows")
    return code


def serial_from_prompt(prompt: str, fallback: str | None) -> str | None:
    """The MFA device botocore's prompt names, else `fallback` (the profile's mfa_serial)."""
    match = _PROMPT_SERIAL.search(prompt)
    return match.group(1) if match else fallback
