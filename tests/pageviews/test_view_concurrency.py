"""No lost updates: concurrent increments on real connections add up exactly (PostgreSQL).

SQLite takes one database-wide write lock, so its writers are serialised and cannot lose an
update; its shared-cache in-memory test database also fails concurrent writers with "table is
locked" instead of waiting, so the threaded tests run on PostgreSQL only. The sequential
SQLite variant is `test_sequential_increments_are_exact` in test_view_counting.py.
"""

from __future__ import annotations

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from pages.models import ServicePage
from pageviews.models import PageViewCount
from pageviews.service import increment, view_total
from tests.pageviews.view_helpers import BROWSER_UA, IMS_URL, shown_views

pytestmark = pytest.mark.postgres

INCREMENTS = 200
# Real connections, one per thread; PostgreSQL's default max_connections is 100 and other test
# runs share the server, so 200 increments are spread over 40 threads started together.
THREADS = 40


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("threaded increments need PostgreSQL (SQLite serialises all writers)")


def run_together(threads: int, job) -> None:
    """Start `threads` threads at the same instant (a barrier), each running job(index)."""
    barrier = threading.Barrier(threads)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            job(index)
        finally:
            connections.close_all()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(worker, i) for i in range(threads)]:
            future.result()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("async_commit", [True, False], ids=["async-commit", "sync-commit"])
def test_200_concurrent_increments_give_exactly_200(demo_site, async_commit):
    page = ServicePage.objects.get(slug="ims")
    PageViewCount.objects.filter(page=page).delete()  # also exercises the first-row insert race
    per_thread = INCREMENTS // THREADS

    def job(index: int) -> None:
        for _ in range(per_thread):
            increment(page.pk)

    with override_settings(PAGE_VIEWS={"ASYNC_COMMIT": async_commit}):
        run_together(THREADS, job)
        assert view_total(page.pk) == INCREMENTS
        assert PageViewCount.objects.filter(page=page).count() == 1
        # The asynchronous commit applied to the increment's own transaction only.
        with CaptureQueriesContext(connection) as queries:
            increment(page.pk)
        assert ("synchronous_commit" in queries[0]["sql"]) is async_commit
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
        assert view_total(page.pk) == INCREMENTS + 1


@pytest.mark.django_db(transaction=True)
# One client address, so the per-address cap is off too.
@override_settings(PAGE_VIEWS={"DEDUP_WINDOW": 0, "ADDRESS_CAP": 0})
def test_200_concurrent_page_views_over_http_are_all_counted(live_demo_site):
    """End to end: 200 GETs from 16 threads to the threaded live server, de-duplication off."""
    page = ServicePage.objects.get(slug="ims")
    before = view_total(page.pk)
    parts = urlsplit(live_demo_site.url)
    clients = 16
    shown: list[int] = []

    def job(index: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            for _ in range(index, INCREMENTS, clients):
                conn.request("GET", IMS_URL, headers={"User-Agent": BROWSER_UA})
                response = conn.getresponse()
                body = response.read()
                assert response.status == 200
                shown.append(shown_views(body)[0])
        finally:
            conn.close()

    run_together(clients, job)
    assert view_total(page.pk) == before + INCREMENTS
    # The page renders before its view is stored (a page that fails to render counts nothing),
    # so two readers at the same instant may both see the same next total: every shown count
    # lies in the run's range, but the highest need not be the final total.
    assert len(shown) == INCREMENTS
    assert all(before < count <= before + INCREMENTS for count in shown)
    # A reader after the rush sees the exact total, their own view included.
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("GET", IMS_URL, headers={"User-Agent": BROWSER_UA})
        assert shown_views(conn.getresponse().read())[0] == before + INCREMENTS + 1
    finally:
        conn.close()
    assert view_total(page.pk) == before + INCREMENTS + 1
