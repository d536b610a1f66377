"""The editors' to-do on each imported page: written by the import, shown on the page's
edit view (importer.wagtail_hooks), ticked off by whoever may edit the page.

A page's items are the problems its conversion found (an image to describe, a paragraph that
looked like boilerplate, a date to confirm…). A re-import keeps the items it finds again
(ticked or not) and drops the open ones it no longer finds. A possible duplicate goes on the
existing page it may duplicate (no draft was created for it), with what a merge needs: the
old URL and its view count.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site

from cms.errors import Conflict
from importer.models import ImportRedirect, TodoItem
from importer.signals import activate_redirects
from pageviews.api import add_old_views


class CannotMerge(Conflict):
    """The merge cannot be done; the message is one line for the editor."""


def record_problems(page_id: int, source_url: str, problems: list[str]) -> None:
    """The page's open items become ``problems`` (ticked ones found again stay ticked)."""
    wanted = list(dict.fromkeys(problems))
    mine = TodoItem.objects.filter(
        page_id=page_id, source_url=source_url, kind=TodoItem.Kind.PROBLEM
    )
    mine.filter(done_at__isnull=True).exclude(text__in=wanted).delete()
    known = set(mine.values_list("text", flat=True))
    TodoItem.objects.bulk_create(
        TodoItem(page_id=page_id, source_url=source_url, text=text)
        for text in wanted
        if text not in known
    )


def record_duplicate(page_id: int, source_url: str, text: str, views: int | None) -> None:
    """One item per old URL on the page it may duplicate; kept as it is once it exists."""
    TodoItem.objects.get_or_create(
        page_id=page_id,
        source_url=source_url,
        kind=TodoItem.Kind.DUPLICATE,
        defaults={"text": text, "views": views},
    )


def open_items(page: Page) -> QuerySet[TodoItem]:
    return TodoItem.objects.filter(page=page, done_at__isnull=True)


def pages_by_open_items(limit: int = 100) -> QuerySet[Page]:
    """Pages with open items, most first, each with ``open_items`` (a count)."""
    return (
        Page.objects.annotate(
            open_items=Count("import_todos", filter=Q(import_todos__done_at__isnull=True))
        )
        .filter(open_items__gt=0)
        .order_by("-open_items", "title", "pk")[:limit]
    )


def tick(item_id: int, user) -> TodoItem:
    """Mark the item done (once: ticking a done item keeps who and when it was first done)."""
    with transaction.atomic():
        item = TodoItem.objects.select_for_update().get(pk=item_id)
        if item.done_at is None:
            item.done_at, item.done_by = timezone.now(), user
            item.save(update_fields=["done_at", "done_by"])
    return item


def merge(item_id: int, user) -> tuple[TodoItem, bool]:
    """Merge a possible duplicate into the page it duplicates: a redirect from its old URL to
    the page (live while the page is), its old view count added to the page's, the item
    closed as merged. (item, merged now); a second call changes nothing."""
    with transaction.atomic():
        # The row lock makes a double click wait for the first, then see it merged.
        item = TodoItem.objects.select_for_update().select_related("page").get(pk=item_id)
        if item.kind != TodoItem.Kind.DUPLICATE:
            raise CannotMerge("only a possible duplicate can be merged")
        if item.merged:
            return item, False
        page = item.page
        site = page.get_site() or Site.objects.filter(is_default_site=True).first()
        path = Redirect.normalise_path(urlsplit(item.source_url).path or "/")
        if site is None or path == "/":
            raise CannotMerge(f"no redirect can be made from {item.source_url}")
        held = ImportRedirect.objects.filter(site=site, old_path=path).exclude(page=page).first()
        taken = Redirect.objects.filter(site=site, old_path=path).exclude(redirect_page=page)
        if held is not None or taken.exists():
            raise CannotMerge(
                f"a redirect from {path} already goes elsewhere: change it under "
                "Settings → Redirects, then tick this item off"
            )
        ImportRedirect.objects.get_or_create(
            site=site, old_path=path, defaults={"page": page, "source_url": item.source_url}
        )
        if page.live:
            activate_redirects(page)
        if item.views:
            add_old_views(page, item.views)
        item.merged = True
        item.done_at, item.done_by = timezone.now(), user
        item.save(update_fields=["merged", "done_at", "done_by"])
    return item, True
