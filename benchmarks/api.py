"""Benchmark: the headless content API on PostgreSQL under gunicorn, warm and cold.

Creates its own PostgreSQL database (dropped at the end), migrates it, loads the demo site and
adds pages until there are 200 live pages, half with a small body (6 blocks) and half with a
large one (120 blocks: headings, rich text with internal links, images, quotes, calls to action,
FAQs). It sets up only what it measures: no after-publish audits, no search indexing.

Then it starts gunicorn (2 sync workers by default) on a free 127.0.0.1 port twice, sharing a
file-based cache in a temporary folder (or Redis with --redis): once as deployed ("warm": page
JSON served from the response cache) and once with API_RESPONSE_CACHE off ("cold": every answer
computed, as on the first request after a publish). Before the clock starts, a warm scenario
sends every one of its paths at least once (and at least 20 requests per connection), so "warm"
means every answer is in the cache; a cold scenario sends 2 per connection (renditions exist).
Site-wide facts (the site, private sections) stay in the render cache in both modes, as in
production between two publishes. For each scenario it prints req/s, p50 and
p99 latency, server CPU per request (the workers' user+system time from /proc over the
scenario, divided by the requests), SQL queries per request (counted in-process, same
settings) and the ratio of req/s to the plain-view floor (/robots.txt) measured in the same run.
A load generator (threads, one keep-alive http.client connection each) sends the requests.

    .venv/bin/python benchmarks/api.py
    .venv/bin/python benchmarks/api.py --requests 3000 --concurrency 8
    .venv/bin/python benchmarks/api.py --redis redis://127.0.0.1:6379/0
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Iterator
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
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SETTINGS_MODULE = """\
import os
from cms.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Only what is measured: no audit after each publish (it would crawl a server that is not
# there yet), no search index updates.
SEO_AUDIT = {"AUDIT_AFTER_PUBLISH": False}
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False}
}
API_RESPONSE_CACHE = os.environ.get("BENCH_RESPONSE_CACHE", "1") == "1"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["BENCH_REDIS_URL"],
        "KEY_PREFIX": os.environ["BENCH_CACHE_PREFIX"],
    }
    if os.environ.get("BENCH_REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ["BENCH_CACHE_DIR"],
        # Django's default of 300 files makes every write past it delete a third at random.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}
STATIC_ROOT = os.environ["BENCH_CACHE_DIR"] + "-static"  # else whitenoise warns: no static/
"""


@dataclass
class LoadResult(LatencyStats):
    sent: int
    seconds: float
    latencies: list[float]
    errors: int
    cpu_seconds: float

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds / self.sent * 1000


@dataclass
class Scenario:
    name: str
    distinct_paths: list[str]  # requested in turn, round and round
    headers: dict[str, str]
    expect: int = 200
    cold: bool = True  # also measured with the response cache off

    def paths(self) -> Iterator[str]:
        return itertools.cycle(self.distinct_paths)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600, help="per warm scenario")
    parser.add_argument("--cold-requests", type=int, default=120, help="per cold scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--db", default="clinic_bench_api", help="database to create and drop")
    parser.add_argument("--redis", default="", help="Redis URL for the cache (default: files)")
    args = parser.parse_args()

    admin_url = f"{args.pg}/postgres"
    database_url = f"{args.pg}/{args.db}"
    started = time.monotonic()
    recreate_database(admin_url, args.db)
    tmp = tempfile.mkdtemp(prefix="clinic-bench-api-")
    Path(tmp, "bench_api_settings.py").write_text(SETTINGS_MODULE)
    Path(tmp, "cache-static").mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench_api_settings",
        "PYTHONPATH": os.pathsep.join([tmp, str(REPO)]),
        "MEDIA_ROOT": str(Path(tmp, "media")),
        "BENCH_CACHE_DIR": str(Path(tmp, "cache")),
        "BENCH_REDIS_URL": args.redis,
        "BENCH_CACHE_PREFIX": f"bench-api-{os.getpid()}",
    }
    os.environ.update(env)
    sys.path[:0] = [tmp, str(REPO)]
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        pages = build_site()
        scenarios = make_scenarios(pages)
        queries = count_queries(scenarios)
        print(
            f"\nLoad: gunicorn {args.workers} sync workers at concurrency {args.concurrency}, "
            f"{args.requests} requests per warm scenario (after max({args.concurrency * 20}, "
            f"every path) warm-up requests), {args.cold_requests} per cold one; load average "
            f"before: "
            f"{os.getloadavg()[0]:.1f}",
            flush=True,
        )
        results = {}
        for mode in ("warm", "cold"):
            results[mode] = measure_server(env, mode, scenarios, args, Path(tmp))
        print_table(scenarios, results, queries)
        print(
            f"\nLoad average after: {os.getloadavg()[0]:.1f}; whole run "
            f"{time.monotonic() - started:.0f}s",
            flush=True,
        )
        failed = any(r.errors for by_name in results.values() for r in by_name.values())
        return 1 if failed else 0
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(admin_url, args.db)


def make_scenarios(pages: dict[str, list[int]]) -> list[Scenario]:
    large = pages["large"]
    return [
        # A trivial Django view on the same server: what the machine allows at all.
        Scenario("floor: /robots.txt (plain Django view)", ["/robots.txt"], {}),
        Scenario("listing ?limit=20&fields=*", ["/api/v2/pages/?limit=20&fields=*"], JSON),
        Scenario(
            "listing ?type=pages.ArticlePage&limit=20&fields=*",
            ["/api/v2/pages/?type=pages.ArticlePage&limit=20&fields=*"],
            JSON,
        ),
        Scenario(
            "detail (all 200 pages in turn)",
            [f"/api/v2/pages/{pk}/" for pk in pages["all"]],
            JSON,
        ),
        Scenario(
            f"detail, {LARGE_SECTIONS * 6}-block pages in turn",
            [f"/api/v2/pages/{pk}/" for pk in large],
            JSON,
        ),
        Scenario(
            f"detail, {LARGE_SECTIONS * 6}-block, If-None-Match (304)",
            [f"/api/v2/pages/{large[0]}/"],
            {},  # filled in with the ETag the server gives
            expect=304,
            cold=False,
        ),
    ]


def measure_server(env, mode: str, scenarios: list[Scenario], args, tmp: Path) -> dict:
    port = free_port()
    server_env = {**env, "BENCH_RESPONSE_CACHE": "1" if mode == "warm" else "0"}
    server = start_gunicorn(server_env, port, args.workers, tmp / f"gunicorn-{mode}.log")
    results: dict[str, LoadResult] = {}
    try:
        wait_until_serving(port, API_PATH)
        workers = worker_pids(server.pid, args.workers)
        for scenario in scenarios:
            if mode == "cold" and not scenario.cold:
                continue
            headers = dict(scenario.headers)
            if scenario.expect == 304:
                headers = {**JSON, "If-None-Match": etag_of(port, scenario.distinct_paths[0])}
            # Warm-up: fills the caches (warm) and makes every image rendition (both). Warm
            # means every path of the scenario has been asked once before the clock starts.
            warmup = args.concurrency * (20 if mode == "warm" else 2)
            if mode == "warm":
                warmup = max(warmup, len(scenario.distinct_paths))
            run_load(port, scenario.paths(), warmup, args.concurrency, headers)
            sent = args.requests if mode == "warm" else args.cold_requests
            cpu_before = cpu_seconds(workers)
            outcome = run_load(
                port, scenario.paths(), sent, args.concurrency, headers, scenario.expect
            )
            result = LoadResult(sent, *outcome, cpu_seconds(workers) - cpu_before)
            results[scenario.name] = result
            print(
                f"  {mode:4} {scenario.name:<52} {result.rps:7.1f} req/s  "
                f"p50 {result.percentile(50):6.1f} ms  p99 {result.percentile(99):6.1f} ms  "
                f"CPU {result.cpu_ms:5.1f} ms/req  errors {result.errors}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def etag_of(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=JSON)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.headers["ETag"]


def worker_pids(master: int, expected: int) -> list[int]:
    """gunicorn's worker processes (children of the master), from /proc."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if len(children) >= expected:
            return [int(pid) for pid in children]
        time.sleep(0.1)
    raise SystemExit(f"gunicorn started fewer than {expected} workers")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


def print_table(scenarios: list[Scenario], results: dict, queries: dict) -> None:
    floor = results["warm"][scenarios[0].name].rps
    print(
        "\n| scenario | mode | req/s | × floor | p50 ms | p99 ms | CPU ms/req | queries |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for scenario in scenarios:
        for mode in ("warm", "cold"):
            result = results[mode].get(scenario.name)
            if result is None or (mode == "cold" and scenario is scenarios[0]):
                continue
            print(
                f"| {scenario.name} | {mode} | {result.rps:.0f} | {result.rps / floor:.2f} | "
                f"{result.percentile(50):.1f} | {result.percentile(99):.1f} | "
                f"{result.cpu_ms:.1f} | {queries[mode].get(scenario.name, '')} |"
            )


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


def count_queries(scenarios: list[Scenario]) -> dict[str, dict[str, int]]:
    """SQL queries per request, in-process with the same settings: warm (the second request,
    served from the response cache) and cold (the cache off)."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts: dict[str, dict[str, int]] = {"warm": {}, "cold": {}}
    for mode in ("warm", "cold"):
        with override_settings(API_RESPONSE_CACHE=mode == "warm"):
            for scenario in scenarios:
                path = scenario.distinct_paths[0]
                first = client.get(path, headers=JSON)
                headers = dict(JSON)
                if scenario.expect == 304:
                    headers["If-None-Match"] = first["ETag"]
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path, headers=headers)
                assert response.status_code == scenario.expect, (path, response.status_code)
                counts[mode][scenario.name] = len(captured)
    return counts


if __name__ == "__main__":
    sys.exit(main())
