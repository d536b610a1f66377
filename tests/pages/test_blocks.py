import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError

from pages.blocks import (
    RICH_TEXT_FEATURES,
    BodyBlock,
    CallToActionBlock,
    CaptionedImageBlock,
    FAQBlock,
    HeadingBlock,
    QuoteBlock,
)
from pages.models import ClinicImage, ServicePage

pytestmark = pytest.mark.django_db


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(str(html), "lxml")


@pytest.fixture
def image(demo_site):
    return ClinicImage.objects.get(title="IMS treatment on a forearm")


@pytest.mark.parametrize("level", ["h2", "h3", "h4"])
def test_heading_block_renders_the_chosen_level(level):
    block = HeadingBlock()
    html = block.render(block.to_python({"text": "How it works", "level": level}))
    tag = soup(html).find(level)
    assert tag is not None and tag.get_text() == "How it works"
    assert tag["id"] == "how-it-works"


def test_heading_levels_exclude_h1():
    choices = [value for value, _ in HeadingBlock().child_blocks["level"].field.choices]
    assert "h1" not in choices
    assert {"h2", "h3", "h4"} <= set(choices)


def test_rich_text_toolbar_has_no_h1():
    assert "h1" not in RICH_TEXT_FEATURES
    paragraph = BodyBlock().child_blocks["paragraph"]
    assert "h1" not in paragraph.features


def test_image_block_renders_alt_text_and_responsive_renditions(image):
    block = CaptionedImageBlock()
    value = block.to_python(
        {
            "image": {"image": image.pk, "alt_text": "Needles in a forearm", "decorative": False},
            "caption": "During treatment",
        }
    )
    page = soup(block.render(value))
    img = page.find("img")
    assert img["alt"] == "Needles in a forearm"
    assert img["width"] and img["height"]
    assert img["srcset"].count("w,") == 2  # three widths
    assert page.find("figcaption").get_text() == "During treatment"


def test_decorative_image_gets_empty_alt(image):
    block = CaptionedImageBlock()
    value = block.to_python(
        {"image": {"image": image.pk, "alt_text": "ignored", "decorative": True}, "caption": ""}
    )
    img = soup(block.render(value)).find("img")
    assert img.has_attr("alt") and img["alt"] == ""
    assert soup(block.render(value)).find("figcaption") is None


def test_image_without_alt_or_decorative_flag_is_rejected(image):
    block = CaptionedImageBlock()
    value = block.to_python(
        {"image": {"image": image.pk, "alt_text": "", "decorative": False}, "caption": ""}
    )
    with pytest.raises(StructBlockValidationError) as excinfo:
        block.clean(value)
    nested = excinfo.value.block_errors["image"]
    assert "alt text" in str(nested.block_errors["alt_text"]).lower()


def test_quote_block_is_a_blockquote_with_attribution():
    block = QuoteBlock()
    page = soup(block.render(block.to_python({"quote": "It helped.", "attribution": "A patient"})))
    assert page.find("blockquote").get_text(strip=True) == "It helped."
    assert "A patient" in page.find("figcaption").get_text()


def test_call_to_action_links_to_url():
    block = CallToActionBlock()
    value = block.to_python(
        {"text": "Ready?", "button_label": "Book now", "page": None, "url": "https://x.example/"}
    )
    link = soup(block.render(value)).find("a")
    assert link["href"] == "https://x.example/" and link.get_text() == "Book now"


def test_faq_block_renders_question_and_answer():
    block = FAQBlock()
    value = block.to_python({"items": [{"question": "Does it hurt?", "answer": "<p>Briefly.</p>"}]})
    page = soup(block.render(value))
    assert page.find("summary").get_text() == "Does it hurt?"
    assert page.find("details").find("p").get_text() == "Briefly."


def test_body_rejects_unknown_block_types():
    with pytest.raises((StreamBlockValidationError, ValidationError, KeyError)):
        BodyBlock().clean(BodyBlock().to_python([{"type": "h1", "value": "Nope"}]))


def test_hero_image_needs_alt_text_or_decorative_flag(demo_site, image):
    page = ServicePage.objects.get(slug="ims")
    page.hero_image_alt = ""
    page.hero_image_decorative = False
    with pytest.raises(ValidationError) as excinfo:
        page.full_clean()
    assert "hero_image_alt" in excinfo.value.message_dict
    page.hero_image_decorative = True
    page.full_clean()
    assert page.hero_alt == ""
