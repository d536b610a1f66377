"""The webhook screens of the Wagtail admin (Settings → Webhooks), for managers only.

Every action (the endpoint list, add, edit, delete, rotating the secret, the test event and
the delivery log with its redeliveries) needs the one permission ``webhooks.manage_webhooks``;
anyone else gets an HTTP 403 page saying what is missing (not Wagtail's redirect to the
dashboard: a refused POST must not look like success to scripts) and does not see the menu
item. The secret and the feed token are
shown once, in the answer to the request that made them, and never again.
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permission_policies.base import ModelPermissionPolicy

from audit.admin_views.schedules import WordsColumn
from webhooks.models import Delivery, Endpoint
from webhooks.payloads import EVENT_TYPES, PING
from webhooks.tasks import redeliver, redeliver_failed, send_ping
from webhooks.vetting import vet_endpoint_url

MANAGE_PERMISSION = "webhooks.manage_webhooks"
MANAGE_DENIED = "Only webhook managers can see or change webhook endpoints and deliveries."
LOG_PAGE_SIZE = 50


def can_manage_webhooks(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(MANAGE_PERMISSION))


def denied(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "audit/admin/forbidden.html", {"message": MANAGE_DENIED}, status=403
    )


class ManagersOnly:
    """First in a view's bases: a 403 page for anyone without the permission."""

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_webhooks(request.user):
            return denied(request)
        return super().dispatch(request, *args, **kwargs)


class ManageWebhooksPolicy(ModelPermissionPolicy):
    """Every action on endpoints needs the one permission ``webhooks.manage_webhooks``."""

    def _get_permission_codename(self, action: str) -> str:
        return "manage_webhooks"


class EndpointForm(WagtailAdminModelForm):
    event_types = forms.MultipleChoiceField(
        choices=[(name, name) for name in EVENT_TYPES if name != PING],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Events to send",
        help_text="None ticked: every change (the test event is sent only on request).",
    )

    def clean_url(self) -> str:
        # The audit's outbound policy: an internal address is refused here, beside the field.
        return vet_endpoint_url(self.cleaned_data["url"])

    def save(self, commit: bool = True) -> Endpoint:
        endpoint = super().save(commit=False)
        if endpoint.enabled and "enabled" in self.changed_data:
            # Re-enabled by hand: the failure clock starts again.
            endpoint.failing_since = None
            endpoint.disabled_at = None
            endpoint.disabled_reason = ""
        if commit:
            endpoint.save()
        return endpoint


def secret_response(request: HttpRequest, endpoint: Endpoint, *, heading: str, token=None):
    """The one page that shows the secret (and a new feed token): the answer to the POST."""
    return TemplateResponse(
        request,
        "webhooks/admin/secret.html",
        {"endpoint": endpoint, "heading": heading, "feed_token": token},
    )


class EndpointIndexView(ManagersOnly, generic.IndexView):
    pass


class EndpointDeleteView(ManagersOnly, generic.DeleteView):
    pass


class EndpointHistoryView(ManagersOnly, history.HistoryView):
    pass


class EndpointUsageView(ManagersOnly, usage.UsageView):
    pass


class EndpointCreateView(ManagersOnly, generic.CreateView):
    def save_action(self) -> HttpResponse:
        token = self.object.new_feed_token()
        return secret_response(self.request, self.object, heading="Endpoint added", token=token)


class EndpointEditView(ManagersOnly, generic.EditView):
    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        log_url = reverse("webhooks:deliveries", args=[self.object.pk])
        buttons.append(Button("Delivery log and actions", url=log_url, icon_name="list-ul"))
        return buttons


def endpoint_actions(endpoint: Endpoint) -> list[tuple[str, str]]:
    """(label, POST URL) of the buttons beside an endpoint."""
    return [
        ("Send test event", reverse("webhooks:ping", args=[endpoint.pk])),
        ("Rotate secret", reverse("webhooks:rotate_secret", args=[endpoint.pk])),
        ("New feed token", reverse("webhooks:feed_token", args=[endpoint.pk])),
    ]


class LinkColumn(Column):
    cell_template_name = "webhooks/admin/_link_cell.html"

    def get_value(self, instance):
        return reverse("webhooks:deliveries", args=[instance.pk])


def state_words(endpoint: Endpoint) -> str:
    if endpoint.enabled:
        return "Enabled"
    return f"Disabled: {endpoint.disabled_reason}" if endpoint.disabled_reason else "Disabled"


class EndpointViewSet(ModelViewSet):
    model = Endpoint
    icon = "link-external"
    menu_label = "Webhooks"
    add_to_settings_menu = True
    url_prefix = "webhooks/endpoints"
    index_view_class = EndpointIndexView
    add_view_class = EndpointCreateView
    delete_view_class = EndpointDeleteView
    history_view_class = EndpointHistoryView
    usage_view_class = EndpointUsageView
    edit_view_class = EndpointEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "url",
        "description",
        WordsColumn("events", lambda e: ", ".join(e.event_types) or "every change", label="Events"),
        WordsColumn("state", state_words, label="State"),
        LinkColumn("log", label="Delivery log"),
    ]
    panels = [
        FieldPanel("url"),
        FieldPanel("description"),
        FieldPanel("event_types"),
        FieldPanel("page_subtree"),
        FieldPanel("enabled"),
    ]
    edit_handler = ObjectList(panels, base_form_class=EndpointForm)

    def get_permissions_to_register(self):
        return Permission.objects.filter(
            content_type__app_label="webhooks", codename="manage_webhooks"
        )


