"""The whole pipeline in one test (issue 28, item 5): import the old site → an editor edits and
publishes the imported page in the admin → signed webhook → the front end rebuilds it → the
front-end server reports the deploy (POST /api/v2/deploys/) → the CMS audits those pages on the
front end → a finding on that page is in the admin with its editor link, and the run is
announced as ``audit.completed``.

Everything is real: the importer against the fixture old site, the Wagtail admin, webhook
delivery, `node server.js` and its Eleventy build, the deploy endpoint and the audit engine.
Slow (Node start-up and builds), so it is marked ``pipeline``: select it with ``-m pipeline``.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditRun, Finding, PageResult
from pages.models import ArticlePage
from tests.frontend.test_rebuild_on_publish import publish_in_admin
from tests.importer.old_site import wix_site
from tests.users.helpers import client_for, make_user
from webhooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.pipeline, pytest.mark.django_db(transaction=True)]

# Longer than a title tag should be: the audit's title check finds it on the front end's page.
LONG_TITLE = "Treating forearm pain with IMS: what our physiotherapists do, step by step, and why"


def test_import_publish_rebuild_deploy_audit_finding_in_the_admin(
    front_end, start_front_end_server
) -> None:
    with wix_site() as old_site:
        out = io.StringIO()
        call_command(
            "import_site",
            old_site.base + "/",
            "--only",
            old_site.base + "/post/ims-forearm",
            stdout=out,
        )
    page = ArticlePage.objects.get(slug="ims-forearm")
    assert not page.live, out.getvalue()  # a draft, waiting for an editor

    endpoint = Endpoint.objects.create(url=f"{front_end.url}/_webhooks", description="front end")
    token = endpoint.new_feed_token()
    audit_settings = {
        "AUDIT_AFTER_PUBLISH": False,
        "FRONTEND_URL": front_end.url,
        "CRAWL_OPTIONS": {"parse_workers": 0, "timeout": 10.0, "retries": 0},
    }
    with override_settings(SEO_AUDIT=audit_settings):
        front_end.build("--full")
        server = start_front_end_server(
            FRONTEND_WEBHOOK_SECRET=endpoint.secret,
            FRONTEND_FEED_TOKEN=token,
            FRONTEND_DEBOUNCE_MS="200",
        )
        server.wait_for_builds(1)  # the catch-up on start; its deploy audits the whole site
        server.wait_until(lambda: len(server.status()["deploys"]) >= 1)
        baseline = AuditRun.objects.get(trigger=AuditRun.Trigger.DEPLOY)
        assert baseline.status == AuditRun.Status.SUCCEEDED, baseline.error

        editor = client_for(make_user("pipeline-editor", superuser=True))
        answer = publish_in_admin(editor, page, LONG_TITLE, seo_title=LONG_TITLE)
        assert answer.status_code == 302, answer.content.decode()[:2000]
        page.refresh_from_db()
        assert page.live
        path = page.url_path.removeprefix("/home")
        assert Delivery.objects.filter(endpoint=endpoint, state=Delivery.State.SUCCEEDED).exists()

        status = server.wait_until(
            lambda: any(
                d["run"] and d["paths"] != "all" and path in d["paths"]
                for d in server.status()["deploys"]
            ),
            deadline_seconds=90,
        )
        assert LONG_TITLE in front_end.html(path)
        deploy = next(d for d in status["deploys"] if d["paths"] != "all" and path in d["paths"])
        assert deploy["status"] == 202, deploy

    run = AuditRun.objects.get(pk=deploy["run"])
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    assert run.frontend and run.trigger == AuditRun.Trigger.DEPLOY
    row = PageResult.objects.get(run=run, url=f"{front_end.url}{path}")
    assert row.page_id == page.pk  # mapped back through the page's cms-page-id tag
    finding = Finding.objects.get(run=run, page_result=row, check_id="title-too-long")
    assert not finding.template

    admin = editor.get(reverse("seo_audits:run", args=[run.pk]))
    html = admin.content.decode()
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert 'data-fix="title-too-long"' in html
    assert f'href="{edit_url}#id_seo_title"' in html
    # The finished audit is announced to the front end's endpoint like any audit.
    assert Delivery.objects.filter(endpoint=endpoint, event__type="audit.completed").count() >= 2
