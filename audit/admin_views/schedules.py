"""Editing audit schedules in the Wagtail admin (Settings → SEO audit schedules).

Every action on schedules (list, add, edit, delete) needs ``audit.manage_audits``; the cron
expression, recipients and crawl options are validated by ``AuditSchedule.clean()``, whose
messages appear beside the fields.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy

from audit.forms import AuditScheduleForm
from audit.models import AuditRun, AuditSchedule


class ManageAuditsPolicy(ModelPermissionPolicy):
    """Every action on the model needs the one permission ``audit.manage_audits``."""

    def __init__(self, model) -> None:
        super().__init__(model, auth_model=AuditRun)

    def _get_permission_codename(self, action: str) -> str:
        return "manage_audits"


def audit_permissions():
    """The permissions shown on the group edit screen for the audit."""
    return Permission.objects.filter(
        content_type__app_label="audit", codename__in=["view_auditrun", "manage_audits"]
    )


class AuditScheduleViewSet(ModelViewSet):
    model = AuditSchedule
    icon = "date"
    menu_label = "SEO audit schedules"
    add_to_settings_menu = True
    url_prefix = "seo-audits/schedules"
    list_display = [
        "name",
        Column("target_url", label="Target (empty: site root)"),
        Column("cron_expression", label="When (cron)"),
        "enabled",
        Column("next_due", label="Next run"),
        Column("last_enqueued_at", label="Last run"),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("target_url"),
        MultiFieldPanel(
            [
                FieldPanel("preset"),
                FieldPanel("time_of_day"),
                FieldPanel("weekday"),
                FieldPanel("day_of_month"),
                FieldPanel("cron"),
            ],
            heading=f"When (time zone {settings.TIME_ZONE})",
        ),
        MultiFieldPanel(
            [FieldPanel("recipients"), FieldPanel("recipient_group")],
            heading="Who gets the report by e-mail",
        ),
        FieldPanel("crawl_options"),
        FieldPanel("enabled"),
    ]
    # The form vets the target (audit.targets) before the model's own checks.
    edit_handler = ObjectList(panels, base_form_class=AuditScheduleForm)

    def get_permissions_to_register(self):
        return audit_permissions()
