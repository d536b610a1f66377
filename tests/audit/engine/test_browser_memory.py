"""Issue 25 item 9: the browser pass's memory. Chromium reads only the last
--disable-features/--enable-features, so the pool repeats Playwright's own lists in its
flags; this checks, on the real launch, that Playwright's features are all still in ours (a
Playwright upgrade that adds one fails here) and that no context gets the omnibox popup's
WebUI renderer the flags turn off. The peak itself is measured by benchmarks/browser.py."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from audit.engine import EngineConfig
from audit.engine.browser.pool import BrowserPool
from audit.engine.deadline import StopSignal
from audit.engine.urls import AddressGuard

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK) or not Path("/proc/self/cmdline").exists(),
    reason="needs Chromium and /proc",
)


def _chromium_command_lines() -> list[list[str]]:
    """The argv of each browser (not child) Chromium process below this test's process."""
    parents: dict[int, int] = {}
    argv: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        parents[int(entry.name)] = int(stat[stat.rfind(")") + 2 :].split()[1])
        argv[int(entry.name)] = args
    mine = os.getpid()
    found = []
    for pid, args in argv.items():
        ancestor = parents.get(pid, 0)
        while ancestor and ancestor != mine:
            ancestor = parents.get(ancestor, 0)
        if ancestor == mine and "--remote-debugging-pipe" in args:
            found.append(args)
    return found


def _features(args: list[str], switch: str) -> list[set[str]]:
    return [set(a.split("=", 1)[1].split(",")) for a in args if a.startswith(switch + "=")]


@pytest.mark.browser
@needs_chromium
def test_the_launch_keeps_playwrights_features_and_drops_the_omnibox_renderer():
    async def launch() -> tuple[list[list[str]], list[str]]:
        pool = BrowserPool(
            EngineConfig(browser=True, chromium_path=CHROMIUM),
            StopSignal(),
            AddressGuard("127.0.0.1", allow_private=True),
        )
        await pool.start()
        try:
            browser = await pool._healthy_browser()
            context = await browser.new_context()
            await context.new_page()
            await asyncio.sleep(0.5)  # the preloaded WebUI, if any, comes up by now
            session = await browser.new_browser_cdp_session()
            targets = (await session.send("Target.getTargets"))["targetInfos"]
            return _chromium_command_lines(), [t["url"] for t in targets]
        finally:
            await pool.close()

    (args,), target_urls = asyncio.run(launch())
    for switch in ("--disable-features", "--enable-features"):
        playwrights, *_, ours = _features(args, switch)
        assert playwrights <= ours, f"{switch}: Playwright's {playwrights - ours} left out"
    assert "PreloadTopChromeWebUI" in _features(args, "--disable-features")[-1]
    assert not [url for url in target_urls if url.startswith("chrome://omnibox")], target_urls
