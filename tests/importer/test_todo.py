"""The import's to-do on each draft, for whoever edits it (issue 26): shown on the page's edit
view, ticked off there by an editor, kept across re-imports; the import page lists drafts by
how much is left to check."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from importer.models import TodoItem
from pages.models import ArticlePage
from tests.importer import old_site
from tests.users.helpers import client_for, make_user
from users.roles import EDITORS

POST = "/post/ims-forearm"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_site", *args, stdout=out)
    return out.getvalue()


def shown_items(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-import-todo="(\d+)"', html)]


@pytest.fixture
def imported(demo_site, wix) -> ArticlePage:
    run(wix.base + "/")
    return ArticlePage.objects.get(slug="ims-forearm")


@pytest.fixture
def editor(demo_site):
    return client_for(make_user("eddie", group=EDITORS))


@pytest.mark.django_db
def test_an_editor_sees_the_drafts_to_do_on_the_draft_and_ticks_items_off(imported, editor):
    items = list(TodoItem.objects.filter(page=imported))
    texts = [item.text for item in items]
    assert any("has no alt text" in text for text in texts)  # an image to describe
    assert all(item.is_open for item in items)
    edit = reverse("wagtailadmin_pages:edit", args=[imported.pk])

    html = editor.get(edit).content.decode()
    assert "data-import-todo-list" in html
    assert f"to check on this page ({len(items)} open)" in html
    assert shown_items(html) == [item.pk for item in items]

    first = items[0]
    response = editor.post(reverse("site_import:todo_done", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == edit
    first.refresh_from_db()
    assert not first.is_open and first.done_by.username == "eddie"
    html = editor.get(edit).content.decode()
    assert "Import to-do item ticked off." in html
    assert shown_items(html) == [item.pk for item in items[1:]]
    # Ticking it twice keeps the first tick.
    done_at = first.done_at
    editor.post(reverse("site_import:todo_done", args=[first.pk]))
    first.refresh_from_db()
    assert first.done_at == done_at


@pytest.mark.django_db
def test_only_someone_who_can_edit_the_page_ticks_its_items(imported):
    outsider = make_user("olly")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    item = TodoItem.objects.filter(page=imported).first()
    response = client_for(outsider).post(reverse("site_import:todo_done", args=[item.pk]))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.is_open
    missing = client_for(outsider).post(reverse("site_import:todo_done", args=[10**9]))
    assert missing.status_code == 404
    # A GET changes nothing.
    editor = client_for(make_user("eddie", group=EDITORS))
    assert editor.get(reverse("site_import:todo_done", args=[item.pk])).status_code == 405


@pytest.mark.django_db
def test_a_missing_date_is_a_to_do_item_on_the_draft(demo_site, plain, editor):
    undated = old_site.PLAIN_ARTICLE.replace(
        '<time datetime="2023-12-01">1 December 2023</time>', ""
    )
    plain.page("/news/winter-running", undated)
    run(plain.base + "/")
    item = TodoItem.objects.get(text="no publication date was found: set the article date")
    assert item.page_id == ArticlePage.objects.get(slug="winter-running").pk
    html = editor.get(reverse("wagtailadmin_pages:edit", args=[item.page_id])).content.decode()
    assert "no publication date was found: set the article date" in html


@pytest.mark.django_db
def test_a_re_import_keeps_ticked_items_ticked_and_adds_none_twice(imported, editor, wix):
    items = list(TodoItem.objects.filter(page=imported).order_by("pk"))
    editor.post(reverse("site_import:todo_done", args=[items[0].pk]))
    run(wix.base + "/")
    again = list(TodoItem.objects.filter(page=imported).order_by("pk"))
    assert [i.pk for i in again] == [i.pk for i in items]
    assert not again[0].is_open and all(i.is_open for i in again[1:])


@pytest.mark.django_db
def test_the_import_page_lists_drafts_by_open_items(imported, editor):
    admin = client_for(make_user("ada", superuser=True))
    html = admin.get(reverse("site_import:index")).content.decode()
    table = html[html.index('id="import-drafts"') :]
    listed = [int(pk) for pk in re.findall(r'<tr data-page="(\d+)">', table)]
    counts = {
        pk: TodoItem.objects.filter(page_id=pk, done_at__isnull=True).count() for pk in listed
    }
    assert imported.pk in listed and len(listed) >= 2
    assert [counts[pk] for pk in listed] == sorted(counts.values(), reverse=True)
    # The editor ticks every item of the page with the most: it drops out of the list.
    for item in TodoItem.objects.filter(page_id=listed[0]):
        editor.post(reverse("site_import:todo_done", args=[item.pk]))
    html = admin.get(reverse("site_import:index")).content.decode()
    assert f'<tr data-page="{listed[0]}">' not in html
