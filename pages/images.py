"""Loading every rendition a page needs in one query, so render cost does not grow with images."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import prefetch_related_objects
from wagtail.images.models import AbstractImage


def iter_body_images(stream) -> Iterator[AbstractImage]:
    """Images inside a StreamField value, at any depth of struct/list blocks."""
    for child in stream or []:
        yield from _images_in(child.value)


def _images_in(value) -> Iterator[AbstractImage]:
    if isinstance(value, AbstractImage):
        yield value
    elif isinstance(value, dict):  # StructValue
        for item in value.values():
            yield from _images_in(item)
    elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
        for item in value:
            yield from _images_in(getattr(item, "value", item))


def prefetch_page_renditions(page) -> None:
    images = [image for image in iter_body_images(getattr(page, "body", None))]
    for field in ("hero_image", "social_image"):
        image = getattr(page, field, None)
        if image is not None:
            images.append(image)
    images = [image for image in images if not hasattr(image, "_prefetched_objects_cache")]
    if images:
        prefetch_related_objects(images, "renditions")
