"""Chromium crashing under a page, for the browser pass's crash tests: pages whose image,
when the browser (not the crawler) asks for it, kills the renderer or the whole browser.

A real crash, not a mock: the processes killed are this test process's own Chromium
(descendants of it, found by pid in /proc), killed with SIGKILL as the kernel's OOM killer
would. Nothing else on the machine is touched.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path

from browser_site import PAGES, PIXEL, BrowserSiteHandler, page

from tests.fixture_server import LoopbackServer

CRASH_PAGES: dict[str, bytes] = {
    # the renderer dies once, during the first visit: the retry renders the page
    "/renderer-dies-once": page("Renderer dies once", '<img src="/kill/renderer-once.png" alt="">'),
    # the whole browser dies once: the pool starts a new one and the retry renders the page
    "/browser-dies-once": page("Browser dies once", '<img src="/kill/browser-once.png" alt="">'),
    # the renderer dies at every visit: after the retry, a browser/failed finding
    "/renderer-always-dies": page("Always crashes", '<img src="/kill/renderer-always.png" alt="">'),
}

INDEX = page(
    "Clinic",
    "<ul>"
    + "".join(f'<li><a href="{path}">{path[1:]}</a></li>' for path in [*PAGES, *CRASH_PAGES])
    + "</ul>",
)


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in _children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    # Chromium's child processes rewrite their argv as one space-separated string.
    return raw.decode(errors="replace").replace("\0", " ").split()


def chromium_processes(kind: str) -> list[int]:
    """Our own Chromium's processes: "browser" (the main one) or "renderer"."""
    pids = []
    for pid in _descendants(os.getpid()):
        args = _cmdline(pid)
        if not args or "chrom" not in Path(args[0]).name:
            continue
        process_type = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), "")
        if (kind == "browser" and not process_type) or process_type == kind:
            pids.append(pid)
    return pids


def kill_our_chromium(kind: str) -> int:
    killed = 0
    for pid in chromium_processes(kind):
        try:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except ProcessLookupError:
            continue
    return killed


class CrashSiteHandler(BrowserSiteHandler):
    kills: dict[str, int] = {}
    _lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/":
            self.send_body(200, INDEX)
        elif self.path in CRASH_PAGES:
            self.send_body(200, CRASH_PAGES[self.path])
        elif self.path.startswith("/kill/"):
            self._kill(self.path.removeprefix("/kill/").removesuffix(".png"))
        else:
            super().do_GET()

    def _kill(self, what: str) -> None:
        # Only the browser's request kills: the crawler may ask for the image too.
        if "Chrome" not in self.headers.get("User-Agent", ""):
            self.send_body(200, PIXEL, "image/png")
            return
        kind, _, times = what.partition("-")
        with self._lock:
            done = self.kills.get(what, 0)
            if times == "always" or done == 0:
                self.kills[what] = done + (kill_our_chromium(kind) > 0)  # kill events
        with contextlib.suppress(OSError):  # the browser that asked may be gone
            self.send_body(200, PIXEL, "image/png")

    do_HEAD = do_GET


def crash_site(lifetime: float = 180.0) -> LoopbackServer:
    CrashSiteHandler.kills = {}
    return LoopbackServer(CrashSiteHandler, lifetime=lifetime)
