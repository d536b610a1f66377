"""Image alternative text, following axe-core's image-alt rule for what counts as a name."""

from __future__ import annotations

import re
from posixpath import basename, splitext
from urllib.parse import unquote, urlsplit

from ..config import EngineConfig
from ..facts import Image, PageFacts
from ..results import Finding
from .registry import finding, page_check

_EXTENSION = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg|bmp|tiff?|heic|ico)\s*$", re.I)
_CAMERA = re.compile(
    r"^(img|dsc|dscn|dscf|dcim|pxl|mvimg|gopr|screenshot|photo|image)[-_ ]?\d{2,}", re.I
)
_UNDERSCORED = re.compile(r"^\S*_\S*$")
GENERIC_ALT = frozenset(
    {
        "image",
        "img",
        "photo",
        "photograph",
        "picture",
        "pic",
        "graphic",
        "icon",
        "spacer",
        "placeholder",
        "untitled",
        "alt",
        "alt text",
        "image of",
        "photo of",
        "picture of",
        "banner",
        "thumbnail",
    }
)


def is_decorative(image: Image) -> bool:
    """alt="", aria-hidden, or a presentational role that nothing cancels."""
    if image.aria_hidden:
        return True
    if image.role in ("presentation", "none") and not (image.focusable or image.global_aria):
        return True
    return image.alt == ""


def has_name(image: Image) -> bool:
    if image.alt is not None:
        return bool(image.alt.strip())  # whitespace-only alt is not a name
    return bool(
        (image.aria_label or "").strip()
        or (image.labelledby_text or "").strip()
        or (image.title or "").strip()
    )


def _described(page: PageFacts) -> list[tuple[Image, str]]:
    """Non-decorative images with a non-empty alt, and that alt stripped."""
    return [
        (image, image.alt.strip())
        for image in page.images
        if image.alt is not None and image.alt.strip() and not is_decorative(image)
    ]


@page_check(
    "img-alt-missing",
    "error",
    "Image has no text alternative",
    'Add alt text that says what the image shows, or alt="" if it is purely decorative.',
    axe_rule="image-alt",
)
def img_alt_missing(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    return [
        finding(
            "img-alt-missing",
            f"Image {image.src or '(no src)'} has no alt text or other accessible name.",
            image.selector,
            image.snippet,
        )
        for image in page.images
        if not is_decorative(image) and not has_name(image)
    ]


def looks_like_filename(alt: str, src: str) -> bool:
    if _EXTENSION.search(alt) or _CAMERA.match(alt) or _UNDERSCORED.match(alt):
        return True
    name = unquote(basename(urlsplit(src).path)) if src and not src.startswith("data:") else ""
    return bool(name) and alt.lower() in (name.lower(), splitext(name)[0].lower())


@page_check(
    "img-alt-filename",
    "warning",
    "Image alt text is a file name",
    "Replace the file name with a short description of what the image shows.",
)
def img_alt_filename(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    return [
        finding(
            "img-alt-filename",
            f"Alt text {alt!r} looks like a file name.",
            image.selector,
            image.snippet,
        )
        for image, alt in _described(page)
        if looks_like_filename(alt, image.src)
    ]


@page_check(
    "img-alt-generic",
    "warning",
    "Image alt text is generic",
    "Say what the image shows ('A runner stretching her calf against a wall'), not that it is "
    "an image.",
)
def img_alt_generic(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    return [
        finding(
            "img-alt-generic",
            f"Alt text {alt!r} does not describe the image.",
            image.selector,
            image.snippet,
        )
        for image, alt in _described(page)
        if " ".join(re.sub(r"[^\w\s]", " ", alt.lower()).split()) in GENERIC_ALT
    ]


@page_check(
    "img-alt-too-long",
    "notice",
    "Image alt text is too long",
    "Keep alt text short; move long descriptions into the page text or a caption.",
)
def img_alt_too_long(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    limit = cfg.thresholds.alt_max
    return [
        finding(
            "img-alt-too-long",
            f"Alt text is {len(alt)} characters; keep it to {limit} or fewer.",
            image.selector,
            image.snippet,
        )
        for image, alt in _described(page)
        if len(alt) > limit
    ]


# Screens up to this pixel density deserve sharp images; a file wider than that many device
# pixels per CSS pixel, times OVERSIZE_FACTOR, is bytes no reader sees.
DENSITY = 2
OVERSIZE_FACTOR = 2


def _smallest_offered(image: Image) -> tuple[int, str] | None:
    """(width in px, where it comes from) of the narrowest file the browser can choose."""
    if image.intrinsic_width:
        return image.intrinsic_width, "The image file is"
    if image.srcset_widths:
        return min(image.srcset_widths), "The narrowest file its srcset offers is"
    return None


@page_check(
    "img-oversized",
    "notice",
    "Image file is far wider than the page shows it",
    "Offer smaller files in srcset (with sizes) or resize the image, so browsers do not "
    "download pixels no screen shows.",
)
def img_oversized(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    out = []
    for image in page.images:
        offered = _smallest_offered(image)
        if offered is None or not image.display_width:
            continue
        width, source = offered
        enough = image.display_width * DENSITY
        if width > enough * OVERSIZE_FACTOR:
            out.append(
                finding(
                    "img-oversized",
                    f"{source} {width}px wide; the page shows it at most "
                    f"{image.display_width}px wide ({enough}px on a {DENSITY}x screen).",
                    image.selector,
                    image.snippet,
                )
            )
    return out
