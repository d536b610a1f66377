"""What each role can and cannot do, asked of the admin itself."""

from __future__ import annotations

from html import escape
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Site,
    Task,
    Workflow,
    WorkflowState,
    WorkflowTask,
)

from pages.models import ArticleIndexPage, ArticlePage, ClinicImage, ServiceIndexPage, ServicePage
from tests.users.helpers import client_for, editor_form_data, paragraph
from users.roles import EDITORS, MODERATORS, WORKFLOW_NAME, ensure_roles

ALLOWED = "allowed"
DENIED = "denied"


def outcome(response) -> str:
    """Wagtail refuses either with 403 or by redirecting to the dashboard (or to the login)."""
    if response.status_code == 200:
        return ALLOWED
    if response.status_code == 403:
        return DENIED
    if response.status_code == 302 and (
        response["Location"].rstrip("/").endswith("/admin") or "/login/" in response["Location"]
    ):
        return DENIED
    raise AssertionError(f"unexpected {response.status_code} {response.get('Location')}")


def urls(home) -> dict[str, str]:
    services = ServiceIndexPage.objects.get()
    articles = ArticleIndexPage.objects.get()
    ims = ServicePage.objects.get(slug="ims")
    article = ArticlePage.objects.first()
    site = Site.objects.get(is_default_site=True)
    return {
        "dashboard": "/admin/",
        "add service": f"/admin/pages/add/pages/servicepage/{services.pk}/",
        "add article": f"/admin/pages/add/pages/articlepage/{articles.pk}/",
        "edit service": f"/admin/pages/{ims.pk}/edit/",
        "edit article": f"/admin/pages/{article.pk}/edit/",
        "service history": f"/admin/pages/{ims.pk}/history/",
        "images": "/admin/images/",
        "upload image": "/admin/images/multiple/add/",
        "image chooser": "/admin/images/chooser/",
        "documents": "/admin/documents/",
        "upload document": "/admin/documents/multiple/add/",
        "edit home page": f"/admin/pages/{home.pk}/edit/",
        "delete service": f"/admin/pages/{ims.pk}/delete/",
        "users": "/admin/users/",
        "add user": "/admin/users/new/",
        "groups": "/admin/groups/",
        "site settings": f"/admin/settings/pages/clinicsettings/{site.pk}/",
        "sites": "/admin/sites/",
        "workflows": "/admin/workflows/list/",
        "redirects": "/admin/redirects/",
        "page views report": "/admin/reports/page-views/",
        "seo audits": "/admin/seo-audits/",
        "seo audit schedules": "/admin/seo-audits/schedules/",
        "add seo audit schedule": "/admin/seo-audits/schedules/new/",
        "seo findings in editor": f"/admin/seo-audits/pages/{ims.pk}/findings/",
        "check draft": f"/admin/seo-audits/pages/{ims.pk}/check-draft/",
    }


EDITOR_MAY = {
    "dashboard",
    "add service",
    "add article",
    "edit service",
    "edit article",
    "service history",
    "images",
    "upload image",
    "image chooser",
    "documents",
    "upload document",
    "page views report",
    "seo audits",
    "seo findings in editor",
    "check draft",
}
MODERATOR_MAY = EDITOR_MAY | {"delete service", "seo audit schedules", "add seo audit schedule"}


@pytest.mark.django_db
def test_the_migration_creates_both_groups_and_the_workflow():
    assert set(Group.objects.values_list("name", flat=True)) >= {EDITORS, MODERATORS}
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    task = workflow.workflow_tasks.get().task.specific
    assert list(task.groups.values_list("name", flat=True)) == [MODERATORS]


@pytest.mark.django_db
def test_a_migrated_database_has_one_pair_of_groups_and_one_workflow():
    # Wagtail's own migrations add "Editors", "Moderators" and "Moderators approval": a second
    # pair of groups for the marketing roles' jobs, which users/0005 retires while unused.
    assert set(Group.objects.values_list("name", flat=True)) == {EDITORS, MODERATORS}
    assert list(Workflow.objects.values_list("name", flat=True)) == [WORKFLOW_NAME]


@pytest.mark.django_db
def test_ensure_roles_retires_only_the_wagtail_defaults_nobody_uses(django_user_model):
    used = Group.objects.create(name="Editors")
    django_user_model.objects.create_user("in-a-default-group").groups.add(used)
    unused = Group.objects.create(name="Moderators")
    default_workflow = Workflow.objects.create(name="Moderators approval")
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    task.groups.add(unused)
    WorkflowTask.objects.create(workflow=default_workflow, task=task, sort_order=0)

    out = StringIO()
    call_command("ensure_roles", stdout=out, stderr=StringIO())

    assert "Removed Wagtail's unused defaults: Moderators, Moderators approval." in out.getvalue()
    assert set(Group.objects.values_list("name", flat=True)) == {EDITORS, MODERATORS, "Editors"}
    assert not Task.objects.filter(pk=task.pk).exists()
    assert ensure_roles() == []  # nothing more to retire


