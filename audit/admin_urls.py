"""Admin URLs of the SEO audit, mounted at /admin/seo-audits/ by audit.wagtail_hooks.

Wagtail wraps every URL registered through ``register_admin_urls`` in its admin-access check
(anonymous visitors go to the login page); the views check the audit permissions.
"""

from django.urls import path

from audit.admin_views import editor, runs, schedules

app_name = "seo_audits"

urlpatterns = [
    path("", runs.RunListView.as_view(), name="index"),
    path("start/", runs.start_run_view, name="start"),
    path("<int:run_id>/", runs.RunDetailView.as_view(), name="run"),
    path("<int:run_id>/cancel/", runs.cancel_run_view, name="cancel"),
    path("<int:run_id>/resume/", runs.resume_run_view, name="resume"),
    path("<int:run_id>/delete/", runs.DeleteRunView.as_view(), name="delete"),
    path("<int:run_id>/email/", runs.EmailRunView.as_view(), name="email"),
    path("<int:run_id>/export.<str:fmt>", runs.export_run_view, name="export"),
    path(
        "schedules/<int:schedule_id>/run-now/",
        schedules.run_schedule_now_view,
        name="schedule_run_now",
    ),
    path(
        "schedules/<int:schedule_id>/email-preview/",
        schedules.EmailPreviewView.as_view(),
        name="schedule_email_preview",
    ),
    path("schedules/describe-cron/", schedules.describe_cron_view, name="describe_cron"),
    path("pages/<int:page_id>/findings/", editor.page_panel_view, name="page_panel"),
    path("pages/<int:page_id>/check-draft/", editor.DraftCheckView.as_view(), name="check_draft"),
]
