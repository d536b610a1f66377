"""Page listing and detail responses, serialised once per content version and then served from
the shared cache (Redis or files in production, so every worker and host benefits).

The content version is the site-wide generation token of `pages.render_cache`: every change
that can alter any page's JSON (publish, unpublish, move, delete, privacy, clinic settings,
sites, images and their renditions, redirects; see `content_version`) replaces it, so the next
request of every process misses and recomputes. Entries are keyed by the version read *before*
the response was computed: a change during the computation leaves the result under a version
nobody asks for again.

A cache key covers everything an answer depends on: scheme, host, path, the query (order
does not matter) and the Accept header. `?search=` is never cached: the search index is
updated by a background task, after the version changed.

View counts change on every reader's visit and must not invalidate anything. The cached body
holds a placeholder per count (a random marker per entry, so page text cannot forge one); each
answer fills in the totals from a short-lived per-page counter cache (one query for the pages
whose counter expired), so a count shown is at most `API_VIEW_COUNT_MAX_AGE` seconds old. The
ETag is the content version plus a digest of the counts shown, and a 304 is answered exactly
while nothing the answer shows has changed.

Each answer is stored twice: the whole body, and a small validator (the pages whose counts it
shows, its Last-Modified and headers). A conditional request reads, in one `get_many`, the
content version and the *revalidation* entry of its key: the ETag and 304 headers last worked
out, with the version they belong to and the time the oldest count they show stops being fresh
(the counters' own expiry). While both hold, that entry alone decides: two small reads (one
round trip on Redis), no counters, no hashing. Otherwise the validator and the counters are
read, and the revalidation entry written again. `pages.api.middleware.NotModifiedMiddleware`
asks before the session, CSRF, authentication and URL routing run: answers are the same for
every visitor (the key has no user), so a 304 needs none of them.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from wagtail.models import Page

from pages.api.conf import api_setting
from pages.api.view_count_marker import VIEW_COUNT_MARKER_KEY
from pages.render_cache import GENERATION_KEY
from pages.render_cache import generation as content_version
from pageviews.api import views_for_many

KEY_PREFIX = "pages:api:response"
# Values are (total, Unix time read from the database): a revalidation entry must know when
# the counts it vouches for stop being fresh.
COUNTER_PREFIX = "pages:api:view-total"
ENTRY_TIMEOUT = 24 * 60 * 60  # seconds; a new version makes entries unreachable long before
# Answers depend on these request headers besides the URL.
KEY_HEADERS = ("HTTP_ACCEPT",)
# Query parameters whose answers are never cached (see the module docstring).
UNCACHED_PARAMETERS = frozenset({"search"})
# Where NotModifiedMiddleware leaves the request's cache slot for the view.
REQUEST_ATTRIBUTE = "_clinic_api_response_cache"


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes  # JSON with view-count placeholders
    content_type: str
    marker: str  # "" when the body has no view counts
    counted_ids: tuple[int, ...]  # pages whose counts the body shows
    last_modified: int | None  # Unix time of the last publish (page detail only)
    headers: tuple[tuple[str, str], ...] = ()  # e.g. Vary: Accept, as the view set them


class Validator(NamedTuple):
    """What a conditional request needs of a cached answer (stored as a plain tuple)."""

    counted_ids: tuple[int, ...]
    last_modified: int | None
    headers: tuple[tuple[str, str], ...]


class Revalidation(NamedTuple):
    """A conditional request's answer, worked out once (stored as a plain tuple)."""

    version: str  # the content version it belongs to
    etag: str
    last_modified: int | None
    fresh_until: float | None  # Unix time the oldest count shown expires; None: shows none
    headers: tuple[tuple[str, str], ...]  # of the 304, ETag and Cache-Control included


