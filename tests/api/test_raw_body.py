"""Page bodies are served from their stored JSON; the answer is byte for byte what serialising
block values gives, for every block type and stored shape, and a block type without a raw
representation (or a value of an unexpected shape) is served from its block value."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from wagtail import blocks
from wagtail.blocks import StreamValue

from pages.api.streamfield import (
    RAW_PLANS_KEY,
    stream_representation,
    stream_representation_from_blocks,
)
from pages.blocks import BodyBlock
from tests.api.test_query_counts import big_body

pytestmark = pytest.mark.django_db


def both_ways(stream_block, raw: list[dict]) -> tuple[str, str, list]:
    """(raw path JSON, block path JSON, which children the raw path served raw), each path
    from its own freshly loaded stream value."""
    context = {"request": RequestFactory().get("/api/v2/pages/")}
    stream = StreamValue(stream_block, json.loads(json.dumps(raw)), is_lazy=True)
    from_raw = json.dumps(stream_representation(stream, context))
    served_raw = [handler is not None for handler in context[RAW_PLANS_KEY][id(stream)].handlers]
    fresh = StreamValue(stream_block, json.loads(json.dumps(raw)), is_lazy=True)
    from_blocks = json.dumps(
        stream_representation_from_blocks(
            fresh, {"request": RequestFactory().get("/api/v2/pages/")}
        )
    )
    return from_raw, from_blocks, served_raw


@pytest.fixture
def targets_and_images(demo_site):
    from wagtail.models import Page

    from pages.models import ClinicImage

    return list(Page.objects.live().filter(depth__gt=1)), list(ClinicImage.objects.all())


def benchmark_body(targets, images) -> list[dict]:
    """The shapes benchmarks/api.py stores: missing optional fields, list items without ids."""
    link = " ".join(f'<a linktype="page" id="{t.pk}">{t.title}</a>' for t in targets[:4])
    return [
        {"type": "heading", "value": {"text": "Section", "level": "h3"}},
        {"type": "paragraph", "value": f"<p>Paragraph, see {link}.</p>"},
        {
            "type": "image",
            "value": {"image": {"image": images[0].pk, "alt_text": "P"}, "caption": "C"},
        },
        {"type": "quote", "value": {"quote": "Quote"}},
        {
            "type": "call_to_action",
            "value": {"text": "Book", "button_label": "Go", "page": targets[1].pk},
        },
        {"type": "faq", "value": {"items": [{"question": "Q?", "answer": f"<p>A {link}</p>"}]}},
    ]


def test_demo_pages_are_the_same_from_raw_data(demo_site):
    from wagtail.models import Page

    bodies = [getattr(page, "body", None) for page in Page.objects.live().specific()]
    bodies = [body for body in bodies if body is not None and len(body)]
    assert bodies
    for body in bodies:
        from_raw, from_blocks, served_raw = both_ways(body.stream_block, list(body.raw_data))
        assert from_raw == from_blocks
        assert all(served_raw)


def test_long_and_benchmark_bodies_are_the_same_from_raw_data(targets_and_images):
    targets, images = targets_and_images
    stored_by_editor = BodyBlock().get_prep_value(
        BodyBlock().to_python(big_body(targets, images, 3))
    )  # every field present, list items with ids, as the admin stores them
    for raw in (big_body(targets, images, 20), benchmark_body(targets, images), stored_by_editor):
        from_raw, from_blocks, served_raw = both_ways(BodyBlock(), raw)
        assert from_raw == from_blocks
        assert all(served_raw), served_raw


def test_missing_image_and_page_are_the_same_from_raw_data(targets_and_images):
    raw = [
        {"type": "image", "value": {"image": {"image": 999_999, "alt_text": "x"}, "caption": ""}},
        {"type": "image", "value": {"image": {"image": None, "alt_text": ""}, "caption": ""}},
        {
            "type": "call_to_action",
            "value": {
                "text": "t",
                "button_label": "b",
                "page": 999_999,
                "url": "https://example.com/",
            },
        },
    ]
    from_raw, from_blocks, served_raw = both_ways(BodyBlock(), raw)
    assert from_raw == from_blocks
    assert json.loads(from_raw)[0]["value"] is None
    assert all(served_raw)


class FutureBodyBlock(BodyBlock):
    """A later version of the body: a block type with no raw representation."""

    video = blocks.StructBlock([("url", blocks.URLBlock()), ("page", blocks.PageChooserBlock())])


def test_a_block_without_raw_representation_is_served_from_its_value(targets_and_images):
    targets, images = targets_and_images
    raw = [
        *benchmark_body(targets, images),
        {"type": "video", "value": {"url": "https://example.com/v", "page": targets[0].pk}},
    ]
    from_raw, from_blocks, served_raw = both_ways(FutureBodyBlock(), raw)
    assert from_raw == from_blocks
    assert served_raw == [True] * 6 + [False]
    assert json.loads(from_raw)[-1]["value"]["page"] == targets[0].pk


def test_a_value_of_an_older_shape_is_served_from_its_value(targets_and_images):
    """An image stored as a bare id (ImageBlock's reading of the older ImageChooserBlock data:
    the image's default alt text) is not a raw shape; the blocks around it still are."""
    targets, images = targets_and_images
    raw = [
        {"type": "paragraph", "value": "<p>Text</p>"},
        {"type": "heading", "value": {"text": "T", "level": "h2"}},
        {"type": "image", "value": {"image": images[0].pk, "caption": "C"}},
    ]
    from_raw, from_blocks, served_raw = both_ways(BodyBlock(), raw)
    assert from_raw == from_blocks
    assert served_raw == [True, True, False]
    assert json.loads(from_raw)[2]["value"]["alt"] == images[0].default_alt_text
