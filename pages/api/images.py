"""Images as a front end needs them: absolute URLs, size, alt text for this use, renditions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from wagtail.api.utils import get_full_url
from wagtail.images.models import AbstractImage, Filter

from pages.api.conf import api_setting
from pages.images import prefetch_renditions

__all__ = ["prefetch_renditions", "full_size_url", "image_representation"]

# Originals are never served (pages.images.serve_public_media): a full-size image is offered as
# a rendition of the original, which is stored and served with the other renditions.
FULL_SIZE_SPEC = "original"


def full_size_url(image: AbstractImage, request) -> str:
    """The absolute URL of the image at its original size (a rendition, not the original)."""
    return get_full_url(request, image.get_rendition(FULL_SIZE_SPEC).url)


@lru_cache
def _filters(specs: tuple[str, ...]) -> tuple[Filter, ...]:
    """Parsed once: Wagtail parses a spec string again on every lookup, which dominated."""
    return tuple(Filter(spec=spec) for spec in specs)


def _image_urls(image: AbstractImage, request) -> tuple[str, dict[str, dict[str, Any]]]:
    """(full-size URL, renditions), worked out once per image and request: a long body shows
    the same few images many times."""
    memo = getattr(request, "_clinic_image_urls", None) if request is not None else None
    if memo is None:
        memo = {}
        if request is not None:
            request._clinic_image_urls = memo
    if image.pk not in memo:
        specs: dict[str, str] = api_setting("API_IMAGE_RENDITIONS")
        by_spec = image.get_renditions(*_filters((FULL_SIZE_SPEC, *specs.values())))
        renditions = {
            name: {
                "url": get_full_url(request, by_spec[spec].url),
                "width": by_spec[spec].width,
                "height": by_spec[spec].height,
            }
            for name, spec in specs.items()
        }
        memo[image.pk] = (get_full_url(request, by_spec[FULL_SIZE_SPEC].url), renditions)
    return memo[image.pk]


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
    data["url"], data["renditions"] = _image_urls(image, request)
    return data
