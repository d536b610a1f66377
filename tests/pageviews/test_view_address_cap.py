"""One client cannot pump a page's count: a cap per client address and page, whatever the
User-Agent, for page GETs and the beacon alike; and our own auditor's requests never count."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from freezegun import freeze_time

from pageviews.conf import view_count_settings
from pageviews.service import address_cap_reached, view_total
from tests.pageviews.view_helpers import BROWSER_UA, IMS_URL

pytestmark = pytest.mark.django_db

OFFICE = "198.51.100.20"  # one address shared by many readers (an office, a phone carrier)
HOME = "203.0.113.77"


def browser(n: int) -> str:
    """A distinct, browser-looking User-Agent per n (what a pumping script rotates through)."""
    return f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{100 + n}.0) Gecko/20100101 Firefox/{n}"


def read(client, n: int, address: str = OFFICE, **headers):
    return client.get(IMS_URL, HTTP_USER_AGENT=browser(n), REMOTE_ADDR=address, **headers)


def beacon(client, page_id: int, n: int, address: str = OFFICE, **headers):
    return client.post(
        f"/api/v2/pages/{page_id}/view/",
        HTTP_USER_AGENT=browser(n),
        REMOTE_ADDR=address,
        **headers,
    )


def test_200_user_agents_from_one_address_count_10_views(ims, client):
    before = view_total(ims.pk)
    for n in range(200):
        assert read(client, n).status_code == 200
    assert view_total(ims.pk) == before + 10


def test_readers_behind_one_address_count_until_the_cap(ims, client):
    before = view_total(ims.pk)
    for n in range(4):
        read(client, n)
        read(client, n)  # each reader's reload is still a repeat
    assert view_total(ims.pk) == before + 4


def test_each_address_has_its_own_cap(ims, client):
    before = view_total(ims.pk)
    for n in range(15):
        read(client, n, OFFICE)
        read(client, n, HOME)
    assert view_total(ims.pk) == before + 20


def test_the_cap_is_per_page(ims, client, demo_site):
    for n in range(12):
        read(client, n)
    other_service = ims.get_siblings().live().exclude(pk=ims.pk).first().specific
    before = view_total(other_service.pk)
    client.get(other_service.url, HTTP_USER_AGENT=browser(0), REMOTE_ADDR=OFFICE)
    assert view_total(other_service.pk) == before + 1


def test_the_beacon_obeys_the_same_cap_as_the_page(ims, client):
    before = view_total(ims.pk)
    for n in range(6):
        read(client, n)
    answers = [beacon(client, ims.pk, n).json() for n in range(6, 12)]
    assert [answer["counted"] for answer in answers] == [True] * 4 + [False] * 2
    assert answers[-1]["reason"] == "address-cap"
    assert answers[-1]["view_count"] == before + 10
    assert view_total(ims.pk) == before + 10


def test_beacon_alone_is_capped(ims, client):
    before = view_total(ims.pk)
    answers = [beacon(client, ims.pk, n).json()["counted"] for n in range(30)]
    assert answers.count(True) == 10
    assert view_total(ims.pk) == before + 10


def test_the_cap_holds_for_any_30_minutes_and_frees_up_as_views_age(ims, client):
    before = view_total(ims.pk)
    with freeze_time("2026-03-02 10:00:00"):
        for n in range(5):
            read(client, n)
    with freeze_time("2026-03-02 10:20:00"):
        for n in range(5, 20):
            read(client, n)
        assert view_total(ims.pk) == before + 10
    with freeze_time("2026-03-02 10:29:59"):
        read(client, 20)
        assert view_total(ims.pk) == before + 10
    with freeze_time("2026-03-02 10:30:01"):
        # The five views of 10:00 have left the window; those of 10:20 have not.
        for n in range(21, 40):
            read(client, n)
        assert view_total(ims.pk) == before + 15
    with freeze_time("2026-03-02 10:50:01"):
        read(client, 40)
        assert view_total(ims.pk) == before + 16


@override_settings(PAGE_VIEWS={"CLIENT_IP_HEADER": "X-Forwarded-For"})
def test_behind_a_proxy_the_cap_is_on_the_address_the_proxy_saw(ims, client):
    before = view_total(ims.pk)
    for n in range(30):
        # The client makes up the first entry; our proxy appends the address it saw.
        read(client, n, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, {HOME}")
    assert view_total(ims.pk) == before + 10
    read(client, 99, HTTP_X_FORWARDED_FOR="192.0.2.5")
    assert view_total(ims.pk) == before + 11


@override_settings(PAGE_VIEWS={"ADDRESS_CAP": 3, "ADDRESS_CAP_WINDOW": 60})
def test_the_cap_and_its_window_are_settings(ims, client):
    before = view_total(ims.pk)
    with freeze_time("2026-03-02 10:00:00"):
        for n in range(8):
            read(client, n)
        assert view_total(ims.pk) == before + 3
    with freeze_time("2026-03-02 10:01:01"):
        read(client, 8)
        assert view_total(ims.pk) == before + 4


@override_settings(PAGE_VIEWS={"ADDRESS_CAP": 0})
def test_a_zero_cap_turns_it_off(ims, client):
    before = view_total(ims.pk)
    for n in range(25):
        read(client, n)
    assert view_total(ims.pk) == before + 25


@pytest.mark.parametrize(
    "value, message",
    [
        ({"ADDRESS_CAP": -1}, ">= 0"),
        ({"ADDRESS_CAP": "10"}, ">= 0"),
        ({"ADDRESS_CAP": 1001}, "at most 1000"),
        ({"ADDRESS_CAP_WINDOW": 1.5}, ">= 0"),
    ],
)
def test_bad_cap_settings_give_a_one_line_error(value, message):
    with override_settings(PAGE_VIEWS=value), pytest.raises(ImproperlyConfigured) as error:
        view_count_settings()
    assert message in str(error.value) and "ADDRESS_CAP" in str(error.value)
    assert "\n" not in str(error.value)


# --- the auditor -----------------------------------------------------------------------------


def test_a_browser_like_request_from_our_auditor_is_not_counted(ims, client):
    before = view_total(ims.pk)
    response = client.get(IMS_URL, HTTP_USER_AGENT=BROWSER_UA, HTTP_X_SEO_AUDIT="1")
    assert response.status_code == 200
    assert view_total(ims.pk) == before
    client.get(IMS_URL, HTTP_USER_AGENT=BROWSER_UA)
    assert view_total(ims.pk) == before + 1


def test_the_beacon_does_not_count_our_auditor_either(ims, client):
    before = view_total(ims.pk)
    answer = beacon(client, ims.pk, 0, HTTP_X_SEO_AUDIT="1").json()
    assert (answer["counted"], answer["reason"]) == (False, "auditor")
    assert beacon(client, ims.pk, 0).json()["counted"] is True
    assert view_total(ims.pk) == before + 1


# --- atomic across processes -----------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/0"
RACERS = 8
TRIES_EACH = 25


def redis_or_skip():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis not running at {REDIS_URL}: {exc}")


def test_racing_requests_on_a_shared_cache_take_exactly_the_cap(ims):
    """8 threads, each with its own Redis connection (as separate server processes would have),
    start together and try 25 new User-Agents each from one address: 10 win, not more."""
    redis_or_skip()
    caches_setting = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-address-cap-{uuid.uuid4().hex}",  # no clash with other runs
        },
    }
    factory = RequestFactory()
    barrier = threading.Barrier(RACERS)
    settings = {"CACHE_ALIAS": "shared", "ADDRESS_CAP_WINDOW": 60}
    with override_settings(CACHES=caches_setting, PAGE_VIEWS=settings):
        config = view_count_settings()

        def racer(index: int) -> list[bool]:
            barrier.wait()
            return [
                address_cap_reached(
                    factory.get(IMS_URL, HTTP_USER_AGENT=browser(index * 100 + n)), ims, config
                )
                for n in range(TRIES_EACH)
            ]

        with ThreadPoolExecutor(max_workers=RACERS) as pool:
            results = [flag for flags in pool.map(racer, range(RACERS)) for flag in flags]
        # Not cache.clear(): RedisCache clears the whole Redis database, not only our prefix.
        prefix = caches_setting["shared"]["KEY_PREFIX"]
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(*client.keys(f"{prefix}:*"))
    assert results.count(False) == 10  # False: under the cap, a slot was taken
