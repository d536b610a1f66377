"""Page types. The public HTML of each lives in templates/pages/<page_type>.html."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction, get_page_models
from wagtail.search import index
from wagtail.url_routing import RouteResult

from pages import render_cache
from pages.api import fields as page_api
from pages.api.preview import HeadlessPreviewWhenConfigured
from pages.blocks import BodyBlock, WhoItHelpsBlock
from pages.images import prefetch_page_renditions
from pageviews.api import views_for

IMAGE_MODEL = "pages.ClinicImage"
INTRO_FEATURES = ["bold", "italic", "link"]


class SeoMixin(models.Model):
    """SEO fields every page has on top of Wagtail's seo_title and search_description."""

    canonical_url = models.URLField(
        "canonical URL",
        blank=True,
        help_text="Leave empty: the page's own URL is canonical. Set only for a page that copies "
        "another.",
    )
    social_image = models.ForeignKey(
        IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared (Open Graph). Falls back to the hero image.",
    )

    class Meta:
        abstract = True

    # Fallbacks used by templates, JSON-LD and the API so they cannot disagree.
    @property
    def meta_title(self) -> str:
        return self.seo_title or self.title

    def document_title(self, site_name: str, limit: int = 60) -> str:
        """The <title>: the SEO title, with the clinic's name added only while it fits the limit."""
        with_name = f"{self.meta_title} | {site_name}"
        if site_name and site_name not in self.meta_title and len(with_name) <= limit:
            return with_name
        return self.meta_title

    @property
    def meta_description(self) -> str:
        if self.search_description:
            return self.search_description
        intro = getattr(self, "introduction", "") or ""
        text = " ".join(strip_tags(intro).split())
        return text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + "…"

    def canonical_for(self, request=None) -> str:
        return self.canonical_url or self.get_full_url(request)

    @property
    def share_image(self):
        return self.social_image or getattr(self, "hero_image", None)


