"""Benchmark: the static front end in frontend/ built from the API, and publish→live latency.

Creates its own PostgreSQL database (dropped at the end) with the demo site, serves it with
gunicorn (2 workers, API response cache on, as deployed) on a free 127.0.0.1 port, and times
`node build.js --full` (Eleventy 3) into a temporary dist/: once for the demo site, then again
after adding generated pages up to --pages live pages (half with 6-block bodies, half with 120
blocks: rich text with internal links, images, quotes, FAQs; `benchmarks/api.py`'s generator).
It then starts `node server.js` with a webhook endpoint pointing at it, publishes a page
--publishes times (one publish each, the page title changed) and prints the time from the
publish call to the first GET of the front-end page that shows the new title (p50 and max),
with the server's default debounce (1000 ms) and with --debounce-ms. Needs node and npm
(`npm ci` runs in frontend/ if node_modules is missing).

    .venv/bin/python benchmarks/frontend.py
    .venv/bin/python benchmarks/frontend.py --pages 500 --publishes 5 --debounce-ms 100
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from support import drop_database, free_port, recreate_database, start_gunicorn, wait_until_serving

REPO = Path(__file__).resolve().parent.parent
FRONTEND = REPO / "frontend"
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]
LIVE_DEADLINE_SECONDS = 60


def full_build(env: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run(
        ["node", "build.js", "--full"], cwd=FRONTEND, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"build failed: {done.stderr}")
    return seconds, json.loads(done.stdout.strip().splitlines()[-1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()
    except OSError:
        return ""


def publish_latencies(env, front_url: str, page, count: int) -> list[float]:
    latencies = []
    for n in range(count):
        title = f"IMS, benchmark publish {n} {time.time_ns()}"  # nothing HTML escapes
        page.title = title
        started = time.perf_counter()
        page.save_revision().publish()  # the delivery is sent on commit (immediate backend)
        give_up = started + LIVE_DEADLINE_SECONDS
        while title not in fetch(f"{front_url}{page.get_url_parts()[2]}"):
            if time.perf_counter() > give_up:
                raise SystemExit(f"publish {n} not live within {LIVE_DEADLINE_SECONDS}s")
            time.sleep(0.02)
        latencies.append(time.perf_counter() - started)
    return latencies


def measure_latency(env, front_url: str, page, count: int, debounce_ms: int, tmp: Path):
    from webhooks.models import Endpoint

    Endpoint.objects.all().delete()
    endpoint = Endpoint.objects.create(url=f"{front_url}/_webhooks")
    server_env = {**env, "FRONTEND_WEBHOOK_SECRET": endpoint.secret}
    if debounce_ms is not None:
        server_env["FRONTEND_DEBOUNCE_MS"] = str(debounce_ms)
    with open(tmp / f"server-{debounce_ms}.log", "w") as log:
        server = subprocess.Popen(
            ["node", "server.js"], cwd=FRONTEND, env=server_env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + LIVE_DEADLINE_SECONDS
        while '"builds":1' not in fetch(f"{front_url}/_status"):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"front-end server did not start; see {log.name}")
            time.sleep(0.05)
        return publish_latencies(env, front_url, page, count)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=500, help="live pages in the big build")
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--debounce-ms", type=int, default=100)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--db", default="clinic_bench_frontend", help="database to create/drop")
    args = parser.parse_args()
    if not (FRONTEND / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)

    import api as api_bench  # benchmarks/api.py: its settings and page generator

    admin_url = f"{args.pg}/postgres"
    recreate_database(admin_url, args.db)
    tmp = Path(tempfile.mkdtemp(prefix="clinic-bench-frontend-"))
    settings = api_bench.SETTINGS_MODULE + 'SEO_AUDIT_ALLOWED_HOSTS = ["127.0.0.1"]\n'
    (tmp / "bench_api_settings.py").write_text(settings)
    cms_port, front_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{args.db}",
        "DJANGO_SETTINGS_MODULE": "bench_api_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp), str(REPO)]),
        "MEDIA_ROOT": str(tmp / "media"),
        "BENCH_CACHE_DIR": str(tmp / "cache"),
        "BENCH_CACHE_PREFIX": f"bench-frontend-{os.getpid()}",
        "CMS_API_URL": f"http://127.0.0.1:{cms_port}",
        "FRONTEND_PORT": str(front_port),
        "FRONTEND_DIST": str(tmp / "dist"),
        "FRONTEND_STATE_DIR": str(tmp / "state"),
    }
    (tmp / "cache-static").mkdir()
    os.environ.update(env)
    sys.path.insert(0, str(tmp))
    gunicorn = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from wagtail.models import Site

        from pages.demo.loader import load_demo_content
        from pages.models import ServicePage

        call_command("migrate", verbosity=0)
        load_demo_content()
        Site.objects.filter(is_default_site=True).update(hostname="127.0.0.1", port=cms_port)
        gunicorn = start_gunicorn(env, cms_port, 2, tmp / "gunicorn.log")
        wait_until_serving(cms_port, "/api/v2/pages/")
        print(f"Load average before: {os.getloadavg()}", flush=True)
        demo_seconds, demo = full_build(env)
        print(f"full build, demo site: {demo['pages']} pages in {demo_seconds:.2f} s", flush=True)
        api_bench.TOTAL_PAGES = args.pages
        api_bench.build_site()
        for _ in range(2):  # the first fills the API's response cache, as after a deploy
            seconds, big = full_build(env)
            print(
                f"full build: {big['pages']} pages in {seconds:.2f} s "
                f"({big['pages'] / seconds:.0f} pages/s; Eleventy writing "
                f"{big['writeSeconds']:.2f} s, the rest reading the API)",
                flush=True,
            )
        page = ServicePage.objects.live().get(slug="ims")
        front_url = f"http://127.0.0.1:{front_port}"
        for debounce in (None, args.debounce_ms):
            latencies = measure_latency(env, front_url, page, args.publishes, debounce, tmp)
            label = "default debounce 1000 ms" if debounce is None else f"debounce {debounce} ms"
            print(
                f"publish → live ({label}, {big['pages']} pages): "
                f"p50 {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s "
                f"over {len(latencies)} publishes",
                flush=True,
            )
        print(f"Load average after: {os.getloadavg()}", flush=True)
        return 0
    finally:
        if gunicorn:
            gunicorn.terminate()
            gunicorn.wait(timeout=10)
        from django.db import connections

        connections.close_all()
        drop_database(admin_url, args.db)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
