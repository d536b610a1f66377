"""StreamField blocks serialised for a front end rather than for the database.

Block classes in `pages/blocks.py` delegate their `get_api_representation` here. Bodies are
served from Wagtail's block values (`StreamValue` converts each block type of a body in one
`bulk_to_python`: one query for its images, one for its chosen pages); what those values point
at further (image renditions, the targets of internal links in rich text) is loaded for every
body of a response at once by `prepare_streams`, so a body's query count does not grow with
its length.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from wagtail import blocks
from wagtail.images.models import AbstractImage
from wagtail.rich_text import RichText

from pages.api.images import image_representation, prefetch_renditions
from pages.api.references import page_reference, public_page_check
from pages.api.rich_text import pre_expand, rich_text_api
from pages.images import images_in, public_image

# Context key: ids of the stream values whose images and links were already loaded.
PREPARED_STREAMS_KEY = "clinic_prepared_streams"


def stream_representation(stream_value, context: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every block of a stream, after loading what they refer to (see `prepare_streams`; for a
    page's body `PageBatch.prepare` has already done it, together with the rest of the page)."""
    context = context if context is not None else {}
    if id(stream_value) not in context.get(PREPARED_STREAMS_KEY, ()):
        prepare_streams([stream_value], context)
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


def prepare_streams(
    streams: Sequence,
    context: dict[str, Any],
    *,
    images: Iterable[AbstractImage | None] = (),
    rich_text_sources: Iterable[str] = (),
) -> None:
    """Load what every stream points at, together with the page's own `images` and rich text:
    the renditions of every image (one query) and the targets of every internal link (one
    query per link type)."""
    children = [child for stream in streams for child in stream]
    prefetch_renditions(
        [*images, *(image for child in children for image in images_in(child.value))]
    )
    pre_expand(
        [
            *rich_text_sources,
            *(text.source for child in children for text in _rich_texts_in(child.value)),
        ],
        context,
    )
    context.setdefault(PREPARED_STREAMS_KEY, set()).update(id(stream) for stream in streams)


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


def _rich_texts_in(value) -> Iterator[RichText]:
    if isinstance(value, RichText):
        yield value
    elif isinstance(value, dict):  # StructValue
        for item in value.values():
            yield from _rich_texts_in(item)
    elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
        for item in value:
            yield from _rich_texts_in(getattr(item, "value", item))
