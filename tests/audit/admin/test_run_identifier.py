"""One identifier per run: the number in its URL is the one in the runs list, on its page, in
the e-mail's subject and body, and in the exports."""

from __future__ import annotations

import re

from audit.emails import build_messages
from audit.models import AuditRun
from tests.audit.admin.conftest import client_for, page_report, store_run

INDEX = "/admin/seo-audits/"


def test_the_run_is_called_by_the_number_in_its_url_everywhere(people, two_runs, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://cms.clinic.test"
    # A page audit in between: numbering per kind would now call the next site audit #3.
    AuditRun.objects.create(
        target_url=two_runs.article_url, single_page=True, status=AuditRun.Status.SUCCEEDED
    )
    run = store_run(two_runs.home_url, [page_report(two_runs.home_url, [])])
    site_audits = AuditRun.objects.filter(single_page=False).count()
    assert site_audits == 3 and run.pk != site_audits
    client = client_for(people["viewer"])
    url = f"{INDEX}{run.pk}/"
    name = f"Audit #{run.pk}"

    listing = client.get(INDEX).content.decode()
    row = re.search(rf'<tr data-run="{run.pk}".*?</tr>', listing, re.S).group(0)
    assert f'<a href="{url}">{name}</a>' in row

    page = client.get(url).content.decode()
    assert f"<title>{name}" in page
    assert re.search(rf"<h1[^>]*>\s*(<[^>]+>\s*)*{re.escape(name)}", page)

    message = build_messages(run, ["ann@clinic.test"])[0]
    assert message.subject.startswith(f"SEO audit of {run.target_url} ({name}): ")
    assert f"({name})" in message.body.splitlines()[0]
    assert f"https://cms.clinic.test{url}" in message.body
    assert f"({name})</h1>" in message.alternatives[0][0]

    html = client.get(f"{url}export.html")
    assert f"<p data-run-label>{name} · " in html.content.decode()
    assert f'href="https://cms.clinic.test{url}"' in html.content.decode()
    for fmt in ("html", "csv", "json"):
        disposition = client.get(f"{url}export.{fmt}")["Content-Disposition"]
        assert f'filename="seo-audit-{run.pk}-' in disposition

    # Earlier runs are named by the same number where a run is compared with them.
    older = two_runs.new
    compare = client.get(url, {"compare": older.pk, "group": "compare"}).content.decode()
    assert f"New since #{older.pk} (" in compare
