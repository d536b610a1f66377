"""Benchmark: server CPU and SQL queries to render a public page, measured in-process.

Creates its own database (an SQLite file in a temporary folder by default, or a PostgreSQL
database with --postgres, dropped at the end), migrates it, loads the demo site and serves the
IMS service page and an article through Django's WSGI handler (the full middleware stack, as
gunicorn calls it; no network). Settings are production-like: cms.settings.base with DEBUG off,
a file-based cache in the temporary folder (the production default without REDIS_URL; `--cache
locmem` for a per-process memory cache) and view de-duplication off, so every request counts a
view exactly as a new reader's would.

Prints, per page: CPU ms per request (time.process_time around each request; p50 and mean),
SQL queries per request, and checks that the stored view total grew by exactly the number of
requests and that the last response shows it. `--profile N` prints the top N functions by
cumulative time from cProfile over the IMS requests instead.

    .venv/bin/python benchmarks/render.py                        # SQLite, 300 requests per page
    .venv/bin/python benchmarks/render.py --postgres postgres://postgres@127.0.0.1:5432
    .venv/bin/python benchmarks/render.py --requests 300 --profile 40
    BENCH_SHOW_SQL=1 .venv/bin/python benchmarks/render.py     # also print each page's SQL
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = {"IMS service page": "/services/ims/", "article": "/articles/ims-or-massage/"}
BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SETTINGS_MODULE = """\
import os
from cms.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
PAGE_VIEWS = {"DEDUP_WINDOW": 0, "ADDRESS_CAP": 0}  # every request counts, like a new reader's
MEDIA_ROOT = os.environ["BENCH_MEDIA_ROOT"]
STATIC_ROOT = os.environ["BENCH_MEDIA_ROOT"] + "-static"  # else whitenoise warns: no static/
if os.environ["BENCH_CACHE"] == "file":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ["BENCH_CACHE_DIR"],
        }
    }
SEO_AUDIT = {"AUDIT_AFTER_PUBLISH": False}
"""
VIEWS_RE = re.compile(rb'<span class="view-count" data-views="(\d+)"')
LD_VIEWS_RE = re.compile(rb'"userInteractionCount":(\d+)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per page (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="per page, not measured")
    parser.add_argument("--postgres", default="", help="server URL, e.g. postgres://u@host:5432")
    parser.add_argument("--db", default="clinic_bench_render", help="PostgreSQL database name")
    parser.add_argument("--cache", choices=("file", "locmem"), default="file")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile top N")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        Path(tmp, "bench_render_settings.py").write_text(SETTINGS_MODULE)
        Path(tmp, "media-static").mkdir()
        sys.path.insert(0, tmp)
        os.environ.update(
            DJANGO_SETTINGS_MODULE="bench_render_settings",
            BENCH_MEDIA_ROOT=str(Path(tmp, "media")),
            BENCH_CACHE=args.cache,
            BENCH_CACHE_DIR=str(Path(tmp, "cache")),
            WAGTAILADMIN_BASE_URL="http://127.0.0.1",
        )
        if args.postgres:
            from support import drop_database, recreate_database

            admin_url = f"{args.postgres}/postgres"
            recreate_database(admin_url, args.db)
            os.environ["DATABASE_URL"] = f"{args.postgres}/{args.db}"
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp, 'bench.sqlite3')}"
        try:
            return run(args)
        finally:
            if args.postgres:
                from django.db import connections

                connections.close_all()
                drop_database(admin_url, args.db)


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from pages.demo.loader import load_demo_content

    load_demo_content()
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(
        f"{engine}, {args.cache} cache, DEBUG off, {args.requests} requests per page after "
        f"{args.warmup} warm-up; CPU = time.process_time() per request\n",
        flush=True,
    )
    failures = 0
    for label, path in PAGES.items():
        if args.profile:
            profile(path, args)
            break
        failures += measure(label, path, args)
    return 1 if failures else 0


def serve(path: str) -> bytes:
    """One GET through Django's WSGI handler, as gunicorn would make it; returns the body."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    global _handler
    if _handler is None:
        _handler = WSGIHandler()
    environ = (
        RequestFactory()
        .get(path, HTTP_HOST="127.0.0.1", HTTP_USER_AGENT=BROWSER_UA, HTTP_ACCEPT="text/html")
        .environ
    )
    environ["wsgi.input"] = io.BytesIO()
    status: list[str] = []
    result = _handler(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(result)
    finally:
        result.close()  # request_finished, as a WSGI server sends it
    if not status[0].startswith("200"):
        raise SystemExit(f"GET {path} answered {status[0]}")
    return body


_handler = None


def stored_total(path: str) -> int:
    from wagtail.models import Page

    from pageviews.service import view_total

    page = Page.objects.get(url_path__endswith=path)
    return view_total(page.pk)


def measure(label: str, path: str, args: argparse.Namespace) -> int:
    from django.db import connection

    for _ in range(args.warmup):
        serve(path)
    # Counted with an execute wrapper: the handler's request_started signal resets
    # connection.queries, which would empty a CaptureQueriesContext.
    queries: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)
    ):
        serve(path)
    if os.environ.get("BENCH_SHOW_SQL"):
        print("\n".join(sql[:160] for sql in queries))
    before = stored_total(path)
    cpu_ms = []
    for _ in range(args.requests):
        started = time.process_time()
        body = serve(path)
        cpu_ms.append((time.process_time() - started) * 1000)
    after = stored_total(path)
    shown = int(VIEWS_RE.search(body).group(1))
    in_json_ld = int(LD_VIEWS_RE.search(body).group(1))
    ok = after - before == args.requests and shown == in_json_ld == after
    print(
        f"{label:18} {path:28} CPU p50 {statistics.median(cpu_ms):6.2f} ms  "
        f"mean {statistics.fmean(cpu_ms):6.2f} ms  queries {len(queries):3}  "
        f"views +{after - before}/{args.requests}, shown {shown}, JSON-LD {in_json_ld}, "
        f"stored {after}: {'ok' if ok else 'MISMATCH'}",
        flush=True,
    )
    return 0 if ok else 1


def profile(path: str, args: argparse.Namespace) -> None:
    import cProfile
    import pstats

    for _ in range(args.warmup):
        serve(path)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(args.requests):
        serve(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    raise SystemExit(main())
