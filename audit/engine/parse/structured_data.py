"""JSON-LD blocks: parsed data or the reason they do not parse, their types and view count."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..facts import JsonLd, PageFacts
from ..selectors import snippet
from .document import Document
from .views import count_value


def walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``data``, parents before children, in document order.

    A loop, not recursion: json.loads accepts nesting nearly as deep as the recursion limit.
    """
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(node.values()))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _types(data: Any) -> set[str]:
    found: set[str] = set()
    for node in walk(data):
        kinds = node.get("@type")
        for kind in kinds if isinstance(kinds, list) else [kinds]:
            if isinstance(kind, str):
                found.add(kind.rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    return found


def _page_entities(data: Any) -> Iterator[dict[str, Any]]:
    """The objects that describe the page itself: top-level ones, members of @graph and
    their mainEntity; never the items of a list (a listing's items carry their own counts)."""
    for node in data if isinstance(data, list) else [data]:
        if not isinstance(node, dict):
            continue
        graph = node.get("@graph")
        for entity in [node, *(graph if isinstance(graph, list) else [])]:
            if isinstance(entity, dict):
                yield entity
                main = entity.get("mainEntity")
                if isinstance(main, dict):
                    yield main


def _views(data: Any) -> int | None:
    for node in _page_entities(data):
        stats = node.get("interactionStatistic")
        for stat in stats if isinstance(stats, list) else [stats]:
            if isinstance(stat, dict) and "userInteractionCount" in stat:
                count = count_value(stat["userInteractionCount"])
                if count is not None:
                    return count
    return None


def _load(source: str) -> tuple[Any, str | None]:
    """(data, None) or (None, why it does not parse)."""
    if not source:
        return None, "empty JSON-LD block"
    try:
        return json.loads(source), None
    except json.JSONDecodeError as exc:
        return None, f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        return None, "it nests objects or arrays too deeply to read"
    except ValueError as exc:  # e.g. a number longer than int() accepts
        return None, str(exc)


def extract_structured_data(doc: Document, facts: PageFacts) -> None:
    for script in doc.scripts:
        kind = (script.get("type") or "").split(";", 1)[0].strip().lower()
        if kind != "application/ld+json":
            continue
        block = JsonLd(selector=doc.select(script), snippet=snippet(script))
        block.data, block.error = _load((doc.own_text(script) or "").strip())
        if block.error is None:
            doc.jsonld_types |= _types(block.data)
            if doc.jsonld_views is None:
                doc.jsonld_views = _views(block.data)
        facts.json_ld.append(block)
