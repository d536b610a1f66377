"""The audit in the page editor: the page's latest findings, and "Check this draft"."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.models import Page

from audit.admin_views.findings import finding_row
from audit.admin_views.permissions import VIEW_DENIED, can_view_audits, denied
from audit.admin_views.runs import AuditViewMixin
from audit.draft_check import DraftCheckError, blocking_anchor, browser_default, check_draft
from audit.engine import AXE_VERSION, check_info
from audit.services import latest_page_result

PANEL_FINDINGS = 10


def page_panel_view(request, page_id: int) -> HttpResponse:
    """The editor panel's HTML fragment (fetched by audit/editor-panel.js)."""
    if not can_view_audits(request.user):
        return denied(request, VIEW_DENIED)
    page = get_object_or_404(Page, pk=page_id)
    latest = latest_page_result(page)
    rows, total = [], 0
    if latest is not None:
        findings = latest.findings.order_by("-impact", "id")
        total = findings.count()
        rows = [finding_row(f, latest) for f in findings[:PANEL_FINDINGS]]
    return TemplateResponse(
        request,
        "audit/admin/editor_panel.html",
        {
            "page": page,
            "latest": latest,
            "rows": rows,
            "total": total,
            "more": max(0, total - len(rows)),
            "can_check_draft": _can_edit(request.user, page),
            "check_draft_url": reverse("seo_audits:check_draft", args=[page.pk]),
        },
    )


def _can_edit(user, page: Page) -> bool:
    return page.permissions_for_user(user).can_edit()


class DraftCheckView(AuditViewMixin, TemplateView):
    """Render the page's latest draft and show the page checks' findings on it."""

    template_name = "audit/admin/draft_check.html"
    header_icon = "doc-empty-inverse"

    def dispatch(self, request, *args, **kwargs):
        if not can_view_audits(request.user):
            return denied(request, VIEW_DENIED)
        # Rendering a draft shows unpublished content: only to people who may edit it.
        if not _can_edit(request.user, self.page):
            return denied(request, "You cannot edit this page, so you cannot check its draft.")
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def page(self) -> Page:
        return get_object_or_404(Page, pk=self.kwargs["page_id"]).specific

    def get_page_title(self):
        return "Check this draft"

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
                "label": self.page.get_admin_display_title(),
            },
            {"url": "", "label": "SEO check of the draft"},
        ]

    def post(self, request, *args, **kwargs):
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = self.page
        context["edit_url"] = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        # "browser": 1 or 0 from the form (a hidden 0 before the checkbox: the last one wins);
        # absent (the editor's menu), the default: on where Chromium is installed.
        asked = self.request.GET.get("browser", self.request.POST.get("browser"))
        browser = browser_default() if asked is None else asked == "1"
        context["browser"] = browser
        context["axe_version"] = AXE_VERSION
        try:
            result = check_draft(self.page, browser=browser, user=self.request.user)
        except DraftCheckError as exc:
            context["error"] = str(exc)
            return context
        # What Submit and Publish would refuse comes first, each linked to its field.
        context["blocking_rows"] = [
            {"problem": problem, "edit_url": f"{context['edit_url']}#{blocking_anchor(problem)}"}
            for problem in result.blocking
        ]
        rows = []
        for finding in result.report.findings:
            check = check_info(finding.check)
            rows.append(
                {
                    "severity": finding.severity,
                    "check_id": finding.check,
                    "title": check.title if check else finding.check,
                    "fix": check.fix if check else "",
                    "message": finding.message,
                    "selector": finding.selector,
                    "snippet": finding.snippet,
                    "is_new": result.fingerprint(finding.check, finding.selector)
                    in result.new_fingerprints,
                }
            )
        counts = {
            s: sum(1 for r in rows if r["severity"] == s) for s in ("error", "warning", "notice")
        }
        context.update(
            {
                "result": result,
                "rows": rows,
                "counts": counts,
                "fixed_rows": [finding_row(f, result.latest) for f in result.fixed],
                "not_rechecked_rows": [finding_row(f, result.latest) for f in result.not_rechecked],
                "latest_run_url": (
                    reverse("seo_audits:run", args=[result.latest.run_id])
                    if result.latest is not None
                    else ""
                ),
            }
        )
        return context
