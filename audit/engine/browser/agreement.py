"""One finding, not two, where a static check and an axe rule find the same defect.

The pairs are declared on the static checks (``Check.axe_rule``), not guessed from ids or
messages. A static finding and an axe finding of a pair are the same defect when they are
about the same element: the same tag, id, src/href and text, read from the static
snippet and from the element's HTML axe reports (page-level rules such as a missing title
or language have one element per page). The static finding stands, with the better
evidence of the two and both sources named; an axe finding with no static partner is a
browser-only case (an image a script added) and is kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html import unescape
from typing import Any

from ..checks.registry import REGISTRY
from ..results import Finding
from .checks import AXE_PREFIX

STATIC_SOURCE = "static"  # Finding.sources: the server's HTML, read by the static checks
_START_TAG = re.compile(r"<\s*([a-zA-Z][\w:-]*)([^>]*)>", re.S)
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_TAGS = re.compile(r"<[^>]*>")
TEXT_COMPARED = 60  # characters of an element's text compared (static snippets cut at 80)
# Rules about the document as a whole: one element per page, whatever the selectors say.
PAGE_LEVEL_RULES = frozenset({"document-title", "html-has-lang"})


def same_defect() -> dict[str, frozenset[str]]:
    """``axe/<rule>`` -> the static checks that find the same defect (from the registry)."""
    pairs: dict[str, set[str]] = defaultdict(set)
    for check in REGISTRY.values():
        if check.axe_rule:
            pairs[AXE_PREFIX + check.axe_rule].add(check.id)
    return {axe_id: frozenset(ids) for axe_id, ids in pairs.items()}


def element_key(html: str) -> tuple[str, str, str, str]:
    """(tag, id, src or href, text) of the element a snippet starts with."""
    match = _START_TAG.search(html or "")
    if match is None:
        return ("", "", "", "")
    attributes = {}
    for name, double, single, bare in _ATTRIBUTE.findall(match.group(2)):
        attributes[name.lower()] = unescape(double or single or bare)
    text = " ".join(unescape(_TAGS.sub(" ", html[match.end() :])).split())
    return (
        match.group(1).lower(),
        attributes.get("id", ""),
        attributes.get("src") or attributes.get("href", ""),
        text.removesuffix("…")[:TEXT_COMPARED],
    )


def _key(finding: Finding, page_level: bool) -> tuple[str, ...]:
    return ("page",) if page_level else element_key(finding.snippet)


def _merged(static: Finding, axe: Finding) -> Finding:
    rule = axe.check.removeprefix(AXE_PREFIX)
    return Finding(
        static.check,
        static.severity,
        f"{static.message} (axe-core's {rule} rule finds it in the browser too)",
        static.selector or axe.selector,
        # the longer of the two shows more of the element (axe's is the rendered HTML)
        max((static.snippet, axe.snippet), key=len),
        (*(static.sources or (STATIC_SOURCE,)), axe.check),
    )


def merge_with_static(
    static: list[Finding], browser: list[Finding], url: str
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Merge ``browser`` findings into a page's ``static`` ones (changed in place: a static
    finding that axe confirms gets the merged evidence) and return the browser findings
    to add, plus the pairs whose counts differ on this page, for the run's stats."""
    disagreements = []
    kept_ids = {id(f) for f in browser}
    for axe_id, static_ids in same_defect().items():
        page_level = axe_id.removeprefix(AXE_PREFIX) in PAGE_LEVEL_RULES
        ours = [i for i, f in enumerate(static) if f.check in static_ids]
        theirs = [f for f in browser if f.check == axe_id]
        if len(ours) != len(theirs):
            disagreements.append(
                {
                    "url": url,
                    "static": ", ".join(sorted(static_ids)),
                    "static_count": len(ours),
                    "axe": axe_id,
                    "axe_count": len(theirs),
                }
            )
        waiting: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for index in ours:
            waiting[_key(static[index], page_level)].append(index)
        for found in theirs:
            partners = waiting.get(_key(found, page_level))
            if partners:
                index = partners.pop(0)
                static[index] = _merged(static[index], found)
                kept_ids.discard(id(found))
    return [f for f in browser if id(f) in kept_ids], disagreements
