"""Parse step: same facts and findings as another revision, and CPU time per page.

    .venv/bin/python benchmarks/parse_facts.py --against main

Parses the fixture site's pages (tests/audit/engine/fixture_site.py) and 1000 pages of the
crawl benchmark's generated site with this checkout's engine and with the engine of the given
git revision (extracted to a temporary folder), each in its own process, and prints any page
whose facts or findings differ (fields new in this checkout are left out of the comparison)
plus the parse CPU time of each side (best of three runs), then the parse time per page of
the parser the engine uses (lexbor: alone, with the engine's walk over its tree, and with the
copy into lxml the engine made before) against lxml's own (libxml2) on the generated pages.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = 1000


def _pages() -> list[tuple[str, str]]:
    """(url, html) of every fixture route that answers HTML, then the generated pages."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from crawl import page_html  # noqa: PLC0415 (benchmarks/ is not a package)

    from tests.audit.engine.fixture_site import ROUTES, FixtureSite  # noqa: PLC0415

    site = FixtureSite()
    site.base = "http://127.0.0.1:8001"  # not the port it bound: the same in both processes
    out = []
    try:
        for path, route in sorted(ROUTES.items()):
            response = route(site, {}, 1, "GET")
            if "html" in response.headers.get("Content-Type", ""):
                out.append((site.url(path), response.body.decode("utf-8", "replace")))
    finally:
        site.stop()
    rng = random.Random(42)
    out += [(f"http://127.0.0.1:8000/p/{i}.html", page_html(i, PAGES, rng)) for i in range(PAGES)]
    return out


def dump(engine_root: str) -> None:
    """Print one JSON line per page (facts and findings), then the parse CPU time."""
    sys.path.insert(0, engine_root)
    sys.path.insert(1, str(ROOT))
    from audit.engine.parse import parse_html  # noqa: PLC0415 (the engine chosen at run time)
    from audit.engine.single import check_html_facts  # noqa: PLC0415

    pages = _pages()
    for url, html in pages:
        report, facts = check_html_facts(html, url)
        print(
            json.dumps(
                {
                    "url": url,
                    "facts": dataclasses.asdict(facts),
                    "findings": [dataclasses.asdict(f) for f in report.findings],
                    "title": report.title,
                    "h1": report.h1,
                },
                sort_keys=True,
            )
        )
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for url, html in pages:
            parse_html(html, url)
        best = min(best, time.process_time() - began)
    print(json.dumps({"cpu_s": best, "pages": len(pages)}))


def _best_ms_per_page(parse: Callable[[str], object], pages: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for html in pages:
            parse(html)
        best = min(best, time.process_time() - began)
    return best * 1000 / len(pages)


def compare_parsers() -> None:
    """Parse CPU per page of the generated pages: lexbor (the engine's parser) against
    libxml2 (lxml's HTML parser, which builds an HTML4 tree)."""
    sys.path.insert(0, str(ROOT))
    from lxml import etree  # noqa: PLC0415
    from selectolax.lexbor import LexborHTMLParser  # noqa: PLC0415

    from audit.engine.parse import document  # noqa: PLC0415

    def engine(html: str) -> None:
        tree = document.parse_tree(html)
        if isinstance(tree, document.LexborTree):
            tree.release()  # as parse_into does once the facts are read

    pages = [html for url, html in _pages() if "/p/" in url]
    libxml2 = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    rows = (
        ("libxml2 (lxml.etree.HTMLParser)", lambda h: etree.fromstring(h.encode(), libxml2)),
        ("lexbor, parse only", lambda h: LexborHTMLParser(h, scripting=True)),
        ("lexbor + index walk (engine)", engine),
        ("lexbor + copy into lxml (before)", document._copy),  # noqa: SLF001
    )
    print(f"parse only, {len(pages)} generated pages (CPU per page, best of 3):")
    for name, parse in rows:
        print(f"  {name:<34} {_best_ms_per_page(parse, pages):.3f} ms/page")


def _run(engine_root: str) -> list[dict]:
    out = subprocess.run(
        [sys.executable, __file__, "--dump", engine_root],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def _without_new_keys(new: dict, old: dict) -> dict:
    """``new`` restricted to the keys ``old`` has, recursively (new fields are not diffs)."""
    if isinstance(new, dict) and isinstance(old, dict):
        return {k: _without_new_keys(new[k], old[k]) for k in old if k in new}
    if isinstance(new, list) and isinstance(old, list) and len(new) == len(old):
        return [_without_new_keys(n, o) for n, o in zip(new, old, strict=True)]
    return new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default="main", help="git revision to compare with")
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        dump(args.dump)
        return
    with tempfile.TemporaryDirectory(prefix="parse-facts-") as tmp:
        archive = subprocess.run(
            # audit/__init__.py too: without it the old tree's "audit" is only a namespace
            # portion, and this checkout's regular package would be imported instead.
            ["git", "archive", args.against, "audit/__init__.py", "audit/engine"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        old = _run(tmp)
    new = _run(str(ROOT))
    differ = 0
    for old_page, new_page in zip(old[:-1], new[:-1], strict=True):
        if _without_new_keys(new_page, old_page) != old_page:
            differ += 1
            print(f"differs: {old_page['url']}")
    old_cpu, new_cpu = old[-1], new[-1]
    print(f"{len(old) - 1} pages compared, {differ} differ")
    for name, cpu in (("old", old_cpu), ("new", new_cpu)):
        per_page = cpu["cpu_s"] * 1000 / cpu["pages"]
        print(f"{name}: parse CPU {cpu['cpu_s']:.2f} s = {per_page:.3f} ms/page")
    compare_parsers()
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
