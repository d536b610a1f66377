"""Admin URLs of the site import, mounted at /admin/site-import/ by importer.wagtail_hooks."""

from django.urls import path

from importer import views

app_name = "site_import"

urlpatterns = [
    path("", views.index_view, name="index"),
    path("<int:run_id>/", views.run_view, name="run"),
    path("<int:run_id>/confirm/", views.confirm_view, name="confirm"),
    path("allowed-hosts/", views.allowed_hosts_view, name="allowed_hosts"),
    # Whoever may edit the page, not only administrators.
    path("todo/<int:item_id>/done/", views.todo_done_view, name="todo_done"),
    path("todo/<int:item_id>/merge/", views.todo_merge_view, name="todo_merge"),
]
