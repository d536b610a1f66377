"""Actions on audits from the admin: run now (a real audit of the live demo site), refusal of
a second active run, cancel, and the schedule editor."""

from __future__ import annotations

import pytest
from django.test import override_settings

from audit.models import AuditRun, AuditSchedule, PageResult
from audit.services import normalize_target, site_root_url
from pages.models import ArticlePage
from tests.audit.admin.conftest import client_for, make_user, schedule_data
from tests.audit.conftest import FAST_OPTIONS

MANAGER_PERMS = ("wagtailadmin.access_admin", "audit.view_auditrun", "audit.manage_audits")


@override_settings(SEO_AUDIT={"CRAWL_OPTIONS": FAST_OPTIONS, "AUDIT_AFTER_PUBLISH": False})
def test_run_audit_now_audits_the_live_site_and_shows_the_report(live_demo_site):
    manager = make_user("max", *MANAGER_PERMS)
    # The demo site passes our audit, so give one article a defect for the report to show.
    flawed = ArticlePage.objects.get(slug="ims-or-massage")
    flawed.seo_title = "IMS or massage for chronic muscle tension: how to choose between them"
    flawed.save_revision().publish()
    client = client_for(manager)
    index = client.get("/admin/seo-audits/").content.decode()
    assert "Run audit now" in index and 'name="csrfmiddlewaretoken"' in index

    response = client.post("/admin/seo-audits/start/", {"target_url": ""})
    run = AuditRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/seo-audits/{run.pk}/"
    # The test settings run tasks immediately: the audit has finished.
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    assert run.trigger == AuditRun.Trigger.MANUAL and run.started_by == manager
    assert run.target_url == normalize_target(live_demo_site.url + "/")
    linked = PageResult.objects.filter(run=run, page__isnull=False)
    assert linked.count() >= 5  # crawled URLs mapped to Wagtail pages

    detail = client.get(response["Location"], {"group": "page"}).content.decode()
    assert f"{run.label} of {run.target_url} started." in detail
    with_findings = PageResult.objects.filter(run=run).exclude(
        error_count=0, warning_count=0, notice_count=0
    )
    assert with_findings.filter(url__endswith=flawed.url).exists()  # the too-long title
    for page in with_findings.order_by("-impact", "url")[:25]:
        assert f'data-page="{page.url}"' in detail
        if page.page_id:
            assert f'href="/admin/pages/{page.page_id}/edit/" class="audit-edit-link"' in detail


def test_a_second_run_of_the_same_target_is_refused_with_a_clear_message(people, two_runs):
    target = normalize_target(site_root_url())
    active = AuditRun.objects.create(target_url=target, status=AuditRun.Status.RUNNING)
    client = client_for(people["manager"])
    response = client.post("/admin/seo-audits/start/", {"target_url": ""}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[0][0] == f"/admin/seo-audits/{active.pk}/"
    assert f"An audit of {target} is already running (run #{active.pk}" in html
    assert AuditRun.objects.filter(status__in=AuditRun.ACTIVE_STATUSES).count() == 1


def test_a_bad_target_url_is_refused_with_its_reason(people, two_runs):
    client = client_for(people["manager"])
    html = client.post(
        "/admin/seo-audits/start/", {"target_url": "ftp://clinic.example/"}, follow=True
    ).content.decode()
    assert "Not started:" in html
    assert AuditRun.objects.count() == 2


def test_start_needs_post(people, two_runs):
    assert client_for(people["manager"]).get("/admin/seo-audits/start/").status_code == 405


def test_cancel_a_queued_run_at_once_and_a_running_one_at_the_next_page(people, two_runs):
    client = client_for(people["manager"])
    queued = AuditRun.objects.create(target_url="https://a.example/", status="queued")
    running = AuditRun.objects.create(
        target_url="https://b.example/", status="running", pages_done=2, pages_known=9
    )
    detail = client.get(f"/admin/seo-audits/{running.pk}/").content.decode()
    assert "Cancel audit" in detail and 'http-equiv="refresh"' in detail

    client.post(f"/admin/seo-audits/{queued.pk}/cancel/")
    html = client.post(f"/admin/seo-audits/{running.pk}/cancel/", follow=True).content.decode()
    queued.refresh_from_db()
    running.refresh_from_db()
    assert queued.status == AuditRun.Status.CANCELLED
    assert running.status == AuditRun.Status.RUNNING and running.cancel_requested
    assert "will stop at the next page" in html
    assert "(stopping)" in html


def test_an_active_run_cannot_be_deleted(people, two_runs):
    running = AuditRun.objects.create(target_url="https://b.example/", status="running")
    client = client_for(people["manager"])
    client.post(f"/admin/seo-audits/{running.pk}/delete/")
    assert AuditRun.objects.filter(pk=running.pk).exists()


# -- schedules ---------------------------------------------------------------------------


def test_managers_edit_schedules_and_see_the_cron_error(people, two_runs):
    client = client_for(people["manager"])
    assert client.get("/admin/seo-audits/schedules/").status_code == 200
    assert "Schedules" in client.get("/admin/seo-audits/").content.decode()

    bad = client.post("/admin/seo-audits/schedules/new/", schedule_data(cron="61 * * * *"))
    assert bad.status_code == 200
    assert "is not a valid cron expression" in bad.content.decode()
    assert not AuditSchedule.objects.exists()

    good = client.post("/admin/seo-audits/schedules/new/", schedule_data())
    assert good.status_code == 302
    schedule = AuditSchedule.objects.get()
    assert schedule.cron_expression() == "30 6 * * 1-5"
    assert schedule.crawl_options == {"max_pages": 200}
    assert schedule.next_due is not None


@pytest.mark.parametrize("user", ["viewer", "nobody"])
def test_others_cannot_see_or_edit_schedules(people, two_runs, user):
    client = client_for(people[user])
    for url in ("/admin/seo-audits/schedules/", "/admin/seo-audits/schedules/new/"):
        response = client.get(url)
        # Wagtail's own "permission denied": back to the dashboard with a message.
        assert response.status_code == 302 and response["Location"] == "/admin/", url
    client.post("/admin/seo-audits/schedules/new/", schedule_data())
    assert not AuditSchedule.objects.exists()
    assert "seo-audits/schedules" not in client.get("/admin/").content.decode()


def test_the_group_editor_offers_the_two_audit_permissions(people, two_runs):
    from django.contrib.auth.models import Permission

    admin = make_user("ada")
    admin.is_superuser = True
    admin.save()
    html = client_for(admin).get("/admin/groups/new/").content.decode()
    for codename in ("view_auditrun", "manage_audits"):
        permission = Permission.objects.get(content_type__app_label="audit", codename=codename)
        assert f'value="{permission.pk}"' in html, codename
