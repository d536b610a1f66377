"""Wagtail hooks of the webhooks app: Settings → Webhooks and the views beside it."""

from __future__ import annotations

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from webhooks import admin_views
from webhooks.models import Endpoint

register_permission_policy(Endpoint, admin_views.ManageWebhooksPolicy(Endpoint), exact_class=True)


@hooks.register("register_admin_urls")
def register_webhook_admin_urls():
    return [
        path(
            "webhooks/",
            include((admin_views.admin_urlpatterns(), "webhooks"), namespace="webhooks"),
        )
    ]


@hooks.register("register_admin_viewset")
def register_endpoint_viewset():
    return admin_views.EndpointViewSet("webhook_endpoints")


@hooks.register("construct_homepage_panels")
def add_disabled_endpoints_notice(request, panels):
    admin_views.add_disabled_endpoints_panel(request, panels)
