"""The SEO audits admin: who sees what, the runs list, a run's report, filters and compare."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audit.models import AuditRun
from tests.audit.admin.conftest import client_for

INDEX = "/admin/seo-audits/"
# The sidebar menu is JSON in the admin page.
MENU_ITEM = (
    '"label": "SEO audits", "icon_name": "doc-empty-inverse", "classname": "", "attrs": {}, '
    '"url": "/admin/seo-audits/"'
)


def run_url(run, **query) -> str:
    url = f"/admin/seo-audits/{run.pk}/"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_urls_are_where_the_issue_says():
    assert reverse("seo_audits:index") == INDEX
    assert reverse("seo_audits:run", args=[7]) == "/admin/seo-audits/7/"


# -- permissions -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page_and_see_no_content(client, two_runs):
    for url in (
        INDEX,
        run_url(two_runs.new),
        f"{run_url(two_runs.new)}export.json",
        f"/admin/seo-audits/pages/{two_runs.article.pk}/findings/",
        f"/admin/seo-audits/pages/{two_runs.article.pk}/check-draft/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    response = client.post("/admin/seo-audits/start/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert AuditRun.objects.count() == 2


def test_admin_users_without_the_view_permission_get_403_and_no_menu_item(people, two_runs):
    client = client_for(people["nobody"])
    assert client.get(INDEX).status_code == 403
    assert client.get(run_url(two_runs.new)).status_code == 403
    assert client.get(f"{run_url(two_runs.new)}export.csv").status_code == 403
    home = client.get("/admin/")
    assert home.status_code == 200
    assert MENU_ITEM not in home.content.decode()


def test_viewers_read_reports_but_cannot_run_cancel_delete_or_edit_schedules(people, two_runs):
    client = client_for(people["viewer"])
    index = client.get(INDEX)
    assert index.status_code == 200
    html = index.content.decode()
    assert "Run audit now" not in html
    assert MENU_ITEM in client.get("/admin/").content.decode()
    detail = client.get(run_url(two_runs.new)).content.decode()
    assert "Delete run" not in detail and "Cancel audit" not in detail

    assert client.post("/admin/seo-audits/start/").status_code == 403
    assert client.post(f"{run_url(two_runs.new)}cancel/").status_code == 403
    assert client.get(f"{run_url(two_runs.new)}delete/").status_code == 403
    assert client.post(f"{run_url(two_runs.new)}delete/").status_code == 403
    assert AuditRun.objects.count() == 2
    schedules = client.get("/admin/seo-audits/schedules/")
    assert schedules.status_code in (302, 403)  # Wagtail's permission denied
    assert client.get("/admin/seo-audits/schedules/new/").status_code in (302, 403)


def test_managers_can_delete_a_finished_run(people, two_runs):
    client = client_for(people["manager"])
    detail = client.get(run_url(two_runs.old)).content.decode()
    assert "Delete run" in detail
    confirm = client.get(f"{run_url(two_runs.old)}delete/")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    response = client.post(f"{run_url(two_runs.old)}delete/")
    assert response.status_code == 302 and response["Location"] == INDEX
    assert list(AuditRun.objects.values_list("pk", flat=True)) == [two_runs.new.pk]


# -- runs list ---------------------------------------------------------------------------


def test_runs_list_shows_status_when_trigger_counts_score_and_trend(people, two_runs):
    html = client_for(people["viewer"]).get(INDEX).content.decode()
    row = re.search(rf'<tr data-run="{two_runs.new.pk}".*?</tr>', html, re.S).group(0)
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)
    ]
    new = two_runs.new
    assert cells[0] == f"Audit #{new.pk}"
    assert cells[1] == "Succeeded"
    assert cells[3] == "Command"
    assert cells[5:9] == ["3", str(new.error_count), str(new.warning_count), str(new.notice_count)]
    assert cells[9] == str(new.score)
    assert (new.warning_count, new.notice_count) == (1, 2)
    # Trend: one dot per severity per run, in an inline SVG (no script, no CDN).
    svg = re.search(r"<svg class=\"audit-trend\".*?</svg>", html, re.S).group(0)
    assert svg.count("<circle") == 6
    assert f"Run #{two_runs.old.pk}" in svg and "1 errors" in svg
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'http-equiv="refresh"' not in html  # nothing running


def test_runs_list_shows_a_progress_bar_and_reloads_while_a_run_is_active(people, two_runs):
    AuditRun.objects.create(
        target_url="https://other.example/", status="running", pages_done=3, pages_known=12
    )
    html = client_for(people["viewer"]).get(INDEX).content.decode()
    assert '<progress class="audit-progress" max="12" value="3"' in html
    assert "running, 3 of 12 pages" in html
    assert 'http-equiv="refresh"' in html


# -- run detail --------------------------------------------------------------------------


def test_run_detail_groups_by_check_with_fix_hint_escaped_snippet_and_links(people, two_runs):
    html = client_for(people["viewer"]).get(run_url(two_runs.new) + "?group=check").content.decode()
    assert 'data-count="new">2<' in html  # h1-multiple, meta-description-missing
    assert 'data-count="fixed">1<' in html  # img-alt-missing
    assert 'data-count="still_open">1<' in html  # title-too-short
    group = re.search(r'data-check-group="h1-multiple".*?</details>', html, re.S).group(0)
    assert "Keep one &lt;h1&gt; for the page topic" in group  # fix hint from the registry
    assert "&lt;h1&gt;&lt;script&gt;x&lt;/script&gt;" in group  # snippet escaped
    assert "<script>x" not in html
    assert f'href="{two_runs.article_url}"' in group  # live page
    edit = reverse("wagtailadmin_pages:edit", args=[two_runs.article.pk])
    # Wagtail's editor, at the body's headings (h1-multiple is fixed there)
    assert f'href="{edit}#panel-child-content-body-section" class="audit-edit-link"' in group
    # Errors come before warnings before notices.
    order = re.findall(r'data-check-group="([^"]+)"', html)
    assert order.index("meta-description-missing") < order.index("title-too-short")
    # ... and the tab leads with "Fix these first" (issue 25)
    assert html.index('id="by-check-fix-first"') < html.index("data-check-group=")


def test_filters_by_severity_check_page_type_and_new(people, two_runs):
    client = client_for(people["viewer"])

    def groups(**query) -> list[str]:
        html = client.get(run_url(two_runs.new, **{"group": "check", **query})).content.decode()
        return sorted(set(re.findall(r'data-check-group="([^"]+)"', html)))

    assert groups() == ["h1-multiple", "meta-description-missing", "title-too-short"]
    assert groups(severity="warning") == ["meta-description-missing"]
    assert groups(check="h1-multiple") == ["h1-multiple"]
    assert groups(page_type="service") == ["meta-description-missing"]
    assert groups(new="on") == ["h1-multiple", "meta-description-missing"]
    assert groups(new="on", severity="notice") == ["h1-multiple"]
    # A bad filter value is ignored rather than failing the page.
    assert groups(severity="bogus") == [
        "h1-multiple",
        "meta-description-missing",
        "title-too-short",
    ]


def test_pages_are_sorted_by_impact(people, two_runs):
    html = client_for(people["viewer"]).get(run_url(two_runs.new, group="page")).content.decode()
    order = re.findall(r'data-page="([^"]+)"', html)
    # service: warning (3) x 51 views; article: notice (1) x 6; home: notice (1) x 1
    assert order == [two_runs.service_url, two_runs.article_url, two_runs.home_url]
    assert "impact 153" in html


def test_compare_lists_new_fixed_and_still_open_against_any_earlier_run(people, two_runs):
    client = client_for(people["viewer"])
    html = client.get(run_url(two_runs.new, group="compare")).content.decode()

    def section(name: str) -> str:
        return re.search(rf'<section id="compare-{name}">.*?</section>', html, re.S).group(0)

    assert "h1-multiple" in section("new") and "meta-description-missing" in section("new")
    assert "img-alt-missing" in section("fixed") and "(1)" in section("fixed")
    assert "title-too-short" in section("still-open")
    # Comparing the older run with nothing earlier: nothing to compare.
    older = client.get(run_url(two_runs.old, group="compare")).content.decode()
    assert "no earlier finished audit" in older
    # Explicit compare with no run ("") counts everything as not compared.
    explicit = client.get(run_url(two_runs.new, compare="")).content.decode()
    assert 'data-count="new"' not in explicit


def test_unknown_run_is_404(people, two_runs):
    assert client_for(people["viewer"]).get("/admin/seo-audits/999999/").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_export_links_on_the_report(people, two_runs, fmt):
    html = client_for(people["viewer"]).get(run_url(two_runs.new)).content.decode()
    assert f'href="/admin/seo-audits/{two_runs.new.pk}/export.{fmt}"' in html
