"""Images as a front end needs them: absolute URLs, size, alt text for this use, renditions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import prefetch_related_objects
from wagtail.api.utils import get_full_url
from wagtail.images.models import AbstractImage

from pages.api.conf import api_setting

# Originals are never served (pages.images.serve_public_media): a full-size image is offered as
# a rendition of the original, which is stored and served with the other renditions.
FULL_SIZE_SPEC = "original"


def prefetch_renditions(images: Iterable[AbstractImage | None]) -> None:
    """Load the stored renditions of many images in one query, so later lookups are free."""
    todo = [
        image
        for image in images
        if image is not None and "renditions" not in getattr(image, "_prefetched_objects_cache", {})
    ]
    if todo:
        prefetch_related_objects(todo, "renditions")


def full_size_url(image: AbstractImage, request) -> str:
    """The absolute URL of the image at its original size (a rendition, not the original)."""
    return get_full_url(request, image.get_rendition(FULL_SIZE_SPEC).url)


def renditions_representation(image: AbstractImage, request) -> dict[str, dict[str, Any]]:
    specs: dict[str, str] = api_setting("API_IMAGE_RENDITIONS")
    # The full-size rendition is made with the others, in the same lookup.
    by_spec = image.get_renditions(FULL_SIZE_SPEC, *specs.values())
    return {
        name: {
            "url": get_full_url(request, by_spec[spec].url),
            "width": by_spec[spec].width,
            "height": by_spec[spec].height,
        }
        for name, spec in specs.items()
    }


def image_representation(
    image: AbstractImage,
    request,
    *,
    alt: str,
    decorative: bool,
    caption: str | None = None,
) -> dict[str, Any]:
    """One image use. A decorative image always has empty alt text, whatever was typed."""
    data: dict[str, Any] = {
        "id": image.pk,
        "url": "",
        "width": image.width,
        "height": image.height,
        "alt": "" if decorative else alt,
        "decorative": decorative,
    }
    if caption is not None:
        data["caption"] = caption
    data["renditions"] = renditions_representation(image, request)
    # After the renditions: their lookup made the full-size rendition, so this is free.
    data["url"] = full_size_url(image, request)
    return data
