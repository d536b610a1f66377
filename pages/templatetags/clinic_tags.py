from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString

from pages.images import public_image as public_image_or_none
from pages.seo import dump_json_ld, page_json_ld
from pages.site_chrome import site_chrome

register = template.Library()

SHARE_IMAGE_SPEC = "fill-1200x630"


@register.simple_tag(takes_context=True)
def page_json_ld_script(context, page) -> SafeString:
    request = context.get("request")
    clinic = _clinic_settings(context)
    return dump_json_ld(page_json_ld(page, request, clinic, share_image_url(context, page)))


@register.simple_tag(takes_context=True)
def share_image_url(context, page) -> str:
    """The og:image and JSON-LD image: the page's social image, else its hero image, else the
    clinic's site-wide share image, skipping any that belongs to a private collection."""
    request = context.get("request")
    clinic = _clinic_settings(context)
    candidates = (
        getattr(page, "social_image", None),
        getattr(page, "hero_image", None),
        getattr(clinic, "share_image", None),
    )
    for candidate in candidates:
        image = public_image_or_none(candidate, request)
        if image is not None:
            return _absolute(request, image.get_rendition(SHARE_IMAGE_SPEC).url)
    return ""


@register.simple_tag(takes_context=True)
def public_image(context, image):
    """`{% public_image page.hero_image as hero %}`: the image, or None when it belongs to a
    private collection (public pages never show those)."""
    return public_image_or_none(image, context.get("request"))


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


@register.filter
def grouped_number(value: int) -> str:
    """A count with the thousands separator of the active language ("2,026" in en-GB), in the
    text itself so screen readers, copy-paste and the audit read the same number."""
    return number_format(value, force_grouping=True)
