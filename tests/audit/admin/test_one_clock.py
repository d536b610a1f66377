"""One clock: the same run reads the same time, with its zone, in the admin, the HTML export
and the e-mail; machine-readable exports keep UTC with its offset; editors cannot pick a clock
of their own, and the settings screen says which one the site uses."""

from __future__ import annotations

import json
import re

from django.core import mail
from django.test import override_settings
from freezegun import freeze_time
from wagtail.models import Site

from audit.emails import send_run_report
from audit.models import AuditRun, AuditSchedule
from tests.audit.admin.conftest import client_for, make_user, page_report, store_run

# 15:30 UTC on a winter day is 07:30 Pacific Standard Time.
FINISHED_WORDS = "7 Dec 2026, 07:31 PST"


@freeze_time("2026-12-07 15:30:00")
@override_settings(TIME_ZONE="America/Vancouver", WAGTAIL_USER_TIME_ZONES=["America/Vancouver"])
def test_one_run_reads_the_same_time_everywhere(people, demo_site, mailoutbox):
    home = demo_site.get_full_url()
    run = store_run(home, [page_report(home, [("title-too-short", "notice", "title", "")])])
    schedule = AuditSchedule.objects.create(name="Weekly", recipients="ann@clinic.example")
    AuditRun.objects.filter(pk=run.pk).update(schedule=schedule, started_at=run.finished_at)
    run.refresh_from_db()
    viewer = client_for(people["viewer"])

    admin_page = viewer.get(f"/admin/seo-audits/{run.pk}/").content.decode()
    assert "started 7 Dec 2026, 07:31 PST" in admin_page
    listing = viewer.get("/admin/seo-audits/").content.decode()
    assert "07 Dec 2026 07:30 PST" in listing  # the run was created at 15:30 UTC

    html_export = viewer.get(f"/admin/seo-audits/{run.pk}/export.html").content.decode()
    assert f"finished\n{FINISHED_WORDS} (America/Vancouver)" in html_export

    send_run_report(run)
    [message] = mail.outbox
    assert f"Finished {FINISHED_WORDS} (America/Vancouver)" in message.alternatives[0][0]

    report = json.loads(viewer.get(f"/admin/seo-audits/{run.pk}/export.json").content)
    assert report["finished_at"] == "2026-12-07T15:31:00+00:00"


@override_settings(TIME_ZONE="Europe/Berlin", WAGTAIL_USER_TIME_ZONES=["Europe/Berlin"])
def test_editors_have_no_clock_of_their_own_and_settings_name_the_sites(people, demo_site):
    admin = make_user("ada", "wagtailadmin.access_admin")
    admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    account = client.get("/admin/account/").content.decode()
    assert 'name="locale-current_time_zone"' not in account
    site = Site.objects.get(is_default_site=True)
    settings_page = client.get(f"/admin/settings/pages/clinicsettings/{site.pk}/")
    assert settings_page.status_code == 200
    text = re.sub(r"\s+", " ", settings_page.content.decode())
    assert "shown in <strong>Europe/Berlin</strong>" in text
