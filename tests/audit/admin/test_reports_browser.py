"""The audit reports in a real browser (Debian's chromium, headless, driven by Playwright).

A marketing editor logs in, opens the latest audit of the live demo site (a real crawl),
follows a finding to the page editor, sees the page's findings in the editor panel, and checks
a draft that adds an image without alt text: the draft check shows the missing alt before
anything is published. Screenshots of each step are kept (path printed) only on failure.
"""

from __future__ import annotations

import contextlib
import shutil
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.db.backends.signals import connection_created
from django.test import override_settings

from audit.models import AuditRun, Finding
from audit.tasks import start_run
from pages.models import ArticlePage, ServicePage
from tests.audit.admin.conftest import PASSWORD, make_user
from tests.audit.conftest import FAST_OPTIONS
from tests.chromium import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from tests.editor.browser import Steps

MARKETING_EDITORS = "Marketing editors"  # the role group from users.roles
UNLABELLED_IMAGE = '<p><img src="/media/original_images/new-photo.jpg"/></p>'

pytestmark = BROWSER_MARKS


@pytest.fixture
def allow_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in this thread; the ORM calls made between
    browser steps are ordinary synchronous ones. Set for this test only: set at import, the
    variable would leak into every test of the session (and fail `check --deploy`).

    Under that event loop Django opens a connection of its own (asgiref's Local sees another
    context), which nothing closes: it is closed here, or PostgreSQL refuses to drop the test
    database at the end of the session ("being accessed by other users")."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    opened = []
    test_thread = threading.get_ident()

    def remember(sender, connection, **kwargs):
        if threading.get_ident() == test_thread:  # not the live server's request threads
            opened.append(connection)

    connection_created.connect(remember)
    yield
    connection_created.disconnect(remember)
    for wrapper in opened:
        if wrapper is not connections[wrapper.alias]:  # not this test's own connection
            wrapper.close()


def marketing_editor():
    """A marketing editor: the role group when it exists (it may edit the sections), plus
    the report permission; else an equivalent user with edit rights on every page."""
    group = Group.objects.filter(name=MARKETING_EDITORS).first()
    if group is None:
        return make_user(
            "eddie", "wagtailadmin.access_admin", "audit.view_auditrun", edit_pages=True
        )
    user = make_user("eddie", "wagtailadmin.access_admin", "audit.view_auditrun")
    user.groups.add(group)
    return user


@override_settings(SEO_AUDIT={"CRAWL_OPTIONS": FAST_OPTIONS})
def test_editor_follows_a_finding_to_the_editor_and_checks_a_draft(
    allow_orm_beside_playwright, live_demo_site
):
    from playwright.sync_api import expect, sync_playwright

    base = live_demo_site.url
    editor = marketing_editor()
    # The demo site passes our audit, so give one article a defect to find: a title over 60
    # characters (a short one would not do: the clinic's name is appended while it fits).
    flawed = ArticlePage.objects.get(slug="ims-or-massage")
    flawed.seo_title = "IMS or massage for chronic muscle tension: how to choose between them"
    flawed.save_revision().publish()
    run = start_run(base + "/", trigger=AuditRun.Trigger.MANUAL)  # runs now (test backend)
    run.refresh_from_db()
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    # A finding on a service or article page this editor may edit.
    finding = next(
        f
        for f in Finding.objects.filter(run=run, page_result__page__isnull=False)
        .select_related("page_result__page")
        .order_by("-impact", "id")
        if isinstance(f.page_result.page.specific, ArticlePage | ServicePage)
        and f.page_result.page.permissions_for_user(editor).can_edit()
    )
    page = finding.page_result.page.specific
    page.body.append(("paragraph", UNLABELLED_IMAGE))
    page.save_revision(user=editor)  # a draft: the live page is unchanged

    steps = Steps("clinic-audit-reports-")
    passed = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_context().new_page()
        tab.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
        try:
            tab.goto(f"{base}/admin/login/")
            tab.fill("#id_username", "eddie")
            tab.fill("#id_password", PASSWORD)
            with tab.expect_navigation():
                tab.click("button[type=submit]")
            steps.shot(tab, "dashboard")

            tab.goto(f"{base}/admin/seo-audits/")
            steps.shot(tab, "runs")
            tab.click(f'#audit-runs a[href="/admin/seo-audits/{run.pk}/"]')
            expect(tab.locator(".audit-cards")).to_be_visible()
            steps.shot(tab, "run")
            # The report opens on "Fix these first"; the full list is under "By check".
            with tab.expect_navigation():
                tab.locator("nav.audit-tabs").get_by_text("By check").click()

            group = tab.locator(f'details[data-check-group="{finding.check_id}"]')
            row = group.locator(".audit-finding").filter(
                has=tab.locator(f'a.audit-live-link[href="{finding.page_result.url}"]')
            )
            expect(row.first).to_contain_text(finding.message)
            with tab.expect_navigation():
                row.first.locator("a.audit-edit-link").click()
            # The link opens the editor at the field that fixes the finding.
            editor_url, _, field = tab.url.partition("#")
            assert editor_url == f"{base}/admin/pages/{page.pk}/edit/"
            assert field.startswith("id_"), tab.url

            panel = tab.locator("#seo-audit-panel")
            expect(panel).to_be_visible(timeout=15_000)
            expect(panel).to_contain_text(finding.check_id)
            steps.shot(tab, "editor")

            with tab.expect_navigation():
                panel.locator("[data-audit-check-draft]").click()
            missing_alt = tab.locator('#draft-findings [data-check="img-alt-missing"]')
            expect(missing_alt).to_be_visible()
            expect(missing_alt).to_contain_text("new-photo.jpg")
            expect(missing_alt).to_contain_text("new")
            steps.shot(tab, "draft-check")
            passed = True
        finally:
            if not passed:
                # The screenshot is a diagnostic: never let it hide the real error.
                with contextlib.suppress(Exception):
                    steps.shot(tab, "failure")
                print(f"screenshots kept in {steps.folder}")
            browser.close()
    if passed:
        shutil.rmtree(steps.folder, ignore_errors=True)
    page.refresh_from_db()
    assert page.has_unpublished_changes  # the draft was checked, not published
