"""`make bench` stays runnable: its modules import, its reports render, and the parts that
need no browser and no timing run in a tiny mode. Speed itself is measured by `make bench`,
never here."""

from __future__ import annotations

from bench import __main__ as bench_main
from bench import cli, listing, popup, reparse
from support.awsconfig import organisation_profiles, sealed_environment


def test_every_bench_module_imports_and_the_run_notes_the_machine_load():
    assert callable(bench_main.main) and callable(popup.measure) and callable(cli.login_command)
    load = bench_main.machine_load()
    assert load == "unknown" or float(load) >= 0
    assert cli.login_command()[-3:] == ["login", cli.PROFILE, "--print"]


def test_the_run_line_judges_the_load_against_the_cpu_count():
    assert "above the CPU count" in bench_main.load_sentence("27.2", "7.4", 2)
    quiet = bench_main.load_sentence("1.1", "1.7", 2)
    assert "within the CPU count" in quiet and "above" not in quiet
    assert bench_main.load_sentence("unknown", "unknown", 2).endswith("at the end unknown.")


def test_the_cold_cli_report_judges_cpu_time_first():
    baseline = cli.CliFigure("naive", 1000.0, 500.0, None)
    faster_cpu = cli.CliFigure("roleport", 900.0, 400.0, baseline)  # wall 0.9, CPU 0.8
    slower_cpu = cli.CliFigure("roleport", 800.0, 450.0, baseline)  # wall 0.8, CPU 0.9
    assert faster_cpu.verdict == "ok" and slower_cpu.verdict == "MISSED"
    assert cli.CliFigure("roleport", 800.0, None, baseline).verdict == "ok"  # wall only
    table = cli.report([baseline, faster_cpu])
    assert "0.900 / 0.800" in table and "<= 0.85" in table


def test_the_listing_report_shares_the_ratio_table_with_its_own_target():
    baseline = listing.ListingFigure("botocore", 100.0, 80.0, None)
    within = listing.ListingFigure("roleport list", 150.0, 100.0, baseline)  # CPU 1.25
    scale = listing.ListingFigure("session", 400.0, 300.0, baseline, judged=False)
    assert within.verdict == "ok" and scale.verdict == "-"
    table = listing.report([baseline, within, scale])
    assert "| figure | wall | CPU | ratio to botocore's parse (wall / CPU) |" in table
    assert "| roleport list | 150.0 ms | 100.0 ms | 1.500 / 1.250 | <= 1.3 | ok |" in table
    assert "| session | 400.0 ms | 300.0 ms | 4.000 / 3.750 | - | - |" in table


def test_the_popup_report_renders_and_says_when_chromium_is_missing():
    figures = [popup.PopupFigure("first list", 120.0, 150.0, "detail"),
               popup.PopupFigure("keystroke", 20.0, 16.0)]
    table = popup.report(figures)
    assert "| first list | 120.0 ms | <= 150 ms | ok | detail |" in table
    assert "| keystroke | 20.0 ms | <= 16 ms | MISSED |" in table
    assert "skipped" in popup.report(None)


def test_the_reparse_profile_runs_on_a_small_config(tmp_path):
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "config").write_text("\n".join(["[profile base]", "region = eu-west-1", ""]
                                          + organisation_profiles(20)), encoding="utf-8")
    (aws / "credentials").write_text("", encoding="utf-8")
    result = reparse.profile_reparse(sealed_environment(tmp_path))
    assert result["profiles"] == 21
    assert 0 < float(result["botocore_ms"]) <= float(result["total_ms"])
    assert "| own time | calls | function |" in reparse.report(result)
