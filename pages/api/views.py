"""API endpoints: Wagtail's v2 viewsets, read-only for anonymous clients, showing only live,
public content, with 400s for bad input and HTTP caching headers."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError, ValidationError
from django.core.signing import BadSignature
from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from rest_framework.exceptions import APIException
from rest_framework.fields import Field
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from wagtail.api import APIField
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.contrib.redirects.api.v2 import RedirectsAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page
from wagtail_headless_preview.models import HeadlessPreviewMixin, PagePreview

from pages.api.batch import BATCH_KEY, PageBatch
from pages.api.conf import api_setting, headless_preview_url
from pages.api.fields import DETAIL_ONLY_FIELDS, PageDerivedField
from pages.api.http_cache import finish_private_response, finish_public_response
from pages.api.images import full_size_url, image_representation, prefetch_renditions
from pages.api.references import PUBLIC_CHECK_KEY
from pages.api.response_cache import CachedPageResponses
from pages.api.rich_text import RICH_TEXT_FORMAT_KEY
from pages.api.serializers import SITE_ROOT_KEY, ClinicPageSerializer
from pages.api.validation import (
    LARGEST_ID,
    check_query,
    with_validated_filters,
)
from pages.api.visibility import (
    PublicPageCheck,
    public_pages_queryset,
    requested_site,
    restricted_collection_ids,
)

logger = logging.getLogger(__name__)

# Related rows every page of these types shows, loaded with the page instead of one by one.
PAGE_RELATIONS = ("hero_image", "social_image", "cta_page", "locale", "alias_of")
# Columns a listing never shows (DETAIL_ONLY_FIELDS): not read, so a listing of long pages does
# not fetch and parse every body.
LISTING_DEFERRED = ("body", "who_it_helps")


class PublicReadOnlyEndpoint:
    """Behaviour shared by every endpoint. Nobody is authenticated, so an answer never depends
    on who asks and can be cached publicly; only GET/HEAD are routed (anything else is 405)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    pagination_class = WagtailPagination
    last_modified = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query(request)

    def get_object(self):
        if int(self.kwargs.get("pk", 0)) > LARGEST_ID:
            raise Http404("not found")
        return super().get_object()

    def handle_exception(self, exc):
        if isinstance(exc, ValidationError | FieldError):
            # Input the checks above did not anticipate; still the client's request, not a bug.
            logger.warning("API request rejected: %s", exc)
            exc = BadRequestError("malformed query: " + "; ".join(_messages(exc)))
        response = super().handle_exception(exc)
        if isinstance(exc, APIException) and isinstance(response.data, dict):
            response.data = {"message": str(response.data.get("detail", exc))}
        return response

    def get_serializer_class(self):
        """Wagtail builds a new serializer class on every request; the same endpoint, model,
        `?fields=` and view give the same class, so the last few hundred are kept (least
        recently used dropped first: `?fields=` is the client's choice)."""
        if self.action == "listing_view":
            model = self.get_queryset().model
        else:
            model = type(self.get_object())
        key = (
            type(self),
            self.request.wagtailapi_router,
            model,
            self.request.GET.get("fields"),
            self.action == "listing_view",
        )
        serializer_class = SERIALIZER_CLASSES.get(key)
        if serializer_class is None:
            serializer_class = SERIALIZER_CLASSES.put(key, super().get_serializer_class())
        return serializer_class

    def get_renderer_context(self):
        # Compact JSON: Wagtail indents by 4, which costs time and a third more bytes.
        context = super().get_renderer_context()
        context.pop("indent", None)
        return context

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return self.finish_response(request, response)

    def finish_response(self, request, response):
        return finish_public_response(request, response, last_modified=self.last_modified)


