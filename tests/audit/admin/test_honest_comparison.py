"""A finding the later run could not have found again is "not checked", never "fixed"
(issue 25): the browser pass off or not rendering the page, the check disabled, the page not
fetched. The score leaves a disabled check out, and its trend marks runs scored on other
checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.engine import AuditResult
from audit.models import AuditRun
from audit.score import run_score
from audit.services import compare_runs, save_result
from tests.audit.admin.conftest import client_for, page_report

pytestmark = pytest.mark.django_db


def stored(pages, *, days_ago: int, settings: dict | None = None, stats: dict | None = None):
    moment = timezone.now() - timedelta(days=days_ago)
    result = AuditResult(
        start_url=pages[0].url,
        started_at=moment.isoformat(),
        finished_at=(moment + timedelta(minutes=1)).isoformat(),
        settings={"max_pages": 100, **(settings or {})},
        stats={"pages_known": len(pages), **(stats or {})},
        pages=pages,
    )
    run = save_result(result, trigger=AuditRun.Trigger.COMMAND)
    AuditRun.objects.filter(pk=run.pk).update(created_at=moment)
    run.refresh_from_db()
    return run


@pytest.fixture
def urls(demo_site) -> dict[str, str]:
    from pages.models import ArticlePage, ServicePage

    return {
        "home": demo_site.get_full_url(),
        "article": ArticlePage.objects.live().order_by("pk").first().get_full_url(),
        "service": ServicePage.objects.live().order_by("pk").first().get_full_url(),
    }


@pytest.fixture
def runs(urls):
    """Run 1: browser pass on the article (a contrast failure), a short title on the home
    page, a missing alt on the article, a missing description on the service page. Run 2:
    no browser pass, title-too-short disabled, the service page not fetched, the alt fixed."""
    home, article, service = urls["home"], urls["article"], urls["service"]
    old = stored(
        [
            page_report(home, [("title-too-short", "notice", "head > title", "<title>")]),
            page_report(
                article,
                [
                    ("img-alt-missing", "error", "main img", '<img src="/a.jpg">'),
                    ("axe/color-contrast", "error", ".note", '<p class="note">'),
                ],
            ),
            page_report(service, [("meta-description-missing", "warning", "head", "")]),
        ],
        days_ago=7,
        settings={"browser": True},
        stats={"browser": {"lab": {home: {}, article: {}, service: {}}}},
    )
    new = stored(
        [page_report(home, []), page_report(article, [])],
        days_ago=0,
        settings={"browser": False, "disabled_checks": ["title-too-short"]},
    )
    return old, new


def test_only_what_the_later_run_checked_again_is_fixed(runs) -> None:
    old, new = runs
    diff = compare_runs(new, old)
    assert sorted(diff.fixed.values_list("check_id", flat=True)) == ["img-alt-missing"]
    assert sorted(diff.not_checked.values_list("check_id", flat=True)) == [
        "axe/color-contrast",  # no browser pass in run 2
        "meta-description-missing",  # the service page was not fetched by run 2
        "title-too-short",  # disabled in run 2
    ]
    assert diff.counts() == {"new": 0, "fixed": 1, "still_open": 0, "not_checked": 3}


def test_a_browser_finding_on_a_page_the_later_pass_rendered_is_fixed(urls) -> None:
    home, article = urls["home"], urls["article"]
    lab = {"browser": {"lab": {home: {}, article: {}}}}
    finding = [("axe/color-contrast", "error", ".note", '<p class="note">')]
    old = stored([page_report(home, []), page_report(article, finding)], days_ago=3, stats=lab)
    sampled = {"browser": {"lab": {home: {}}}}  # run 2 sampled the home page only
    new = stored([page_report(home, []), page_report(article, [])], days_ago=0, stats=sampled)
    assert compare_runs(new, old).not_checked.count() == 1
    rendered = stored([page_report(home, []), page_report(article, [])], days_ago=0, stats=lab)
    assert list(compare_runs(rendered, old).fixed.values_list("check_id", flat=True)) == [
        "axe/color-contrast"
    ]


def test_a_disabled_check_is_left_out_of_the_score(runs) -> None:
    old, new = runs
    scored = {c.check_id for c in run_score(new).checks}
    assert "title-too-short" not in scored
    assert "title-too-short" in {c.check_id for c in run_score(old).checks}


def test_the_admin_lists_not_checked_apart_and_marks_the_trend(runs, people) -> None:
    old, new = runs
    client = client_for(people["viewer"])
    html = client.get(reverse("seo_audits:run", args=[new.pk]), {"group": "compare"}).content
    html = html.decode()
    assert 'data-count="fixed">1<' in html
    assert 'data-count="not_checked">3<' in html
    section = html[html.index('id="compare-not-checked"') : html.index('id="compare-still-open"')]
    assert "axe/color-contrast" in section and "title-too-short" in section
    fixed = html[html.index('id="compare-fixed"') : html.index('id="compare-not-checked"')]
    assert "axe/color-contrast" not in fixed
    assert "data-other-checks" in html  # run 1 was scored with title-too-short on
