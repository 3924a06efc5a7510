"""The `roleport` command against the real stand-in: list, login --print, the blog's
account/role flow, exit codes, error lines, the MFA prompt, and the installed console script."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from roleport import cli
from roleport.errors import ERRORS
from roleport_installer import command

CONFIG = """
[profile dev]
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = dev
region = eu-west-1
roleport_account_name = production

[profile mfa]
role_arn = arn:aws:iam::123456789012:role/Guarded
source_profile = dev
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1

[profile deep]
role_arn = arn:aws:iam::210987654321:role/Deep
source_profile = admin
"""

CREDENTIALS = """
[dev]
aws_access_key_id = AKIAEXAMPLEDEVUSER01
aws_secret_access_key = dev-user-secret-not-real
"""


@pytest.fixture
def aws(standin, aws_home):
    aws_home.write_config(CONFIG)
    aws_home.write_credentials(CREDENTIALS)
    return standin


class Tty(io.StringIO):
    """A terminal's stdin for the MFA prompt test (isatty is all the CLI asks)."""

    def isatty(self) -> bool:
        return True


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def token_of(url: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["SigninToken"][0]


def test_list_json_is_machine_readable(aws):
    code, out, err = run("list", "--json")
    assert code == 0 and err == ""
    data = {profile["name"]: profile for profile in json.loads(out)}
    assert data["admin"]["account_id"] == "123456789012"
    assert data["admin"]["kind"] == "assume-role"
    assert data["deep"]["chained"] is True
    assert data["mfa"]["mfa_serial"] == "arn:aws:iam::111111111111:mfa/alice"


def test_list_table_is_ordered_by_account(aws, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "admin")
    code, out, _ = run("list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ACCOUNT", "PROFILE", "ROLE", "REGION", "KIND", "NOTES"]
    body = [line.split() for line in lines[1:]]
    assert [row[:2] for row in body[:3]] == [
        ["production", "(123456789012)"], ["production", "(123456789012)"],
        ["210987654321", "deep"]]
    assert [row[2] for row in body[:2]] == ["admin", "mfa"]
    admin = next(row for row in body if "admin" in row)
    assert admin[-1] == "default"
    assert body[-1][0] == "-"  # the static profile has no account until a call


def test_list_with_no_profiles_says_where_it_looked(aws_home):
    code, out, _ = run("list")
    assert code == 0
    assert str(aws_home.config_file) in out


def test_login_print_writes_only_the_url_and_a_warning(aws):
    code, out, err = run("login", "admin", "--print")
    assert code == 0
    assert out.count("\n") == 1
    url = out.strip()
    assert url.startswith(aws.federation_url + "?Action=login")
    identity = aws.signin_token_identity(token_of(url))
    assert identity is not None and identity.role == "Admin"
    assert err.count("\n") == 1 and "warning" in err and "password" in err
    assert url not in err


def test_login_passes_region_destination_and_duration(aws):
    code, out, _ = run("login", "admin", "--print", "--region", "us-west-2",
                       "--destination", "ec2", "--duration", "3600")
    assert code == 0
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(out.strip()).query)
    assert query["Destination"] == [
        "https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2"]
    assert [r.session_duration for r in aws.federation_requests
            if r.action == "getSigninToken"] == ["3600"]


def test_login_opens_the_browser_with_the_url(aws, monkeypatch):
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: opened.append(url) or True)
    code, out, err = run("login", "admin")
    assert code == 0 and out == ""
    assert len(opened) == 1 and aws.signin_token_identity(token_of(opened[0])) is not None
    assert "opened the AWS console" in err and opened[0] not in err


def test_login_without_a_browser_suggests_print(aws, monkeypatch):
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: False)
    code, _, err = run("login", "admin")
    assert code == ERRORS["invalid_request"].exit_code
    assert "--print" in err


def test_blog_flow_account_id_and_role_name(aws):
    code, out, _ = run("login", "--account-id", "999999999999", "--role-name",
                       "CrossAccountSignin", "--profile", "dev", "--print")
    assert code == 0
    identity = aws.signin_token_identity(token_of(out.strip()))
    assert (identity.account, identity.role) == ("999999999999", "CrossAccountSignin")
    [call] = [c for c in aws.sts_calls if c.action == "AssumeRole"]
    assert call.params["RoleArn"] == "arn:aws:iam::999999999999:role/CrossAccountSignin"


