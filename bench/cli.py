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
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.listing import children_cpu_ms

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
    cpu_after = children_cpu_ms()
    if done.returncode != 0 or not check(done.stdout):
        # stderr of roleport and of the naive script never carries credentials or URLs.
        raise SystemExit(f"{Path(args[0]).name} failed: "
                         + done.stderr.decode(errors="replace")[-400:])
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return elapsed, cpu


def empty_credential_cache(home: Path) -> None:
    shutil.rmtree(home / ".aws" / "cli" / "cache", ignore_errors=True)


@dataclass(frozen=True)
class CliFigure:
    name: str
    wall_ms: float
    cpu_ms: float | None
    baseline: CliFigure | None  # the naive script, same run; None for the baseline itself
    judged: bool = True

    @property
    def ratio(self) -> float | None:
        return self.wall_ms / self.baseline.wall_ms if self.baseline else None

    @property
    def cpu_ratio(self) -> float | None:
        if self.baseline is None or not self.cpu_ms or not self.baseline.cpu_ms:
            return None
        return self.cpu_ms / self.baseline.cpu_ms

    @property
    def verdict(self) -> str:
        ratio = self.cpu_ratio if self.cpu_ratio is not None else self.ratio
        if ratio is None or not self.judged:
            return "-"
        return "ok" if ratio <= RATIO_TARGET else "MISSED"


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
            walls = [wall for wall, _cpu in self.values[key]]
            cpus = [cpu for _wall, cpu in self.values[key] if cpu is not None]
            return statistics.median(walls), statistics.median(cpus) if cpus else None

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


def render(figures: list[CliFigure]) -> str:
    lines = ["| figure | wall | CPU | ratio to naive (wall / CPU) | target | verdict |",
             "|---|---:|---:|---:|---:|---|"]
    for figure in figures:
        cpu = f"{figure.cpu_ms:.1f} ms" if figure.cpu_ms is not None else "-"
        ratio = f"{figure.ratio:.3f}" if figure.ratio is not None else "-"
        if figure.cpu_ratio is not None:
            ratio += f" / {figure.cpu_ratio:.3f}"
        target = f"<= {RATIO_TARGET:g}" if figure.judged and figure.baseline else "-"
        lines.append(f"| {figure.name} | {figure.wall_ms:.1f} ms | {cpu} | {ratio} | {target} "
                     f"| {figure.verdict} |")
    return "\n".join(lines)


def report(figures: list[CliFigure]) -> str:
    return render(figures) + "\n\n" + "\n".join(f"- {note}" for note in NOTES)
