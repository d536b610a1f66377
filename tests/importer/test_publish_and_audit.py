"""The generic path (a plain HTML site), --publish, and the audit of a published import."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from audit.engine import EngineConfig, audit_site
from pages.models import ArticlePage, ServicePage
from pageviews.api import views_for


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_site", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_plain_site_through_the_generic_extractor(demo_site, plain):
    out = run(plain.base + "/", "--publish")
    article = ArticlePage.objects.get(slug="winter-running")
    assert article.live  # every image had alt text, so --publish published it
    assert article.date.isoformat() == "2023-12-01"
    assert views_for(article) == 41  # the article's footer, not the sidebar's 999
    body = list(article.body)
    assert [b.block_type for b in body] == ["paragraph", "heading", "paragraph", "image"]
    image = body[3].value
    assert image["caption"] == "A calf stretch before heading out"
    assert image["image"].contextual_alt_text.startswith("Runner stretching a calf")
    assert "Popular" not in str(article.body.raw_data)
    service = ServicePage.objects.get(slug="hydrotherapy")
    assert service.live and service.title == "Hydrotherapy"
    assert "0 failed" in out


@pytest.mark.django_db(transaction=True)
def test_published_import_passes_our_audit(live_demo_site, wix):
    out = run(wix.base + "/", "--only", wix.base + "/post/ims-forearm", "--publish")
    post = ArticlePage.objects.get(slug="ims-forearm")
    assert not post.live and "not published: an image has no alt text" in out
    # An editor writes the missing alt texts, then publishes.
    draft = post.get_latest_revision_as_object()
    blocks = [dict(block) for block in draft.body.raw_data]
    for block in blocks:
        if block["type"] == "image" and not block["value"]["image"]["alt_text"]:
            block["value"]["image"]["alt_text"] = "Forearm stretch shown by a physiotherapist"
    draft.body = blocks
    draft.save_revision().publish()
    post.refresh_from_db()
    url = post.get_full_url()
    assert url.startswith(live_demo_site.url)
    result = audit_site(url, EngineConfig(single_page=True, check_links=False, parse_workers=0))
    (report,) = [p for p in result.pages if p.url == url]
    assert report.status == 200
    errors = [f.check_id for f in report.findings if f.severity == "error"]
    assert errors == []