@pytest.mark.parametrize("argv", [
    ("login", "--account-id", "999999999999", "--print"),
    ("login", "admin", "--account-id", "999999999999", "--role-name", "R"),
    ("login", "admin", "--profile", "dev"),
    ("login",),
    ("login", "admin", "--duration", "soon"),
    ("frobnicate",),
    (),
])
def test_usage_errors_exit_with_invalid_request(aws, argv):
    code, out, err = run(*argv)
    assert code == ERRORS["invalid_request"].exit_code
    assert "Traceback" not in err


@pytest.mark.parametrize("argv, error_code", [
    (("login", "nope", "--print"), "profile_not_found"),
    (("login", "mfa", "--print"), "mfa_required"),
    (("login", "mfa", "--print", "--mfa-code", "000000"), "mfa_invalid"),
    (("login", "admin", "--print", "--destination", "https://evil.example/"),
     "invalid_request"),
])
def test_errors_are_one_line_plus_hint_with_their_exit_code(aws, argv, error_code):
    code, out, err = run(*argv)
    assert code == ERRORS[error_code].exit_code
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("roleport: error: ")
    assert lines[1].startswith("  hint: ")
    assert "Traceback" not in err


def test_exit_codes_differ_per_error_class():
    codes = {kind.code: kind.exit_code for kind in ERRORS.values()}
    user_facing = ["invalid_request", "profile_not_found", "config_error", "no_credentials",
                   "mfa_required", "mfa_invalid", "access_denied", "credentials_expired",
                   "sso_login_required", "federation_failed", "network_error", "timeout",
                   "internal_error"]
    assert len({codes[code] for code in user_facing}) == len(user_facing)
    assert all(codes[code] != 0 for code in user_facing)


def test_broken_config_exit_code(aws, aws_home):
    aws_home.write_config("[profile admin\n")
    code, _, err = run("list")
    assert code == ERRORS["config_error"].exit_code
    assert str(aws_home.config_file) in err


def test_mfa_prompt_on_a_terminal(aws):
    args = cli.build_parser().parse_args(["login", "mfa", "--print"])
    out, err = io.StringIO(), io.StringIO()
    assert cli.run_login(args, stdout=out, stderr=err, stdin=Tty("123456\n")) == 0
    assert "MFA code for arn:aws:iam::111111111111:mfa/alice" in err.getvalue()
    assert aws.signin_token_identity(token_of(out.getvalue().strip())) is not None
    assert "123456" not in out.getvalue()


def test_mfa_prompt_retries_a_refused_code(aws):
    args = cli.build_parser().parse_args(["login", "mfa", "--print"])
    out, err = io.StringIO(), io.StringIO()
    assert cli.run_login(args, stdout=out, stderr=err, stdin=Tty("000000\n123456\n")) == 0
    assert "not accepted" in err.getvalue()


def test_mfa_prompts_stop_with_the_real_error_after_the_last_attempt(aws, aws_home):
    # Three MFA devices in one chain: each attempt's code goes to the next device, so every
    # attempt ends in mfa_required; after the last one that error (with its serial) is the
    # answer, not a made-up mfa_invalid for a code that was never tried.
    aws_home.write_config(CONFIG + """
[profile double-mfa]
role_arn = arn:aws:iam::210987654321:role/Double
source_profile = mfa
mfa_serial = arn:aws:iam::111111111111:mfa/bob

[profile triple-mfa]
role_arn = arn:aws:iam::210987654321:role/Triple
source_profile = double-mfa
mfa_serial = arn:aws:iam::111111111111:mfa/carol
""")
    args = cli.build_parser().parse_args(["login", "triple-mfa", "--print"])
    err = io.StringIO()
    with pytest.raises(cli.RoleportError) as caught:
        cli.run_login(args, stdout=io.StringIO(), stderr=err,
                      stdin=Tty("123456\n123456\n123456\n123456\n"))
    assert caught.value.code == "mfa_required"
    assert caught.value.to_dict()["mfa_serial"].startswith("arn:aws:iam::111111111111:mfa/")
    assert err.getvalue().count("MFA code for") == cli.MFA_ATTEMPTS - 1


