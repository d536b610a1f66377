"""The run page and the runs list show the browser pass: pages rendered of pages to render."""

from __future__ import annotations

import re

from audit.models import AuditRun
from tests.audit.admin.conftest import client_for


def test_the_run_page_and_list_show_the_browser_pass(people, demo_site):
    run = AuditRun.objects.create(
        target_url="https://www.clinic.test/",
        status=AuditRun.Status.RUNNING,
        pages_done=12,
        pages_known=12,
        browser_pages_done=3,
        browser_pages_to_render=7,
    )
    client = client_for(people["viewer"])
    page = client.get(f"/admin/seo-audits/{run.pk}/").content.decode()
    label = re.search(r"<label[^>]*data-browser-progress>(.*?)</label>", page, re.S).group(1)
    assert label.startswith("Crawled 12 pages; rendering them in a browser: 3 of 7 pages rendered")
    assert '<progress id="audit-progress-bar" max="7" value="3">' in page
    listing = client.get("/admin/seo-audits/").content.decode()
    assert "12 pages crawled; 3 of 7 rendered in the browser" in listing
    # While it crawls, the crawl's counts as before.
    AuditRun.objects.filter(pk=run.pk).update(browser_pages_to_render=None, browser_pages_done=0)
    page = client.get(f"/admin/seo-audits/{run.pk}/").content.decode()
    assert "Audited 12 of the 12 pages found so far" in page and "data-browser-progress" not in page
