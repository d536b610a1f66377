"""The pure conversion functions, without Django or a server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from importer.convert import Kind, NotHTML, Skipped, alt_problem, convert_page, original_image_url
from tests.importer import old_site

BASE = "https://old.example"
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("url", "original"),
    [
        (
            f"{BASE}/media/abc~mv2.jpg/v1/fill/w_147,h_98,al_c,q_20,blur_2/abc~mv2.jpg",
            f"{BASE}/media/abc~mv2.jpg",
        ),
        (f"{BASE}/media/abc~mv2.png/v1/crop/x_0,y_0/abc~mv2.png", f"{BASE}/media/abc~mv2.png"),
        (f"{BASE}/media/abc~mv2.jpg", f"{BASE}/media/abc~mv2.jpg"),
        (f"{BASE}/img/runner.png?w=200", f"{BASE}/img/runner.png?w=200"),
    ],
)
def test_original_image_url(url, original):
    assert original_image_url(url) == original


@pytest.mark.parametrize(
    "alt",
    [
        "",
        "   ",
        "IMG_20240611_093012.png",
        "DSC0012",
        "image7",
        "photo-3",
        "PXL_20240101_1200",
        "Screenshot 2024-06-11",
        "1718097012345",
        "abc~mv2",
    ],
)
def test_file_and_camera_names_are_not_alt_text(alt):
    assert alt_problem(alt, f"{BASE}/media/abc~mv2.jpg") is not None


@pytest.mark.parametrize(
    "alt", ["Physiotherapist placing a fine needle in a forearm", "Image of a knee brace", "X-ray"]
)
def test_descriptions_are_alt_text(alt):
    assert alt_problem(alt, f"{BASE}/media/abc~mv2.jpg") is None


def test_body_h1_becomes_h2_and_levels_move_with_it():
    html = (
        "<html><body><main><h1>Title</h1><p>" + "word " * 50 + "</p><h1>Part</h1><h2>Sub</h2>"
        "<h4>Deep</h4><h6>Tiny</h6></main></body></html>"
    )
    page, _links = convert_page(html, f"{BASE}/services/x")
    levels = [(b.text, b.level) for b in page.blocks if b.kind == "heading"]
    assert levels == [("Part", "h2"), ("Sub", "h3"), ("Deep", "h4"), ("Tiny", "h4")]
    # Below h4 there is no level left: reported, not silently flattened.
    assert [p for p in page.problems if "go down to h4" in p] == [
        "heading 'Deep' (h4 on the old page) would be h5 here; bodies go down to h4, so it "
        "became h4",
        "heading 'Tiny' (h6 on the old page) would be h7 here; bodies go down to h4, so it "
        "became h4",
    ]


def test_wix_post_drops_chrome_and_keeps_its_own_view_count():
    page, links = convert_page(old_site.POST_IMS, f"{BASE}/post/ims-forearm")
    assert page.kind is Kind.ARTICLE and page.extractor == "wix"
    assert page.views == 23
    text = " ".join(b.html + b.text for b in page.blocks)
    for chrome in ("top of page", "bottom of page", "Recent posts", "105 views", "Like", "Share"):
        assert chrome not in text
    assert f"{BASE}/blog" in links  # the crawl still follows the navigation


def test_listing_and_home_are_skipped():
    listing, links = convert_page(old_site.BLOG, f"{BASE}/blog")
    assert isinstance(listing, Skipped) and f"{BASE}/post/ims-forearm" in links
    home, _ = convert_page(old_site.HOME, f"{BASE}/")
    assert isinstance(home, Skipped)


def test_unmappable_content_is_kept_and_reported():
    page, _ = convert_page(old_site.SERVICE, f"{BASE}/services/dry-needling")
    text = " ".join(b.html for b in page.blocks)
    assert "First visit · 60 minutes" in text and "https://video.example.org/embed/abc" in text
    assert any("table" in p for p in page.problems)
    assert any("iframe" in p for p in page.problems)


def test_conversion_needs_no_django():
    code = (
        "import sys, importer.convert, importer.crawl, importer.report; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django'); "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_xhtml_with_an_encoding_declaration_and_garbage():
    xhtml = '<?xml version="1.0" encoding="utf-8"?>' + old_site.PLAIN_SERVICE
    page, _ = convert_page(xhtml, f"{BASE}/services/hydrotherapy.html")
    assert page.title == "Hydrotherapy"
    with pytest.raises(NotHTML, match="not readable HTML"):
        convert_page("", f"{BASE}/empty")
    skipped, _ = convert_page("<<<>>>\x00\ufffd", f"{BASE}/junk")
    assert isinstance(skipped, Skipped)


def test_related_post_cards_in_a_sidebar_do_not_make_a_listing():
    cards = "".join(f"<article><a href='/news/{n}'>Other post {n}</a></article>" for n in range(4))
    html = old_site.PLAIN_ARTICLE.replace("<h2>Popular</h2>", f"<h2>Popular</h2>{cards}")
    page, _ = convert_page(html, f"{BASE}/news/winter-running")
    assert page.title == "Winter running tips" and page.views == 41
