from django.contrib import messages
from django.middleware.csrf import get_token
from django.urls import include, path, reverse
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from importer import admin_urls
from importer.models import TodoItem
from importer.todo import open_items


@hooks.register("register_admin_urls")
def register_import_admin_urls():
    return [path("site-import/", include(admin_urls, namespace="site_import"))]


class AdministratorsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.is_superuser


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return AdministratorsMenuItem(
        "Site import", reverse("site_import:index"), icon_name="download", order=460
    )


def _button(request, url: str, label: str, name: str) -> str:
    return format_html(
        '<form method="post" action="{}" style="display:inline">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button type="submit" class="button button-small button-secondary" '
        "data-import-todo-{}>{}</button></form>",
        url,
        get_token(request),
        name,
        label,
    )


def _item_html(request, item: TodoItem) -> str:
    done = _button(
        request,
        reverse("site_import:todo_done", args=[item.pk]),
        "Not a duplicate" if item.kind == TodoItem.Kind.DUPLICATE else "Done",
        "done",
    )
    merge = ""
    if item.kind == TodoItem.Kind.DUPLICATE:
        merge = _button(
            request,
            reverse("site_import:todo_merge", args=[item.pk]),
            "Merge into this page",
            "merge",
        )
    return format_html('<li data-import-todo="{}">{} {}{}</li>', item.pk, item.text, merge, done)


@hooks.register("before_edit_page")
def show_import_todo(request, page):
    # The import's to-do lives on the draft, so whoever edits it sees what to check (the
    # import's own page is for administrators only); each item is ticked off from here.
    if request.method != "GET":
        return None
    items = list(open_items(page))
    if not items:
        return None
    rows = format_html_join("", "{}", ((_item_html(request, item),) for item in items))
    messages.warning(
        request,
        format_html(
            "<span data-import-todo-list>From the site import, to check on this page "
            "({} open):</span><ul>{}</ul>",
            len(items),
            rows,
        ),
    )
    return None
