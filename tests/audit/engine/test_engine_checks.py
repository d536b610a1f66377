"""One positive and one negative case per check.

Page checks run through check_html (no network). Site checks run on a hand-built SiteView;
tests/audit/engine/test_engine_crawl.py checks the same ids end to end on a real server.
"""

from __future__ import annotations

from html import escape

import pytest

from audit.engine import REGISTRY, EngineConfig, Thresholds, check_html
from audit.engine.checks import PageSummary, SiteView, TargetStatus, run_site_checks
from audit.engine.config import SiteProfile
from audit.engine.facts import Hop
from audit.engine.robots import parse_robots
from audit.engine.traps import TrapGuard

URL = "https://clinic.example/services/knee/"
GOOD_TITLE = "Knee physiotherapy – Riverside Physio Clinic"
GOOD_DESC = (
    "Knee pain treatment at Riverside Physio: assessment, exercise plans and sports "
    "rehabilitation with experienced physiotherapists."
)

OG = (
    '<meta property="og:title" content="Knee physiotherapy">'
    '<meta property="og:description" content="How we treat knee pain.">'
    '<meta property="og:image" content="https://clinic.example/media/knee.jpg">'
)


def page(
    *,
    title: str | None = GOOD_TITLE,
    description: str | None = GOOD_DESC,
    lang: str | None = "en",
    canonical: str | None = f'<link rel="canonical" href="{URL}">',
    head: str = "",
    body: str = "<h1>Knee physiotherapy</h1><p>We treat knees.</p>",
    body_attrs: str = "",
    og: str = OG,
) -> str:
    """A document with no findings, unless a keyword changes one thing."""
    parts = ["<!doctype html>", f'<html lang="{lang}">' if lang else "<html>", "<head>", og]
    if title is not None:
        parts.append(f"<title>{escape(title)}</title>")
    if description is not None:
        parts.append(f'<meta name="description" content="{escape(description)}">')
    parts += [canonical or "", head, f"</head><body {body_attrs}>", body, "</body></html>"]
    return "".join(parts)


def ids(html: str, config: EngineConfig | None = None) -> list[str]:
    return [f.check for f in check_html(html, URL, config=config).findings]


LONG_TEXT = "word " * 250
VIEWS_EXPECTED = EngineConfig(profile=SiteProfile(views_expected=True))
VIEWS_LD = (
    '<script type="application/ld+json">{"@type": "Article", "interactionStatistic": '
    '{"@type": "InteractionCounter", "userInteractionCount": 1203}}</script>'
)
ARTICLE_LD = '<script type="application/ld+json">{"@type": "Article"}</script>'

