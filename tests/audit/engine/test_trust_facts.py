"""Facts a report can be trusted on: hidden content, the page's own view count, page types,
Open Graph and the site profile."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from audit.engine.checks import REGISTRY, run_page_checks
from audit.engine.cli import main
from audit.engine.config import EngineConfig, SiteProfile
from audit.engine.errors import InvalidConfig
from audit.engine.parse import parse_html
from audit.engine.single import check_html
from tests.audit.engine.fixture_site import FixtureSite

URL = "https://example.test/post"


def _ids(html: str) -> set[str]:
    return {f.check for f in check_html(html, URL).findings}


def test_hidden_text_is_no_heading_name() -> None:
    # axe-core's empty-heading rule: hidden text inside the heading names nothing.
    facts = parse_html(
        '<html><body><h1><div style="display:none">Not Ok</div></h1>'
        "<h2><span hidden>gone</span><span aria-hidden=true>icon</span>Shown</h2>"
        '<h3><span style="color:red; visibility : hidden !important">x</span></h3>'
        '<h4><span style="display:none;display:inline">Later rule wins</span></h4>'
        "</body></html>",
        URL,
    )
    assert [h.text for h in facts.headings] == ["", "Shown", "", "Later rule wins"]


def test_hidden_heading_is_not_in_the_outline() -> None:
    facts = parse_html(
        "<html><body><h1>Visible</h1><div hidden><h1>Old title</h1></div>"
        '<h1 style="display: none">Also hidden</h1></body></html>',
        URL,
    )
    assert [h.text for h in facts.h1s] == ["Visible"]


def test_hidden_text_is_no_alt_name_or_main_text() -> None:
    facts = parse_html(
        "<html><body><main><p>one two three</p>"
        '<div style="display:none"><p>four five six seven</p></div>'
        '<p aria-hidden="true">eight</p><p hidden>nine ten</p>'
        '<a href="/x"><span style="visibility:hidden">Secret</span>Go</a>'
        '<span hidden="until-found">found by search</span>'
        '<div style="display:none"><img src="/a.png"></div></main></body></html>',
        URL,
    )
    assert facts.word_count == 7  # one two three, Go, found by search
    assert [link.text for link in facts.links] == ["Go"]
    (image,) = facts.images
    assert image.aria_hidden  # hidden: no alt text needed
    assert "img-alt-missing" not in _ids(
        '<html><body><div style="display:none"><img src="/a.png"></div></body></html>'
    )


# -- the page's own view count --------------------------------------------------------------

POPULAR_ASIDE = (
    '<aside class="sidebar"><h2>Popular</h2><ul>'
    '<li><a href="/a">Stretching at your desk</a> <span data-views="9120">9,120 views</span></li>'
    '<li><a href="/b">Choosing running shoes</a> <span data-views="4410">4,410 views</span></li>'
    "</ul></aside>"
)
POPULAR_DIV = '<div class="popular-posts"><p><a href="/a">Desk stretches</a> 9,120 views</p></div>'


def _article(body: str, head: str = "") -> str:
    return (
        f'<html><head>{head}</head><body class="article-page">'
        f"<header><a href='/'>Home</a></header>{body}"
        "<footer><p>Read 12,000 views of our blog</p></footer></body></html>"
    )


def test_sidebar_counts_before_the_content_are_not_the_page_s() -> None:
    for sidebar in (POPULAR_ASIDE, POPULAR_DIV):
        without = parse_html(_article(sidebar + "<main><h1>Knees</h1><p>Text</p></main>"), URL)
        assert (without.views, without.views_visible) == (None, None), sidebar
        own = parse_html(
            _article(sidebar + '<main><h1>Knees</h1><p class="meta">312 views</p></main>'), URL
        )
        assert (own.views, own.views_visible, own.views_source) == (312, 312, "text")


def test_a_list_of_posts_claims_no_count() -> None:
    cards = "".join(
        f'<article class="card"><h2>Post {i}</h2><span data-views="{i * 10}">{i * 10} views'
        "</span></article>"
        for i in range(1, 4)
    )
    # No listing type or class to go by: the repeated items say it.
    unmarked = parse_html(f"<html><body><main><h1>Blog</h1>{cards}</main></body></html>", URL)
    assert unmarked.views is None
    # A listing page claims no count, even with one item listed.
    one = parse_html(
        '<html><body class="article-index-page"><main><article><h2>Only</h2>'
        '<span data-views="55">55 views</span></article></main></body></html>',
        URL,
    )
    assert (one.page_type, one.views) == ("listing", None)
    # An article whose body lists other posts keeps its own counter.
    article = parse_html(
        f'<html><body class="article-page"><main><h1>Knees</h1><span data-views="7">7 views'
        f"</span><section>{cards}</section></main></body></html>",
        URL,
    )
    assert article.views == 7


def test_hidden_counter_is_not_shown() -> None:
    facts = parse_html(_article('<main><h1>K</h1><span hidden data-views="5">5</span></main>'), URL)
    assert facts.views_visible is None


def test_json_ld_count_is_kept_apart_from_the_shown_one() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "BlogPosting", "interactionStatistic": '
        '{"@type": "InteractionCounter", "userInteractionCount": 88}}</script>'
    )
    facts = parse_html(_article("<main><h1>K</h1><p>Text</p></main>", head), URL)
    assert (facts.views_visible, facts.views_jsonld, facts.views) == (None, 88, None)
    expecting = EngineConfig(profile=SiteProfile(views_expected=True))
    report = check_html(_article("<main><h1>K</h1></main>", head), URL, config=expecting)
    (missing,) = [f for f in report.findings if f.check == "view-count-missing"]
    assert "JSON-LD says 88" in missing.message


def test_json_ld_counts_of_listed_items_are_not_the_page_s() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "CollectionPage", "mainEntity": '
        '{"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item": {"@type": '
        '"BlogPosting", "interactionStatistic": {"userInteractionCount": 9}}}]}}</script>'
    )
    facts = parse_html(f"<html><head>{head}</head><body></body></html>", URL)
    assert facts.views_jsonld is None


def test_view_counts_are_expected_only_where_the_profile_says() -> None:
    html = _article("<main><h1>Knees</h1><p>Text</p></main>")
    assert "view-count-missing" not in _ids(html)  # any site: no expectation
    theirs = EngineConfig(profile=SiteProfile(views_expected=True, hosts=("other.test",)))
    assert "view-count-missing" not in {
        f.check for f in check_html(html, URL, config=theirs).findings
    }
    ours = EngineConfig(profile=SiteProfile(views_expected=True, hosts=("example.test",)))
    assert "view-count-missing" in {f.check for f in check_html(html, URL, config=ours).findings}


# -- page types ----------------------------------------------------------------------------


def _typed(kind: str, body_class: str = "") -> str | None:
    head = f'<script type="application/ld+json">{kind}</script>'
    html = f'<html><head>{head}</head><body class="{body_class}"><h1>x</h1></body></html>'
    return parse_html(html, URL).page_type


def test_a_web_page_type_does_not_make_an_article() -> None:
    # As our IMS service page: MedicalWebPage about a MedicalTherapy.
    ims = '{"@type": "MedicalWebPage", "about": {"@type": "MedicalTherapy", "name": "IMS"}}'
    assert _typed(ims) == "service"
    assert _typed('{"@type": "MedicalWebPage"}') is None
    assert _typed('{"@type": "WebPage"}') is None
    assert _typed('{"@type": "BlogPosting"}') == "article"
    assert _typed('{"@type": "CollectionPage"}') == "listing"
    assert _typed('{"@type": "WebPage"}', "archive category-news") == "listing"


# -- site profile --------------------------------------------------------------------------


def test_fix_hints_name_no_kind_of_site() -> None:
    for check in REGISTRY.values():
        words = f"{check.title} {check.fix}".lower()
        for word in ("clinic", "patient", "physio", "treatment"):
            assert word not in words, (check.id, word)


def test_site_name_is_suggested_only_when_known_and_absent() -> None:
    html = "<html><head><title>Sourdough</title></head><body><h1>x</h1></body></html>"
    plain = check_html(html, URL).findings
    (short,) = [f for f in plain if f.check == "title-too-short"]
    assert "site's name" not in short.message
    named = EngineConfig(profile=SiteProfile(site_name="Crumb & Co"))
    (short,) = [
        f for f in check_html(html, URL, config=named).findings if f.check == "title-too-short"
    ]
    assert "(Crumb & Co)" in short.message


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ([], "must be a JSON object"),
        ({"views": True}, "unknown site profile key 'views'"),
        ({"content_types": ["recipe"]}, "unknown page type 'recipe'"),
        ({"content_types": "article"}, "content_types must be a list of strings"),
        ({"views_expected": "yes"}, "views_expected must be true or false"),
    ],
)
def test_bad_profile_is_a_one_line_error(data: object, error: str) -> None:
    with pytest.raises(InvalidConfig, match=error):
        SiteProfile.from_dict(data)


def test_profile_round_trips_through_the_report_settings() -> None:
    profile = SiteProfile.from_dict(
        {
            "content_types": ["article"],
            "views_expected": True,
            "site_name": "Crumb",
            "hosts": ["A.test"],
        }
    )
    assert SiteProfile.from_dict(EngineConfig(profile=profile).as_dict()["profile"]) == profile


# -- Open Graph ----------------------------------------------------------------------------


def test_open_graph_tags_are_extracted_first_one_wins() -> None:
    facts = parse_html(
        '<html><head><meta property="og:title" content=" Sourdough  basics ">'
        '<meta property="og:title" content="second"><meta name="og:image" content="/i.jpg">'
        '<meta property="og:url" content="https://example.test/post">'
        '<meta property="og:site_name" content="ignored"></head><body></body></html>',
        URL,
    )
    assert facts.open_graph == {
        "og:title": "Sourdough basics",
        "og:image": "/i.jpg",
        "og:url": "https://example.test/post",
    }


# -- the command line's --profile FILE -------------------------------------------------------

FAST = ["--single-page", "--no-link-check", "--timeout", "2", "--workers", "0", "-q"]


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refuses the option
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_profile_turns_on_view_count_expectations(
    site: FixtureSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.url("/d/service-no-views")
    _code, out, _err = _cli([url, "--format", "json", *FAST], capsys)
    assert "view-count-missing" not in out  # any site: no expectation
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"views_expected": True, "site_name": "Riverside"}))
    _code, out, _err = _cli([url, "--format", "json", "--profile", str(profile), *FAST], capsys)
    assert "view-count-missing" in out
    assert json.loads(out)["settings"]["profile"]["site_name"] == "Riverside"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "cannot read site profile"),
        ("{", "is not JSON"),
        ('{"views": 1}', "unknown site profile key 'views'"),
    ],
)
def test_cli_bad_profile_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, error: str
) -> None:
    path = tmp_path / "profile.json"
    if content is not None:
        path.write_text(content)
    code, _out, err = _cli(["https://example.test/", "--profile", str(path)], capsys)
    assert code == 2 and error in err
    assert len([line for line in err.splitlines() if "error:" in line]) == 1


# -- images ----------------------------------------------------------------------------------


def test_image_widths_come_from_width_sizes_and_srcset() -> None:
    facts = parse_html(
        '<html><body><img src="/a.jpg" width="320" srcset="/a.jpg 3200w, /b.jpg 640w">'
        '<img src="/c.jpg" sizes="(max-width: 40em) 200px, 600px" srcset="/c 1200w">'
        '<img src="/d.jpg" sizes="100vw" srcset="/d 5000w"><img src="/e.jpg"></body></html>',
        URL,
    )
    got = [(i.display_width, i.srcset_widths) for i in facts.images]
    assert got == [(320, (3200, 640)), (600, (1200,)), (None, (5000,)), (None, ())]


def test_oversized_image_uses_the_file_width_when_known() -> None:
    facts = parse_html('<html><body><img src="/a.jpg" width="300" alt="a"></body></html>', URL)
    facts.images[0].intrinsic_width = 2400  # as the crawl learns it from the image response
    (found,) = [f for f in run_page_checks(facts, EngineConfig()) if f.check == "img-oversized"]
    assert found.message.startswith("The image file is 2400px wide")


# -- parsing stays linear where the HTML5 parser is not ---------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * 100_000 + "deep" + "</div>" * 100_000,  # balanced, 100,000 deep
        "<ul>" * 100_000 + "<li>x",  # never closed
        "<p " + " ".join(f"a{i}=1" for i in range(100_000)) + ">x",  # lexbor: quadratic too
    ],
    ids=["balanced", "unclosed", "attributes"],
)
def test_pathological_nesting_and_attributes_parse_in_bounded_time(html: str) -> None:
    began = time.process_time()
    facts = parse_html(f"<html><body>{html}</body></html>", URL)
    assert facts.is_html
    assert time.process_time() - began < 5.0  # minutes in lexbor without the guards
