"""Benchmark the audit's browser pass against Lighthouse on a generated site.

Generates N pages (three templates: home, service, article; nav, footer, an image, a form,
light and dark colour schemes, a small script), serves them from a temp folder on a free
127.0.0.1 port, then in the same run:

- crawls with ``AuditConfig(browser=True)`` and prints the browser pass's pages/s, its
  duration and the peak memory of this process tree (PSS, sampled from /proc);
- runs Lighthouse (all categories, its defaults) on a sample of pages, one after another,
  with ``CHROME_PATH`` set to the same Chromium, and prints its seconds per page;
- prints the ratio of pages per minute (target: the pass at 10x Lighthouse).

    npm install --prefix /tmp/lh lighthouse     # once; Lighthouse is not a project dependency
    .venv/bin/python benchmarks/browser.py --pages 200 --lighthouse-pages 3
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from audit.engine import AuditConfig, audit_site

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


def lighthouse_seconds(urls: list[str], lighthouse: str) -> list[float]:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    flags = "--headless --no-sandbox --disable-gpu --disable-background-networking"
    times = []
    for url in urls:
        clock = time.monotonic()
        subprocess.run(
            [lighthouse, url, "--quiet", "--output=json", "--output-path=/dev/null"]
            + [f"--chrome-flags={flags}"],
            check=True,
            env=env,
            timeout=300,
        )
        times.append(time.monotonic() - clock)
    return times


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
            config = AuditConfig(
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
            seconds = lighthouse_seconds(urls, args.lighthouse)
            per_page = sum(seconds) / len(seconds)
            print(
                f"lighthouse: {len(seconds)} pages, "
                + ", ".join(f"{s:.1f}" for s in seconds)
                + f" s; {per_page:.1f} s/page ({60 / per_page:.1f} pages/min); "
                f"load average {os.getloadavg()}"
            )
            print(f"ratio: the browser pass renders {pass_rate * per_page:.1f}x the pages/min")
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
