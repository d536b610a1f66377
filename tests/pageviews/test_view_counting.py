"""Counting views of served pages: what counts, what does not, de-duplication and privacy."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import GroupPagePermission, Page, PageViewRestriction

from pages.models import ArticlePage, ServicePage
from pageviews.bots import OUR_ADDITIONS, is_bot
from pageviews.conf import view_count_settings
from pageviews.models import PageViewCount
from pageviews.readers import SALT_KEY_PREFIX, daily_salt, reader_hash
from pageviews.service import increment, view_total, view_totals
from tests.pageviews.view_helpers import BROWSER_UA, IMS_URL, OTHER_BROWSER_UA, shown_views

pytestmark = pytest.mark.django_db


def read(client, url: str = IMS_URL, ua: str = BROWSER_UA, **headers):
    return client.get(url, HTTP_USER_AGENT=ua, **headers)


# --- counting and showing -------------------------------------------------------------------


def test_demo_ims_page_shows_23_views_from_the_database(ims, client):
    assert view_total(ims.pk) == 23
    response = client.get(IMS_URL)  # the test client sends no User-Agent: not counted
    assert response.status_code == 200
    assert shown_views(response.content) == (23, "23 views", 23)
    assert view_total(ims.pk) == 23
    assert b'<span class="view-count" data-views="23">23 views</span>' in response.content


def test_a_reader_is_counted_and_the_page_shows_the_stored_number(ims, client):
    response = read(client)
    assert response.status_code == 200
    stored = view_total(ims.pk)
    assert stored == 24
    assert shown_views(response.content) == (stored, f"{stored} views", stored)
    today = PageViewCount.objects.get(page=ims, date=timezone.localdate())
    assert today.count >= 1


def test_article_pages_count_and_say_1_view_in_the_singular(demo_site, client):
    article = ArticlePage.objects.live().first()
    PageViewCount.objects.filter(page=article).delete()
    response = read(client, article.url)
    assert shown_views(response.content) == (1, "1 view", 1)
    assert view_total(article.pk) == 1


def test_each_page_counts_separately(demo_site, client):
    article = ArticlePage.objects.live().first()
    before = view_totals([article.pk])
    read(client, IMS_URL)
    assert view_totals([article.pk]) == before


def test_unpublished_pages_are_not_served_or_counted(ims, client):
    ims.unpublish()
    assert read(client).status_code == 404
    assert view_total(ims.pk) == 23


# --- exclusions -----------------------------------------------------------------------------


def test_head_requests_are_not_counted(ims, client):
    assert client.head(IMS_URL, HTTP_USER_AGENT=BROWSER_UA).status_code == 200
    assert view_total(ims.pk) == 23


@pytest.mark.parametrize(
    "header, value",
    [
        ("HTTP_SEC_PURPOSE", "prefetch"),
        ("HTTP_SEC_PURPOSE", "prefetch;prerender"),
        ("HTTP_SEC_PURPOSE", "prefetch;anonymous-client-ip"),
        ("HTTP_PURPOSE", "prefetch"),
        ("HTTP_X_MOZ", "prefetch"),
        ("HTTP_X_PURPOSE", "preview"),
    ],
)
def test_prefetch_and_prerender_requests_are_not_counted(ims, client, header, value):
    assert read(client, **{header: value}).status_code == 200
    assert view_total(ims.pk) == 23
    # The same reader's real visit afterwards is counted (the prefetch did not mark it seen).
    read(client)
    assert view_total(ims.pk) == 24


@pytest.mark.parametrize(
    "user_agent",
    [
        "clinic-cms-audit/0.1.0 (+https://github.com/clinic-cms/clinic-cms)",
        "Mozilla/5.0 (compatible; clinic-cms-audit/2.3; +https://github.com/clinic-cms/clinic-cms)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "Screaming Frog SEO Spider/20.4",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/131.0.0.0 Safari/537.36",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "Python-urllib/3.11",
        "Go-http-client/1.1",
        "",
    ],
)
def test_bots_crawlers_and_non_browser_clients_are_not_counted(ims, client, user_agent):
    assert read(client, ua=user_agent).status_code == 200
    assert view_total(ims.pk) == 23


def test_a_phone_whose_brand_ends_in_bot_is_a_reader(ims, client):
    ua = (
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36"
    )
    read(client, ua=ua)
    assert view_total(ims.pk) == 24


def test_our_additions_are_matched_whatever_the_case():
    assert all(token == token.lower() for token in OUR_ADDITIONS)
    assert is_bot("Mozilla/5.0 (compatible; CLINIC-CMS-AUDIT/1.0)", view_count_settings())
    assert not is_bot(BROWSER_UA, view_count_settings())


@override_settings(PAGE_VIEWS={"EXTRA_BOT_PATTERNS": [r"northside-monitor/\d"]})
def test_sites_can_add_their_own_bot_patterns(ims, client):
    read(client, ua=BROWSER_UA + " northside-monitor/1")
    assert view_total(ims.pk) == 23
    read(client)
    assert view_total(ims.pk) == 24


def test_logged_in_editors_are_not_counted(ims, client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    client.force_login(admin)
    assert read(client).status_code == 200
    assert view_total(ims.pk) == 23


def test_users_with_edit_rights_on_the_page_are_not_counted(ims, client, django_user_model):
    editors = Group.objects.create(name="IMS editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=editors, page=ims, permission=Permission.objects.get(codename="change_page")
    )
    editor = django_user_model.objects.create_user("ed", "ed@example.com", "x")
    editor.groups.add(editors)
    client.force_login(editor)
    read(client)
    assert view_total(ims.pk) == 23
    # The same editor reading a page they cannot edit is a reader there.
    article = ArticlePage.objects.live().first()
    before = view_total(article.pk)
    read(client, article.url)
    assert view_total(article.pk) == before + 1


def test_logged_in_users_without_edit_rights_are_counted(ims, client, django_user_model):
    reader = django_user_model.objects.create_user("pat", "pat@example.com", "x")
    client.force_login(reader)
    read(client)
    assert view_total(ims.pk) == 24


@override_settings(PAGE_VIEWS={"COUNT_EDITORS": True})
def test_a_setting_counts_editors_too(ims, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "x"))
    read(client)
    assert view_total(ims.pk) == 24


@override_settings(PAGE_VIEWS={"COUNT_EDITORS": True})
def test_previews_are_not_counted(ims, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "x"))
    # "View draft" serves the latest revision as a preview, with a browser User-Agent.
    response = client.get(f"/admin/pages/{ims.pk}/view_draft/", HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 200
    assert b"view-count" in response.content
    assert view_total(ims.pk) == 23
    # Wagtail's own preview machinery (used by the editor's preview panel) likewise.
    preview = ims.make_preview_request()
    assert preview.status_code == 200
    assert view_total(ims.pk) == 23


@override_settings(PAGE_VIEWS={"ENABLED": False})
def test_counting_can_be_turned_off_and_counts_are_still_shown(ims, client):
    response = read(client)
    assert view_total(ims.pk) == 23
    assert shown_views(response.content) == (23, "23 views", 23)


@override_settings(PAGE_VIEWS={"EXCLUDE_PATHS": ["/services/"]})
def test_excluded_paths_are_not_counted(ims, client):
    read(client)
    assert view_total(ims.pk) == 23
    article = ArticlePage.objects.live().first()
    before = view_total(article.pk)
    read(client, article.url)
    assert view_total(article.pk) == before + 1


def test_private_pages_are_counted_only_once_the_reader_may_see_them(ims, client):
    PageViewRestriction.objects.create(
        page=ims, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    response = read(client)
    assert response.status_code == 200  # Wagtail's password form, not the page
    assert b"view-count" not in response.content
    assert view_total(ims.pk) == 23


# --- de-duplication -------------------------------------------------------------------------


def test_repeat_views_within_the_window_count_once(ims, client):
    with freeze_time("2026-03-02 10:00:00"):
        first = read(client)
        second = read(client)
        assert view_total(ims.pk) == 24
        # Both show the stored number: the repeat is shown the count it did not change.
        assert shown_views(first.content)[0] == shown_views(second.content)[0] == 24
    with freeze_time("2026-03-02 10:29:00"):
        read(client)
        assert view_total(ims.pk) == 24
    with freeze_time("2026-03-02 10:31:00"):
        read(client)
        assert view_total(ims.pk) == 25


def test_a_different_browser_or_address_is_a_different_reader(ims, client):
    read(client)
    read(client, ua=OTHER_BROWSER_UA)
    read(client, REMOTE_ADDR="192.0.2.7")
    assert view_total(ims.pk) == 26


@override_settings(PAGE_VIEWS={"DEDUP_WINDOW": 120})
def test_the_window_is_a_setting(ims, client):
    with freeze_time("2026-03-02 10:00:00"):
        read(client)
    with freeze_time("2026-03-02 10:01:59"):
        read(client)
        assert view_total(ims.pk) == 24
    with freeze_time("2026-03-02 10:02:01"):
        read(client)
        assert view_total(ims.pk) == 25


@override_settings(PAGE_VIEWS={"DEDUP_WINDOW": 0})
def test_a_zero_window_turns_de_duplication_off(ims, client):
    for _ in range(5):
        read(client)
    assert view_total(ims.pk) == 28


@override_settings(PAGE_VIEWS={"CLIENT_IP_HEADER": "X-Forwarded-For"})
def test_behind_a_proxy_the_reader_is_the_address_the_proxy_saw(ims, client):
    read(client, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1")
    # A client-supplied first entry cannot make a repeat look like a new reader.
    read(client, HTTP_X_FORWARDED_FOR="203.0.113.10, 198.51.100.1")
    assert view_total(ims.pk) == 24
    read(client, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert view_total(ims.pk) == 25


# --- the daily salt and privacy -------------------------------------------------------------


@override_settings(TIME_ZONE="America/Vancouver")
def test_the_salt_rotates_daily_so_hashes_do_not_link_days(ims, client):
    # Days are the site's days: midnight in its own zone.
    with freeze_time("2026-03-02 23:50:00-08:00"):
        read(client)
        salt_monday = daily_salt(cache, datetime.date(2026, 3, 2))
    with freeze_time("2026-03-03 00:05:00-08:00"):
        # Within 30 minutes, but a new day: a new salt, so a new reader hash, so counted.
        read(client)
        salt_tuesday = daily_salt(cache, datetime.date(2026, 3, 3))
    assert view_total(ims.pk) == 25
    assert salt_monday != salt_tuesday
    same_reader = ("127.0.0.1", BROWSER_UA, ims.pk)
    assert reader_hash(salt_monday, *same_reader) != reader_hash(salt_tuesday, *same_reader)
    # Counts landed on each local day.
    days = dict(PageViewCount.objects.filter(page=ims).values_list("date", "count"))
    assert days[datetime.date(2026, 3, 3)] == 1


def test_the_salt_is_random_not_derived_from_the_date(ims):
    day = datetime.date(2026, 3, 2)
    first = daily_salt(cache, day)
    assert daily_salt(cache, day) == first  # stable within the day
    cache.delete(f"{SALT_KEY_PREFIX}{day.isoformat()}")
    assert daily_salt(cache, day) != first  # once gone, it cannot be recreated


def test_no_ip_address_or_user_agent_is_stored(ims, client):
    read(client, REMOTE_ADDR="198.51.100.23")
    assert view_total(ims.pk) == 24
    columns = {field.column for field in PageViewCount._meta.concrete_fields}
    assert columns == {"id", "page_id", "date", "count"}
    # Nor in the cache keys or values used for de-duplication.
    for key, value in cache._cache.items():  # LocMemCache internals, test-only peek
        text = f"{key}{value!r}"
        assert "198.51.100.23" not in text and "Chrome" not in text


# --- storage --------------------------------------------------------------------------------


def test_increment_adds_one_per_call_and_view_totals_reads_many_pages_in_one_query(
    demo_site, django_assert_num_queries
):
    pages = list(Page.objects.live().type(ServicePage, ArticlePage).order_by("pk"))
    PageViewCount.objects.all().delete()
    for _ in range(3):
        increment(pages[0].pk)
    increment(pages[1].pk)
    increment(pages[1].pk, datetime.date(2025, 1, 1))
    with django_assert_num_queries(1):
        totals = view_totals(p.pk for p in pages)
    assert totals[pages[0].pk] == 3
    assert totals[pages[1].pk] == 2
    assert all(totals[p.pk] == 0 for p in pages[2:])
    assert view_totals([]) == {}
    assert PageViewCount.objects.filter(page=pages[1]).count() == 2


def test_increment_returns_the_new_total(demo_site):
    page = ServicePage.objects.get(slug="ims")
    increment(page.pk, datetime.date(2020, 2, 2))
    assert increment(page.pk) == 25 == view_total(page.pk)


def test_counting_adds_one_query_to_the_page(ims, client):
    """The page reads its total either way; a counted view adds the upsert, run once the page
    has rendered (so a page that fails in its template counts nothing)."""
    read(client, ua="curl/8.5.0")  # warm Wagtail's per-process caches (site root paths…)
    with CaptureQueriesContext(connection) as not_counted:
        read(client, ua="curl/8.5.0")
    with CaptureQueriesContext(connection) as counted:
        response = read(client)
    assert view_total(ims.pk) == 24
    assert shown_views(response.content)[0] == 24
    assert len(counted.captured_queries) - len(not_counted.captured_queries) == 1


def test_sequential_increments_are_exact(demo_site):
    """The SQLite-friendly variant of the concurrency test below."""
    page = ServicePage.objects.get(slug="ims")
    for _ in range(200):
        increment(page.pk)
    assert view_total(page.pk) == 223


@pytest.mark.parametrize(
    "value, message",
    [
        ({"DEDUP_WINDOWS": 5}, "unknown key"),
        ({"DEDUP_WINDOW": -1}, ">= 0"),
        ({"ENABLED": "no"}, "True or False"),
        ({"EXCLUDE_PATHS": "/x/"}, "list of strings"),
        ({"EXTRA_BOT_PATTERNS": ["(unclosed"]}, "not a valid RE2 regex"),
        ({"EXTRA_BOT_PATTERNS": [r"(?<!x)monitor"]}, "without backreferences or lookaround"),
    ],
)
def test_bad_settings_give_a_one_line_error(value, message):
    with override_settings(PAGE_VIEWS=value), pytest.raises(ImproperlyConfigured) as error:
        view_count_settings()
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path):
    (tmp_path / "bad_page_views_settings.py").write_text(
        'from cms.settings.test import *  # noqa: F403\nPAGE_VIEWS = {"ADDRESS_CAP": -1}\n'
    )
    inherited = os.environ.get("PYTHONPATH")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "bad_page_views_settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), inherited])),
        },
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "Configuration error: PAGE_VIEWS['ADDRESS_CAP'] must be a whole number >= 0, not -1.\n"
    )
