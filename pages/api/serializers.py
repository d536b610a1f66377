"""The page serializer's base class: Wagtail's, with `parent` read from the response's batch.

Kept apart from `pages.api.fields`, which page models import while Django loads them (before
Wagtail's serializers can be imported)."""

from __future__ import annotations

from wagtail.api.v2.serializers import PageParentField, PageSerializer

from pages.api.batch import BATCH_KEY

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


class ClinicPageSerializer(PageSerializer):
    parent = BatchParentField(read_only=True)
