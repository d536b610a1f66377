"""Peak memory of this process and everything it started (Playwright's driver and Chromium's
processes), sampled from /proc; None where there is no /proc.

Each process counts its proportional set size (PSS: shared pages split among the processes
sharing them), so Chromium's many processes are not counted as if each had its own copy of
the browser; a process whose PSS cannot be read counts its RSS."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

SAMPLE_SECONDS = 0.25
_PROC = Path("/proc")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _pss(pid: int, rss: int) -> int:
    try:
        rollup = (_PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return rss
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return rss


def _tree_rss(root: int) -> int | None:
    """Bytes of memory ``root`` and its descendants use, now."""
    if not _PROC.is_dir():
        return None
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        # fields after the command name, which may itself hold spaces and parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * _PAGE
    total = 0
    for pid in rss:
        ancestor = pid
        while ancestor and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root:
            total += _pss(pid, rss[pid])
    return total


class RssSampler:
    """Keeps the highest total seen while ``run()`` is running."""

    def __init__(self) -> None:
        self.peak_bytes: int | None = None

    def sample(self) -> None:
        now = _tree_rss(os.getpid())
        if now is not None:
            self.peak_bytes = max(self.peak_bytes or 0, now)

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_SECONDS)
