"""Amazon Resource Names, split once.

Format (IAM User Guide, "IAM identifiers", and AWS General Reference, "Amazon Resource Names"):
``arn:<partition>:<service>:<region>:<account-id>:<resource>``, where the resource of an IAM
role is ``role/<path/>name`` and that of an STS session ``assumed-role/<role>/<session>`` or
``federated-user/<name>``. The resource may itself contain ``:`` and ``/``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def role_name(self) -> str | None:
        """The role's name: of ``role/<path/>name`` (IAM) or ``assumed-role/<name>/...`` (STS)."""
        if self.service == "iam" and self.resource.startswith("role/"):
            return self.resource.rsplit("/", 1)[-1] or None
        if self.service == "sts" and self.resource.startswith("assumed-role/"):
            parts = self.resource.split("/")
            return parts[1] or None if len(parts) > 1 else None
        return None

    @property
    def session_name(self) -> str | None:
        """The session of an STS ``assumed-role/<role>/<session>`` ARN."""
        if self.service == "sts" and self.resource.startswith("assumed-role/"):
            parts = self.resource.split("/", 2)
            return parts[2] or None if len(parts) > 2 else None
        return None


def parse_arn(value: object) -> Arn | None:
    """The parts of an ARN, or None for anything that is not one."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    if len(parts) != 6:
        return None
    return Arn(partition=parts[1], service=parts[2], region=parts[3], account=parts[4],
               resource=parts[5])


def partition_of(value: object) -> str | None:
    arn = parse_arn(value)
    return arn.partition or None if arn else None


def account_of(value: object) -> str | None:
    arn = parse_arn(value)
    return arn.account or None if arn else None


def role_arn_parts(value: object) -> tuple[str | None, str | None, str | None]:
    """(partition, account id, role name) of an IAM role ARN; all None for anything else.

    ``parse_arn`` and ``Arn.role_name`` without building an Arn: listing calls this for
    thousands of profiles.
    """
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None, None, None
    parts = value.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("role/"):
        return None, None, None
    role_name = parts[5].rsplit("/", 1)[-1] or None if parts[2] == "iam" else None
    return parts[1] or None, parts[4] or None, role_name


def assumed_role_parts(value: object) -> tuple[str | None, str | None, str | None]:
    """(account id, role name, session name) of an STS assumed-role ARN.

    For another ARN only the account is known; for a non-ARN nothing is.
    """
    arn = parse_arn(value)
    if arn is None:
        return None, None, None
    return arn.account or None, arn.role_name, arn.session_name
