"""Performance tools are not readers; real browsers are (issue 24, case 6).

The User-Agents are the ones each tool sends (their documentation and server logs), requested
from a real server (live_server) with requests; the counts come from the database.
"""

from __future__ import annotations

import pytest
import requests

from pageviews.bots import OUR_ADDITIONS, is_bot, matches_bot_patterns
from pageviews.conf import view_count_settings
from pageviews.service import view_total
from tests.pageviews.view_helpers import IMS_URL

pytestmark = pytest.mark.django_db(transaction=True)

PERFORMANCE_TOOLS = {
    "PageSpeed Insights (desktop)": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Google Page Speed Insights"
    ),
    "PageSpeed Insights (mobile)": (
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Google Page Speed Insights"
    ),
    "Lighthouse": (
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse"
    ),
    "WebPageTest": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 PTST/241210.183544"
    ),
    "WebPageTest (mobile)": (
        "Mozilla/5.0 (Linux; Android 8.1.0; Moto G (4)) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36 PTST/241210.183544"
    ),
    "GTmetrix": (
        "Mozilla/5.0 (X11; Linux x86_64; GTmetrix https://gtmetrix.com/) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    ),
    "GTmetrix (older)": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 GTmetrix"
    ),
}

BROWSERS = {
    "Chrome on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    ),
    "Chrome on Android": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
    "Firefox on Windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
    ),
    "Firefox on Android": "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
    "Safari on macOS": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/18.1 Safari/605.1.15"
    ),
    "Safari on iPhone": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
    ),
    "Edge": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
    ),
    "Samsung Internet": (
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like "
        "Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"
    ),
    "Opera": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0"
    ),
    "a CUBOT phone": (
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36"
    ),
}


@pytest.fixture
def ims_live(ims, live_server):
    return ims, live_server.url + IMS_URL


@pytest.mark.parametrize("tool", sorted(PERFORMANCE_TOOLS))
def test_performance_tools_are_not_counted(ims_live, tool):
    ims, url = ims_live
    before = view_total(ims.pk)
    response = requests.get(url, headers={"User-Agent": PERFORMANCE_TOOLS[tool]}, timeout=10)
    assert response.status_code == 200
    assert view_total(ims.pk) == before


@pytest.mark.parametrize("browser", sorted(BROWSERS))
def test_real_browsers_are_counted(ims_live, browser):
    ims, url = ims_live
    before = view_total(ims.pk)
    response = requests.get(url, headers={"User-Agent": BROWSERS[browser]}, timeout=10)
    assert response.status_code == 200
    assert view_total(ims.pk) == before + 1


def test_our_additions_are_lower_case_and_not_already_in_the_maintained_list():
    assert all(token == token.lower() for token in OUR_ADDITIONS)
    assert is_bot("Mozilla/5.0 (compatible; CLINIC-CMS-AUDIT/1.0)", view_count_settings())
    assert matches_bot_patterns("Mozilla/5.0 (compatible; Googlebot/2.1)")  # from the list


def test_a_hostile_user_agent_is_judged_in_one_pass():
    hostile = "Mozilla/5.0 " + "bo" * 50_000 + "!"
    assert matches_bot_patterns(hostile) is False
    assert matches_bot_patterns(hostile + " bot/1") is True
