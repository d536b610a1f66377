"""View counts: a data-views attribute, else JSON-LD interactionStatistic, else "N views"."""

from __future__ import annotations

import math
import re
from typing import Any

from ..facts import PageFacts
from .document import MAX_DIGITS, Document, small_int
from .text import visible_text

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


def extract_views(doc: Document, facts: PageFacts) -> None:
    if doc.views_attrs:
        facts.views = count_value(doc.views_attrs[0].get("data-views"))
        facts.views_source = "data-views" if facts.views is not None else None
    if facts.views is None and doc.jsonld_views is not None:
        facts.views, facts.views_source = doc.jsonld_views, "json-ld"
    body = doc.root.find("body")
    if facts.views is None and body is not None:
        match = _VIEWS_TEXT.search(visible_text(body))
        count = count_value(match.group(1)) if match else None
        if count is not None:
            facts.views, facts.views_source = count, "text"