class LeastRecentlyUsed:
    """A dict of at most `size` entries that drops the one used longest ago when full."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> Any:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return value


SERIALIZER_CLASSES = LeastRecentlyUsed(256)


def _messages(exc: Exception) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])


class ClinicPagesAPIViewSet(CachedPageResponses, PublicReadOnlyEndpoint, PagesAPIViewSet):
    filter_backends = with_validated_filters(PagesAPIViewSet.filter_backends)
    meta_fields = [*PagesAPIViewSet.meta_fields, "last_published_at"]
    detail_only_fields = DETAIL_ONLY_FIELDS
    base_serializer_class = ClinicPageSerializer

    def initial(self, request, *args, **kwargs):
        self.public_check = PublicPageCheck()
        self._base_queryset = None
        self._queryset = None
        self.site = None
        super().initial(request, *args, **kwargs)

    def get_base_queryset(self):
        if self._base_queryset is None:
            try:
                self.site = requested_site(self.request)
                self._base_queryset = public_pages_queryset(
                    self.request, self.public_check.restricted_paths, self.site
                )
            except ValueError as exc:
                raise BadRequestError(str(exc)) from exc
        return self._base_queryset

    def get_queryset(self):
        # Built once per request: the listing and its serializer class both ask for it.
        if getattr(self, "_queryset", None) is not None:
            return self._queryset
        queryset = super().get_queryset()
        fields = {field.name for field in queryset.model._meta.get_fields()}
        queryset = queryset.select_related(*(name for name in PAGE_RELATIONS if name in fields))
        if self.action == "listing_view":
            queryset = queryset.defer(*(name for name in LISTING_DEFERRED if name in fields))
        self._queryset = queryset
        return queryset

    def get_object(self):
        """The specific page with its images and call-to-action target: the page's type from
        the public pages (Wagtail's lookup and filters, one light query), then its typed row
        with the related rows joined (Wagtail loads the generic row, then the typed row, then
        each related row by itself)."""
        if getattr(self, "requested_page", None) is not None:
            return self.requested_page
        pk = self.kwargs.get("pk", "0")
        if int(pk) > LARGEST_ID:
            raise Http404("not found")
        queryset = self.filter_queryset(self.get_queryset()).filter(pk=pk)
        content_type_ids = list(queryset.values_list("content_type_id", flat=True)[:1])
        if not content_type_ids:
            raise Http404("not found")
        content_type_id = content_type_ids[0]
        model = ContentType.objects.get_for_id(content_type_id).model_class() or Page
        fields = {field.name for field in model._meta.get_fields()}
        related = [name for name in PAGE_RELATIONS if name in fields]
        try:  # get(), not first(): no ORDER BY to build
            page = model.objects.select_related(*related).get(pk=pk)
        except model.DoesNotExist as exc:  # deleted in between
            raise Http404("not found") from exc
        self.check_object_permissions(self.request, page)
        self.requested_page = page
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context[PUBLIC_CHECK_KEY] = self.public_check
        context[RICH_TEXT_FORMAT_KEY] = self.resolve_rich_text_format()
        if self.site is not None:
            context[SITE_ROOT_KEY] = self.site.root_page
        return context

    def serialize_pages(self, pages: list, *, many: bool) -> Any:
        context = self.get_serializer_context()
        batch = PageBatch(pages, context)
        context[BATCH_KEY] = batch
        batch.prepare()
        serializer_class = self.get_serializer_class()
        return serializer_class(pages if many else pages[0], many=many, context=context).data

    def listing_view(self, request):
        queryset = self.get_queryset()
        self.check_query_parameters(queryset)
        queryset = self.filter_queryset(queryset)
        pages = list(self.paginate_queryset(queryset))
        return self.get_paginated_response(self.serialize_pages(pages, many=True))

    def detail_view(self, request, pk):
        page = self.get_object()
        self.last_modified = page.last_published_at
        return Response(self.serialize_pages([page], many=False))

    def find_object(self, queryset, request):
        raw_id = request.GET.get("id")
        if raw_id is not None and not raw_id.isdigit():
            raise BadRequestError("id must be a positive integer")
        return super().find_object(queryset, request)


class ImageRenditionsField(PageDerivedField):
    def to_representation(self, image) -> dict[str, Any]:
        return image_representation(image, self.request, alt="", decorative=False)["renditions"]


class AbsoluteImageUrlField(PageDerivedField):
    """The full-size image's URL (a rendition: originals are never served), absolute so a
    front end on another origin can use it."""

    def to_representation(self, image) -> str:
        return full_size_url(image, self.request)


class PrefetchedTagsField(Field):
    """Wagtail's `tags` (the names in order) from the tags prefetched for the whole listing
    (Wagtail's field asks the database once per item)."""

    def to_representation(self, tags) -> list[str]:
        return sorted(tag.name for tag in tags.all())


def with_prefetched_tags(meta_fields: list) -> list:
    return [
        APIField("tags", serializer=PrefetchedTagsField()) if name == "tags" else name
        for name in meta_fields
    ]


class ClinicImagesAPIViewSet(PublicReadOnlyEndpoint, ImagesAPIViewSet):
    filter_backends = with_validated_filters(ImagesAPIViewSet.filter_backends)
    body_fields = [
        *ImagesAPIViewSet.body_fields,
        "description",
        "credit",
        APIField("renditions", serializer=ImageRenditionsField()),
    ]
    meta_fields = [
        *with_prefetched_tags([n for n in ImagesAPIViewSet.meta_fields if n != "download_url"]),
        APIField("download_url", serializer=AbsoluteImageUrlField()),
    ]

    def get_queryset(self):
        # Judged as an anonymous visitor, like pages: any restricted collection is hidden.
        return public_media(self.model)

    def paginate_queryset(self, queryset):
        images = list(super().paginate_queryset(queryset))
        prefetch_renditions(images)
        return images


class ClinicDocumentsAPIViewSet(PublicReadOnlyEndpoint, DocumentsAPIViewSet):
    filter_backends = with_validated_filters(DocumentsAPIViewSet.filter_backends)
    meta_fields = with_prefetched_tags(DocumentsAPIViewSet.meta_fields)

    def get_queryset(self):
        return public_media(self.model)


def public_media(model: type) -> QuerySet:
    """Images or documents outside every restricted collection, with their tags."""
    return (
        model.objects.exclude(collection_id__in=restricted_collection_ids())
        .prefetch_related("tags")
        .order_by("id")
    )


class ClinicRedirectsAPIViewSet(PublicReadOnlyEndpoint, RedirectsAPIViewSet):
    filter_backends = with_validated_filters(RedirectsAPIViewSet.filter_backends)


class PagePreviewAPIViewSet(ClinicPagesAPIViewSet):
    """The draft behind a preview token, in the same shape as page detail. Never cached."""

    cache_responses = False

    known_query_parameters = ClinicPagesAPIViewSet.known_query_parameters.union(
        ["content_type", "token"]
    )

    @classmethod
    def get_urlpatterns(cls):
        return [path("", cls.as_view({"get": "preview_view"}), name="listing")]

    def preview_view(self, request):
        self.action = "detail_view"  # serialise every detail field, like page detail
        page = self.get_object()
        return Response(self.serialize_pages([page], many=False))

    def get_object(self):
        if not headless_preview_url():
            raise Http404("preview is not enabled (set HEADLESS_PREVIEW_URL)")
        if hasattr(self, "_preview_page"):
            return self._preview_page
        content_type_name = self.request.GET.get("content_type", "")
        token = self.request.GET.get("token", "")
        if not token or content_type_name.count(".") != 1:
            raise BadRequestError("content_type (app_label.model) and token are required")
        app_label, model = content_type_name.split(".")
        try:
            HeadlessPreviewMixin.get_preview_signer().unsign(
                token, max_age=api_setting("HEADLESS_PREVIEW_TOKEN_MAX_AGE")
            )
            content_type = ContentType.objects.get(app_label=app_label, model=model)
            preview = PagePreview.objects.get(content_type=content_type, token=token)
        except (BadSignature, ContentType.DoesNotExist, PagePreview.DoesNotExist) as exc:
            raise Http404("preview not found or expired") from exc
        page = preview.as_page()
        if not isinstance(page, Page):
            raise Http404("preview not found or expired")
        if not page.pk:
            page.pk = 0  # a new page has no id yet; detail URLs need a number
        self._preview_page = page
        return page

    def finish_response(self, request, response):
        # A draft must never sit in a shared cache.
        return finish_private_response(response)
