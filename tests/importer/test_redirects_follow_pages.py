"""An imported old URL redirects only while its page is live: published by hand or at its
scheduled go-live, removed again on unpublish (issue 26)."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time
from wagtail.contrib.redirects.models import Redirect

from importer.models import ImportRedirect
from pages.models import ArticlePage

OLD = "/post/ims-forearm"


def reached(client, path: str) -> tuple[int, str]:
    """(status, path) where a reader of ``path`` ends up (Django adds the trailing slash
    with a 301 of its own first)."""
    response = client.get(path, follow=True)
    where = response.redirect_chain[-1][0] if response.redirect_chain else path
    return response.status_code, where


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_site", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(demo_site, wix) -> ArticlePage:
    run(wix.base + "/", "--only", wix.base + OLD)
    return ArticlePage.objects.get(slug="ims-forearm")


@pytest.mark.django_db
def test_the_old_url_waits_for_the_page_then_follows_it_out(imported, client):
    assert not imported.live
    assert reached(client, OLD) == (404, OLD + "/")  # not a 301 to a draft's 404
    assert client.get(OLD + "/").status_code == 404
    assert not Redirect.objects.filter(old_path=OLD).exists()

    imported.get_latest_revision().publish()
    imported.refresh_from_db()
    response = client.get(OLD + "/")
    assert response.status_code == 301 and response["Location"] == imported.get_url()
    assert reached(client, OLD) == (200, imported.get_url())

    imported.unpublish()
    assert reached(client, OLD) == (404, OLD + "/")
    assert not Redirect.objects.filter(old_path=OLD).exists()
    # Published again: back again (the import redirect is kept while the page exists).
    imported.get_latest_revision().publish()
    assert reached(client, OLD) == (200, imported.get_url())


@pytest.mark.django_db
def test_the_old_url_goes_live_at_the_scheduled_go_live(imported, client):
    now = timezone.now()
    draft = imported.get_latest_revision_as_object()
    draft.go_live_at = now + timedelta(hours=1)
    draft.save_revision().publish()  # scheduled: Wagtail sends page_published already
    imported.refresh_from_db()
    assert not imported.live
    assert reached(client, OLD) == (404, OLD + "/")
    with freeze_time(now + timedelta(hours=1, minutes=1)):
        call_command("publish_scheduled")
    imported.refresh_from_db()
    assert imported.live
    response = client.get(OLD + "/")
    assert response.status_code == 301 and response["Location"] == imported.get_url()
    assert reached(client, OLD) == (200, imported.get_url())


@pytest.mark.django_db
def test_publish_from_the_import_makes_the_redirect_live(demo_site, plain, client):
    run(plain.base + "/", "--publish")
    article = ArticlePage.objects.get(slug="winter-running")
    assert article.live
    (wanted,) = ImportRedirect.objects.filter(page=article)
    assert reached(client, wanted.old_path) == (200, article.get_url())


@pytest.mark.django_db
def test_a_page_deleted_takes_its_import_redirect_with_it(imported, client):
    imported.get_latest_revision().publish()
    imported.delete()
    assert not ImportRedirect.objects.exists()
    assert not Redirect.objects.filter(old_path=OLD).exists()
    assert reached(client, OLD) == (404, OLD + "/")


@pytest.mark.django_db
def test_the_migration_takes_earlier_imports_redirects_off_their_drafts(imported, client):
    """Imports before this change made the redirect at once: the migration turns it into an
    import redirect and removes it while its page is a draft."""
    site = ImportRedirect.objects.get(page=imported).site
    ImportRedirect.objects.all().delete()
    Redirect.objects.create(old_path=OLD, site=site, redirect_page=imported, is_permanent=True)
    assert reached(client, OLD)[1] != OLD + "/"  # the 301 to the draft's 404, as it was

    migration = importlib.import_module("importer.migrations.0003_redirects_wait_for_their_pages")
    migration.forwards(django_apps, None)

    assert reached(client, OLD) == (404, OLD + "/")
    assert ImportRedirect.objects.get(old_path=OLD).page_id == imported.pk
    imported.get_latest_revision().publish()
    assert reached(client, OLD) == (200, imported.get_url())