@pytest.mark.django_db
def test_a_default_workflow_with_moderation_history_stays(demo_site, django_user_model):
    default_workflow = Workflow.objects.create(name="Moderators approval")
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    WorkflowTask.objects.create(workflow=default_workflow, task=task, sort_order=0)
    page = ServicePage.objects.get(slug="ims")
    default_workflow.start(page, django_user_model.objects.create_user("submitter"))
    assert WorkflowState.objects.filter(workflow=default_workflow).exists()
    assert ensure_roles() == []
    assert Workflow.objects.filter(name="Moderators approval").exists()


def test_roles_are_granted_on_the_sections_and_ensure_roles_is_idempotent(demo_site):
    sections = {ServiceIndexPage.objects.get().pk, ArticleIndexPage.objects.get().pk}
    before = GroupPagePermission.objects.count()
    ensure_roles()
    assert GroupPagePermission.objects.count() == before
    granted = GroupPagePermission.objects.filter(group__name=EDITORS)
    assert set(granted.values_list("page_id", flat=True)) == sections
    assert not granted.filter(permission__codename="publish_page").exists()
    moderated = GroupPagePermission.objects.filter(
        group__name=MODERATORS, permission__codename="publish_page"
    )
    assert set(moderated.values_list("page_id", flat=True)) == sections
    for section_id in sections:
        assert Page.objects.get(pk=section_id).get_workflow().name == WORKFLOW_NAME
    # Pages under a section follow its workflow.
    assert ServicePage.objects.get(slug="ims").get_workflow().name == WORKFLOW_NAME


@pytest.mark.parametrize(
    "role,may",
    [("editor", EDITOR_MAY), ("moderator", MODERATOR_MAY), ("admin", None)],
)
def test_each_role_reaches_what_it_may_and_nothing_else(people, demo_site, role, may):
    client = client_for(people[role])
    table = urls(demo_site)
    results = {name: outcome(client.get(url)) for name, url in table.items()}
    expected = {name: ALLOWED if may is None or name in may else DENIED for name in table}
    assert results == expected


def test_someone_without_a_role_cannot_enter_the_admin(people, demo_site):
    client = client_for(people["outsider"])
    for name, url in urls(demo_site).items():
        assert outcome(client.get(url)) == DENIED, name


def test_editors_can_choose_images_in_the_chooser(people, demo_site):
    response = client_for(people["editor"]).get("/admin/images/chooser/results/")
    assert response.status_code == 200
    for image in ClinicImage.objects.all():
        assert image.title in response.content.decode()


def _post_edit(client, page, action: str, title: str):
    url = f"/admin/pages/{page.pk}/edit/"
    data = editor_form_data(client, url, body=[paragraph(f"<p>{title} body.</p>")], title=title)
    data[action] = "1"
    return client.post(url, data)


def test_an_editor_publish_attempt_changes_nothing_live(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    live_title = ims.title
    response = _post_edit(client_for(people["editor"]), ims, "action-publish", "Editor was here")
    assert response.status_code == 302
    ims.refresh_from_db()
    assert ims.title == live_title  # the live page is untouched
    assert ims.has_unpublished_changes  # the edit is kept as a draft
    assert ims.get_latest_revision_as_object().title == "Editor was here"
    assert ims.current_workflow_state is None  # and nothing was submitted behind their back
    page = client_for(people["editor"]).get(ims.url)
    assert escape(live_title) in page.content.decode()


def test_an_editor_sees_submit_but_no_publish_button(people, demo_site):
    ims = ServicePage.objects.get(slug="ims")
    html = client_for(people["editor"]).get(f"/admin/pages/{ims.pk}/edit/").content.decode()
    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_moderators_and_admins_publish_directly(people, demo_site, role):
    ims = ServicePage.objects.get(slug="ims")
    response = _post_edit(client_for(people[role]), ims, "action-publish", f"Published by {role}")
    assert response.status_code == 302
    ims.refresh_from_db()
    assert ims.title == f"Published by {role}"
    assert not ims.has_unpublished_changes


def test_editors_cannot_add_pages_outside_their_sections(people, demo_site):
    client = client_for(people["editor"])
    response = client.get(f"/admin/pages/add/pages/serviceindexpage/{demo_site.pk}/")
    assert outcome(response) == DENIED
    response = client.get(f"/admin/pages/{demo_site.pk}/add_subpage/")
    assert outcome(response) == DENIED


@pytest.mark.parametrize(
    "role,may_start", [("editor", False), ("moderator", True), ("admin", True)]
)
def test_only_moderators_and_admins_may_start_an_audit(people, demo_site, role, may_start):
    from audit.models import AuditRun

    # A target that is not a URL: a permitted user gets past the permission check to the
    # form's error (so no crawl starts); a refused one is stopped before it.
    response = client_for(people[role]).post("/admin/seo-audits/start/", {"target_url": "nope"})
    if may_start:
        assert response.status_code == 302
        assert response["Location"].endswith("/admin/seo-audits/")
    else:
        assert response.status_code == 403
    assert not AuditRun.objects.exists()
