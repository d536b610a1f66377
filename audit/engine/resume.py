"""Resuming a crawl from the pages an earlier, interrupted run kept.

A page's report alone is not enough to carry on: the crawl also needs what the site checks
and the frontier read from it (its links, images, titles: the ``PageSummary``) and where its
URL ended up (its ``TargetStatus``). ``page_state`` turns those two into plain JSON, stored
next to the report while the run is going; ``KeptPage.from_state`` turns them back, and
``audit_site(..., resume_from=...)`` starts from such pages without fetching them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .checks import PageSummary, TargetStatus, Triples
from .facts import Hop
from .results import PageReport

# Bumped when the shape changes: a state of another version is not resumed from (the page
# is fetched again instead).
STATE_VERSION = 1

_SUMMARY_LISTS = ("titles", "descriptions", "canonicals", "canonical_urls", "og_images")


@dataclass(slots=True)
class KeptPage:
    """A page an earlier attempt of the run fetched and analysed: its report (with the
    page-level findings already stored), its summary and its target status."""

    report: PageReport
    summary: PageSummary
    target: TargetStatus

    @classmethod
    def from_state(cls, report: PageReport, state: Any) -> KeptPage | None:
        """The kept page, or None when ``state`` is not a page state this version reads."""
        if not isinstance(state, dict) or state.get("v") != STATE_VERSION:
            return None
        try:
            summary_data, target_data = state["summary"], state["target"]
            summary = PageSummary(
                url=report.url,
                final_url=summary_data["final_url"],
                status=summary_data["status"],
                ok_html=bool(summary_data["ok_html"]),
                noindex=bool(summary_data["noindex"]),
                links=Triples.interned(_triples(summary_data["links"])),
                images=Triples.interned(_triples(summary_data["images"])),
                **{name: list(summary_data[name]) for name in _SUMMARY_LISTS},
            )
            target = TargetStatus(
                url=report.url,
                status=target_data["status"],
                hops=[Hop(hop["url"], hop["status"]) for hop in target_data["hops"]],
                final_url=target_data["final_url"],
                error=target_data["error"],
                content_type=target_data["content_type"],
                bytes=target_data["bytes"],
                bytes_at_least=bool(target_data["bytes_at_least"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        return cls(report, summary, target)


def page_state(summary: PageSummary, target: TargetStatus) -> dict[str, Any]:
    """What a resumed crawl needs of a page besides its report, as JSON."""
    return {
        "v": STATE_VERSION,
        "summary": {
            "final_url": summary.final_url,
            "status": summary.status,
            "ok_html": summary.ok_html,
            "noindex": summary.noindex,
            # Flat [url, selector, snippet, url, ...]: a third of the JSON of nested lists.
            "links": list(_flat(summary.links)),
            "images": list(_flat(summary.images)),
            **{name: list(getattr(summary, name)) for name in _SUMMARY_LISTS},
        },
        "target": {
            "status": target.status,
            "hops": [hop.as_dict() for hop in target.hops],
            "final_url": target.final_url,
            "error": target.error,
            "content_type": target.content_type,
            "bytes": target.bytes,
            "bytes_at_least": target.bytes_at_least,
        },
    }


def _flat(triples: Triples | list[tuple[str, str, str]]) -> tuple[str, ...]:
    if isinstance(triples, Triples):
        return triples.flat
    return tuple(value for triple in triples for value in triple)


def _triples(flat: list[str]) -> list[tuple[str, str, str]]:
    if len(flat) % 3 or not all(isinstance(value, str) for value in flat):
        raise ValueError("not (url, selector, snippet) triples")
    items = iter(flat)
    return list(zip(items, items, items, strict=True))
