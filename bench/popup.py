"""The popup in a real Chromium with thousands of rows (part of `make bench`).

Two lists, each through the browser harness (support/browsers.py: Debian's Chromium, the
extension loaded, the native host installed by the real installer, the local stand-in):
- 10,000 configured profiles;
- 3,000 roles discovered through IAM Identity Center (the stand-in's portal, 1,000 accounts x
  3 roles) plus 2,000 configured profiles: the popup merges both into one list of 5,000.

For each:
- warm the background: open the popup once and wait for the whole list (the background keeps
  the profile table and the discovered roles in extension storage, which every later popup
  paints first);
- time to the first rendered list: open the popup in a fresh tab (a new document, as the
  toolbar popup is) and read the performance marks popup.js sets on its way (their startTime
  counts from the document's navigation start): `roleport:popup-start` (the page and its
  modules loaded, popup.js running), `roleport:storage-read` (the cached tables read from
  storage.local), `roleport:list-ready` (parsed and merged into profile objects),
  `roleport:list-rendered` (the first rows in the DOM: the figure),
  `roleport:list-complete` (every row the popup shows is in the DOM) and
  `roleport:search-ready` (the search index built, after the paint);
- per keystroke: type a query one key at a time (real key events through WebDriver), once the
  search index is ready; for each key, the time from the `input` event to the render's
  `roleport:list-rendered` mark (filtering, ranking and the first rows: the figure), to its
  `roleport:list-complete` mark, and to the next animation frame after the first (the
  browser has laid out and can paint).
Targets: the first list within FIRST_LIST_TARGET_MS, a keystroke within KEYSTROKE_TARGET_MS
(one frame at 60 Hz). These are absolute times in a real browser: on a busy machine they drift
with its load (the machine's state is written next to them).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.figures import markdown_table, with_notes
from support.awsconfig import organisation_profiles
from support.browsers import REPO_ROOT, HarnessError, browsers_available, make_browser, wait_for
from support.standin import StandIn
from support.standin.identity_center import scale_directory

FIRST_LIST_TARGET_MS = 150.0
KEYSTROKE_TARGET_MS = 16.0
MARK = "roleport:list-rendered"
START_URL = "https://bench.awsapps.com/start"
SSO_SESSION = "bench"


@dataclass(frozen=True)
class Scenario:
    label: str
    profiles: int  # configured profiles, the source profile included
    accounts: int = 0  # IAM Identity Center accounts, each with `roles` roles
    roles: int = 0
    query: str = "acct1000012-adm"  # narrows the list step by step to a row or two

    @property
    def total(self) -> int:
        return self.profiles + self.accounts * self.roles


SCENARIOS = (
    Scenario("10,000 profiles", 10_000),
    Scenario("3,000 discovered roles + 2,000 profiles", 2_000, accounts=1_000, roles=3,
             query="account 0421 role2"),
)

# Records every `input` event and every list mark, with the next animation frame after it.
_OBSERVE = """
window.__roleportBench = { inputs: [], marks: [] };
document.querySelector('input[type=search]').addEventListener('input', (event) => {
  window.__roleportBench.inputs.push({ value: event.target.value, at: event.timeStamp });
}, { capture: true });
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.name.startsWith('roleport:list-')) continue;
    const query = entry.detail && entry.detail.query;
    requestAnimationFrame(() => window.__roleportBench.marks.push(
      { name: entry.name, query, mark: entry.startTime, frame: performance.now() }));
  }
}).observe({ type: 'mark' });
"""
_MARKS = """
return performance.getEntriesByType('mark').filter((entry) => entry.name.startsWith('roleport:'))
  .map((entry) => ({ name: entry.name, at: entry.startTime, ...(entry.detail || {}) }));
