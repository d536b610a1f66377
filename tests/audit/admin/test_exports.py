"""Exports of a stored run through the engine's own report writers."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema

import audit.engine.report
from audit.export import run_to_result
from audit.models import Finding
from tests.audit.admin.conftest import client_for

SCHEMA = json.loads((Path(audit.engine.report.__file__).parent / "schema.json").read_text())


def export(client, run, fmt):
    return client.get(f"/admin/seo-audits/{run.pk}/export.{fmt}")


def test_json_export_follows_the_engine_schema_and_holds_every_stored_row(people, two_runs):
    response = export(client_for(people["viewer"]), two_runs.new, "json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    report = json.loads(response.content)
    jsonschema.validate(report, SCHEMA)
    assert report["start_url"] == two_runs.home_url
    pages = {p["url"]: p for p in report["pages"]}
    assert set(pages) == {two_runs.home_url, two_runs.article_url, two_runs.service_url}
    service = pages[two_runs.service_url]
    assert service["views"] == 50 and service["page_type"] == "service"
    assert [f["check"] for f in service["findings"]] == ["meta-description-missing"]
    assert report["stats"]["findings_by_severity"] == {"error": 0, "warning": 1, "notice": 2}
    assert set(report["checks"]) == {"title-too-short", "h1-multiple", "meta-description-missing"}
    assert report["checks"]["h1-multiple"]["fix"].startswith("Keep one <h1>")


def test_csv_export_has_one_row_per_finding(people, two_runs):
    response = export(client_for(people["viewer"]), two_runs.new, "csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Finding.objects.filter(run=two_runs.new).count() == 3
    by_check = {row["check"]: row for row in rows}
    assert by_check["meta-description-missing"]["url"] == two_runs.service_url
    assert by_check["meta-description-missing"]["views"] == "50"
    assert by_check["h1-multiple"]["snippet"] == "<h1><script>x</script>"
    assert by_check["h1-multiple"]["fix"].startswith("Keep one <h1>")


def test_html_export_is_the_standalone_report_with_snippets_escaped(people, two_runs):
    response = export(client_for(people["viewer"]), two_runs.new, "html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "script-src" not in response["Content-Security-Policy"]  # nothing may run
    html = response.content.decode()
    assert "&lt;h1&gt;&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script" not in html
    assert two_runs.service_url in html
    # In fix order (issue 25): the score, then "Fix these first", then the checks.
    assert html.index("<h2>Score</h2>") < html.index("Fix these first") < html.index("By check")
    assert re.search(r"data-score>\d+<", html)
    section = html[html.index("<h2>By check</h2>") : html.index("<h2>Pages</h2>")]
    assert f'<a href="{two_runs.service_url}">' in section  # the pages each check affects


def test_unknown_export_format_is_404(people, two_runs):
    assert export(client_for(people["viewer"]), two_runs.new, "xml").status_code == 404


def test_a_run_that_failed_without_engine_stats_still_exports_valid_json(two_runs):
    from audit.models import AuditRun

    AuditRun.objects.filter(pk=two_runs.old.pk).update(status="failed", stats={})
    two_runs.old.refresh_from_db()
    result = run_to_result(two_runs.old)
    from audit.engine.report import to_dict

    report = json.loads(json.dumps(to_dict(result)))
    jsonschema.validate(report, SCHEMA)
    assert report["stats"]["stop_reason"] == "failed"
    assert report["stats"]["findings_by_check"] == {"img-alt-missing": 1, "title-too-short": 1}
