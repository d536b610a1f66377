"""Conditional requests for cached API answers, answered before the rest of the stack.

A front end revalidating page JSON (If-None-Match / If-Modified-Since) gets its 304 from the
response cache's small validator entry (`pages.api.response_cache`) here, near the top of the
middleware list, so it skips the session, CSRF, authentication and message middleware, URL
routing and the API view set: what is left costs about what a plain Django view does. Cached
answers are the same for every visitor, so nothing skipped could change the answer. Anything
else, including a conditional request whose copy is stale, goes on as usual (and the view
reuses the cache slot made here, so the validator is not read twice).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse

from pages.api.purge import API_NAMESPACE
from pages.api.response_cache import REQUEST_ATTRIBUTE, ResponseCache, is_conditional


class NotModifiedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.pages_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        slot = None
        if is_conditional(request) and request.path_info.startswith(self._pages_prefix()):
            slot = ResponseCache.for_request(request)  # None unless a GET it may cache
        if slot is not None:
            not_modified = slot.not_modified_response()
            if not_modified is not None:
                return not_modified
            setattr(request, REQUEST_ATTRIBUTE, slot)
        return self.get_response(request)

    def _pages_prefix(self) -> str:
        # Reversed on first use (the URLconf is loaded by then), without the script prefix:
        # path_info has none.
        if self.pages_prefix is None:
            listing = reverse(f"{API_NAMESPACE}:pages:listing")
            self.pages_prefix = "/" + listing.removeprefix(get_script_prefix())
        return self.pages_prefix
