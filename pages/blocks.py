"""StreamField blocks for page bodies. Each renders semantic HTML from its own template."""

from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from pages.api import streamfield as api

# The page title is the page's only h1, so editors get no h1 anywhere in a body.
RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]
HEADING_LEVELS = [("h2", "Section heading (h2)"), ("h3", "Subheading (h3)"), ("h4", "Minor (h4)")]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=HEADING_LEVELS,
        default="h2",
        help_text="Keep levels in order: an h3 belongs under an h2, an h4 under an h3.",
    )

    class Meta:
        icon = "title"
        template = "pages/blocks/heading_block.html"

    def get_api_representation(self, value, context=None):
        return api.heading_representation(value, context)


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(
        help_text=(
            "Alt text says what the image shows for someone who cannot see it "
            "(e.g. 'Physiotherapist inserting a fine needle into a patient's forearm'). "
            "Mark the image decorative only if it adds nothing to the text."
        )
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "pages/blocks/image_block.html"

    def get_api_representation(self, value, context=None):
        return api.captioned_image_representation(value, context)


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "pages/blocks/quote_block.html"


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200, help_text="One sentence inviting the reader to act.")
    button_label = blocks.CharBlock(
        max_length=60, help_text="Say what happens, e.g. 'Book an IMS assessment'."
    )
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(label="URL", required=False, help_text="Used when no page is chosen.")

    class Meta:
        icon = "pick"
        template = "pages/blocks/call_to_action_block.html"

    def get_api_representation(self, value, context=None):
        return api.call_to_action_representation(value, context)


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200)
    answer = blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"])


class FAQBlock(blocks.StructBlock):
    items = blocks.ListBlock(FAQItemBlock(), min_num=1, label="Questions and answers")

    class Meta:
        icon = "help"
        template = "pages/blocks/faq_block.html"

    def get_api_representation(self, value, context=None):
        return api.faq_representation(value, context)


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, template="pages/blocks/rich_text.html"
    )
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    faq = FAQBlock(label="FAQ")

    def get_api_representation(self, value, context=None):
        return api.stream_representation(value, context)


class WhoItHelpsBlock(blocks.StreamBlock):
    item = blocks.CharBlock(max_length=160, label="Who it helps")
