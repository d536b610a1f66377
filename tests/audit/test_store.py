"""Batched storage of engine results: rows, totals, score, Wagtail page links."""

from __future__ import annotations

from django.test import override_settings

from audit.engine import AuditResult, PageReport
from audit.engine import Finding as EngineFinding
from audit.models import AuditRun, Finding, PageResult
from audit.score import run_score
from audit.services import create_run, execute_run
from audit.store import RunStore, store_result


def _report(url: str, *findings: tuple[str, str, str], views: int | None = None) -> PageReport:
    return PageReport(
        url=url,
        final_url=url,
        status=200,
        title=f"Title of {url}",
        h1="Heading",
        word_count=321,
        response_ms=12.5,
        bytes=2048,
        views=views,
        page_type="article",
        findings=[EngineFinding(c, s, f"{c} message", sel, "<p>") for c, s, sel in findings],
    )


def _result(pages: list[PageReport]) -> AuditResult:
    return AuditResult(
        start_url="https://clinic.example/",
        started_at="2025-01-01T00:00:00+00:00",
        finished_at="2025-01-01T00:01:00+00:00",
        settings={},
        stats={"pages_known": len(pages)},
        pages=pages,
    )


@override_settings(SEO_AUDIT={"STORE_BATCH_PAGES": 2})
def test_pages_are_written_in_batches_while_crawling_and_site_findings_at_the_end(db):
    run = create_run("https://clinic.example/")
    store = RunStore(run)
    a = _report("https://clinic.example/", ("title-missing", "error", "head"), views=9)
    b = _report("https://clinic.example/b/", ("alt-missing", "warning", "img"))
    c = _report("https://clinic.example/c/")
    store.add_page(a)
    assert PageResult.objects.filter(run=run).count() == 0  # buffered
    store.add_page(b)
    assert PageResult.objects.filter(run=run).count() == 2  # one batch written
    assert Finding.objects.filter(run=run).count() == 2
    store.add_page(c)
    # A site check (e.g. duplicate titles) appends to reports already stored.
    a.findings.append(EngineFinding("title-duplicate", "notice", "same title", "title", ""))
    store.finish(_result([a, b, c]))

    assert PageResult.objects.filter(run=run).count() == 3
    assert Finding.objects.filter(run=run).count() == 3  # nothing stored twice
    run.refresh_from_db()
    assert run.counts_by_severity() == {"error": 1, "warning": 1, "notice": 1}
    home = PageResult.objects.get(run=run, url="https://clinic.example/")
    assert (home.error_count, home.warning_count, home.notice_count) == (1, 0, 1)
    # impact = weight x (views + 1): error 10 x 10 + notice 1 x 10
    assert home.impact == 110
    assert home.title == "Title of https://clinic.example/" and home.word_count == 321
    # score: the weighted pass ratios of audit.score, below 100 with any finding
    assert run.score == run_score(run).score < 100


def test_fingerprint_is_check_page_and_selector(db):
    run = create_run("https://clinic.example/")
    page = _report("https://clinic.example/x/", ("img-alt-missing", "warning", "main img"))
    store_result(run, _result([page]))
    stored = Finding.objects.get(run=run)
    assert stored.fingerprint == Finding.make_fingerprint(
        "img-alt-missing", "https://clinic.example/x/", "main img"
    )
    assert stored.fingerprint != Finding.make_fingerprint(
        "alt-missing", "https://clinic.example/x/", "footer img"
    )
    assert stored.fingerprint != Finding.make_fingerprint(
        "alt-missing", "https://clinic.example/y/", "main img"
    )
    assert stored.check_info is not None and stored.check_info.fix


def test_long_values_are_cut_to_fit_their_columns(db):
    run = create_run("https://clinic.example/")
    page = _report("https://clinic.example/long/")
    page.page_type = "t" * 500
    page.content_type = "text/html; " + "x" * 500
    store_result(run, _result([page]))
    stored = PageResult.objects.get(run=run)
    assert len(stored.page_type) == 100 and len(stored.content_type) == 200


def test_a_run_of_the_live_demo_site_stores_every_page_linked_to_its_wagtail_page(
    live_demo_site, fast_options
):
    from pages.models import ArticlePage, HomePage

    run = execute_run(create_run(live_demo_site.url, options=fast_options))
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    assert run.started_at and run.finished_at and run.settings["parse_workers"] == 0
    pages = PageResult.objects.filter(run=run)
    assert pages.count() == run.stats["pages_reported"] == run.pages_done
    home = pages.get(url=live_demo_site.url + "/")
    assert home.page_id == HomePage.objects.get().pk
    assert home.http_status == 200 and home.title and home.response_ms is not None
    article = ArticlePage.objects.live().first()
    assert pages.get(page_id=article.pk).url.endswith(article.url_path.split("/", 2)[2])
    # Non-page URLs (robots.txt targets, images...) have no Wagtail page.
    assert not pages.filter(url__contains="/media/", page__isnull=False).exists()
    # The stored counts are the engine's own counts.
    assert run.counts_by_severity() == run.stats["findings_by_severity"]
    assert Finding.objects.filter(run=run).count() == sum(
        run.stats["findings_by_severity"].values()
    )