class ResponseCache:
    """The cache slot of one request; `for_request` returns None when it may not be cached."""

    def __init__(
        self,
        request: HttpRequest,
        version: str,
        key_hash: str,
        revalidation: tuple[Any, ...] | None = None,
    ) -> None:
        self.request = request
        self.version = version
        self.key_hash = key_hash
        self.revalidation = Revalidation(*revalidation) if revalidation is not None else None
        self.marker = f"clinic-view-count-{uuid.uuid4().hex}"
        self.conditional_checked = False  # not_modified_response() already ran

    @classmethod
    def for_request(cls, request: HttpRequest) -> ResponseCache | None:
        if request.method != "GET" or not api_setting("API_RESPONSE_CACHE"):
            return None
        if UNCACHED_PARAMETERS.intersection(request.GET):
            return None
        query = sorted((name, value) for name in request.GET for value in request.GET.getlist(name))
        parts = [
            request.scheme,
            request.get_host(),
            request.path,
            repr(query),
            *(request.META.get(header, "") for header in KEY_HEADERS),
        ]
        key_hash = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        if not is_conditional(request):
            return cls(request, content_version(), key_hash)
        revalidation_key = _revalidation_key(key_hash)
        found = cache.get_many([GENERATION_KEY, revalidation_key])
        version = found.get(GENERATION_KEY) or content_version()  # made if the cache lost it
        return cls(request, version, key_hash, found.get(revalidation_key))

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}:{self.version}:{self.key_hash}"

    @property
    def validator_key(self) -> str:
        return f"{self.key}:validator"

    def cached_response(self) -> HttpResponse | None:
        """The answer from the cache (a 304 when the client's copy is current), or None."""
        if not self.conditional_checked:
            not_modified = self.not_modified_response()
            if not_modified is not None:
                return not_modified
        answer = cache.get(self.key)
        return self._serve(answer) if answer is not None else None

    def not_modified_response(self) -> HttpResponse | None:
        """A 304 when the request is conditional and the client's copy is current, from the
        revalidation entry while it holds, else from the validator and the counters (never
        the body); None otherwise."""
        self.conditional_checked = True
        if not self._conditional():
            return None
        known = self.revalidation
        if (
            known is not None
            and known.version == self.version
            and (known.fresh_until is None or time.time() < known.fresh_until)
        ):
            if not self._client_is_current(known.etag, known.last_modified):
                return None
            response = HttpResponseNotModified()
            for name, value in known.headers:
                response.headers[name] = value
            return response
        stored = cache.get(self.validator_key)
        if stored is None:
            return None
        validator = Validator(*stored)
        counts, fresh_until = view_counts_and_expiry(validator.counted_ids)
        etag = self._etag(counts)
        response = self._not_modified(etag, validator)
        known = Revalidation(
            self.version, etag, validator.last_modified, fresh_until, tuple(response.items())
        )
        cache.set(_revalidation_key(self.key_hash), tuple(known), ENTRY_TIMEOUT)
        return response if self._client_is_current(etag, validator.last_modified) else None

    def store(self, response: HttpResponse, last_modified: Any = None) -> HttpResponse:
        """Keep a freshly rendered 200 (its body still holding placeholders) and answer with
        the counts filled in, exactly as a cache hit would."""
        body = response.content
        pattern = placeholder_pattern(self.marker)
        answer = CachedAnswer(
            body=body,
            content_type=response["Content-Type"],
            marker=self.marker if self.marker.encode() in body else "",
            counted_ids=tuple(sorted({int(match) for match in pattern.findall(body)})),
            last_modified=int(last_modified.timestamp()) if last_modified is not None else None,
            headers=tuple(
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("content-type", "content-length")
            ),
        )
        validator = Validator(answer.counted_ids, answer.last_modified, answer.headers)
        cache.set_many({self.key: answer, self.validator_key: tuple(validator)}, ENTRY_TIMEOUT)
        return self._serve(answer)

    def _serve(self, answer: CachedAnswer) -> HttpResponse:
        counts = view_counts(answer.counted_ids)
        etag = self._etag(counts)
        if self._conditional() and self._client_is_current(etag, answer.last_modified):
            validator = Validator(answer.counted_ids, answer.last_modified, answer.headers)
            return self._not_modified(etag, validator)
        body = answer.body
        if answer.marker:
            body = placeholder_pattern(answer.marker).sub(
                lambda match: str(counts.get(int(match[1]), 0)).encode(), body
            )
        response = HttpResponse(body, content_type=answer.content_type)
        return self._with_headers(
            self._finish(response, etag, answer.last_modified), answer.headers
        )

    def _etag(self, counts: dict[int, int]) -> str:
        digest = hashlib.sha256(repr(sorted(counts.items())).encode()).hexdigest()[:12]
        return f'"{self.version}-{self.key_hash[:16]}-{digest}"'

    def _conditional(self) -> bool:
        return is_conditional(self.request)

    def _client_is_current(self, etag: str, last_modified: int | None) -> bool:
        return etag in parse_etags(self.request.META.get("HTTP_IF_NONE_MATCH", "")) or (
            last_modified is not None and self._not_modified_since(last_modified)
        )

    def _not_modified(self, etag: str, validator: Validator) -> HttpResponse:
        response = self._finish(HttpResponseNotModified(), etag, validator.last_modified)
        return self._with_headers(response, validator.headers)

    @staticmethod
    def _with_headers(response: HttpResponse, headers: tuple[tuple[str, str], ...]):
        for name, value in headers:
            if name not in response:
                response[name] = value
        return response

    def _not_modified_since(self, last_modified: int) -> bool:
        if "HTTP_IF_NONE_MATCH" in self.request.META:  # If-None-Match wins (RFC 9110 13.2.2)
            return False
        since = parse_http_date_safe(self.request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        return since is not None and last_modified <= since

    def _finish(self, response: HttpResponse, etag: str, last_modified: int | None):
        patch_cache_control(response, public=True, max_age=api_setting("API_CACHE_MAX_AGE"))
        response.headers["ETag"] = etag
        if last_modified is not None:
            response.headers["Last-Modified"] = http_date(last_modified)
        return response


def is_conditional(request: HttpRequest) -> bool:
    """The request asks for a 304 if its copy is current (If-None-Match / If-Modified-Since)."""
    meta = request.META
    return "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta


def placeholder_pattern(marker: str) -> re.Pattern[bytes]:
    """Matches `"<marker>:<page id>"` (with its quotes) in a rendered body."""
    return re.compile(b'"' + re.escape(marker.encode()) + rb':(\d+)"')


def view_counts(page_ids: Sequence[int]) -> dict[int, int]:
    """Each page's total views, from the counter cache where it is fresh (kept for
    API_VIEW_COUNT_MAX_AGE seconds), else read for all the missing pages in one query."""
    return view_counts_and_expiry(page_ids)[0]


def view_counts_and_expiry(page_ids: Sequence[int]) -> tuple[dict[int, int], float | None]:
    """view_counts(), and the Unix time the first of those counts expires (None: no pages)."""
    if not page_ids:
        return {}, None
    max_age = api_setting("API_VIEW_COUNT_MAX_AGE")
    keys = {f"{COUNTER_PREFIX}:{page_id}": page_id for page_id in page_ids}
    counts: dict[int, int] = {}
    read_at: list[float] = []
    for key, (total, when) in cache.get_many(keys).items():
        counts[keys[key]] = total
        read_at.append(when)
    missing = [page_id for page_id in page_ids if page_id not in counts]
    if missing:
        now = time.time()
        # Unsaved stand-ins: the counting app's interface reads nothing but each page's id.
        fresh = views_for_many(Page(pk=page_id) for page_id in missing)
        cache.set_many(
            {f"{COUNTER_PREFIX}:{page_id}": (total, now) for page_id, total in fresh.items()},
            max_age,
        )
        counts.update(fresh)
        read_at.append(now)
    return counts, min(read_at) + max_age


def _revalidation_key(key_hash: str) -> str:
    # Not under the content version: it is read in the same round trip as the version. Its
    # 304 headers hold Cache-Control, hence the max-age.
    return f"{KEY_PREFIX}:revalidation:{api_setting('API_CACHE_MAX_AGE')}:{key_hash}"


class CachedPageResponses:
    """Mixin for the pages endpoint: answers from the cache when it can, and keeps every
    cacheable 200 it computes. `cache_responses = False` turns it off for a subclass."""

    cache_responses = True
    response_cache: ResponseCache | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.cache_responses:
            # The slot NotModifiedMiddleware made (it has tried the validator), or a new one.
            self.response_cache = getattr(request, REQUEST_ATTRIBUTE, None)
            if self.response_cache is None:
                self.response_cache = ResponseCache.for_request(request)
            if self.response_cache is not None:
                cached = self.response_cache.cached_response()
                if cached is not None:
                    return cached
        return super().dispatch(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.response_cache is not None:
            context[VIEW_COUNT_MARKER_KEY] = self.response_cache.marker
        return context

    def finish_response(self, request, response):
        if self.response_cache is None or response.status_code != 200:
            return super().finish_response(request, response)
        response.render()
        return self.response_cache.store(response, self.last_modified)
