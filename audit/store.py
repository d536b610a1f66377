"""Write an audit's pages and findings to the database in batches, while it crawls.

``RunStore(run)`` is given each ``PageReport`` as the engine finishes it (``add_page``, the
engine's ``on_page`` callback) and writes them with ``bulk_create`` (findings with COPY on
PostgreSQL) once ``STORE_BATCH_PAGES`` are waiting or the oldest has waited
``STORE_FLUSH_SECONDS`` (``flush_if_due``, also called by the run's watcher thread while the
crawl is quiet), so a run killed half-way loses at most about a second of pages.
``finish(result)`` stores the rest: pages not yet written and the site-wide findings the
engine appends to page reports after the crawl (duplicates, broken links...), then fills the
per-page and per-run totals and the score with a few aggregate queries.

A run can be resumed after its worker died (``kept_pages``): each page row also keeps the
page's crawl state (``add_state``, the engine's ``on_state``), and a resumed run starts from
the stored rows and their findings instead of fetching those pages again.

``store_result(run, result)`` does it all at once for a result produced elsewhere (the
``seo_audit --save`` command, the benchmark).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from audit.conf import audit_setting, severity_weight
from audit.engine import SEVERITIES, AuditResult, Hop, KeptPage, PageReport
from audit.engine import Finding as EngineFinding
from audit.models import AuditRun, Finding, PageResult
from audit.pagemap import DEFAULT_PORTS, PageLocator
from audit.score import run_score
from audit.targets import own_site_hosts
from audit.view_counts import SEVERITY, add_stale_count_findings, recorded_totals

logger = logging.getLogger(__name__)

FINDING_FIELDS = (
    "run_id",
    "page_result_id",
    "check_id",
    "severity",
    "message",
    "selector",
    "snippet",
    "fingerprint",
    "impact",
    "template",
)


def _cut(value: str | None, limit: int) -> str:
    return (value or "")[:limit]


def page_report_from_row(
    row: PageResult, findings: list[EngineFinding] | None = None
) -> PageReport:
    """A stored page row as the engine's PageReport (resuming and exports read it back)."""
    return PageReport(
        url=row.url,
        final_url=row.final_url or None,
        status=row.http_status,
        redirects=[Hop(url=hop["url"], status=int(hop["status"])) for hop in row.redirects or []],
        error=row.error or None,
        title=row.title or None,
        h1=row.h1 or None,
        word_count=row.word_count,
        response_ms=row.response_ms,
        bytes=row.bytes,
        views=row.views,
        page_type=row.page_type or None,
        depth=row.depth,
        content_type=row.content_type or None,
        findings=findings if findings is not None else [],
    )


