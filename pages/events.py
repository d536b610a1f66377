"""The one source of content-change events: what really changed, announced twice.

Every path that changes what the public sees passes through here, so the render cache, the
API purge, the after-publish audit and the webhooks cannot drift apart:

- ``page.published``: the publish button, bulk publish, workflow approval, revert-and-publish,
  imports that publish and scheduled go-live (``publish_scheduled``). Wagtail's
  ``page_published`` is also sent when a never-published page is merely *scheduled*
  (Wagtail issue #13959); that one is dropped here, because the page is not live.
- ``page.unpublished``: the unpublish button, bulk unpublish, expiry. Not when the page is
  being deleted: Wagtail unpublishes a page on its way out, and that is a ``page.deleted``.
- ``page.deleted``: each page that had been published, its descendants included.
- ``page.moved``: a page's URL path changed (a move to another parent or a slug change),
  with the old and new URL path of every live page below it. A reorder among siblings keeps
  the URL path, so it is not a move.
- ``redirect.changed``: a redirect saved or deleted.
- ``audit.completed``: an audit run finished (sent by the audit app through ``record``).

Each change is announced twice. ``change_recorded`` is sent at once, inside the transaction
that makes the change: a receiver that writes rows (the webhook delivery rows) commits or
rolls back with it. ``change_committed`` is sent once that transaction has committed, never
for a rolled-back one: work that must only see committed data (queueing a task another
process runs, purging a front-end cache) belongs there. A workflow approval publishes inside
a transaction, so only the second signal tells when the page is really live.
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

logger = logging.getLogger(__name__)

PAGE_PUBLISHED = "page.published"
PAGE_UNPUBLISHED = "page.unpublished"
PAGE_DELETED = "page.deleted"
PAGE_MOVED = "page.moved"
REDIRECT_CHANGED = "redirect.changed"
AUDIT_COMPLETED = "audit.completed"
CHANGE_TYPES = (
    PAGE_PUBLISHED,
    PAGE_UNPUBLISHED,
    PAGE_DELETED,
    PAGE_MOVED,
    REDIRECT_CHANGED,
    AUDIT_COMPLETED,
)
PAGE_CHANGE_TYPES = (PAGE_PUBLISHED, PAGE_UNPUBLISHED, PAGE_DELETED, PAGE_MOVED)


@dataclass(frozen=True)
class Change:
    """One change. ``page`` is the page as it was at the change (still readable after a
    delete); ``detail`` holds what the type adds (a move's URL paths, a redirect's paths)."""

    type: str
    page: Page | None = None
    revision_id: int | None = None
    object_id: int | None = None  # the redirect or the audit run
    detail: dict[str, Any] = field(default_factory=dict)
    # Taken from ``page`` when the change is made: Django clears a deleted instance's pk.
    page_id: int | None = None

    def __post_init__(self) -> None:
        if self.page is not None and self.page_id is None:
            object.__setattr__(self, "page_id", self.page.pk)


# Both send sender=Change, change=Change.
change_recorded = Signal()
change_committed = Signal()


def record(change: Change) -> None:
    """Announce a change now (inside its transaction) and again once it has committed."""
    if change.type not in CHANGE_TYPES:
        raise ValueError(f"unknown change type {change.type!r}")
    change_recorded.send(sender=Change, change=change)
    # robust: the change is committed by then; one failing receiver must not break the
    # response or keep the others from running.
    transaction.on_commit(lambda: _send_committed(change), robust=True)


def _send_committed(change: Change) -> None:
    for receiver, result in change_committed.send_robust(sender=Change, change=change):
        if isinstance(result, Exception):
            logger.error("%s receiver %r failed", change.type, receiver, exc_info=result)


# -- Wagtail's signals, corrected ----------------------------------------------------------------

# Ids of pages between pre_delete and post_delete: their unpublish is part of the delete.
_deleting: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "pages_events_deleting", default=frozenset()
)
# Pages whose delete was announced as page.deleted: only those that had been published.
_was_published: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "pages_events_was_published", default=frozenset()
)


def _on_page_published(sender, instance: Page, revision=None, **kwargs) -> None:
    # A page scheduled for later is sent here while not live (Wagtail #13959): not a change.
    if not instance.live or (revision is not None and instance.live_revision_id != revision.pk):
        return
    record(Change(PAGE_PUBLISHED, page=instance, revision_id=instance.live_revision_id))


def _on_page_unpublished(sender, instance: Page, **kwargs) -> None:
    if instance.pk in _deleting.get():
        return
    record(Change(PAGE_UNPUBLISHED, page=instance, revision_id=instance.latest_revision_id))


def _on_page_pre_delete(sender, instance: Page, **kwargs) -> None:
    # Connected before Wagtail's own pre_delete (which unpublishes): "pages" comes before
    # "wagtail" in INSTALLED_APPS, so instance.live is still the state before the delete.
    _deleting.set(_deleting.get() | {instance.pk})
    if instance.live or instance.first_published_at is not None:
        _was_published.set(_was_published.get() | {instance.pk})


def _on_page_post_delete(sender, instance: Page, **kwargs) -> None:
    published = instance.pk in _was_published.get()
    _deleting.set(_deleting.get() - {instance.pk})
    _was_published.set(_was_published.get() - {instance.pk})
    if published:
        record(Change(PAGE_DELETED, page=instance, revision_id=instance.live_revision_id))


def _on_page_pre_save(sender, instance, update_fields=None, **kwargs) -> None:
    if not isinstance(instance, Page) or instance.pk is None:
        return
    if update_fields is not None and "url_path" not in update_fields:
        return
    # Page.save() and the move action set the new url_path before saving: the row still
    # has the old one.
    old = Page.objects.filter(pk=instance.pk).values_list("url_path", flat=True).first()
    instance._events_old_url_path = old


def _on_page_post_save(sender, instance, created=False, **kwargs) -> None:
    if not isinstance(instance, Page):
        return
    old = instance.__dict__.pop("_events_old_url_path", None)
    if created or old is None or old == instance.url_path:
        return
    descendants = moved_descendants(instance, old, instance.url_path)
    if not instance.live and not descendants:
        return  # nothing anyone outside the admin could see moved
    detail = {
        "old_url_path": old,
        "new_url_path": instance.url_path,
        "descendants": descendants,
    }
    record(Change(PAGE_MOVED, page=instance, revision_id=instance.live_revision_id, detail=detail))


def moved_descendants(page: Page, old_prefix: str, new_prefix: str) -> list[dict[str, Any]]:
    """[{"id", "old_url_path", "new_url_path"}] of the live pages below ``page``. Works before
    and after Wagtail rewrites their url_path (a slug change saves first, a move after)."""
    rows = (
        Page.objects.filter(path__startswith=page.path, depth__gt=page.depth, live=True)
        .order_by("path")
        .values_list("pk", "url_path")
    )
    moved = []
    for pk, url_path in rows:
        for prefix in (old_prefix, new_prefix):
            if url_path.startswith(prefix):
                rest = url_path[len(prefix) :]
                moved.append(
                    {"id": pk, "old_url_path": old_prefix + rest, "new_url_path": new_prefix + rest}
                )
                break
    return moved


def _on_redirect_saved(sender, instance: Redirect, created=False, **kwargs) -> None:
    action = "created" if created else "updated"
    record(
        Change(REDIRECT_CHANGED, object_id=instance.pk, detail=_redirect_detail(instance, action))
    )


def _on_redirect_deleted(sender, instance: Redirect, **kwargs) -> None:
    record(
        Change(
            REDIRECT_CHANGED, object_id=instance.pk, detail=_redirect_detail(instance, "deleted")
        )
    )


def _redirect_detail(redirect: Redirect, action: str) -> dict[str, Any]:
    return {
        "action": action,
        "old_path": redirect.old_path,
        "site_id": redirect.site_id,
        "redirect_page_id": redirect.redirect_page_id,
        "redirect_link": redirect.redirect_link or "",
        "is_permanent": redirect.is_permanent,
    }


def connect() -> None:
    """Called from PagesConfig.ready()."""
    page_published.connect(_on_page_published, dispatch_uid="pages_events_published")
    page_unpublished.connect(_on_page_unpublished, dispatch_uid="pages_events_unpublished")
    pre_delete.connect(_on_page_pre_delete, sender=Page, dispatch_uid="pages_events_pre_delete")
    post_delete.connect(_on_page_post_delete, sender=Page, dispatch_uid="pages_events_deleted")
    # Any sender: the concrete page classes send pre_save/post_save, and a receiver per page
    # type would miss types added later.
    pre_save.connect(_on_page_pre_save, dispatch_uid="pages_events_pre_save")
    post_save.connect(_on_page_post_save, dispatch_uid="pages_events_post_save")
    post_save.connect(_on_redirect_saved, sender=Redirect, dispatch_uid="pages_events_redirect")
    post_delete.connect(
        _on_redirect_deleted, sender=Redirect, dispatch_uid="pages_events_redirect_deleted"
    )
