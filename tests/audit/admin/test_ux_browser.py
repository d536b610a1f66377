"""What people see, in a real browser (Debian's chromium, headless, driven by Playwright).

A report reader follows "Fix these first" to the right field in the page editor; the run page
fits a 375 px phone; a schedule is set up through the form and listed in words; the report
e-mail and the editor panel of a page never audited are looked at. Screenshots are kept under
``var/screenshots/`` in the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from audit.emails import build_messages
from audit.engine import REGISTRY
from audit.models import AuditSchedule
from pages.models import ArticlePage, ServicePage
from tests.audit.admin.conftest import PASSWORD, make_user, page_report, store_run
from tests.audit.admin.test_reports_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    allow_orm_beside_playwright,  # noqa: F401 (a fixture)
)

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"

LONGEST_TITLED = max(REGISTRY.values(), key=lambda check: len(check.title) + len(check.id))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin"),
]


def _manager():
    user = make_user(
        "mia",
        "wagtailadmin.access_admin",
        "audit.view_auditrun",
        "audit.manage_audits",
        edit_pages=True,
    )
    moderators = Group.objects.filter(name="Marketing moderators").first()
    if moderators is not None:
        user.groups.add(moderators)
    return user


def _run_of_the_live_site(base: str):
    service = ServicePage.objects.live().order_by("pk").first()
    article = ArticlePage.objects.live().order_by("pk").first()
    store_run(base + "/", [page_report(base + "/", [])], days_ago=7)
    run = store_run(
        base + "/",
        [
            page_report(base + "/", [("title-too-short", "notice", "head > title", "<title>")]),
            page_report(
                service.get_full_url(),
                [("meta-description-missing", "warning", "head", "")],
                views=80,
                page_type="service",
            ),
            page_report(
                article.get_full_url(),
                [
                    ("img-alt-missing", "error", "main img", '<img src="/a.jpg">'),
                    # The longest check title makes the widest option in the Check dropdown.
                    (LONGEST_TITLED.id, LONGEST_TITLED.severity, "a", ""),
                ],
                views=3,
            ),
        ],
    )
    return run, service


def _log_in(context, base: str, username: str):
    tab = context.new_page()
    tab.goto(f"{base}/admin/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", PASSWORD)
    with tab.expect_navigation():
        tab.click("button[type=submit]")
    return tab


def _overflow(tab) -> int:
    """Pixels by which the page or any filter dropdown reaches past the screen's right edge."""
    return tab.evaluate(
        """() => Math.max(
            document.documentElement.scrollWidth - window.innerWidth,
            ...[...document.querySelectorAll("select")].map(
                (el) => Math.ceil(el.getBoundingClientRect().right) - window.innerWidth))"""
    )


def test_what_people_see(allow_orm_beside_playwright, live_demo_site, settings):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    base = live_demo_site.url
    settings.WAGTAILADMIN_BASE_URL = base
    _manager()
    run, service = _run_of_the_live_site(base)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    [message] = build_messages(run, ["ann@clinic.example"])
    email_file = SCREENSHOTS / "email.html"
    email_file.write_text(message.alternatives[0][0], encoding="utf-8")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            desktop = browser.new_context(viewport={"width": 1280, "height": 900})
            tab = _log_in(desktop, base, "mia")
            tab.on("dialog", lambda dialog: dialog.accept())

            # 1. The run page opens on "Fix these first"; its Edit link lands on the field.
            tab.goto(f"{base}/admin/seo-audits/{run.pk}/")
            fixes = tab.locator("#fix-first .audit-fix")
            expect(fixes.first).to_contain_text("Where: Promote tab → Meta description")
            tab.screenshot(path=str(SCREENSHOTS / "run-page.png"), full_page=True)
            with tab.expect_navigation():
                fixes.first.locator("a.audit-edit-link").click()
            assert tab.url == f"{base}/admin/pages/{service.pk}/edit/#id_search_description"
            field = tab.locator("#id_search_description")
            expect(field).to_be_visible(timeout=15_000)
            expect(field).to_be_focused(timeout=5_000)
            tab.screenshot(path=str(SCREENSHOTS / "editor-field.png"))

            # 2. A page never audited: the panel is there, open, and looks like a control.
            never = ArticlePage.objects.live().order_by("-pk").first()
            tab.goto(f"{base}/admin/pages/{never.pk}/edit/")
            panel = tab.locator("#seo-audit-panel")
            expect(panel).to_be_visible(timeout=15_000)
            expect(panel).to_have_attribute("open", "")
            expect(panel).to_contain_text("has not been audited yet")
            expect(panel.locator(".seo-audit-panel__toggle")).to_be_visible()
            tab.screenshot(path=str(SCREENSHOTS / "editor-panel-never-audited.png"))

            # 3. A schedule made through the form: only the fields its preset needs.
            tab.goto(f"{base}/admin/seo-audits/schedules/new/")
            tab.select_option("#id_preset", "cron")
            expect(tab.locator("#id_weekday")).to_be_hidden()
            tab.fill("#id_cron", "30 6 * * 1-5")
            expect(tab.locator("#id_cron_words")).to_have_text("At 06:30, Monday through Friday")
            tab.select_option("#id_preset", "weekly")
            expect(tab.locator("#id_cron")).to_be_hidden()
            expect(tab.locator("#id_day_of_month")).to_be_hidden()
            expect(tab.locator("#id_weekday")).to_be_visible()
            expect(tab.locator("#id_time_zone")).to_have_value("America/Vancouver")
            tab.fill("#id_name", "Weekly audit")
            tab.select_option("#id_weekday", "0")
            tab.fill("#id_time_of_day", "07:00")
            tab.screenshot(path=str(SCREENSHOTS / "schedule-form.png"), full_page=True)
            with tab.expect_navigation():
                tab.get_by_role("button", name="Create", exact=True).click()
            listing = tab.locator("table.listing")
            expect(listing).to_contain_text("Mondays at 07:00 (America/Vancouver)")
            expect(listing).to_contain_text("Enabled")
            expect(listing.locator("[data-run-now]")).to_have_count(1)
            assert AuditSchedule.objects.get().cron_expression() == "0 7 * * 1"
            tab.screenshot(path=str(SCREENSHOTS / "schedules.png"), full_page=True)

            # 4. The run page and the e-mail on a 375 px phone: nothing wider than the screen.
            phone = browser.new_context(viewport={"width": 375, "height": 800})
            small = _log_in(phone, base, "mia")
            small.goto(f"{base}/admin/seo-audits/{run.pk}/")
            expect(small.locator("#id_check")).to_be_visible()
            assert _overflow(small) <= 0
            small.screenshot(path=str(SCREENSHOTS / "run-page-375.png"), full_page=True)
            small.goto(email_file.as_uri())
            assert _overflow(small) <= 0
            small.screenshot(path=str(SCREENSHOTS / "email-375.png"), full_page=True)
        finally:
            browser.close()
