"""The headless content API (Wagtail API v2), mounted at /api/v2/ by cms/urls.py."""

from wagtail.api.v2.router import WagtailAPIRouter

from audit.deploys import DeployEndpoint
from pages.api.purge import API_NAMESPACE
from pages.api.views import (
    ClinicDocumentsAPIViewSet,
    ClinicImagesAPIViewSet,
    ClinicPagesAPIViewSet,
    ClinicRedirectsAPIViewSet,
    PagePreviewAPIViewSet,
)
from webhooks.feed import EventFeedEndpoint

api_router = WagtailAPIRouter(API_NAMESPACE)
api_router.register_endpoint("pages", ClinicPagesAPIViewSet)
api_router.register_endpoint("images", ClinicImagesAPIViewSet)
api_router.register_endpoint("documents", ClinicDocumentsAPIViewSet)
api_router.register_endpoint("redirects", ClinicRedirectsAPIViewSet)
# Drafts for a headless front end; answers 404 unless HEADLESS_PREVIEW_URL is set.
api_router.register_endpoint("page_preview", PagePreviewAPIViewSet)
api_router.register_endpoint("events", EventFeedEndpoint)  # webhook catch-up feed (token)
api_router.register_endpoint("deploys", DeployEndpoint)  # a front end's deploy finished (token)
