"""Headless Chromium through Playwright: a pool of contexts that renders pages one by one,
each under a deadline, with a crashed or hung browser replaced rather than failing the run.

Playwright drives the system's Chromium (``executable_path``); it never downloads one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import threading
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Page,
    Playwright,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError

from ..errors import AuditError
from .memory import RssSampler
from .observations import FailedRequest, RenderedPage

if TYPE_CHECKING:
    from ..config import EngineConfig
    from ..deadline import StopSignal
    from ..urls import AddressGuard

T = TypeVar("T")
_HERE = Path(__file__).parent
AXE_SOURCE = (_HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_VERSION = re.match(r"/\*! axe v([\w.-]+)", AXE_SOURCE).group(1)  # type: ignore[union-attr]
_OBSERVE_JS = (_HERE / "observe.js").read_text(encoding="utf-8")
_COLLECT_JS = (_HERE / "collect.js").read_text(encoding="utf-8")
_AXE_RUN_JS = (_HERE / "axe_run.js").read_text(encoding="utf-8")
# axe-core handed to each context once, as a function every document gets but only calls
# when the pass asks (``_INSTALL_AXE``): sending its source with every evaluate took it
# through Playwright's driver four times a page, growing the driver's heap. Not enumerable,
# so the page's own scripts do not see it in a loop over window.
_AXE_INIT_JS = (
    'Object.defineProperty(window, "__auditInstallAxe", {value: function () {\n'
    + AXE_SOURCE
    + "\n}, enumerable: false});"
)
_INSTALL_AXE = "() => window.__auditInstallAxe()"

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The GPU process's work (software compositing) in the browser process: one process less.
    "--in-process-gpu",
]
# Chromium reads only the last --disable-features, so ours repeats the features Playwright
# disables (its launcher's list; tests/audit/engine/test_browser_memory.py checks it is kept
# whole) and adds the ones that cost memory in a headless audit: the omnibox popup's WebUI,
# which every context preloads in a renderer of its own (about 60 MB each), and the spare
# renderer started ahead of a navigation that never needs it.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",  # Edge's; kept so the list stays Playwright's own
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
MEMORY_DISABLED_FEATURES = (
    "PreloadTopChromeWebUI",
    "WebUIOmniboxPopup",
    "WebUIOmniboxAimPopup",
    "WebUIOmniboxFullPopup",
    "SpareRendererForSitePerProcess",
)
# Likewise for --enable-features: Playwright's, and the network service run in the browser
# process rather than a process of its own.
PLAYWRIGHT_ENABLED_FEATURES = ("CDPScreenshotNewSurface", "SkipListAccountsWithoutGaiaCookies")
MEMORY_ENABLED_FEATURES = ("NetworkServiceInProcess2",)
LAUNCH_ARGS += [
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED_FEATURES + MEMORY_DISABLED_FEATURES),
    "--enable-features=" + ",".join(PLAYWRIGHT_ENABLED_FEATURES + MEMORY_ENABLED_FEATURES),
]
# WCAG 2.x A and AA, and axe's best practices.
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations", "incomplete"],
}
CLOSE_SECONDS = 5.0  # closing a page, context or browser that does not answer in this is wedged
RECYCLE_PAGES = 10  # a context is replaced after this many pages, so its renderer cannot grow


class BrowserUnavailable(AuditError):
    """Chromium is missing or does not start."""


def chromium_problem(path: str) -> str | None:
    """A one-line message when no runnable Chromium is at ``path``, else None."""
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        return (
            f"Chromium not found at {path}: install it (Debian: apt-get install chromium) "
            "or give its path with --chromium / the chromium_path option"
        )
    return None


class PageFailed(Exception):
    """This page could not be rendered (timeout, crash, navigation error)."""


@dataclass
class PoolCounts:
    loaded: int = 0
    failed: int = 0
    retries: int = 0
    browser_restarts: int = 0


class BrowserPool:
    """One Chromium, ``cfg.browser_contexts`` contexts working through a list of URLs."""

    def __init__(
        self,
        cfg: EngineConfig,
        stop: StopSignal,
        guard: AddressGuard,
        served: dict[str, str] | None = None,
    ) -> None:
        self.cfg = cfg
        self.stop = stop
        self.guard = guard
        # url -> HTML the pool answers itself for that document (a draft no server has);
        # the page's images, styles and scripts still load from the network.
        self.served = dict(served or {})
        self.counts = PoolCounts()
        self.chromium_version = ""
        self.rss = RssSampler()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._launch_lock = asyncio.Lock()
        # One axe run at a time: its heap is each renderer's peak, and two at once were the
        # pass's peak. The pages' loads and lab metrics still overlap.
        self._axe_lock = asyncio.Lock()
        self._sessions: weakref.WeakKeyDictionary[Page, CDPSession] = weakref.WeakKeyDictionary()

    # -- the browser ------------------------------------------------------------------

    async def start(self) -> None:
        problem = chromium_problem(self.cfg.chromium_path)
        if problem:
            raise BrowserUnavailable(problem)
        self._playwright = await _start_playwright()
        try:
            await self._within_deadline(self._launch(), what="Chromium's start")
        except PageFailed as exc:
            raise BrowserUnavailable(str(exc)) from None

    async def _launch(self) -> Browser:
        assert self._playwright is not None
        try:
            self._browser = await self._playwright.chromium.launch(
                executable_path=self.cfg.chromium_path,
                args=LAUNCH_ARGS,
                headless=True,
                timeout=30_000,
            )
        except PlaywrightError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise BrowserUnavailable(
                f"Chromium at {self.cfg.chromium_path} did not start: {first_line}"
            ) from None
        self.chromium_version = self._browser.version
        return self._browser

    async def _healthy_browser(self, broken: Browser | None = None) -> Browser:
        """The running browser, relaunched if it crashed or ``broken`` is the current one."""
        async with self._launch_lock:
            current = self._browser
            if current is None or not current.is_connected() or current is broken:
                if current is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(current.close(), CLOSE_SECONDS)
                self.counts.browser_restarts += current is not None
                current = await self._launch()
            return current

    async def close(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._browser.close(), CLOSE_SECONDS)
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._playwright.stop(), CLOSE_SECONDS)

    # -- the work ---------------------------------------------------------------------

    async def render_all(
        self, urls: list[str], on_page: Callable[[str, RenderedPage | str], None]
    ) -> None:
        """Render every URL; ``on_page(url, rendered page or failure message)`` for each
        page finished. Returns early, leaving the rest, when the run stops."""
        queue: asyncio.Queue[str] = asyncio.Queue()
        for url in urls:
            queue.put_nowait(url)
        workers = [
            asyncio.create_task(self._worker(queue, on_page))
            for _ in range(min(self.cfg.browser_contexts, len(urls)))
        ]
        watcher = asyncio.create_task(self._watch())
        sampler = asyncio.create_task(self.rss.run())
        done = asyncio.gather(*workers)
        try:
            await asyncio.wait({done, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*workers, watcher, sampler):
                task.cancel()
            await asyncio.gather(*workers, watcher, sampler, return_exceptions=True)
        failure = done.exception() if done.done() and not done.cancelled() else None
        if failure is not None:
            # e.g. Chromium cannot be relaunched: the pages left are not rendered
            raise BrowserUnavailable(f"the browser pass stopped: {_reason(failure)}")

    async def _watch(self) -> None:
        """Ends the pass as soon as the run is cancelled or out of time."""
        while not self.stop.stopped():
            await asyncio.sleep(0.1)

    async def _worker(
        self, queue: asyncio.Queue[str], on_page: Callable[[str, RenderedPage | str], None]
    ) -> None:
        context: BrowserContext | None = None
        tab: Page | None = None  # reused from page to page: no new renderer for each
        used = 0
        try:
            while not queue.empty() and not self.stop.stopped():
                url = queue.get_nowait()
                outcome: RenderedPage | str = ""
                for attempt in range(2):  # one retry
                    if context is None or used >= RECYCLE_PAGES:
                        context, tab = await self._fresh_context(context), None
                        used = 0
                    used += 1
                    try:
                        warm_up = tab is None
                        if tab is None:
                            tab = await self._within_deadline(context.new_page(), "a new tab")
                        outcome = await self._within_deadline(
                            self._render(tab, url, warm_up=warm_up)
                        )
                        break
                    except (PageFailed, PlaywrightError, TimeoutError) as exc:
                        if self.stop.stopped():
                            return  # cut short by the run, not the page's fault
                        outcome = _reason(exc)
                        self.counts.retries += attempt == 0
                        context = await self._fresh_context(context, broken=True)
                        tab, used = None, 0
                if isinstance(outcome, RenderedPage):
                    self.counts.loaded += 1
                else:
                    self.counts.failed += 1
                on_page(url, outcome)
        finally:
            if context is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(context.close(), CLOSE_SECONDS)

    async def _within_deadline(self, work: Awaitable[T], what: str = "the page") -> T:
        """``work`` cut short at the page timeout or the run's deadline, whichever is first."""
        timeout = self.cfg.browser_page_timeout
        remaining = self.stop.remaining()
        if remaining is not None:
            timeout = max(0.0, min(timeout, remaining))
        try:
            return await asyncio.wait_for(work, timeout)
        except TimeoutError:
            raise PageFailed(f"{what} did not finish within {timeout:.1f} s") from None

    async def _fresh_context(
        self, old: BrowserContext | None, *, broken: bool = False
    ) -> BrowserContext:
        """A new context, after closing ``old``; a browser that cannot close it is replaced."""
        browser = await self._healthy_browser()
        if old is not None:
            try:
                await asyncio.wait_for(old.close(), CLOSE_SECONDS)
            except Exception:  # noqa: BLE001 (any failure to close means a wedged browser)
                browser = await self._healthy_browser(broken=browser)
        try:
            context = await browser.new_context(color_scheme="light", bypass_csp=True)
        except PlaywrightError:
            if not broken:
                raise
            browser = await self._healthy_browser(broken=browser)
            context = await browser.new_context(color_scheme="light", bypass_csp=True)
        await context.add_init_script(_OBSERVE_JS)
        await context.add_init_script(_AXE_INIT_JS)
        if not self.guard.allow_private:
            await context.route("**/*", self._vet_request)
        if self.served:
            # Registered last, so it is asked first (Playwright runs routes newest first).
            await context.route(self._is_served, self._serve)
        return context

    def _is_served(self, url: str) -> bool:
        return url.partition("#")[0] in self.served

    async def _serve(self, route: Any) -> None:
        request = route.request
        html = self.served.get(request.url.partition("#")[0])
        if html is None or request.method != "GET" or request.resource_type != "document":
            await route.fallback()  # on to the address vetting, if any
            return
        await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    async def _vet_request(self, route: Any) -> None:
        """Refuse requests to hosts this run may not reach (e.g. the local network)."""
        parts = urlsplit(route.request.url)
        if parts.scheme in ("http", "https", "ws", "wss"):
            allowed = await asyncio.to_thread(self.guard.allowed, parts.netloc)
            if not allowed:
                await route.abort("addressunreachable")
                return
        await route.continue_()

    async def _render(self, page: Page, url: str, *, warm_up: bool = False) -> RenderedPage:
        """``url`` loaded under the light scheme, and again under the dark one where it has
        dark styles. ``warm_up``: a new tab loads the page once first, unmeasured, so the
        renderer's own start-up is not counted as the page's lab metrics."""
        await page.emulate_media(color_scheme="light")  # the last page ended in dark
        if warm_up:
            await page.goto(url, wait_until="load", timeout=self.cfg.browser_page_timeout * 1000)
        return await self._observe(page, url)

    async def _observe(self, page: Page, url: str) -> RenderedPage:
        rendered = RenderedPage(url=url, final_url=url)
        secure = urlsplit(url).scheme == "https"

        def on_console(message: Any) -> None:
            # Failed loads are reported once, as failed requests, with their resource type.
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                rendered.console_errors.append(message.text)

        def on_response(response: Any) -> None:
            kind = response.request.resource_type
            if response.status >= 400 and kind != "document":
                reason = f"HTTP {response.status}"
                rendered.failed_requests.append(FailedRequest(response.url, kind, reason))

        def on_request(request: Any) -> None:
            if secure and request.url.startswith("http:"):
                rendered.insecure_requests.append(request.url)

        def on_failed(request: Any) -> None:
            # Chromium says ERR_ABORTED for a request the browser itself cancelled (the next
            # load of this tab, a lazy image left behind), not for anything the server did.
            if (request.failure or "").startswith("net::ERR_ABORTED"):
                return
            rendered.failed_requests.append(
                FailedRequest(request.url, request.resource_type, request.failure or "failed")
            )

        def on_page_error(error: Any) -> None:
            rendered.console_errors.append(str(error))

        listeners = {
            "console": on_console,
            "pageerror": on_page_error,
            "response": on_response,
            "request": on_request,
            "requestfailed": on_failed,
        }
        for event, listener in listeners.items():
            page.on(event, listener)
        try:
            return await self._load_and_check(page, url, rendered)
        finally:
            for event, listener in listeners.items():
                page.remove_listener(event, listener)

    async def _load_and_check(self, page: Page, url: str, rendered: RenderedPage) -> RenderedPage:
        timeout_ms = self.cfg.browser_page_timeout * 1000
        response = await page.goto(url, wait_until="load", timeout=timeout_ms)
        if response is None:
            raise PageFailed("the browser got no response")
        server_html = await response.text()
        rendered.final_url = page.url
        await page.wait_for_timeout(self.cfg.browser_settle * 1000)
        collected = await page.evaluate(_COLLECT_JS, server_html)
        rendered.lcp_ms = collected["lcp"]
        rendered.cls = collected["cls"]
        rendered.tbt_ms = collected["tbt"]
        rendered.bytes_by_type = {k: int(v) for k, v in collected["bytes"].items()}
        rendered.script_only = collected["scriptOnly"]
        rendered.own_scripts = int(collected["ownScripts"])
        rendered.dark_styles = bool(collected["darkStyles"])
        rendered.axe_light = await self._axe(page)
        if rendered.dark_styles:
            # A fresh load under the dark scheme, as a reader who prefers dark gets the page:
            # a site that themes by script on load (matchMedia read once) or by a class set
            # on load never re-themes when the scheme changes under a loaded page.
            await page.emulate_media(color_scheme="dark")
            await page.goto(url, wait_until="load", timeout=timeout_ms)
            await page.wait_for_timeout(self.cfg.browser_settle * 1000)
            rendered.axe_dark = await self._axe(page)
        return rendered

    async def _axe(self, page: Page) -> dict:
        """axe's results on the loaded page; its heap is collected before the next run."""
        async with self._axe_lock:
            await page.evaluate(_INSTALL_AXE)
            results = await page.evaluate(_AXE_RUN_JS, AXE_OPTIONS)
            session = self._sessions.get(page)
            if session is None:
                session = self._sessions[page] = await page.context.new_cdp_session(page)
            await session.send("HeapProfiler.collectGarbage")
        return results


# Playwright's driver is a Node.js process whose heap held about a fifth of the pass's peak:
# a small young generation and a capped old one make it collect sooner. It takes its
# environment from ours when it starts (Node reads NODE_OPTIONS); one set already is kept.
DRIVER_NODE_OPTIONS = "--max-semi-space-size=1 --max-old-space-size=96"
# A thread lock, not an asyncio one: passes in other threads' event loops share os.environ.
_driver_env_lock = threading.Lock()


async def _start_playwright() -> Playwright:
    with _driver_env_lock:
        if "NODE_OPTIONS" in os.environ:
            return await async_playwright().start()
        os.environ["NODE_OPTIONS"] = DRIVER_NODE_OPTIONS
        try:
            return await async_playwright().start()
        finally:
            del os.environ["NODE_OPTIONS"]


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
