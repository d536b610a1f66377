"""The runs list, a run's report, and the actions on runs (start, cancel, resume, delete,
export)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audit.admin_views.findings import (
    FindingRow,
    check_choices,
    finding_rows,
    group_by_check,
    group_by_page,
)
from audit.admin_views.permissions import (
    MANAGE_DENIED,
    VIEW_DENIED,
    can_manage_audits,
    can_view_audits,
    denied,
)
from audit.admin_views.trend import render_trend_svg, trend_points
from audit.conf import audit_setting
from audit.draft_check import browser_default
from audit.emails import render_report, send_report_to
from audit.engine import completeness_from_stats
from audit.export import EXPORT_FORMATS, export_filename, render_run
from audit.fix_first import fix_first, template_groups
from audit.forms import FindingFilterForm, RunEmailForm, RunListFilterForm, StartRunForm
from audit.models import AuditRun, Finding
from audit.options import InvalidOptions
from audit.score import checks_not_run, run_score
from audit.services import (
    InvalidTarget,
    NotResumable,
    RunAlreadyActive,
    cancel_run,
    compare_runs,
    delete_runs,
    previous_run,
    site_root_url,
)
from audit.tasks import resume_run, start_run

RUNS_PER_PAGE = 25
# How many findings a group shows before "show all" (which filters to that check or page).
FINDINGS_PER_GROUP = 20
PAGES_PER_PAGE = 25
FINDINGS_PER_PAGE = 100
COMPARE_LIMIT = 200
BY_CHECK_FIXES = 3  # "Fix these first" shown above the "By check" list
# Seconds between reloads of a page that shows a queued or running audit.
REFRESH_SECONDS = 5


def _index_crumb() -> dict:
    return {"url": reverse("seo_audits:index"), "label": "SEO audits"}


def comparison_counts(run: AuditRun, comparison) -> dict[str, int]:
    """Like ``Comparison.counts()`` with one query fewer: a finding of the newer run is either
    new or still open, so still open = all of the run's findings - new."""
    new = comparison.new.count()
    return {
        "new": new,
        "fixed": comparison.fixed.count(),
        "still_open": Finding.objects.filter(run=run).count() - new,
        "not_checked": comparison.not_checked.count(),
    }


