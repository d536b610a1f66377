"""Benchmark: the headless content API on PostgreSQL under gunicorn.

Creates its own PostgreSQL database (dropped at the end), migrates it, loads the demo site and
adds pages until there are 200 live pages, half with a small body (6 blocks) and half with a
large one (120 blocks: headings, rich text with internal links, images, quotes, calls to action,
FAQs). Then:

1. in-process, with django.test.utils.CaptureQueriesContext, prints the SQL queries per request
   for each scenario (after one warm-up request that creates image renditions), showing that
   page detail costs the same number of queries for a 6-block and a 120-block body;
2. starts gunicorn (2 sync workers by default) on a free 127.0.0.1 port and, with a load
   generator (threads, one http.client connection each), measures p50/p99 latency and
   requests/s for the page listing (`?limit=20&fields=*`, untyped and typed) and page detail
   (rotating over all 200 pages).

    .venv/bin/python benchmarks/api.py
    .venv/bin/python benchmarks/api.py --requests 3000 --concurrency 8
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from support import (
    LatencyStats,
    drop_database,
    free_port,
    recreate_database,
    run_load,
    start_gunicorn,
    wait_until_serving,
)

REPO = Path(__file__).resolve().parent.parent
TOTAL_PAGES = 200
API_PATH = "/api/v2/pages/"
JSON = {"Accept": "application/json"}
SMALL_SECTIONS, LARGE_SECTIONS = 1, 20  # 6 blocks per section
SETTINGS_MODULE = """\
from cms.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Search indexing runs inline while the benchmark creates its pages.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
"""


@dataclass
class LoadResult(LatencyStats):
    name: str
    sent: int
    seconds: float
    latencies: list[float]
    errors: int


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600, help="per scenario (default 600)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--db", default="clinic_bench_api", help="database to create and drop")
    args = parser.parse_args()

    admin_url = f"{args.pg}/postgres"
    database_url = f"{args.pg}/{args.db}"
    recreate_database(admin_url, args.db)
    tmp = tempfile.mkdtemp(prefix="clinic-bench-api-")
    Path(tmp, "bench_api_settings.py").write_text(SETTINGS_MODULE)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench_api_settings",
        "PYTHONPATH": os.pathsep.join([tmp, str(REPO)]),
        "MEDIA_ROOT": str(Path(tmp, "media")),
    }
    os.environ.update(env)
    sys.path[:0] = [tmp, str(REPO)]
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        pages = build_site()
        print_query_counts(pages)
        port = free_port()
        server = start_gunicorn(env, port, args.workers, Path(tmp, "gunicorn.log"))
        wait_until_serving(port, API_PATH)
        detail_paths = itertools.cycle(f"/api/v2/pages/{pk}/" for pk in pages["all"])
        scenarios = [
            # A trivial Django view on the same server: what the machine allows at all.
            ("baseline: /robots.txt (plain Django view)", itertools.repeat("/robots.txt")),
            ("listing ?limit=20&fields=*", itertools.repeat("/api/v2/pages/?limit=20&fields=*")),
            (
                "listing ?type=pages.ArticlePage&limit=20&fields=*",
                itertools.repeat("/api/v2/pages/?type=pages.ArticlePage&limit=20&fields=*"),
            ),
            ("detail (all 200 pages in turn)", detail_paths),
        ]
        print(
            f"\nLoad: gunicorn {args.workers} sync workers on 127.0.0.1:{port}, "
            f"{args.requests} requests per scenario at concurrency {args.concurrency} "
            f"(after {args.concurrency * 20} warm-up requests)",
            flush=True,
        )
        failed = False
        for name, paths in scenarios:
            run_load(port, paths, args.concurrency * 20, args.concurrency, JSON)  # warm-up
            result = LoadResult(
                name, args.requests, *run_load(port, paths, args.requests, args.concurrency, JSON)
            )
            failed |= result.errors > 0
            print(
                f"  {name:<52} {result.rps:7.1f} req/s   p50 {result.percentile(50):6.1f} ms"
                f"   p99 {result.percentile(99):6.1f} ms   errors {result.errors}",
                flush=True,
            )
        return 1 if failed else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        drop_database(admin_url, args.db)


def build_site() -> dict[str, list[int]]:
    """The demo site plus service and article pages up to TOTAL_PAGES live pages."""
    from wagtail.models import Page

    from pages.demo.loader import load_demo_content
    from pages.models import (
        ArticleIndexPage,
        ArticlePage,
        ClinicImage,
        ServiceIndexPage,
        ServicePage,
    )

    started = time.perf_counter()
    load_demo_content()
    services, articles = ServiceIndexPage.objects.get(), ArticleIndexPage.objects.get()
    targets = list(Page.objects.live().filter(depth__gt=1))
    images = list(ClinicImage.objects.all())
    small, large = [], []
    existing = Page.objects.live().filter(depth__gt=1).count()
    for n in range(TOTAL_PAGES - existing):
        sections = LARGE_SECTIONS if n % 2 else SMALL_SECTIONS
        fields = {
            "title": f"Benchmark page {n}",
            "slug": f"bench-{n}",
            "introduction": f"<p>Introduction {n}.</p>",
            "body": body(targets, images, sections),
            "hero_image": images[n % len(images)],
            "hero_image_alt": f"Photo {n}",
        }
        if n % 4 < 2:
            page = ServicePage(**fields, session_minutes_min=30, session_minutes_max=45)
            services.add_child(instance=page)
        else:
            page = ArticlePage(**fields, author="Bench Writer", date="2026-01-01")
            articles.add_child(instance=page)
        page.save_revision().publish()
        (large if sections == LARGE_SECTIONS else small).append(page.pk)
    all_ids = list(Page.objects.live().filter(depth__gt=1).values_list("pk", flat=True))
    print(
        f"Site: {len(all_ids)} live pages ({len(small)} with {SMALL_SECTIONS * 6}-block bodies, "
        f"{len(large)} with {LARGE_SECTIONS * 6}-block bodies) built in "
        f"{time.perf_counter() - started:.0f}s",
        flush=True,
    )
    return {"all": all_ids, "small": small, "large": large}


def body(targets, images, sections: int) -> list[dict]:
    blocks = []
    for n in range(sections):
        link = " ".join(f'<a linktype="page" id="{t.pk}">{t.title}</a>' for t in targets[:4])
        blocks += [
            {"type": "heading", "value": {"text": f"Section {n}", "level": "h2"}},
            {"type": "paragraph", "value": f"<p>Paragraph {n}, see {link}.</p>"},
            {
                "type": "image",
                "value": {
                    "image": {"image": images[n % len(images)].pk, "alt_text": f"Photo {n}"},
                    "caption": f"Caption {n}",
                },
            },
            {"type": "quote", "value": {"quote": f"Quote {n}", "attribution": "A patient"}},
            {
                "type": "call_to_action",
                "value": {"text": "Book", "button_label": "Book", "page": targets[n % 4].pk},
            },
            {"type": "faq", "value": {"items": [{"question": "Q?", "answer": f"<p>A {link}</p>"}]}},
        ]
    return blocks


def print_query_counts(pages: dict[str, list[int]]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    scenarios = [
        ("listing ?limit=20&fields=*", "/api/v2/pages/?limit=20&fields=*"),
        (
            "listing ?type=pages.ArticlePage&limit=20&fields=*",
            "/api/v2/pages/?type=pages.ArticlePage&limit=20&fields=*",
        ),
        (
            "listing ?type=pages.ServicePage&limit=100&fields=*",
            "/api/v2/pages/?type=pages.ServicePage&limit=100&fields=*",
        ),
        (f"detail, {SMALL_SECTIONS * 6}-block body", f"/api/v2/pages/{pages['small'][0]}/"),
        (f"detail, {LARGE_SECTIONS * 6}-block body", f"/api/v2/pages/{pages['large'][0]}/"),
    ]
    print("\nSQL queries per request (in-process, after one warm-up request):")
    for name, url in scenarios:
        assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        size = len(response.content) / 1024
        print(f"  {name:<52} {len(queries):3d} queries   {size:7.1f} KB", flush=True)


if __name__ == "__main__":
    sys.exit(main())