# check id -> (document with the defect, similar document without it[, config of both])
PAGE_CASES: dict[str, tuple] = {
    "title-missing": (page(title=None), page(title=" ")),
    "title-empty": (page(title=" "), page()),
    "title-dangling-separator": (page(title="Knee physiotherapy – "), page()),
    "title-placeholder": (page(title="Untitled page"), page()),
    "title-multiple": (page(head="<title>Another title here</title>"), page()),
    "title-too-long": (page(title="x" * 61), page(title="x" * 60)),
    "title-too-short": (page(title="x" * 29), page(title="x" * 30)),
    "meta-description-missing": (page(description=None), page(description="  ")),
    "meta-description-empty": (page(description="  "), page()),
    "empty-paragraph": (
        page(body="<h1>Knee physiotherapy</h1><p>We treat knees.</p><p><br></p>"),
        page(body="<h1>Knee physiotherapy</h1><p>We treat knees.</p><footer><p></p></footer>"),
    ),
    "meta-description-too-long": (page(description="d" * 161), page(description="d" * 160)),
    "meta-description-too-short": (page(description="d" * 69), page(description="d" * 70)),
    "h1-missing": (
        page(body="<nav><h1>Menu</h1></nav><h2>Only h2</h2>"),
        page(body="<h1>Topic</h1>"),
    ),
    "h1-multiple": (
        page(body="<h1>One</h1><h1>Two</h1>"),
        page(body="<h1>One</h1><footer><h1>Footer brand</h1></footer>"),
    ),
    "heading-order": (
        page(body="<h1>T</h1><h3>Skipped</h3>"),
        page(body="<h1>T</h1><h2>A</h2><h3>B</h3><h2>Up is fine</h2><footer><h5>F</h5></footer>"),
    ),
    "heading-empty": (
        page(body="<h1>T</h1><h2> </h2>"),
        page(body="<h1>T</h1><h2><img src=i.png alt='Named by image'></h2><nav><h2></h2></nav>"),
    ),
    "img-alt-missing": (
        page(body="<h1>T</h1><img src=a.jpg role=presentation tabindex=0>"),
        page(
            body="<h1>T</h1><img src=a.jpg alt=''><img src=b.jpg role=none>"
            "<img src=c.jpg aria-hidden=true><div aria-hidden=true><img src=d.jpg></div>"
            "<img src=e.jpg aria-labelledby=cap><p id=cap>Caption</p><img src=f.jpg title=T>"
        ),
    ),
    "img-alt-filename": (
        page(body="<h1>T</h1><img src=/x/DSC00012.JPG alt=DSC00012>"),
        page(body="<h1>T</h1><img src=/x/DSC00012.JPG alt='Clinic entrance on River Road'>"),
    ),
    "img-alt-generic": (
        page(body="<h1>T</h1><img src=a.jpg alt='Picture.'>"),
        page(body="<h1>T</h1><img src=a.jpg alt='Picture of our reception desk'>"),
    ),
    "img-alt-too-long": (
        page(body=f"<h1>T</h1><img src=a.jpg alt='{'a' * 101}'>"),
        page(body=f"<h1>T</h1><img src=a.jpg alt='{'a' * 100}'>"),
    ),
    "link-text-generic": (
        page(body="<h1>T</h1><a href=/prices>Click here</a>"),
        page(body="<h1>T</h1><a href=/prices aria-label='Treatment prices'>Click here</a>"),
    ),
    "link-empty": (
        page(body="<h1>T</h1><a href=/x><img src=i.svg alt=''></a>"),
        page(
            body="<h1>T</h1><a href=/x><img src=i.svg alt='Home'></a><a href=/y title=Prices></a>"
        ),
    ),
    # At the default cap of 5,000 links per page: one over is reported, the cap itself is not.
    "links-capped": (
        page(body="<h1>T</h1>" + "".join(f"<a href=/p{i}>Page {i}</a>" for i in range(5001))),
        page(body="<h1>T</h1>" + "".join(f"<a href=/p{i}>Page {i}</a>" for i in range(5000))),
    ),
    "link-uncrawlable": (
        page(body="<h1>T</h1><a href='javascript:openBooking()'>Book now</a>"),
        page(body="<h1>T</h1><a href='/book'>Book now</a><a href='#top'>Top of page</a>"),
    ),
    "lang-missing": (page(lang=None), page(lang="en-GB")),
    "thin-content": (
        page(head=ARTICLE_LD, body="<h1>T</h1><p data-views=3>Few words.</p>"),
        page(head=ARTICLE_LD, body=f"<h1>T</h1><p data-views=3>{LONG_TEXT}</p>"),
    ),
    "structured-data-invalid": (
        page(head='<script type="application/ld+json">{"@type": "Org",}</script>'),
        page(head='<script type="application/ld+json">{"@type": "Organization"}</script>'),
    ),
    "view-count-missing": (
        page(body=f"<h1>T</h1><p>{LONG_TEXT}</p>", body_attrs="class='article-page'"),
        page(
            body=f"<h1>T</h1><p>1,204 views</p><p>{LONG_TEXT}</p>",
            body_attrs="class='article-page'",
        ),
        VIEWS_EXPECTED,
    ),
    "view-count-mismatch": (
        page(head=VIEWS_LD, body=f"<h1>T</h1><p>1,204 views</p><p>{LONG_TEXT}</p>"),
        page(head=VIEWS_LD, body=f"<h1>T</h1><p>1,203 views</p><p>{LONG_TEXT}</p>"),
    ),
    "img-oversized": (
        page(body='<h1>T</h1><img src="/h.jpg" srcset="/h.jpg 4000w" width="400" alt="Hall">'),
        page(
            body='<h1>T</h1><img src="/h.jpg" srcset="/s.jpg 800w, /h.jpg 4000w" '
            'sizes="(max-width: 600px) 300px, 400px" alt="Hall">'
        ),
    ),
    "og-missing": (page(og=OG.split("><")[0] + ">"), page()),
    "og-image-not-absolute": (
        page(og=OG.replace("https://clinic.example/media/knee.jpg", "/media/knee.jpg")),
        page(og=OG.replace("https://clinic.example/media/knee.jpg", "http://cdn.example/k.jpg")),
    ),
    "og-url-mismatch": (
        page(head='<meta property="og:url" content="https://clinic.example/knee">'),
        page(head='<meta property="og:url" content="/services/knee/">'),
    ),
    "canonical-missing": (page(canonical=None), page()),
    "canonical-invalid": (
        page(canonical='<link rel="canonical" href="/services/knee/">'),
        page(canonical=f'<link rel="canonical" href="{URL}"><link rel="canonical" href="{URL}">'),
    ),
}


