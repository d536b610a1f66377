from django import template

from pageviews.report import page_summary

register = template.Library()


@register.simple_tag
def page_view_summary(page) -> dict[str, int]:
    """{"all", "365", "30", "7"} → views, for the editor's status panel (zeros for a new page)."""
    if not getattr(page, "pk", None):
        return dict.fromkeys(("all", "365", "30", "7"), 0)
    return page_summary(page.pk)