def test_no_prompt_when_stdin_is_not_a_terminal(aws):
    args = cli.build_parser().parse_args(["login", "mfa", "--print"])
    with pytest.raises(cli.RoleportError) as caught:
        cli.run_login(args, stdout=io.StringIO(), stderr=io.StringIO(),
                      stdin=io.StringIO("123456\n"))
    assert caught.value.code == "mfa_required"
    assert "--mfa-code" in caught.value.hint


def test_mfa_required_without_a_terminal_tells_how_to_pass_the_code(aws):
    code, out, err = run("login", "mfa", "--print")
    assert code == ERRORS["mfa_required"].exit_code
    assert out == ""
    assert "arn:aws:iam::111111111111:mfa/alice" in err
    assert "--mfa-code CODE" in err


def test_subcommands_dispatch_through_func():
    parser = cli.build_parser()
    assert parser.parse_args(["list"]).func is cli.run_list
    assert parser.parse_args(["login", "x"]).func is cli.run_login


def test_the_roleport_command_has_the_host_and_the_installer_commands():
    parser = command.build_parser()
    assert parser.parse_args(["list"]).func is cli.run_list
    assert parser.parse_args(["login", "x"]).func is cli.run_login
    assert callable(parser.parse_args(["doctor"]).func)
    assert callable(parser.parse_args(["install", "--dry-run"]).func)


def test_cli_works_without_the_installer(monkeypatch):
    monkeypatch.setitem(sys.modules, "roleport_installer.cli", None)  # import fails
    parser = cli.build_parser()
    assert parser.parse_args(["list"]).func is cli.run_list
    with pytest.raises(SystemExit):
        parser.parse_args(["doctor"])


