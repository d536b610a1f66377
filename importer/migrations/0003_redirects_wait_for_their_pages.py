"""Redirects earlier imports made to pages that are still drafts answer 301 to a 404: each
becomes an import redirect (live again when its page is published), and the live redirect
of a page not live is removed."""

from urllib.parse import urlsplit

from django.db import migrations
from wagtail.contrib.redirects.models import Redirect as CurrentRedirect


def forwards(apps, schema_editor):
    ImportedPage = apps.get_model("importer", "ImportedPage")
    ImportRedirect = apps.get_model("importer", "ImportRedirect")
    Redirect = apps.get_model("wagtailredirects", "Redirect")
    for imported in ImportedPage.objects.select_related("page"):
        path = CurrentRedirect.normalise_path(urlsplit(imported.source_url).path or "/")
        redirect = Redirect.objects.filter(old_path=path, redirect_page=imported.page).first()
        if redirect is None or redirect.site_id is None:
            continue
        ImportRedirect.objects.get_or_create(
            site_id=redirect.site_id,
            old_path=path,
            defaults={"page_id": imported.page_id, "source_url": imported.source_url},
        )
        if not imported.page.live:
            redirect.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("importer", "0002_redirects_and_todos"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
