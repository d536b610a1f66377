"""Redirects from imported URLs go live with their page and go back when it is unpublished.

A receiver of ``pages.events`` (the one source of content changes), so the publish button,
bulk publish, workflow approval, an import's --publish and the scheduled go-live
(``publish_scheduled``) all count, and a page only *scheduled* does not (Wagtail sends
``page_published`` for that too; ``pages.events`` drops it). The receiver runs inside the
publish's transaction: the redirect commits or rolls back with it.
"""

from __future__ import annotations

import logging

from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

from importer.models import ImportRedirect
from pages.events import PAGE_PUBLISHED, PAGE_UNPUBLISHED, Change, change_recorded

logger = logging.getLogger(__name__)


def activate_redirects(page: Page) -> list[str]:
    """Wagtail redirects for the page's import redirects; problems (one line each) for paths
    a redirect elsewhere already holds (those are left as they are)."""
    problems = []
    for wanted in ImportRedirect.objects.filter(page=page).select_related("site"):
        existing = Redirect.objects.filter(old_path=wanted.old_path, site=wanted.site).first()
        if existing is None:
            Redirect.objects.create(
                old_path=wanted.old_path, site=wanted.site, redirect_page=page, is_permanent=True
            )
        elif existing.redirect_page_id != page.pk:
            problems.append(
                f"a redirect from {wanted.old_path} already goes elsewhere; it was left as it is"
            )
    return problems


def deactivate_redirects(page_id: int) -> None:
    """Remove the live redirects of the page's import redirects (only those to the page)."""
    for wanted in ImportRedirect.objects.filter(page_id=page_id):
        # delete() per row, not a queryset update: pages.events announces each one.
        for redirect in Redirect.objects.filter(
            old_path=wanted.old_path, site_id=wanted.site_id, redirect_page_id=page_id
        ):
            redirect.delete()


def _on_change(sender, change: Change, **kwargs) -> None:
    if change.type == PAGE_PUBLISHED and change.page is not None:
        for problem in activate_redirects(change.page):
            logger.warning("page %s published: %s", change.page_id, problem)
    elif change.type == PAGE_UNPUBLISHED and change.page_id is not None:
        deactivate_redirects(change.page_id)


def connect() -> None:
    """Called from ImporterConfig.ready()."""
    change_recorded.connect(_on_change, dispatch_uid="importer_redirects_follow_pages")
