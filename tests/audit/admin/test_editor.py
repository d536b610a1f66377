"""The audit in the page editor: latest findings panel, and checking a draft before publishing."""

from __future__ import annotations

import re

from django.urls import reverse
from wagtail.models import Page

from tests.audit.admin.conftest import client_for

# The static page checks only: the browser pass on drafts is tested in test_draft_browser.py
# (its findings would depend on whatever answers at the demo site's address here).
STATIC_ONLY = "?browser=0"
UNLABELLED_IMAGE = '<p>New photo:</p><p><img src="/media/original_images/new-photo.jpg"/></p>'


def finding_html(html: str, check_id: str) -> str:
    """The markup of the first finding of ``check_id`` in ``html`` ("" if there is none)."""
    start = html.find(f'<div class="audit-finding" data-check="{check_id}">')
    if start < 0:
        return ""
    end = html.find('<div class="audit-finding"', start + 1)
    return html[start : end if end > 0 else len(html)]


def save_draft_with_image(page) -> None:
    """A draft (not published) that adds an image with no alt text to the page's body."""
    page = page.specific
    page.body.append(("paragraph", UNLABELLED_IMAGE))
    page.save_revision()


def test_panel_shows_the_pages_findings_from_its_latest_audit(people, two_runs):
    response = client_for(people["viewer"]).get(
        f"/admin/seo-audits/pages/{two_runs.article.pk}/findings/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="seo-audit-panel"' in html
    assert f'href="/admin/seo-audits/{two_runs.new.pk}/"' in html  # the latest run
    assert "h1-multiple" in html and "Keep one &lt;h1&gt;" in html
    assert "img-alt-missing" not in html  # only in the older run
    assert "&lt;h1&gt;&lt;script&gt;" in html and "<script>" not in html
    check_url = reverse("seo_audits:check_draft", args=[two_runs.article.pk])
    assert f'href="{check_url}"' in html


def test_panel_of_a_page_never_audited_says_so(people, two_runs):
    never = Page.objects.get(depth=1)
    html = (
        client_for(people["viewer"])
        .get(f"/admin/seo-audits/pages/{never.pk}/findings/")
        .content.decode()
    )
    assert "has not been audited yet" in html


def test_panel_is_refused_without_the_view_permission(people, two_runs):
    response = client_for(people["nobody"]).get(
        f"/admin/seo-audits/pages/{two_runs.article.pk}/findings/",
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 403


def test_the_page_editor_loads_the_panel_and_offers_check_this_draft(people, two_runs):
    html = (
        client_for(people["viewer"])
        .get(reverse("wagtailadmin_pages:edit", args=[two_runs.article.pk]))
        .content.decode()
    )
    assert 'src="/static/audit/editor-panel.js"' in html
    assert 'data-panel-url="/admin/seo-audits/pages/{id}/findings/"' in html
    check_url = reverse("seo_audits:check_draft", args=[two_runs.article.pk])
    assert f'href="{check_url}"' in html and "Check this draft (SEO)" in html


def test_check_this_draft_finds_the_missing_alt_the_draft_adds_without_publishing(people, two_runs):
    article = two_runs.article
    live_revision = article.live_revision_id
    save_draft_with_image(article)
    response = client_for(people["viewer"]).get(
        reverse("seo_audits:check_draft", args=[article.pk]) + STATIC_ONLY
    )
    assert response.status_code == 200
    html = response.content.decode()
    findings = re.search(r'<section id="draft-findings">.*?</section>', html, re.S).group(0)
    alt = finding_html(findings, "img-alt-missing")
    assert "new-photo.jpg" in alt
    assert 'class="audit-new">new<' in alt  # not in the latest audit of the live page
    assert "&lt;img" in alt  # the snippet, escaped
    assert 'data-count="error">1<' in html
    # The stored audit's h1-multiple (from a made-up selector) is not on the draft: fixed.
    assert "Fixed by this draft" in html
    # Nothing was published or stored.
    article.refresh_from_db()
    assert article.live_revision_id == live_revision and article.has_unpublished_changes
    assert "new-photo" not in str(article.specific.body.raw_data)


def test_a_clean_draft_has_no_missing_alt(people, two_runs):
    html = (
        client_for(people["viewer"])
        .get(reverse("seo_audits:check_draft", args=[two_runs.article.pk]) + STATIC_ONLY)
        .content.decode()
    )
    assert 'data-check="img-alt-missing"' not in html


def test_checking_a_draft_needs_edit_permission_on_the_page(people, two_runs):
    # "nobody" lacks the audit permission; a report viewer who cannot edit pages is refused too.
    from django.contrib.auth.models import Permission

    url = reverse("seo_audits:check_draft", args=[two_runs.article.pk])
    assert client_for(people["nobody"]).get(url).status_code == 403
    people["nobody"].user_permissions.add(
        Permission.objects.get(content_type__app_label="audit", codename="view_auditrun")
    )
    response = client_for(people["nobody"]).get(url)
    assert response.status_code == 403
    assert "cannot edit this page" in response.content.decode()


def test_findings_a_draft_cannot_answer_are_not_called_fixed(people, two_runs):
    """A slow response or a duplicate title needs the live site: the draft check lists such
    stored findings apart instead of claiming the draft fixed them."""
    from tests.audit.admin.conftest import page_report, store_run

    store_run(
        two_runs.home_url,
        [
            page_report(
                two_runs.article_url,
                [("slow-response", "warning", "", ""), ("title-duplicate", "notice", "title", "")],
                views=5,
            )
        ],
    )
    html = (
        client_for(people["viewer"])
        .get(reverse("seo_audits:check_draft", args=[two_runs.article.pk]) + STATIC_ONLY)
        .content.decode()
    )
    not_rechecked = re.search(r'<section id="draft-not-rechecked">.*?</section>', html, re.S)
    assert not_rechecked
    assert "slow-response" in not_rechecked.group(0)
    assert "title-duplicate" in not_rechecked.group(0)
    assert '<section id="draft-fixed">' not in html


def test_the_draft_check_uses_the_sites_own_html_when_previews_go_to_a_headless_front_end(
    people, two_runs
):
    from django.test import override_settings

    save_draft_with_image(two_runs.article)
    with override_settings(HEADLESS_PREVIEW_URL="http://127.0.0.1:3000/preview/"):
        html = (
            client_for(people["viewer"])
            .get(reverse("seo_audits:check_draft", args=[two_runs.article.pk]) + STATIC_ONLY)
            .content.decode()
        )
    assert "new-photo.jpg" in finding_html(html, "img-alt-missing")
