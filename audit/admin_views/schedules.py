"""Editing audit schedules in the Wagtail admin (Settings → SEO audit schedules).

Every action on schedules (list, add, edit, delete) needs ``audit.manage_audits``; the cron
expression, recipients and crawl options are validated by ``AuditSchedule.clean()``, whose
messages appear beside the fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import ModelPermissionPolicy

from audit.admin_views.permissions import MANAGE_DENIED, can_manage_audits, denied
from audit.clinic_time import when_in_words
from audit.emails import latest_reported_run, render_report
from audit.forms import AuditScheduleForm
from audit.models import AuditRun, AuditSchedule, cron_in_words
from audit.option_fields import OPTION_GROUPS
from audit.options import InvalidOptions
from audit.services import InvalidTarget, RunAlreadyActive, default_target
from audit.targets import vet_admin_target
from audit.tasks import start_run


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


class WordsColumn(Column):
    """A column whose cell is ``words(instance)``: schedules read as sentences, not fields."""

    def __init__(self, name: str, words, **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.words = words

    def get_value(self, instance):
        return self.words(instance)


def next_run_words(schedule: AuditSchedule) -> str:
    if not schedule.enabled:
        return "—"
    if schedule.next_due is None:
        return "never (the cron line matches no time)"
    return f"{when_in_words(schedule.next_due, schedule.zone())} ({schedule.time_zone})"


class RunNowColumn(Column):
    """A "Run now" button per schedule (a POST form, so it needs the request's CSRF token)."""

    cell_template_name = "audit/admin/_run_now_cell.html"

    def get_value(self, instance):
        return reverse("seo_audits:schedule_run_now", args=[instance.pk])

    def render_cell_html(self, instance, parent_context):
        context = self.get_cell_context_data(instance, parent_context)
        context["url"] = self.get_value(instance)
        return self.cell_template.render(context, request=context["request"])


@require_POST
def run_schedule_now_view(request: HttpRequest, schedule_id: int) -> HttpResponse:
    """Start a schedule's audit now, with its target, options and recipients."""
    if not can_manage_audits(request.user):
        return denied(request, MANAGE_DENIED)
    schedule = get_object_or_404(AuditSchedule, pk=schedule_id)
    back = reverse("seo_audit_schedules:index")
    try:
        target = schedule.target_url and vet_admin_target(schedule.target_url)
        run = start_run(
            target or default_target(frontend=schedule.frontend),
            trigger=AuditRun.Trigger.SCHEDULE,
            user=request.user,
            options=schedule.run_options(),
            schedule=schedule,
            frontend=schedule.frontend,
        )
    except RunAlreadyActive as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(back)
    except (InvalidTarget, InvalidOptions, ValidationError) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, f"Not started: {reason}")
        return HttpResponseRedirect(back)
    messages.success(request, f"{run.label} of {run.target_url} started for “{schedule.name}”.")
    return HttpResponseRedirect(reverse("seo_audits:run", args=[run.pk]))


def describe_cron_view(request: HttpRequest) -> JsonResponse:
    """The custom cron line typed in the schedule form, in words (for the form's script)."""
    if not can_manage_audits(request.user):
        return JsonResponse({"error": MANAGE_DENIED}, status=403)
    return JsonResponse({"words": cron_in_words(request.GET.get("cron", "")[:100])})


class EmailPreviewView(WagtailAdminTemplateMixin, TemplateView):
    """The e-mail the schedule will send, rendered by the same code and templates as the sent
    one (``audit.emails.render_report``) from the schedule's latest finished run; without one,
    says so."""

    template_name = "audit/admin/schedule_email_preview.html"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_audits(request.user):
            return denied(request, MANAGE_DENIED)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def schedule(self) -> AuditSchedule:
        return get_object_or_404(AuditSchedule, pk=self.kwargs["schedule_id"])

    def get_page_title(self):
        return f"E-mail preview: {self.schedule.name}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("seo_audit_schedules:index"), "label": "SEO audit schedules"},
            {
                "url": reverse("seo_audit_schedules:edit", args=[self.schedule.pk]),
                "label": self.schedule.name,
            },
            {"url": "", "label": "E-mail preview"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schedule = self.schedule
        run = latest_reported_run(schedule)
        context.update(
            schedule=schedule,
            run=run,
            recipients=schedule.recipient_emails(),
            report=render_report(run) if run is not None else None,
        )
        return context


class ScheduleEditView(EditView):
    """Wagtail's edit view with a header button to the schedule's e-mail preview."""

    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                "Preview the e-mail",
                url=reverse("seo_audits:schedule_email_preview", args=[self.object.pk]),
                icon_name="mail",
                attrs={"data-email-preview": ""},
            ),
        ]


class AuditScheduleViewSet(ModelViewSet):
    model = AuditSchedule
    edit_view_class = ScheduleEditView
    icon = "date"
    menu_label = "SEO audit schedules"
    add_to_settings_menu = True
    url_prefix = "seo-audits/schedules"
    list_display = [
        "name",
        Column("target_url", label="Target (empty: site root)"),
        WordsColumn("when", AuditSchedule.describe, label="When"),
        WordsColumn("state", lambda s: "Enabled" if s.enabled else "Paused", label="State"),
        WordsColumn("next", next_run_words, label="Next run"),
        WordsColumn(
            "last", lambda s: when_in_words(s.last_enqueued_at, s.zone()) or "—", label="Last run"
        ),
        RunNowColumn("run_now", label=""),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("target_url"),
        FieldPanel("frontend"),
        MultiFieldPanel(
            [
                FieldPanel("preset"),
                FieldPanel("time_of_day"),
                FieldPanel("weekday"),
                FieldPanel("day_of_month"),
                FieldPanel("cron"),
                FieldPanel("time_zone"),
            ],
            heading="When",
        ),
        MultiFieldPanel(
            [FieldPanel("recipients"), FieldPanel("recipient_group")],
            heading="Who gets the report by e-mail",
        ),
        FieldPanel("browser_pass"),
        *(
            MultiFieldPanel(
                [FieldPanel(spec.field_name) for spec in specs], heading=f"Crawl options: {heading}"
            )
            for heading, specs in OPTION_GROUPS
        ),
        FieldPanel("crawl_options"),
        FieldPanel("enabled"),
    ]
    # The form vets the target (audit.targets) before the model's own checks.
    edit_handler = ObjectList(panels, base_form_class=AuditScheduleForm)

    def get_permissions_to_register(self):
        return audit_permissions()
