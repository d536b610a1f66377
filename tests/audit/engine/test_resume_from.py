"""Resuming a crawl (audit_site's resume_from): the kept pages are not fetched again, the
pages they link to are found, and the site checks see every page; a state the engine cannot
read is refused (the page is fetched again instead)."""

from __future__ import annotations

import json

from trust_server import TrustSite, page

from audit.engine import EngineConfig, KeptPage, audit_site

CONFIG = EngineConfig(timeout=2.0, retries=0, parse_workers=0, use_sitemaps=False, slow_remeasure=0)


def site() -> TrustSite:
    routes = {
        "/": lambda q: page("Home", "/a", "/b"),
        "/a": lambda q: page("Treatments", "/a-only"),
        "/b": lambda q: page("Home", "/gone"),  # the same title as the home page
        "/a-only": lambda q: page("Sports injuries"),
    }
    return TrustSite(routes)


def test_a_resumed_crawl_starts_from_the_kept_pages():
    with site() as server:
        states: dict[str, dict] = {}
        first = audit_site(
            server.url("/"), CONFIG, on_state=lambda url, state: states.setdefault(url, state)
        )
        # What a store keeps: the JSON, read back. Say the run died after / and /a.
        kept = [
            KeptPage.from_state(report, json.loads(json.dumps(states[report.url])))
            for report in first.pages
            if report.url in (server.url("/"), server.url("/a"))
        ]
        for page_kept in kept:
            page_kept.report.findings = [
                f for f in page_kept.report.findings if f.check != "title-duplicate"
            ]
        server.hits.clear()
        resumed = audit_site(server.url("/"), CONFIG, resume_from=kept)
        hits = dict(server.hits)
    assert all(k is not None for k in kept)
    assert "/" not in hits and "/a" not in hits
    assert hits["/b"] == 1 and hits["/a-only"] == 1  # found through the kept page /a
    assert sorted(p.url for p in resumed.pages) == sorted(p.url for p in first.pages)
    assert resumed.stats["pages_kept"] == 2 and resumed.stats["pages_fetched"] == 3
    assert resumed.complete

    # Site checks saw the kept pages too: the duplicate title and the broken link.
    def site_findings(result):
        return sorted(
            (r.url, f.check)
            for r, f in result.findings()
            if f.check in ("title-duplicate", "link-broken")
        )

    assert site_findings(resumed) == site_findings(first) != []


def test_a_state_of_another_version_or_shape_is_not_resumed_from():
    with site() as server:
        states: dict[str, dict] = {}
        first = audit_site(server.url("/"), CONFIG, on_state=states.__setitem__)
    report = first.pages[0]
    state = states[report.url]
    assert KeptPage.from_state(report, state) is not None
    assert KeptPage.from_state(report, {**state, "v": 99}) is None
    assert KeptPage.from_state(report, {"v": state["v"]}) is None
    broken = {**state, "summary": {**state["summary"], "links": ["/a", "sel"]}}
    assert KeptPage.from_state(report, broken) is None
    assert KeptPage.from_state(report, None) is None
