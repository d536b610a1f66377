"""Images as a front end needs them: absolute URLs, size, alt text for this use, renditions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import prefetch_related_objects
from wagtail.api.utils import get_full_url
from wagtail.images.models import AbstractImage

from pages.api.conf import api_setting


def prefetch_renditions(images: Iterable[AbstractImage | None]) -> None:
    """Load the stored renditions of many images in one query, so later lookups are free."""
    todo = [
        image
        for image in images
        if image is not None and "renditions" not in getattr(image, "_prefetched_objects_cache", {})
    ]
    if todo:
        prefetch_related_objects(todo, "renditions")


def renditions_representation(image: AbstractImage, request) -> dict[str, dict[str, Any]]:
    specs: dict[str, str] = api_setting("API_IMAGE_RENDITIONS")
    by_spec = image.get_renditions(*specs.values())
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
        "url": get_full_url(request, image.file.url),
        "width": image.width,
        "height": image.height,
        "alt": "" if decorative else alt,
        "decorative": decorative,
    }
    if caption is not None:
        data["caption"] = caption
    data["renditions"] = renditions_representation(image, request)
    return data
