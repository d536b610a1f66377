"""Time and peak memory of the engine against hostile servers and robots.txt files.

    .venv/bin/python benchmarks/hostile.py                 # every case, each in its own process
    .venv/bin/python benchmarks/hostile.py slow-body       # one case

Cases: ``slow-body`` (a page sent at 1 byte/s) and ``endless-chunked`` (a chunked body that
never ends), each audited with ``time_budget=30, timeout=10``; ``robots-backtracking`` (one
URL against ``Disallow: /*a*a*…*b``); ``robots-10mb`` (a single-page audit of a site whose
robots.txt is 12 MB of rules for our group). The hostile server is the tests' one
(tests/audit/engine/hostile_server.py) on 127.0.0.1; it gives up after 300 s, so a case
that never ends on its own is reported as cut off by the ``--limit`` (default 200 s).
Times are the engine's work only; peak RSS is the case's whole process (the server runs
in it, and builds the 12 MB file there).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "audit" / "engine"))

from hostile_server import HostileServer  # noqa: E402  (found through the paths above)

from audit.engine import EngineConfig, audit_site  # noqa: E402
from audit.engine.robots import parse_robots  # noqa: E402

CASES = ("slow-body", "endless-chunked", "robots-backtracking", "robots-10mb")
BACKTRACKING = "/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"


def run_case(case: str) -> tuple[float, str]:
    """Seconds the engine took, and what it answered."""
    if case in ("slow-body", "endless-chunked"):
        with HostileServer(lifetime=400, stream_seconds=300) as server:
            config = EngineConfig(time_budget=30, timeout=10, parse_workers=0, retries=0)
            started = time.monotonic()
            result = audit_site(server.url("/" + case), config)
            elapsed = time.monotonic() - started
            return elapsed, f"stop_reason={result.stats['stop_reason']}, {len(result.pages)} pages"
    if case == "robots-backtracking":
        started = time.monotonic()
        rules = parse_robots(f"User-agent: *\nDisallow: {BACKTRACKING}\n", "clinic-cms-audit")
        allowed = rules.allowed("https://clinic.example/" + "a" * 40)
        return time.monotonic() - started, f"allowed={allowed}"
    rules_text = b"".join(
        b"Disallow: /private/%d/*/page$\nAllow: /p%d\n" % (i, i) for i in range(260_000)
    )
    body = b"User-agent: *\n" + rules_text
    with HostileServer(lifetime=400, robots=body) as server:
        config = EngineConfig(
            single_page=True, parse_workers=0, check_links=False, use_sitemaps=False
        )
        started = time.monotonic()
        result = audit_site(server.url("/plain"), config)
        elapsed = time.monotonic() - started
        return elapsed, f"robots.txt {len(body) / 1e6:.1f} MB, status {result.pages[0].status}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cases", nargs="*", metavar="CASE", help=", ".join(CASES))
    parser.add_argument("--limit", type=float, default=200.0, metavar="SECONDS")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    unknown = set(args.cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case {sorted(unknown)[0]!r}: choose from {', '.join(CASES)}")
    if args.child:
        elapsed, note = run_case(args.cases[0])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{args.cases[0]:<20} {elapsed:7.2f} s  peak RSS {peak:4.0f} MB  {note}")
        return
    for case in args.cases or CASES:
        command = [sys.executable, __file__, "--child", case]
        try:
            subprocess.run(command, cwd=ROOT, timeout=args.limit, check=True)
        except subprocess.TimeoutExpired:
            print(f"{case:<20} > {args.limit:.0f} s (cut off)")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
