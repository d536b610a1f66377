""" "Fix these first": one list from a stored run, with the editor field and an Edit link."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from audit.fix_first import editor_place, fix_first
from audit.models import AuditRun
from tests.audit.admin.conftest import client_for


def test_editor_places_for_our_page_types():
    assert editor_place("title-too-long").words == "Promote tab → Title tag"
    assert editor_place("meta-description-missing").anchor == "id_search_description"
    assert editor_place("img-alt-missing").tab == "Content"
    assert editor_place("h1-missing").anchor == "id_title"
    assert editor_place("status-5xx") is None


def test_list_is_ordered_by_impact_and_leads_to_the_field(two_runs):
    fixes = fix_first(two_runs.new)
    # The service page is viewed 50 times: its missing description outranks the others.
    top = fixes[0]
    assert top.check_id == "meta-description-missing"
    assert top.where == "Promote tab → Meta description"
    assert top.edit_url.endswith("/edit/#id_search_description")
    assert top.advice and top.page_title
    assert [f.impact for f in fixes] == sorted((f.impact for f in fixes), reverse=True)


def test_run_page_opens_on_fix_these_first(two_runs, people):
    client = client_for(people["viewer"])
    html = client.get(f"/admin/seo-audits/{two_runs.new.pk}/").content.decode()
    assert 'id="fix-first"' in html
    assert "Where: Promote tab → Meta description." in html
    assert "/edit/#id_search_description" in html
    # Check ids and snippets are behind "Details", escaped.
    assert "&lt;h1&gt;&lt;script&gt;" in html and "<h1><script>" not in html


def test_run_in_flight_shows_progress_not_comparisons(two_runs, people):
    AuditRun.objects.filter(pk=two_runs.new.pk).update(
        status=AuditRun.Status.RUNNING, pages_done=3, pages_known=12, started_at=timezone.now()
    )
    html = client_for(people["viewer"]).get(f"/admin/seo-audits/{two_runs.new.pk}/").content
    html = html.decode()
    assert "Audited 3 of the 12 pages found so far" in html
    assert "<progress" in html
    assert "fixed since" not in html and "Fix these first</h2>" not in html


def test_failed_run_shows_its_error_without_empty_tables(demo_site, people):
    run = AuditRun.objects.create(
        target_url=demo_site.get_full_url(),
        status=AuditRun.Status.FAILED,
        error="The start URL answered 503 three times.",
    )
    html = client_for(people["viewer"]).get(f"/admin/seo-audits/{run.pk}/").content.decode()
    assert "The start URL answered 503 three times." in html
    assert "Export:" not in html and "audit-filters" not in html and "audit-cards" not in html


def test_html_export_leads_with_fixes_and_dates_in_the_clinics_zone(two_runs, people):
    started = datetime(2026, 11, 28, 14, 38, tzinfo=ZoneInfo("UTC"))  # 06:38 in Vancouver
    AuditRun.objects.filter(pk=two_runs.new.pk).update(
        started_at=started, finished_at=started + timedelta(minutes=2)
    )
    response = client_for(people["viewer"]).get(f"/admin/seo-audits/{two_runs.new.pk}/export.html")
    html = response.content.decode()
    started = "Started 28 Nov 2026, 06:38 PST, finished\n"
    assert started + "28 Nov 2026, 06:40 PST (America/Vancouver)" in html
    assert "2026-11-28T" not in html
    assert html.index("<h2>Fix these first</h2>") < html.index("<h2>Summary</h2>")
    assert "Where: Promote tab → Meta description." in html
    assert "/edit/#id_search_description" in html


def test_each_fix_says_what_it_adds_to_the_score(two_runs, people):
    top = fix_first(two_runs.new)[0]
    assert top.points > 0
    html = client_for(people["viewer"]).get(f"/admin/seo-audits/{two_runs.new.pk}/").content
    assert f"score +{top.points:.1f}" in html.decode()
