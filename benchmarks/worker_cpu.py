"""CPU per page of a crawl worker's loop, in-process and single-threaded (load-independent).

    .venv/bin/python benchmarks/worker_cpu.py [--pages 600] [--profile out.prof]

Serves the crawl benchmark's generated site with nginx (see crawl.py) and runs, in this
process, what a worker process runs for each page (``PageJob.run``: GET, parse, facts,
checks) and for each image (``check_target``: HEAD), timing each phase with
``time.process_time`` (best of three rounds).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from crawl import generate, start_nginx, write_sitemap
from support import free_port

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="write a cProfile of one round here")
    parser.add_argument(
        "--only", choices=("pages", "images"), help="time one phase (e.g. under callgrind)"
    )
    args = parser.parse_args()

    from audit.engine import EngineConfig
    from audit.engine.crawl import Crawler
    from audit.engine.linkcheck import check_target

    with tempfile.TemporaryDirectory(prefix="audit-worker-cpu-") as tmp:
        root, conf = Path(tmp) / "site", Path(tmp) / "nginx"
        conf.mkdir()
        generate(root, args.pages)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        write_sitemap(root, base, args.pages)
        nginx = start_nginx(root, conf, port)
        try:
            crawler = Crawler(base + "/", EngineConfig(max_pages=args.pages + 30))
            crawler.robots_for(base + "/")
            job, fetcher = crawler.job, crawler.fetcher
            pages = [f"{base}/p/{i}.html" for i in range(args.pages)]
            images: list[str] = []
            for url in pages[:20]:  # warm caches and the connection pool
                job.run(url, 1)
            for result in (job.run(url, 1) for url in pages):
                for outcome in result.outcomes:
                    images += [url for url, _selector, _snippet in outcome.summary.images]

            def pages_round() -> None:
                for url in pages:
                    job.run(url, 1)

            def images_round() -> None:
                for url in images:
                    check_target(fetcher, url)

            phases = [
                ("pages", "page (GET + analyse)", pages_round, len(pages)),
                ("images", "image HEAD", images_round, len(images)),
            ]
            for phase, name, run, count in phases:
                if args.only not in (None, phase) or not args.rounds:
                    continue
                user, system = min((_cpu(run) for _ in range(args.rounds)), key=sum)
                print(
                    f"{name:24} {(user + system) / count * 1000:.3f} ms CPU each "
                    f"(user {user / count * 1000:.3f}, system {system / count * 1000:.3f}; "
                    f"{count})"
                )
            if args.profile:
                profile = cProfile.Profile(time.process_time)
                for phase, _name, run, _count in phases:
                    if args.only in (None, phase):
                        profile.runcall(run)
                profile.dump_stats(args.profile)
                print(f"profile written to {args.profile}")
            crawler.fetcher.close()
        finally:
            nginx.terminate()
            nginx.wait()


def _cpu(run: Callable[[], None]) -> tuple[float, float]:
    """(user, system) CPU seconds of this process while ``run`` runs."""
    before = os.times()
    run()
    after = os.times()
    return after.user - before.user, after.system - before.system


if __name__ == "__main__":
    main()
