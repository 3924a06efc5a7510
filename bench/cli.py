"""The one-shot `roleport login PROFILE --print` beside the naive script (part of `make bench`).

Each round runs, in fresh processes and in this order so a burst of load hits all of them:
- the naive script (boto3 assume_role, requests getSigninToken, print the URL), the baseline;
- the installed `roleport` console script, `roleport login admin --print`, with the AWS CLI
  credential cache (~/.aws/cli/cache) emptied first, so that it does the same work as the
  naive script: one AssumeRole, one getSigninToken;
- the same with the cache left from the previous run (the role's credentials are reused, as
  the AWS CLI reuses them), for scale.
Every figure is wall time and CPU time (user + system of the process); the ratio to the naive
script must stay at or below RATIO_TARGET. On a busy machine wall times drift with the load
and CPU times much less, so the verdict uses CPU time where the platform reports it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.figures import (
    RatioFigure,
    children_cpu_ms,
    cpu_since,
    median_times,
    ratio_table,
    with_notes,
)

RATIO_TARGET = 0.85
PROFILE = "admin"
# What the `roleport` console script runs, for an environment without the script.
_SCRIPT = "import sys; from roleport_installer.command import main; sys.exit(main())"


def login_command() -> list[str]:
    """The installed console script, as a user types it."""
    script = Path(sys.executable).parent / "roleport"
    if script.exists():
        return [str(script), "login", PROFILE, "--print"]
    return [sys.executable, "-c", _SCRIPT, "login", PROFILE, "--print"]


def timed_process(args: list[str], env: dict[str, str],
                  check: Callable[[bytes], bool]) -> tuple[float, float | None]:
    """Wall and CPU time (ms) of one fresh process; it must succeed and pass ``check``."""
    cpu_before = children_cpu_ms()
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, timeout=120, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    cpu = cpu_since(cpu_before)
    if done.returncode != 0 or not check(done.stdout):
        # stderr of roleport and of the naive script never carries credentials or URLs.
        raise SystemExit(f"{Path(args[0]).name} failed: "
                         + done.stderr.decode(errors="replace")[-400:])
    return elapsed, cpu


def empty_credential_cache(home: Path) -> None:
    shutil.rmtree(home / ".aws" / "cli" / "cache", ignore_errors=True)


class CliFigure(RatioFigure):
    """A figure of the one-shot CLI; its baseline is the naive script of the same rounds."""

    RATIO_TARGET = RATIO_TARGET  # the module's, which the notes quote


class Samples:
    """Per-figure (wall, CPU) samples; one round adds one to each."""

    def __init__(self) -> None:
        self.values: dict[str, list[tuple[float, float | None]]] = {
            "naive": [], "cold": [], "cached": []}

    def add_round(self, home: Path, env: dict[str, str], naive: tuple[float, float | None],
                  federation_url: str) -> None:
        """The naive run was just made by the caller (its cold loop); add roleport's two."""
        def is_url(stdout: bytes) -> bool:
            return stdout.startswith(federation_url.encode())

        self.values["naive"].append(naive)
        empty_credential_cache(home)
        self.values["cold"].append(timed_process(login_command(), env, is_url))
        self.values["cached"].append(timed_process(login_command(), env, is_url))

    def figures(self) -> list[CliFigure]:
        def median(key: str) -> tuple[float, float | None]:
            return median_times(self.values[key])

        baseline = CliFigure("naive one-shot script (baseline)", *median("naive"), None)
        return [
            baseline,
            CliFigure(f"`roleport login {PROFILE} --print`, empty credential cache (AssumeRole "
                      "+ getSigninToken, as the naive script)", *median("cold"), baseline),
            CliFigure(f"`roleport login {PROFILE} --print`, credentials cached by the previous "
                      "run (getSigninToken only), for scale", *median("cached"), baseline,
                      judged=False),
        ]


NOTES = [
    "Cold CLI figures: fresh processes, interleaved with the naive script in the same rounds; "
    f"target <= {RATIO_TARGET:g} of the naive script, judged on CPU time where the platform "
    "reports it (wall times drift with the machine's load; both are shown). roleport and "
    "roleport_installer are byte-compiled first, as pip does when it installs them.",
]


def report(figures: list[CliFigure]) -> str:
    """The table and its notes, as BENCHMARKS.md shows them."""
    return with_notes(ratio_table(figures, "naive"), NOTES)