class DisabledEndpointsPanel(Component):
    """On a manager's dashboard while an endpoint is disabled: which, and why."""

    name = "disabled_webhook_endpoints"
    order = 50  # above Wagtail's own panels: deliveries are being lost meanwhile
    template_name = "webhooks/admin/disabled_panel.html"

    def __init__(self, endpoints: list[Endpoint]) -> None:
        self.endpoints = endpoints

    def get_context_data(self, parent_context=None) -> dict:
        return {"endpoints": self.endpoints}


def add_disabled_endpoints_panel(request: HttpRequest, panels: list) -> None:
    if not can_manage_webhooks(request.user):
        return
    disabled = list(Endpoint.objects.filter(enabled=False).exclude(disabled_reason=""))
    if disabled:
        panels.append(DisabledEndpointsPanel(disabled))


# -- the views beside the endpoint screens -------------------------------------------------------


def managers_only(view):
    """A function view for webhook managers only; it gets the endpoint, not its id."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, endpoint_id: int, *args, **kwargs) -> HttpResponse:
        if not can_manage_webhooks(request.user):
            return denied(request)
        return view(request, get_object_or_404(Endpoint, pk=endpoint_id), *args, **kwargs)

    return wrapper


@require_POST
@managers_only
def rotate_secret_view(request: HttpRequest, endpoint: Endpoint) -> HttpResponse:
    endpoint.rotate_secret()
    return secret_response(request, endpoint, heading="Secret rotated")


@require_POST
@managers_only
def feed_token_view(request: HttpRequest, endpoint: Endpoint) -> HttpResponse:
    token = endpoint.new_feed_token()
    return secret_response(request, endpoint, heading="New feed token", token=token)


@require_POST
@managers_only
def ping_view(request: HttpRequest, endpoint: Endpoint) -> HttpResponse:
    send_ping(endpoint)
    messages.success(request, f"Test event queued for {endpoint.url}.")
    return HttpResponseRedirect(reverse("webhooks:deliveries", args=[endpoint.pk]))


class RedeliverSinceForm(forms.Form):
    since = forms.DateTimeField(
        label="Failed since",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In the site's time zone.",
    )


@managers_only
def delivery_log_view(request: HttpRequest, endpoint: Endpoint) -> HttpResponse:
    failed_only = request.GET.get("failed") == "1"
    rows = endpoint.deliveries.select_related("event")
    if failed_only:
        rows = rows.filter(state=Delivery.State.FAILED)
    page = Paginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "webhooks/admin/deliveries.html",
        {
            "endpoint": endpoint,
            "page_obj": page,
            "failed_only": failed_only,
            "since_form": RedeliverSinceForm(),
            "endpoint_actions": endpoint_actions(endpoint),
        },
    )


@require_POST
@managers_only
def redeliver_view(request: HttpRequest, endpoint: Endpoint, delivery_id: int) -> HttpResponse:
    row = get_object_or_404(endpoint.deliveries.select_related("event"), pk=delivery_id)
    copy = redeliver(row)
    messages.success(request, f"{row.event.type} queued again (delivery {copy.pk}).")
    return HttpResponseRedirect(reverse("webhooks:deliveries", args=[endpoint.pk]))


@require_POST
@managers_only
def redeliver_failed_view(request: HttpRequest, endpoint: Endpoint) -> HttpResponse:
    form = RedeliverSinceForm(request.POST)
    back = reverse("webhooks:deliveries", args=[endpoint.pk])
    if not form.is_valid():
        reason = " ".join(form.errors["since"])
        messages.error(request, f"Nothing redelivered: {reason} Give a date and time.")
        return HttpResponseRedirect(back)
    since = form.cleaned_data["since"]
    if since > timezone.now():
        messages.error(request, "Nothing redelivered: that time is in the future.")
        return HttpResponseRedirect(back)
    count = redeliver_failed(endpoint, since)
    messages.success(request, f"{count} failed deliveries queued again.")
    return HttpResponseRedirect(back)


def admin_urlpatterns() -> list:
    return [
        path("<int:endpoint_id>/deliveries/", delivery_log_view, name="deliveries"),
        path(
            "<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/",
            redeliver_view,
            name="redeliver",
        ),
        path(
            "<int:endpoint_id>/deliveries/redeliver-failed/",
            redeliver_failed_view,
            name="redeliver_failed",
        ),
        path("<int:endpoint_id>/ping/", ping_view, name="ping"),
        path("<int:endpoint_id>/rotate-secret/", rotate_secret_view, name="rotate_secret"),
        path("<int:endpoint_id>/feed-token/", feed_token_view, name="feed_token"),
    ]
