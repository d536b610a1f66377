"""'Check this draft' with the browser pass: the draft's HTML rendered in real Chromium at the
page's own URL (its styles and images from the live site, here pytest's live server), axe and
the browser checks merged into the draft report, and compared with the latest audit."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from wagtail.models import Site

from audit.draft_check import check_draft
from audit.models import AuditRun
from tests.audit.admin.conftest import client_for, page_report, store_run
from tests.audit.admin.test_editor import finding_html
from tests.chromium import needs_chromium

# Pale grey text: a contrast failure only a browser measures (it needs the rendered colours).
FAINT_PARAGRAPH = '<p><span style="color:#d4d4d4">Parking is free behind the building.</span></p>'
UNLABELLED_IMAGE = '<p><img src="/media/original_images/new-photo.jpg"/></p>'
MISSING_CHROMIUM = (
    "Chromium not found at /nowhere/chromium: install it (Debian: apt-get install chromium) "
    "or give its path with --chromium / the chromium_path option"
)


@pytest.fixture
def live_article(demo_site, live_server):
    """The demo article, its site served by the live server, with a draft that adds a faint
    paragraph and an image with no alt text."""
    from pages.models import ArticlePage

    parts = urlsplit(live_server.url)
    Site.objects.filter(is_default_site=True).update(hostname=parts.hostname, port=parts.port)
    article = ArticlePage.objects.live().order_by("pk").first()
    article.body.append(("paragraph", FAINT_PARAGRAPH))
    article.body.append(("paragraph", UNLABELLED_IMAGE))
    article.save_revision()
    return article


def check_url(article, query: str = "") -> str:
    return reverse("seo_audits:check_draft", args=[article.pk]) + query


def draft_findings(html: str) -> str:
    return re.search(r'<section id="draft-findings">.*?</section>', html, re.S).group(0)


@pytest.mark.browser
@needs_chromium
def test_the_draft_is_checked_in_chromium_by_default(people, live_article, live_server):
    html = client_for(people["viewer"]).get(check_url(live_article)).content.decode()
    assert 'name="browser" value="1" checked' in html  # on: Chromium is installed
    assert "Also checked in Chromium " in html and "axe-core 4.14.1" in html
    findings = draft_findings(html)
    contrast = finding_html(findings, "axe/color-contrast")
    assert "Parking is free" in contrast
    assert "Elements must meet minimum color contrast ratio thresholds" in contrast
    assert 'class="audit-new">new<' in contrast  # the page was never audited
    # The missing alt text is one finding (the static one), not two.
    assert findings.count('data-check="img-alt-missing"') == 1
    assert 'data-check="axe/image-alt"' not in findings
    # The image was asked for at the live site: it is not there.
    failed = finding_html(findings, "browser/failed-request")
    assert f"{live_server.url}/media/original_images/new-photo.jpg" in failed


@pytest.mark.browser
@needs_chromium
def test_browser_findings_compare_with_the_latest_audit(people, live_article, live_server):
    url = live_article.get_full_url()
    first = check_draft(live_article, browser=True)  # no audit yet: where axe finds contrast
    (contrast,) = [f for f in first.report.findings if f.check == "axe/color-contrast"]
    run = store_run(
        live_server.url + "/",
        [
            page_report(
                url,
                [
                    ("axe/link-name", "error", "footer > a.gone", "<a class=gone>"),
                    ("axe/color-contrast", "error", contrast.selector, contrast.snippet),
                ],
            )
        ],
    )
    # that audit rendered the page in a browser
    AuditRun.objects.filter(pk=run.pk).update(
        stats={"browser": {"lab": {url: {"lcp_ms": 300, "cls": 0, "tbt_ms": 0, "bytes": 9}}}}
    )
    client = client_for(people["viewer"])
    html = client.get(check_url(live_article)).content.decode()
    fixed = re.search(r'<section id="draft-fixed">.*?</section>', html, re.S).group(0)
    assert "footer &gt; a.gone" in fixed  # gone from the draft: fixed
    assert "axe/color-contrast" not in fixed  # still there, and not new
    assert 'class="audit-new"' not in finding_html(draft_findings(html), "axe/color-contrast")
    # Without the browser, the stored browser findings are not re-checked, not fixed.
    static = client.get(check_url(live_article, "?browser=0&browser=0")).content.decode()
    assert 'name="browser" value="1">' in static  # unchecked
    assert "Also checked in Chromium" not in static
    assert 'data-check="axe/' not in draft_findings(static)
    not_rechecked = re.search(r'<section id="draft-not-rechecked">.*?</section>', static, re.S)
    assert "footer &gt; a.gone" in not_rechecked.group(0)
    assert '<section id="draft-fixed">' not in static


def test_a_missing_chromium_is_one_line_and_the_static_check_still_works(
    people, two_runs, settings
):
    settings.SEO_AUDIT = {
        **settings.SEO_AUDIT,
        "CRAWL_OPTIONS": {"chromium_path": "/nowhere/chromium"},
    }
    article = two_runs.article
    article.specific.body.append(("paragraph", UNLABELLED_IMAGE))
    article.specific.save_revision()
    client = client_for(people["viewer"])
    default = client.get(check_url(article)).content.decode()
    assert 'name="browser" value="1">' in default  # off: no Chromium
    assert MISSING_CHROMIUM not in default
    asked = client.get(check_url(article, "?browser=0&browser=1")).content.decode()
    browser_note = re.search(r'id="draft-browser"><p>(.*?)</p>', asked, re.S).group(1)
    assert browser_note == f"Not checked in a browser: {MISSING_CHROMIUM}"
    assert 'data-check="img-alt-missing"' in draft_findings(asked)
