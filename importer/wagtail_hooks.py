from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from importer import admin_urls


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
