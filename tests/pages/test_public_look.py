"""What readers see: a clinic's home page with a hero and a booking call to action, the phone
and booking button in the header, service cards with photos, breadcrumbs from "Home" on one
line, the IMS photo once, a favicon; and production serving compressed, long-cached files."""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Site

from pages.models import ClinicSettings
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.editor.browser import READER_AGENT
from tests.pages.served_site import (
    REPO,
    demo_site_copy,
    fetch,
    free_port,
    manage,
    production_env,
    serving,
)

IMS_URL = "/services/ims/"
SCREENSHOTS = REPO / "var" / "screenshots"


def get_soup(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "lxml")


# --- markup (Django test client) --------------------------------------------------------------


@pytest.mark.django_db
def test_header_has_the_clinic_phone_and_a_booking_button(demo_site, client):
    header = get_soup(client, IMS_URL).find("header")
    phone = header.find("a", href=re.compile(r"^tel:"))
    assert phone["href"] == "tel:6045550142"
    assert phone.get_text() == "Call us on 604 555 0142"  # "Call us on" for screen readers
    booking = header.find("a", class_="button")
    assert booking.get_text(strip=True) == "Book an appointment"
    # It leads to the booking section (not the footer): a heading, the phone and e-mail.
    target = get_soup(client, IMS_URL).find(id=booking["href"].lstrip("#"))
    assert target.name == "section" and target.find("h2").get_text() == "Book an appointment"
    assert target.find("a", href="tel:6045550142")
    assert target.find_parent("footer") is None


@pytest.mark.django_db
def test_with_an_online_booking_address_every_booking_button_goes_there(demo_site, client):
    clinic = ClinicSettings.for_site(Site.objects.get(is_default_site=True))
    clinic.booking_url = "https://booking.example/northside"
    clinic.save()
    home = get_soup(client, "/")
    buttons = [a for a in home.find_all("a") if a.get_text(strip=True) == "Book an appointment"]
    assert len(buttons) == 2  # the header's and the hero's
    assert {a["href"] for a in buttons} == {"https://booking.example/northside"}
    section = home.find(id="book")
    assert section.find("a", string="Book online")["href"] == "https://booking.example/northside"


@pytest.mark.django_db
def test_home_page_opens_with_a_hero_image_and_a_booking_call_to_action(demo_site, client):
    main = get_soup(client, "/").find("main")
    hero = main.find(class_="home-hero")
    assert hero.find("h1")
    image = hero.find("img", class_="hero-image")
    assert image and image["alt"].startswith("A quiet treatment room")
    assert image.get("fetchpriority") == "high"
    calls = [a.get_text(strip=True) for a in hero.find_all("a", class_="button")]
    assert calls[0] == "Book an appointment"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/services/"])
def test_services_are_cards_with_photos(demo_site, client, url):
    cards = get_soup(client, url).select(".service-card")
    assert len(cards) == 3
    titles = [card.find(class_="card-title").get_text(strip=True) for card in cards]
    assert titles[0].startswith("What is IMS")
    with_photo = [card for card in cards if card.find("img")]
    assert len(with_photo) == 2  # the post-operative page has no hero image: a tinted block
    for card in with_photo:
        image = card.find("img")
        # The title link names the card; the photo adds nothing a screen reader needs.
        assert image["alt"] == "" and image["loading"] == "lazy"


@pytest.mark.django_db
def test_breadcrumbs_start_with_home(demo_site, client):
    crumbs = get_soup(client, IMS_URL).select("nav.breadcrumbs li")
    assert [li.get_text(strip=True) for li in crumbs[:2]] == ["Home", "Services"]
    assert crumbs[0].find("a")["href"] == "/"


@pytest.mark.django_db
def test_the_ims_page_shows_each_photo_once(demo_site, client):
    images = get_soup(client, IMS_URL).find("main").find_all("img")
    files = [re.sub(r"\.[^.]+\.\w+$", "", Path(img["src"]).name) for img in images]
    assert len(files) == len(set(files)), files


@pytest.mark.django_db
def test_pages_name_their_favicon(demo_site, client):
    head = get_soup(client, "/").find("head")
    icons = [link["href"] for link in head.find_all("link", rel="icon")]
    assert "/favicon.ico" in icons
    assert any(href.endswith("favicon.svg") for href in icons)


