"""Audit a page in the background whenever it goes live.

A receiver of `pages.events` (the one source of content changes) rather than Wagtail's
`page_published` or `after_publish_page`: the hook runs only for the editor's Publish button,
and the signal is also sent when a never-published page is only scheduled (the audit would
crawl a page that is not live yet). The task is queued once the publish has committed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from audit.conf import audit_setting
from audit.tasks import audit_published_page
from pages.events import PAGE_PUBLISHED, Change, change_recorded

_suspended = contextvars.ContextVar("after_publish_audits_suspended", default=False)


@contextmanager
def suspend_after_publish_audits() -> Iterator[None]:
    """No after-publish audits inside this block (bulk loads such as the demo content)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def audit_page_after_publish(sender, change: Change, **kwargs) -> None:
    """Enqueue a single-page audit once the publish has committed."""
    # Decided when the page is published, not on commit: a bulk load suspends audits only
    # while it runs, and its transaction may commit after the block.
    if change.type != PAGE_PUBLISHED or _suspended.get():
        return
    if not audit_setting("AUDIT_AFTER_PUBLISH"):
        return
    page_id = change.page_id
    transaction.on_commit(lambda: audit_published_page.enqueue(page_id))


def connect() -> None:
    change_recorded.connect(audit_page_after_publish, dispatch_uid="audit_page_after_publish")