"""
# popup.js's marks on its way to the whole list; each step is the time from the mark before
# it (in time order) to this one.
STEPS = {
    "roleport:popup-start": "page and modules loaded, popup.js running",
    "roleport:storage-read": "storage.local read of the first screen, favourites and settings",
    MARK: "first screen painted",
    "roleport:table-read": "storage.local read of the whole profile table and discovered roles",
    "roleport:list-ready": "parsed and merged into profile objects",
    "roleport:list-complete": "grouped, checked against the first screen, every shown row in "
                              "the DOM",
}


# The floor: an extension page with nothing but one module that sets a mark, added to a copy
# of the extension for this benchmark only (same manifest key, so the same extension id).
FLOOR_PAGE = "extension/bench-floor.html"
_FLOOR_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>floor</title>
<link rel="stylesheet" href="common.css"><link rel="stylesheet" href="popup.css">
<script type="module" src="bench-floor.js"></script></head><body></body></html>
"""
_FLOOR_JS = "performance.mark('roleport:floor-start');\n"


def extension_with_floor_page(scratch: Path) -> Path:
    """A copy of the extension with the floor page; returns its folder."""
    root = scratch / "extension-copy"
    shutil.copytree(REPO_ROOT / "extension", root / "extension")
    shutil.copy2(REPO_ROOT / "manifest.json", root / "manifest.json")
    (root / FLOOR_PAGE).write_text(_FLOOR_HTML, encoding="utf-8")
    (root / "extension" / "bench-floor.js").write_text(_FLOOR_JS, encoding="utf-8")
    return root


def write_popup_config(home: Path, scenario: Scenario) -> None:
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    lines = ["[profile base]", "region = eu-west-1", ""]
    lines += organisation_profiles(scenario.profiles - 1)
    if scenario.accounts:
        lines += [f"[sso-session {SSO_SESSION}]", f"sso_start_url = {START_URL}",
                  "sso_region = eu-west-1", ""]
    (aws / "config").write_text("\n".join(lines), encoding="utf-8")
    (aws / "credentials").write_text(
        "[base]\naws_access_key_id = AKIABENCHPOPUP000001\n"
        "aws_secret_access_key = benchPopupSecret000000000000000000000Key\n", encoding="utf-8")


@dataclass(frozen=True)
class PopupFigure:
    name: str
    value_ms: float
    target_ms: float | None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return "-"
        return "ok" if self.value_ms <= self.target_ms else "MISSED"


def _marks(browser: Any) -> list[dict[str, Any]]:
    return list(browser.execute(_MARKS) or [])


def _full_list(marks: list[dict[str, Any]], total: int, name: str = MARK) -> dict[str, Any] | None:
    """The first mark `name` of the whole list without a query."""
    return next((mark for mark in marks if mark["name"] == name
                 and mark.get("total") == total and not mark.get("query")), None)


def _opened(browser: Any, total: int) -> list[dict[str, Any]]:
    """The marks of a popup once its whole list is complete and its search index built."""
    def ready() -> list[dict[str, Any]] | None:
        marks = _marks(browser)
        done = _full_list(marks, total, "roleport:list-complete") and any(
            mark["name"] == "roleport:search-ready" and mark.get("total") == total
            for mark in marks)
        return marks if done else None
    return wait_for(ready, timeout=60, message=f"the popup never listed {total:,} rows")


