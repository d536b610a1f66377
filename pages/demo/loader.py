"""Creates the demo site idempotently: what exists is left alone, what is missing is added."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from wagtail.models import Page, Site

from audit.signals import suspend_after_publish_audits
from pages.demo import content
from pages.models import (
    ArticleIndexPage,
    ArticlePage,
    ClinicImage,
    ClinicSettings,
    HomePage,
    ServiceIndexPage,
    ServicePage,
)
from pageviews.api import seed_demo_views
from users.roles import ensure_roles

IMAGE_DIR = Path(__file__).parent / "images"
ADMIN_LOGIN_FILE = Path(settings.BASE_DIR) / "var" / "demo-admin-login.txt"


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    admin_login: str = ""

    def note(self, what: str) -> None:
        self.created.append(what)


def load_demo_content(result: LoadResult | None = None) -> LoadResult:
    # Publishing a dozen demo pages should not queue a dozen audits of a site not yet served.
    with suspend_after_publish_audits(), transaction.atomic():
        return _load(result or LoadResult())


def _load(result: LoadResult) -> LoadResult:
    images = {name: _image(name, meta, result) for name, meta in content.DEMO_IMAGES.items()}
    home = _home_page(images, result)
    _clinic_settings(home, images, result)
    services = _child(home, ServiceIndexPage, content.SERVICES_INDEX, images, result)
    articles = _child(home, ArticleIndexPage, content.ARTICLES_INDEX, images, result)
    for data in content.SERVICES:
        _seed_views(_child(services, ServicePage, data, images, result), data, result)
    for data in content.ARTICLES:
        _seed_views(_child(articles, ArticlePage, data, images, result), data, result)
    # The marketing roles are granted on the services and articles sections, which exist now.
    ensure_roles()
    return result


def ensure_demo_admin(result: LoadResult) -> LoadResult:
    """Create 'admin' with a random password only when no superuser exists; remember the login."""
    user_model = get_user_model()
    if not user_model.objects.filter(is_superuser=True).exists():
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser("admin", "admin@localhost", password)
        ADMIN_LOGIN_FILE.parent.mkdir(parents=True, exist_ok=True)
        ADMIN_LOGIN_FILE.write_text(f"admin / {password}\n")
        result.note("superuser admin")
    if ADMIN_LOGIN_FILE.exists():
        result.admin_login = ADMIN_LOGIN_FILE.read_text().strip()
    return result


def _image(name: str, meta: dict, result: LoadResult) -> ClinicImage:
    existing = ClinicImage.objects.filter(title=meta["title"]).first()
    if existing:
        return existing
    with open(IMAGE_DIR / name, "rb") as fh:
        image = ClinicImage(
            title=meta["title"], description=meta["description"], credit=meta["credit"]
        )
        image.file.save(name, File(fh), save=False)
        image.save()
    result.note(f"image {meta['title']}")
    return image


def _home_page(images: dict, result: LoadResult) -> HomePage:
    home = HomePage.objects.first()
    if home:
        return home
    root = Page.get_first_root_node()
    # Wagtail's own "Welcome" page takes the slug 'home'; move it aside, then remove it.
    placeholders = [p for p in root.get_children() if p.specific_class is Page]
    for placeholder in placeholders:
        # A queryset update: no signals, so no background task is queued for a page about to go.
        Page.objects.filter(pk=placeholder.pk).update(slug=f"placeholder-{placeholder.pk}")
    home = HomePage(**_page_fields(HomePage, content.HOME, images))
    root.add_child(instance=home)
    home.save_revision().publish()
    # Full URLs (canonical, sitemap, JSON-LD) come from the Site record: match where we serve.
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = base.hostname or "localhost"
    site.port = base.port or (443 if base.scheme == "https" else 80)
    site.root_page = home
    site.site_name = content.CLINIC["name"]
    site.save()
    for placeholder in placeholders:
        placeholder.delete()
    result.note("home page")
    return home


def _clinic_settings(home: HomePage, images: dict, result: LoadResult) -> None:
    site = home.get_site()
    clinic = ClinicSettings.for_site(site)
    if clinic.street_address:  # already filled in, by us or by an editor
        return
    for key, value in content.CLINIC.items():
        setattr(clinic, key, value)
    clinic.share_image = images[content.CLINIC_SHARE_IMAGE]
    clinic.save()
    result.note("clinic settings")


def _child(parent: Page, model: type[Page], data: dict, images: dict, result: LoadResult):
    existing = model.objects.child_of(parent).filter(slug=data["slug"]).first()
    if existing:
        return existing
    page = model(**_page_fields(model, data, images))
    if data.get("tags"):
        page.tags.add(*data["tags"])  # a cluster relation: saved with the page and revision
    parent.add_child(instance=page)
    page.save_revision().publish()
    result.note(f"{model._meta.verbose_name} {data['slug']}")
    return page


def _seed_views(page: Page, data: dict, result: LoadResult) -> None:
    """The old site's view count, only while the page has none (so real views are kept)."""
    if seed_demo_views(page, data.get("views", 0)):
        result.note(f"views for {data['slug']}")


def _page_fields(model: type[Page], data: dict, images: dict) -> dict:
    fields = {
        key: data[key]
        for key in (
            "title",
            "slug",
            "seo_title",
            "search_description",
            "introduction",
            "session_minutes_min",
            "session_minutes_max",
            "author",
            "date",
        )
        if key in data
    }
    fields["show_in_menus"] = model in (ServiceIndexPage, ArticleIndexPage)
    if "body" in data:
        fields["body"] = [_raw_block(block, images) for block in data["body"]]
    if "who_it_helps" in data:
        fields["who_it_helps"] = [{"type": "item", "value": item} for item in data["who_it_helps"]]
    if "hero" in data:
        file, alt = data["hero"]
        fields["hero_image"] = images[file]
        fields["hero_image_alt"] = alt
    if "cta" in data:
        fields["cta_text"], fields["cta_label"], fields["cta_url"] = data["cta"]
    return fields


def _raw_block(block: tuple[str, object], images: dict) -> dict:
    block_type, value = block
    if block_type == "image":
        spec = value["image"]
        value = {
            "image": {
                "image": images[spec["file"]].pk,
                "alt_text": spec["alt_text"],
                "decorative": spec["decorative"],
            },
            "caption": value["caption"],
        }
    return {"type": block_type, "value": value}
