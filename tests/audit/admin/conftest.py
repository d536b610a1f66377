"""People at each audit permission level, and stored runs of the demo site built through the
backend's own store (``save_result``), so the admin views read real rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page

from audit.engine import AuditResult, PageReport
from audit.engine import Finding as EngineFinding
from audit.models import AuditRun
from audit.services import save_result

PASSWORD = "a-long-test-password"


def _perm(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def make_user(username: str, *codenames: str, edit_pages: bool = False):
    """An active user with the given ``app_label.codename`` permissions; with ``edit_pages``
    also in a group that may edit every page (as the marketing roles may edit their sections)."""
    user = get_user_model().objects.create_user(username, f"{username}@clinic.test", PASSWORD)
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(_perm(app_label, codename))
    if edit_pages:
        group, created = Group.objects.get_or_create(name="Audit test page editors")
        if created:
            root = Page.objects.get(depth=1)
            for codename in ("add_page", "change_page"):
                GroupPagePermission.objects.create(
                    group=group, page=root, permission=_perm("wagtailcore", codename)
                )
        user.groups.add(group)
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(demo_site):
    return {
        "nobody": make_user("nadia", "wagtailadmin.access_admin"),
        "viewer": make_user(
            "vera", "wagtailadmin.access_admin", "audit.view_auditrun", edit_pages=True
        ),
        "manager": make_user(
            "max",
            "wagtailadmin.access_admin",
            "audit.view_auditrun",
            "audit.manage_audits",
            edit_pages=True,
        ),
    }


def page_report(url: str, findings: list[tuple], *, views: int = 0, page_type: str = "article"):
    """An engine PageReport; findings are (check, severity, selector, snippet) tuples."""
    return PageReport(
        url=url,
        final_url=url,
        status=200,
        title=f"Title of {url}",
        h1="Heading",
        word_count=400,
        response_ms=20.0,
        bytes=4096,
        views=views,
        page_type=page_type,
        findings=[
            EngineFinding(check, severity, f"{check} on {url}", selector, snippet)
            for check, severity, selector, snippet in findings
        ],
    )


def store_run(start_url: str, pages: list[PageReport], *, days_ago: int = 0) -> AuditRun:
    """A succeeded run stored like `seo_audit --save` stores one, dated ``days_ago``."""
    result = AuditResult(
        start_url=start_url,
        started_at=(timezone.now() - timedelta(days=days_ago)).isoformat(),
        finished_at=(timezone.now() - timedelta(days=days_ago) + timedelta(minutes=1)).isoformat(),
        settings={"max_pages": 100},
        stats={"pages_known": len(pages)},
        pages=pages,
    )
    run = save_result(result, trigger=AuditRun.Trigger.COMMAND)
    AuditRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    run.refresh_from_db()
    return run


@dataclass
class TwoRuns:
    old: AuditRun
    new: AuditRun
    home_url: str
    article_url: str
    service_url: str
    article: Page


@pytest.fixture
def two_runs(demo_site) -> TwoRuns:
    """Two audits of the demo site a week apart.

    Old: missing alt on the article (fixed later), a short title on the home page (still
    open). New: the short title still, a new missing description on the service page (whose
    page is viewed a lot) and a snippet with markup that must be shown escaped.
    """
    from pages.models import ArticlePage, ServicePage

    article = ArticlePage.objects.live().order_by("pk").first()
    service = ServicePage.objects.live().order_by("pk").first()
    home_url = demo_site.get_full_url()
    article_url = article.get_full_url()
    service_url = service.get_full_url()
    old = store_run(
        home_url,
        [
            page_report(home_url, [("title-too-short", "notice", "head > title", "<title>")]),
            page_report(
                article_url,
                [("img-alt-missing", "error", "main img", '<img src="/a.jpg">')],
                views=5,
            ),
            page_report(service_url, [], views=50, page_type="service"),
        ],
        days_ago=7,
    )
    new = store_run(
        home_url,
        [
            page_report(home_url, [("title-too-short", "notice", "head > title", "<title>")]),
            page_report(
                article_url,
                [("h1-multiple", "notice", "main h1:nth-of-type(2)", "<h1><script>x</script>")],
                views=5,
            ),
            page_report(
                service_url,
                [("meta-description-missing", "warning", "head", "")],
                views=50,
                page_type="service",
            ),
        ],
    )
    return TwoRuns(old, new, home_url, article_url, service_url, article)


def schedule_data(**overrides) -> dict:
    """A valid POST of the schedule editor; ``overrides`` replace fields."""
    data = {
        "name": "Weekly site audit",
        "target_url": "",
        "preset": "cron",
        "time_of_day": "03:00",
        "weekday": "0",
        "day_of_month": "1",
        "cron": "30 6 * * 1-5",
        "recipients": "marketing@clinic.test",
        "recipient_group": "",
        "crawl_options": '{"max_pages": 200}',
        "enabled": "on",
    }
    return {**data, **overrides}