def _measure_scenario(scenario: Scenario, runs: int, keystroke_rounds: int,
                      headless: bool) -> list[PopupFigure]:
    total = scenario.total
    with tempfile.TemporaryDirectory(prefix="roleport-bench-popup-") as scratch, \
            StandIn() as aws:
        home = Path(scratch) / "home"
        write_popup_config(home, scenario)
        if scenario.accounts:
            aws.identity_center.directory = scale_directory(scenario.accounts, scenario.roles)
            aws.sso_login(str(home), start_url=START_URL, region="eu-west-1",
                          session_name=SSO_SESSION)
        artifacts = Path(scratch) / "artifacts"
        artifacts.mkdir()
        browser = make_browser("chromium", home, env=aws.env(), artifacts=artifacts,
                               headless=headless,
                               extension_dir=extension_with_floor_page(Path(scratch)))
        with browser:
            first_tab = browser.current_handle()
            # Warm the background: the host's table (and discovered roles), then kept in
            # extension storage. Discovery runs in the host's background: reopen until the
            # popup lists every row.
            def warmed() -> bool:
                browser.open_popup()
                try:
                    wait_for(lambda: _full_list(_marks(browser), total), timeout=30,
                             message="the whole list")
                    return True
                except HarnessError:
                    return False
                finally:
                    browser.close_current()
                    browser.switch_to(first_tab)
            wait_for(warmed, timeout=600, interval=1,
                     message=f"the popup never listed {total:,} rows")

            first_lists: list[float] = []
            complete: list[float] = []
            search_ready: list[float] = []
            steps: dict[str, list[float]] = {}
            reached: dict[str, list[float]] = {}
            floor: list[float] = []
            for _ in range(runs):
                browser.open_in_new_tab(browser.extension_url(FLOOR_PAGE))
                floor.append(wait_for(lambda: next((
                    float(mark["at"]) for mark in _marks(browser)
                    if mark["name"] == "roleport:floor-start"), None), timeout=30,
                    message="the floor page"))
                browser.close_current()
                browser.switch_to(first_tab)
                browser.open_popup(wait_ready=False)
                marks = _opened(browser, total)
                first = _full_list(marks, total)
                assert first is not None
                first_lists.append(float(first["at"]))
                last_complete = _full_list(marks, total, "roleport:list-complete")
                assert last_complete is not None
                complete.append(float(last_complete["at"]))
                search_ready.append(next(float(mark["at"]) for mark in marks
                                         if mark["name"] == "roleport:search-ready"))
                firsts: dict[str, float] = {}
                for mark in marks:
                    if mark["name"] in STEPS:
                        firsts.setdefault(mark["name"], float(mark["at"]))
                previous = 0.0
                for step, at in sorted(firsts.items(), key=lambda item: item[1]):
                    reached.setdefault(step, []).append(at)
                    steps.setdefault(step, []).append(at - previous)
                    previous = at
                browser.close_current()
                browser.switch_to(first_tab)

            to_mark: list[float] = []
            to_complete: list[float] = []
            to_frame: list[float] = []
            for _ in range(keystroke_rounds):
                browser.open_popup()
                _opened(browser, total)
                browser.execute(_OBSERVE)
                for length in range(1, len(scenario.query) + 1):
                    browser.send_keys("input[type=search]", scenario.query[length - 1])
                    prefix = scenario.query[:length]

                    def rendered(prefix: str = prefix) -> list[dict[str, Any]] | None:
                        marks = [mark for mark in browser.execute(
                            "return window.__roleportBench.marks") or []
                            if mark["query"] == prefix]
                        names = {mark["name"] for mark in marks}
                        return marks if {MARK, "roleport:list-complete"} <= names else None
                    marks = wait_for(rendered, timeout=30,
                                     message=f"no list rendered for {prefix!r}")
                    inputs = browser.execute("return window.__roleportBench.inputs")
                    typed = [entry["at"] for entry in inputs if entry["value"] == prefix]
                    if not typed:
                        continue  # coalesced into a later render: not one keystroke's figure
                    first = next(mark for mark in marks if mark["name"] == MARK)
                    last = next(mark for mark in marks
                                if mark["name"] == "roleport:list-complete")
                    to_mark.append(float(first["mark"]) - typed[0])
                    to_frame.append(float(first["frame"]) - typed[0])
                    to_complete.append(float(last["mark"]) - typed[0])
                browser.close_current()
                browser.switch_to(first_tab)

    order = sorted(steps, key=lambda step: statistics.median(reached[step]))
    breakdown = "; ".join(f"{STEPS[step]} {statistics.median(steps[step]):.1f} ms"
                          for step in order)
    name = f"popup, {scenario.label}"
    return [
        PopupFigure(f"{name}, warm background: open to first rendered list",
                    statistics.median(first_lists), FIRST_LIST_TARGET_MS,
                    f"median of {len(first_lists)} openings; worst {max(first_lists):.1f} ms. "
                    f"Its steps in time order (medians, from popup.js's marks): {breakdown}"),
        PopupFigure(f"{name}: for scale, an empty extension page: open to its one module "
                    "running", statistics.median(floor), None,
                    "what the browser takes before any of the popup's code can run "
                    f"(median of {len(floor)}, opened like the popup in the same browser)"),
        PopupFigure(f"{name}: open to every shown row in the DOM",
                    statistics.median(complete), None,
                    f"the first rows are painted, the rest follow after the paint; worst "
                    f"{max(complete):.1f} ms"),
        PopupFigure(f"{name}: open to search index ready", statistics.median(search_ready),
                    None, "built after the first paint, in an idle callback"),
        PopupFigure(f"{name}: keystroke to filtered list (first rows) in the DOM",
                    statistics.median(to_mark), KEYSTROKE_TARGET_MS,
                    f"median of {len(to_mark)} keys typing {scenario.query!r}; 90th percentile "
                    f"{_percentile(to_mark, 0.9):.1f} ms"),
        PopupFigure(f"{name}: keystroke to the next frame", statistics.median(to_frame), None,
                    f"90th percentile {_percentile(to_frame, 0.9):.1f} ms"),
        PopupFigure(f"{name}: keystroke to every shown row in the DOM",
                    statistics.median(to_complete), None,
                    f"90th percentile {_percentile(to_complete, 0.9):.1f} ms"),
    ]


