"""Auditing the static front end built from this CMS: each page is mapped back to its CMS page
by the meta tag it writes, and findings from the front end's own templates are grouped once
instead of blamed on each page (issue 28, item 3).

The front end here is tests/audit/frontend_site.py; the real Eleventy front end is audited
end to end in tests/frontend/test_pipeline.py.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.deploy_queue import deploy_options
from audit.export import render_run
from audit.fix_first import TEMPLATE_WHERE, fix_first, template_groups
from audit.models import AuditRun, AuditSchedule, Finding, PageResult
from audit.options import build_config
from audit.scheduling import enqueue_due
from audit.services import create_run, execute_run
from tests.audit.conftest import FAST_OPTIONS

pytestmark = pytest.mark.django_db(transaction=True)


def test_front_end_pages_map_to_their_cms_pages_and_template_findings_are_grouped(
    front_end,
) -> None:
    server, ids = front_end
    run = execute_run(create_run(server.url(), options=FAST_OPTIONS, frontend=True))
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    mapped = dict(PageResult.objects.filter(run=run).values_list("url", "page_id"))
    # Mapped by the meta tag, though no CMS page lives at these paths.
    assert mapped[server.url("/s/ims.html")] == ids["ims"]
    assert mapped[server.url("/a/one.html")] == ids["article"]
    assert mapped[server.url("/")] == ids["home"]
    assert mapped[server.url("/about.html")] is None
    assert run.settings["profile"]["source_meta"] == "cms-page-id"

    # The header image is on every page: one template finding, on no page's account.
    alt = Finding.objects.filter(run=run, check_id="img-alt-missing")
    assert alt.count() == 4 and not alt.filter(template=False).exists()
    ims_row = PageResult.objects.get(run=run, page_id=ids["ims"])
    assert not ims_row.findings.filter(template=False, check_id="img-alt-missing").exists()
    # The missing description is the IMS page's own, with its editor link.
    own = Finding.objects.get(run=run, check_id="meta-description-missing")
    assert own.template is False and own.page_result.page_id == ids["ims"]
    assert ims_row.impact == sum(f.impact for f in ims_row.findings.filter(template=False))
    # Everything found on the page with no CMS page is the template's.
    about = PageResult.objects.get(run=run, url=server.url("/about.html"))
    assert about.findings.exists() and not about.findings.filter(template=False).exists()

    (group,) = [g for g in template_groups(run) if g.check_id == "img-alt-missing"]
    assert group.pages == 4 and group.page_title == "Front-end template (on 4 pages)"
    # The run's totals count each template finding once, as the run page lists it.
    findings = Finding.objects.filter(run=run)
    for severity in ("error", "warning", "notice"):
        own = findings.filter(template=False, severity=severity).count()
        groups = {
            (g.check_id, g.selector, g.message)
            for g in findings.filter(template=True, severity=severity)
        }
        assert getattr(run, f"{severity}_count") == own + len(groups)
    assert run.warning_count + run.error_count < findings.exclude(severity="notice").count()
    fixes = fix_first(run, limit=50)
    described = next(f for f in fixes if f.check_id == "meta-description-missing")
    assert described.edit_url.startswith(reverse("wagtailadmin_pages:edit", args=[ids["ims"]]))
    assert described.page_title == "IMS treatment at the clinic"
    (template_fix,) = [f for f in fixes if f.check_id == "img-alt-missing"]
    assert template_fix.edit_url == "" and template_fix.where == TEMPLATE_WHERE

    # The JSON and CSV exports say which findings are the templates'.
    ims = server.url("/s/ims.html")
    report = json.loads(render_run(run, "json"))
    flags = {(p["url"], f["check"]): f["template"] for p in report["pages"] for f in p["findings"]}
    assert flags[(ims, "img-alt-missing")] is True
    assert flags[(ims, "meta-description-missing")] is False
    rows = list(csv.DictReader(io.StringIO(render_run(run, "csv"))))
    marks = {(row["url"], row["check"]): row["template"] for row in rows}
    assert marks[(ims, "img-alt-missing")] == "yes"
    assert marks[(ims, "meta-description-missing")] == ""


def test_a_deploy_of_one_page_knows_the_templates_from_the_last_whole_site_audit(
    front_end,
) -> None:
    """Two pages (the changed one and the start page) cannot show what is on every page: the
    template findings the last whole-site audit found are the templates' here too."""
    server, ids = front_end
    only_ims = {**FAST_OPTIONS, **deploy_options([server.url("/s/ims.html")])}
    before = execute_run(create_run(server.url(), options=only_ims, frontend=True))
    # No earlier audit to learn from: the header image is blamed on both pages.
    assert Finding.objects.filter(run=before, check_id="img-alt-missing", template=False).count()

    execute_run(create_run(server.url(), options=FAST_OPTIONS, frontend=True))  # the site
    run = execute_run(create_run(server.url(), options=only_ims, frontend=True))
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    assert PageResult.objects.filter(run=run).count() == 2
    alt = Finding.objects.filter(run=run, check_id="img-alt-missing")
    assert alt.count() == 2 and not alt.filter(template=False).exists()
    # The page's own problem stays the page's, with the page's totals.
    own = Finding.objects.get(run=run, check_id="meta-description-missing")
    assert own.template is False and own.page_result.page_id == ids["ims"]
    ims_row = PageResult.objects.get(run=run, page_id=ids["ims"])
    assert ims_row.impact == sum(f.impact for f in ims_row.findings.filter(template=False))


