"""``POST /api/v2/deploys/`` (issue 28, item 4): a front end says a deploy finished, the CMS
audits the changed pages of the front end, announces ``audit.completed`` and marks a deploy
that brought new errors to a changed page in that page's history."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from wagtail.models import PageLogEntry

from audit.deploy_history import ACTION
from audit.deploy_queue import merge_changed, wait_on
from audit.models import AuditRun, PageResult
from audit.scheduling import tick
from audit.tasks import run_audit, start_waiting_deploys
from webhooks.models import Endpoint, Event

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v2/deploys/"


@pytest.fixture
def token(live_demo_site) -> str:
    endpoint = Endpoint.objects.create(url="http://127.0.0.1:9/_webhooks", description="front")
    return endpoint.new_feed_token()


def deploy(client, token: str | None, body=None, raw: bytes | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else (json.dumps(body) if body is not None else b"")
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_a_deploy_audits_its_changed_pages_of_the_front_end(front_end, token, client) -> None:
    server, ids = front_end
    answer = deploy(client, token, {"changed_urls": ["/s/ims.html"]})
    assert answer.status_code == 202, answer.content
    body = answer.json()["run"]
    assert body["changed_urls"] == [server.url("/s/ims.html")]
    assert body["admin_url"].endswith(f"/admin/seo-audits/{body['id']}/")
    run = AuditRun.objects.get(pk=body["id"])
    assert run.trigger == AuditRun.Trigger.DEPLOY and run.frontend
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    # Only the changed page and the start page were audited; the IMS page maps to its page.
    audited = dict(PageResult.objects.filter(run=run).values_list("url", "page_id"))
    assert set(audited) == {server.url("/"), server.url("/s/ims.html")}
    assert audited[server.url("/s/ims.html")] == ids["ims"]
    assert Event.objects.filter(type="audit.completed").count() == 1


def test_a_deploy_with_no_urls_audits_the_whole_front_end(front_end, token, client) -> None:
    server, _ = front_end
    answer = deploy(client, token)
    assert answer.status_code == 202, answer.content
    run = AuditRun.objects.get(pk=answer.json()["run"]["id"])
    assert run.changed_urls == [] and run.options == {}
    assert PageResult.objects.filter(run=run, url=server.url("/about.html")).exists()


def test_new_errors_on_a_changed_page_are_marked_in_its_history(front_end, token, client) -> None:
    server, ids = front_end
    assert deploy(client, token).status_code == 202  # the baseline: the whole site
    assert not PageLogEntry.objects.filter(action=ACTION).exists()
    # The next deploy drops the IMS page's title (an error) and changes nothing else.
    pages = ids["pages"]
    pages["/s/ims.html"] = pages["/s/ims.html"].replace(
        "<title>IMS treatment at the clinic</title>", ""
    )
    answer = deploy(client, token, {"changed_urls": ["/s/ims.html", "/a/one.html"]})
    assert answer.status_code == 202
    (entry,) = PageLogEntry.objects.filter(action=ACTION)
    assert entry.page_id == ids["ims"]
    assert entry.data["run"] == answer.json()["run"]["id"]
    assert "title-missing" in entry.data["checks"]
    # A deploy that brings nothing new adds no entry.
    assert deploy(client, token, {"changed_urls": ["/s/ims.html"]}).status_code == 202
    assert PageLogEntry.objects.filter(action=ACTION).count() == 1


@pytest.mark.parametrize(
    ("raw", "status", "words"),
    [
        (b"{not json", 400, "must be JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (b'{"urls": []}', 400, "unknown key 'urls'"),
        (b'{"changed_urls": "/a/"}', 400, "must be a list"),
        (b'{"changed_urls": ["https://elsewhere.example/"]}', 400, "not a page of the front end"),
        (b'{"changed_urls": ["javascript:alert(1)"]}', 400, "not a page of the front end"),
        (json.dumps({"changed_urls": ["/x/"] * 501}).encode(), 400, "more than 500"),
    ],
)
def test_bad_deploy_bodies_are_refused_with_a_reason(
    front_end, token, client, raw, status, words
) -> None:
    answer = deploy(client, token, raw=raw)
    assert answer.status_code == status
    assert words in answer.json()["message"]
    assert not AuditRun.objects.exists()


def test_a_deploy_needs_a_feed_token(front_end, token, client) -> None:
    for sent in (None, "not-a-token"):
        answer = deploy(client, sent)
        assert answer.status_code == 401
        assert "feed token" in answer.json()["message"]
        assert answer["WWW-Authenticate"].startswith("Bearer")
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405
    assert not AuditRun.objects.exists()


def test_a_deploy_without_a_configured_front_end_is_a_404(token, client) -> None:
    with override_settings(SEO_AUDIT={"AUDIT_AFTER_PUBLISH": False}):
        answer = deploy(client, token)
    assert answer.status_code == 404
    assert "FRONTEND_URL" in answer.json()["message"]


def test_deploys_during_an_audit_wait_on_it_and_are_audited_together_after(
    front_end, token, client
) -> None:
    """A CI that deploys while the front end's audit is queued or running loses nothing: both
    deploys wait on that run, then one run audits the pages of both."""
    server, ids = front_end
    active = AuditRun.objects.create(target_url=server.url(), frontend=True)
    for changed in (["/s/ims.html"], ["/a/one.html", "/s/ims.html"]):
        answer = deploy(client, token, {"changed_urls": changed})
        assert answer.status_code == 202, answer.content
        assert answer.json()["waiting_on"]["id"] == active.pk
        assert "audited when it finishes" in answer.json()["message"]
    assert AuditRun.objects.count() == 1
    active.refresh_from_db()
    assert active.deploy_waiting == [server.url("/s/ims.html"), server.url("/a/one.html")]

    run_audit.call(active.pk)
    active.refresh_from_db()
    assert active.status == AuditRun.Status.SUCCEEDED and active.deploy_waiting is None
    (after,) = AuditRun.objects.filter(trigger=AuditRun.Trigger.DEPLOY)
    assert after.status == AuditRun.Status.SUCCEEDED, after.error
    assert after.changed_urls == [server.url("/s/ims.html"), server.url("/a/one.html")]
    audited = set(PageResult.objects.filter(run=after).values_list("url", flat=True))
    assert audited == {server.url("/"), server.url("/s/ims.html"), server.url("/a/one.html")}
    # Nothing waits any more: the next run's end starts no second deploy audit.
    assert start_waiting_deploys() == []


def test_a_deploy_waiting_on_a_run_failed_as_stale_is_audited_by_the_scheduler(
    front_end, token, client
) -> None:
    server, _ = front_end
    long_ago = timezone.now() - timedelta(hours=1)
    stuck = AuditRun.objects.create(
        target_url=server.url(), frontend=True, status="running", heartbeat_at=long_ago
    )
    assert deploy(client, token).status_code == 202  # the whole site waits on the stuck run
    tick()
    stuck.refresh_from_db()
    assert stuck.status == AuditRun.Status.FAILED and stuck.deploy_waiting is None
    (after,) = AuditRun.objects.filter(trigger=AuditRun.Trigger.DEPLOY)
    assert after.status == AuditRun.Status.SUCCEEDED and after.changed_urls == []
    assert PageResult.objects.filter(run=after, url=server.url("/about.html")).exists()


def test_a_deploy_does_not_wait_on_a_run_that_has_finished(front_end) -> None:
    server, _ = front_end
    done = AuditRun.objects.create(target_url=server.url(), frontend=True, status="succeeded")
    assert wait_on(done.pk, ["/x/"]) is None
    done.refresh_from_db()
    assert done.deploy_waiting is None


@pytest.mark.parametrize(
    "waiting, changed, merged",
    [
        (None, ["/a/"], ["/a/"]),
        (["/a/"], ["/b/", "/a/"], ["/a/", "/b/"]),
        (["/a/"], [], []),  # a whole-site deploy takes in the other
        ([], ["/a/"], []),
    ],
)
def test_waiting_deploys_merge_their_changed_urls(waiting, changed, merged) -> None:
    assert merge_changed(waiting, changed) == merged
