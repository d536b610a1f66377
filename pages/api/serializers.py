"""The page serializer's base class: Wagtail's, with `parent` read from the response's batch.

Kept apart from `pages.api.fields`, which page models import while Django loads them (before
Wagtail's serializers can be imported)."""

from __future__ import annotations

import copy
from functools import lru_cache

from wagtail.api.v2.serializers import (
    PageHtmlUrlField,
    PageParentField,
    PageSerializer,
    get_serializer_class,
)

from pages.api.batch import BATCH_KEY
from pages.api.references import page_full_url

# Serializer context key: the root page of the site the request is about.
SITE_ROOT_KEY = "clinic_site_root"


class BatchParentField(PageParentField):
    """Wagtail's `parent` (the parent page when it is in the API's public pages), read from the
    ancestors the response's batch loads for breadcrumbs instead of two queries per page."""

    def get_attribute(self, instance):
        batch = self.context.get(BATCH_KEY)
        site_root = self.context.get(SITE_ROOT_KEY)
        if batch is None or not batch.covers(instance) or site_root is None or site_root.depth < 2:
            return super().get_attribute(instance)
        parent = batch.public_parent(instance)
        if parent is None or not parent.path.startswith(site_root.path):
            return None
        return parent

    def to_representation(self, value):
        serializer = _reference_serializer(type(value))(context=self.context)
        return serializer.to_representation(value)


class SharedHtmlUrlField(PageHtmlUrlField):
    """`html_url`, computed once per page object (see `page_full_url`)."""

    def to_representation(self, page):
        return page_full_url(page, self.context.get("request"))


class ClinicPageSerializer(PageSerializer):
    """The view set reuses serializer classes across requests (`serializer_class_for`), so the
    fields DRF builds from the model (costly, on every response) are built once per class and then
    deep-copied for each use, as DRF does with declared fields."""

    parent = BatchParentField(read_only=True)
    html_url = SharedHtmlUrlField(read_only=True)

    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_clinic_fields")
        if template is None:
            template = super().get_fields()
            cls._clinic_fields = template
        return copy.deepcopy(template)


@lru_cache(maxsize=64)
def _reference_serializer(model: type) -> type:
    """Wagtail's serializer for a `parent` reference (built on every call by Wagtail)."""
    return get_serializer_class(
        model,
        ["id", "type", "detail_url", "html_url", "title"],
        meta_fields=["type", "detail_url", "html_url"],
        base=ClinicPageSerializer,
    )
