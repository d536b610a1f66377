"""StreamField blocks serialised for a front end rather than for the database.

Block classes in `pages/blocks.py` delegate their `get_api_representation` here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from wagtail import blocks
from wagtail.rich_text import RichText

from pages.api.images import image_representation, prefetch_renditions
from pages.api.references import page_reference, public_page_check
from pages.api.rich_text import pre_expand, rich_text_api
from pages.images import iter_body_images, public_image

# Context key: ids of the stream values whose images and links were already loaded.
PREPARED_STREAMS_KEY = "clinic_prepared_streams"


def stream_representation(stream_value, context: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every block of a stream, after loading what they share in a fixed number of queries:
    images (one query, done by the stream itself), their renditions (one query) and the targets
    of every internal link in every rich text block (one query per link type). For a page's
    body, `PageBatch.prepare` has already done both, together with the rest of the page."""
    context = context if context is not None else {}
    if id(stream_value) not in context.get(PREPARED_STREAMS_KEY, ()):
        prefetch_renditions(iter_body_images(stream_value))
        pre_expand([text.source for text in rich_texts(stream_value)], context)
    return [
        {
            "type": child.block_type,
            "value": block_api(child.block, child.value, context),
            "id": child.id,
        }
        for child in stream_value
    ]


def block_api(block: blocks.Block, value: Any, context: dict[str, Any]) -> Any:
    if isinstance(block, blocks.RichTextBlock):
        return rich_text_api(value.source if value else "", context)
    return block.get_api_representation(value, context=context)


def heading_representation(value, context: dict[str, Any] | None) -> dict[str, Any]:
    level = str(value.get("level") or "h2")
    return {"level": int(level.lstrip("hH") or 2), "text": value.get("text", "")}


def captioned_image_representation(value, context: dict[str, Any] | None) -> dict[str, Any] | None:
    image = public_image(value.get("image"), (context or {}).get("request"))
    if image is None:  # deleted from the library, or in a private collection
        return None
    return image_representation(
        image,
        (context or {}).get("request"),
        alt=getattr(image, "contextual_alt_text", "") or "",
        decorative=bool(getattr(image, "decorative", False)),
        caption=value.get("caption") or "",
    )


def call_to_action_representation(value, context: dict[str, Any] | None) -> dict[str, Any]:
    context = context if context is not None else {}
    page = value.get("page")
    target = page_reference(page, context) if public_page_check(context).is_public(page) else None
    return {
        "text": value.get("text", ""),
        "button_label": value.get("button_label", ""),
        "url": target["meta"]["html_url"] if target else (value.get("url") or ""),
        "page": target,
    }


def faq_representation(value, context: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "items": [
            {
                "question": item.get("question", ""),
                "answer": rich_text_api(
                    item["answer"].source if item.get("answer") else "", context
                ),
            }
            for item in value.get("items", [])
        ]
    }


def rich_texts(stream_value) -> Iterator[RichText]:
    """Every rich text value inside a stream, at any depth of struct/list blocks."""
    for child in stream_value or []:
        yield from _rich_texts_in(child.value)


def _rich_texts_in(value) -> Iterator[RichText]:
    if isinstance(value, RichText):
        yield value
    elif isinstance(value, dict):  # StructValue
        for item in value.values():
            yield from _rich_texts_in(item)
    elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
        for item in value:
            yield from _rich_texts_in(getattr(item, "value", item))
