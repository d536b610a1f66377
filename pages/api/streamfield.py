"""StreamField blocks serialised for a front end rather than for the database.

Block classes in `pages/blocks.py` delegate their `get_api_representation` here.

A body loaded from the database is served from its stored JSON (`StreamValue.raw_data`), not
from block values: headings, quotes, FAQs and calls to action are plain JSON already, and
turning 120 stored blocks into block values (struct values, rich text objects, a model copy per
repeated image and page) cost more than the rest of the body's serialisation. Only images,
page references and rich text need resolving, and those are loaded for every body of a
response at once. A block type without a raw representation (one added later), or a stored
value of an unexpected shape (an older version of a block), is served from its block value,
as before: same output either way (tests/api/test_raw_body.py compares the two).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from wagtail import blocks
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Page
from wagtail.rich_text import RichText

from pages.api.images import image_representation, prefetch_renditions
from pages.api.references import page_reference, public_page_check
from pages.api.rich_text import pre_expand, rich_text_api
from pages.images import images_in, iter_body_images, public_image

# Context key: {id(stream value): RawBodyPlan} of the bodies whose references are loaded.
RAW_PLANS_KEY = "clinic_raw_body_plans"
# Context key: ids of the stream values whose images and links were already loaded.
PREPARED_STREAMS_KEY = "clinic_prepared_streams"


def stream_representation(stream_value, context: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every block of a stream, after loading what they refer to in a fixed number of queries:
    images with their renditions, linked and call-to-action pages, and the targets of every
    internal link in every rich text (see `prepare_streams`). For a page's body,
    `PageBatch.prepare` has already done it, together with the rest of the page."""
    context = context if context is not None else {}
    plan = context.get(RAW_PLANS_KEY, {}).get(id(stream_value))
    if plan is None:
        plan = prepare_streams([stream_value], context)[0]
    return plan.representation(context)


