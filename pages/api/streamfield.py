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
    """How one block type is served from its stored JSON. `stored` returns the stored value
    completed as the block would read it (missing fields get their defaults), or None when it
    is not of a shape this block stores (then the block value is used)."""

    def stored(self, raw: Any, block: blocks.Block) -> Any:
        return _filled(raw, block)

    def collect(self, value: Any, references: RawReferences) -> None:
        """Note what the value points at (images, pages, rich text), to load them in bulk."""

    def representation(self, value: Any, context: dict[str, Any], references: RawReferences):
        raise NotImplementedError


_SCALARS = (str, bool, int, float, type(None))


def _filled(raw: Any, block: blocks.Block) -> dict[str, Any] | None:
    """A stored struct value with every child present: a missing child gets its default, as
    StructBlock does, when that default is plain JSON; None if anything else is missing."""
    if not isinstance(raw, dict) or not isinstance(block, blocks.StructBlock):
        return None
    filled = {}
    for name, child in block.child_blocks.items():
        if name in raw:
            filled[name] = raw[name]
        else:
            default = child.get_default()
            if not isinstance(default, _SCALARS):
                return None
            filled[name] = default
    return filled


def _is_id(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


class RawRichText(RawRepresentation):
    def stored(self, raw: Any, block: blocks.Block) -> Any:
        return raw if isinstance(raw, str) else None

    def collect(self, value: str, references: RawReferences) -> None:
        references.rich_texts.append(value)

    def representation(self, value: str, context: dict[str, Any], references: RawReferences):
        return rich_text_api(value, context)


class RawTextStruct(RawRepresentation):
    """A struct block of text fields only, shown as stored (StructBlock's default)."""

    def stored(self, raw: Any, block: blocks.Block) -> Any:
        filled = _filled(raw, block)
        if filled is None or not all(isinstance(v, _SCALARS) for v in filled.values()):
            return None
        return filled

    def representation(self, value: dict, context: dict[str, Any], references: RawReferences):
        return value


class RawHeading(RawTextStruct):
    def representation(self, value: dict, context: dict[str, Any], references: RawReferences):
        return heading_representation(value, context)


class RawCaptionedImage(RawRepresentation):
    def stored(self, raw: Any, block: blocks.Block) -> Any:
        filled = _filled(raw, block)
        # An image stored as a bare id is the older ImageChooserBlock format: block path.
        image = _filled(filled["image"], block.child_blocks["image"]) if filled else None
        if image is None or not _is_id(image["image"]):
            return None
        return {**filled, "image": image}

    def collect(self, value: dict, references: RawReferences) -> None:
        if value["image"]["image"] is not None:
            references.image_ids.add(value["image"]["image"])

    def representation(self, value: dict, context: dict[str, Any], references: RawReferences):
        stored = value["image"]
        request = context.get("request")
        image = public_image(references.images.get(stored["image"]), request)
        if image is None:  # deleted from the library, or in a private collection
            return None
        decorative = bool(stored["decorative"])
        return image_representation(
            image,
            request,
            alt="" if decorative else stored["alt_text"] or "",
            decorative=decorative,
            caption=value["caption"] or "",
        )


class RawCallToAction(RawRepresentation):
    def stored(self, raw: Any, block: blocks.Block) -> Any:
        filled = _filled(raw, block)
        return filled if filled is not None and _is_id(filled["page"]) else None

    def collect(self, value: dict, references: RawReferences) -> None:
        if value["page"] is not None:
            references.page_ids.add(value["page"])

    def representation(self, value: dict, context: dict[str, Any], references: RawReferences):
        return call_to_action_representation(
            {**value, "page": references.pages.get(value["page"])}, context
        )


class RawFAQ(RawRepresentation):
    def stored(self, raw: Any, block: blocks.Block) -> Any:
        filled = _filled(raw, block)
        items = filled["items"] if filled else None
        if not isinstance(items, list):
            return None
        item_block = block.child_blocks["items"].child_block
        values = []
        for item in items:
            # ListBlock's two stored formats: {"type": "item", "value": …, "id": …} or the value.
            in_block_format = (
                isinstance(item, dict)
                and "id" in item
                and "value" in item
                and item.get("type") == "item"
            )
            value = _filled(item["value"] if in_block_format else item, item_block)
            if value is None or not isinstance(value["answer"], str | None):
                return None
            values.append(value)
        return {"items": values}

    def collect(self, value: dict, references: RawReferences) -> None:
        references.rich_texts.extend(item["answer"] or "" for item in value["items"])

    def representation(self, value: dict, context: dict[str, Any], references: RawReferences):
        return {
            "items": [
                {
                    "question": item["question"],
                    "answer": rich_text_api(item["answer"] or "", context),
                }
                for item in value["items"]
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
        return RawTextStruct()
    return None


class RawBodyPlan:
    """How each block of one stream is served: from its stored JSON, or (`None`) from its
    block value."""

    def __init__(self, stream_value) -> None:
        self.stream_value = stream_value
        self.raw_items: list[dict[str, Any]] = []
        self.handlers: list[RawRepresentation | None] = []
        self.values: list[Any] = []  # each raw block's stored value, completed
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
            block = child_blocks[item["type"]]
            handler = _raw_representation(block)
            value = handler.stored(item.get("value"), block) if handler is not None else None
            if value is None:
                handler = None
            else:
                handler.collect(value, references)
            plan.handlers.append(handler)
            plan.values.append(value)
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
                        "value": handler.representation(self.values[i], context, self.references),
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
