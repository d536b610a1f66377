"""The import in the admin: a plan first, confirmed as a background task, with its report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from wagtail.images import get_image_model
from wagtail.models import Page

from audit.targets import vet_admin_target
from importer.models import ImportedImage, ImportedPage, ImportRun
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
    # Skipped old URLs are counted and each says why and where its readers could go.
    assert "2 skipped (not content pages: each says why below)" in shown
    assert "a listing of other pages" in shown
    assert "<span data-suggested-redirect>suggested: /articles/</span>" in shown


@pytest.mark.django_db
@pytest.mark.parametrize(
    "source", ["http://10.1.2.3/", "http://[::ffff:0:7f00:1]:8000/", "http://[64:ff9b::a01:203]/"]
)
def test_private_address_is_refused_with_one_line(admin_client_, source):
    response = admin_client_.post(
        reverse("site_import:index"), {"source_url": source, "into": "auto"}
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


@pytest.mark.django_db
def test_a_decompression_bomb_from_the_admin_leaves_out_that_image_only(
    admin_client_, wix, django_capture_on_commit_callbacks
):
    """Issue 24 case 3 through the admin (plan, then confirm, as an editor does it): one old
    page carries a 30000×30000 PNG. Every page is imported, that one without the image, the
    to-do says why, and no image row is left without its import record."""
    from tests.importer.old_site import FOREARM_ID
    from tests.importer.test_bad_input import _png_claiming

    bomb = f"/media/{FOREARM_ID}~mv2.jpg"
    wix.routes[bomb] = (200, "image/png", _png_claiming(30_000, 30_000))
    images_before = set(get_image_model().objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            reverse("site_import:index"), {"source_url": wix.base + "/", "into": "auto"}
        )
    plan = ImportRun.objects.get()
    planned = {p["url"] for p in plan.report["pages"] if p["action"] in ("created", "updated")}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(reverse("site_import:confirm", args=[plan.pk]))
    run = ImportRun.objects.exclude(pk=plan.pk).get()

    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    imported = ImportedPage.objects.filter(page__isnull=False)
    assert {"ims-forearm", "desk-neck-stretches"} <= set(
        ArticlePage.objects.values_list("slug", flat=True)
    )
    assert imported.filter(source_url__endswith="/post/ims-forearm").exists()
    # Every page the plan would import is imported, the one with the bomb too: none failed.
    done = {p["url"]: p["action"] for p in run.report["pages"]}
    assert planned and {url for url, action in done.items() if action == "created"} == planned
    assert "failed" not in done.values()
    assert set(imported.values_list("source_url", flat=True)) == planned
    shown = admin_client_.get(reverse("site_import:run", args=[run.pk])).content.decode()
    assert f"{bomb} has more pixels than we import" in shown  # the to-do, with the reason
    assert "Traceback" not in shown
    new_images = set(get_image_model().objects.values_list("pk", flat=True)) - images_before
    assert new_images == set(ImportedImage.objects.values_list("image_id", flat=True))
    assert not ImportedImage.objects.filter(source_url=wix.base + bomb).exists()


@pytest.mark.django_db
def test_a_site_on_this_machine_is_refused_as_audits_refuse_it_with_a_link_to_the_setting(
    admin_client_, wix, settings
):
    """Issue 26: the admin import takes the audit's allow-list (SEO_AUDIT_ALLOWED_HOSTS and
    this CMS's own sites), refuses with the audit's message, and links to where it is set."""
    settings.SEO_AUDIT_ALLOWED_HOSTS = []
    source = wix.base + "/"
    with pytest.raises(ValidationError) as refused:
        vet_admin_target(source)
    message = escape(refused.value.messages[0])
    assert "private or reserved address" in message and "SEO_AUDIT_ALLOWED_HOSTS" in message

    response = admin_client_.post(reverse("site_import:index"), {"source_url": source})
    html = response.content.decode()
    assert response.status_code == 200 and not ImportRun.objects.exists()
    link = reverse("site_import:allowed_hosts")
    assert f'{message} See <a href="{link}" data-allowed-hosts-link>' in html
    # The audit's own form says the same.
    audit = admin_client_.post("/admin/seo-audits/start/", {"target_url": source}, follow=True)
    assert f"Not started: {message}" in audit.content.decode()

    shown = admin_client_.get(link).content.decode()
    assert "environment variable <code>SEO_AUDIT_ALLOWED_HOSTS</code>" in shown
    assert "Not set: no extra host is allowed." in shown
    host = source.split("//")[1].rstrip("/")
    settings.SEO_AUDIT_ALLOWED_HOSTS = [host]
    assert f"<li><code>{host}</code></li>" in admin_client_.get(link).content.decode()
    response = admin_client_.post(
        reverse("site_import:index"), {"source_url": source, "into": "auto"}
    )
    assert response.status_code == 302 and ImportRun.objects.count() == 1


@pytest.mark.django_db
def test_the_allowed_hosts_page_is_for_administrators(demo_site):
    editor = get_user_model().objects.create_user("ed", "ed@clinic.test", "x-long-pass")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert logged_in(editor).get(reverse("site_import:allowed_hosts")).status_code == 403
