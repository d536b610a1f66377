"""The headless view beacon: POST /api/v2/pages/<id>/view/ — same rules, 404s, rate limit."""

from __future__ import annotations

import pytest
from django.test import override_settings
from freezegun import freeze_time
from wagtail.models import PageViewRestriction

from pages.models import ArticlePage
from pageviews.service import view_total
from tests.pageviews.view_helpers import BROWSER_UA, IMS_URL, OTHER_BROWSER_UA

pytestmark = pytest.mark.django_db


def beacon(client, page_id: int, ua: str = BROWSER_UA, **extra):
    return client.post(f"/api/v2/pages/{page_id}/view/", HTTP_USER_AGENT=ua, **extra)


def test_a_reader_view_is_counted_and_the_new_total_returned(ims, client):
    response = beacon(client, ims.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {"id": ims.pk, "view_count": 24, "counted": True, "reason": "counted"}
    assert view_total(ims.pk) == 24


def test_sendbeacon_style_bodies_are_accepted(ims, client):
    response = client.post(
        f"/api/v2/pages/{ims.pk}/view/",
        data="{}",
        content_type="text/plain;charset=UTF-8",
        HTTP_USER_AGENT=BROWSER_UA,
    )
    assert response.json()["view_count"] == 24


def test_the_same_rules_apply_bots_are_not_counted(ims, client):
    response = beacon(client, ims.pk, ua="curl/8.5.0")
    assert response.status_code == 200
    assert response.json() == {"id": ims.pk, "view_count": 23, "counted": False, "reason": "bot"}
    response = beacon(client, ims.pk, ua="clinic-cms-audit/0.1.0 (+https://github.com/x/y)")
    assert response.json()["reason"] == "bot"
    response = beacon(client, ims.pk, HTTP_SEC_PURPOSE="prefetch")
    assert response.json()["reason"] == "prefetch"
    assert view_total(ims.pk) == 23


def test_page_and_beacon_share_one_de_duplication(ims, client):
    """One entry point: a reader counted by the HTML page is a repeat for the beacon."""
    client.get(IMS_URL, HTTP_USER_AGENT=BROWSER_UA)
    assert view_total(ims.pk) == 24
    assert beacon(client, ims.pk).json() == {
        "id": ims.pk,
        "view_count": 24,
        "counted": False,
        "reason": "repeat",
    }
    assert beacon(client, ims.pk, ua=OTHER_BROWSER_UA).json()["view_count"] == 25


@override_settings(PAGE_VIEWS={"EXCLUDE_PATHS": ["/services/"]})
def test_excluded_paths_apply_to_the_page_public_path(ims, client):
    assert beacon(client, ims.pk).json()["reason"] == "excluded-path"
    article = ArticlePage.objects.live().first()
    assert beacon(client, article.pk).json()["counted"] is True


def test_logged_in_editors_are_not_counted(ims, client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.com", "x"))
    assert beacon(client, ims.pk).json()["reason"] == "editor"


@override_settings(PAGE_VIEWS={"ENABLED": False})
def test_when_counting_is_off_the_total_is_still_returned(ims, client):
    assert beacon(client, ims.pk).json() == {
        "id": ims.pk,
        "view_count": 23,
        "counted": False,
        "reason": "disabled",
    }


def test_unknown_pages_are_404(demo_site, client):
    response = beacon(client, 987654)
    assert response.status_code == 404
    assert response.json() == {"error": "No published public page with id 987654."}


def test_draft_pages_are_404(ims, client):
    ims.unpublish()
    assert beacon(client, ims.pk).status_code == 404
    assert view_total(ims.pk) == 23


def test_private_pages_are_404(ims, client):
    PageViewRestriction.objects.create(
        page=ims, restriction_type=PageViewRestriction.PASSWORD, password="letmein"
    )
    assert beacon(client, ims.pk).status_code == 404


def test_pages_under_a_private_section_are_404(ims, client):
    PageViewRestriction.objects.create(
        page=ims.get_parent(), restriction_type=PageViewRestriction.LOGIN
    )
    assert beacon(client, ims.pk).status_code == 404
    assert view_total(ims.pk) == 23


def test_only_post_is_accepted(ims, client):
    assert client.get(f"/api/v2/pages/{ims.pk}/view/").status_code == 405
    assert view_total(ims.pk) == 23


def test_the_api_router_page_detail_route_is_not_shadowed(ims, client):
    # The beacon only claims .../view/; the router's pages/<pk>/ is someone else's answer.
    response = client.get(f"/api/v2/pages/{ims.pk}/")
    assert response.status_code != 405


@override_settings(PAGE_VIEWS={"BEACON_RATE_LIMIT": 3, "BEACON_RATE_WINDOW": 60})
def test_the_beacon_is_rate_limited_per_client(ims, client):
    with freeze_time("2026-03-02 10:00:10"):
        statuses = [beacon(client, ims.pk, ua=f"{BROWSER_UA} r{i}").status_code for i in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = beacon(client, ims.pk)
        assert limited.status_code == 429
        assert limited["Retry-After"] == "50"
        assert "try again in 50 seconds" in limited.json()["error"]
        # Another address has its own allowance.
        assert beacon(client, ims.pk, REMOTE_ADDR="192.0.2.44").status_code == 200
        # Unknown pages count against the limit too (no free probing of ids).
        assert beacon(client, 987654).status_code == 429
    assert view_total(ims.pk) == 23 + 3 + 1
    with freeze_time("2026-03-02 10:01:01"):
        assert beacon(client, ims.pk, ua=f"{BROWSER_UA} next").status_code == 200


@override_settings(PAGE_VIEWS={"BEACON_RATE_LIMIT": 0})
def test_a_zero_rate_limit_turns_it_off(ims, client):
    for i in range(70):
        assert beacon(client, ims.pk, ua=f"{BROWSER_UA} r{i}").status_code == 200
