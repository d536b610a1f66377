"""Images as the server answers them: every internal image (and og:image) is requested once
after the crawl (HEAD, GET where HEAD is refused; and GET, read up to the size limit, where the
answer has no Content-Length); these checks read those answers."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import EngineConfig
from ..results import Finding
from .registry import finding, site_check
from .site import SiteView, TargetStatus

OG_IMAGE = 'meta[property="og:image"]'


def _problem(status: TargetStatus) -> str | None:
    """Why an image URL does not give an image, or None when it does."""
    if status.failed is not None:
        return f"no answer: {status.failed.message}"
    if status.error:
        return status.error
    if status.status != 200:
        return f"HTTP {status.status}"
    if not status.is_image:
        return f"not an image: Content-Type {status.content_type or 'missing'}"
    return None


@site_check(
    "img-broken",
    "error",
    "Image does not load",
    "Fix the image URL or restore the file; serve it with an image/* Content-Type.",
)
def img_broken(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for page in site.pages.values():
        for url, selector, snippet in page.images:
            status = site.images.get(url)
            why = _problem(status) if status is not None else None
            if why:
                yield page.url, finding("img-broken", f"Image {url}: {why}.", selector, snippet)


@site_check(
    "img-too-heavy",
    "warning",
    "Image file is too heavy",
    "Resize the image to the size it is shown at and compress it (WebP or AVIF); "
    "aim for under 300 KB.",
)
def img_too_heavy(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    limit = cfg.image_max_bytes
    for page in site.pages.values():
        for url, selector, snippet in page.images:
            status = site.images.get(url)
            if status is not None and status.bytes is not None and status.bytes > limit:
                if status.bytes_at_least:
                    size = (
                        f"is over {limit / 1000:g} KB (limit {limit / 1000:g} KB; the server "
                        "sent no Content-Length, so the file was read up to the limit)"
                    )
                else:
                    size = f"is {status.bytes / 1000:.1f} KB (limit {limit / 1000:g} KB)"
                yield page.url, finding("img-too-heavy", f"Image {url} {size}.", selector, snippet)


@site_check(
    "og-image-broken",
    "warning",
    "Social image (og:image) does not load",
    "Point og:image at an absolute URL of an image that answers 200 with an image/* type.",
)
def og_image_broken(site: SiteView, cfg: EngineConfig) -> Iterator[tuple[str, Finding]]:
    for page in site.pages.values():
        for url in page.og_images:
            status = site.images.get(url)
            why = _problem(status) if status is not None else None
            if why:
                yield page.url, finding("og-image-broken", f"og:image {url}: {why}.", OG_IMAGE)
