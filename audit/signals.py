"""Audit a page in the background whenever it goes live.

A `page_published` receiver rather than Wagtail's `after_publish_page` hook: the hook runs only
for the editor's Publish button, while the signal also covers a moderator approving a workflow
and scheduled go-live (`publish_scheduled`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from wagtail.signals import page_published

from audit.conf import audit_setting
from audit.tasks import audit_published_page

_suspended = contextvars.ContextVar("after_publish_audits_suspended", default=False)


@contextmanager
def suspend_after_publish_audits() -> Iterator[None]:
    """No after-publish audits inside this block (bulk loads such as the demo content)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def audit_page_after_publish(sender, instance, **kwargs) -> None:
    """Enqueue a single-page audit once the publish has committed."""
    if _suspended.get() or not audit_setting("AUDIT_AFTER_PUBLISH"):
        return
    page_id = instance.pk
    transaction.on_commit(lambda: audit_published_page.enqueue(page_id))


def connect() -> None:
    page_published.connect(audit_page_after_publish, dispatch_uid="audit_page_after_publish")