def stream_representation_from_blocks(
    stream_value, context: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The same, from block values only (the path a block without raw representation takes)."""
    context = context if context is not None else {}
    if id(stream_value) not in context.get(PREPARED_STREAMS_KEY, ()):
        prefetch_renditions(iter_body_images(stream_value))
        pre_expand([text.source for text in rich_texts(stream_value)], context)
    return [_child_representation(child, context) for child in stream_value]


def _child_representation(child, context: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": child.block_type,
        "value": block_api(child.block, child.value, context),
        "id": child.id,
    }


def block_api(block: blocks.Block, value: Any, context: dict[str, Any]) -> Any:
    if isinstance(block, blocks.RichTextBlock):
        return rich_text_api(value.source if value else "", context)
    return block.get_api_representation(value, context=context)


class RawReferences:
    """What the raw blocks of a response's bodies point at, loaded once for all of them."""

    def __init__(self) -> None:
        self.image_ids: set[int] = set()
        self.page_ids: set[int] = set()
        self.rich_texts: list[str] = []
        self.images: dict[int, AbstractImage] = {}
        self.pages: dict[int, Page] = {}

    def load(self) -> None:
        if self.image_ids:
            self.images = get_image_model().objects.in_bulk(self.image_ids)
        if self.page_ids:  # generic pages, as PageChooserBlock loads them
            self.pages = Page.objects.in_bulk(self.page_ids)


class RawRepresentation:
    """How one block type is served from its stored JSON. `accepts` says whether a stored
    value has exactly the shape this block stores today (else the block value is used)."""

    def accepts(self, raw: Any) -> bool:
        raise NotImplementedError

    def collect(self, raw: Any, references: RawReferences) -> None:
        """Note what the value points at (images, pages, rich text), to load them in bulk."""

    def representation(self, raw: Any, context: dict[str, Any], references: RawReferences) -> Any:
        raise NotImplementedError


def _has_strings(raw: Any, names: Iterable[str], *, optional: Iterable[str] = ()) -> bool:
    """`raw` is a dict holding each name, each a string (or None for the optional ones)."""
    return (
        isinstance(raw, dict)
        and all(isinstance(raw.get(name), str) for name in names)
        and all(name in raw and isinstance(raw[name], str | None) for name in optional)
    )


def _is_id(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


class RawRichText(RawRepresentation):
    def accepts(self, raw: Any) -> bool:
        return isinstance(raw, str)

    def collect(self, raw: str, references: RawReferences) -> None:
        references.rich_texts.append(raw)

    def representation(self, raw: str, context: dict[str, Any], references: RawReferences) -> str:
        return rich_text_api(raw, context)


class RawTextStruct(RawRepresentation):
    """A struct block of text fields only, shown as stored (StructBlock's default)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)

    def accepts(self, raw: Any) -> bool:
        return _has_strings(raw, (), optional=self.names)

    def representation(self, raw: dict, context: dict[str, Any], references: RawReferences):
        return {name: raw[name] for name in self.names}


class RawHeading(RawRepresentation):
    def accepts(self, raw: Any) -> bool:
        return _has_strings(raw, ("text", "level"))

    def representation(self, raw: dict, context: dict[str, Any], references: RawReferences):
        return heading_representation(raw, context)


class RawCaptionedImage(RawRepresentation):
    def accepts(self, raw: Any) -> bool:
        image = raw.get("image") if isinstance(raw, dict) else None
        return (
            _has_strings(raw, (), optional=("caption",))
            and _has_strings(image, (), optional=("alt_text",))
            and "image" in image
            and _is_id(image["image"])
            and isinstance(image.get("decorative"), bool)
        )

    def collect(self, raw: dict, references: RawReferences) -> None:
        if raw["image"]["image"] is not None:
            references.image_ids.add(raw["image"]["image"])

    def representation(self, raw: dict, context: dict[str, Any], references: RawReferences):
        stored = raw["image"]
        request = context.get("request")
        image = public_image(references.images.get(stored["image"]), request)
        if image is None:  # deleted from the library, or in a private collection
            return None
        decorative = stored["decorative"]
        return image_representation(
            image,
            request,
            alt="" if decorative else stored["alt_text"] or "",
            decorative=decorative,
            caption=raw["caption"] or "",
        )


class RawCallToAction(RawRepresentation):
    def accepts(self, raw: Any) -> bool:
        return (
            _has_strings(raw, ("text", "button_label"), optional=("url",))
            and "page" in raw
            and _is_id(raw["page"])
        )

    def collect(self, raw: dict, references: RawReferences) -> None:
        if raw["page"] is not None:
            references.page_ids.add(raw["page"])

    def representation(self, raw: dict, context: dict[str, Any], references: RawReferences):
        value = {**raw, "page": references.pages.get(raw["page"])}
        return call_to_action_representation(value, context)


class RawFAQ(RawRepresentation):
    def accepts(self, raw: Any) -> bool:
        items = raw.get("items") if isinstance(raw, dict) else None
        return isinstance(items, list) and all(
            isinstance(item, dict)
            and item.get("type") == "item"
            and "id" in item
            and _has_strings(item.get("value"), ("question", "answer"))
            for item in items
        )

    def collect(self, raw: dict, references: RawReferences) -> None:
        references.rich_texts.extend(item["value"]["answer"] for item in raw["items"])

    def representation(self, raw: dict, context: dict[str, Any], references: RawReferences):
        return {
            "items": [
                {
                    "question": item["value"]["question"],
                    "answer": rich_text_api(item["value"]["answer"], context),
                }
                for item in raw["items"]
            ]
        }


def raw_representation_of(block: blocks.Block) -> RawRepresentation | None:
    """The block's raw representation: declared by the block class (`raw_api`), rich text,
    or a struct of text fields with StructBlock's own API representation; else None."""
    declared = getattr(block, "raw_api", None)
    if declared is not None:
        return declared
    if type(block) is blocks.RichTextBlock:
        return RawRichText()
    if (
        isinstance(block, blocks.StructBlock)
        and type(block).get_api_representation is blocks.StructBlock.get_api_representation
        and all(
            type(child) in (blocks.CharBlock, blocks.TextBlock)
            for child in block.child_blocks.values()
        )
    ):
        return RawTextStruct(list(block.child_blocks))
    return None


class RawBodyPlan:
    """How each block of one stream is served: from its stored JSON, or (`None`) from its
    block value."""

    def __init__(self, stream_value) -> None:
        self.stream_value = stream_value
        self.raw_items: list[dict[str, Any]] = []
        self.handlers: list[RawRepresentation | None] = []
        self.references = RawReferences()

    @classmethod
    def of(cls, stream_value, references: RawReferences) -> RawBodyPlan:
        plan = cls(stream_value)
        plan.references = references
        child_blocks = stream_value.stream_block.child_blocks
        raw_items = list(stream_value.raw_data) if getattr(stream_value, "is_lazy", False) else None
        if raw_items is None or not all(
            isinstance(item, dict) and item.get("type") in child_blocks for item in raw_items
        ):
            plan.handlers = [None] * len(stream_value)  # built in memory, or an unknown type
            return plan
        plan.raw_items = raw_items
        for item in raw_items:
            handler = _raw_representation(child_blocks[item["type"]])
            if handler is not None and not handler.accepts(item.get("value")):
                handler = None
            if handler is not None:
                handler.collect(item["value"], references)
            plan.handlers.append(handler)
        return plan

    def block_children(self) -> list:
        """The children served from block values (converted here, by Wagtail, in bulk)."""
        return [self.stream_value[i] for i, handler in enumerate(self.handlers) if handler is None]

    def representation(self, context: dict[str, Any]) -> list[dict[str, Any]]:
        result = []
        for i, handler in enumerate(self.handlers):
            if handler is None:
                result.append(_child_representation(self.stream_value[i], context))
            else:
                item = self.raw_items[i]
                result.append(
                    {
                        "type": item["type"],
                        "value": handler.representation(item["value"], context, self.references),
                        "id": item.get("id"),
                    }
                )
        return result


_RAW_BY_BLOCK: dict[int, tuple[blocks.Block, RawRepresentation | None]] = {}


def _raw_representation(block: blocks.Block) -> RawRepresentation | None:
    """`raw_representation_of`, worked out once per block definition."""
    known = _RAW_BY_BLOCK.get(id(block))
    if known is None or known[0] is not block:
        known = _RAW_BY_BLOCK[id(block)] = (block, raw_representation_of(block))
    return known[1]


def prepare_streams(
    streams: Sequence,
    context: dict[str, Any],
    *,
    images: Iterable[AbstractImage | None] = (),
    rich_text_sources: Iterable[str] = (),
) -> list[RawBodyPlan]:
    """Plan every stream and load what all of them point at, together with the page's own
    `images` and rich text: images (one query), their renditions (one), pages (one), link
    targets (one per link type), plus Wagtail's own loads for blocks served from values."""
    references = RawReferences()
    plans = [RawBodyPlan.of(stream, references) for stream in streams]
    references.load()
    block_children = [child for plan in plans for child in plan.block_children()]
    prefetch_renditions(
        [*images, *references.images.values()]
        + [image for child in block_children for image in images_in(child.value)]
    )
    pre_expand(
        [*rich_text_sources, *references.rich_texts]
        + [text.source for child in block_children for text in _rich_texts_in(child.value)],
        context,
    )
    context.setdefault(RAW_PLANS_KEY, {}).update((id(plan.stream_value), plan) for plan in plans)
    context.setdefault(PREPARED_STREAMS_KEY, set()).update(id(stream) for stream in streams)
    return plans


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
