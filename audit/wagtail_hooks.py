"""Wagtail hooks of the audit app: menu, report views, schedules, the editor panel and
"Check this draft". (The after-publish audit is a `pages.events` receiver: audit/signals.py.)
"""

from __future__ import annotations

# -- Admin part: menu, report views, schedules, the editor panel and "Check this draft" -----
# (Imports are local to this part so the backend part above stays independent of it.)
from django.templatetags.static import static  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.utils.html import format_html  # noqa: E402
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem  # noqa: E402
from wagtail.admin.menu import MenuItem  # noqa: E402
from wagtail.permissions import register_permission_policy  # noqa: E402

from audit import admin_urls  # noqa: E402
from audit.admin_views.permissions import can_view_audits  # noqa: E402
from audit.admin_views.schedules import AuditScheduleViewSet, ManageAuditsPolicy  # noqa: E402
from audit.models import AuditSchedule  # noqa: E402

register_permission_policy(AuditSchedule, ManageAuditsPolicy(AuditSchedule), exact_class=True)


@hooks.register("register_admin_urls")
def register_audit_admin_urls():
    return [path("seo-audits/", include(admin_urls, namespace="seo_audits"))]


class AuditMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return can_view_audits(request.user)


@hooks.register("register_admin_menu_item")
def register_audit_menu_item():
    return AuditMenuItem(
        "SEO audits", reverse("seo_audits:index"), icon_name="doc-empty-inverse", order=450
    )


@hooks.register("register_admin_viewset")
def register_audit_schedule_viewset():
    return AuditScheduleViewSet("seo_audit_schedules")


class CheckDraftMenuItem(ActionMenuItem):
    """In the editor's action menu: render the saved draft and run the SEO page checks."""

    label = "Check this draft (SEO)"
    name = "action-seo-check-draft"
    icon_name = "search"

    def is_shown(self, context) -> bool:
        if context["view"] != "edit" or not can_view_audits(context["request"].user):
            return False
        return self.get_user_page_permissions_tester(context).can_edit()

    def get_url(self, parent_context) -> str:
        return reverse("seo_audits:check_draft", args=[parent_context["page"].pk])


@hooks.register("register_page_action_menu_item")
def register_check_draft_menu_item():
    return CheckDraftMenuItem(order=90)


@hooks.register("insert_editor_js")
def audit_editor_panel_assets():
    # Wagtail 8 has no hook for editor side panels: the script adds a panel above the
    # form with the page's latest findings, fetched from a permission-checked admin view.
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" data-panel-url="{}" defer></script>',
        static("audit/admin.css"),
        static("audit/editor-panel.js"),
        reverse("seo_audits:page_panel", args=[0]).replace("/0/", "/{id}/"),
    )


@hooks.register("register_log_actions")
def register_deploy_log_action(actions) -> None:
    # A deploy of the front end whose audit found new errors on the page (audit.deploy_history).
    actions.register_action(
        "seo_audit.deploy_new_errors",
        "Deploy audit: new errors",
        "A deploy of the front end brought new errors on this page (SEO audit)",
    )
