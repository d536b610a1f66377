from django import template
from django.utils.safestring import SafeString

from pages.seo import dump_json_ld, page_json_ld
from pages.site_chrome import site_chrome

register = template.Library()

SHARE_IMAGE_SPEC = "fill-1200x630"


@register.simple_tag(takes_context=True)
def page_json_ld_script(context, page) -> SafeString:
    request = context.get("request")
    clinic = _clinic_settings(context)
    image = page.share_image if hasattr(page, "share_image") else None
    image_url = _absolute(request, image.get_rendition(SHARE_IMAGE_SPEC).url) if image else ""
    return dump_json_ld(page_json_ld(page, request, clinic, image_url))


@register.simple_tag(takes_context=True)
def share_image_url(context, page) -> str:
    image = getattr(page, "share_image", None)
    if not image:
        return ""
    return _absolute(context.get("request"), image.get_rendition(SHARE_IMAGE_SPEC).url)


def _clinic_settings(context):
    return site_chrome(context.get("request"))["clinic"]


@register.simple_tag(takes_context=True)
def clinic_details(context):
    """The site's ClinicSettings, from the cross-request cache (see pages.site_chrome):
    `{% clinic_details as clinic %}` in place of `settings.pages.ClinicSettings`."""
    return _clinic_settings(context)


def _absolute(request, url: str) -> str:
    if url.startswith(("http://", "https://")) or request is None:
        return url
    return request.build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def main_nav_pages(context) -> list:
    """The home page's live, public children marked 'show in menus' (cached across requests)."""
    return site_chrome(context.get("request"))["nav"]


@register.simple_tag
def document_title(page, site_name: str) -> str:
    return page.document_title(site_name)
