"""Listing at scale, side by side with botocore: `python -m bench.listing` (also in `make bench`).

With a 5,000-profile config of every kind, one round runs, each in a fresh process:
- botocore's own parse of the files (``configloader.load_config`` of the config file and
  ``raw_config_parse`` of the credentials file: what ``Session.full_config`` does), the
  baseline;
- the same through botocore's session (``Session().available_profiles``, as
  ``aws configure list-profiles`` lists them), for scale;
- `roleport list --json` and `roleport list`;
- a fresh native host's first `profiles` reply (from process start to the reply).
Rounds interleave the figures so a burst of load hits all of them; medians are reported with
their ratio to the baseline, which must stay at or below RATIO_TARGET. Each figure is both
wall time and CPU time (user + system of the process, where the platform reports it): on a
busy machine wall times drift with the load, CPU times much less, so the verdict uses CPU
time when it is available.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.figures import (
    RatioFigure,
    children_cpu_ms,
    cpu_since,
    median_times,
    ratio_table,
    with_notes,
)
from support.awsconfig import sealed_environment
from support.hostproc import CHROME_CALLER, HostProcess, host_env

PROFILE_COUNT = 5000
RATIO_TARGET = 1.3
SOURCE_KEY_ID = "AKIABENCHLISTING0001"
SOURCE_SECRET = "benchListingSecret0000000000000000000Key"

BOTOCORE_PARSE = """
import sys
import botocore.configloader as loader
from botocore.exceptions import ConfigNotFound
config = loader.load_config(sys.argv[1])
try:
    credentials = loader.raw_config_parse(sys.argv[2])
except ConfigNotFound:
    credentials = {}
profiles = config["profiles"]
for name, values in credentials.items():
    profiles.setdefault(name, {}).update(values)
assert len(profiles) == int(sys.argv[3]), len(profiles)
"""
BOTOCORE_SESSION = """
import sys
import botocore.session
assert len(botocore.session.Session().available_profiles) == int(sys.argv[1])
"""
ROLEPORT_LIST = """
import sys
from roleport.cli import main
sys.exit(main(["list", *sys.argv[1:]]))
"""


def write_listing_config(home: Path, count: int = PROFILE_COUNT) -> int:
    """A config of ``count`` profiles as large organisations write them, plus ``base`` (keys
    in the credentials file); returns the number of profiles botocore lists."""
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    lines = ["[profile base]", "region = eu-west-1", "",
             "[sso-session corp]", "sso_start_url = https://corp.awsapps.com/start",
             "sso_region = us-east-1", ""]
    roles = ("Admin", "ReadOnly", "Dev", "Billing")
    for index in range(count):
        account = 100000000000 + index // 4
        role = roles[index % 4]
        name = f"acct{account}-{role.lower()}"
        lines.append(f"[profile {name}]")
        shape = index % 10
        if shape == 6:
            lines += ["sso_session = corp", f"sso_account_id = {account}",
                      f"sso_role_name = {role}"]
        elif shape == 7:
            previous = f"acct{100000000000 + (index - 1) // 4}-{roles[(index - 1) % 4].lower()}"
            lines += [f"role_arn = arn:aws:iam::{account}:role/{role}",
                      f"source_profile = {previous}"]
        elif shape == 8:
            lines += [f"role_arn = arn:aws:iam::{account}:role/{role}",
                      "web_identity_token_file = /var/run/secrets/token"]
        elif shape == 9:
            lines += [f"role_arn = arn:aws:iam::{account}:role/{role}",
                      "credential_source = Ec2InstanceMetadata"]
        else:
            lines += [f"role_arn = arn:aws:iam::{account}:role/{role}", "source_profile = base"]
            if shape == 0:
                lines.append("mfa_serial = arn:aws:iam::100000000000:mfa/bench")
        lines += [f"region = {('eu-west-1', 'us-east-1')[index % 2]}",
                  f"roleport_account_name = workload-{index // 4:04d}", ""]
    (aws / "config").write_text("\n".join(lines), encoding="utf-8")
    (aws / "credentials").write_text(
        f"[base]\naws_access_key_id = {SOURCE_KEY_ID}\n"
        f"aws_secret_access_key = {SOURCE_SECRET}\n", encoding="utf-8")
    return count + 1


def sealed_env(home: Path) -> dict[str, str]:
    return {**sealed_environment(home), "ROLEPORT_LOG_LEVEL": "warning"}


def process_ms(args: list[str], env: dict[str, str]) -> tuple[float, float | None]:
    """Wall and CPU time of one fresh process, start to exit (it must succeed)."""
    cpu_before = children_cpu_ms()
    started = time.perf_counter()
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=300, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    cpu = cpu_since(cpu_before)
    if done.returncode != 0:
        raise SystemExit(f"{args[1:3]} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return elapsed, cpu


def host_first_profiles_ms(env: dict[str, str], log: Path,
                           expected: int) -> tuple[float, float | None]:
    """A fresh host: process start to its first `profiles` reply (no `hello` first); its CPU
    time is the whole process's (it exits right after the reply)."""
    cpu_before = children_cpu_ms()
    host = HostProcess([CHROME_CALLER], host_env(env, log))
    try:
        reply = host.call("p", "profiles", timeout=300)
        elapsed = (time.perf_counter() - host.started) * 1000
        host.wait()
    finally:
        host.close()
    cpu = cpu_since(cpu_before)
    if not reply["ok"] or reply["result"]["total"] != expected:
        raise SystemExit(f"profiles failed: {reply.get('error')}")
    return elapsed, cpu


