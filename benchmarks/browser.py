"""Benchmark the audit's browser pass against Lighthouse on a generated site.

Generates N pages (three templates: home, service, article; nav, footer, an image, a form,
an icon link and a button with no name, a skipped heading level, an image with no alt on
every third page, light and dark colour schemes, a small script), serves them from a temp
folder on a free 127.0.0.1 port, then in the same run:

- crawls with ``EngineConfig(browser=True)`` and prints the browser pass's pages/s, its
  duration and the peak memory of this process tree (PSS, sampled from /proc);
- runs Lighthouse (all categories, desktop form factor at the pass's 1280x720 viewport) on a
  sample of pages, one after another, with ``CHROME_PATH`` set to the same Chromium, and
  prints its seconds per page;
- prints the ratio of pages per minute (target: the pass at 10x Lighthouse);
- compares, on the sampled pages, the axe rules that fail in the pass (light scheme, as
  Lighthouse does not emulate dark) and their node counts and selectors with Lighthouse's
  failing accessibility audits (binary audits with score 0; ``details.items[].node``), prints
  a table of agreements and disagreements with the reason for each, and both axe versions.

    npm install --prefix /tmp/lh lighthouse     # once; Lighthouse is not a project dependency
    PYTHONPATH=. .venv/bin/python benchmarks/browser.py --pages 200 --lighthouse-pages 5
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import subprocess
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from audit.engine import EngineConfig, audit_site
from audit.engine.browser.observations import RenderedPage
from audit.engine.browser.pool import AXE_VERSION, BrowserPool
from audit.engine.deadline import StopSignal
from audit.engine.urls import AddressGuard

CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = "/tmp/lh/node_modules/.bin/lighthouse"
STYLE = (
    "body{font-family:sans-serif;margin:0;background:#fff;color:#222}"
    "nav a{margin:0 .5em;color:#0645ad}.muted{color:#999}"
    "@media (prefers-color-scheme: dark){body{background:#111;color:#ddd}.muted{color:#444}}"
)
TEMPLATES = ("service", "article")


def page_html(n: int, total: int, kind: str) -> str:
    links = "".join(
        f'<a href="/{TEMPLATES[k % 2]}/{k}.html">Page {k}</a>'
        for k in range(n + 1, n + 9)
        if k < total
    )
    paragraphs = "".join(
        f"<p>Section {s} of {kind} page {n}: what to expect at the first visit, how long "
        "a session lasts, and which exercises to do at home between sessions.</p>"
        for s in range(12)
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{kind.title()} '
        f"page {n} of the clinic's generated benchmark site</title>"
        f'<meta name="viewport" content="width=device-width"><style>{STYLE}</style></head>'
        f'<body><header><nav><a href="/">Home</a>{links}</nav></header><main>'
        f"<h1>{kind.title()} {n}</h1>{paragraphs}"
        f'<img src="/img/photo{n % 5}.svg" alt="Photo {n}" width="300" height="200">'
        # defects for the comparison with Lighthouse: an image with no alt on every third
        # page, an icon link and a button with no name, a heading level skipped
        + (f'<img src="/img/photo{(n + 1) % 5}.svg" width="30" height="20">' if n % 3 == 0 else "")
        + '<a href="/"><svg width="24" height="24"><rect width="24" height="24"/></svg></a>'
        '<button type="button"></button><h4>Related</h4>'
        '<p class="muted">Last reviewed this year.</p>'
        '<form><label for="q">Search</label><input id="q" name="q">'
        '<input aria-describedby="hint-missing" name="email" placeholder="E-mail"></form>'
        '</main><footer><p>Clinic footer</p></footer><script>document.querySelector("footer")'
        '.insertAdjacentHTML("beforeend", "<h2>Opening hours</h2>");</script></body></html>'
    )


def generate(folder: Path, total: int) -> None:
    (folder / "img").mkdir()
    for template in TEMPLATES:
        (folder / template).mkdir()
    for k in range(5):
        (folder / "img" / f"photo{k}.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">'
            f'<rect width="300" height="200" fill="#{k}8a"/></svg>'
        )
    (folder / "index.html").write_text(page_html(0, total, "home"))
    for n in range(1, total):
        (folder / TEMPLATES[n % 2] / f"{n}.html").write_text(page_html(n, total, TEMPLATES[n % 2]))


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (its API)
        pass


# Lighthouse at the pass's viewport (Playwright's default, 1280x720 at 1x), so rules that
# depend on layout (target-size, contrast of text that wraps) see the same page.
LIGHTHOUSE_VIEWPORT = [
    "--preset=desktop",
    "--screenEmulation.width=1280",
    "--screenEmulation.height=720",
    "--screenEmulation.deviceScaleFactor=1",
]


def lighthouse_reports(urls: list[str], lighthouse: str, folder: Path) -> list[tuple[float, dict]]:
    """(seconds, Lighthouse's JSON report) for each URL, one after another."""
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    flags = "--headless --no-sandbox --disable-gpu --disable-background-networking"
    reports = []
    for n, url in enumerate(urls):
        out = folder / f"lighthouse-{n}.json"
        clock = time.monotonic()
        subprocess.run(
            [lighthouse, url, "--quiet", "--output=json", f"--output-path={out}"]
            + LIGHTHOUSE_VIEWPORT
            + [f"--chrome-flags={flags}"],
            check=True,
            env=env,
            timeout=300,
        )
        reports.append((time.monotonic() - clock, json.loads(out.read_text())))
    return reports


def lighthouse_failures(report: dict) -> tuple[dict[str, list[str]], set[str]]:
    """Lighthouse's failing accessibility audits: audit id (axe's rule id) -> the failing
    nodes' snippets (their opening tags), and the ids of every accessibility audit it ran
    (the rules it asks axe for). Its node selectors are its own, not axe's targets, so the
    elements are matched by their markup."""
    refs = report["categories"]["accessibility"]["auditRefs"]
    audit_ids = {ref["id"] for ref in refs}
    failing = {}
    for audit_id in audit_ids:
        audit = report["audits"][audit_id]
        if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0:
            items = (audit.get("details") or {}).get("items", [])
            failing[audit_id] = [item["node"]["snippet"] for item in items if "node" in item]
    return failing, audit_ids


def our_axe(urls: list[str], contexts: int) -> dict[str, RenderedPage]:
    """The pass's raw axe results for ``urls`` (the pool the crawl uses, on its own)."""
    config = EngineConfig(browser=True, browser_contexts=contexts)
    rendered: dict[str, RenderedPage] = {}

    def on_page(url: str, outcome: RenderedPage | str) -> None:
        if isinstance(outcome, RenderedPage):
            rendered[url] = outcome

    async def render() -> None:
        pool = BrowserPool(config, StopSignal(), AddressGuard("127.0.0.1", allow_private=True))
        try:
            await pool.start()
            await pool.render_all(urls, on_page)
        finally:
            await pool.close()

    asyncio.run(render())
    return rendered


def failing_rules(results: dict) -> dict[str, list[str]]:
    """axe's violations: rule id -> the failing nodes' markup."""
    return {
        rule["id"]: [node["html"] for node in rule["nodes"]]
        for rule in results.get("violations", [])
    }


def same_elements(mine: list[str], theirs: list[str]) -> bool:
    """The same elements: as many, and each of Lighthouse's opening tags begins one of ours."""
    unmatched = list(mine)
    for snippet in theirs:
        match = next((html for html in unmatched if html.startswith(snippet)), None)
        if match is None:
            return False
        unmatched.remove(match)
    return not unmatched


def axe_tags(page: RenderedPage, rule_id: str) -> list[str]:
    for rule in page.axe_light.get("violations", []):
        if rule["id"] == rule_id:
            return [
                tag
                for tag in rule.get("tags", [])
                if not tag.startswith(("cat.", "TT", "EN-", "RGAA"))
            ]
    return []


def compare(
    ours: dict[str, RenderedPage], lighthouse: dict[str, dict]
) -> tuple[list[tuple], int, int]:
    """Rows (url, rule, ours, Lighthouse's, verdict, why), agreements, disagreements."""
    rows, agree, disagree = [], 0, 0
    for url, report in lighthouse.items():
        page = ours[url]
        light, dark = failing_rules(page.axe_light), failing_rules(page.axe_dark)
        theirs, ran = lighthouse_failures(report)
        for rule in sorted(set(light) | set(theirs)):
            mine, their = light.get(rule, []), theirs.get(rule, [])
            if same_elements(mine, their):
                agree += 1
                rows.append((url, rule, len(mine), len(their), "same", "same elements"))
                continue
            disagree += 1
            if rule not in ran:
                tags = ", ".join(axe_tags(page, rule))
                why = f"not among Lighthouse's accessibility audits (axe tags: {tags})"
            elif len(mine) != len(their):
                why = "node counts differ"
            else:
                why = "different elements"
            rows.append((url, rule, len(mine), len(their), "differs", why))
        for rule in sorted(set(dark) - set(light)):
            rows.append(
                (url, rule, len(dark[rule]), "-", "dark only", "Lighthouse renders light only")
            )
    return rows, agree, disagree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--lighthouse-pages", type=int, default=3)
    parser.add_argument("--lighthouse", default=LIGHTHOUSE, help="the lighthouse command")
    parser.add_argument("--contexts", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp:
        folder = Path(tmp)
        generate(folder, args.pages)
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            print(f"site: {args.pages} pages at {base}; load average {os.getloadavg()}")
            config = EngineConfig(
                browser=True,
                browser_contexts=args.contexts,
                check_links=False,
                max_pages=args.pages + 10,
            )
            result = audit_site(base + "/", config)
            stats = result.stats["browser"]
            rendered = stats["pages_rendered"]
            pass_rate = rendered / stats["duration_s"]
            print(
                f"browser pass: {rendered} rendered, {stats['pages_failed']} failed, "
                f"{stats['retries']} retries in {stats['duration_s']:.1f} s = "
                f"{pass_rate:.2f} pages/s ({60 * pass_rate:.1f} pages/min); "
                f"peak memory {stats['peak_rss_mb']} MB (PSS, this process tree); "
                f"contexts {stats['contexts']}; axe-core {stats['axe_core_version']}, "
                f"Chromium {stats['chromium_version']}; load average {os.getloadavg()}"
            )
            if not Path(args.lighthouse).exists():
                print(f"Lighthouse not found at {args.lighthouse}: skipped (see the docstring)")
                return
            urls = [page.url for page in result.pages[: args.lighthouse_pages]]
            reports = lighthouse_reports(urls, args.lighthouse, folder)
            seconds = [spent for spent, _report in reports]
            per_page = sum(seconds) / len(seconds)
            first = reports[0][1]
            print(
                f"lighthouse {first['lighthouseVersion']} (axe-core "
                f"{first['environment']['credits'].get('axe-core', '?')}; ours {AXE_VERSION}): "
                f"{len(seconds)} pages, "
                + ", ".join(f"{s:.1f}" for s in seconds)
                + f" s; {per_page:.1f} s/page ({60 / per_page:.1f} pages/min); "
                f"load average {os.getloadavg()}"
            )
            print(f"ratio: the browser pass renders {pass_rate * per_page:.1f}x the pages/min")
            lighthouse = {url: report for url, (_spent, report) in zip(urls, reports, strict=True)}
            ours = our_axe(list(lighthouse), args.contexts)
            rows, agree, disagree = compare(ours, lighthouse)
            print(f"\naxe rules failing, ours (light scheme) vs Lighthouse, {len(urls)} pages:")
            print(f"{'page':<28} {'rule':<28} {'ours':>5} {'LH':>5}  verdict    why")
            for url, rule, mine, theirs, verdict, why in rows:
                short = url.removeprefix(base)
                print(f"{short:<28} {rule:<28} {mine:>5} {theirs:>5}  {verdict:<10} {why}")
            both = [row for row in rows if row[4] != "dark only" and "not among" not in row[5]]
            print(
                f"agreements {agree}, disagreements {disagree} (light scheme, violations); "
                f"on the rules both run: {sum(row[4] == 'same' for row in both)} same, "
                f"{sum(row[4] == 'differs' for row in both)} different"
            )
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