def duration_text(duration: timedelta | None) -> str:
    """E.g. "42 s" or "3 min 05 s"; "" when unknown."""
    if duration is None:
        return ""
    seconds = max(0, round(duration.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


class AuditViewMixin(WagtailAdminTemplateMixin):
    """Wagtail's admin page furniture plus the view permission check."""

    header_icon = "doc-empty-inverse"

    # Subclasses that change things need the manage permission.
    needs_manage = False

    def dispatch(self, request, *args, **kwargs):
        if not can_view_audits(request.user):
            return denied(request, VIEW_DENIED)
        if self.needs_manage and not can_manage_audits(request.user):
            return denied(request, MANAGE_DENIED)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = can_manage_audits(self.request.user)
        context["refresh_seconds"] = REFRESH_SECONDS
        return context


class RunListView(AuditViewMixin, TemplateView):
    template_name = "audit/admin/run_list.html"
    page_title = "SEO audits"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": "SEO audits"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = RunListFilterForm(self.request.GET or None)
        kind = (filters.is_valid() and filters.cleaned_data.get("kind")) or "site"
        runs = AuditRun.objects.select_related("started_by", "schedule")
        if kind == "site":
            runs = runs.filter(single_page=False)
        elif kind == "page":
            runs = runs.filter(single_page=True)
        page = Paginator(runs, RUNS_PER_PAGE).get_page(self.request.GET.get("p"))
        try:
            default_target = site_root_url()
        except InvalidTarget:
            default_target = ""
        trend_target = default_target
        if not AuditRun.objects.filter(target_url=trend_target, single_page=False).exists():
            latest = AuditRun.objects.filter(single_page=False).first()
            trend_target = latest.target_url if latest else ""
        points = trend_points(trend_target) if trend_target else []
        context.update(
            {
                "runs": page,
                "kind": kind,
                "filters": filters,
                "any_active": AuditRun.objects.filter(status__in=AuditRun.ACTIVE_STATUSES).exists(),
                "start_form": StartRunForm(),
                "browser_available": browser_default(),
                "default_target": default_target,
                "trend_target": trend_target,
                "trend_svg": render_trend_svg(points),
                "trend_count": len(points),
                "severity_weights": audit_setting("SEVERITY_WEIGHTS"),
            }
        )
        return context


class RunDetailView(AuditViewMixin, TemplateView):
    template_name = "audit/admin/run_detail.html"

    @cached_property
    def run(self) -> AuditRun:
        return get_object_or_404(
            AuditRun.objects.select_related("started_by", "schedule"), pk=self.kwargs["run_id"]
        )

    def get_page_title(self):
        return self.run.label

    def get_page_subtitle(self):
        return self.run.target_url

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            _index_crumb(),
            {"url": "", "label": self.run.label},
        ]

    def earlier_runs(self) -> list[AuditRun]:
        run = self.run
        return list(
            AuditRun.objects.filter(
                target_url=run.target_url,
                single_page=run.single_page,
                status__in=AuditRun.FINISHED_STATUSES,
                created_at__lte=run.created_at,
            )
            .exclude(pk=run.pk)
            .order_by("-created_at", "-id")[:50]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.run
        findings = Finding.objects.filter(run=run)
        earlier = self.earlier_runs()
        data = self.request.GET.copy()
        if "compare" not in data:
            default = previous_run(run)
            data["compare"] = str(default.pk) if default else ""
        form = FindingFilterForm(
            data,
            checks=check_choices(findings),
            page_types=sorted(
                t for t in run.pages.order_by().values_list("page_type", flat=True).distinct() if t
            ),
            earlier_runs=earlier,
        )
        compare_id = form.value("compare")
        compared = next((r for r in earlier if r.pk == compare_id), None)
        filtered = self.filter_findings(findings, form, compared)
        comparison = compare_runs(run, compared)
        group = form.value("group") or "fix"
        page_count = run.pages.count()
        breakdown = run_score(run)
        context.update(
            {
                "run": run,
                "form": form,
                "group": group,
                "compared": compared,
                # A run in flight has no final list yet: comparing it would claim false fixes.
                "comparison_counts": comparison_counts(run, comparison)
                if compared and not run.is_active
                else None,
                # Tables, filters and exports only when there is something to show in them.
                "show_findings": not run.is_active and (page_count or findings.exists()),
                "elapsed_text": duration_text(timezone.now() - (run.started_at or run.created_at))
                if run.is_active
                else "",
                "improvements": breakdown.improvements() if not run.is_active else [],
                "score_trend": self.score_trend(earlier),
                "filtered_count": filtered.count(),
                "filters_active": any(
                    form.value(name) for name in ("severity", "check", "page_type", "new")
                ),
                "page_count": page_count,
                "duration_text": duration_text(run.duration),
                "completeness": completeness_from_stats(run.stats or {}),
                "export_formats": list(EXPORT_FORMATS),
                "query_without_group": self._query_without("group", "p"),
                "query_without_page": self._query_without("p"),
                "can_email": run.status in EMAILED_STATUSES,
                "email_form": RunEmailForm(),
                "template_findings": template_groups(run)
                if run.frontend and not run.is_active
                else [],
            }
        )
        if group == "fix":
            context["fixes"] = [] if run.is_active else fix_first(run, breakdown=breakdown)
        elif group == "page":
            # A front end's template findings are listed once, not blamed on each page.
            context.update(self.page_groups(filtered.filter(template=False), form))
        elif group == "compare":
            context.update(self.compare_lists(comparison, form))
        else:
            context.update(self.check_groups(filtered, form))
            # "By check" leads with the few fixes that matter most, as the HTML export does.
            fixes = [] if run.is_active else fix_first(run, breakdown=breakdown)
            context["fixes"] = fixes[:BY_CHECK_FIXES]
        return context

    def score_trend(self, earlier: list[AuditRun]) -> list[AuditRun]:
        """This run and the succeeded runs before it that have a score, oldest first."""
        runs = [r for r in earlier if r.status == AuditRun.Status.SUCCEEDED and r.score is not None]
        runs = runs[:5][::-1]
        runs = [*runs, self.run] if self.run.score is not None else runs
        # A score over another set of checks (some disabled in one run, not the other) is
        # not a rise or a fall of the site: the trend marks it rather than compare it.
        own = checks_not_run(self.run)
        for earlier_run in runs:
            earlier_run.scored_on_other_checks = checks_not_run(earlier_run) != own
        return runs

    def _query_without(self, *names: str) -> str:
        query = self.request.GET.copy()
        for name in names:
            query.pop(name, None)
        return query.urlencode()

    @staticmethod
    def filter_findings(
        findings: QuerySet[Finding], form: FindingFilterForm, compared: AuditRun | None
    ) -> QuerySet[Finding]:
        if severity := form.value("severity"):
            findings = findings.filter(severity=severity)
        if check := form.value("check"):
            findings = findings.filter(check_id=check)
        if page_type := form.value("page_type"):
            findings = findings.filter(page_result__page_type=page_type)
        if form.value("new") and compared is not None:
            old = Finding.objects.filter(run=compared).values("fingerprint")
            findings = findings.exclude(fingerprint__in=old)
        return findings

    def check_groups(self, filtered: QuerySet[Finding], form: FindingFilterForm) -> dict:
        if form.value("check"):
            # One check: all its findings, paginated.
            page = Paginator(
                filtered.select_related("page_result").order_by("-impact", "id"),
                FINDINGS_PER_PAGE,
            ).get_page(self.request.GET.get("p"))
            groups = group_by_check(filtered, limit=0)
            for group in groups:
                group.rows = finding_rows(page.object_list)
            return {"check_groups": groups, "findings_page": page}
        return {"check_groups": group_by_check(filtered, limit=FINDINGS_PER_GROUP)}

    def page_groups(self, filtered: QuerySet[Finding], form: FindingFilterForm) -> dict:
        impact = (
            filtered.order_by()
            .values("page_result")
            .annotate(n=Count("id"), impact=Sum("impact"))
            .order_by("-impact", "page_result")
        )
        page = Paginator(impact, PAGES_PER_PAGE).get_page(self.request.GET.get("p"))
        return {"page_groups": group_by_page(filtered, list(page.object_list)), "pages_page": page}

    def compare_lists(self, comparison, form: FindingFilterForm) -> dict:
        def narrowed(findings: QuerySet[Finding]) -> QuerySet[Finding]:
            if severity := form.value("severity"):
                findings = findings.filter(severity=severity)
            if check := form.value("check"):
                findings = findings.filter(check_id=check)
            if page_type := form.value("page_type"):
                findings = findings.filter(page_result__page_type=page_type)
            return findings.order_by("-impact", "id")

        lists = {}
        for name in ("new", "fixed", "still_open", "not_checked"):
            findings = narrowed(getattr(comparison, name))
            lists[name] = {
                "count": findings.count(),
                "rows": finding_rows(findings[:COMPARE_LIMIT]),
            }
        return {"compare_lists": lists, "compare_limit": COMPARE_LIMIT}


@require_POST
def start_run_view(request: HttpRequest) -> HttpResponse:
    if not can_manage_audits(request.user):
        return denied(request, MANAGE_DENIED)
    form = StartRunForm(request.POST)
    index = reverse("seo_audits:index")
    if not form.is_valid():
        messages.error(request, f"Not started: {form.errors.get('target_url', ['bad input'])[0]}")
        return HttpResponseRedirect(index)
    try:
        target = form.cleaned_data["target_url"] or site_root_url()
        run = start_run(
            target, trigger=AuditRun.Trigger.MANUAL, user=request.user, options=form.run_options()
        )
    except RunAlreadyActive as exc:
        messages.error(request, str(exc))
        if exc.run is not None:
            return HttpResponseRedirect(reverse("seo_audits:run", args=[exc.run.pk]))
        return HttpResponseRedirect(index)
    except (InvalidTarget, InvalidOptions) as exc:
        messages.error(request, f"Not started: {exc}")
        return HttpResponseRedirect(index)
    messages.success(request, f"{run.label} of {run.target_url} started.")
    return HttpResponseRedirect(reverse("seo_audits:run", args=[run.pk]))


@require_POST
def cancel_run_view(request: HttpRequest, run_id: int) -> HttpResponse:
    if not can_manage_audits(request.user):
        return denied(request, MANAGE_DENIED)
    run = get_object_or_404(AuditRun, pk=run_id)
    if not run.is_active:
        messages.warning(request, f"{run.label} has already finished ({run.status}).")
    else:
        run = cancel_run(run)
        if run.status == AuditRun.Status.CANCELLED:
            messages.success(request, f"{run.label} cancelled.")
        else:
            messages.success(
                request, f"{run.label} will stop at the next page; what it stored is kept."
            )
    return HttpResponseRedirect(reverse("seo_audits:run", args=[run.pk]))


@require_POST
def resume_run_view(request: HttpRequest, run_id: int) -> HttpResponse:
    """Carry on with a failed or cancelled audit from the pages it stored."""
    if not can_manage_audits(request.user):
        return denied(request, MANAGE_DENIED)
    run = get_object_or_404(AuditRun, pk=run_id)
    kept = run.pages.filter(crawl_state__isnull=False).count()
    try:
        run = resume_run(run)
    except (NotResumable, RunAlreadyActive) as exc:
        messages.error(request, f"Not resumed: {exc}")
    else:
        messages.success(
            request,
            f"{run.label} resumed: it carries on from the {kept} page"
            f"{'' if kept == 1 else 's'} it stored, without fetching them again.",
        )
    return HttpResponseRedirect(reverse("seo_audits:run", args=[run.pk]))


EMAILED_STATUSES = (AuditRun.Status.SUCCEEDED, AuditRun.Status.FAILED)


class RunActionView(AuditViewMixin, TemplateView):
    """A manager's page acting on one run (``action`` names it in the title and breadcrumbs)."""

    needs_manage = True
    action = ""

    @cached_property
    def run(self) -> AuditRun:
        return get_object_or_404(AuditRun, pk=self.kwargs["run_id"])

    def get_page_title(self):
        return f"{self.action} {self.run.label.lower()}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            _index_crumb(),
            {"url": reverse("seo_audits:run", args=[self.run.pk]), "label": self.run.label},
            {"url": "", "label": self.action},
        ]


class EmailRunView(RunActionView):
    """Send a finished run's report, the same e-mail a schedule sends, to typed addresses.
    A bad address re-shows the form with what was typed and a one-line reason."""

    template_name = "audit/admin/run_email.html"
    action = "E-mail"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.run
        context["run"] = run
        context.setdefault("form", RunEmailForm())
        context["subject"] = render_report(run).subject if run.status in EMAILED_STATUSES else ""
        return context

    def post(self, request, *args, **kwargs):
        run = self.run
        back = reverse("seo_audits:run", args=[run.pk])
        if run.status not in EMAILED_STATUSES:
            messages.error(
                request,
                f"Not sent: {run.label} is {run.status}; only a finished audit has a report.",
            )
            return HttpResponseRedirect(back)
        form = RunEmailForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        addresses = form.cleaned_data["to"]
        sent = send_report_to(run, addresses)
        messages.success(request, f"{run.label} e-mailed to {', '.join(addresses)} ({sent} sent).")
        return HttpResponseRedirect(back)


class DeleteRunView(RunActionView):
    template_name = "audit/admin/run_delete.html"
    action = "Delete"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["run"] = self.run
        context["finding_count"] = self.run.findings.count()
        context["page_count"] = self.run.pages.count()
        return context

    def post(self, request, *args, **kwargs):
        run = self.run
        if run.is_active:
            messages.error(request, f"{run.label} is still {run.status}: cancel it first.")
            return HttpResponseRedirect(reverse("seo_audits:run", args=[run.pk]))
        delete_runs(AuditRun.objects.filter(pk=run.pk))
        messages.success(request, f"{run.label} deleted.")
        return HttpResponseRedirect(reverse("seo_audits:index"))


def export_run_view(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    if not can_view_audits(request.user):
        return denied(request, VIEW_DENIED)
    run = get_object_or_404(AuditRun, pk=run_id)
    if fmt not in EXPORT_FORMATS:
        return HttpResponse(
            f"Unknown export format {fmt!r}.", status=404, content_type="text/plain"
        )
    content_type, _ext = EXPORT_FORMATS[fmt]
    response = HttpResponse(render_run(run, fmt), content_type=f"{content_type}; charset=utf-8")
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{export_filename(run, fmt)}"'
    if fmt == "html":
        # The standalone report has inline CSS only; nothing in it may run.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


__all__ = [
    "DeleteRunView",
    "EmailRunView",
    "FindingRow",
    "RunDetailView",
    "RunListView",
    "cancel_run_view",
    "export_run_view",
    "resume_run_view",
    "start_run_view",
]