def test_baseline_document_has_no_findings() -> None:
    assert ids(page()) == []


@pytest.mark.parametrize("check_id", sorted(PAGE_CASES))
def test_page_check_positive_and_negative(check_id: str) -> None:
    positive, negative, *config = PAGE_CASES[check_id]
    assert check_id in ids(positive, *config)
    assert check_id not in ids(negative, *config)


def test_every_check_has_a_test() -> None:
    """Adding a check means adding its case here or in SITE_CASES (or the crawl test)."""
    tested = set(PAGE_CASES) | set(SITE_CASES) | {"status-4xx", "status-5xx"}
    tested |= {"slow-response", "page-too-large"}  # need a response: see test_engine_crawl
    tested.add("slow-first-load")  # needs a crawl's figures: see test_slow_first_load
    static = {check.id for check in REGISTRY.values() if check.scope != "browser"}
    assert static <= tested, static - tested  # browser checks: test_browser_checks.py


def test_findings_carry_registry_severity_selector_and_snippet() -> None:
    report = check_html(page(body="<h1>T</h1><main><img id=hero src=a.jpg></main>"), URL)
    (finding,) = [f for f in report.findings if f.check == "img-alt-missing"]
    assert finding.severity == REGISTRY["img-alt-missing"].severity == "error"
    assert finding.selector == "#hero"
    assert finding.snippet == '<img id="hero" src="a.jpg">'
    assert REGISTRY["img-alt-missing"].fix


def test_whitespace_alt_is_missing_but_empty_alt_is_decorative() -> None:
    report = check_html(
        page(body="<h1>T</h1><img id=a src=a.jpg alt='  '><img src=b.jpg alt=''>"), URL
    )
    assert [f.selector for f in report.findings if f.check == "img-alt-missing"] == ["#a"]


def test_thresholds_are_configurable() -> None:
    strict = EngineConfig(thresholds=Thresholds(title_max=20))
    assert "title-too-long" in ids(page(), strict)
    assert "title-too-long" not in ids(page())


def test_disabled_checks_do_not_run() -> None:
    assert "lang-missing" not in ids(
        page(lang=None), EngineConfig(disabled_checks=frozenset({"lang-missing"}))
    )


def test_generic_link_text_ignores_case_and_punctuation() -> None:
    html = page(
        body="<h1>T</h1><a href=/a>READ MORE…</a><a href=/b>Learn more!</a><a href=/c>Here</a>"
    )
    assert ids(html).count("link-text-generic") == 3


def test_heading_order_reports_each_skip_with_selector() -> None:
    html = page(body="<h1>T</h1><h3 id=x>a</h3><h2>b</h2><h4>c</h4>")
    findings = [f for f in check_html(html, URL).findings if f.check == "heading-order"]
    assert [f.selector for f in findings] == ["#x", "html > body > h4"]


def test_check_html_skips_link_status_checks() -> None:
    report = check_html(page(body="<h1>T</h1><a href=/gone>Gone page link</a>"), URL)
    assert not {"link-broken", "redirect-chain", "link-to-redirect"} & {
        f.check for f in report.findings
    }


# -- site checks on a hand-built SiteView -----------------------------------------------------

BASE = "https://clinic.example"


def summary(path: str, **kwargs: object) -> PageSummary:
    defaults: dict[str, object] = {"final_url": BASE + path, "status": 200, "ok_html": True}
    defaults.update(kwargs)
    return PageSummary(url=BASE + path, **defaults)  # type: ignore[arg-type]


def site_ids(site: SiteView) -> list[tuple[str, str]]:
    return sorted(
        (url.removeprefix(BASE), f.check) for url, f in run_site_checks(site, EngineConfig())
    )


def link(path: str) -> tuple[str, str, str]:
    return (BASE + path, f'a[href="{path}"]', f'<a href="{path}">')


def make_site(*pages: PageSummary, **kwargs: object) -> SiteView:
    return SiteView(start_url=BASE + "/", pages={p.url: p for p in pages}, **kwargs)  # type: ignore[arg-type]