class HeroImageMixin(models.Model):
    """A hero image with alt text for this use, or an explicit decorative flag."""

    hero_image = models.ForeignKey(
        IMAGE_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_image_alt = models.CharField(
        "hero image alt text",
        max_length=255,
        blank=True,
        help_text="Describe what the photo shows for someone who cannot see it, in a sentence. "
        "Leave empty only if the image is decorative.",
    )
    hero_image_decorative = models.BooleanField(
        "hero image is decorative",
        default=False,
        help_text='Tick only if the image adds nothing a reader would miss; it gets alt="".',
    )

    hero_panels = [
        MultiFieldPanel(
            [
                FieldPanel("hero_image"),
                FieldPanel("hero_image_alt"),
                FieldPanel("hero_image_decorative"),
            ],
            heading="Hero image",
        )
    ]

    class Meta:
        abstract = True

    @property
    def hero_alt(self) -> str:
        return "" if self.hero_image_decorative else self.hero_image_alt

    def clean(self):
        super().clean()
        if (
            self.hero_image_id
            and not self.hero_image_decorative
            and not self.hero_image_alt.strip()
        ):
            raise ValidationError(
                {
                    "hero_image_alt": "Add alt text describing the hero image, or tick "
                    "'hero image is decorative' if it adds nothing for the reader."
                }
            )


class BasePage(HeadlessPreviewWhenConfigured, SeoMixin, Page):
    """Common parent of every clinic page type (not a page type itself)."""

    og_type = "website"
    json_ld_type = "WebPage"

    # The promote tab of every page type: Wagtail's slug and SEO fields, then SeoMixin's.
    promote_panels = [
        MultiFieldPanel(
            [
                FieldPanel("slug"),
                FieldPanel(
                    "seo_title",
                    help_text="The title search engines show. Aim for 30–60 characters; "
                    "the page title is used when empty.",
                ),
                FieldPanel(
                    "search_description",
                    help_text="The snippet under the title in search results. Aim for 70–160 "
                    "characters; the introduction is used when empty.",
                ),
                FieldPanel("canonical_url"),
                FieldPanel("social_image"),
            ],
            heading="For search engines and sharing",
        ),
        MultiFieldPanel([FieldPanel("show_in_menus")], heading="For site menus"),
    ]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["canonical_url"] = self.canonical_for(request)
        # The body's images are loaded inside the body fragment ({% prefetch_body_renditions %}),
        # only when it is not already cached: loading them here meant reading the body's
        # images and link targets on every request.
        prefetch_page_renditions(self, body=False)
        return context

    @cached_property
    def view_count(self) -> int:
        """Total views (the sum of the page's daily counts), as readers, JSON-LD and the API
        show it. Cached per object: read once per request, after the view was recorded."""
        return views_for(self)

    @cached_property
    def breadcrumbs(self) -> list[Page]:
        """Ancestors from the home page down to this page (the tree root is not public).
        The ancestors are generic pages with title and URL fields, cached across requests
        (pages.render_cache): that is all breadcrumbs and JSON-LD show of them."""
        if self.pk is None:
            return [*self.get_ancestors().filter(depth__gt=1).only(*render_cache.NAV_FIELDS), self]
        return [*render_cache.ancestors(self), self]

    def get_view_restrictions(self):
        """Wagtail's check, skipped (two queries per request) while no page on any site has a
        view restriction; the cached answer is dropped whenever a restriction is saved."""
        if not render_cache.any_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class HomePage(HeroImageMixin, BasePage):
    introduction = RichTextField(features=INTRO_FEATURES, blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        *HeroImageMixin.hero_panels,
        FieldPanel("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["pages.ServiceIndexPage", "pages.ArticleIndexPage"]
    max_count = 1

    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    api_fields = page_api.HOME_PAGE

    class Meta:
        verbose_name = "home page"

    def route(self, request, path_components):
        """Find the page at the URL with one cached lookup by url_path instead of Wagtail's
        walk down the tree (two queries per level). Equivalent because no page type here
        overrides route(): as in the walk, only the page found must be live. Anything the
        shortcut cannot vouch for (no page there, a stale hint) goes the usual way."""
        if path_components:
            page = self._page_at(self.url_path + "/".join(path_components) + "/")
            if page is not None:
                if not page.live:
                    raise Http404
                return RouteResult(page)
        return super().route(request, path_components)

    @staticmethod
    def _page_at(url_path: str) -> Page | None:
        if not _every_page_type_routes_by_slug():
            return None
        hint = render_cache.route_hint(url_path)
        if hint is None:
            return None
        page_id, content_type_id = hint
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            return None
        # The images the page shows come in the same query (rendition prefetch needs them).
        images = [
            field.name
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model._meta.label == IMAGE_MODEL
        ]
        page = model.objects.select_related(*images).filter(pk=page_id).first()
        return page if page is not None and page.url_path == url_path else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["services"] = (
            ServicePage.objects.live().public().specific().defer_streamfields().order_by("path")
        )
        context["latest_articles"] = (
            ArticlePage.objects.live()
            .public()
            .defer_streamfields()
            .order_by(F("date").desc(nulls_last=True), "-pk")[:3]
        )
        return context


@functools.cache
def _every_page_type_routes_by_slug() -> bool:
    """True while no page type below the home page customises route() (e.g. RoutablePageMixin):
    only then is a lookup by url_path the same as Wagtail's walk."""
    return all(model.route is Page.route for model in get_page_models() if model is not HomePage)


class ServiceIndexPage(BasePage):
    json_ld_type = "CollectionPage"

    introduction = RichTextField(features=INTRO_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ServicePage"]
    max_count = 1
    api_fields = page_api.SERVICE_INDEX_PAGE

    class Meta:
        verbose_name = "services index"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["services"] = (
            ServicePage.objects.child_of(self).live().public().defer_streamfields().order_by("path")
        )
        return context


class ServicePage(HeroImageMixin, BasePage):
    json_ld_type = "MedicalWebPage"

    introduction = RichTextField(
        features=INTRO_FEATURES,
        help_text="Two or three sentences: what the service is and for whom.",
    )
    body = StreamField(BodyBlock())
    session_minutes_min = models.PositiveSmallIntegerField(
        "shortest session (minutes)", null=True, blank=True
    )
    session_minutes_max = models.PositiveSmallIntegerField(
        "longest session (minutes)", null=True, blank=True
    )
    who_it_helps = StreamField(WhoItHelpsBlock(), blank=True)
    cta_text = models.CharField("call-to-action text", max_length=200, blank=True)
    cta_label = models.CharField("call-to-action button", max_length=60, blank=True)
    cta_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="call-to-action page",
    )
    cta_url = models.URLField("call-to-action URL", blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        *HeroImageMixin.hero_panels,
        FieldRowPanel(
            [FieldPanel("session_minutes_min"), FieldPanel("session_minutes_max")],
            heading="Session length",
        ),
        FieldPanel("who_it_helps"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("cta_text"),
                FieldPanel("cta_label"),
                FieldPanel("cta_page"),
                FieldPanel("cta_url"),
            ],
            heading="Call to action",
        ),
    ]
    parent_page_types = ["pages.ServiceIndexPage"]
    subpage_types: list[str] = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    api_fields = page_api.SERVICE_PAGE

    class Meta:
        verbose_name = "service page"

    @property
    def session_length(self) -> str:
        low, high = self.session_minutes_min, self.session_minutes_max
        if low and high and low != high:
            return f"{low}–{high} minutes"
        if low or high:
            return f"{low or high} minutes"
        return ""

    @property
    def cta_href(self) -> str:
        if self.cta_page_id:
            return self.cta_page.url or ""
        return self.cta_url

    def clean(self):
        super().clean()
        low, high = self.session_minutes_min, self.session_minutes_max
        if low and high and low > high:
            raise ValidationError(
                {"session_minutes_max": "The longest session cannot be shorter than the shortest."}
            )
        if self.cta_label and not (self.cta_page_id or self.cta_url):
            raise ValidationError(
                {"cta_page": "Choose a page or enter a URL for the call to action."}
            )


class ArticleIndexPage(BasePage):
    json_ld_type = "CollectionPage"

    introduction = RichTextField(features=INTRO_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ArticlePage"]
    max_count = 1
    api_fields = page_api.ARTICLE_INDEX_PAGE

    class Meta:
        verbose_name = "articles index"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.child_of(self).live().public().defer_streamfields()
        slug = request.GET.get("tag")
        if slug is not None:
            # A tag listing (?tag=slug, the links under each article): its own canonical URL,
            # title and description, so the audit and search engines see a distinct page.
            tag = self.tags_in_use().filter(slug=slug[:100]).first()
            if tag is None:
                raise Http404("no article has this tag")
            articles = articles.filter(tags=tag)
            context.update(
                tag=tag,
                listing_title=f"Articles tagged “{tag.name}”",
                listing_description=(
                    f"Our physiotherapists' articles about {tag.name}: what helps, what to try "
                    "at home and when to book an assessment."
                ),
                canonical_url=self.tag_listing_url(tag, request),
            )
        context["articles"] = articles.order_by(F("date").desc(nulls_last=True), "-pk")
        return context

    def tags_in_use(self):
        """Tags of the live, public articles below this index, by name."""
        articles = ArticlePage.objects.child_of(self).live().public()
        return Tag.objects.filter(
            pages_articlepagetag_items__content_object__in=articles
        ).distinct()

    def tag_listing_url(self, tag: Tag, request=None) -> str:
        return f"{self.get_full_url(request)}?{urlencode({'tag': tag.slug})}"

    def get_sitemap_urls(self, request=None):
        """The index, then a listing per tag: they are pages readers and the audit reach."""
        urls = super().get_sitemap_urls(request)
        if not urls:
            return urls
        lastmod = urls[0].get("lastmod")
        for tag in self.tags_in_use().order_by("name"):
            urls.append({"location": self.tag_listing_url(tag, request), "lastmod": lastmod})
        return urls


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "pages.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticlePage(HeroImageMixin, BasePage):
    og_type = "article"
    json_ld_type = "Article"

    introduction = RichTextField(features=INTRO_FEATURES, help_text="A two-sentence summary.")
    author = models.CharField(
        max_length=120, help_text="Name and role, e.g. 'Sam Patel, physiotherapist'."
    )
    # Nullable so a draft can be saved without it (an imported post whose old date was not
    # found): Wagtail defers the required check to publishing.
    date = models.DateField("article date", null=True)
    body = StreamField(BodyBlock())
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("introduction"),
        FieldRowPanel([FieldPanel("author"), FieldPanel("date")]),
        *HeroImageMixin.hero_panels,
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    parent_page_types = ["pages.ArticleIndexPage"]
    subpage_types: list[str] = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    api_fields = page_api.ARTICLE_PAGE

    class Meta:
        verbose_name = "article"

    def tag_links(self) -> list[tuple[str, str]]:
        """(name, listing URL) per tag; the listing is the parent index, from the cached
        breadcrumbs (no query for the parent)."""
        tags = list(self.tags.all())
        if not tags or len(self.breadcrumbs) < 2:
            return [(tag.name, "") for tag in tags]
        index_url = self.breadcrumbs[-2].url
        return [(tag.name, f"{index_url}?{urlencode({'tag': tag.slug})}") for tag in tags]
