"""The page's own view count: the one it shows (a data-views attribute, else "N views"
text) and the one its JSON-LD claims, kept apart.

A page shows many counts: its own, and those of the posts a "popular" sidebar, a related
block or a listing shows. Only a counter in the page's own content counts: not in aside,
nav or the site's header and footer, not in a block named related, popular and the like,
not hidden, and not in one of several sibling items that each carry a counter (a list of
posts). A listing page claims no count of its own.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..facts import PageFacts
from .document import MAX_DIGITS, Document, Element, small_int

# A count starts where a run of digits starts (never inside one) and is bounded in length:
# unbounded repeats made a long run of digits cost time quadratic in its length.
_VIEWS_TEXT = re.compile(
    rf"(?<!\d)(\d{{1,3}}(?:[,.\u00a0\u202f ]\d{{3}}){{1,6}}|\d{{1,{MAX_DIGITS}}})"
    r"\s*(?:views?|page ?views)\b",
    re.I,
)
_SEPARATORS = re.compile(r"[,.\s\u00a0\u202f]")
_MAX_COUNT = 10**MAX_DIGITS


def count_value(value: Any) -> int | None:
    """A view count from markup or JSON: a number, or digits with thousands separators."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < _MAX_COUNT else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and abs(value) < _MAX_COUNT else None
    if isinstance(value, str):
        return small_int(_SEPARATORS.sub("", value))
    return None


_CHROME_TAGS = frozenset({"aside", "nav"})
_SITE_TAGS = frozenset({"header", "footer"})  # the site's, unless inside the content
_CONTENT_TAGS = frozenset({"article", "main"})
_CHROME_ROLES = frozenset({"complementary", "navigation", "banner", "contentinfo"})
_OTHER_POSTS = re.compile(
    r"related|popular|trending|recent|sidebar|widget|most-?read|more-?posts|recommend"
    r"|also-?like|read-?next|you-?may",
    re.I,
)
_VIEWS_WORD = re.compile(r"\bviews?\b|page ?views", re.I)
LISTING = "listing"


def _names_other_posts(element: Element) -> bool:
    names = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(names.strip()) and _OTHER_POSTS.search(names) is not None


def _outside_own_content(element: Element, doc: Document) -> bool:
    """In site chrome, a block of other posts, or hidden content."""
    if doc.is_hidden(element):
        return True
    ancestors = [element, *element.iterancestors()]
    in_content = any(a.tag in _CONTENT_TAGS for a in ancestors)
    for ancestor in ancestors:
        tag = ancestor.tag
        if (
            tag in _CHROME_TAGS
            or ancestor.get("role") in _CHROME_ROLES
            or (tag in _SITE_TAGS and not in_content)
            or _names_other_posts(ancestor)
        ):
            return True
    return False


def _list_items(counters: list[Element]) -> set[Element]:
    """Counters inside one of several like siblings (same tag and class) that each hold a
    counter: the items of a list of posts, each with its own count."""
    holders: set[Element] = set()
    for counter in counters:
        holders.add(counter)
        holders.update(counter.iterancestors())
    in_lists: set[Element] = set()
    for counter in counters:
        for item in [counter, *counter.iterancestors()]:
            parent = item.getparent()
            if parent is None:
                break
            kind = (item.tag, item.get("class"))
            # The siblings that hold a counter are among the holders: fewer than the
            # siblings (a body has many children), and no walk over the children.
            if any(
                sibling is not item
                and sibling.getparent() is parent
                and (sibling.tag, sibling.get("class")) == kind
                for sibling in holders
            ):
                in_lists.add(counter)
                break
    return in_lists


def _text_counters(doc: Document) -> list[tuple[Element, int]]:
    """Elements whose own text says "N views", with that N, in document order."""
    body = doc.body
    if body is None or not doc.mentions_view(body):
        return []  # the common case: no "view" in the text, no walk
    found: list[tuple[Element, int]] = []
    for owner in doc.text_owners(body, _VIEWS_WORD):
        match = _VIEWS_TEXT.search(doc.text(owner, " "))
        count = count_value(match.group(1)) if match else None
        if count is not None:
            found.append((owner, count))
    return found


def own_counter(doc: Document) -> tuple[int, str] | None:
    """(count, source) of the counter that belongs to the page, or None."""
    for source, candidates in (
        ("data-views", [(e, count_value(e.get("data-views"))) for e in doc.views_attrs]),
        ("text", None),
    ):
        if candidates is None:
            candidates = _text_counters(doc)
        shown = [
            (e, n) for e, n in candidates if n is not None and not _outside_own_content(e, doc)
        ]
        if not shown:
            continue
        listed = _list_items([e for e, _n in shown])
        own = [(e, n) for e, n in shown if e not in listed]
        if own:
            return own[0][1], source
        return None  # only the counts of listed items: none is the page's own
    return None


def extract_views(doc: Document, facts: PageFacts) -> None:
    facts.views_jsonld = doc.jsonld_views
    if facts.page_type == LISTING:
        return
    counter = own_counter(doc)
    if counter is not None:
        facts.views_visible, facts.views_source = counter
        facts.views = facts.views_visible