class RunStore:
    def __init__(self, run: AuditRun, *, locator: PageLocator | None = None) -> None:
        self.run = run
        self.locator = locator or PageLocator()
        self.batch_pages = audit_setting("STORE_BATCH_PAGES")
        self.flush_seconds = audit_setting("STORE_FLUSH_SECONDS")
        self.batch_findings = audit_setting("STORE_BATCH_FINDINGS")
        self.weights = {severity: severity_weight(severity) for severity in SEVERITIES}
        # The crawl's thread adds pages while the watcher's thread may flush them.
        self._lock = threading.RLock()
        self._pending: list[PageReport] = []
        self._oldest_pending = 0.0  # time.monotonic() when the first pending page arrived
        # url -> PageResult id, and ids of the engine's Finding objects already written:
        # site checks append to the same report objects after the crawl.
        self._page_ids: dict[str, int] = {}
        self._stored_findings: dict[str, set[int]] = {}
        # url -> (errors, warnings, notices, impact) as last written to its PageResult row.
        self._page_totals: dict[str, tuple[int, int, int, int]] = {}
        self._just_stored: list[tuple[str, int]] = []  # findings noted by the current flush
        self._states: dict[str, dict] = {}  # url -> crawl state, until its row is written
        # Recorded view totals as the crawl starts, to check the counts our own pages show
        # (audit/view_counts.py). A run stored after the fact (no start time yet) has none.
        self._views_before: dict[int, int] | None = None
        if run.started_at is not None and _is_own_site(run.target_url):
            self._views_before = recorded_totals()

    # -- resuming ------------------------------------------------------------------------

    def kept_pages(self) -> list[KeptPage]:
        """The pages this run stored before it was interrupted, with their findings, for
        the engine's ``resume_from``; each is known as written, so it is not written again.
        Empty for a run that has stored nothing (every new run)."""
        kept: list[KeptPage] = []
        unread: list[int] = []
        rows = PageResult.objects.filter(run=self.run, crawl_state__isnull=False).order_by("pk")
        findings: dict[int, list[EngineFinding]] = defaultdict(list)
        for row in Finding.objects.filter(run=self.run).order_by("pk").iterator():
            findings[row.page_result_id].append(
                EngineFinding(row.check_id, row.severity, row.message, row.selector, row.snippet)
            )
        with self._lock:
            for row in rows.iterator():
                report = page_report_from_row(row, findings.pop(row.pk, []))
                page = KeptPage.from_state(report, row.crawl_state)
                if page is None:
                    unread.append(row.pk)  # a state this version cannot read
                    continue
                self._page_ids[row.url] = row.pk
                self._stored_findings[row.url] = {id(f) for f in report.findings}
                self._page_totals[row.url] = (
                    row.error_count,
                    row.warning_count,
                    row.notice_count,
                    row.impact,
                )
                kept.append(page)
        # Their pages are fetched again: drop the rows rather than store the pages twice.
        for start in range(0, len(unread), 1000):
            PageResult.objects.filter(pk__in=unread[start : start + 1000]).delete()
        return kept

    # -- while crawling ------------------------------------------------------------------

    def add_state(self, url: str, state: dict) -> None:
        """The crawl state of a page about to be added (the engine's ``on_state``)."""
        with self._lock:
            self._states[url] = state

    def add_page(self, report: PageReport) -> None:
        with self._lock:
            if not self._pending:
                self._oldest_pending = time.monotonic()
            self._pending.append(report)
            if len(self._pending) >= self.batch_pages:
                self.flush()
            else:
                self.flush_if_due()

    def flush_if_due(self) -> None:
        """Flush when the oldest waiting page has waited STORE_FLUSH_SECONDS."""
        with self._lock:
            if self._pending and time.monotonic() - self._oldest_pending >= self.flush_seconds:
                self.flush()

    def flush(self) -> None:
        """Write the buffered pages and their findings (one transaction per batch).

        If the write fails the pages stay buffered (and the ids noted for them are dropped),
        so a later flush writes them again rather than losing them.
        """
        with self._lock:
            if not self._pending:
                return
            pending = self._pending
            known = set(self._page_ids)
            self._just_stored = []
            try:
                self._write(pending)
            except BaseException:
                # Forget what the rolled-back transaction wrote; totals are rewritten next time.
                for url, finding_id in self._just_stored:
                    self._stored_findings[url].discard(finding_id)
                for url in set(self._page_ids) - known:
                    del self._page_ids[url]
                for report in pending:
                    self._page_totals.pop(report.url, None)
                raise
            self._pending = []

    def _write(self, pending: list[PageReport]) -> None:
        with transaction.atomic():
            # Locked: a run failed as stale (its worker seemed dead) gets no more pages, so
            # the count in its error message stays true.
            active = AuditRun.objects.select_for_update().filter(
                pk=self.run.pk, status__in=AuditRun.ACTIVE_STATUSES
            )
            if not active.exists():
                logger.warning("audit run %s is no longer active; pages not stored", self.run.pk)
                return
            # A report can be pending twice (on_page, then the final result): one row.
            new = list(
                {r.url: r for r in reversed(pending) if r.url not in self._page_ids}.values()
            )
            rows = PageResult.objects.bulk_create(
                [self._page_row(report) for report in new], batch_size=self.batch_pages
            )
            for report, row in zip(new, rows, strict=True):
                self._page_ids[report.url] = row.pk
                self._page_totals[report.url] = self._totals_of(report)
            self._write_findings(pending)
            self._update_changed_pages(pending)

    # -- at the end ----------------------------------------------------------------------

    def finish(self, result: AuditResult) -> None:
        """Store every page and finding not yet written, then the totals and the score."""
        with self._lock:
            self._pending.extend(result.pages)
            self.flush()
        if self._views_before is not None:
            add_stale_count_findings(self.run, self._views_before, self.weights[SEVERITY])
        if self.run.frontend:
            mark_template_findings(self.run)
        self.update_totals()

    def update_totals(self) -> None:
        """The run's counts and score from the stored rows (per-page totals are kept up to
        date as pages and findings are written)."""
        run = self.run
        with transaction.atomic():
            findings = Finding.objects.filter(run=run)
            totals = findings.filter(template=False).aggregate(
                **{s: Count("id", filter=Q(severity=s)) for s in SEVERITIES}
            )
            # A front end's template finding counts once, as the run page lists it, not once
            # for every page the template is on.
            groups = findings.filter(template=True).values_list(
                "severity", "check_id", "selector", "message"
            )
            for severity, *_ in set(groups.order_by()):
                totals[severity] = totals.get(severity, 0) + 1
            run.error_count = totals["error"]
            run.warning_count = totals["warning"]
            run.notice_count = totals["notice"]
            run.score = self._score()
            AuditRun.objects.filter(pk=run.pk).update(
                error_count=run.error_count,
                warning_count=run.warning_count,
                notice_count=run.notice_count,
                score=run.score,
            )

    def _score(self) -> int | None:
        """Lighthouse-style weighted pass ratios of the checks (``audit.score``)."""
        return run_score(self.run).score

    # -- rows ----------------------------------------------------------------------------

    def _totals_of(self, report: PageReport) -> tuple[int, int, int, int]:
        counts = {severity: 0 for severity in SEVERITIES}
        impact = 0
        views = report.views or 0
        for finding in report.findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
            impact += self.weights.get(finding.severity, 1) * (views + 1)
        return counts["error"], counts["warning"], counts["notice"], impact

    def _update_changed_pages(self, reports: Iterable[PageReport]) -> None:
        """Rewrite the totals of pages that gained findings since their row was written
        (site checks run after the crawl): one UPDATE per distinct set of totals."""
        changed: dict[tuple[int, int, int, int], list[int]] = defaultdict(list)
        for report in {r.url: r for r in reports}.values():
            totals = self._totals_of(report)
            if totals != self._page_totals.get(report.url):
                self._page_totals[report.url] = totals
                changed[totals].append(self._page_ids[report.url])
        for (errors, warnings, notices, impact), ids in changed.items():
            for start in range(0, len(ids), 1000):
                PageResult.objects.filter(pk__in=ids[start : start + 1000]).update(
                    error_count=errors,
                    warning_count=warnings,
                    notice_count=notices,
                    impact=impact,
                )

    def _page_row(self, report: PageReport) -> PageResult:
        # A front end's page names its CMS page (the profile's meta tag); else its address.
        page_id = self.locator.page_id_for_source(report.source_id)
        if page_id is None:
            page_id = self.locator.page_id_for(report.url)
        # Our own pages' type comes from their model; other sites' from their markup.
        page_type = self.locator.page_type_of(page_id) if page_id is not None else None
        return PageResult(
            run_id=self.run.pk,
            url=_cut(report.url, 2000),
            final_url=_cut(report.final_url, 2000),
            page_id=page_id,
            http_status=report.status,
            error=report.error or "",
            redirects=[hop.as_dict() for hop in report.redirects],
            title=report.title or "",
            h1=report.h1 or "",
            word_count=report.word_count or 0,
            response_ms=report.response_ms,
            bytes=report.bytes or 0,
            views=report.views,
            page_type=_cut(page_type or report.page_type, 100),
            content_type=_cut(report.content_type, 200),
            depth=report.depth,
            crawl_state=self._states.pop(report.url, None),
            **dict(
                zip(
                    ("error_count", "warning_count", "notice_count", "impact"),
                    self._totals_of(report),
                    strict=True,
                )
            ),
        )

    def _write_findings(self, reports: Iterable[PageReport]) -> None:
        rows: list[tuple] = []
        for report in reports:
            stored = self._stored_findings.setdefault(report.url, set())
            page_id = self._page_ids[report.url]
            views = report.views or 0
            for finding in report.findings:
                if id(finding) in stored:
                    continue
                stored.add(id(finding))
                self._just_stored.append((report.url, id(finding)))
                rows.append(
                    (
                        self.run.pk,
                        page_id,
                        _cut(finding.check, 100),
                        finding.severity,
                        finding.message,
                        finding.selector or "",
                        finding.snippet or "",
                        Finding.make_fingerprint(finding.check, report.url, finding.selector),
                        self.weights.get(finding.severity, 1) * (views + 1),
                        False,  # template findings are marked once the run is complete
                    )
                )
        if not rows:
            return
        if connection.vendor == "postgresql":
            self._copy_findings(rows)
        else:
            Finding.objects.bulk_create(
                [Finding(**dict(zip(FINDING_FIELDS, row, strict=True))) for row in rows],
                batch_size=self.batch_findings,
            )

    @staticmethod
    def _copy_findings(rows: list[tuple]) -> None:
        """PostgreSQL COPY: several times faster than INSERTs for tens of thousands of rows."""
        meta = Finding._meta
        columns = ", ".join(meta.get_field(name).column for name in FINDING_FIELDS)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
            with raw.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


