"""Check a page's current draft before it is published: render it, run the page checks.

The draft is the page's latest revision, rendered on the server the way Wagtail's preview
renders it (``make_preview_request``: a dummy anonymous request through the middleware, so
the HTML has no admin userbar and no view is counted), with the page's own template even when
editor previews go to a headless front end. The engine's ``check_html`` then runs
every page check and the site checks that need no crawl on that HTML. Nothing is fetched over
the network, nothing is stored, nothing is published.

The result is compared with the page's latest stored audit by fingerprint (check + URL +
selector, as runs are compared), so the editor sees what the draft fixes and what it adds.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field

from django.conf import settings
from wagtail.models import Page, PreviewableMixin, Revision

from audit.engine import AuditError, PageReport, check_html, check_info
from audit.models import Finding, PageResult
from audit.options import InvalidOptions, build_config
from audit.services import latest_page_result


class DraftCheckError(Exception):
    """The draft could not be rendered or checked; ``str()`` is the message to show."""


@dataclass
class DraftCheck:
    page: Page
    revision: Revision | None
    url: str
    report: PageReport
    latest: PageResult | None  # the page's latest stored audit result, if any
    new_fingerprints: set[str] = field(default_factory=set)  # in the draft, not in `latest`
    fixed: list[Finding] = field(default_factory=list)  # in `latest`, gone in the draft
    # In `latest` from checks a draft cannot answer (response time, links, duplicates...).
    not_rechecked: list[Finding] = field(default_factory=list)

    def fingerprint(self, check_id: str, selector: str) -> str:
        return Finding.make_fingerprint(check_id, self.url, selector)


def rechecked_on_draft(check_id: str) -> bool:
    """Whether the draft check answers this check again: the page checks that read only the
    page's HTML. Checks of the response (time, size, status) or of the whole site (links,
    duplicates, robots) need a real crawl, so their stored findings are neither fixed nor
    still open as far as a draft can tell."""
    check = check_info(check_id)
    return check is not None and check.scope == "page" and check.content_only


def draft_url(page: Page) -> str:
    """Where the page is (or will be) served; the checks resolve links against it."""
    url = page.get_full_url()
    if url:
        return url
    # Not routable yet (e.g. a new page outside any site): a stand-in on the admin's host.
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/__draft__/{page.pk}/"


def render_draft(page: Page) -> tuple[Page, Revision | None, str]:
    """The latest revision as a page object, that revision, and its rendered HTML."""
    page = page.specific
    revision = page.get_latest_revision()
    draft = revision.as_object() if revision is not None else page
    # Wagtail's own preview rendering (the page's template), also when a headless front end
    # takes over the editor's preview (pages/api/preview.py): the check is about the HTML this
    # site serves. Set on this throwaway draft object only.
    draft.serve_preview = types.MethodType(PreviewableMixin.serve_preview, draft)
    response = draft.make_preview_request(preview_mode=draft.default_preview_mode)
    if 300 <= response.status_code < 400:
        # wagtail-headless-preview (HEADLESS_PREVIEW_URL set) sends previews to the front end.
        raise DraftCheckError(
            "The draft could not be rendered here: its preview redirects to "
            f"{response.get('Location', 'another site')} (a separate front end renders drafts)."
        )
    if response.status_code != 200:
        raise DraftCheckError(
            f"The draft could not be rendered: its preview answered HTTP {response.status_code}."
        )
    content_type = response.get("Content-Type", "")
    if "html" not in content_type:
        raise DraftCheckError(f"The draft's preview is not HTML ({content_type or 'no type'}).")
    html = response.content.decode(response.charset or "utf-8", errors="replace")
    return draft, revision, html


def check_draft(page: Page) -> DraftCheck:
    """Render the page's latest draft and run the page checks on it."""
    draft, revision, html = render_draft(page)
    latest = latest_page_result(page)
    # Compare on the URL the stored audit used, so fingerprints match across the two.
    url = latest.url if latest is not None else draft_url(draft)
    try:
        config = build_config(None, single_page=True)
        report = check_html(html, url, config=config)
    except (AuditError, InvalidOptions) as exc:
        raise DraftCheckError(f"The draft could not be checked: {exc}") from None
    result = DraftCheck(page=draft, revision=revision, url=url, report=report, latest=latest)
    draft_prints = {result.fingerprint(f.check, f.selector) for f in report.findings}
    if latest is not None:
        stored = list(latest.findings.order_by("-impact", "id"))
        stored_prints = {f.fingerprint for f in stored}
        result.new_fingerprints = draft_prints - stored_prints
        for finding in stored:
            if not rechecked_on_draft(finding.check_id):
                result.not_rechecked.append(finding)
            elif finding.fingerprint not in draft_prints:
                result.fixed.append(finding)
    else:
        result.new_fingerprints = draft_prints
    return result
