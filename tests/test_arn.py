"""ARN parsing (roleport.arn): the one place that splits ARNs."""

from __future__ import annotations

from roleport.arn import account_of, assumed_role_parts, parse_arn, partition_of, role_arn_parts


def test_role_arn_with_path():
    assert role_arn_parts("arn:aws:iam::123456789012:role/team/ops/Admin") == (
        "aws", "123456789012", "Admin")
    assert role_arn_parts("arn:aws-us-gov:iam::123456789012:role/R") == (
        "aws-us-gov", "123456789012", "R")


def test_role_arn_parts_refuses_other_resources_and_non_arns():
    assert role_arn_parts("arn:aws:iam::123456789012:user/alice") == (None, None, None)
    assert role_arn_parts("not-an-arn") == (None, None, None)
    assert role_arn_parts(None) == (None, None, None)
    assert role_arn_parts("arn:aws:iam") == (None, None, None)


def test_assumed_role_arn():
    assert assumed_role_parts("arn:aws:sts::123456789012:assumed-role/Admin/me@example.com") == (
        "123456789012", "Admin", "me@example.com")
    assert assumed_role_parts("arn:aws:sts::123456789012:federated-user/roleport-x") == (
        "123456789012", None, None)
    assert assumed_role_parts(None) == (None, None, None)


def test_partition_and_account():
    assert partition_of("arn:aws-cn:iam::1:role/x") == "aws-cn"
    assert partition_of("arn::iam::1:role/x") is None
    assert account_of("arn:aws:sts::123456789012:federated-user/x") == "123456789012"
    assert account_of("arn:aws:s3:::bucket") is None


def test_resource_may_contain_colons():
    arn = parse_arn("arn:aws:logs:eu-west-1:123456789012:log-group:/a:b")
    assert arn is not None and arn.resource == "log-group:/a:b" and arn.region == "eu-west-1"


def test_role_arn_parts_agree_with_parse_arn():
    # role_arn_parts splits without building an Arn; it must say what parse_arn says.
    values = ["arn:aws:iam::123456789012:role/R", "arn:aws:iam::123456789012:role/", "arn::iam::"
              ":role/a/b/", "arn:aws:sts::123456789012:role/R", "arn:aws:iam:::role/x:y/z",
              "arn:aws:iam::1:role", "arn:aws:iam::1:roles/x", "arn:aws:iam::1:role/a:b",
              "ARN:aws:iam::1:role/x", "arn:aws:iam::1", "", 12, b"arn:aws:iam::1:role/x"]
    for value in values:
        arn = parse_arn(value)
        expected = ((arn.partition or None, arn.account or None, arn.role_name)
                    if arn is not None and arn.resource.startswith("role/")
                    else (None, None, None))
        assert role_arn_parts(value) == expected, value
