"""The admin "Page views" report and the page editor's status panel."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from pages.models import ArticlePage, ServicePage
from pageviews.models import PageViewCount
from pageviews.report import most_viewed, page_summary

pytestmark = pytest.mark.django_db

REPORT_URL = "/admin/reports/page-views/"


@pytest.fixture
def admin_client(client, django_user_model, demo_site):
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "x"))
    return client


@pytest.fixture
def history(demo_site):
    """IMS: the demo's 23 recent views + 100 views 200 days ago + 7 views 3 years ago;
    an article with 50 views 40 days ago, so the ranking depends on the period."""
    ims = ServicePage.objects.get(slug="ims")
    article = ArticlePage.objects.live().order_by("pk").first()
    today = timezone.localdate()
    PageViewCount.objects.filter(page=article).delete()
    PageViewCount.objects.bulk_create(
        [
            PageViewCount(page=ims, date=today - datetime.timedelta(days=200), count=100),
            PageViewCount(page=ims, date=today - datetime.timedelta(days=1100), count=7),
            PageViewCount(page=article, date=today - datetime.timedelta(days=40), count=50),
        ]
    )
    return ims, article


def report_rows(response) -> list[tuple[str, int, int, list[int]]]:
    soup = BeautifulSoup(response.content, "lxml")
    rows = []
    for tr in soup.select("table[data-page-views-report] tbody tr"):
        cells = tr.find_all("td")
        trend = [int(n) for n in tr.find("svg")["data-trend"].split(",")]
        rows.append(
            (
                cells[1].a.get_text(),
                int(cells[2]["data-views"]),
                int(cells[3]["data-total"]),
                trend,
            )
        )
    return rows


def test_the_report_ranks_pages_by_views_in_the_chosen_period(admin_client, history):
    ims, article = history
    last_30 = report_rows(admin_client.get(REPORT_URL))
    by_title = {row[0]: row[1:3] for row in last_30}
    assert by_title[ims.title] == (23, 130)
    assert article.title not in by_title
    assert [row[1] for row in last_30] == sorted((row[1] for row in last_30), reverse=True)

    last_365 = report_rows(admin_client.get(REPORT_URL, {"period": "365"}))
    assert last_365[0][:3] == (ims.title, 123, 130)
    assert (article.title, 50, 50) in [row[:3] for row in last_365]

    all_time = report_rows(admin_client.get(REPORT_URL, {"period": "all"}))
    assert all_time[0][:3] == (ims.title, 130, 130)
    # Every listed total agrees with the database.
    for _title, views, total, _ in all_time:
        assert views == total
    assert sum(row[1] for row in all_time) == sum(
        PageViewCount.objects.values_list("count", flat=True)
    )


def test_the_trend_is_per_day_ending_today(admin_client, history):
    ims, _ = history
    today = timezone.localdate()
    rows = report_rows(admin_client.get(REPORT_URL, {"period": "7"}))
    title, views, _, trend = next(row for row in rows if row[0] == ims.title)
    assert len(trend) == 7
    stored = dict(PageViewCount.objects.filter(page=ims).values_list("date", "count"))
    expected = [stored.get(today - datetime.timedelta(days=6 - i), 0) for i in range(7)]
    assert trend == expected
    assert sum(trend) == views
    # 30 days at most, even for longer periods.
    assert len(report_rows(admin_client.get(REPORT_URL, {"period": "all"}))[0][3]) == 30


def test_an_unknown_period_falls_back_to_30_days(admin_client, history):
    response = admin_client.get(REPORT_URL, {"period": "fortnight"})
    assert response.status_code == 200
    assert (ServicePage.objects.get(slug="ims").title, 23) in [
        row[:2] for row in report_rows(response)
    ]


def test_the_report_is_in_the_reports_menu_and_admin_only(admin_client, client):
    response = admin_client.get("/admin/")
    assert REPORT_URL.encode() in response.content
    client.logout()
    response = client.get(REPORT_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_report_queries_do_not_grow_with_pages(
    admin_client, history, django_assert_max_num_queries
):
    rows = most_viewed("all").rows
    assert len(rows) >= 6
    with django_assert_max_num_queries(4):
        most_viewed("all")


def test_the_editor_status_panel_shows_the_page_views(admin_client, history):
    ims, _ = history
    response = admin_client.get(f"/admin/pages/{ims.pk}/edit/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "lxml")
    section = soup.select_one("[data-page-views-status]")
    assert section is not None
    text = " ".join(section.get_text().split())
    assert "130 views in total" in text
    assert "23 in the last 30 days" in text
    assert section.select_one("[data-views]")["data-views"] == "130"
    assert page_summary(ims.pk) == {"7": sum_recent(ims, 7), "30": 23, "365": 123, "all": 130}


def sum_recent(page, days: int) -> int:
    start = timezone.localdate() - datetime.timedelta(days=days - 1)
    return sum(
        PageViewCount.objects.filter(page=page, date__gte=start).values_list("count", flat=True)
    )


def test_a_page_without_views_says_0_views(admin_client, history):
    _, article = history
    PageViewCount.objects.filter(page=article).delete()
    response = admin_client.get(f"/admin/pages/{article.pk}/edit/")
    assert b"0 views</span> in total" in response.content
