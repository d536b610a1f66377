"""A possible duplicate is merged with one click from the existing page's to-do (issue 26):
its old URL redirects to the page, its old views are added to the page's, no duplicate draft
exists, and a second click changes nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

from importer.models import ImportedPage, TodoItem
from pageviews.api import views_for
from tests.users.helpers import client_for, make_user
from users.roles import EDITORS

OLD = "/post/what-is-ims"
OLD_VIEWS = 9  # the old post's "9 views" (tests/importer/old_site.py)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_site", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def duplicate(demo_site, wix) -> TodoItem:
    run(wix.base + "/")
    return TodoItem.objects.get(kind=TodoItem.Kind.DUPLICATE)


@pytest.fixture
def editor(demo_site):
    return client_for(make_user("eddie", group=EDITORS))


@pytest.mark.django_db
def test_one_click_merges_the_duplicate_and_a_second_click_does_nothing(
    duplicate, editor, client, wix
):
    existing = Page.objects.get(pk=duplicate.page_id).specific
    assert existing.live and existing.title.startswith("What is IMS")
    assert duplicate.source_url == wix.base + OLD and duplicate.views == OLD_VIEWS
    assert not ImportedPage.objects.filter(source_url=wix.base + OLD).exists()  # no draft
    edit = reverse("wagtailadmin_pages:edit", args=[existing.pk])
    html = editor.get(edit).content.decode()
    assert "possible duplicate: the old page" in html and "data-import-todo-merge" in html
    assert client.get(OLD + "/").status_code == 404  # the old URL is dead before the merge
    before = views_for(existing)

    response = editor.post(reverse("site_import:todo_merge", args=[duplicate.pk]))
    assert response.status_code == 302 and response["Location"] == edit
    # 1. The old URL redirects to the existing page.
    answer = client.get(OLD + "/")
    assert answer.status_code == 301 and answer["Location"] == existing.get_url()
    # 2. Its views are added to the page's.
    assert views_for(existing) == before + OLD_VIEWS
    # 3. No duplicate draft; the item is closed as merged, by the editor.
    duplicate.refresh_from_db()
    assert duplicate.merged and not duplicate.is_open and duplicate.done_by.username == "eddie"
    assert not Page.objects.filter(title=existing.title).exclude(pk=existing.pk).exists()
    html = editor.get(edit).content.decode()
    assert f"Merged: {wix.base}{OLD} now redirects here" in html
    assert "data-import-todo-merge" not in html

    # A second click (or a stale form): nothing happens twice.
    response = editor.post(reverse("site_import:todo_merge", args=[duplicate.pk]))
    assert response.status_code == 302
    assert views_for(existing) == before + OLD_VIEWS
    assert Redirect.objects.filter(old_path=OLD).count() == 1
    assert "Already merged: nothing changed." in editor.get(edit).content.decode()
    # A re-import finds the duplicate again but does not reopen it.
    run(wix.base + "/")
    assert list(TodoItem.objects.filter(kind=TodoItem.Kind.DUPLICATE)) == [duplicate]
    duplicate.refresh_from_db()
    assert duplicate.merged and views_for(existing) == before + OLD_VIEWS


@pytest.mark.django_db
def test_the_merge_redirect_follows_the_page_out_and_back(duplicate, editor, client):
    existing = Page.objects.get(pk=duplicate.page_id).specific
    editor.post(reverse("site_import:todo_merge", args=[duplicate.pk]))
    existing.unpublish()
    assert client.get(OLD + "/").status_code == 404
    existing.get_latest_revision().publish()
    assert client.get(OLD + "/").status_code == 301


@pytest.mark.django_db
def test_a_merge_onto_a_path_taken_elsewhere_says_why_and_changes_nothing(
    duplicate, editor, demo_site
):
    existing = Page.objects.get(pk=duplicate.page_id)
    Redirect.objects.create(old_path=OLD, site=existing.get_site(), redirect_link="/elsewhere/")
    before = views_for(existing)
    response = editor.post(reverse("site_import:todo_merge", args=[duplicate.pk]), follow=True)
    assert response.status_code == 200
    assert f"Not merged: a redirect from {OLD} already goes elsewhere" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.is_open and not duplicate.merged and views_for(existing) == before


@pytest.mark.django_db
def test_only_a_duplicate_merges_and_only_for_its_editors(duplicate, editor, demo_site):
    problem = TodoItem.objects.filter(kind=TodoItem.Kind.PROBLEM).first()
    response = editor.post(reverse("site_import:todo_merge", args=[problem.pk]), follow=True)
    assert "Not merged: only a possible duplicate can be merged." in response.content.decode()
    outsider = make_user("olly")  # in the admin, but may not edit the page
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    response = client_for(outsider).post(reverse("site_import:todo_merge", args=[duplicate.pk]))
    assert response.status_code == 403
    duplicate.refresh_from_db()
    assert not duplicate.merged
