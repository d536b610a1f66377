"""Editor submits, moderators are e-mailed, a moderator approves, the change goes live;
revisions can be compared and reverted."""

from __future__ import annotations

from html import escape

from django.core import mail
from wagtail.models import Revision

from pages.models import ServicePage
from tests.users.helpers import client_for, editor_form_data, paragraph
from users.roles import TASK_NAME

NEW_TITLE = "IMS: dry needling for long-standing muscle tension"


def submit_change(client, page, title: str = NEW_TITLE):
    url = f"/admin/pages/{page.pk}/edit/"
    data = editor_form_data(client, url, body=[paragraph("<p>Updated by marketing.</p>")])
    data.update({"title": title, "action-submit": "1"})
    return client.post(url, data)


def test_editor_submission_reaches_moderators_and_approval_publishes(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    live_title = ims.title
    editor, moderator = people["editor"], people["moderator"]
    editor_client = client_for(editor)

    assert submit_change(editor_client, ims).status_code == 302
    ims.refresh_from_db()
    state = ims.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert state.requested_by == editor
    assert ims.current_workflow_task.name == TASK_NAME
    assert ims.title == live_title  # not live yet

    # Moderators (and only they: superusers are not copied) get an e-mail naming the page.
    assert [message.to for message in mail.outbox] == [[moderator.email]]
    assert NEW_TITLE in mail.outbox[0].subject
    assert mail.outbox[0].alternatives, "HTML e-mail expected (WAGTAILADMIN_NOTIFICATION_USE_HTML)"

    # The editor sees the state of the submission, in the editor and on the dashboard.
    editor_html = editor_client.get(f"/admin/pages/{ims.pk}/edit/").content.decode()
    assert "In Moderation" in editor_html or "Awaiting" in editor_html
    assert escape(TASK_NAME) in editor_html
    dashboard = editor_client.get("/admin/").content.decode()
    assert "Your pages and snippets in a workflow" in dashboard or "in a workflow" in dashboard
    assert escape(NEW_TITLE) in dashboard

    # The moderator sees it awaiting their review and approves it.
    moderator_client = client_for(moderator)
    assert escape(NEW_TITLE) in moderator_client.get("/admin/").content.decode()
    task_state = state.current_task_state
    mail.outbox.clear()
    response = moderator_client.post(
        f"/admin/pages/workflow/action/{ims.pk}/approve/{task_state.pk}/", {"comment": ""}
    )
    assert response.status_code in (200, 302)

    ims.refresh_from_db()
    assert ims.live and ims.title == NEW_TITLE and not ims.has_unpublished_changes
    state.refresh_from_db()
    assert state.status == "approved"
    assert [message.to for message in mail.outbox] == [[editor.email]]  # "approved" notice
    public = client_for(people["outsider"]).get(ims.url).content.decode()
    assert escape(NEW_TITLE) in public


def test_moderator_can_request_changes_and_the_editor_hears_of_it(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    submit_change(client_for(people["editor"]), ims)
    task_state = ims.current_workflow_state.current_task_state
    mail.outbox.clear()
    response = client_for(people["moderator"]).post(
        f"/admin/pages/workflow/action/{ims.pk}/reject/{task_state.pk}/",
        {"comment": "Please cite the evidence for IMS."},
    )
    assert response.status_code in (200, 302)
    ims.refresh_from_db()
    assert ims.current_workflow_state.status == "needs_changes"
    assert ims.title != NEW_TITLE
    assert [message.to for message in mail.outbox] == [[people["editor"].email]]
    assert "Please cite the evidence for IMS." in mail.outbox[0].body


def test_editors_cannot_approve(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    submit_change(client_for(people["editor"]), ims)
    task_state = ims.current_workflow_state.current_task_state
    client_for(people["editor"]).post(
        f"/admin/pages/workflow/action/{ims.pk}/approve/{task_state.pk}/", {"comment": ""}
    )
    ims.refresh_from_db()
    assert ims.current_workflow_state.status == "in_progress"
    assert ims.title != NEW_TITLE


def test_revisions_compare_and_revert(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    original_title = ims.title
    original = ims.latest_revision
    editor_client = client_for(people["editor"])
    url = f"/admin/pages/{ims.pk}/edit/"
    data = editor_form_data(editor_client, url, body=[paragraph("<p>Draft.</p>")])
    data.update({"title": NEW_TITLE})
    assert editor_client.post(url, data).status_code == 302
    draft = Revision.page_revisions.filter(object_id=str(ims.pk)).latest("created_at")
    assert draft.pk != original.pk

    history = editor_client.get(f"/admin/pages/{ims.pk}/history/")
    assert history.status_code == 200

    compare = editor_client.get(
        f"/admin/pages/{ims.pk}/revisions/compare/{original.pk}...{draft.pk}/"
    )
    assert compare.status_code == 200
    html = compare.content.decode()
    # A word diff of the title: the old words struck out, the new ones added.
    assert 'class="deletion">What is IMS &amp; how does it work' in html
    assert 'class="addition">IMS: dry needling' in html

    compare_live = editor_client.get(f"/admin/pages/{ims.pk}/revisions/compare/live...latest/")
    assert compare_live.status_code == 200

    revert = editor_client.get(f"/admin/pages/{ims.pk}/revisions/{original.pk}/revert/")
    assert revert.status_code == 200
    # The editor opens with the old revision's content, ready to save as the newest draft.
    assert escape(original_title) in revert.content.decode()


def test_the_editor_sees_the_requested_changes_on_the_draft_until_resubmitted(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    editor_client = client_for(people["editor"])
    submit_change(editor_client, ims)
    task_state = ims.current_workflow_state.current_task_state
    client_for(people["moderator"]).post(
        f"/admin/pages/workflow/action/{ims.pk}/reject/{task_state.pk}/",
        {"comment": "Please cite the evidence for IMS."},
    )
    html = editor_client.get(f"/admin/pages/{ims.pk}/edit/").content.decode()
    banner = html[html.index("<span data-changes-requested>") :][:600]
    assert "Changes requested by" in banner
    assert (
        escape(people["moderator"].get_full_name() or people["moderator"].get_username()) in banner
    )
    assert "Please cite the evidence for IMS." in banner
    assert "edit the draft and submit it again" in banner

    # Submitted again: the request is answered, so the banner is gone.
    submit_change(editor_client, ims, title=NEW_TITLE + " (with sources)")
    html = editor_client.get(f"/admin/pages/{ims.pk}/edit/").content.decode()
    assert "data-changes-requested" not in html
