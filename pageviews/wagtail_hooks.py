"""Wagtail hooks of view counting: count served pages; the Page views report and side panel."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.side_panels import PageStatusSidePanel

from pageviews.admin_views import page_views_report
from pageviews.api import record_view

# Innermost on_serve_page wrapper (highest order): Wagtail's own privacy check is also an
# on_serve_page hook and answers restricted pages with a 200 password form, which must not count.
INNERMOST = 10_000


@hooks.register("on_serve_page", order=INNERMOST)
def count_served_page_views(next_serve):
    """Count a view when a live page is served with 200 to a reader who may see it, once the
    page has rendered.

    `on_serve_page` wraps only Wagtail's public serve view (after the method checks of
    `before_serve_page` and the privacy check), so previews never get here. The view
    restrictions are asked again here all the same: a reader shown a password form or sent to
    log in has not seen the page, whatever order hooks run in. The page's template renders
    after this returns (TemplateResponse is lazy): the view is counted after that succeeds,
    and the count the page shows includes it.
    """

    def serve_and_count(page, request, args, kwargs):
        response = next_serve(page, request, args, kwargs)
        if response.status_code == 200 and reader_may_see(page, request):
            record_view(request, page, response)
        return response

    return serve_and_count


def reader_may_see(page, request) -> bool:
    """Whether every view restriction on the page and its ancestors lets this request in."""
    return all(restriction.accept_request(request) for restriction in page.get_view_restrictions())


@hooks.register("register_admin_urls")
def page_views_admin_urls():
    return [path("reports/page-views/", page_views_report, name="page_views_report")]


@hooks.register("register_reports_menu_item")
def page_views_report_menu_item():
    return MenuItem("Page views", reverse("page_views_report"), name="page-views", icon_name="view")


# The page editor's Status side panel lists its sections as templates; Wagtail has no hook to
# add one, so the list is extended here (checked at start-up so a Wagtail upgrade that renames
# the method fails loudly instead of silently dropping the section).
STATUS_VIEWS_TEMPLATE = "pageviews/admin/status_views.html"
_wagtail_status_templates = PageStatusSidePanel.get_status_templates


def _status_templates_with_views(panel, context):
    templates = _wagtail_status_templates(panel, context)
    if panel.object.pk:
        templates.append(STATUS_VIEWS_TEMPLATE)
    return templates


PageStatusSidePanel.get_status_templates = _status_templates_with_views
