"""Admin hooks for the marketing team: the content checker's rules and the editor guidance."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks

from users.content_checker import replace_content_checker


@hooks.register("construct_wagtail_userbar")
def use_clinic_content_checker(request, items, page):
    replace_content_checker(items)


@hooks.register("insert_editor_js")
def editor_guidance_assets():
    # Character counters and heading-order hints beside the fields editors type in.
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" defer></script>',
        static("pages/admin/editor-guidance.css"),
        static("pages/admin/editor-guidance.js"),
    )
