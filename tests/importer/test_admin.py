"""The import in the admin: a plan first, confirmed as a background task, with its report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from importer.models import ImportRun
from pages.models import ArticlePage


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(demo_site):
    user = get_user_model().objects.create_superuser("boss", "boss@clinic.test", "x-long-pass")
    return logged_in(user)


@pytest.mark.django_db
def test_plan_then_confirm_imports_in_a_task(
    admin_client_, wix, django_capture_on_commit_callbacks
):
    pages = Page.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("site_import:index"), {"source_url": wix.base + "/", "into": "auto"}
        )
    plan = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{plan.pk}/")
    assert plan.status == ImportRun.Status.SUCCEEDED and plan.options["dry_run"]
    assert Page.objects.count() == pages  # the plan wrote nothing
    shown = admin_client_.get(reverse("site_import:run", args=[plan.pk])).content.decode()
    assert "Import these pages as drafts" in shown
    assert "/post/ims-forearm" in shown and "possible duplicate" in shown

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(reverse("site_import:confirm", args=[plan.pk]))
    run = ImportRun.objects.exclude(pk=plan.pk).get()
    assert run.status == ImportRun.Status.SUCCEEDED and not run.options["dry_run"]
    assert run.pages_done >= 3
    post = ArticlePage.objects.get(slug="ims-forearm")
    assert not post.live
    shown = admin_client_.get(reverse("site_import:run", args=[run.pk])).content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[post.pk]) in shown
    assert "has no alt text" in shown  # the to-do list
    assert "Import these pages as drafts" not in shown


@pytest.mark.django_db
def test_private_address_is_refused_with_one_line(admin_client_):
    response = admin_client_.post(
        reverse("site_import:index"), {"source_url": "http://10.1.2.3/", "into": "auto"}
    )
    assert response.status_code == 200
    assert "private or reserved address" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_only_administrators(demo_site):
    editor = get_user_model().objects.create_user("ed", "ed@clinic.test", "x-long-pass")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    response = logged_in(editor).get(reverse("site_import:index"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_run_whose_worker_died_fails_and_frees_the_next_import(admin_client_, wix):
    lost = ImportRun.objects.create(source_url=wix.base + "/", status=ImportRun.Status.RUNNING)
    form = {"source_url": wix.base + "/", "into": "auto"}
    ImportRun.objects.filter(pk=lost.pk).update(heartbeat=timezone.now())
    response = admin_client_.post(reverse("site_import:index"), form)
    assert f"import #{lost.pk} is still running" in response.content.decode()
    assert ImportRun.objects.count() == 1
    ImportRun.objects.filter(pk=lost.pk).update(heartbeat=timezone.now() - timedelta(hours=1))
    shown = admin_client_.get(reverse("site_import:run", args=[lost.pk])).content.decode()
    lost.refresh_from_db()
    assert lost.status == ImportRun.Status.FAILED and "task worker stopped" in shown
    response = admin_client_.post(reverse("site_import:index"), form)
    assert response.status_code == 302 and ImportRun.objects.count() == 2
