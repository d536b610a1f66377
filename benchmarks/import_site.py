"""Benchmark: import a generated 500-page old site (Wix-like posts and plain service pages).

Serves the site from a fixture server on 127.0.0.1 (tests/importer/old_site.py), migrates a
fresh SQLite database in a temporary folder (or ``--postgres URL`` without a database name:
``clinic_bench_import`` is created and dropped), loads the demo content (the sections pages go
under), then imports the whole site and imports it again (every page unchanged). Prints pages/s,
peak RSS, and seconds per page spent fetching pages, converting, fetching and storing images,
and writing to the database.

    .venv/bin/python benchmarks/import_site.py
    .venv/bin/python benchmarks/import_site.py --pages 500 --images 100
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project first: benchmarks/webhooks.py would otherwise shadow the webhooks app.
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from support import migrated_database  # noqa: E402

from tests.importer.old_site import MORE, PARA, SERVICE, OldSite, picture, wix_image, wix_page  # noqa: E402


def build_site(pages: int, images: int) -> OldSite:
    """``pages`` content pages (one in ten a service page), each with two of ``images``."""
    site = OldSite()
    paths = []
    for n in range(pages):
        if n % 10 == 9:
            path = f"/services/service-{n}"
            site.page(path, SERVICE.replace("Dry needling", f"Service number {n}"))
        else:
            path = f"/post/post-{n}"
            first, second = f"img{n % images:04d}", f"img{(n * 7 + 3) % images:04d}"
            body = (
                f"<p>{PARA}</p><h2>Part one of post {n}</h2><p>{MORE}</p>"
                f"{wix_image(first, f'Exercise {n % images} shown by a physiotherapist')}"
                f'<h3>Details</h3><p>{PARA} See <a href="/post/post-{(n + 1) % pages}">the next'
                f" post</a>.</p>{wix_image(second, None)}<p>{MORE}</p>"
            )
            footer = f"<span>{n * 3} views</span><span>0 comments</span>"
            site.page(
                path, wix_page(f"Post number {n} about recovery", "Jun 11, 2024", body, footer)
            )
        paths.append(path)
    for i in range(images):
        file = f"img{i:04d}~mv2.jpg"
        site.routes[f"/media/{file}"] = (200, "image/jpeg", picture(400, 300, (i, 100, 200)))
    site.page("/", "<html><body><nav><a href='/post/post-0'>Blog</a></nav></body></html>")
    site.sitemap(paths)
    return site


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.postgres:
            stack.enter_context(migrated_database(args.postgres, "clinic_bench_import"))
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
            os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
            import django  # set up here, once DATABASE_URL names the temporary database

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        # Imported only now: these need Django set up on the database made above.
        from audit.engine import EngineConfig
        from importer.service import ImportOptions, SiteImport
        from pages.demo.loader import load_demo_content
        from tests.conftest import ensure_wagtail_roots

        ensure_wagtail_roots()
        load_demo_content()
        site = stack.enter_context(build_site(args.pages, args.images))
        options = ImportOptions(
            crawl=EngineConfig(parse_workers=0, max_pages=args.pages + 10, check_links=False)
        )
        for label in ("first import", "second import (unchanged)"):
            run = SiteImport(site.base + "/", options)
            began = time.perf_counter()
            report = run.run()
            seconds = time.perf_counter() - began
            counts = report.counts()
            done = counts.get("created", 0) + counts.get("updated", 0) + counts.get("unchanged", 0)
            t = run.timings
            print(
                f"{label}: {done} pages in {seconds:.1f} s = {done / seconds:.1f} pages/s; "
                f"{counts}; images {report.images_imported} new, {report.images_reused} reused"
            )
            per = 1000 / max(done, 1)
            print(
                f"  per page: fetch {t.fetch * per:.1f} ms, convert {t.convert * per:.1f} ms, "
                f"images {t.images * per:.1f} ms, database {t.database * per:.1f} ms, "
                f"other {(seconds - t.fetch - t.convert - t.images - t.database) * per:.1f} ms"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