def test_the_run_report_lists_template_findings_once(front_end, admin_client) -> None:
    server, _ = front_end
    run = execute_run(create_run(server.url(), options=FAST_OPTIONS, frontend=True))
    page = admin_client.get(reverse("seo_audits:run", args=[run.pk]))
    html = page.content.decode()
    assert 'id="template-findings"' in html
    assert html.count('data-template-finding="img-alt-missing"') == 1
    by_page = admin_client.get(reverse("seo_audits:run", args=[run.pk]), {"group": "page"})
    listed = by_page.content.decode()
    # The pages' own findings are listed per page; the template's are not among them.
    assert 'data-check="meta-description-missing"' in listed
    assert 'data-check="img-alt-missing"' not in listed


def test_the_same_site_without_the_front_end_option_maps_nothing(front_end) -> None:
    server, _ = front_end
    run = execute_run(create_run(server.url(), options=FAST_OPTIONS))
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    # Only by address (the path "/" is the home page's); the meta tag is not read.
    mapped = dict(PageResult.objects.filter(run=run).values_list("url", "page_id"))
    assert mapped[server.url("/s/ims.html")] is None
    assert not Finding.objects.filter(run=run, template=True).exists()


def test_a_meta_tag_naming_no_live_page_maps_nothing(front_end) -> None:
    _, ids = front_end
    config = build_config(FAST_OPTIONS, frontend=True)
    assert config.profile is not None and config.profile.source_meta == "cms-page-id"
    from audit.pagemap import PageLocator

    locator = PageLocator()
    assert locator.page_id_for_source(str(ids["ims"])) == ids["ims"]
    for bad in ("999999", "-1", "1e3", "", None, "٣"):
        assert locator.page_id_for_source(bad) is None


def test_the_command_line_flag_saves_a_front_end_run(front_end, capsys) -> None:
    server, ids = front_end
    call_command(
        "seo_audit",
        server.url(),
        "--frontend",
        "--save",
        "--workers",
        "0",
        "--fail-on",
        "never",
        "--quiet",
    )
    run = AuditRun.objects.get(trigger=AuditRun.Trigger.COMMAND)
    assert run.frontend is True
    assert PageResult.objects.get(run=run, url=server.url("/s/ims.html")).page_id == ids["ims"]
    assert Finding.objects.filter(run=run, template=True, check_id="img-alt-missing").count() == 4


def test_a_front_end_schedule_audits_the_configured_front_end(front_end) -> None:
    server, _ = front_end
    schedule = AuditSchedule.objects.create(
        name="front end", preset=AuditSchedule.Preset.DAILY, frontend=True
    )
    schedule.full_clean()
    (run,) = enqueue_due(now=schedule.next_due_after(schedule.created_at))
    assert run.frontend is True and run.target_url == server.url()


def test_a_front_end_schedule_without_a_front_end_is_refused(live_demo_site) -> None:
    from django.core.exceptions import ValidationError

    schedule = AuditSchedule(name="front end", preset=AuditSchedule.Preset.DAILY, frontend=True)
    with pytest.raises(ValidationError) as caught:
        schedule.full_clean()
    assert "FRONTEND_URL" in caught.value.message_dict["frontend"][0]
