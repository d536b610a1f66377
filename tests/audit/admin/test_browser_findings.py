"""Browser-pass findings in the admin and the e-mail: axe-core's rules and the fixed browser
checks show a title and a fix hint, as the static checks do."""

from __future__ import annotations

from html import escape

from django.utils import timezone

from audit.emails import send_run_report
from audit.engine import REGISTRY, check_info
from audit.fix_first import editor_place
from audit.models import AuditRun, AuditSchedule
from tests.audit.admin.conftest import client_for, page_report, store_run

SITE = "https://clinic.example/"
CONTRAST = check_info("axe/color-contrast")
IMAGE_ALT = check_info("axe/image-alt")
FAILED = REGISTRY["browser/failed-request"]


def browser_run() -> AuditRun:
    return store_run(
        SITE,
        [
            page_report(
                SITE + "team/",
                [
                    ("axe/color-contrast", "error", ".faint", "<p class=faint>"),
                    ("axe/image-alt", "error", "main > img", "<img src=a.jpg>"),
                    ("browser/failed-request", "error", "", ""),
                ],
                views=50,
            )
        ],
    )


def test_the_run_page_names_browser_checks_and_their_fixes(people):
    run = browser_run()
    client = client_for(people["viewer"])
    by_check = client.get(f"/admin/seo-audits/{run.pk}/?group=check").content.decode()
    for check in (CONTRAST, IMAGE_ALT, FAILED):
        assert escape(check.title) in by_check, check.id
        assert f"Fix: {escape(check.fix)}" in by_check, check.id
    fix_first = client.get(f"/admin/seo-audits/{run.pk}/").content.decode()
    assert escape(CONTRAST.title) in fix_first and escape(CONTRAST.fix) in fix_first


def test_the_email_names_browser_checks_and_their_fixes(db, mailoutbox):
    schedule = AuditSchedule.objects.create(name="Weekly", recipients="ann@clinic.example")
    run = browser_run()
    AuditRun.objects.filter(pk=run.pk).update(schedule=schedule, finished_at=timezone.now())
    run.refresh_from_db()
    assert send_run_report(run) == 1
    text = mailoutbox[0].body
    html, _mimetype = mailoutbox[0].alternatives[0]
    for check in (CONTRAST, IMAGE_ALT, FAILED):
        assert check.title.lower() in text, check.id  # "Fix these first" lowers titles
        assert escape(check.title.lower()) in html, check.id
    assert CONTRAST.fix in text


def test_axe_rules_about_content_lead_to_the_same_editor_field_as_the_static_checks():
    assert editor_place("axe/image-alt") == editor_place("img-alt-missing") is not None
    assert editor_place("axe/link-name") == editor_place("link-empty") is not None
    assert editor_place("axe/heading-order") == editor_place("heading-order") is not None
    assert editor_place("axe/color-contrast") is None  # colours come from the templates
