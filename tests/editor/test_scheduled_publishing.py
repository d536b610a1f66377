"""Go-live and expiry dates take effect on the scheduler's tick (publish_scheduled_pages)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from freezegun import freeze_time

from pages.models import ServicePage
from pages.scheduling import publish_scheduled_pages


def test_a_page_goes_live_when_its_go_live_time_has_passed(demo_site):
    page = ServicePage.objects.get(slug="ims")
    page.unpublish()
    now = timezone.now()
    page.go_live_at = now + timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()  # a go-live date in the future: scheduled, not live
    page.refresh_from_db()
    revision.refresh_from_db()
    assert not page.live and revision.approved_go_live_at is not None

    publish_scheduled_pages()  # before the time: nothing happens
    page.refresh_from_db()
    assert not page.live

    with freeze_time(now + timedelta(hours=1, minutes=1)):
        publish_scheduled_pages()
    page.refresh_from_db()
    revision.refresh_from_db()
    assert page.live
    assert revision.approved_go_live_at is None


def test_an_expired_page_goes_offline(demo_site):
    page = ServicePage.objects.get(slug="ims")
    now = timezone.now()
    page.expire_at = now + timedelta(hours=1)
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.live

    publish_scheduled_pages()
    page.refresh_from_db()
    assert page.live

    with freeze_time(now + timedelta(hours=1, minutes=1)):
        publish_scheduled_pages()
    page.refresh_from_db()
    assert not page.live and page.expired


def test_the_scheduled_page_is_served_after_the_tick(demo_site, client):
    page = ServicePage.objects.get(slug="ims")
    url = page.url
    page.unpublish()
    page.go_live_at = timezone.now() - timedelta(minutes=5)
    revision = page.save_revision()
    # Approved while the date was still ahead, as a moderator scheduling it would have done.
    revision.approved_go_live_at = page.go_live_at
    revision.save(update_fields=["approved_go_live_at"])
    assert client.get(url).status_code == 404
    publish_scheduled_pages()
    assert client.get(url).status_code == 200


def test_one_scheduler_tick_publishes_due_pages_and_takes_expired_ones_offline(demo_site):
    """Through the scheduler process's own tick (`manage.py audit_scheduler`, issue #5)."""
    from audit.scheduling import tick

    due = ServicePage.objects.get(slug="ims")
    due.unpublish()
    expiring = ServicePage.objects.exclude(pk=due.pk).first()
    now = timezone.now()
    due.go_live_at = now + timedelta(minutes=30)
    due.save_revision().publish()
    expiring.expire_at = now + timedelta(minutes=30)
    expiring.save_revision().publish()

    with freeze_time(now + timedelta(minutes=31)):
        tick()
    due.refresh_from_db()
    expiring.refresh_from_db()
    assert due.live
    assert not expiring.live and expiring.expired
