"""What every part of `make bench` shares: CPU time of child processes, figures judged by
their ratio to a baseline measured in the same rounds, and the Markdown tables (with their
notes) that BENCHMARKS.md shows.

On a busy machine wall times drift with the load and CPU times much less, so a RatioFigure is
judged on its CPU ratio where the platform reports CPU time (getrusage RUSAGE_CHILDREN, Unix),
else on its wall ratio.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar


def children_cpu_ms() -> float | None:
    """CPU time (user + system) of the reaped child processes so far; None where unknown."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def cpu_since(before: float | None) -> float | None:
    """CPU time of the children reaped since ``before`` (a children_cpu_ms() reading)."""
    after = children_cpu_ms()
    return after - before if before is not None and after is not None else None


def median_times(samples: Iterable[tuple[float, float | None]]) -> tuple[float, float | None]:
    """Median wall and median CPU time of (wall, CPU) samples; CPU None where never known."""
    pairs = list(samples)
    cpus = [cpu for _wall, cpu in pairs if cpu is not None]
    return (statistics.median(wall for wall, _cpu in pairs),
            statistics.median(cpus) if cpus else None)


@dataclass(frozen=True)
class RatioFigure:
    """Wall and CPU time (ms) of one measured thing beside its baseline of the same rounds.

    Subclasses set RATIO_TARGET, the ratio to the baseline a judged figure must stay at or
    below.
    """

    RATIO_TARGET: ClassVar[float]

    name: str
    wall_ms: float
    cpu_ms: float | None  # CPU time of the process, where the platform reports it
    baseline: RatioFigure | None  # None for the baseline itself
    judged: bool = True  # False: shown for scale only

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
        return "ok" if ratio <= self.RATIO_TARGET else "MISSED"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]],
                   right_aligned: Collection[int] = ()) -> str:
    """A Markdown table; the columns at the indexes ``right_aligned`` (numbers) align right."""
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    rule = "|" + "|".join("---:" if index in right_aligned else "---"
                          for index in range(len(header))) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def with_notes(table: str, notes: Iterable[str]) -> str:
    """The table, a blank line, then one bullet per note."""
    return "\n".join([table, "", *(f"- {note}" for note in notes)])


def ratio_table(figures: Iterable[RatioFigure], baseline: str) -> str:
    """Wall, CPU, both ratios to ``baseline`` (what the baseline figure measures), the target
    and the verdict, a row per figure."""
    rows = []
    for figure in figures:
        cpu = f"{figure.cpu_ms:.1f} ms" if figure.cpu_ms is not None else "-"
        ratio = f"{figure.ratio:.3f}" if figure.ratio is not None else "-"
        if figure.cpu_ratio is not None:
            ratio += f" / {figure.cpu_ratio:.3f}"
        target = f"<= {figure.RATIO_TARGET:g}" if figure.judged and figure.baseline else "-"
        rows.append([figure.name, f"{figure.wall_ms:.1f} ms", cpu, ratio, target,
                     figure.verdict])
    return markdown_table(
        ["figure", "wall", "CPU", f"ratio to {baseline} (wall / CPU)", "target", "verdict"],
        rows, right_aligned={1, 2, 3, 4})
