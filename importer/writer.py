"""Write one converted page: a draft (a revision, not live), its images, redirect and views.
The redirect waits for the page: it goes live when the page is published.

Only pages this importer created are ever changed: they are found by their old URL
(``ImportedPage``); any other page with the same title or slug is reported, not touched.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.files.images import ImageFile
from django.db.models import Q
from PIL import Image, UnidentifiedImageError
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from audit.engine import normalize_url
from cms.errors import ClinicError
from importer.convert import Block, ConvertedPage, Kind, Skipped
from importer.models import ImportedImage, ImportedPage, ImportRedirect
from importer.signals import activate_redirects
from pages.models import ArticleIndexPage, ArticlePage, ServiceIndexPage, ServicePage
from pageviews.importer import TOTAL_DATE, write_batch
from pageviews.models import PageViewCount

MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
_LINK = re.compile(r'<a href="([^"]*)">')


class WriteError(ClinicError):
    """This page cannot be written; the message is one line for the report."""


class EditedSinceImport(WriteError):
    """An editor has changed the imported page: it is theirs now."""


@dataclass
class Sections:
    """Where imported pages go."""

    site: Site
    articles: Page | None
    services: Page | None

    @classmethod
    def of_default_site(cls) -> Sections:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            raise WriteError("no default site: create one under Settings → Sites first")
        root = site.root_page
        return cls(
            site=site,
            articles=ArticleIndexPage.objects.descendant_of(root).first(),
            services=ServiceIndexPage.objects.descendant_of(root).first(),
        )

    def instead_of(self, skipped: Skipped) -> str:
        """Where readers of a skipped old URL are best sent: the new home page for the old
        one, the articles section for a listing, the home page for a page with no content
        of its own (an editor may know better: it is a suggestion, never added by itself)."""
        section = self.articles if skipped.like == "listing" else None
        page = section or self.site.root_page
        return page.get_url(None) or "/"

    def parent_for(self, kind: Kind) -> Page:
        parent = self.articles if kind is Kind.ARTICLE else self.services
        if parent is None:
            section = "an articles" if kind is Kind.ARTICLE else "a services"
            raise WriteError(f"this site has no {section} section: create it, then import again")
        return parent


@dataclass
class Written:
    page: Page
    action: str  # created, updated, unchanged
    unresolved_links: list[str] = field(default_factory=list)
    redirect: str = ""
    redirect_problem: str = ""


def imported_page_for(url: str) -> ImportedPage | None:
    return ImportedPage.objects.filter(source_url=url).select_related("page").first()


def duplicate_of(page: ConvertedPage, parent: Page) -> Page | None:
    """A page this importer did not create for this URL with the same title, or the same slug
    in the section it would go to."""
    mine = ImportedPage.objects.filter(source_url=page.url).values("page_id")
    same_title = Q(title__iexact=page.title) & Q(depth__gt=2)
    same_slug = Q(slug=page.slug) & Q(path__startswith=parent.path, depth=parent.depth + 1)
    return Page.objects.filter(same_title | same_slug).exclude(pk__in=mine).order_by("pk").first()


def link_map() -> dict[str, int]:
    """Old URL -> page id of every page imported so far."""
    return dict(ImportedPage.objects.values_list("source_url", "page_id"))


def rewrite_links(rich: str, pages: dict[str, int], old_host: str) -> tuple[str, list[str]]:
    """Links to imported pages become page links; other links to the old site are returned."""
    unresolved: list[str] = []

    def swap(match: re.Match[str]) -> str:
        href = html.unescape(match.group(1))
        target = normalize_url(href)
        if target in pages:
            return f'<a linktype="page" id="{pages[target]}">'
        if target and urlsplit(target).netloc == old_host:
            unresolved.append(target)
        return match.group(0)

    return _LINK.sub(swap, rich), unresolved


def body_data(
    blocks: list[Block], images: dict[str, int], pages: dict[str, int], old_host: str
) -> tuple[list[dict], list[str]]:
    """Raw StreamField data for ``BodyBlock``; images not in ``images`` are left out."""
    out: list[dict] = []
    unresolved: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            out.append({"type": "heading", "value": {"text": block.text, "level": block.level}})
        elif block.kind == "paragraph":
            rich, missing = rewrite_links(block.html, pages, old_host)
            unresolved += missing
            out.append({"type": "paragraph", "value": rich})
        elif block.kind == "quote":
            value = {"quote": block.text, "attribution": block.attribution}
            out.append({"type": "quote", "value": value})
        elif block.kind == "image" and block.image and block.image.src in images:
            image = {
                "image": images[block.image.src],
                "alt_text": block.image.alt,
                "decorative": False,
            }
            out.append({"type": "image", "value": {"image": image, "caption": block.image.caption}})
    return out, unresolved


def page_fields(
    page: ConvertedPage, images: dict[str, int], pages: dict[str, int]
) -> tuple[dict, list[str]]:
    body, unresolved = body_data(page.blocks, images, pages, urlsplit(page.url).netloc)
    fields = {
        "title": page.title,
        "slug": page.slug,
        "seo_title": page.seo_title,
        "search_description": page.description if page.description != page.introduction else "",
        "introduction": f"<p>{html.escape(page.introduction)}</p>" if page.introduction else "",
        "body": body,
    }
    if page.kind is Kind.ARTICLE:
        fields["date"] = page.date  # never today's: missing dates are on the page's to-do
        fields["author"] = page.author
    return fields, unresolved


def content_hash(fields: dict, kind: Kind) -> str:
    data = json.dumps([kind.value, fields], sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def write_page(
    page: ConvertedPage,
    parent: Page,
    images: dict[str, int],
    pages: dict[str, int],
) -> Written:
    """Create or update the draft. Call inside a transaction (with the redirect and views)."""
    fields, unresolved = page_fields(page, images, pages)
    digest = content_hash(fields, page.kind)
    imported = imported_page_for(page.url)
    model = ArticlePage if page.kind is Kind.ARTICLE else ServicePage
    if imported is not None:
        existing = imported.page.specific
        if imported.content_hash == digest:
            return Written(existing, "unchanged", unresolved)
        if existing.latest_revision_id != imported.revision_id:
            raise EditedSinceImport(
                f"page {existing.pk} was edited in the CMS since it was imported, so the old "
                "site's changes were not applied: copy them over by hand if they are wanted"
            )
        if not isinstance(existing, model):
            raise WriteError(
                f"it was imported as a {existing._meta.verbose_name} before; "
                f"delete page {existing.pk} to import it as a {model._meta.verbose_name}"
            )
        draft = existing.get_latest_revision_as_object()
        for name, value in fields.items():
            setattr(draft, name, value)
        revision = draft.save_revision(clean=False)
        imported.content_hash, imported.revision_id = digest, revision.pk
        imported.save(update_fields=["content_hash", "revision_id", "updated_at"])
        return Written(existing, "updated", unresolved)
    new = model(**fields, live=False)
    parent.add_child(instance=new)
    revision = new.save_revision(clean=False)
    ImportedPage.objects.create(
        source_url=page.url, page=new, content_hash=digest, revision_id=revision.pk
    )
    return Written(new, "created", unresolved)


def add_redirect(old_url: str, page: Page, site: Site) -> tuple[str, str]:
    """A permanent redirect from the old path to the page, live only while the page is
    (``importer.signals``): (path, problem). Wagtail matches a path with or without its
    trailing slash, so one redirect serves both."""
    path = Redirect.normalise_path(urlsplit(old_url).path or "/")
    parts = page.get_url_parts()
    new_path = Redirect.normalise_path(parts[2]) if parts else ""
    if path == new_path or path == "/":
        return "", ""
    existing = Redirect.objects.filter(old_path=path, site=site).first()
    if existing is not None and existing.redirect_page_id != page.pk:
        return "", f"a redirect from {path} already goes elsewhere; it was left as it is"
    wanted, _ = ImportRedirect.objects.get_or_create(
        site=site, old_path=path, defaults={"page": page, "source_url": old_url}
    )
    if wanted.page_id != page.pk:
        return "", f"a redirect from {path} already goes to page {wanted.page_id}; left as it is"
    if page.live:
        activate_redirects(page)  # a page live before this import (a re-import)
    return path, ""


def set_views(page: Page, views: int) -> None:
    """The old site's total as the page's historical total (replaced on every re-import)."""
    write_batch([PageViewCount(page_id=page.pk, date=TOTAL_DATE, count=views)])


def save_image(data: bytes, url: str, title: str) -> tuple[int, bool]:
    """(image id, created) for the image's bytes: one library image per content."""
    digest = hashlib.sha256(data).hexdigest()
    same = ImportedImage.objects.filter(sha256=digest).first()
    if same is not None:
        ImportedImage.objects.get_or_create(
            source_url=url, defaults={"sha256": digest, "image_id": same.image_id}
        )
        return same.image_id, False
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise WriteError(
                    f"image {url} is {width}×{height} pixels, more than we import; "
                    "upload a smaller copy by hand"
                )
            probe.verify()
        # verify() checks little for some formats (nothing for JPEG): decode once, within the
        # pixel limit above, so a truncated file is refused here and not in Wagtail's model.
        with Image.open(io.BytesIO(data)) as full:
            full.load()
    except Image.DecompressionBombError:
        # Pillow refuses to open it at all (far past its own pixel limit) before we can ask.
        raise WriteError(
            f"image {url} has more pixels than we import; upload a smaller copy by hand"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise WriteError(f"image {url} is not a readable image ({exc})") from None
    name = urlsplit(url).path.rpartition("/")[2] or "image"
    image = None
    try:
        image = get_image_model()(
            title=title[:255] or name, file=ImageFile(io.BytesIO(data), name=name)
        )
        image.save()
        ImportedImage.objects.create(source_url=url, sha256=digest, image=image)
    except Exception as exc:
        # The caller's savepoint drops the rows; the stored file must go too (no orphan).
        if image is not None and image.file:
            image.file.delete(save=False)
        raise WriteError(f"image {url} could not be stored ({exc})") from None
    return image.pk, True