def status(
    path: str,
    code: int | None,
    hops: list[tuple[str, int]] = (),
    error: str | None = None,
    final: str | None = None,
) -> TargetStatus:  # noqa: E501
    return TargetStatus(
        BASE + path,
        code,
        [Hop(BASE + p, s) for p, s in hops],
        BASE + (final or path),
        error,
    )


def _targets(*statuses: TargetStatus) -> dict[str, TargetStatus]:
    return {s.url: s for s in statuses}


SITE_CASES = {
    "title-duplicate",
    "meta-description-duplicate",
    "orphan-page",
    "noindex",
    "robots-blocked",
    "link-broken",
    "redirect-loop",
    "redirect-chain",
    "link-to-redirect",
    "canonical-invalid",
    "fetch-failed",
    "crawl-trap",
    "sitemap-out-of-scope",
    "sitemap-url-not-ok",
    "sitemap-missing-page",
    "sitemap-off-site",  # on real servers: test_sitemaps_off_site.py
    "sitemap-truncated",  # on real servers: test_sitemaps_off_site.py
    "robots-txt-missing",
    "img-broken",
    "img-too-heavy",
    "og-image-broken",
}


def test_title_duplicate_on_each_page() -> None:
    site = make_site(
        summary("/a", titles=["Same"]),
        summary("/b", titles=["same "]),
        summary("/c", titles=["Other"]),
    )
    assert [x for x in site_ids(site) if x[1] == "title-duplicate"] == [
        ("/a", "title-duplicate"),
        ("/b", "title-duplicate"),
    ]
    assert not [
        x
        for x in site_ids(make_site(summary("/a", titles=["A"]), summary("/b", titles=["B"])))
        if x[1] == "title-duplicate"
    ]


def test_description_duplicate() -> None:
    dup = make_site(summary("/a", descriptions=["D"]), summary("/b", descriptions=["D"]))
    assert ("/a", "meta-description-duplicate") in site_ids(dup)
    unique = make_site(summary("/a", descriptions=["D1"]), summary("/b", descriptions=["D2"]))
    assert not any(c == "meta-description-duplicate" for _, c in site_ids(unique))


def test_orphan_page() -> None:
    pages = (summary("/", links=[link("/linked")]), summary("/linked"), summary("/orphan"))
    site = make_site(*pages, sitemap_urls={BASE + "/linked", BASE + "/orphan"})
    assert [x for x in site_ids(site) if x[1] == "orphan-page"] == [("/orphan", "orphan-page")]
    # A partial crawl still reports orphans, saying what the claim rests on.
    partial = make_site(*pages, sitemap_urls={BASE + "/orphan"}, crawl_complete=False)
    found = [f for u, f in run_site_checks(partial, EngineConfig()) if f.check == "orphan-page"]
    assert len(found) == 1 and "any of the 3 pages crawled" in found[0].message


def test_noindex_only_for_sitemap_pages() -> None:
    site = make_site(
        summary("/in", noindex=True), summary("/out", noindex=True), sitemap_urls={BASE + "/in"}
    )
    assert [x for x in site_ids(site) if x[1] == "noindex"] == [("/in", "noindex")]