# With fewer pages than this, "on every page" says nothing about templates.
TEMPLATE_MIN_PAGES = 3


def mark_template_findings(run: AuditRun) -> int:
    """Mark the findings that come from a front end's own templates, not one page's content:
    those on a page with no CMS page, and those (same check, element and message) on every
    HTML page that has one. Their pages' totals and impact leave them out, so they are not
    blamed on each page. Returns how many were marked."""
    html_pages = dict(
        PageResult.objects.filter(
            run=run, http_status=200, content_type__startswith="text/html"
        ).values_list("pk", "page_id")
    )
    with_page = {pk for pk, page_id in html_pages.items() if page_id is not None}
    marked: list[int] = []
    by_key: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    rows = Finding.objects.filter(run=run).values_list(
        "pk", "page_result_id", "check_id", "selector", "message"
    )
    pages_of = dict(PageResult.objects.filter(run=run).values_list("pk", "page_id"))
    for pk, page_result_id, check_id, selector, message in rows.iterator(2000):
        if pages_of.get(page_result_id) is None:
            marked.append(pk)
        elif page_result_id in with_page:
            by_key[(check_id, selector, message)].append((pk, page_result_id))
    if len(with_page) >= TEMPLATE_MIN_PAGES:
        for found in by_key.values():
            if {page for _, page in found} >= with_page:
                marked += [pk for pk, _ in found]
    else:
        # Too few pages to tell (a deploy's changed pages): what the last audit of this front
        # end that found template findings took for the templates' is still theirs.
        earlier = _earlier_template_keys(run)
        marked += [pk for key, found in by_key.items() if key in earlier for pk, _ in found]
    if not marked:
        return 0
    with transaction.atomic():
        for start in range(0, len(marked), 1000):
            Finding.objects.filter(pk__in=marked[start : start + 1000]).update(template=True)
        _recount_pages(run)
    return len(marked)


