"""API endpoints: Wagtail's v2 viewsets, read-only for anonymous clients, showing only live,
public content, with 400s for bad input and HTTP caching headers."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError, ValidationError
from django.core.signing import BadSignature
from django.http import Http404
from django.urls import get_script_prefix, path
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from wagtail.api import APIField
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
from pages.api.listing import TypedListing
from pages.api.references import PUBLIC_CHECK_KEY
from pages.api.response_cache import CachedPageResponses
from pages.api.serializers import SITE_ROOT_KEY, ClinicPageSerializer
from pages.api.validation import (
    LARGEST_ID,
    BoundedPagination,
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
PAGE_RELATIONS = ("hero_image", "social_image", "cta_page", "locale")
# Columns a listing never shows (DETAIL_ONLY_FIELDS): not read, so a listing of long pages does
# not fetch and parse every body.
LISTING_DEFERRED = ("body", "who_it_helps")


class PublicReadOnlyEndpoint:
    """Behaviour shared by every endpoint. Nobody is authenticated, so an answer never depends
    on who asks and can be cached publicly; only GET/HEAD are routed (anything else is 405)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    pagination_class = BoundedPagination
    last_modified = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query(request)

    def get_object(self):
        if int(self.kwargs.get("pk", 0)) > LARGEST_ID:
            raise Http404("not found")
        return super().get_object()

    @classmethod
    def get_object_detail_urlpath(cls, model, pk, namespace=""):
        """`reverse()` once per endpoint and script prefix, then the id substituted: a listing
        links every page, its parent and breadcrumbs, and reverse() was a large part of that."""
        key = (cls, model, namespace, get_script_prefix())
        template = _DETAIL_URL_TEMPLATES.get(key)
        if template is None:
            url = super().get_object_detail_urlpath(model, _URL_PK_PLACEHOLDER, namespace)
            if url is None or url.count(str(_URL_PK_PLACEHOLDER)) != 1:
                return super().get_object_detail_urlpath(model, pk, namespace)
            template = _DETAIL_URL_TEMPLATES[key] = url
        return template.replace(str(_URL_PK_PLACEHOLDER), str(int(pk)))

    def handle_exception(self, exc):
        if isinstance(exc, ValidationError | FieldError):
            # Input the checks above did not anticipate; still the client's request, not a bug.
            logger.warning("API request rejected: %s", exc)
            exc = BadRequestError("malformed query: " + "; ".join(_messages(exc)))
        response = super().handle_exception(exc)
        if isinstance(exc, APIException) and isinstance(response.data, dict):
            response.data = {"message": str(response.data.get("detail", exc))}
        return response

    @classmethod
    def _get_serializer_class(cls, router, model, fields_config, show_details=False, nested=False):
        """Wagtail builds a new serializer class on every request; the same arguments give the
        same class, so it is kept (a bounded number: `?fields=` is the client's choice)."""
        key = (cls, id(router), model, repr(fields_config), show_details, nested)
        serializer_class = _SERIALIZER_CLASSES.get(key)
        if serializer_class is None:
            serializer_class = super()._get_serializer_class(
                router, model, fields_config, show_details=show_details, nested=nested
            )
            if len(_SERIALIZER_CLASSES) >= SERIALIZER_CLASSES_KEPT:
                _SERIALIZER_CLASSES.clear()
            _SERIALIZER_CLASSES[key] = serializer_class
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


SERIALIZER_CLASSES_KEPT = 256
_SERIALIZER_CLASSES: dict[tuple, type] = {}
# Stands in for a page id while reversing a detail URL once (see get_object_detail_urlpath).
_URL_PK_PLACEHOLDER = 987654321012
_DETAIL_URL_TEMPLATES: dict[tuple, str] = {}


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
        if hasattr(self, "_cached_object"):
            return self._cached_object
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
        try:  # get(), not first(): no ORDER BY to compile (~0.7 ms of a 2 ms query)
            page = model.objects.select_related(*related).get(pk=pk)
        except model.DoesNotExist as exc:  # deleted in between
            raise Http404("not found") from exc
        self.check_object_permissions(self.request, page)
        self._cached_object = page
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context[PUBLIC_CHECK_KEY] = self.public_check
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
        typed = TypedListing.for_view(self, queryset)
        # fetch() is False when a page is an alias: Wagtail's serializer shows what of.
        if typed is not None and typed.fetch(queryset):
            return self.get_paginated_response(typed.items())
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


class ClinicImagesAPIViewSet(PublicReadOnlyEndpoint, ImagesAPIViewSet):
    filter_backends = with_validated_filters(ImagesAPIViewSet.filter_backends)
    body_fields = [
        *ImagesAPIViewSet.body_fields,
        "description",
        "credit",
        APIField("renditions", serializer=ImageRenditionsField()),
    ]
    meta_fields = [
        *[name for name in ImagesAPIViewSet.meta_fields if name != "download_url"],
        APIField("download_url", serializer=AbsoluteImageUrlField()),
    ]

    def get_queryset(self):
        # Judged as an anonymous visitor, like pages: any restricted collection is hidden.
        return self.model.objects.exclude(collection_id__in=restricted_collection_ids()).order_by(
            "id"
        )

    def paginate_queryset(self, queryset):
        images = list(super().paginate_queryset(queryset))
        prefetch_renditions(images)
        return images


class ClinicDocumentsAPIViewSet(PublicReadOnlyEndpoint, DocumentsAPIViewSet):
    filter_backends = with_validated_filters(DocumentsAPIViewSet.filter_backends)

    def get_queryset(self):
        return self.model.objects.exclude(collection_id__in=restricted_collection_ids()).order_by(
            "id"
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
