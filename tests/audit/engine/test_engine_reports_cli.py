"""Report formats and the command line (exit codes, output files, progress)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from fixture_site import FixtureSite

from audit.engine import AuditResult, Finding, PageReport
from audit.engine import parse as parse_package
from audit.engine.cli import Progress, main
from audit.engine.report import render

SCHEMA = json.loads(
    (Path(__file__).parents[3] / "audit/engine/report/schema.json").read_text(encoding="utf-8")
)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def hostile_result() -> AuditResult:
    page = PageReport(
        url="https://c.example/a",
        final_url="https://c.example/a",
        status=200,
        title=HOSTILE,
        views=5,
        findings=[Finding("title-too-long", "warning", f"Title {HOSTILE}", "title", HOSTILE)],
    )
    quiet = PageReport(url="https://c.example/b", status=200, views=900)
    error = PageReport(
        url="https://c.example/c",
        status=404,
        findings=[Finding("status-4xx", "error", '=HYPERLINK("x")', "", "")],
    )
    return AuditResult(
        start_url="https://c.example/",
        started_at="2025-01-01T00:00:00+00:00",
        finished_at="2025-01-01T00:00:01+00:00",
        settings={},
        stats={
            "pages_reported": 3,
            "crawl_complete": True,
            "stopped_early": False,
            "stop_reason": None,
            "pages_fetched": 3,
            "findings_by_severity": {},
            "findings_by_check": {},
        },
        pages=[page, quiet, error],
    )


def test_json_report_matches_schema_and_is_versioned() -> None:
    data = json.loads(render(hostile_result(), "json"))
    jsonschema.validate(data, SCHEMA)
    assert data["schema_version"] == "1.3"
    assert data["checks"]["title-too-long"]["fix"]
    assert data["pages"][0]["findings"][0]["snippet"] == HOSTILE  # data, not markup


def test_csv_has_one_row_per_finding_and_defuses_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(render(hostile_result(), "csv"))))
    assert [r["check"] for r in rows] == ["title-too-long", "status-4xx"]
    assert rows[1]["message"].startswith("'=")
    assert rows[0]["fix"]


def test_html_report_escapes_everything_and_is_standalone() -> None:
    html = render(hostile_result(), "html")
    assert "<script>" not in html and "onerror=alert" not in html.replace(
        "onerror=alert(1)&gt;", ""
    )
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'src="http' not in html and "<link" not in html  # no external assets
    # Worst page first, then most viewed.
    assert (
        html.index("https://c.example/c")
        < html.index("https://c.example/a")
        < html.index("https://c.example/b")
    )
    assert "Fix:" in html


def test_text_summary() -> None:
    text = render(hostile_result(), "text")
    assert "1 errors, 1 warnings, 0 notices" in text
    assert text.index("https://c.example/c") < text.index("https://c.example/a")


def test_progress_plain_lines_when_not_a_tty() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    progress(1, 10)
    progress(2, 10)  # throttled
    assert stream.getvalue() == "audit: 1 pages done, 10 known\n"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_tty() -> None:
    stream = FakeTTY()
    progress = Progress(stream)
    progress(5, 10)
    progress.close()
    assert stream.getvalue().startswith("\r[###############...............] 5/10 pages")


# -- CLI exit codes -------------------------------------------------------------------------

FAST = ["--timeout", "2", "--workers", "0", "-q"]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_1_when_errors_found(site: FixtureSite, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        [site.url("/d/no-lang"), "--single-page", "--no-link-check", *FAST], capsys
    )
    assert code == 1 and "lang-missing" in out


def test_fail_on_levels(site: FixtureSite, capsys: pytest.CaptureFixture[str]) -> None:
    url = site.url("/d/no-canonical")  # one warning, no errors
    args = [url, "--single-page", "--no-link-check", *FAST]
    assert run_cli([*args, "--fail-on", "error"], capsys)[0] == 0
    assert run_cli([*args, "--fail-on", "warning"], capsys)[0] == 1
    assert run_cli([site.url("/d/no-lang"), *args[1:], "--fail-on", "never"], capsys)[0] == 0


def test_exit_2_with_one_line_for_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["clinic.example", *FAST], capsys)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "has no scheme: use an absolute URL such as https://clinic.example" in err


def test_exit_2_for_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["https://c.example/", "--max-pages", "0"], capsys)[0] == 2
    code, _, err = run_cli(["http://127.0.0.1:1/", "--include", "([", *FAST], capsys)
    assert code == 2 and "include pattern" in err and "cannot be used" in err


def test_output_file_and_format_from_extension(
    site: FixtureSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    code, out, err = run_cli([site.url("/"), "--single-page", "-o", str(target), *FAST], capsys)
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["pages"][0]["url"] == site.url("/")
    assert "wrote json report" in err


def test_missing_output_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        ["http://127.0.0.1:1/", "-o", str(tmp_path / "no/such/r.html"), *FAST], capsys
    )
    assert code == 2 and "does not exist" in err


def test_time_budget_keeps_partial_report(
    site: FixtureSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.json"
    argv = [
        site.url("/calendar?month=2060-01"),
        "--time-budget",
        "1",
        "--delay",
        "0.1",
        "--concurrency",
        "1",
        "--fail-on",
        "never",
        "-o",
        str(target),
        *FAST,
    ]
    code, _, err = run_cli(argv, capsys)
    data = json.loads(target.read_text())
    assert code == 0
    assert data["stats"]["stopped_early"] is True and data["stats"]["stop_reason"] == "time-budget"
    assert "stopped early" in err and data["pages"]


def test_unreachable_start_is_exit_2_with_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.json"
    code, _, err = run_cli(["http://127.0.0.1:1/", "-o", str(target), *FAST], capsys)
    assert code == 2 and "could not fetch" in err and "connection refused" in err
    assert json.loads(target.read_text())["stats"]["start_error"]


def test_python_dash_m_audit_runs_without_django(site: FixtureSite) -> None:
    argv = [site.url("/"), "--single-page", "--no-link-check", "--format", "json", "-q"]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "audit", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[3],
        env={"PATH": "/usr/bin:/bin"},  # no DJANGO_SETTINGS_MODULE
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["pages"][0]["status"] == 200
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()]
    assert "requests" in imported
    assert not [m for m in imported if m.split(".")[0] in ("django", "wagtail")]


def test_an_unparseable_start_page_is_not_called_unreachable(
    site: FixtureSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Markup that breaks analysis is no network problem: the message must not send the
    user to check that the site is up. (A failing extractor stands in for such markup.)"""

    def broken(doc: object, facts: object) -> None:
        raise ValueError("synthetic extractor bug")

    monkeypatch.setattr(parse_package, "EXTRACTORS", (*parse_package.EXTRACTORS, broken))
    code, _, err = run_cli([site.url("/d/no-lang"), "--single-page", *FAST], capsys)
    assert code == 2
    assert "answered but could not be parsed" in err and "parse-failed" in err
    assert "check the URL and that the site is up" not in err


def test_reports_name_a_count_only_where_the_page_shows_one() -> None:
    """A bakery's pages show no view counts: its report must not say "no view count" on
    every page (the finding view-count-missing covers sites that should show one)."""
    finding = Finding("title-too-long", "warning", "Title too long", "title", "<title>")
    pages = [
        PageReport(url="https://bakery.example/", status=200, findings=[finding], views=None),
        PageReport(url="https://bakery.example/bread/", status=200, findings=[finding], views=7),
    ]
    result = AuditResult("https://bakery.example/", "", "", {}, {}, pages)
    for kind in ("text", "html"):
        text = render(result, kind)
        assert "no view count" not in text
        assert "7 views" in text
