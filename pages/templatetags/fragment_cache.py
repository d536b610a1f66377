"""The key for caching the view-independent parts of a rendered page across requests.

    {% load cache fragment_cache %}
    {% fragment_version as version %}
    {% cache 600 page_body page.pk version %}{% prefetch_body_renditions page %}…{% endcache %}

The version is the content generation of `pages.render_cache`, which every publish, move,
privacy, settings or image change replaces (the same signals as the API's response cache), so
a cached fragment is never older than the content. It includes the request's host, as links
may be absolute. Previews get a fresh token each time: a draft is never cached or served from
the cache.
"""

from __future__ import annotations

import uuid

from django import template

from pages.images import prefetch_body_renditions as _prefetch_body_renditions
from pages.render_cache import generation

register = template.Library()


@register.simple_tag(takes_context=True)
def fragment_version(context) -> str:
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False):
        return f"uncached-{uuid.uuid4().hex}"
    return f"{generation()}:{request.get_host()}"


@register.simple_tag
def prefetch_body_renditions(page) -> str:
    """Inside a cached body fragment: load the body's image renditions in one query, which
    runs only when the fragment is rendered (a cache miss)."""
    _prefetch_body_renditions(page)
    return ""
