"""Auditing our own site: page types from the page models, our profile, and the shown view
counts compared with the recorded ones."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audit.engine import audit_site
from audit.models import AuditRun, Finding, PageResult
from audit.options import InvalidOptions, build_config, own_site_profile
from audit.services import create_run, execute_run
from audit.store import RunStore
from audit.view_counts import CHECK_ID, stale_counts

pytestmark = pytest.mark.django_db(transaction=True)


def test_own_site_run_takes_page_types_from_models_and_counts_agree(live_demo_site) -> None:
    run = execute_run(create_run(live_demo_site.url + "/", options={"max_pages": 20}))
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    types = {
        row.url.removeprefix(live_demo_site.url): row.page_type
        for row in PageResult.objects.filter(run=run)
    }
    # The IMS page's JSON-LD says MedicalWebPage, which once made it an article.
    assert types["/services/ims/"] == "service"
    assert types["/articles/ims-or-massage/"] == "article"
    assert types["/articles/"] == "listing"
    # Every page shows what the database holds: no stale count, no missing count.
    checks = set(Finding.objects.filter(run=run).values_list("check_id", flat=True))
    assert CHECK_ID not in checks and "view-count-missing" not in checks
    assert run.settings["profile"]["views_expected"] is True


def test_a_count_the_page_shows_wrongly_is_a_finding(live_demo_site) -> None:
    target = live_demo_site.url + "/"
    result = audit_site(target, build_config({"max_pages": 20}))
    ims = result.page(live_demo_site.url + "/services/ims/")
    assert ims is not None and ims.views == 23
    ims.views = 230  # a template fault the server cannot be made to produce
    run = create_run(target)
    AuditRun.objects.filter(pk=run.pk).update(started_at=timezone.now())
    run.refresh_from_db()
    RunStore(run).finish(result)
    (finding,) = Finding.objects.filter(run=run, check_id=CHECK_ID)
    assert finding.page_result.url.endswith("/services/ims/")
    assert finding.message == "The page shows 230 views but 23 were recorded while it was audited."
    assert finding.page_result.warning_count >= 1


def test_other_sites_get_the_generic_profile(live_demo_site) -> None:
    profile = build_config(None).profile
    assert profile is not None and profile == own_site_profile()
    config = build_config(None)
    assert config.profile_for(live_demo_site.url + "/").views_expected
    assert not config.profile_for("https://bakery.example/").views_expected


def test_a_profile_option_is_validated(live_demo_site) -> None:
    with pytest.raises(InvalidOptions, match="unknown site profile key 'view'"):
        build_config({"profile": {"view": True}})
    assert build_config({"profile": {"views_expected": False}}).profile.views_expected is False


def test_window_of_views_during_the_crawl() -> None:
    rows = [(1, 10, 5), (2, 11, 7), (3, 12, 9), (4, 13, 0)]
    before, after = {10: 5, 11: 6, 12: 10}, {10: 5, 11: 8, 12: 12}
    assert stale_counts(rows, before, after) == [
        (3, "The page shows 9 views but between 10 and 12 were recorded while it was audited."),
    ]
