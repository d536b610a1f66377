"""pages.events, the one source of change events: each path announces exactly what changed,
once it has committed, and nothing for a scheduled page, a reorder or a rolled-back change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time
from wagtail.contrib.redirects.models import Redirect

from pages import events
from pages.models import ServicePage


class Committed(list):
    """(type, page or object id) of each change_committed; ``changes`` the Change objects."""

    def __init__(self, capture) -> None:
        super().__init__()
        self.changes: list[events.Change] = []
        self._capture = capture

    def commit(self):
        """A block whose on-commit callbacks run at its end, as if it committed."""
        return self._capture(execute=True)

    def receive(self, sender, change: events.Change, **kwargs) -> None:
        self.changes.append(change)
        self.append((change.type, change.page_id or change.object_id))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Every change announced as committed, with the test's on-commit callbacks run."""
    seen = Committed(django_capture_on_commit_callbacks)
    events.change_committed.connect(seen.receive, dispatch_uid="test_events_committed")
    try:
        yield seen
    finally:
        events.change_committed.disconnect(dispatch_uid="test_events_committed")


@pytest.fixture
def ims(demo_site) -> ServicePage:
    return ServicePage.objects.get(slug="ims")


def test_publish_and_unpublish_are_announced_once_each(ims, committed):
    with committed.commit():
        ims.save_revision().publish()
        ims.unpublish()
    assert committed == [(events.PAGE_PUBLISHED, ims.pk), (events.PAGE_UNPUBLISHED, ims.pk)]


def test_scheduling_a_never_published_page_announces_nothing_until_it_goes_live(ims, committed):
    # Wagtail sends page_published at scheduling time here (Wagtail #13959).
    with committed.commit():
        ims.unpublish()
        now = timezone.now()
        ims.go_live_at = now + timedelta(hours=1)
        ims.save_revision().publish()
    assert committed == [(events.PAGE_UNPUBLISHED, ims.pk)]
    with freeze_time(now + timedelta(hours=1, minutes=1)), committed.commit():
        call_command("publish_scheduled")
    assert committed[1:] == [(events.PAGE_PUBLISHED, ims.pk)]


def test_expiry_through_publish_scheduled_is_an_unpublish(ims, committed):
    now = timezone.now()
    ims.expire_at = now + timedelta(hours=1)
    with committed.commit():
        ims.save_revision().publish()
    with freeze_time(now + timedelta(hours=2)), committed.commit():
        call_command("publish_scheduled")
    assert committed == [(events.PAGE_PUBLISHED, ims.pk), (events.PAGE_UNPUBLISHED, ims.pk)]


def test_deleting_a_live_page_is_a_delete_not_an_unpublish(ims, committed):
    pk = ims.pk
    with committed.commit():
        ims.delete()
    assert committed == [(events.PAGE_DELETED, pk)]


def test_deleting_a_section_announces_each_published_page_below_it(demo_site, committed):
    services = ServicePage.objects.get(slug="ims").get_parent()
    below = set(services.get_descendants().live().values_list("pk", flat=True))
    assert below
    with committed.commit():
        services.delete()
    assert {pk for kind, pk in committed if kind == events.PAGE_DELETED} == below | {services.pk}
    assert all(kind == events.PAGE_DELETED for kind, _ in committed)


def test_a_slug_change_is_a_move_with_the_new_and_old_url_paths(ims, committed):
    old = ims.url_path
    ims.slug = "ims-therapy"
    with committed.commit():
        ims.save_revision().publish()
    kinds = [kind for kind, _ in committed]
    assert kinds == [events.PAGE_MOVED, events.PAGE_PUBLISHED]
    ims.refresh_from_db()
    detail = committed.changes[0].detail
    assert (detail["old_url_path"], detail["new_url_path"]) == (old, ims.url_path)


def test_a_move_lists_every_live_page_below_with_its_new_url(ims, demo_site, committed):
    services = ims.get_parent()
    target = demo_site.get_children().exclude(pk=services.pk).first()
    with committed.commit():
        services.move(target, pos="last-child")
    [moved] = committed.changes
    assert moved.type == events.PAGE_MOVED and moved.page_id == services.pk
    assert moved.detail["new_url_path"].startswith(target.url_path)
    below = {d["id"]: d for d in moved.detail["descendants"]}
    assert ims.pk in below
    assert below[ims.pk]["old_url_path"] == ims.url_path
    ims.refresh_from_db()
    assert below[ims.pk]["new_url_path"] == ims.url_path


def test_a_reorder_among_siblings_is_not_a_move(ims, committed):
    sibling = ims.get_siblings(inclusive=False).first()
    with committed.commit():
        ims.move(sibling, pos="left")
    assert committed == []


def test_redirect_changes_are_announced(demo_site, committed):
    with committed.commit():
        redirect = Redirect.objects.create(
            old_path="/old-ims", redirect_link="https://example.org/"
        )
        redirect.delete()
    assert [kind for kind, _ in committed] == [events.REDIRECT_CHANGED] * 2


def test_a_rolled_back_publish_announces_nothing(ims, committed):
    with committed.commit(), pytest.raises(RuntimeError), transaction.atomic():
        ims.save_revision().publish()
        raise RuntimeError("the request failed after publishing")
    assert committed == []
