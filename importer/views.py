"""Admin views: start an import (a dry-run plan first), follow it, confirm it, read its report
(administrators, i.e. superusers, only); tick off or merge a page's to-do item (whoever may
edit the page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from wagtail.models import Page

from audit.targets import ALLOWED_HOSTS_SETTING, allowed_hosts, frontend_hosts, own_site_hosts
from importer.forms import ImportForm
from importer.models import ImportRun, TodoItem
from importer.report import ImportReport
from importer.tasks import start_import
from importer.todo import CannotMerge, merge, pages_by_open_items, tick

REFRESH_SECONDS = 3


def _admin_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_superuser:
        return HttpResponseForbidden("Only administrators can import a site.")
    return None


def index_view(request: HttpRequest) -> HttpResponse:
    if refused := _admin_only(request):
        return refused
    ImportRun.fail_stale()
    form = ImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (running := ImportRun.active()):
        # Two imports at once would race to create the same pages.
        form.add_error(None, f"import #{running.pk} is still running: wait for it to finish")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = ImportRun.objects.create(
            source_url=data["source_url"],
            options={"into": data["into"], "limit": data["limit"], "dry_run": True},
            status=ImportRun.Status.QUEUED,
            created_by=request.user,
        )
        start_import(run)
        return HttpResponseRedirect(reverse("site_import:run", args=[run.pk]))
    runs = ImportRun.objects.all()[:50]
    drafts = [
        {"page": page, "open": page.open_items, "edit_url": _edit_url(page)}
        for page in pages_by_open_items()
    ]
    context = {"form": form, "runs": runs, "drafts": drafts, "page_title": "Site import"}
    return TemplateResponse(request, "importer/index.html", context)


def allowed_hosts_view(request: HttpRequest) -> HttpResponse:
    """Which hosts an import (and an audit) from the admin may reach, and where each is set."""
    if refused := _admin_only(request):
        return refused
    extra = [host if port is None else f"{host}:{port}" for host, port in allowed_hosts()]
    context = {
        "setting": ALLOWED_HOSTS_SETTING,
        "extra": extra,
        "own": own_site_hosts(),
        "frontend": frontend_hosts(),
        "page_title": "Hosts the import may reach",
    }
    return TemplateResponse(request, "importer/allowed_hosts.html", context)


def _edit_url(page: Page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def _editable_item(request: HttpRequest, item_id: int) -> TodoItem | HttpResponse:
    item = get_object_or_404(TodoItem.objects.select_related("page"), pk=item_id)
    if not item.page.permissions_for_user(request.user).can_edit():
        return HttpResponseForbidden("Only people who can edit this page can change its to-do.")
    return item


@require_POST
def todo_done_view(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _editable_item(request, item_id)
    if isinstance(item, HttpResponse):
        return item
    tick(item.pk, request.user)
    messages.success(request, "Import to-do item ticked off.")
    return HttpResponseRedirect(_edit_url(item.page))


@require_POST
def todo_merge_view(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _editable_item(request, item_id)
    if isinstance(item, HttpResponse):
        return item
    try:
        item, merged = merge(item.pk, request.user)
    except CannotMerge as exc:
        messages.error(request, f"Not merged: {exc}.")
        return HttpResponseRedirect(_edit_url(item.page))
    if merged:
        views = f", its {item.views} views added to this page's" if item.views else ""
        messages.success(
            request,
            f"Merged: {item.source_url} now redirects here (while this page is live){views}.",
        )
    else:
        messages.info(request, "Already merged: nothing changed.")
    return HttpResponseRedirect(_edit_url(item.page))


def run_view(request: HttpRequest, run_id: int) -> HttpResponse:
    if refused := _admin_only(request):
        return refused
    ImportRun.fail_stale()
    run = get_object_or_404(ImportRun, pk=run_id)
    report = ImportReport.from_dict(run.report) if run.report else None
    active = run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
    page_ids = [p.page_id for p in report.pages if p.page_id] if report else []
    pages = Page.objects.in_bulk(page_ids)
    rows = []
    for outcome in report.pages if report else []:
        page = pages.get(outcome.page_id)
        edit = reverse("wagtailadmin_pages:edit", args=[page.pk]) if page else ""
        rows.append({"outcome": outcome, "edit_url": edit})
    context = {
        "run": run,
        "report": report,
        "rows": rows,
        "counts": report.counts() if report else {},
        "todo": report.todo() if report else [],
        "active": active,
        "refresh_seconds": REFRESH_SECONDS,
        "can_confirm": bool(report and report.dry_run and run.status == ImportRun.Status.SUCCEEDED),
        "page_title": f"Site import #{run.pk}",
    }
    return TemplateResponse(request, "importer/run.html", context)


@require_POST
def confirm_view(request: HttpRequest, run_id: int) -> HttpResponse:
    """Import for real what a finished plan showed, with the plan's options."""
    if refused := _admin_only(request):
        return refused
    plan = get_object_or_404(ImportRun, pk=run_id, status=ImportRun.Status.SUCCEEDED)
    if not plan.options.get("dry_run") or ImportRun.active():
        return HttpResponseRedirect(reverse("site_import:run", args=[plan.pk]))
    run = ImportRun.objects.create(
        source_url=plan.source_url,
        options={**plan.options, "dry_run": False, "publish": False},
        status=ImportRun.Status.QUEUED,
        created_by=request.user,
    )
    start_import(run)
    return HttpResponseRedirect(reverse("site_import:run", args=[run.pk]))