class ListingFigure(RatioFigure):
    """A listing figure; its baseline is botocore's own parse of the same files, same run."""

    RATIO_TARGET = RATIO_TARGET  # the module's, which the notes quote


def compile_roleport() -> None:
    """Byte-compile roleport and roleport_installer as an installation does: botocore, the
    baseline, runs from the bytecode pip wrote; roleport must not pay for compiling its
    sources in every process (the host and the tests run with PYTHONDONTWRITEBYTECODE)."""
    import compileall

    import roleport
    import roleport_installer

    for package in (roleport, roleport_installer):
        compileall.compile_dir(str(Path(package.__file__).parent), quiet=1)


def measure(runs: int = 11, count: int = PROFILE_COUNT) -> list[ListingFigure]:
    """Median figures over ``runs`` interleaved rounds (fresh processes every time)."""
    compile_roleport()
    with tempfile.TemporaryDirectory(prefix="roleport-bench-listing-") as scratch:
        home = Path(scratch)
        expected = write_listing_config(home, count)
        env = sealed_env(home)
        config, credentials = env["AWS_CONFIG_FILE"], env["AWS_SHARED_CREDENTIALS_FILE"]
        log = home / "host.log"
        python = sys.executable
        commands = {
            "botocore parse": [python, "-c", BOTOCORE_PARSE, config, credentials,
                               str(expected)],
            "botocore session": [python, "-c", BOTOCORE_SESSION, str(expected)],
            "roleport list --json": [python, "-c", ROLEPORT_LIST, "--json"],
            "roleport list": [python, "-c", ROLEPORT_LIST],
        }
        samples: dict[str, list[tuple[float, float | None]]] = {
            name: [] for name in [*commands, "host"]}
        for round_index in range(runs):
            print(f"listing round {round_index + 1}/{runs} ...", flush=True)
            for name, command in commands.items():
                samples[name].append(process_ms(command, env))
            samples["host"].append(host_first_profiles_ms(env, log, expected))

    def figure(name: str, key: str, baseline: ListingFigure | None,
               judged: bool = True) -> ListingFigure:
        return ListingFigure(name, *median_times(samples[key]), baseline, judged)

    shown = f"{expected:,}"
    baseline = figure(f"botocore's own parse of {shown} profiles (baseline)", "botocore parse",
                      None)
    return [
        baseline,
        figure(f"botocore session available_profiles, {shown} profiles (for scale)",
               "botocore session", baseline, judged=False),
        figure(f"`roleport list --json`, {shown} profiles", "roleport list --json", baseline),
        figure(f"`roleport list`, {shown} profiles", "roleport list", baseline),
        figure(f"host: start to first `profiles` reply, {shown} profiles", "host", baseline),
    ]


NOTES = [
    f"Listing figures: fresh processes, the ratio is to botocore's own parse of the same "
    f"files in the same run (configloader, what Session.full_config runs); target <= "
    f"{RATIO_TARGET:g}, judged on CPU time where the platform reports it (wall times drift "
    "with the machine's load). The config mixes roles from keys (some with MFA), chained "
    "roles, IAM Identity Center, web identity and credential_source profiles.",
]


def report(figures: list[ListingFigure]) -> str:
    """The table and its notes, as BENCHMARKS.md shows them."""
    return with_notes(ratio_table(figures, "botocore's parse"), NOTES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.listing",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--profiles", type=int, default=PROFILE_COUNT)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    figures = measure(args.runs, args.profiles)
    print()
    print(report(figures))
    missed = [figure.name for figure in figures if figure.verdict == "MISSED"]
    for name in missed:
        print(f"target missed: {name}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
