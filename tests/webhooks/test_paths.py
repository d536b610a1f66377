"""Publishing paths other than the publish button each fire exactly one delivery per page,
and only after the transaction commits: a moderation workflow approved through the admin,
and Wagtail's bulk publish and unpublish actions."""

from __future__ import annotations

import json

from pages.models import ServicePage
from tests.users.helpers import client_for, editor_form_data, make_role_users, paragraph
from webhooks.models import Delivery, Endpoint, Event


def events_sent(receiver) -> list[tuple[str, int]]:
    return [
        (payload["type"], payload["data"]["page_id"])
        for payload in (json.loads(body) for body in receiver.bodies())
    ]


def test_a_workflow_approval_fires_one_page_published_after_commit(
    demo_site, receiver, django_capture_on_commit_callbacks
):
    people = make_role_users()
    Endpoint.objects.create(url=receiver.url)
    ims = ServicePage.objects.get(slug="ims")
    editor = client_for(people["editor"])
    url = f"/admin/pages/{ims.pk}/edit/"
    data = editor_form_data(editor, url, body=[paragraph("<p>Reviewed text.</p>")])
    data.update({"title": "IMS, reviewed", "action-submit": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        assert editor.post(url, data).status_code == 302
    assert receiver.received == [] and not Delivery.objects.exists()  # submitted, not live
    task_state = ims.current_workflow_state.current_task_state
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(people["moderator"]).post(
            f"/admin/pages/workflow/action/{ims.pk}/approve/{task_state.pk}/", {"comment": ""}
        )
        assert response.status_code in (200, 302)
    # Written with the approval; nothing sent before its transaction commits.
    assert Delivery.objects.count() == 1 and receiver.received == []
    for callback in callbacks:
        callback()
    assert events_sent(receiver) == [("page.published", ims.pk)]
    assert json.loads(receiver.bodies()[0])["data"]["title"] == "IMS, reviewed"
    assert Delivery.objects.get().state == Delivery.State.SUCCEEDED


def bulk(client, action: str, pages) -> int:
    query = "&".join(f"id={page.pk}" for page in pages)
    response = client.post(f"/admin/bulk/wagtailcore/page/{action}/?{query}", {"next": "/admin/"})
    return response.status_code


def test_bulk_publish_and_unpublish_fire_one_event_per_page_after_commit(
    demo_site, manager, receiver, django_capture_on_commit_callbacks
):
    Endpoint.objects.create(url=receiver.url)
    pages = list(ServicePage.objects.live().order_by("pk")[:2])
    for page in pages:
        page.title += " (draft)"
        page.save_revision()  # unpublished changes, for bulk publish to publish
    client = client_for(manager)
    before = Event.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert bulk(client, "publish", pages) == 302
    assert receiver.received == [] and Delivery.objects.count() == 2
    for callback in callbacks:
        callback()
    assert events_sent(receiver) == [("page.published", page.pk) for page in pages]
    receiver.received.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert bulk(client, "unpublish", pages) == 302
    assert receiver.received == []
    for callback in callbacks:
        callback()
    assert events_sent(receiver) == [("page.unpublished", page.pk) for page in pages]
    assert Event.objects.count() == before + 4
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SUCCEEDED}