# --- production settings, served by gunicorn --------------------------------------------------


@pytest.fixture(scope="module")
def production_site(tmp_path_factory) -> str:
    """The demo site under cms.settings.production: gunicorn, WhiteNoise, collected static."""
    env = production_env(demo_site_copy(tmp_path_factory.mktemp("production")))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(
        env,
        "shell",
        "-c",
        "from pages.management.commands.run_site import point_default_site_at;"
        f"point_default_site_at('{base}')",
    )
    gunicorn = [sys.executable, "-m", "gunicorn", "cms.wsgi", "--workers", "2"]
    with serving([*gunicorn, "--bind", f"127.0.0.1:{port}"], env, f"{base}/"):
        yield base


def test_production_compresses_html(production_site):
    status, headers, body = fetch(f"{production_site}/", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("content-encoding") == "gzip"
    assert b"Book an appointment" in gzip.decompress(body)


def test_production_static_files_are_compressed_and_cached_for_a_year(production_site):
    html = fetch(f"{production_site}/")[2].decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)
    assert stylesheet, "the stylesheet's URL carries its content hash"
    status, headers, body = fetch(f"{production_site}{stylesheet[1]}", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert b".breadcrumbs" in gzip.decompress(body)
    max_age = int(re.search(r"max-age=(\d+)", headers["cache-control"])[1])
    assert max_age >= 365 * 24 * 3600 and "immutable" in headers["cache-control"]


def test_production_serves_the_favicon(production_site):
    status, headers, body = fetch(f"{production_site}/favicon.ico")
    assert status == 200 and "icon" in headers["content-type"]
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO signature


# --- in a browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.browser
def test_breadcrumbs_stay_on_one_line_on_a_phone(production_site, chromium):
    page = chromium.new_page(viewport={"width": 375, "height": 740}, user_agent=READER_AGENT)
    page.goto(f"{production_site}{IMS_URL}")
    crumbs = page.locator("nav.breadcrumbs ol")
    line_height = page.locator("nav.breadcrumbs li").last.evaluate(
        "el => parseFloat(getComputedStyle(el).lineHeight)"
    )
    box = crumbs.bounding_box()
    assert box["height"] < 2 * line_height, f"{box['height']}px: the breadcrumbs wrap"
    assert box["x"] + box["width"] <= 375, "the breadcrumbs overflow the screen"
    h1 = page.locator("h1").bounding_box()
    assert h1["y"] < 300, "the page title is pushed below the breadcrumbs"
    page.close()


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 375, 768, 1280])
def test_header_items_do_not_overlap(production_site, chromium, width):
    page = chromium.new_page(viewport={"width": width, "height": 700}, user_agent=READER_AGENT)
    page.goto(f"{production_site}/")
    names = [".brand", ".main-nav ul", ".header-phone", ".header-book"]
    boxes = {name: page.locator(f"header {name}").bounding_box() for name in names}
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            assert not overlap(boxes[first], boxes[second]), (width, first, second, boxes)
    page.close()


@pytest.mark.browser
def test_the_browser_gets_a_favicon_and_logs_no_errors(production_site, chromium):
    page = chromium.new_page(user_agent=READER_AGENT)
    errors, failed = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(f"{production_site}/", wait_until="networkidle")
    icon = page.evaluate("fetch('/favicon.ico').then(r => r.status)")
    assert icon == 200
    assert not errors and not failed, (errors, failed)
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize(("name", "url"), [("home", "/"), ("ims", IMS_URL)])
def test_screenshots_of_home_and_ims_pages(production_site, chromium, name, url, width):
    """Saved under var/screenshots/ for people to look at; checks the page fits the screen."""
    page = chromium.new_page(viewport={"width": width, "height": 900}, user_agent=READER_AGENT)
    page.goto(f"{production_site}{url}", wait_until="networkidle")
    # A full-page screenshot does not scroll, so lazy images would stay blank: scroll first.
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(50)
    page.wait_for_function("[...document.images].every(image => image.complete)")
    broken = page.evaluate("[...document.images].filter(i => !i.naturalWidth).map(i => i.src)")
    assert not broken, broken
    page.evaluate("window.scrollTo(0, 0)")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{url} scrolls sideways at {width}px ({scroll_width}px)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.close()
