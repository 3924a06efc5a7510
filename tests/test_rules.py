"""The value rules (roleport.rules) against the shared table that the extension's mirror
(extension/lib/rules.js, tests/js/rules.test.js) is tested against too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from roleport import rules

CASES = json.loads((Path(__file__).parent / "rules_cases.json").read_text(encoding="utf-8"))


def _typed_code_is_valid(text: str) -> bool:
    return rules.is_mfa_code(rules.normalize_mfa_code(text))


CHECKS: dict[str, Any] = {
    "region": rules.is_region,
    "region_typed": lambda text: rules.is_region(rules.normalize_region(text)),
    "mfa_code": rules.is_mfa_code,
    "mfa_code_typed": _typed_code_is_valid,
    "console_duration": rules.is_console_duration,
    "sso_discovery_max_age": rules.is_sso_discovery_max_age,
    "profile_name": lambda value: rules.profile_name_problem(value) is None,
    "profile_name_long": lambda length: rules.profile_name_problem("a" * length) is None,
    "account_id": rules.is_account_id,
    "role_name": rules.is_role_name,
}


def _table() -> list[tuple[str, Any, bool]]:
    rows = []
    for rule, cases in CASES.items():
        if rule.startswith("_"):
            continue
        rows += [(rule, value, True) for value in cases["valid"]]
        rows += [(rule, value, False) for value in cases["invalid"]]
    return rows


def test_every_rule_of_the_table_has_a_check():
    assert {rule for rule in CASES if not rule.startswith("_")} == set(CHECKS)


@pytest.mark.parametrize(("rule", "value", "valid"), _table())
def test_rule_agrees_with_the_shared_table(rule, value, valid):
    assert CHECKS[rule](value) is valid, f"{rule}({value!r}) should be {valid}"


def test_profile_from_environment_prefers_aws_profile():
    assert rules.profile_from_environment({"AWS_DEFAULT_PROFILE": "old"}) == "old"
    assert rules.profile_from_environment(
        {"AWS_PROFILE": "new", "AWS_DEFAULT_PROFILE": "old"}) == "new"
    assert rules.profile_from_environment({"AWS_PROFILE": ""}) is None
    assert rules.default_profile_name({}) == "default"


def test_the_discovery_age_variable_is_used_only_when_valid():
    """ROLEPORT_SSO_DISCOVERY_MAX_AGE follows the same rule as the request's max_age."""
    name = rules.ENV_SSO_DISCOVERY_MAX_AGE
    assert rules.sso_discovery_max_age({}) == rules.DEFAULT_SSO_DISCOVERY_MAX_AGE == 3600
    assert rules.sso_discovery_max_age({name: " 600 "}) == 600
    for refused in ("0", "59", "604801", "-60", "1h", ""):
        assert rules.sso_discovery_max_age({name: refused}) == 3600, refused


def test_session_name_keeps_allowed_characters_and_limit():
    assert rules.session_name("roleport-a b/c", 64) == "roleport-a-b-c"
    assert len(rules.session_name("x" * 100, 32)) == 32


@pytest.mark.parametrize("region", ["eusc-de-east-1", "us-isob-east-1", "eu-west-1"])
def test_login_action_accepts_every_region_the_core_accepts(region):
    """The protocol's parameter check and the pipeline use one rule: a region botocore knows
    (the European Sovereign Cloud's eusc-de-east-1 among them) is not refused at the door."""
    from roleport import federation
    from roleport.actions import ACTIONS, validate_params

    assert validate_params(ACTIONS["login"], {"profile": "p", "region": region})["region"] == region
    assert federation.validate_region(region) == region


def test_the_core_takes_a_region_typed_in_any_case():
    """The library and `roleport login --region` accept what a person types, as the
    extension's options page does (tests/rules_cases.json, region_typed)."""
    from roleport.pipeline import _check_region

    assert _check_region(" EU-WEST-1 ") == "eu-west-1"
    assert _check_region("") is None


@pytest.mark.parametrize("rule", ["account_id", "role_name"])
def test_the_sso_role_action_checks_its_params_by_the_same_rule(rule):
    """`login_sso_role` refuses exactly what the rule refuses (an account id of non-ASCII
    digits included), with the rule's own sentence."""
    from roleport.actions import ACTIONS, validate_params
    from roleport.errors import RoleportError

    valid = {"sso_session": "corp", "account_id": "123456789012", "role_name": "Admin"}
    problem = getattr(rules, f"{rule}_problem")
    for value, is_valid in [(value, True) for value in CASES[rule]["valid"]] + [
            (value, False) for value in CASES[rule]["invalid"] if isinstance(value, str)]:
        params = {**valid, rule: value}
        if is_valid:
            assert validate_params(ACTIONS["login_sso_role"], params)[rule] == value
            assert problem(value) is None
            continue
        with pytest.raises(RoleportError) as caught:
            validate_params(ACTIONS["login_sso_role"], params)
        assert caught.value.code == "invalid_request"
        assert problem(value) in caught.value.message, value
