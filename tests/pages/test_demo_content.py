import pytest
from django.core.management import call_command
from wagtail.models import Page, PageLogEntry, Revision, Site

from pages.models import ClinicImage, ClinicSettings, ServicePage

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "images": ClinicImage.objects.count(),
        "log": PageLogEntry.objects.count(),
        "sites": Site.objects.count(),
    }


def test_demo_command_is_idempotent(tmp_path, settings, capsys):
    call_command("load_initial_data", "--no-admin")
    first = snapshot()
    assert first["images"] == 3
    call_command("load_initial_data", "--no-admin")
    assert snapshot() == first
    assert "nothing changed" in capsys.readouterr().out


def test_demo_site_root_is_the_clinic_home(demo_site):
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific == demo_site
    assert not Page.objects.filter(depth=2).exclude(pk=demo_site.pk).exists()
    clinic = ClinicSettings.for_site(site)
    assert clinic.phone and clinic.opening_hours_list


def test_ims_page_content(demo_site):
    ims = ServicePage.objects.get(slug="ims")
    assert ims.live and ims.session_length == "15–45 minutes"
    assert "forearm" in ims.hero_image_alt
    headings = [b.value["text"] for b in ims.body if b.block_type == "heading"]
    assert headings[:2] == ["What IMS is", "How it works"]


def test_demo_admin_created_once(monkeypatch, tmp_path, capsys):
    from django.contrib.auth import get_user_model

    from pages.demo import loader

    monkeypatch.setattr(loader, "ADMIN_LOGIN_FILE", tmp_path / "login.txt")
    call_command("load_initial_data")
    out = capsys.readouterr().out
    assert "admin / " in out
    password = (tmp_path / "login.txt").read_text().split(" / ")[1].strip()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    call_command("load_initial_data")
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_demo_articles_are_tagged(demo_site, client):
    from pages.models import ArticlePage

    article = ArticlePage.objects.get(slug="ims-or-massage")
    assert sorted(article.tags.names()) == ["IMS", "muscle tension"]
    assert (
        b'<li class="tag"><a href="/articles/?tag=ims">IMS</a></li>'
        in client.get(article.url).content
    )
