"""Page bodies through Wagtail's block values: every block type, stored shapes the admin and
the importer write (missing optional fields, list items without ids, an image stored as a bare
id), a missing image or page, and a block type added later, shown field by field."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from wagtail import blocks
from wagtail.blocks import StreamValue

from pages.api.streamfield import stream_representation
from pages.blocks import BodyBlock
from tests.api.test_query_counts import big_body

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"  # WAGTAILAPI_BASE_URL in tests


def represent(stream_block, raw: list[dict]) -> list[dict]:
    """The API representation of a body stored as `raw`, as loaded from the database."""
    context = {"request": RequestFactory().get("/api/v2/pages/")}
    stream = StreamValue(stream_block, json.loads(json.dumps(raw)), is_lazy=True)
    return json.loads(json.dumps(stream_representation(stream, context)))


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


def test_every_block_type_field_by_field(targets_and_images):
    targets, images = targets_and_images
    heading, paragraph, image, quote, cta, faq = represent(
        BodyBlock(), benchmark_body(targets, images)
    )
    assert [block["type"] for block in (heading, paragraph, image, quote, cta, faq)] == [
        "heading",
        "paragraph",
        "image",
        "quote",
        "call_to_action",
        "faq",
    ]
    assert heading["value"] == {"level": 3, "text": "Section"}
    for target in targets[:4]:  # internal links resolved to the pages' public URLs
        assert f'<a href="{target.url}">{target.title}</a>' in paragraph["value"]
    assert 'linktype="page"' not in paragraph["value"] + faq["value"]["items"][0]["answer"]
    assert image["value"]["id"] == images[0].pk
    assert image["value"]["alt"] == "P"
    assert image["value"]["decorative"] is False
    assert image["value"]["caption"] == "C"
    assert image["value"]["url"] == BASE + images[0].get_rendition("original").url
    assert set(image["value"]["renditions"]) == {"thumbnail", "medium", "large"}
    assert quote["value"] == {"quote": "Quote", "attribution": None}
    assert cta["value"]["text"] == "Book"
    assert cta["value"]["button_label"] == "Go"
    assert cta["value"]["page"]["id"] == targets[1].pk
    assert cta["value"]["url"] == cta["value"]["page"]["meta"]["html_url"]
    assert faq["value"]["items"][0]["question"] == "Q?"


def test_a_long_body_and_an_admin_shaped_body_show_the_same(targets_and_images):
    targets, images = targets_and_images
    raw = big_body(targets, images, 3)
    stored_by_editor = BodyBlock().get_prep_value(BodyBlock().to_python(raw))
    # every field present, list items with ids: the admin's stored shape shows the same values
    as_raw = [{**block, "id": None} for block in represent(BodyBlock(), raw)]
    as_stored = [{**block, "id": None} for block in represent(BodyBlock(), stored_by_editor)]
    assert as_raw == as_stored
    assert len(as_raw) == 18
    decorative = [block["value"] for block in as_raw if block["type"] == "image"]
    assert [image["decorative"] for image in decorative] == [False, True, False]
    assert decorative[1]["alt"] == ""  # a decorative image has no alt text, whatever was typed


def test_a_missing_image_or_page(targets_and_images):
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
    missing, empty, cta = represent(BodyBlock(), raw)
    assert missing["value"] is None
    assert empty["value"] is None
    assert cta["value"] == {
        "text": "t",
        "button_label": "b",
        "url": "https://example.com/",
        "page": None,
    }


class FutureBodyBlock(BodyBlock):
    """A later version of the body: a block type this code has no representation for."""

    video = blocks.StructBlock([("url", blocks.URLBlock()), ("page", blocks.PageChooserBlock())])


def test_a_block_type_added_later_is_served_by_its_block(targets_and_images):
    targets, images = targets_and_images
    raw = [
        *benchmark_body(targets, images),
        {"type": "video", "value": {"url": "https://example.com/v", "page": targets[0].pk}},
    ]
    shown = represent(FutureBodyBlock(), raw)
    assert len(shown) == 7
    assert shown[-1]["value"] == {"url": "https://example.com/v", "page": targets[0].pk}


def test_an_image_stored_as_a_bare_id_gets_its_default_alt_text(targets_and_images):
    """ImageBlock's reading of the older ImageChooserBlock data."""
    targets, images = targets_and_images
    raw = [
        {"type": "paragraph", "value": "<p>Text</p>"},
        {"type": "heading", "value": {"text": "T", "level": "h2"}},
        {"type": "image", "value": {"image": images[0].pk, "caption": "C"}},
    ]
    paragraph, heading, image = represent(BodyBlock(), raw)
    assert paragraph["value"] == "<p>Text</p>"
    assert heading["value"] == {"level": 2, "text": "T"}
    assert image["value"]["alt"] == images[0].default_alt_text
    assert image["value"]["caption"] == "C"


def test_demo_bodies_resolve_every_block(demo_site):
    from wagtail.models import Page

    bodies = [getattr(page, "body", None) for page in Page.objects.live().specific()]
    bodies = [body for body in bodies if body is not None and len(body)]
    assert bodies
    for body in bodies:
        shown = represent(body.stream_block, list(body.raw_data))
        assert [block["type"] for block in shown] == [child.block_type for child in body]
        assert all(block["value"] is not None for block in shown)
