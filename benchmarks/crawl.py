"""Crawl benchmark: the audit engine against a plain sequential requests + BeautifulSoup crawler.

    .venv/bin/python benchmarks/crawl.py --pages 1000
    .venv/bin/python benchmarks/crawl.py --pages 10000
    .venv/bin/python benchmarks/crawl.py --pages 10000 --images   # the images exist too
    .venv/bin/python benchmarks/crawl.py --pages 2000 --latency 0.05   # each answer after 50 ms

Generates a static clinic site (20-40 KB pages, nav, footer, 1-3 images, 30+ links, robots.txt
and sitemap.xml) in a temporary folder, serves it with nginx on a free 127.0.0.1 port (own
config, stopped at the end), runs each crawler in its own process and prints pages/s, CPU time
and peak RSS summed over the crawler's whole process tree (worker processes included).
Needs nginx (Debian: apt-get install -y nginx-light).

``--latency S``: a small asyncio server (its own process, not measured) serves the same files
instead, answering each request S seconds after it arrived, as a real site across the network
does. Requests are then waited for, not computed, so the engine's bound is its concurrency
divided by the latency; the script prints that bound and the engine's pages/s and requests/s
against it. The sequential baseline is skipped there unless ``--only baseline`` asks for it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from support import free_port

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOPICS = [
    "back pain",
    "neck pain",
    "knee injuries",
    "shoulder rehabilitation",
    "sports massage",
    "post-operative care",
    "pelvic health",
    "running injuries",
    "posture",
    "hydrotherapy",
]
SENTENCE = (
    "Our physiotherapists assess how you move, explain what is causing the {t} and agree a "
    "treatment plan with hands-on therapy and exercises you can keep doing at home. "
)


IMAGE_NAME = re.compile(r'src="/img/([^"/]+\.jpg)"')


def page_html(i: int, n: int, rng: random.Random) -> str:
    topic = TOPICS[i % len(TOPICS)]
    nav = "".join(
        f'<li><a href="/services/{s}.html">{TOPICS[s].title()}</a></li>' for s in range(10)
    )
    nav += '<li><a href="/">Home</a></li><li><a href="/about.html">About us</a></li>'
    nav += '<li><a href="/contact.html">Contact</a></li><li><a href="/prices.html">Prices</a></li>'
    links = [
        f'<a href="/p/{(i + k) % n}.html">Related: {TOPICS[(i + k) % 10]} guide {k}</a>'
        for k in (1, 2)
    ]
    links += [
        f'<a href="/p/{rng.randrange(n)}.html">Read about {TOPICS[rng.randrange(10)]}</a>'
        for _ in range(rng.randint(10, 16))
    ]
    images = "".join(
        f'<figure><img src="/img/{i}-{k}.jpg" alt="Physiotherapist treating {topic} {k}" '
        f'width="800" height="600"><figcaption>Treatment for {topic}</figcaption></figure>'
        for k in range(rng.randint(1, 3))
    )
    paragraphs = []
    target = rng.randint(20_000, 38_000)
    size = 0
    while size < target:
        p = f'<p class="body-text">{SENTENCE.format(t=topic) * rng.randint(2, 5)}</p>\n'
        if links and rng.random() < 0.5:
            p = p.replace("</p>", f" {links.pop()}</p>")
        paragraphs.append(p)
        size += len(p)
    body = "".join(paragraphs) + "".join(f"<p>{link}</p>" for link in links)
    footer = "".join(f'<a href="/info/{k}.html">Footer link {k}</a> ' for k in range(8))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{topic.title()} treatment guide {i} – Riverside Physio</title>
<meta name="description" content="How Riverside Physio treats {topic}: assessment, hands-on
therapy and home exercises. Guide number {i} of our patient library.">
<link rel="canonical" href="/p/{i}.html"><link rel="stylesheet" href="/static/site.css">
<script type="application/ld+json">{{"@type": "MedicalWebPage", "name": "{topic} guide {i}",
"interactionStatistic": {{"@type": "InteractionCounter", "userInteractionCount": {i * 7}}}}}
</script>
</head><body class="article-page"><header><a href="/" class="logo">
<img src="/static/logo.svg" alt="Riverside Physio"></a></header>
<nav class="main-nav"><ul>{nav}</ul></nav>
<main><article><h1>{topic.title()}: guide {i}</h1>
<p class="meta" data-views="{i * 7}">{i * 7} views</p>
{images}<h2>What to expect</h2>{body}</article></main>
<footer><h2>Riverside Physiotherapy Clinic</h2><p>12 River Road</p>{footer}</footer>
</body></html>"""


def write_images(root: Path) -> int:
    """A small JPEG-typed file for every image the generated pages show (by default there
    are none, so each image answers 404): the image checks then get 200 answers with an image
    type and a Content-Length, as on a real site. Returns the number of files."""
    (root / "img").mkdir()
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    data = b"\xff\xd8\xff\xe0" + bytes(2044)
    names = set()
    for page in root.rglob("*.html"):
        names.update(IMAGE_NAME.findall(page.read_text(encoding="utf-8")))
    for name in names:
        (root / "img" / name).write_bytes(data)
    return len(names) + 1


