"""Benchmark: time to store a 10,000-page, 50,000-finding audit run on PostgreSQL.

Creates its own database (``clinic_bench_store``, dropped at the end), migrates it, builds an
engine result in memory (10,000 pages, 5 findings each, realistic text lengths) and stores it
the way a crawl does: ``RunStore.add_page`` for every page (batched ``bulk_create`` while
crawling), then ``finish`` (the rest, per-page and per-run totals, score). A second run with
10% of findings changed is stored too, then the comparison (new / fixed / still open) is
counted and both runs are deleted, so those costs are visible as well.

    .venv/bin/python benchmarks/store.py
    .venv/bin/python benchmarks/store.py --pages 10000 --findings-per-page 5 \\
        --postgres postgres://postgres@127.0.0.1:5432
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from support import migrated_database, parse_run_size_args

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "clinic_bench_store"


def build_result(pages: int, per_page: int, changed_every: int = 0):
    from audit.engine import AuditResult, PageReport
    from audit.engine import Finding as EngineFinding

    checks = [
        ("img-alt-missing", "warning"),
        ("title-too-long", "notice"),
        ("meta-description-missing", "warning"),
        ("link-broken", "error"),
        ("heading-order", "notice"),
        ("thin-content", "notice"),
    ]
    reports = []
    n = 0
    for i in range(pages):
        url = f"https://clinic.example/articles/article-number-{i:05d}/"
        report = PageReport(
            url=url,
            final_url=url,
            status=200,
            title=f"Article {i}: how physiotherapy helps with lower back pain after sitting",
            h1=f"Article {i}",
            word_count=600 + i % 400,
            response_ms=40.0 + i % 50,
            bytes=31_000 + i % 2000,
            views=i % 997,
            page_type="article",
            content_type="text/html; charset=utf-8",
            depth=2,
        )
        for k in range(per_page):
            n += 1
            check, severity = checks[(i + k) % len(checks)]
            variant = "changed" if changed_every and n % changed_every == 0 else "same"
            report.findings.append(
                EngineFinding(
                    check,
                    severity,
                    f"{check} on this page: a message of typical length for the report ({k})",
                    f"main > article > section:nth-of-type({k + 1}) > img.{variant}",
                    f'<img src="/media/images/photo-{i}-{k}.jpg" class="{variant}" width="800">',
                )
            )
        reports.append(report)
    return AuditResult(
        "https://clinic.example/",
        "2025-01-01T00:00:00+00:00",
        "2025-01-01T00:10:00+00:00",
        {},
        {"pages_known": pages},
        reports,
    )


def store(result, label: str):
    from django.db import connection

    from audit.models import AuditRun, Finding, PageResult
    from audit.services import create_run
    from audit.store import RunStore

    run = create_run(result.start_url)
    AuditRun.objects.filter(pk=run.pk).update(status=AuditRun.Status.RUNNING)
    started = time.perf_counter()
    store = RunStore(run)
    for page in result.pages:
        store.add_page(page)
    crawling = time.perf_counter() - started
    store.flush()
    flushed = time.perf_counter() - started
    store.update_totals()
    total = time.perf_counter() - started
    AuditRun.objects.filter(pk=run.pk).update(status=AuditRun.Status.SUCCEEDED)
    pages = PageResult.objects.filter(run=run).count()
    findings = Finding.objects.filter(run=run).count()
    print(
        f"{label}: {pages:,} pages, {findings:,} findings stored in {total:.2f} s "
        f"(batches during crawl {crawling:.2f} s, last batch {flushed - crawling:.2f} s, "
        f"totals + score {total - flushed:.2f} s) -> {findings / total:,.0f} findings/s "
        f"[{connection.vendor}]"
    )
    run.refresh_from_db()
    return run


def main() -> int:
    args = parse_run_size_args(__doc__.splitlines()[0])
    with migrated_database(args.postgres, DB_NAME):
        from django.db import connection

        print(f"database {DB_NAME}: migrated; building the result in memory...")
        first = build_result(args.pages, args.findings_per_page)
        second = build_result(args.pages, args.findings_per_page, changed_every=10)

        from audit.models import AuditRun
        from audit.services import compare_runs, delete_runs

        old = store(first, "run 1")
        new = store(second, "run 2")
        started = time.perf_counter()
        counts = compare_runs(new, old).counts()
        print(f"compare run 2 with run 1: {counts} in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        deleted = delete_runs(AuditRun.objects.filter(pk__in=[old.pk, new.pk]))
        print(f"delete {deleted} runs: {time.perf_counter() - started:.2f} s")
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
