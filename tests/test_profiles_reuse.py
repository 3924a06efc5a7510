"""Re-parsing after an edit re-describes only what the edit touched (Describer.reuse).

The check is always the same: the profiles and the unusable ones of a parse that reuses the
previous snapshot equal those of a fresh parse of the same files, over random configs of
every kind (chains, loops, SSO sessions, keys in either file, sub-sections, bad values) and
random edits of them.
"""

from __future__ import annotations

import random

import pytest
from roleport.config_files import ConfigFiles
from roleport.profiles import ConfigSnapshot, parse_config

NAMES = [f"p{index}" for index in range(24)]
SESSIONS = ("corp", "lab")


def random_section(rng: random.Random, name: str) -> list[str]:
    """Settings of one profile, of a random kind."""
    account = f"{rng.randrange(10**11, 10**12)}"
    shape = rng.randrange(11)
    lines: list[str] = []
    if shape <= 3:  # a role, its source another profile (chains and loops included)
        lines += [f"role_arn = arn:aws:iam::{account}:role/R{rng.randrange(3)}",
                  f"source_profile = {rng.choice([*NAMES, 'missing'])}"]
        if rng.random() < 0.3:
            lines.append("mfa_serial = arn:aws:iam::111111111111:mfa/alice")
    elif shape == 4:
        lines += [f"role_arn = arn:aws:iam::{account}:role/R",
                  f"credential_source = {rng.choice(['Environment', 'EcsContainer', 'Bad'])}"]
    elif shape == 5:
        lines += [f"sso_session = {rng.choice([*SESSIONS, 'nowhere'])}",
                  f"sso_account_id = {account}", "sso_role_name = Dev"]
    elif shape == 6:
        lines += ["aws_access_key_id = AKIAEXAMPLEEXAMPLE01", "aws_secret_access_key = s"]
    elif shape == 7:
        lines += [f"role_arn = arn:aws:iam::{account}:role/W",
                  "web_identity_token_file = /tmp/token"]
    elif shape == 8:
        lines.append("credential_process = /bin/true")
    elif shape == 9:
        lines += ["role_arn =", "  nested = value", "source_profile = p0"]
    if rng.random() < 0.7:
        lines.append(f"region = {rng.choice(['eu-west-1', 'us-east-1', 'moon-1'])}")
    if rng.random() < 0.3:
        lines.append(f"roleport_console_duration = {rng.choice(['3600', '5'])}")
    if rng.random() < 0.3:
        lines.append(f"roleport_account_name = team {rng.randrange(3)}")
    return lines


class RandomConfig:
    """Both files as editable sections, written in botocore's syntax."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.config = {name: random_section(rng, name) for name in NAMES
                       if rng.random() < 0.9}
        self.credentials = {name: self.keys() for name in rng.sample(NAMES, 5)}
        self.sessions = {name: self.session() for name in SESSIONS}

    def keys(self) -> list[str]:
        lines = ["aws_access_key_id = AKIAEXAMPLEEXAMPLE02"]
        if self.rng.random() < 0.8:
            lines.append("aws_secret_access_key = t")
        if self.rng.random() < 0.3:
            lines.append("aws_session_token = token")
        return lines

    def session(self) -> list[str]:
        region = self.rng.choice(["us-east-1", "eu-west-1"])
        return ["sso_start_url = https://corp.awsapps.com/start", f"sso_region = {region}"]

    def edit(self) -> None:
        """One random edit, as a user makes them."""
        rng = self.rng
        choice = rng.randrange(7)
        name = rng.choice(NAMES)
        if choice == 0:
            self.config[name] = random_section(rng, name)
        elif choice == 1:
            self.config.pop(name, None)
        elif choice == 2 and self.config.get(name):
            lines = self.config[name]
            lines.pop(rng.randrange(len(lines)))
        elif choice == 3:
            if name in self.credentials:
                del self.credentials[name]
            else:
                self.credentials[name] = self.keys()
        elif choice == 4:
            self.sessions[rng.choice(SESSIONS)] = self.session()
        elif choice == 5:
            lines = [line for line in self.config.get(name, []) if "region" not in line]
            self.config[name] = [*lines, "region = ap-south-1"]
        # choice 6 (and the no-ops above): nothing but a comment changes

    def write(self, aws_home, edit_number: int) -> None:
        parts = [f"# edit {edit_number}"]
        for name, lines in self.config.items():
            parts += [f"[profile {name}]", *lines, ""]
        for name, lines in self.sessions.items():
            parts += [f"[sso-session {name}]", *lines, ""]
        aws_home.write_config("\n".join(parts) + "\n")
        credentials: list[str] = []
        for name, lines in self.credentials.items():
            credentials += [f"[{name}]", *lines, ""]
        aws_home.write_credentials("\n".join(credentials) + "\n")


def assert_same(reused: ConfigSnapshot, fresh: ConfigSnapshot) -> None:
    assert [profile.name for profile in reused.profiles] == [
        profile.name for profile in fresh.profiles]
    for kept, expected in zip(reused.profiles, fresh.profiles, strict=True):
        assert kept == expected, kept.name
    assert reused.unusable == fresh.unusable


@pytest.mark.parametrize("seed", range(12))
def test_a_reparse_after_random_edits_equals_a_fresh_parse(aws_home, seed: int) -> None:
    rng = random.Random(seed)
    config = RandomConfig(rng)
    config.write(aws_home, 0)
    files = ConfigFiles.from_environment()
    previous = parse_config(files)
    reused_somewhere = 0
    for edit_number in range(1, 41):
        config.edit()
        config.write(aws_home, edit_number)
        reused = parse_config(files, previous)
        assert_same(reused, parse_config(files))
        old = {id(profile) for profile in previous.profiles}
        reused_somewhere += any(id(profile) in old for profile in reused.profiles)
        previous = reused
    assert reused_somewhere > 20  # the edits left most profiles as they were


def test_an_edited_source_re_describes_the_roles_above_it(aws_home) -> None:
    aws_home.write_config("""
        [profile base]
        region = eu-west-1
        [profile middle]
        role_arn = arn:aws:iam::111111111111:role/Middle
        source_profile = base
        [profile top]
        role_arn = arn:aws:iam::222222222222:role/Top
        source_profile = middle
        [profile other]
        region = eu-west-1
    """)
    aws_home.write_credentials("[base]\naws_access_key_id = AKIAEXAMPLEEXAMPLE03\n"
                               "aws_secret_access_key = s\n")
    files = ConfigFiles.from_environment()
    before = parse_config(files)
    assert before.by_name["top"].problem is None
    aws_home.write_credentials("[base]\naws_access_key_id = AKIAEXAMPLEEXAMPLE03\n"
                               "aws_session_token = t\n")  # no secret any more
    after = parse_config(files, before)
    assert "aws_secret_access_key" in after.by_name["top"].problem
    assert "aws_secret_access_key" in after.by_name["middle"].problem
    assert after.by_name["other"] is before.by_name["other"]


def test_a_changed_sso_session_re_describes_everything(aws_home) -> None:
    aws_home.write_config("""
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1
        [profile dev]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = Dev
        sso_region = us-east-1
    """)
    files = ConfigFiles.from_environment()
    before = parse_config(files)
    assert before.by_name["dev"].problem is None
    aws_home.write_config("""
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1
        [profile dev]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = Dev
        sso_region = us-east-1
    """)
    after = parse_config(files, before)
    assert "sso_region differs" in after.by_name["dev"].problem
