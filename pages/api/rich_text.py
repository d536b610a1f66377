"""Rich text for the API: HTML with internal links resolved to public URLs.

Expanding each paragraph on its own costs a page lookup per paragraph with links; expanding a
whole StreamField in one pass keeps the query count fixed however long the body is.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.utils.html import escape
from wagtail.api.rich_text import APIRichText
from wagtail.models import Page
from wagtail.rich_text import expand_db_html, features
from wagtail.rich_text.rewriters import EmbedRewriter, LinkRewriter, MultiRuleRewriter

EXPANDED_KEY = "clinic_expanded_rich_text"
# Context key: the request's `?rich_text_format=`, validated by the view set.
RICH_TEXT_FORMAT_KEY = "clinic_rich_text_format"
URL_FIELDS = ("id", "url_path", "path", "depth", "locale_id", "live", "content_type_id")


def expand_many(sources: Sequence[str]) -> list[str]:
    """`expand_db_html` for many fragments with one lookup per link type, not per fragment."""
    if not sources:
        return []
    # Link and embed rewriting only touches <a linktype=…> and <embed …/> tags, so a comment
    # marker survives untouched and splits the result back into fragments.
    marker = f"<!--clinic-rich-text-{uuid.uuid4().hex}-->"
    parts = _rewriter()(marker.join(sources)).split(marker)
    if len(parts) != len(sources):  # a fragment contained the marker: expand one by one
        return [expand_db_html(source) for source in sources]
    return parts


def expand_page_links(attrs_list: list[dict]) -> list[str]:
    """Wagtail's page-link expansion, with each distinct page loaded and its URL worked out
    once: a long body links to the same few pages many times."""
    ids = {str(attrs.get("id")) for attrs in attrs_list}
    # Generic pages with only what a URL needs: no page type here overrides get_url_parts, and
    # loading each type's full row (`.specific()`) cost more than the rest of the expansion.
    pages = Page.objects.filter(id__in=[i for i in ids if i.isdigit()]).only(*URL_FIELDS)
    hrefs = {str(page.pk): f'<a href="{escape(page.localized.url)}">' for page in pages}
    return [hrefs.get(str(attrs.get("id")), "<a>") for attrs in attrs_list]


@cache
def _rewriter() -> MultiRuleRewriter:
    """Wagtail's rich text rewriter (`wagtail.rich_text.get_rewriter`) with `expand_page_links`
    for page links; built on first use, after every app has registered its features."""
    link_types = features.get_link_types()
    embed_types = features.get_embed_types()
    link_rules = {name: handler.expand_db_attributes_many for name, handler in link_types.items()}
    link_rules["page"] = expand_page_links
    return MultiRuleRewriter(
        [
            LinkRewriter(
                bulk_rules=link_rules,
                reference_extractors={n: h.extract_references for n, h in link_types.items()},
            ),
            EmbedRewriter(
                bulk_rules={n: h.expand_db_attributes_many for n, h in embed_types.items()},
                reference_extractors={n: h.extract_references for n, h in embed_types.items()},
            ),
        ]
    )


def rich_text_format(context: dict[str, Any] | None) -> str:
    """The output format for this request, already validated by the view (`?rich_text_format=`)."""
    fmt = (context or {}).get(RICH_TEXT_FORMAT_KEY)
    return fmt or APIRichText.get_default_format()


def pre_expand(sources: Sequence[str], context: dict[str, Any]) -> None:
    """Expand fragments in one batch and remember them for `rich_text_api` calls that follow."""
    if rich_text_format(context) != APIRichText.FORMAT_HTML:
        return
    pending = [source for source in dict.fromkeys(sources) if source]
    expanded = context.setdefault(EXPANDED_KEY, {})
    pending = [source for source in pending if source not in expanded]
    expanded.update(zip(pending, expand_many(pending), strict=True))


def rich_text_api(source: str, context: dict[str, Any] | None) -> str:
    fmt = rich_text_format(context)
    if fmt == APIRichText.FORMAT_HTML:
        cached = (context or {}).get(EXPANDED_KEY, {}).get(source)
        return cached if cached is not None else expand_many([source or ""])[0]
    return APIRichText.serialize(source or "", format=fmt)