def _earlier_template_keys(run: AuditRun) -> set[tuple[str, str, str]]:
    """(check, element, message) of the template findings on CMS pages in the latest earlier
    succeeded audit of the same front end that had any."""
    on_pages = Finding.objects.filter(template=True, page_result__page__isnull=False)
    source = (
        on_pages.filter(
            run__target_url=run.target_url,
            run__frontend=True,
            run__status=AuditRun.Status.SUCCEEDED,
            run_id__lt=run.pk,
        )
        .order_by("-run_id")
        .values_list("run_id", flat=True)
        .first()
    )
    if source is None:
        return set()
    return set(on_pages.filter(run_id=source).values_list("check_id", "selector", "message"))


def _recount_pages(run: AuditRun) -> None:
    """Each page's counts and impact from its findings that are not template findings."""
    counted = (
        Finding.objects.filter(run=run, template=False)
        .order_by()
        .values("page_result_id")
        .annotate(
            impact_sum=Sum("impact"),
            **{f"{s}_n": Count("id", filter=Q(severity=s)) for s in SEVERITIES},
        )
    )
    totals = {row["page_result_id"]: row for row in counted}
    pages = list(PageResult.objects.filter(run=run).only("pk"))
    for page in pages:
        row = totals.get(page.pk, {})
        page.error_count = row.get("error_n", 0)
        page.warning_count = row.get("warning_n", 0)
        page.notice_count = row.get("notice_n", 0)
        page.impact = row.get("impact_sum") or 0
    PageResult.objects.bulk_update(
        pages, ["error_count", "warning_count", "notice_count", "impact"], batch_size=1000
    )


def _is_own_site(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return False
    return (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") in own_site_hosts()


def store_result(run: AuditRun, result: AuditResult) -> None:
    """Store a finished engine result in ``run`` (pages, findings, totals)."""
    RunStore(run).finish(result)
