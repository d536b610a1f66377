"""Issue 24 case 1 from the admin: a failed audit that kept pages shows "Resume audit"; the
button carries on from the stored pages (not fetched again) to a complete report, and a run
that cannot be resumed says why."""

from __future__ import annotations

from audit.engine import audit_site
from audit.models import AuditRun, PageResult
from audit.options import build_config
from audit.store import RunStore
from tests.audit.admin.conftest import client_for
from tests.audit.conftest import FAST_OPTIONS

OPTIONS = {**FAST_OPTIONS, "slow_remeasure": 0}


def _interrupted_run(site, pages: int) -> AuditRun:
    """A run whose worker stored ``pages`` pages and then died (failed as stale)."""
    run = AuditRun.objects.create(target_url=site.url, status="running", options=OPTIONS)
    store = RunStore(run)
    config = build_config({**OPTIONS, "max_pages": pages, "check_links": False})
    audit_site(site.url, config, on_page=store.add_page, on_state=store.add_state)
    store.flush()
    AuditRun.objects.filter(pk=run.pk).update(status="failed", error="The worker stopped")
    run.refresh_from_db()
    return run


def test_resume_audit_carries_on_from_the_stored_pages(
    transactional_db, people, endless_site, django_capture_on_commit_callbacks
):
    # Committed rows: the run's watcher polls on a connection of its own, which cannot see a
    # test transaction's rows and would take the run as cancelled.
    endless_site.delay = 0
    endless_site.last = 9  # / and /p/1 ... /p/9
    run = _interrupted_run(endless_site, 4)
    kept = set(run.pages.values_list("url", flat=True))
    assert len(kept) == 4
    client = client_for(people["manager"])
    assert "Resume audit" in client.get(f"/admin/seo-audits/{run.pk}/").content.decode()
    assert (
        "Resume audit"
        not in client_for(people["viewer"]).get(f"/admin/seo-audits/{run.pk}/").content.decode()
    )

    endless_site.paths.clear()
    # The test settings run tasks at once (when the request's transaction commits).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/seo-audits/{run.pk}/resume/")
    html = client.get(response["Location"]).content.decode()
    assert "resumed: it carries on from the 4 pages it stored" in html
    run.refresh_from_db()
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    prefix = endless_site.url.rstrip("/")
    fetched = {prefix + path for path in endless_site.paths if not path.endswith((".txt", ".xml"))}
    assert not fetched & kept
    assert all(n == 1 for n in endless_site.paths.values())
    urls = list(run.pages.values_list("url", flat=True))
    assert len(urls) == 10 and len(set(urls)) == 10
    assert set(urls) == kept | fetched
    assert run.stats["pages_kept"] == 4 and run.stats["crawl_complete"] is True
    assert not PageResult.objects.filter(run=run, crawl_state__isnull=False).exists()
    assert "Resume audit" not in client.get(f"/admin/seo-audits/{run.pk}/").content.decode()


def test_a_run_that_cannot_be_resumed_says_why(people, endless_site):
    client = client_for(people["manager"])
    done = AuditRun.objects.create(target_url=endless_site.url, status="succeeded")
    html = client.post(f"/admin/seo-audits/{done.pk}/resume/", follow=True).content.decode()
    assert "Not resumed: Audit #" in html and "finished; start a new audit instead" in html
    empty = AuditRun.objects.create(target_url="https://b.example/", status="failed")
    html = client.post(f"/admin/seo-audits/{empty.pk}/resume/", follow=True).content.decode()
    assert "kept no pages to resume from" in html
    denied = client_for(people["viewer"]).post(f"/admin/seo-audits/{empty.pk}/resume/")
    assert denied.status_code == 403
    empty.refresh_from_db()
    assert empty.status == "failed"
