"""Data for all pages in one response, loaded in bulk so a listing costs the same few queries
whether it holds one page or a hundred (breadcrumbs, tags, view counts, image renditions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from wagtail.models import Page

from pages.api.references import public_page_check
from pages.api.streamfield import prepare_streams
from pageviews.api import views_for_many

BATCH_KEY = "clinic_page_batch"


class PageBatch:
    def __init__(self, pages: Sequence[Page], context: dict[str, Any]):
        self.pages = list(pages)
        self.context = context
        self._ids = {page.pk for page in self.pages}

    def covers(self, page: Page) -> bool:
        return page.pk in self._ids

    def prepare(self) -> None:
        """Load what every page's fields will need, before serialising any of them: the
        images and pages the bodies point at, the renditions of every image (hero, sharing,
        body) in one query, and the targets of every internal link (introduction, body) in one
        query per link type (see `prepare_streams`)."""
        prepare_streams(
            self.loaded_bodies(),
            self.context,
            images=[
                getattr(page, field, None)
                for page in self.pages
                for field in ("hero_image", "social_image")
            ],
            rich_text_sources=[getattr(page, "introduction", "") or "" for page in self.pages],
        )

    def loaded_bodies(self) -> list:
        """The pages' StreamField bodies that were loaded with them (a listing defers them)."""
        bodies = (page.__dict__.get("body") for page in self.pages)
        return [body for body in bodies if body is not None and not isinstance(body, str)]

    @cached_property
    def public_ancestors(self) -> dict[str, Page]:
        """Every public ancestor below the tree root of every page, by tree path (one query)."""
        step = Page.steplen
        all_paths = {
            page.path[: step * depth] for page in self.pages for depth in range(2, page.depth)
        }
        check = public_page_check(self.context)
        return {
            ancestor.path: ancestor
            for ancestor in Page.objects.filter(path__in=all_paths)
            if check.is_public(ancestor)
        }

    @cached_property
    def breadcrumbs(self) -> dict[int, list[Page]]:
        """Public ancestors from the site's home page down, then the page itself."""
        step = Page.steplen
        by_path = self.public_ancestors
        return {
            page.pk: [
                by_path[page.path[: step * depth]]
                for depth in range(2, page.depth)
                if page.path[: step * depth] in by_path
            ]
            + [page]
            for page in self.pages
        }

    def public_parent(self, page: Page) -> Page | None:
        """The page's parent when it is live, public and below the tree root, else None."""
        return self.public_ancestors.get(page.path[: -Page.steplen])

    @cached_property
    def tags(self) -> dict[int, list[str]]:
        model = type(self.pages[0]) if self.pages else None
        if model is None or not hasattr(model, "tagged_items"):
            return {}
        through = model._meta.get_field("tagged_items").related_model
        names: dict[int, list[str]] = defaultdict(list)
        for item in through.objects.filter(content_object_id__in=self._ids).select_related("tag"):
            names[item.content_object_id].append(item.tag.name)
        return {page_id: sorted(tags) for page_id, tags in names.items()}

    @cached_property
    def view_totals(self) -> dict[int, int]:
        return views_for_many(self.pages)


def batch_for(page: Page, context: dict[str, Any]) -> PageBatch:
    """The response's batch when it covers this page, else a batch of just this page."""
    batch = context.get(BATCH_KEY)
    if batch is None or not batch.covers(page):
        batch = PageBatch([page], context)
    return batch
