from django import template
from django.utils.safestring import SafeString

from pages.seo import dump_json_ld, page_json_ld

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
    from pages.models import ClinicSettings

    request = context.get("request")
    if request is not None:
        return ClinicSettings.for_request(request)  # cached on the request
    from wagtail.models import Site

    return ClinicSettings.for_site(Site.objects.get(is_default_site=True))


def _absolute(request, url: str) -> str:
    if url.startswith(("http://", "https://")) or request is None:
        return url
    return request.build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def main_nav_pages(context):
    """The home page's live children marked 'show in menus' (one query)."""
    from wagtail.models import Site

    request = context.get("request")
    site = (
        Site.find_for_request(request)
        if request
        else Site.objects.filter(is_default_site=True).first()
    )
    if site is None:
        return []
    return list(
        site.root_page.get_children()
        .live()
        .public()
        .in_menu()
        .only("id", "title", "url_path", "path", "depth")
    )


@register.simple_tag
def document_title(page, site_name: str) -> str:
    return page.document_title(site_name)
