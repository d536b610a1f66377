"""Benchmark: the SEO audits admin on a 10,000-page, 50,000-finding run (PostgreSQL).

Creates its own database (``clinic_bench_admin``, dropped at the end), stores two such runs
with the backend's store (reusing ``benchmarks/store.py``'s generator; the second has 10% of
its findings changed), then times each admin request through Django's test client as a
logged-in superuser: the runs list with its trend chart, the report grouped by check and by
page (first and last page of the impact listing), the filters, the comparison, the exports.

    .venv/bin/python benchmarks/admin_report.py
    .venv/bin/python benchmarks/admin_report.py --pages 10000 --findings-per-page 5 \\
        --postgres postgres://postgres@127.0.0.1:5432
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from support import migrated_database, parse_run_size_args

ROOT = Path(__file__).resolve().parent.parent
# The project first: benchmarks/webhooks.py would otherwise shadow the webhooks app.
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
DB_NAME = "clinic_bench_admin"


def timed(client, label: str, url: str) -> None:
    started = time.perf_counter()
    response = client.get(url)
    body = response.content  # exports stream nothing lazily; this is the whole answer
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{label}: {url} answered {response.status_code}")
    print(f"{label:<36} {elapsed * 1000:8.0f} ms  {len(body) / 1024:9.0f} KiB  {url}")


def main() -> int:
    import store as store_bench  # benchmarks/store.py

    args = parse_run_size_args(__doc__.splitlines()[0])
    with migrated_database(args.postgres, DB_NAME):
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        old = store_bench.store(
            store_bench.build_result(args.pages, args.findings_per_page), "run 1"
        )
        new = store_bench.store(
            store_bench.build_result(args.pages, args.findings_per_page, changed_every=10), "run 2"
        )
        admin = get_user_model().objects.create_superuser("bench", "bench@clinic.test", "x" * 20)
        client = Client()
        client.force_login(admin)
        run = f"/admin/seo-audits/{new.pk}/"
        last_page = -(-args.pages // 25)
        timed(client, "runs list + trend", "/admin/seo-audits/")
        timed(client, "report by check", run)
        timed(client, "report by check, errors only", f"{run}?severity=error")
        timed(client, "report by check, new only", f"{run}?new=on")
        timed(client, "one check, page 1 of its findings", f"{run}?check=img-alt-missing")
        timed(client, "report by page (impact), page 1", f"{run}?group=page")
        timed(client, f"report by page, page {last_page}", f"{run}?group=page&p={last_page}")
        timed(client, "compare with previous run", f"{run}?group=compare")
        timed(client, "compare with run 1 explicitly", f"{run}?group=compare&compare={old.pk}")
        timed(client, "export JSON", f"{run}export.json")
        timed(client, "export CSV", f"{run}export.csv")
        timed(client, "export HTML", f"{run}export.html")
        print(f"[{connection.vendor}] {args.pages:,} pages x {args.findings_per_page} findings")
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