def test_the_host_package_never_imports_the_installer():
    code = ("import importlib, pkgutil, sys, roleport; "
            "[importlib.import_module(f'roleport.{m.name}') "
            " for m in pkgutil.iter_modules(roleport.__path__)]; "
            "from roleport.cli import build_parser; build_parser(); "
            "print(sorted(m for m in sys.modules if m.startswith('roleport_installer')))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert output.stdout.strip() == "[]"


def _console_script() -> Path:
    return Path(sys.executable).parent / "roleport"


def test_roleport_doctor_fails_loudly_when_the_installer_cannot_be_imported(aws_home):
    # A broken installer must not turn into a `roleport` without install/uninstall/doctor
    # ("invalid choice: 'doctor'"): the ImportError itself is the answer.
    script = _console_script()
    if not script.exists():
        pytest.skip("the roleport console script is not installed in this environment")
    run_script_with_a_broken_installer = (
        "import runpy, sys; sys.modules['roleport_installer.cli'] = None; "
        f"sys.argv[0] = {str(script)!r}; runpy.run_path(sys.argv[0], run_name='__main__')")
    completed = subprocess.run([sys.executable, "-c", run_script_with_a_broken_installer,
                                "doctor"], env=dict(os.environ), capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode != 0
    assert "invalid choice" not in completed.stderr
    last_line = completed.stderr.strip().splitlines()[-1]
    assert last_line.startswith(("ImportError", "ModuleNotFoundError"))
    assert "roleport_installer.cli" in last_line


def _run_console_script_with(broken_module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `roleport` script, run with ``broken_module`` impossible to import."""
    script = _console_script()
    if not script.exists():
        pytest.skip("the roleport console script is not installed in this environment")
    code = (f"import runpy, sys; sys.modules[{broken_module!r}] = None; "
            f"sys.argv[0] = {str(script)!r}; runpy.run_path(sys.argv[0], run_name='__main__')")
    return subprocess.run([sys.executable, "-c", code, *args], env=dict(os.environ),
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("broken_module", "command_line"), [
    ("roleport_installer.checks", ["doctor"]),
    ("roleport_installer.registration", ["install", "--dry-run"]),
    ("roleport_installer.registration", ["uninstall", "--dry-run"]),
])
def test_an_installer_command_whose_module_cannot_be_imported_says_so(
        aws_home, broken_module, command_line):
    # The installer's work is imported when its command runs (login never pays for it); a
    # module that cannot be imported then is a clear error naming it, not a missing command.
    completed = _run_console_script_with(broken_module, *command_line)
    assert completed.returncode == 70, completed.stderr
    assert "invalid choice" not in completed.stderr
    assert "Traceback" not in completed.stderr
    assert f"importing {broken_module} failed" in completed.stderr
    assert "Reinstall roleport" in completed.stderr


def test_login_and_list_do_not_import_the_installers_work():
    code = ("import sys; from roleport_installer import command; "
            "parser = command.build_parser(); parser.parse_args(['login', 'x']); "
            "parser.parse_args(['list']); "
            "print(sorted(m for m in sys.modules if m.startswith('roleport_installer')))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert output.stdout.strip() == str(sorted(
        ["roleport_installer", "roleport_installer.cli", "roleport_installer.command",
         "roleport_installer.errors", "roleport_installer.table"]))


def test_installed_console_script_prints_a_url_the_standin_issued(aws):
    script = _console_script()
    if not script.exists():
        pytest.skip("the roleport console script is not installed in this environment")
    env = {name: value for name, value in os.environ.items()}
    completed = subprocess.run([str(script), "login", "admin", "--print"], env=env,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    url = completed.stdout.strip()
    identity = aws.signin_token_identity(token_of(url))
    assert identity is not None and identity.account == "123456789012"
    [request] = [r for r in aws.federation_requests if r.action == "getSigninToken"]
    assert aws.issued_credential(request.access_key_id) is not None


def test_installed_console_script_error_has_no_traceback(aws):
    script = _console_script()
    if not script.exists():
        pytest.skip("the roleport console script is not installed in this environment")
    completed = subprocess.run([str(script), "login", "nope"], env=dict(os.environ),
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == ERRORS["profile_not_found"].exit_code
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith("roleport: error: The AWS profile 'nope'")


def test_list_into_a_closed_pipe_ends_quietly(aws_home):
    # `roleport list | head -1`: the reader leaving early is not a bug in roleport.
    aws_home.write_config("".join(
        f"[profile p{i:04d}]\nrole_arn = arn:aws:iam::{100000000000 + i}:role/R\n"
        f"source_profile = base\n\n" for i in range(3000)))
    script = [sys.executable, "-c", "import sys; from roleport.cli import main; "
              "sys.exit(main())", "list"]
    process = subprocess.Popen(script, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None and process.stderr is not None
        first_line = process.stdout.readline()
        process.stdout.close()  # more than a pipe buffer is still to come
        stderr = process.stderr.read().decode()
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert first_line.startswith(b"ACCOUNT")
    assert stderr == ""
    assert code == 141  # 128 + SIGPIPE, what a shell reports for a closed pipe


MFA_TWO = """
[profile mfa-two]
role_arn = arn:aws:iam::210987654321:role/GuardedToo
source_profile = dev
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1
"""


def test_one_mfa_code_per_device_across_invocations_then_forget(aws, aws_home):
    aws_home.write_config(CONFIG + MFA_TWO)
    code, _, _ = run("mfa", "status")
    assert code == 0
    assert run("login", "mfa", "--print", "--mfa-code", "123456")[0] == 0
    code, out, err = run("login", "mfa-two", "--print")  # another process, no code
    assert code == 0, err
    assert aws.signin_token_identity(token_of(out.strip())).role == "GuardedToo"

    code, out, _ = run("mfa", "status")
    assert code == 0
    assert "arn:aws:iam::111111111111:mfa/alice (keys of dev): active until " in out
    assert "covers mfa, mfa-two" in out

    code, out, _ = run("mfa", "forget")
    assert code == 0 and "Forgot 1 MFA session(s)" in out
    assert "No live MFA session" in run("mfa", "status")[1]
    code, _, err = run("login", "mfa-two", "--print")
    # The role's own credentials are still cached (as the AWS CLI's are), so use a profile
    # that was never assumed to see the code asked for again.
    aws_home.write_config(CONFIG + MFA_TWO + MFA_TWO.replace("mfa-two", "mfa-three")
                          .replace("GuardedToo", "GuardedThree"))
    code, _, err = run("login", "mfa-three", "--print")
    assert code == ERRORS["mfa_required"].exit_code
    assert "arn:aws:iam::111111111111:mfa/alice" in err


def test_a_second_mfa_role_higher_up_the_chain_gets_its_own_code(aws, aws_home):
    aws_home.write_config(CONFIG + """
[profile double-mfa]
role_arn = arn:aws:iam::210987654321:role/Double
source_profile = mfa
mfa_serial = arn:aws:iam::111111111111:mfa/bob
""")
    args = cli.build_parser().parse_args(["login", "double-mfa", "--print"])
    out, err = io.StringIO(), io.StringIO()
    assert cli.run_login(args, stdout=out, stderr=err, stdin=Tty("123456\n123456\n")) == 0
    assert "MFA code for arn:aws:iam::111111111111:mfa/alice" in err.getvalue()
    assert "MFA code for arn:aws:iam::111111111111:mfa/bob" in err.getvalue()
    [double] = [c for c in aws.sts_calls if "role/Double" in c.params.get("RoleArn", "")]
    assert double.params["SerialNumber"] == "arn:aws:iam::111111111111:mfa/bob"


def test_list_with_an_sso_session_imports_no_more_of_botocore_than_its_config_loader(aws_home):
    # Reading the SSO token cache needs no botocore.utils (JSONFileCache is for writing):
    # importing it was most of what `roleport list` paid beyond botocore's own parse.
    aws_home.write_config("[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                          "sso_region = us-east-1\n\n[profile dev]\nsso_session = corp\n"
                          "sso_account_id = 123456789012\nsso_role_name = Dev\n")
    code = ("import io, sys; from roleport.cli import main; out = io.StringIO(); "
            "assert main(['list'], stdout=out) == 0, out.getvalue(); "
            "print('dev' in out.getvalue(), sorted(m for m in ('botocore.utils', "
            "'botocore.session', 'urllib3', 'requests') if m in sys.modules))")
    listed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert listed.stdout.strip() == "True []", listed.stderr


def test_table_rows_are_ordered_by_account_then_name_and_noted_per_flag():
    # profile_table_rows against the plain definition: one sort on (no account, account id,
    # name) and the notes joined in a fixed order, over random profiles.
    import random

    from roleport.profiles import Profile

    rng = random.Random(7)
    fields = {name: None for name in Profile.__dataclass_fields__}
    profiles = [Profile(**{
        **fields, "name": f"p{rng.randrange(10**6)}-{index}",
        "account_id": rng.choice([None, "", "111111111111", "222222222222", "x", "1"]),
        "account_name": rng.choice([None, "prod", "dev"]),
        "role_name": rng.choice([None, "Admin"]), "region": rng.choice([None, "eu-west-1"]),
        "kind": rng.choice(["assume-role", "sso"]), "mfa": rng.random() < 0.5,
        "chained": rng.random() < 0.5, "problem": rng.choice([None, "bad"])})
        for index in range(400)]
    default = profiles[17].name
    names = {p.account_id: p.account_name for p in profiles if p.account_id and p.account_name}
    expected = []
    for p in sorted(profiles, key=lambda p: (p.account_id is None, p.account_id or "", p.name)):
        label = p.account_name or (names.get(p.account_id) if p.account_id else None)
        account = f"{label} ({p.account_id or '-'})" if label else p.account_id or "-"
        notes = [note for flag, note in ((p.mfa, "mfa"), (p.chained, "chained"),
                                         (p.name == default, "default"),
                                         (p.problem, "problem")) if flag]
        expected.append((account, p.name, p.role_name or "-", p.region or "-", p.kind,
                         ",".join(notes)))
    assert cli.profile_table_rows(profiles, default) == expected
    assert any(row[5] == "mfa,chained,default,problem" or "default" in row[5]
               for row in expected)