def measure(runs: int = 11, keystroke_rounds: int = 3, headless: bool = True,
            scenarios: tuple[Scenario, ...] = SCENARIOS) -> list[PopupFigure] | None:
    """The popup's figures for every scenario, or None when Chromium is not installed."""
    if not browsers_available()["chromium"]:
        return None
    figures: list[PopupFigure] = []
    for scenario in scenarios:
        figures += _measure_scenario(scenario, runs, keystroke_rounds, headless)
    return figures


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


NOTES = [
    "Popup figures: Chromium (headless) through support/browsers.py with the extension and "
    "the installed host, the profile table (and the discovered roles) already in the "
    "background's storage. Times come from the page itself (popup.js's performance marks, the "
    "input event's timeStamp, requestAnimationFrame), not from WebDriver round trips. The "
    "popup keeps at most MAX_ROWS rows in the DOM whatever the number of profiles; it builds "
    "the first FIRST_ROWS of them at once and the rest after the paint. The 'next frame' "
    "figures are upper bounds: the frame is requested from a PerformanceObserver callback, "
    "which the browser delivers some time after the mark.",
    "How the first list is fast, in order (the steps in the detail column): the page imports "
    "only the 12 modules the first screen needs (searching, colours, the stored tables' "
    "parsing and the errors' places are imported while the whole list is read; the sign-in "
    "panel, session markers and same-page offer after the paint); it reads a small value "
    "first, the first screen the last popup showed (lib/list-head.js: the first sections and "
    "rows, their colours, the list's size), and paints it; meanwhile the whole profile table "
    "and the discovered roles (each one JSON string) are read, parsed and merged, only the "
    "accounts of the first rows are grouped and sorted, and the first screen is kept when it "
    "is still the list's, the other rows appended. The search index (lower-cased fields, and "
    "the alphabetical order, which a cheap pre-sort leaves the collator to confirm) is built "
    "after that, in an idle callback. What is left before the first paint is mostly the "
    "browser's own start of an extension page (the 'empty extension page' row, measured in "
    "the same browser) and loading the popup's remaining static modules.",
    "How a keystroke is fast: the list is filtered in the input event's own task (a task "
    "queued from an input event runs only after the browser painted a frame), ranked over "
    "the prepared index (lib/fuzzy.js; a heap keeps the best MAX_ROWS; word starts checked "
    "by a character-code table), and the rows and sections earlier lists built are reused "
    "(lib/keyed-pool.js: by key and inputs) and left where they are when they stay "
    "(lib/ui.js placeChildren): taking a subtree out of the page and putting it back was most "
    "of a keystroke's DOM time. The last list's later rows wait below the fold until the rest "
    "of the new list takes their place after the paint.",
]


def report(figures: list[PopupFigure] | None) -> str:
    """The table and its notes, as BENCHMARKS.md shows them."""
    if figures is None:
        return "- Popup figures: skipped, Chromium and chromedriver are not installed."
    rows = [[figure.name, f"{figure.value_ms:.1f} ms",
             f"<= {figure.target_ms:g} ms" if figure.target_ms is not None else "-",
             figure.verdict, figure.note] for figure in figures]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    machine = f" Machine load (1-minute average) at the end: {load:.1f}." if load is not None \
        else ""
    return with_notes(markdown_table(["figure", "value", "target", "verdict", "detail"], rows,
                                     right_aligned={1, 2}), NOTES) + machine
