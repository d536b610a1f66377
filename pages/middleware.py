"""The site's own 404 page for readers under DEBUG too (`make run`).

With DEBUG on, Django answers an Http404 from a view with its technical page (URL patterns and
settings) instead of handler404, so a reader of the local site saw a debugging screen. The
admin and the API keep Django's and DRF's own answers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from pages.views import page_not_found

OWN_ANSWERS = ("/admin/", "/api/", "/documents/", "/__debug__/")


class SiteNotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG or not isinstance(exception, Http404):
            return None
        if request.path.startswith(OWN_ANSWERS):
            return None
        return page_not_found(request, exception)
