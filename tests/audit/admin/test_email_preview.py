"""The e-mail a schedule sends, previewed from the schedule's page; any finished run's report
e-mailed from its page to typed addresses."""

from __future__ import annotations

import html as html_lib
import re

from audit.emails import build_messages
from audit.models import AuditRun, AuditSchedule, Finding
from tests.audit.admin.conftest import client_for

SCHEDULES = "/admin/seo-audits/schedules/"


def _schedule() -> AuditSchedule:
    return AuditSchedule.objects.create(
        name="Weekly",
        preset="weekly",
        time_zone="America/Vancouver",
        recipients="ann@clinic.test, bob@clinic.test",
    )


def test_the_schedule_page_previews_the_email_its_latest_run_sent(people, two_runs, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://cms.clinic.test"
    schedule = _schedule()
    AuditRun.objects.filter(pk__in=[two_runs.old.pk, two_runs.new.pk]).update(schedule=schedule)
    # Markup in a finding is text in the e-mail, and stays text in the preview.
    Finding.objects.filter(run=two_runs.new).update(message="Heading <b>bold</b>")
    manager = client_for(people["manager"])
    edit = manager.get(f"{SCHEDULES}edit/{schedule.pk}/").content.decode()
    preview_url = f"/admin/seo-audits/schedules/{schedule.pk}/email-preview/"
    assert re.search(rf'<a[^>]+href="{preview_url}"[^>]*data-email-preview', edit)

    page = manager.get(preview_url)
    assert page.status_code == 200
    html = page.content.decode()
    sent = build_messages(two_runs.new, ["ann@clinic.test"])[0]
    # The very subject, text and HTML the scheduled e-mail has, from the latest run.
    assert f"<dd data-preview-subject>{html_lib.escape(sent.subject)}</dd>" in html
    assert "ann@clinic.test, bob@clinic.test" in html
    text = re.search(r"<pre data-preview-text[^>]*>(.*?)</pre>", html, re.S).group(1)
    assert html_lib.unescape(text) == sent.body
    srcdoc = re.search(r'<iframe[^>]*sandbox srcdoc="([^"]*)"', html).group(1)
    assert html_lib.unescape(srcdoc) == sent.alternatives[0][0]
    assert f"Audit #{two_runs.new.pk}" in html
    assert "Heading <b>bold</b>" in sent.body and "<b>bold</b>" not in html

    # Viewers may read reports but not schedules.
    assert client_for(people["viewer"]).get(preview_url).status_code == 403


def test_a_schedule_that_never_ran_says_so(people, demo_site):
    schedule = _schedule()
    html = client_for(people["manager"]).get(f"{SCHEDULES}{schedule.pk}/email-preview/")
    assert html.status_code == 200
    assert "No audit of this schedule has finished yet" in html.content.decode()
    # A run still in progress is not one to preview either.
    AuditRun.objects.create(target_url="https://x.test/", schedule=schedule)
    html = client_for(people["manager"]).get(f"{SCHEDULES}{schedule.pk}/email-preview/")
    assert "No audit of this schedule has finished yet" in html.content.decode()


def test_a_manual_run_is_emailed_from_its_page(people, two_runs, mailoutbox):
    run = two_runs.new
    assert run.schedule is None and run.trigger == AuditRun.Trigger.COMMAND
    manager = client_for(people["manager"])
    page = manager.get(f"/admin/seo-audits/{run.pk}/").content.decode()
    form = re.search(r"<form[^>]*data-email-run.*?</form>", page, re.S).group(0)
    assert f'action="/admin/seo-audits/{run.pk}/email/"' in form
    assert '<label for="id_to">E-mail this report to</label>' in form and 'id="id_to"' in form

    response = manager.post(
        f"/admin/seo-audits/{run.pk}/email/", {"to": "cat@clinic.test,\n dan@clinic.test"}
    )
    assert response.status_code == 302 and response["Location"] == f"/admin/seo-audits/{run.pk}/"
    assert [m.to for m in mailoutbox] == [["cat@clinic.test"], ["dan@clinic.test"]]
    expected = build_messages(run, ["cat@clinic.test"])[0]
    assert mailoutbox[0].subject == expected.subject and mailoutbox[0].body == expected.body
    assert mailoutbox[0].alternatives == expected.alternatives
    shown = manager.get(response["Location"]).content.decode()
    assert f"Audit #{run.pk} e-mailed to cat@clinic.test, dan@clinic.test (2 sent)." in shown


def test_bad_addresses_are_refused_with_what_was_typed_kept(people, two_runs, mailoutbox):
    run = two_runs.new
    url = f"/admin/seo-audits/{run.pk}/email/"
    manager = client_for(people["manager"])
    for typed, message in (
        ("cat@clinic.test, not-an-address", "&#x27;not-an-address&#x27; is not an e-mail address."),
        ("", "Give at least one e-mail address."),
        (", ".join(f"p{n}@clinic.test" for n in range(21)), "At most 20 addresses at once; 21"),
    ):
        response = manager.post(url, {"to": typed})
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html
        assert f">{html_lib.escape(typed)}</textarea>" in html
    assert mailoutbox == []
    # Only managers send; a run in progress has no report to send.
    assert client_for(people["viewer"]).post(url, {"to": "a@clinic.test"}).status_code == 403
    active = AuditRun.objects.create(target_url="https://x.test/")
    response = manager.post(f"/admin/seo-audits/{active.pk}/email/", {"to": "a@clinic.test"})
    assert response.status_code == 302 and mailoutbox == []
    assert (
        "only a finished audit has a report" in manager.get(response["Location"]).content.decode()
    )