def generate(root: Path, n: int) -> None:
    rng = random.Random(42)
    (root / "p").mkdir(parents=True)
    for folder in ("services", "info"):
        (root / folder).mkdir()
    for i in range(n):
        (root / "p" / f"{i}.html").write_text(page_html(i, n, rng), encoding="utf-8")
    extra = ["index.html", "about.html", "contact.html", "prices.html"]
    extra += [f"services/{s}.html" for s in range(10)] + [f"info/{k}.html" for k in range(8)]
    for k, name in enumerate(extra):
        (root / name).write_text(page_html(n + k, n, rng), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\nSitemap: /sitemap.xml\n")


def start_nginx(root: Path, conf_dir: Path, port: int) -> subprocess.Popen[bytes]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        sys.exit("nginx not found: apt-get update && apt-get install -y nginx-light")
    conf = conf_dir / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {conf_dir}/nginx.pid;
error_log {conf_dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  types {{
    text/html html; text/plain txt; application/xml xml; image/jpeg jpg; image/svg+xml svg;
  }}
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  client_body_temp_path {conf_dir}/body;
  proxy_temp_path {conf_dir}/proxy;
  fastcgi_temp_path {conf_dir}/fastcgi;
  uwsgi_temp_path {conf_dir}/uwsgi;
  scgi_temp_path {conf_dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    index index.html;
  }}
}}
"""
    )
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(conf_dir)])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    sys.exit((conf_dir / "error.log").read_text())


CONTENT_TYPES = {
    ".html": "text/html",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def serve_with_latency(root: Path, port: int, latency: float) -> None:
    """HTTP/1.1 with kept-alive connections: GET and HEAD of the files under ``root``, each
    answered ``latency`` seconds after its request arrived (404 for what is not there)."""
    files: dict[str, bytes | None] = {}

    def lookup(target: str) -> bytes | None:
        path = unquote(urlsplit(target).path)
        if path not in files:
            local = (root / path.lstrip("/")).resolve()
            if local.is_dir():
                local = local / "index.html"
            inside = local.is_relative_to(root) and local.is_file()
            files[path] = local.read_bytes() if inside else None
        return files[path]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, target = head.split(b" ", 2)[:2]
                await asyncio.sleep(latency)
                body = lookup(target.decode("latin-1"))
                suffix = Path(urlsplit(target.decode("latin-1")).path).suffix
                kind = CONTENT_TYPES.get(suffix or ".html", "application/octet-stream")
                status = b"200 OK" if body is not None else b"404 Not Found"
                body = body if body is not None else b"<html><title>Not found</title></html>"
                writer.write(
                    b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                    % (status, kind.encode(), len(body))
                )
                if method != b"HEAD":
                    writer.write(body)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=256)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


def start_latency_server(root: Path, port: int, latency: float) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(root), str(port), str(latency)]
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    sys.exit("the latency server did not start")


def write_sitemap(root: Path, base: str, n: int) -> None:
    urls = "".join(f"<url><loc>{base}/p/{i}.html</loc></url>" for i in range(n))
    (root / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>"
    )


# -- the two crawlers, each run in its own process -------------------------------------------


def run_baseline(start: str, limit: int) -> tuple[int, int]:
    """Sequential: requests.Session + BeautifulSoup(lxml), BFS over same-host links."""
    import requests
    from bs4 import BeautifulSoup

    session = requests.Session()
    host = urlsplit(start).netloc
    seen = {start}
    queue = deque([start])
    pages = 0
    while queue and pages < limit:
        url = queue.popleft()
        response = session.get(url, timeout=10)
        pages += 1
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        soup = BeautifulSoup(response.content, "lxml")
        _title = soup.title.string if soup.title else None
        for anchor in soup.find_all("a", href=True):
            target = urldefrag(urljoin(url, anchor["href"]))[0]
            if urlsplit(target).netloc == host and target not in seen:
                seen.add(target)
                queue.append(target)
    return pages, pages


def run_engine(start: str, limit: int) -> tuple[int, int]:
    from audit.engine import EngineConfig, audit_site
    from audit.engine.report import render_json

    result = audit_site(
        start, EngineConfig(max_pages=limit, **json.loads(os.environ.get("ENGINE_OPTS", "{}")))
    )
    render_json(result)  # the report is part of the job
    return result.stats["pages_fetched"], result.stats["requests"]


# -- measuring a process tree ------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    out, stack = [], [pid]
    while stack:
        current = stack.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                stack += [int(c) for c in task.read_text().split()]
    return out


def _sample(pid: int) -> tuple[int, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return int(stat[11]) + int(stat[12]), rss_pages * os.sysconf("SC_PAGE_SIZE")


def measure(kind: str, start: str, limit: int) -> dict[str, float]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, start, str(limit)],
        stdout=subprocess.PIPE,
        text=True,
    )
    ticks: dict[int, int] = {}
    peak_rss = 0
    stop = threading.Event()

    def monitor() -> None:
        nonlocal peak_rss
        while not stop.is_set():
            total = 0
            for pid in _tree(proc.pid):
                sample = _sample(pid)
                if sample:
                    ticks[pid] = max(ticks.get(pid, 0), sample[0])
                    total += sample[1]
            peak_rss = max(peak_rss, total)
            time.sleep(0.05)

    thread = threading.Thread(target=monitor, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    stop.set()
    thread.join()
    data = json.loads(out.strip().splitlines()[-1])
    hz = os.sysconf("SC_CLK_TCK")
    return {
        "pages": data["pages"],
        "requests": data["requests"],
        "seconds": data["seconds"],
        "pages_per_s": data["pages"] / data["seconds"],
        "cpu_s": sum(ticks.values()) / hz,
        "peak_rss_mb": peak_rss / 1e6,
    }


def child(kind: str, start: str, limit: int) -> None:
    began = time.perf_counter()
    pages, requests = (run_engine if kind == "engine" else run_baseline)(start, limit)
    seconds = time.perf_counter() - began
    print(json.dumps({"pages": pages, "requests": requests, "seconds": seconds}))


def latency_report(engine: dict[str, float], latency: float) -> None:
    """The engine against what its concurrency allows when every answer takes ``latency``."""
    opts = json.loads(os.environ.get("ENGINE_OPTS", "{}"))
    # Imported here: the other steps of this process never load the engine.
    from audit.engine import EngineConfig

    concurrency = opts.get("concurrency", EngineConfig().concurrency)
    bound = concurrency / latency
    requests_per_s = engine["requests"] / engine["seconds"]
    print(
        f"bound: concurrency {concurrency} / latency {latency * 1000:.0f} ms = {bound:.0f}/s | "
        f"pages/s {engine['pages_per_s']:.1f} = {engine['pages_per_s'] / bound:.0%} | "
        f"requests/s {requests_per_s:.1f} = {requests_per_s / bound:.0%} "
        f"({engine['requests']} requests for {engine['pages']} pages)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--only", choices=("engine", "baseline"), default=None)
    parser.add_argument(
        "--images",
        action="store_true",
        help="write the pages' image files (by default every image answers 404)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=None,
        metavar="SECONDS",
        help="serve with a Python server that answers each request after SECONDS (not nginx)",
    )
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument(
        "--child", nargs=3, metavar=("KIND", "URL", "LIMIT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    if args.serve:
        serve_with_latency(Path(args.serve[0]), int(args.serve[1]), float(args.serve[2]))
        return
    with tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp:
        root, conf_dir = Path(tmp) / "site", Path(tmp) / "nginx"
        conf_dir.mkdir()
        os.chmod(tmp, 0o755)
        began = time.perf_counter()
        generate(root, args.pages)
        if args.images:
            print(f"wrote {write_images(root)} image files (2 KB each)")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        write_sitemap(root, base, args.pages)
        size = sum(f.stat().st_size for f in (root / "p").iterdir()) / args.pages / 1000
        took = time.perf_counter() - began
        print(f"generated {args.pages} pages (mean {size:.1f} KB) in {took:.1f} s")
        if args.latency is None:
            server = start_nginx(root, conf_dir, port)
        else:
            server = start_latency_server(root, port, args.latency)
        try:
            limit = args.pages + 30  # every page plus the home, nav and footer pages
            results = {}
            for kind in ("engine", "baseline"):
                if (args.only or ("engine" if args.latency else None)) not in (None, kind):
                    continue
                load_before = os.getloadavg()[0]
                results[kind] = measure(kind, base + "/", limit)
                r = results[kind]
                # CPU per page hardly depends on other load on the machine; wall time does.
                print(
                    f"{kind:<9} {r['pages']:>6} pages in {r['seconds']:7.1f} s = "
                    f"{r['pages_per_s']:6.1f} pages/s | CPU {r['cpu_s']:6.1f} s = "
                    f"{r['cpu_s'] * 1000 / r['pages']:4.2f} ms/page | "
                    f"peak RSS {r['peak_rss_mb']:5.0f} MB | "
                    f"load avg {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
                )
            if args.latency and "engine" in results:
                latency_report(results["engine"], args.latency)
            if len(results) == 2:
                engine, baseline = results["engine"], results["baseline"]
                ratio = engine["pages_per_s"] / baseline["pages_per_s"]
                cpu_ratio = (baseline["cpu_s"] / baseline["pages"]) / (
                    engine["cpu_s"] / engine["pages"]
                )
                print(f"engine / baseline throughput: {ratio:.2f}x")
                print(f"baseline / engine CPU per page: {cpu_ratio:.2f}x (x2 cores = ceiling)")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
