"""Wagtail's content checker (preview and the editor's Checks panel) with the axe-core rules
that matter to the clinic added to Wagtail's defaults."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.userbar import AccessibilityItem, ContentCheckerItem

# axe-core rule ids; Wagtail's defaults skip these, and each maps to an SEO audit check.
EXTRA_AXE_RULES = ["image-alt", "document-title", "html-has-lang"]


class ClinicContentCheckerItem(ContentCheckerItem):
    axe_run_only = [*ContentCheckerItem.axe_run_only, *EXTRA_AXE_RULES]
    axe_messages = {
        **ContentCheckerItem.axe_messages,
        "image-alt": {
            "error_name": _("Image has no alt text"),
            "help_text": _(
                "Add alt text saying what the image shows, or mark the image as decorative"
            ),
        },
        "document-title": {
            "error_name": _("Page has no title"),
            "help_text": _("Give the page a title (or an SEO title) that says what it is about"),
        },
        "html-has-lang": {
            "error_name": _("Page language is not set"),
            "help_text": _("The page template must set <html lang>; tell a developer"),
        },
    }


def replace_content_checker(items: list) -> None:
    """Swap Wagtail's stock checker for ours in a userbar item list, in place."""
    for position, item in enumerate(items):
        # Only the stock classes: a subclass someone else registered is left alone.
        if type(item) in (ContentCheckerItem, AccessibilityItem):
            items[position] = ClinicContentCheckerItem(in_editor=item.in_editor)
