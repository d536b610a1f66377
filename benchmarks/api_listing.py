"""Benchmark: cold page listings in one process (no server, no load generator).

Builds the same 200-page PostgreSQL site as `benchmarks/api.py` (its settings and `build_site`),
turns the response cache off (every answer computed, as on the first request after a publish)
and measures, through Django's test client, the CPU time (`time.process_time`) of the typed
listing and the untyped listing with `fields=*`, of 20 pages and of 80: rounds of N requests
of each, one after the other, printing min and median ms per response, per item of the
20-item response, and the cost of one more item (80-item minus 20-item response, over 60).
Start-up objects are frozen out of the garbage collector, as `cms/wsgi.py` does in a server.
`--profile N` prints the top N functions of the typed listing by cumulative time (cProfile)
instead (`PROFILE_CALLEES=regex` also prints what the matching functions call).

    .venv/bin/python benchmarks/api_listing.py
    .venv/bin/python benchmarks/api_listing.py --rounds 10 --requests 30
    .venv/bin/python benchmarks/api_listing.py --keep    # keep the database for the next run
    .venv/bin/python benchmarks/api_listing.py --profile 40
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from support import drop_database, recreate_database

REPO = Path(__file__).resolve().parent.parent
LISTINGS = {
    "typed listing ArticlePage": "/api/v2/pages/?type=pages.ArticlePage&limit={limit}&fields=*",
    "untyped listing": "/api/v2/pages/?limit={limit}&fields=*",
}
# Each listing at 20 items (the benchmark's) and at 80: the difference divided by 60 is the
# cost of one more item, without the per-response part (queries, request handling).
LIMITS = (20, 80)
JSON = {"Accept": "application/json"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=30, help="per round and listing")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--db", default="clinic_bench_api_listing")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    args = parser.parse_args()

    import api  # benchmarks/api.py: the settings and the site it measures

    admin_url = f"{args.pg}/postgres"
    reuse = args.keep and _database_exists(admin_url, args.db)
    if not reuse:
        recreate_database(admin_url, args.db)
    tmp = tempfile.mkdtemp(prefix="clinic-bench-api-listing-")
    Path(tmp, "bench_api_settings.py").write_text(api.SETTINGS_MODULE)
    Path(tmp, "cache-static").mkdir()
    os.environ.update(
        {
            "DATABASE_URL": f"{args.pg}/{args.db}",
            "DJANGO_SETTINGS_MODULE": "bench_api_settings",
            "MEDIA_ROOT": str(Path(tmp, "media")),
            "BENCH_CACHE_DIR": str(Path(tmp, "cache")),
            "BENCH_CACHE_PREFIX": f"bench-api-listing-{os.getpid()}",
            "BENCH_RESPONSE_CACHE": "0",
        }
    )
    sys.path[:0] = [tmp, str(REPO)]
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        if not reuse:
            call_command("migrate", verbosity=0)
            api.build_site()
        client = Client()
        for path in LISTINGS.values():  # renditions, render cache, serializer classes
            for limit in LIMITS:
                for _ in range(3):
                    url = path.format(limit=limit)
                    assert client.get(url, headers=JSON).status_code == 200
        gc.collect()
        gc.freeze()
        if args.profile:
            profile(client, LISTINGS["typed listing ArticlePage"].format(limit=20), args)
            return 0
        measure(client, args)
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(admin_url, args.db)


def _database_exists(admin_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


def measure(client, args) -> None:
    per_response: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        for name, path in LISTINGS.items():
            for limit in LIMITS:
                url = path.format(limit=limit)
                started = time.process_time()
                for _ in range(args.requests):
                    response = client.get(url, headers=JSON)
                elapsed = (time.process_time() - started) * 1000 / args.requests
                per_response.setdefault((name, limit), []).append(elapsed)
                assert response.status_code == 200
                assert len(response.json()["items"]) == limit, url
    low, high = LIMITS
    print(
        f"\n{args.rounds} rounds of {args.requests} cold requests per listing and size, load "
        f"average {os.getloadavg()[0]:.1f}; CPU ms per response (time.process_time)\n\n"
        f"| listing | {low} items: min / median ms | per item | {high} items: min / median ms "
        f"| one more item (median) |\n| --- | ---: | ---: | ---: | ---: |"
    )
    for name in LISTINGS:
        small, large = per_response[(name, low)], per_response[(name, high)]
        marginal = (statistics.median(large) - statistics.median(small)) / (high - low)
        print(
            f"| {name} | {min(small):.2f} / {statistics.median(small):.2f} | "
            f"{statistics.median(small) / low:.3f} | {min(large):.2f} / "
            f"{statistics.median(large):.2f} | {marginal:.3f} |"
        )


def profile(client, path: str, args) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)  # CPU, not waits for the database
    profiler.enable()
    for _ in range(args.requests):
        client.get(path, headers=JSON)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(args.profile)
    if os.environ.get("PROFILE_CALLEES"):  # e.g. PROFILE_CALLEES=get_queryset
        stats.print_callees(os.environ["PROFILE_CALLEES"])


if __name__ == "__main__":
    sys.exit(main())
