"""Issue 25 item 2 on the Django side: a stored run that could not fetch some pages says so
where people read it (the admin's run page and the report e-mail), with what the score is
based on. A real audit of a server on 127.0.0.1 where one page never answers."""

from __future__ import annotations

from audit.models import AuditRun, AuditSchedule
from audit.services import create_run
from audit.tasks import run_audit
from tests.audit.admin.conftest import client_for
from tests.audit.conftest import FAST_OPTIONS
from tests.audit.engine.trust_server import TrustSite, page

OPTIONS = {**FAST_OPTIONS, "use_sitemaps": False, "check_links": False, "slow_remeasure": 0}
LINE = (
    "1 of 4 pages could not be fetched (no answer, even when tried again later): "
    "the score is based on 3 of 4 pages."
)


def _site() -> TrustSite:
    routes = {
        "/": lambda q: page("Home", "/treatments", "/team", "/contact"),
        "/treatments": lambda q: page("Treatments"),
        "/team": lambda q: page("Team"),
        "/contact": lambda q: page("Contact"),
    }
    site = TrustSite(routes)
    site.drop_first["/team"] = 1000  # every connection closed unanswered, retries included
    return site


def test_a_run_that_missed_pages_says_so_in_the_admin_and_the_e_mail(
    people, transactional_db, mailoutbox
):
    schedule = AuditSchedule.objects.create(name="Weekly", recipients="ann@clinic.example")
    with _site() as site:
        run = create_run(
            site.url("/"),
            options=OPTIONS,
            trigger=AuditRun.Trigger.SCHEDULE,
            schedule=schedule,
        )
        run_audit.call(run.pk)
        team_hits = site.hits["/team"]
    run.refresh_from_db()
    assert team_hits == 2  # the first try and the retry queue's one more
    assert run.stats["completeness"] == "pages-not-fetched"
    assert run.stats["pages_not_fetched"] == 1

    page_html = client_for(people["manager"]).get(f"/admin/seo-audits/{run.pk}/")
    assert page_html.status_code == 200
    assert LINE in page_html.content.decode()
    assert 'data-completeness="incomplete"' in page_html.content.decode()

    (message,) = mailoutbox  # the scheduled run's report, sent when it finished
    assert LINE in message.body
    html, _ = message.alternatives[0]
    assert LINE in html


def test_a_complete_run_claims_nothing_missing(people, transactional_db):
    with _site() as site:
        site.drop_first.clear()
        run = create_run(site.url("/"), options=OPTIONS)
        run_audit.call(run.pk)
    run.refresh_from_db()
    assert run.stats["completeness"] == "complete"
    body = client_for(people["manager"]).get(f"/admin/seo-audits/{run.pk}/").content.decode()
    assert "could not be fetched" not in body
    assert "Crawl complete: every URL found in scope was audited." in body