# Shaped like a stock Wagtail site's sign-in page, which the welcome page links to.
SIGN_IN = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Sign in - Wagtail</title><meta name="robots" content="noindex" />
</head><body><main><h2>Sign in to Wagtail</h2><form method="post"><label for="id_username">
Username</label><input id="id_username" name="username"><img src="/static/logo.svg">
<button type="submit">Sign in</button></form></main></body></html>"""
SEARCH_SNIPPET_CHECKS = {
    "title-too-short",
    "meta-description-missing",
    "canonical-missing",
    "og-missing",
}


def test_a_noindex_page_gets_no_search_snippet_findings() -> None:
    """A page asking not to be indexed never shows in results: a short title or a missing
    description there is noise. What readers meet (headings, alt text) is still checked."""
    found = set(ids(SIGN_IN))
    assert not found & SEARCH_SNIPPET_CHECKS
    assert {"h1-missing", "img-alt-missing"} <= found
    indexable = set(ids(SIGN_IN.replace('<meta name="robots" content="noindex" />', "")))
    assert indexable >= SEARCH_SNIPPET_CHECKS
    flagged = {c.id for c in REGISTRY.values() if c.indexable_only}
    assert SEARCH_SNIPPET_CHECKS | {"thin-content", "meta-description-too-long"} <= flagged
    assert not flagged & {"title-missing", "h1-missing", "img-alt-missing", "link-broken"}


def test_duplicate_titles_leave_out_noindex_pages() -> None:
    shared = {"titles": ["Sign in"], "descriptions": ["Sign in to the site"]}
    site = make_site(
        summary("/login", noindex=True, **shared),
        summary("/password-reset", noindex=True, **shared),
        summary("/a", titles=["Same"]),
        summary("/b", titles=["Same"]),
    )
    duplicates = [x for x in site_ids(site) if x[1].endswith("-duplicate")]
    assert duplicates == [("/a", "title-duplicate"), ("/b", "title-duplicate")]


def test_robots_blocked() -> None:
    robots = parse_robots("User-agent: *\nDisallow: /private/", "clinic-cms-audit")
    site = make_site(sitemap_urls={BASE + "/private/x", BASE + "/public"}, robots=robots)
    assert [x for x in site_ids(site) if x[1] == "robots-blocked"] == [
        ("/private/x", "robots-blocked")
    ]


def test_link_status_checks() -> None:
    source = summary(
        "/src",
        links=[
            link("/ok"),
            link("/404"),
            link("/down"),
            link("/once"),
            link("/chain"),
            link("/loop"),
        ],
    )
    targets = _targets(
        status("/ok", 200),
        status("/404", 404),
        status("/down", None, error="timeout"),
        status("/once", 200, [("/once", 301)], final="/ok"),
        status("/chain", 200, [("/chain", 301), ("/chain2", 302)], final="/ok"),
        status(
            "/loop", 301, [("/loop", 301), ("/loop2", 301)], error="redirect-loop", final="/loop"
        ),
    )
    found = run_site_checks(make_site(source, targets=targets), EngineConfig())
    by_check: dict[str, list[str]] = {}
    for _url, f in found:
        by_check.setdefault(f.check, []).append(f.selector)
    # A timeout is no answer at all: fetch-failed on the target, not a broken link.
    assert by_check["link-broken"] == ['a[href="/404"]']
    failed = [(u, f) for u, f in found if f.check == "fetch-failed"]
    assert [u for u, _ in failed] == [BASE + "/down"]
    assert "timeout" in failed[0][1].message and "1 crawled page link" in failed[0][1].message
    assert by_check["link-to-redirect"] == ['a[href="/once"]']
    assert by_check["redirect-chain"] == ['a[href="/chain"]']
    assert by_check["redirect-loop"] == ['a[href="/loop"]']
    chain = next(f for _u, f in found if f.check == "redirect-chain")
    assert "/chain2 (302)" in chain.message and "2 redirects" in chain.message


def test_canonical_pointing_at_bad_targets() -> None:
    pages = (
        summary("/a", canonicals=[BASE + "/gone"]),
        summary("/b", canonicals=[BASE + "/hidden"]),
        summary("/hidden", noindex=True),
        summary("/c", canonicals=[BASE + "/c"]),
        summary("/d", canonicals=[BASE + "/hidden-ok"]),
        summary("/hidden-ok"),
    )
    site = make_site(
        *pages,
        targets=_targets(status("/gone", 404), status("/hidden", 200), status("/hidden-ok", 200)),
    )
    assert [x for x in site_ids(site) if x[1] == "canonical-invalid"] == [
        ("/a", "canonical-invalid"),
        ("/b", "canonical-invalid"),
    ]


def test_response_checks_on_facts() -> None:
    from audit.engine.checks import run_page_checks
    from audit.engine.facts import PageFacts

    def run(**kwargs: object) -> list[str]:
        kwargs.setdefault("status", 200)
        facts = PageFacts(url=URL, **kwargs)  # type: ignore[arg-type]
        return [f.check for f in run_page_checks(facts, EngineConfig())]

    assert "slow-response" in run(response_ms=601.0)
    assert "slow-response" not in run(response_ms=600.0)
    assert "page-too-large" in run(truncated=True, bytes=5_000_001)
    assert "page-too-large" not in run(truncated=False, bytes=4_000_000)
    assert run(status=404) == ["status-4xx"] and run(status=503) == ["status-5xx"]
    assert run(status=200) == []  # not HTML: content checks do not apply


def test_fetch_failed_only_without_an_answer() -> None:
    source = summary("/src", links=[link("/reset"), link("/gone")])
    targets = _targets(
        status("/reset", None, error="connection-reset"), status("/gone", 410), status("/ok", 200)
    )
    assert [x for x in site_ids(make_site(source, targets=targets)) if x[1] == "fetch-failed"] == [
        ("/reset", "fetch-failed")
    ]


def test_crawl_trap_on_the_page_that_links_into_it() -> None:
    guard = TrapGuard(budget=2)
    for month in range(5):
        guard.admit(f"{BASE}/events?month={month}", BASE + "/events")
    assert guard.admit(BASE + "/about", BASE + "/")  # an ordinary URL is never a trap
    site = make_site(summary("/events"), traps=list(guard.traps.values()))
    assert site_ids(site) == [("/events", "crawl-trap")]
    assert not [x for x in site_ids(make_site(summary("/events"))) if x[1] == "crawl-trap"]


def test_sitemap_out_of_scope() -> None:
    other = ["http://127.0.0.1:8000/a", "http://127.0.0.1:8000/b"]
    site = make_site(summary("/"), sitemap_out_of_scope=other, sitemap_out_of_scope_count=2)
    found = [
        f for _, f in run_site_checks(site, EngineConfig()) if f.check == "sitemap-out-of-scope"
    ]
    assert len(found) == 1 and "2 URLs outside" in found[0].message and other[1] in found[0].message
    assert ("/", "sitemap-out-of-scope") not in site_ids(make_site(summary("/")))


def test_sitemap_url_not_ok_names_redirects_and_failures() -> None:
    targets = _targets(
        status("/moved", 200, [("/moved", 301)], final="/new"),
        status("/gone", 404),
        status("/down", None, error="timeout"),
        status("/fine", 200),
    )
    urls = {BASE + p for p in ("/moved", "/gone", "/down", "/fine")}
    found = [
        f
        for _, f in run_site_checks(make_site(targets=targets, sitemap_urls=urls), EngineConfig())
        if f.check == "sitemap-url-not-ok"
    ]
    assert len(found) == 1
    message = found[0].message
    assert message.startswith("3 sitemap URLs") and "(HTTP 404)" in message
    assert f"redirects to {BASE}/new" in message and "(timeout)" in message
    fine = make_site(targets=_targets(status("/fine", 200)), sitemap_urls={BASE + "/fine"})
    assert not [x for x in site_ids(fine) if x[1] == "sitemap-url-not-ok"]


def test_sitemap_missing_page_only_for_indexable_pages() -> None:
    pages = (
        summary("/"),
        summary("/listed"),
        summary("/unlisted"),
        summary("/hidden", noindex=True),
    )
    site = make_site(*pages, sitemap_urls={BASE + "/", BASE + "/listed"})
    found = [
        f for _, f in run_site_checks(site, EngineConfig()) if f.check == "sitemap-missing-page"
    ]
    assert len(found) == 1 and found[0].message.endswith(f"sitemap: {BASE}/unlisted.")
    no_sitemap = make_site(*pages)
    assert not [x for x in site_ids(no_sitemap) if x[1] == "sitemap-missing-page"]


def test_robots_txt_missing_is_a_notice() -> None:
    missing = make_site(robots=parse_robots("", "clinic-cms-audit", status=404))
    assert site_ids(missing) == [("/", "robots-txt-missing")]
    present = make_site(robots=parse_robots("User-agent: *\nAllow: /", "clinic-cms-audit"))
    assert site_ids(present) == []


def _image(path: str, code: int | None, ctype: str = "image/png", size: int | None = 100):
    return TargetStatus(BASE + path, code, [], BASE + path, None, ctype, size)


def test_image_answers() -> None:
    images = [link("/a.png"), link("/b.png"), link("/c.png"), link("/d.png")]
    source = summary("/src", images=images, og_images=[BASE + "/og.png", BASE + "/a.png"])
    answers = {
        s.url: s
        for s in (
            _image("/a.png", 200),
            _image("/b.png", 404),
            _image("/c.png", 200, ctype="text/html"),
            _image("/d.png", 200, size=300_001),
            _image("/og.png", 500),
        )
    }
    found = run_site_checks(make_site(source, images=answers), EngineConfig())
    by_check: dict[str, list[str]] = {}
    for _url, f in found:
        by_check.setdefault(f.check, []).append(f.message)
    assert [m.split()[1] for m in by_check["img-broken"]] == [BASE + "/b.png:", BASE + "/c.png:"]
    assert by_check["img-too-heavy"] == [f"Image {BASE}/d.png is 300.0 KB (limit 300 KB)."]
    assert by_check["og-image-broken"] == [f"og:image {BASE}/og.png: HTTP 500."]
