"""Serializer fields for page types, and the `api_fields` list of each page model.

Fields that need related data read it from the response's `PageBatch`, so a listing of many
pages costs the same few queries as one page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.fields import Field
from wagtail.api import APIField

from pages.api.batch import BATCH_KEY, batch_for
from pages.api.images import image_representation
from pages.api.references import page_full_url, page_reference, public_page_check
from pages.api.rich_text import rich_text_api
from pages.api.view_count_marker import VIEW_COUNT_MARKER_KEY, view_count_placeholder
from pages.images import public_image


class PageDerivedField(Field):
    """A read-only field computed from the whole page rather than one attribute."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    @property
    def request(self):
        return self.context.get("request")


class RichTextHtmlField(Field):
    """A RichTextField as HTML with internal links resolved (or `?rich_text_format=`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        return rich_text_api(value, self.context)


def _hero_image_of(page, request) -> dict[str, Any] | None:
    image = public_image(getattr(page, "hero_image", None), request)
    if image is None:
        return None
    return image_representation(
        image,
        request,
        alt=page.hero_image_alt,
        decorative=page.hero_image_decorative,
    )


def _social_image_of(page, request) -> dict[str, Any] | None:
    image = public_image(page.social_image, request)
    if image is None:
        return None
    return image_representation(image, request, alt=image.default_alt_text, decorative=False)


class HeroImageField(PageDerivedField):
    """The hero image with the alt text written for this page (empty when decorative)."""

    def to_representation(self, page) -> dict[str, Any] | None:
        return _hero_image_of(page, self.request)


class SocialImageField(PageDerivedField):
    """The image chosen for sharing, if any (see `seo.image` for the one actually used)."""

    def to_representation(self, page) -> dict[str, Any] | None:
        return _social_image_of(page, self.request)


class SeoField(PageDerivedField):
    """What a front end puts in <head>, with the same fallbacks as the HTML site."""

    def to_representation(self, page) -> dict[str, Any]:
        return {
            "title": page.meta_title,
            "description": page.meta_description,
            "canonical_url": page.canonical_url or page_full_url(page, self.request),
            "image": _social_image_of(page, self.request) or _hero_image_of(page, self.request),
        }


class BreadcrumbsField(PageDerivedField):
    def to_representation(self, page) -> list[dict[str, Any]]:
        crumbs = batch_for(page, self.context).breadcrumbs[page.pk]
        return [page_reference(crumb, self.context) for crumb in crumbs]


class ViewCountField(PageDerivedField):
    """Total views, read for the whole response in one query; a placeholder in an answer
    being cached, filled in with the current total each time it is served."""

    def to_representation(self, page) -> int | str:
        marker = self.context.get(VIEW_COUNT_MARKER_KEY)
        if marker:
            return view_count_placeholder(marker, page.pk)
        return batch_for(page, self.context).view_totals.get(page.pk, 0)


class TagsField(PageDerivedField):
    def to_representation(self, page) -> list[str]:
        batch = self.context.get(BATCH_KEY)
        if batch is not None and batch.covers(page):
            return batch.tags.get(page.pk, [])
        # A preview page holds its (draft) tags in memory, so read them from the page.
        return sorted(tag.name for tag in page.tags.all())


class WhoItHelpsField(PageDerivedField):
    def to_representation(self, page) -> list[str]:
        return [str(child.value) for child in page.who_it_helps or []]


class CallToActionField(PageDerivedField):
    """The service page's call to action; `page` only when its target is live and public."""

    def to_representation(self, page) -> dict[str, Any] | None:
        return call_to_action(
            page, self.context, lambda target: page_reference(target, self.context)
        )


def call_to_action(
    page: Any, context: dict[str, Any], reference: Callable[[Any], dict[str, Any]]
) -> dict[str, Any] | None:
    """CallToActionField's value for ``page`` (a page or a listing's row with the same
    ``cta_*`` attributes); ``reference(target)`` shows the target page."""
    if not (page.cta_label or page.cta_text):
        return None
    target_page = page.cta_page if page.cta_page_id else None
    target = reference(target_page) if public_page_check(context).is_public(target_page) else None
    return {
        "text": page.cta_text,
        "button_label": page.cta_label,
        "url": target["meta"]["html_url"] if target else page.cta_url,
        "page": target,
    }


def _common_fields() -> list[APIField]:
    return [
        APIField("canonical_url"),
        APIField("social_image", serializer=SocialImageField()),
        APIField("seo", serializer=SeoField()),
        APIField("breadcrumbs", serializer=BreadcrumbsField()),
    ]


def _introduction() -> APIField:
    return APIField("introduction", serializer=RichTextHtmlField())


def _hero_image() -> APIField:
    return APIField("hero_image", serializer=HeroImageField())


HOME_PAGE = [_introduction(), _hero_image(), APIField("body"), *_common_fields()]
SERVICE_INDEX_PAGE = [_introduction(), *_common_fields()]
ARTICLE_INDEX_PAGE = [_introduction(), *_common_fields()]
SERVICE_PAGE = [
    _introduction(),
    APIField("session_minutes_min"),
    APIField("session_minutes_max"),
    APIField("session_length"),
    APIField("who_it_helps", serializer=WhoItHelpsField()),
    APIField("body"),
    _hero_image(),
    APIField("call_to_action", serializer=CallToActionField()),
    *_common_fields(),
    APIField("view_count", serializer=ViewCountField()),
]
ARTICLE_PAGE = [
    _introduction(),
    APIField("author"),
    APIField("date"),
    APIField("tags", serializer=TagsField()),
    APIField("body"),
    _hero_image(),
    *_common_fields(),
    APIField("view_count", serializer=ViewCountField()),
]

# StreamFields are served by the detail view only: a listing stays a summary, and its cost
# does not grow with the length of every body in it.
DETAIL_ONLY_FIELDS = ["parent", "body", "who_it_helps"]
