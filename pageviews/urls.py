"""Public URLs of view counting (mounted before Wagtail's catch-all page route)."""

from django.urls import path

from pageviews.beacon import page_view_beacon

urlpatterns = [
    # Beside the API router's pages/<pk>/ detail route, which it does not overlap.
    path("api/v2/pages/<int:page_id>/view/", page_view_beacon, name="page_view_beacon"),
]
